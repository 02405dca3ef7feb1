"""Pre-registration: ``params/experiments/NAME.yaml``, immutable once written.

The registration holds the design, the outcome and exposure, the test, the planned sizes, the
minimum detectable rate ratio computed from the processed history, the schedule's fingerprint
and ``registration_hash``: the sha256 of everything else. Reading a registration recomputes
the hash, so a YAML edited after registration is refused (changes need a new name).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from workbench import __version__
from workbench.config import PROJECT_ROOT
from workbench.errors import ExperimentError
from workbench.experiments.design import (
    Design,
    make_design,
    make_schedule,
    schedule_fingerprint,
)
from workbench.io.atomic import write_text_atomic

DEFAULT_TOLERANCE_MINUTES = 90
DEFAULT_REGISTRY = PROJECT_ROOT / "params" / "experiments"
HISTORY_MONTHS = 6
MDE_WARN = 1.5
HEADER = (
    "# Pre-registered experiment, written by `workbench experiment new`. Do not edit:\n"
    "# registration_hash detects changes; register a new name instead.\n"
)


def registration_hash(record: Mapping[str, Any]) -> str:
    """sha256 of the registration without its ``registration_hash`` field (canonical JSON)."""
    body = {k: v for k, v in record.items() if k != "registration_hash"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def history_power(
    posts: pd.DataFrame | None,
    labels: pd.DataFrame | None,
    design: Design,
    tz: str,
    *,
    alpha: float = 0.05,
    months: int = HISTORY_MONTHS,
) -> dict[str, Any]:
    """Dispersion, rates and the 80 %-power MDE at the planned size (statistics.md §7).

    Args:
        posts: Canonical posts (the processed history); None or empty raises.
        labels: Canonical labels (unused for the power numbers; accepted for symmetry).
        design: The design (platforms and planned sizes).
        tz: Organisation time zone.
        alpha: Test level.
        months: Months of history used (the most recent ones).

    Returns:
        ``history_window``, ``history_posts``, ``dispersion`` (NB2 α̂), ``mean_interactions``,
        ``mean_rate`` (interactions per exposure), ``mde`` and ``underpowered``.
    """
    from workbench.stats.nb import fit_nb
    from workbench.stats.outcomes import prepare_posts
    from workbench.stats.power import mde

    if posts is None or posts.empty:
        raise ExperimentError("the processed history holds no posts", column="posts",
                              hint="run `workbench ingest` on your exports first")
    prepared = prepare_posts(posts, labels, tz=tz).data
    prepared = prepared.loc[prepared["platform"].isin(design.platforms)]
    if prepared.empty:
        raise ExperimentError(f"no analysable posts on {', '.join(design.platforms)} in the "
                              "history", column="platform",
                              hint="choose platforms you have posted on")
    last = str(prepared["month"].max())
    y, m = int(last[:4]), int(last[5:7]) - (months - 1)
    while m <= 0:
        y, m = y - 1, m + 12
    first = f"{y:04d}-{m:02d}"
    window = prepared.loc[prepared["month"] >= first]
    terms = ["C(platform)"] if window["platform"].nunique() > 1 else []
    fit = fit_nb(window, "y", "exposure", terms)
    dispersion = fit.alpha if fit.converged and math.isfinite(fit.alpha) else 1.0
    mu0 = float(window["y"].mean())
    n_arm = design.planned_per_arm
    value = mde(n_arm, n_arm, max(mu0, 1e-3), dispersion, sig_level=alpha)
    return {
        "history_window": f"{first}..{last}",
        "history_posts": int(len(window)),
        "dispersion": round(float(dispersion), 4),
        "mean_interactions": round(mu0, 3),
        "mean_rate": round(float(window["y"].sum() / window["exposure"].sum()), 6),
        "mde": round(float(value), 3) if math.isfinite(value) else None,
        "underpowered": bool(not math.isfinite(value) or value > MDE_WARN),
    }


def build_registration(
    design: Design,
    power: Mapping[str, Any],
    *,
    alpha: float = 0.05,
    tolerance_minutes: int = DEFAULT_TOLERANCE_MINUTES,
    schedule: pd.DataFrame,
    registered_at: datetime | None = None,
) -> dict[str, Any]:
    """The registration record (what the YAML holds), hash included."""
    warnings = []
    if power.get("underpowered"):
        shown = power.get("mde")
        warnings.append(
            f"Underpowered: with {design.planned_per_arm} posts per arm this experiment can only "
            f"detect rate ratios of about ×{shown if shown else '1000+'} or more (80 % power). "
            "Add weeks, posts per week or platforms, or treat the result as descriptive.")
    if design.is_slot:
        what = "posting time window"
        compliance = "a post complies when its local publish hour is inside its arm's window"
    else:
        what = f"content label {design.hypothesis}"
        compliance = (f"a post complies when its {design.hypothesis} label agrees with its arm "
                      f"({design.arms[0]} = with, {design.arms[1]} = without)")
    record: dict[str, Any] = {
        "name": design.name,
        "registered_at": (registered_at or datetime.now(UTC)).isoformat(
            timespec="seconds"),
        "workbench_version": __version__,
        "hypothesis": design.hypothesis,
        "compares": what,
        "direction": "two-sided",
        "arms": list(design.arms),
        "reference_arm": design.arms[-1],
        "platforms": list(design.platforms),
        "start": design.start.isoformat(),
        "end": design.end.isoformat(),
        "end_month": design.end_month,
        "weeks": design.weeks,
        "posts_per_week": design.posts_per_week,
        "seed": design.seed,
        "planned_n": design.planned_n,
        "planned_per_arm": design.planned_per_arm,
        "outcome": "interactions",
        "exposure": "reach (Facebook, Instagram), impressions (LinkedIn), views (TikTok)",
        "alpha": float(alpha),
        "test": ("negative binomial rate ratio of each arm vs the reference arm, exposure as "
                 "offset, platform as covariate, SE = max(model, HC3); p-value from a "
                 "randomization test re-randomizing arms within the week x platform blocks; "
                 "intention-to-treat by planned arm, as-posted beside it; Holm across "
                 "registered experiments ending in the same month"),
        "compliance_rule": compliance,
        "match_tolerance_minutes": int(tolerance_minutes),
        "randomization_resamples": 1999,
        "power": dict(power),
        "warnings": warnings,
        "schedule_sha256": schedule_fingerprint(schedule),
    }
    record["registration_hash"] = registration_hash(record)
    return record


def registration_path(registry: Path, name: str) -> Path:
    """``<registry>/<name>.yaml``."""
    return Path(registry) / f"{name}.yaml"


def write_registration(registry: Path, record: Mapping[str, Any]) -> Path:
    """Write a new registration; refuse an existing name (registrations are immutable)."""
    path = registration_path(registry, str(record["name"]))
    if path.exists():
        raise ExperimentError(
            f"experiment {record['name']!r} is already registered", file=path,
            hint="registrations cannot change; register the new plan under a new name")
    text = HEADER + yaml.safe_dump(dict(record), sort_keys=False, allow_unicode=True, width=100)
    return write_text_atomic(path, text)


def read_registration(registry: Path, name: str) -> dict[str, Any]:
    """Read and verify a registration (hash and schedule fingerprint).

    Raises:
        ExperimentError: Not registered, not readable, or edited after registration.
    """
    path = registration_path(registry, name)
    if not path.exists():
        known = sorted(p.stem for p in Path(registry).glob("*.yaml")) if Path(
            registry).is_dir() else []
        raise ExperimentError(
            f"no experiment named {name!r} is registered", file=path,
            hint=("registered: " + ", ".join(known)) if known
            else "register one with `workbench experiment new`")
    try:
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ExperimentError(f"cannot read the registration ({exc})", file=path,
                              hint="restore the file as `experiment new` wrote it") from exc
    if not isinstance(record, dict) or "registration_hash" not in record:
        raise ExperimentError("not an experiment registration (no registration_hash)",
                              file=path, hint="register with `workbench experiment new`")
    if registration_hash(record) != record["registration_hash"]:
        raise ExperimentError(
            "the registration was edited after it was registered (its hash no longer matches)",
            file=path, column="registration_hash",
            hint="restore the original file (e.g. from git) or register a new name")
    return record


def design_of(record: Mapping[str, Any], topics: list[str] | tuple[str, ...] = ()) -> Design:
    """Rebuild the Design of a registration."""
    hypothesis = str(record["hypothesis"])
    return make_design(record["name"], hypothesis, record["arms"], record["platforms"],
                       record["start"], record["weeks"], record["posts_per_week"],
                       record.get("seed", 0), topics=[*topics, hypothesis])


def schedule_of(record: Mapping[str, Any], topics: list[str] | tuple[str, ...] = (),
                schedule_csv: Path | None = None) -> pd.DataFrame:
    """The registered schedule: regenerated from the seed and checked against its fingerprint.

    Falls back to ``schedule_csv`` (as `new` wrote it) when regeneration differs (e.g. the
    randomisation code changed since registration); raises when neither matches.
    """
    schedule = make_schedule(design_of(record, topics), topics)
    if schedule_fingerprint(schedule) == record["schedule_sha256"]:
        return schedule
    if schedule_csv is not None and Path(schedule_csv).exists():
        stored = pd.read_csv(schedule_csv, dtype=str, keep_default_na=False)
        stored = stored.astype({"week": "int64"})
        if schedule_fingerprint(stored) == record["schedule_sha256"]:
            return stored
    raise ExperimentError(
        "the planned schedule cannot be reproduced and no matching schedule.csv was found",
        file=schedule_csv, column="schedule_sha256",
        hint="restore reports/experiments/NAME/schedule.csv as `experiment new` wrote it")


def list_registrations(registries: list[Path]) -> list[tuple[Path, dict[str, Any]]]:
    """Every verified registration under the given folders, by name (first folder wins)."""
    found: dict[str, tuple[Path, dict[str, Any]]] = {}
    for registry in registries:
        registry = Path(registry)
        if not registry.is_dir():
            continue
        for path in sorted(registry.glob("*.yaml")):
            if path.stem not in found:
                found[path.stem] = (registry, read_registration(registry, path.stem))
    return [found[k] for k in sorted(found)]


def check_start_after_data(design: Design, posts: pd.DataFrame | None, tz: str) -> None:
    """Refuse a start date on or before the last post of the processed history."""
    if posts is None or posts.empty:
        return
    last = pd.to_datetime(posts["published_at_utc"], utc=True).max().tz_convert(tz).date()
    if design.start <= last:
        raise ExperimentError(
            f"start {design.start.isoformat()} is in the past of the data (last post "
            f"{last.isoformat()})", column="--start",
            hint=f"start after {last.isoformat()}, e.g. the next Monday")
