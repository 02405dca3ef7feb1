"""Run settings as one typed, validated object: :class:`RunParams`.

The defaults live in ONE place, ``params/monthly.yaml`` (:data:`DEFAULTS_FILE`); nothing in
code repeats them. :func:`setting` reads one setting from a layered mapping with that file's
default, for the statistics functions that take a plain mapping.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from workbench.errors import ConfigError
from workbench.month import Month

#: The project's run defaults; an installed package (no project folder) reads the copy it ships,
#: ``workbench/monthly_defaults.yaml``, which a test keeps byte-identical to this file.
PROJECT_DEFAULTS_FILE = Path(__file__).resolve().parent.parent / "params" / "monthly.yaml"
PACKAGED_DEFAULTS_FILE = Path(__file__).resolve().parent / "monthly_defaults.yaml"
DEFAULTS_FILE = (PROJECT_DEFAULTS_FILE if PROJECT_DEFAULTS_FILE.is_file()
                 else PACKAGED_DEFAULTS_FILE)

#: Keys of the organisation profile (params/org.yaml) the workbench reads.
ORG_KEYS = frozenset({
    "name", "short_name", "timezone", "currency", "website", "platforms", "brand_colours",
    "local_hashtags", "audiences", "topics", "labels", "services", "utm", "column_maps_dir",
    "currency_symbol", "website_analysis", "grant", "audience_goals",
})
#: Keys that runs and advanced users may set besides the defaults file's.
EXTRA_RUN_KEYS = frozenset({
    "registered_hypotheses", "permutations", "topic_ranking", "experiments", "reports_dir",
    "posting_frequency_knot",
})

#: Allowed ranges of the numeric run settings: (low, high, low inclusive, high inclusive).
RANGES: dict[str, tuple[float, float, bool, bool]] = {
    "window_months": (1, 60, True, True),
    "alpha": (0.0, 1.0, False, False),
    "fdr_q": (0.0, 1.0, False, False),
    "min_posts_per_group": (1, 10_000, True, True),
    "min_post_age_days": (0, 3650, True, True),
    "post_age_days": (0, 3650, False, True),
    "mde_warn_ratio": (1.0, 100.0, False, True),
    "bootstrap_reps": (99, 1_000_000, True, True),
    "seed": (0, 2**32 - 1, True, True),
}


class UnknownSettingWarning(UserWarning):
    """A params file holds a key the workbench does not read (often a typo)."""


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping; a clear ConfigError when it is not one."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(
            f"cannot read ({exc.strerror})", file=path, hint="check the path"
        ) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(
            f"invalid YAML ({getattr(exc, 'problem', exc)})",
            file=path,
            row=(mark.line + 1) if mark else None,
            hint="fix the indentation or quoting on that line",
        ) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping of keys to values", file=path)
    return data


@lru_cache(maxsize=4)
def _defaults(path: str) -> dict[str, Any]:
    return read_yaml(path)


def run_defaults() -> dict[str, Any]:
    """The run defaults of ``params/monthly.yaml`` (a fresh copy)."""
    import copy

    return copy.deepcopy(_defaults(str(DEFAULTS_FILE)))


def setting(params: Mapping[str, Any] | None, key: str) -> Any:
    """``params[key]``, or the ``params/monthly.yaml`` default when unset or null."""
    value = (params or {}).get(key)
    if value is None:
        defaults = _defaults(str(DEFAULTS_FILE))
        if key not in defaults:
            raise KeyError(f"{key!r} has no default in {DEFAULTS_FILE}")
        value = defaults[key]
    return value


def _check_type(key: str, value: Any, default: Any, source: Any) -> Any:
    """Coerce ``value`` to the default's type, or raise a ConfigError naming the key."""
    if default is None or value is None:
        return value
    expected = type(default)
    if expected is bool:
        if isinstance(value, bool):
            return value
    elif expected is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif expected is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif isinstance(value, expected):
        return value
    raise ConfigError(f"{key!r} is {value!r}, expected {expected.__name__}", file=source,
                      hint=f"write it like the default in params/monthly.yaml ({default!r})")


def _check_range(key: str, value: Any, source: Any) -> None:
    low, high, low_in, high_in = RANGES[key]
    ok = (value >= low if low_in else value > low) and (value <= high if high_in else value < high)
    if not ok:
        span = f"{'[' if low_in else '('}{low:g}, {high:g}{']' if high_in else ')'}"
        raise ConfigError(f"{key!r} is {value!r}, outside {span}", file=source,
                          hint=f"set {key} within {span}")


