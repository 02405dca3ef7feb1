"""Running and finished experiments for the monthly report (`experiments_status`)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.config import MONTH_RE, org_timezone
from workbench.errors import ConfigError, WorkbenchError
from workbench.experiments import registry as reg
from workbench.params import setting

STATUS_COLUMNS = ("name", "hypothesis", "arms", "platforms", "start", "end", "status",
                  "planned_n", "matched_n", "estimate", "ci_low", "ci_high", "p_value",
                  "p_adjusted", "confidence", "summary")


def _status(record: Mapping[str, Any], month: str) -> str:
    if month < str(record["start"])[:7]:
        return "planned"
    if month < str(record["end_month"]):
        return "running"
    return "finished"


def _stored_results(reports_dir: Path, name: str) -> dict[str, Any] | None:
    path = Path(reports_dir) / "experiments" / name / "results.json"
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def experiments_status(params_dir: Path, reports_dir: Path, tables: Mapping[str, pd.DataFrame],
                       month: str, *, params: Mapping[str, Any] | None = None,
                       registries: Sequence[Path] = ()) -> pd.DataFrame:
    """One row per registered experiment, as of the report month.

    Args:
        params_dir: Folder holding ``experiments/`` (the registry), usually ``params/``.
        reports_dir: Reports root; stored analyses are read from
            ``reports_dir/experiments/NAME/results.json`` when they match the registration.
        tables: Canonical tables (finished experiments without a stored analysis are analysed
            on the fly; running ones are matched to count the posts so far).
        month: Report month ``YYYY-MM``; status is planned (starts after it), running or
            finished (ends in or before it).
        params: Layered parameters (default: ``load_params(params_dir)``).
        registries: Extra registry folders (e.g. the sample's ``RAW/experiments``).

    Returns:
        Frame with :data:`STATUS_COLUMNS`; p_adjusted is Holm within experiments ending in the
        same month; empty (with the columns) when nothing is registered.
    """
    from workbench.experiments.analysis import match_posts
    from workbench.experiments.core import analyze_tables, topics_of
    from workbench.stats.multiple import holm_adjust

    if not MONTH_RE.match(str(month)):
        raise ConfigError(f"month {month!r} is not YYYY-MM", hint="write it as 2024-03")
    if params is None:
        from workbench.config import load_params

        params = load_params(params_dir)
    folders = [Path(params_dir) / "experiments", *[Path(r) for r in registries]]
    rows = []
    for _, record in reg.list_registrations(folders):
        status = _status(record, month)
        row: dict[str, Any] = {
            "name": record["name"], "hypothesis": record["hypothesis"],
            "arms": ", ".join(record["arms"]), "platforms": ", ".join(record["platforms"]),
            "start": record["start"], "end": record["end"], "status": status,
            "planned_n": int(record["planned_n"]), "matched_n": pd.NA,
            "estimate": math.nan, "ci_low": math.nan, "ci_high": math.nan,
            "p_value": math.nan, "p_adjusted": math.nan, "confidence": "",
            "summary": "", "_end_month": record["end_month"],
        }
        if status == "planned":
            row["summary"] = (f"Planned: starts {record['start']}, {record['planned_n']} posts "
                              f"on {row['platforms']}.")
        elif status == "running":
            try:
                topics = topics_of(params)
                matching = match_posts(reg.schedule_of(record, topics), tables["posts"],
                                       reg.design_of(record, topics), org_timezone(params),
                                       record["match_tolerance_minutes"])
                row["matched_n"] = len(matching.matched)
            except (WorkbenchError, KeyError):
                pass
            row["summary"] = (f"Running until {record['end']}: results only at the end "
                              "(looking early would inflate false alarms).")
        else:
            stored = _stored_results(reports_dir, record["name"])
            if stored and (stored.get("registration") or {}).get(
                    "registration_hash") == record["registration_hash"]:
                hyp = stored["hypotheses"][0]
                row.update({k: hyp.get(k) for k in ("estimate", "ci_low", "ci_high",
                                                    "p_value")})
                row["matched_n"] = stored.get("matched_n")
                row["summary"] = stored.get("summary", "")
            else:
                try:
                    result = analyze_tables(record, tables, params, n_resamples=999)
                    p = result.primary
                    row.update({"estimate": p.estimate, "ci_low": p.ci_low,
                                "ci_high": p.ci_high, "p_value": p.p_value,
                                "matched_n": result.matched_n, "_result": result})
                except WorkbenchError as exc:
                    row["summary"] = f"Finished, not analysable yet: {exc.message}."
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[*STATUS_COLUMNS, "_end_month", "_result"])
    # Holm within each end month, over the finished experiments (no p yet counts as 1).
    for end_month, members in frame.loc[frame["status"] == "finished"].groupby("_end_month"):
        ps = [1.0 if (p is None or not math.isfinite(float(p))) else float(p)
              for p in members["p_value"]]
        adjusted = holm_adjust(ps, alpha=float(setting(params, "alpha")))
        for index, value, raw in zip(members.index, adjusted, members["p_value"], strict=True):
            if raw is not None and math.isfinite(float(raw)):
                frame.at[index, "p_adjusted"] = float(value)
        del end_month
    for index, row in frame.iterrows():
        if row["status"] != "finished" or not math.isfinite(float(row["p_value"] or math.nan)):
            continue
        frame.at[index, "confidence"] = _confidence(row, folders)
        result = row["_result"]
        if isinstance(result, object) and hasattr(result, "summary"):
            from dataclasses import replace

            family = frame.loc[frame["_end_month"] == row["_end_month"], "name"].tolist()
            result = replace(result, p_adjusted=float(row["p_adjusted"]), family=family)
            frame.at[index, "summary"] = result.summary()
    out = frame.drop(columns=["_end_month", "_result"])
    return out.astype({"estimate": "float64", "ci_low": "float64", "ci_high": "float64",
                       "p_value": "float64", "p_adjusted": "float64"}).reset_index(drop=True)


def _confidence(row: pd.Series, folders: list[Path]) -> str:
    from workbench.stats.confidence import confidence_label

    record = next((r for _, r in reg.list_registrations(folders) if r["name"] == row["name"]),
                  {})
    underpowered = bool((record.get("power") or {}).get("underpowered"))
    return confidence_label(row["p_adjusted"], row["ci_low"], row["ci_high"], underpowered,
                            "negbin")