def validate_run_settings(params: Mapping[str, Any], source: Any = None) -> dict[str, Any]:
    """Fill defaults, check types and ranges, warn about unknown keys; return a new dict."""
    defaults = run_defaults()
    out = dict(params)
    for key, default in defaults.items():
        if out.get(key) is None:
            out[key] = default
            continue
        if isinstance(default, dict):
            if not isinstance(out[key], Mapping):
                raise ConfigError(f"{key!r} is {out[key]!r}, expected a mapping", file=source,
                                  hint=f"write {key} as in params/monthly.yaml")
            merged = {**default, **out[key]}
            for sub, sub_default in default.items():
                merged[sub] = _check_type(f"{key}.{sub}", merged[sub], sub_default, source)
            out[key] = merged
        else:
            out[key] = _check_type(key, out[key], default, source)
        if key in RANGES:
            _check_range(key, out[key], source)
    if out.get("month") is not None:
        out["month"] = str(Month.parse(str(out["month"])))
    known = ORG_KEYS | EXTRA_RUN_KEYS | set(defaults)
    unknown = sorted(k for k in out if k not in known)
    if unknown:
        where = f"{source}: " if source else ""
        warnings.warn(f"{where}unknown setting(s) {', '.join(unknown)} are ignored. Hint: check "
                      "the spelling against params/monthly.yaml and params/org.yaml",
                      UnknownSettingWarning, stacklevel=3)
    return out


@dataclass(frozen=True)
class RunParams:
    """The run's settings, typed and validated, with the organisation profile alongside.

    Build it with :meth:`from_mapping` (or :func:`workbench.config.load_run_params`); the
    defaults come from ``params/monthly.yaml`` only.

    Attributes:
        month: The month under report (None: the latest complete month in the data).
        window_months: Rolling window of the content tests, in months.
        alpha: Test level for registered hypotheses.
        fdr_q: Benjamini-Hochberg level of the month's exploratory family.
        min_posts_per_group: Below this a comparison is not tested.
        min_post_age_days: Younger posts are left out of the tests.
        post_age_days: Age (days) at which post metrics are compared month to month; None
            compares them as downloaded.
        mde_warn_ratio: "Underpowered" when the 80 %-power MDE exceeds this ratio.
        bootstrap_reps: Resamples of the KPI-change intervals.
        seed: Seed of every random step.
        posting_time_platforms: Platforms analysed for posting times.
        settings: The full layered mapping (organisation profile included), defaults filled.
    """

    month: Month | None
    window_months: int
    alpha: float
    fdr_q: float
    min_posts_per_group: int
    min_post_age_days: float
    post_age_days: float | None
    mde_warn_ratio: float
    bootstrap_reps: int
    seed: int
    posting_time_platforms: tuple[str, ...]
    settings: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_mapping(cls, params: Mapping[str, Any], source: Any = None) -> RunParams:
        """Validate a layered mapping and type it."""
        full = validate_run_settings(params, source)
        month = full.get("month")
        return cls(
            month=Month.parse(month) if month else None,
            window_months=int(full["window_months"]),
            alpha=float(full["alpha"]),
            fdr_q=float(full["fdr_q"]),
            min_posts_per_group=int(full["min_posts_per_group"]),
            min_post_age_days=float(full["min_post_age_days"]),
            post_age_days=(None if full.get("post_age_days") is None
                           else float(full["post_age_days"])),
            mde_warn_ratio=float(full["mde_warn_ratio"]),
            bootstrap_reps=int(full["bootstrap_reps"]),
            seed=int(full["seed"]),
            posting_time_platforms=tuple(full["posting_times"]["platforms"] or ()),
            settings=full,
        )

    def as_dict(self) -> dict[str, Any]:
        """The full layered mapping (what the statistics functions take)."""
        import copy

        out = copy.deepcopy(dict(self.settings))
        out["month"] = str(self.month) if self.month else None
        return out

    @property
    def org_name(self) -> str:
        """The organisation's display name."""
        return str(self.settings.get("name") or "Organisation")

    @property
    def timezone(self) -> str:
        """The organisation's IANA time zone (validated when loaded)."""
        return str(self.settings["timezone"])
