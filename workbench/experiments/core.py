"""Plan, register and analyse experiments over the canonical tables (pure where possible).

`plan_experiment` and `analyze_tables` take frames and return records; `new_experiment` and
`write_analysis` are the thin file-writing layers the CLI and the notebook call.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from workbench import __version__
from workbench.config import org_timezone
from workbench.errors import ExperimentError, WorkbenchError
from workbench.experiments import registry as reg
from workbench.experiments.analysis import Matching, actual_arm, estimate, match_posts
from workbench.experiments.design import Design, hootsuite_rows, make_design, make_schedule
from workbench.jsonsafe import jsonable
from workbench.params import setting

#: Subjects of the plain-language sentences.
ARM_WORDS = {"human_centred": "posts telling a person's story",
             "brand_colours": "posts in our brand colours"}


def topics_of(params: Mapping[str, Any]) -> list[str]:
    """Topic names of the organisation profile."""
    return [str(t) for t in (params.get("topics") or {})]


def default_registry(params_dir: Path | None = None) -> Path:
    """``params/experiments`` (of ``params_dir`` when given)."""
    from workbench.config import DEFAULT_PARAMS_DIR

    return Path(params_dir or DEFAULT_PARAMS_DIR) / "experiments"


def plan_experiment(design: Design, posts: pd.DataFrame | None, labels: pd.DataFrame | None,
                    params: Mapping[str, Any], *, registered_at: datetime | None = None,
                    check_start: bool = True) -> tuple[dict[str, Any], pd.DataFrame]:
    """Registration record and schedule for a design, from the processed history.

    Args:
        design: Validated design.
        posts: Canonical posts (history: dispersion and rates for the MDE).
        labels: Canonical labels, or None.
        params: Layered parameters (time zone, topics, alpha, match tolerance).
        registered_at: Registration time (default now).
        check_start: Refuse a start on or before the last post of the history.

    Returns:
        ``(record, schedule)``.
    """
    tz = org_timezone(params)
    if check_start:
        reg.check_start_after_data(design, posts, tz)
    alpha = float(setting(params, "alpha"))
    power = reg.history_power(posts, labels, design, tz, alpha=alpha)
    schedule = make_schedule(design, topics_of(params))
    tolerance = int((params.get("experiments") or {}).get("match_tolerance_minutes",
                                                          reg.DEFAULT_TOLERANCE_MINUTES))
    record = reg.build_registration(design, power, alpha=alpha, tolerance_minutes=tolerance,
                                    schedule=schedule, registered_at=registered_at)
    return record, schedule


def new_experiment(name: str, hypothesis: str, arms: str, platforms: str, start: str,
                   weeks: int, posts_per_week: int, *, seed: int = 0,
                   tables: Mapping[str, pd.DataFrame], params: Mapping[str, Any],
                   registry: Path, reports_dir: Path) -> tuple[Path, Path, dict[str, Any]]:
    """Register an experiment: write its YAML and its schedule (nothing is overwritten).

    Writes ``registry/NAME.yaml`` and ``reports_dir/experiments/NAME/schedule.csv`` plus one
    Hootsuite bulk-composer file per platform (``hootsuite_<platform>.csv``).

    Returns:
        ``(yaml_path, schedule_path, record)``.
    """
    yaml_path = reg.registration_path(registry, name)
    if yaml_path.exists():
        raise ExperimentError(f"experiment {name!r} is already registered", file=yaml_path,
                              hint="registrations cannot change; use a new name")
    out_dir = Path(reports_dir) / "experiments" / name
    schedule_path = out_dir / "schedule.csv"
    if schedule_path.exists():
        raise ExperimentError("a schedule for this name already exists", file=schedule_path,
                              hint="choose a new experiment name")
    design = make_design(name, hypothesis, arms, platforms, start, weeks, posts_per_week, seed,
                         topics=topics_of(params))
    record, schedule = plan_experiment(design, tables.get("posts"), tables.get("labels"), params)
    from workbench.io.atomic import write_bytes_atomic

    write_bytes_atomic(schedule_path, schedule.to_csv(index=False).encode("utf-8"))
    for platform in design.platforms:
        rows = hootsuite_rows(schedule, platform)
        write_bytes_atomic(out_dir / f"hootsuite_{platform}.csv",
                           rows.to_csv(index=False, header=False).encode("utf-8"))
    reg.write_registration(registry, record)  # last: the registration is the commit point
    return yaml_path, schedule_path, record


# --------------------------------------------------------------------------------------------
# Analysis
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExperimentResult:
    """Everything the analysis notebook shows and results.json records."""

    record: dict[str, Any]
    matching: Matching
    posts: pd.DataFrame  # matched posts with arm, arm_posted, complies, y, exposure
    excluded: pd.DataFrame  # matched posts left out of the model, with the reason
    itt: list
    as_posted: list
    planned_n: int
    matched_n: int
    compliance: float
    p_adjusted: float = math.nan
    family: list[str] = field(default_factory=list)

    @property
    def primary(self):
        """The first arm vs the reference arm, intention to treat."""
        return self.itt[0]

    @property
    def confidence(self) -> str:
        """Strong / suggestive / inconclusive (Holm-adjusted p, interval, power)."""
        from workbench.stats.confidence import confidence_label

        p = self.primary
        method = "insufficient" if p.p_method == "insufficient" else "negbin"
        return confidence_label(self.p_adjusted, p.ci_low, p.ci_high,
                                bool(self.record["power"].get("underpowered")), method)

    def summary(self) -> str:
        """The plain-language paragraph for leadership."""
        return plain_summary(self)

    def hypothesis_row(self) -> dict[str, Any]:
        """The DESIGN.md ``hypotheses`` fields plus planned_n, matched_n, compliance."""
        p = self.primary
        rec = self.record
        platforms = rec["platforms"]
        return _clean({
            "id": f"experiment:{rec['name']}",
            "platform": platforms[0] if len(platforms) == 1 else "all",
            "window": f"{rec['start'][:7]}..{rec['end'][:7]}",
            "outcome": "interactions per exposure",
            "estimate": p.estimate, "ci_low": p.ci_low, "ci_high": p.ci_high,
            "p_value": p.p_value, "p_adjusted": self.p_adjusted, "n": p.n,
            "n_group": p.n_group,
            "method": "insufficient" if p.p_method == "insufficient" else "negbin",
            "p_value_method": p.p_method, "p_value_model": p.p_model,
            "mde": rec["power"].get("mde"), "underpowered": rec["power"].get("underpowered"),
            "confidence": self.confidence,
            "covariates": ["platform"] if len(platforms) > 1 else [],
            "planned_n": self.planned_n, "matched_n": self.matched_n,
            "compliance": self.compliance, "arm": p.arm, "reference_arm": p.reference,
        })

    def to_results(self) -> dict[str, Any]:
        """The results.json payload."""
        def contrasts(items):
            return [_clean({"arm": e.arm, "reference": e.reference, "estimate": e.estimate,
                            "ci_low": e.ci_low, "ci_high": e.ci_high, "p_value": e.p_value,
                            "p_value_method": e.p_method, "n": e.n, "n_group": e.n_group,
                            "alpha_hat": e.alpha_hat}) for e in items]

        m = self.matching
        return {
            "experiment": self.record["name"],
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "workbench_version": __version__,
            "registration": self.record,
            "planned_n": self.planned_n,
            "matched_n": self.matched_n,
            "compliance": _clean_value(self.compliance),
            "hypotheses": [self.hypothesis_row()],
            "intention_to_treat": contrasts(self.itt),
            "as_posted": contrasts(self.as_posted),
            "holm_family": self.family,
            "summary": self.summary(),
            "off_schedule_posts": [f"{r.platform}:{r.post_id} at {r.published_local:%Y-%m-%d %H:%M}"
                                   for r in m.off_schedule.itertuples()],
            "missed_slots": [f"{r.slot_id} {r.platform} {r.date} {r.local_time} ({r.arm})"
                             for r in m.missed.itertuples()],
            "non_compliant": [f"{r.slot_id} {r.platform}:{r.post_id} planned {r.arm}, posted "
                              f"{r.arm_posted if isinstance(r.arm_posted, str) else 'unknown'}"
                              for r in self.posts.loc[~self.posts["complies"].fillna(False)
                                                      .astype(bool)].itertuples()],
            "excluded": [f"{r.platform}:{r.post_id}: {r.reason}"
                         for r in self.excluded.itertuples()],
        }


def _clean_value(value: Any) -> Any:
    return jsonable(value)


def _clean(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _clean_value(v) for k, v in record.items()}


def analyze_tables(record: Mapping[str, Any], tables: Mapping[str, pd.DataFrame],
                   params: Mapping[str, Any], *, schedule_csv: Path | None = None,
                   n_resamples: int | None = None) -> ExperimentResult:
    """Analyse a registered experiment on the canonical tables (p_adjusted not yet set).

    Raises:
        ExperimentError: No published post matches any planned slot.
    """
    from workbench.stats.outcomes import prepare_posts

    tz = org_timezone(params)
    topics = topics_of(params)
    design = reg.design_of(record, topics)
    schedule = reg.schedule_of(record, topics, schedule_csv)
    posts = tables.get("posts")
    if posts is None or posts.empty:
        raise ExperimentError("the processed tables hold no posts", column="posts",
                              hint="ingest the exports covering the experiment first")
    labels = tables.get("labels")
    matching = match_posts(schedule, posts, design, tz, record["match_tolerance_minutes"])
    if matching.matched.empty:
        raise ExperimentError(
            f"no published post matches a planned slot of {record['name']!r} "
            f"({len(matching.off_schedule)} posts in its dates on "
            f"{', '.join(design.platforms)} are off-schedule)", column="published_at",
            hint="check the exports cover the experiment's dates, or the time zone in org.yaml")
    matched = matching.matched.copy()
    matched["arm_posted"] = actual_arm(matched, labels, design)
    matched["complies"] = (matched["arm_posted"] == matched["arm"]).astype("boolean")

    prepared = prepare_posts(posts, labels, tz=tz,
                             min_age_days=float(setting(params, "min_post_age_days")))
    data = matched.merge(prepared.data[["platform", "post_id", "y", "exposure"]],
                         on=["platform", "post_id"], how="left")
    reasons = {}
    for row in prepared.excluded.itertuples():
        for key in row.post_ids:
            reasons[key] = row.reason
    keys = data["platform"].astype(str) + ":" + data["post_id"].astype(str)
    missing = data["y"].isna().to_numpy()
    excluded = pd.DataFrame({"platform": data.loc[missing, "platform"],
                             "post_id": data.loc[missing, "post_id"],
                             "reason": [reasons.get(k, "not in the analysable posts")
                                        for k in keys[missing]]}).reset_index(drop=True)
    usable = data.loc[~missing].reset_index(drop=True)
    resamples = int(n_resamples or record.get("randomization_resamples", 1999))
    itt = estimate(usable, "arm", design, randomized=True, n_resamples=resamples,
                   seed=int(record.get("seed", 0)))
    as_posted = estimate(usable, "arm_posted", design, randomized=False)
    known = matched["complies"].notna()
    compliance = float(matched.loc[known, "complies"].astype(bool).mean()) if known.any() \
        else math.nan
    # Alone in its family until `holm_family` adds the siblings.
    return ExperimentResult(dict(record), matching, data, excluded, itt, as_posted,
                            int(record["planned_n"]), int(len(matched)), compliance,
                            p_adjusted=itt[0].p_value, family=[str(record["name"])])


def holm_family(record: Mapping[str, Any], result: ExperimentResult,
                registries: list[Path], tables: Mapping[str, pd.DataFrame],
                params: Mapping[str, Any]) -> ExperimentResult:
    """Set the Holm-adjusted p over registered experiments ending in the same month.

    Siblings that cannot be analysed (yet) count with p = 1, which keeps Holm conservative.
    """
    from dataclasses import replace

    from workbench.stats.multiple import holm_adjust

    names, ps = [record["name"]], [result.primary.p_value]
    for _, other in reg.list_registrations(registries):
        if other["name"] == record["name"] or other["end_month"] != record["end_month"]:
            continue
        try:
            p = analyze_tables(other, tables, params, n_resamples=499).primary.p_value
        except WorkbenchError:
            p = math.nan
        names.append(other["name"])
        ps.append(1.0 if not math.isfinite(p) else p)
    if not math.isfinite(ps[0]):
        return replace(result, family=names)
    adjusted = holm_adjust(ps, alpha=float(record.get("alpha", 0.05)))
    return replace(result, p_adjusted=float(adjusted[0]), family=names)


def _fmt(value: float, digits: int = 2) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def arm_words(record: Mapping[str, Any], arm: str) -> str:
    """How an arm is named in a sentence."""
    hypothesis = record["hypothesis"]
    arms = record["arms"]
    if hypothesis == "slot":
        return f"posts in the {arm} slot"
    subject = ARM_WORDS.get(hypothesis, f"posts about {hypothesis.replace('_', ' ')}")
    return f"{subject} ('{arm}')" if arm == arms[0] else f"the other posts ('{arm}')"


def plain_summary(result: ExperimentResult) -> str:
    """What was tested and how sure we are, in plain words (causal only because randomized)."""
    rec = result.record
    p = result.primary
    platforms = " and ".join(x.capitalize() for x in rec["platforms"])
    head = (f"We tested whether {arm_words(rec, p.arm)} get more interactions per person "
            f"reached than {arm_words(rec, p.reference)}, by assigning {rec['planned_n']} "
            f"planned posts at random on {platforms} from {rec['start']} to {rec['end']}. ")
    done = (f"{result.matched_n} of {result.planned_n} planned posts went out on schedule"
            + (f"; {100 * result.compliance:.0f} % of them as assigned. "
               if math.isfinite(result.compliance) else ". "))
    if p.p_method == "insufficient":
        return head + done + "Too few posts were published to estimate the difference."
    confidence = result.confidence
    ratio = (f"{p.estimate:.2f}× the interactions" if p.estimate >= 1 else
             f"{p.estimate:.2f}× the interactions ({100 * (1 - p.estimate):.0f} % fewer)")
    others = len(result.family) - 1
    adjusted = (f", {_fmt(result.p_adjusted, 3)} after allowing for the {others} other "
                "experiment(s) ending that month" if others > 0 else "")
    method = ("randomization test, its estimate, interval and p" if p.p_method == "randomization"
              else "negative binomial model")
    body = (f"Result ({method}): {ratio} (95 % interval {_fmt(p.ci_low)}–{_fmt(p.ci_high)}; "
            f"p = {_fmt(p.p_value, 3)}{adjusted}); {confidence}. ")
    if confidence == "strong":
        meaning = ("Because the posts were assigned at random, this difference is caused by the "
                   "content or timing being tested, not by topic, season or format.")
    elif confidence == "suggestive":
        meaning = ("Probably not chance, but the evidence is thin; repeating the experiment "
                   "would settle it.")
    else:
        meaning = ("The data cannot tell this difference from chance; this does not mean "
                   "there is no difference.")
    mde = rec["power"].get("mde")
    if rec["power"].get("underpowered"):
        shown = f"×{float(mde):.2f}" if isinstance(mde, (int, float)) else "the planned size"
        meaning += (f" The experiment was planned too small to detect differences below "
                    f"about {shown}.")
    return head + done + body + meaning


def write_analysis(result: ExperimentResult, results_dir: Path) -> Path:
    """Write ``results.json`` (and the matched-posts table) into ``results_dir``."""
    from workbench.io.atomic import write_bytes_atomic, write_json_atomic
    from workbench.jsonsafe import jsonable

    results_dir = Path(results_dir)
    table = result.posts.astype({"published_local": "string"})
    write_bytes_atomic(results_dir / "matched_posts.csv",
                       table.to_csv(index=False).encode("utf-8"))
    return write_json_atomic(results_dir / "results.json", jsonable(result.to_results()))


def contrasts_frame(result: ExperimentResult) -> pd.DataFrame:
    """Both analyses side by side: intention to treat (the test) and as posted (descriptive)."""
    rows = []
    for analysis, items in (("intention to treat (planned arm)", result.itt),
                            ("as posted (descriptive)", result.as_posted)):
        for e in items:
            rows.append({"analysis": analysis, "comparison": f"{e.arm} vs {e.reference}",
                         "posts": " vs ".join(str(v) for v in e.n_group.values()),
                         "rate ratio": e.estimate, "95 % low": e.ci_low, "95 % high": e.ci_high,
                         "p": e.p_value, "p from": e.p_method})
    return pd.DataFrame(rows)


def issues_lines(result: ExperimentResult) -> list[str]:
    """Off-schedule posts, missed slots, non-compliant and excluded posts, one line each."""
    payload = result.to_results()
    lines = [f"Off-schedule (matches no planned slot): {x}" for x in payload["off_schedule_posts"]]
    lines += [f"Planned but not posted: {x}" for x in payload["missed_slots"]]
    lines += [f"Not as assigned: {x}" for x in payload["non_compliant"]]
    lines += [f"Left out of the model: {x}" for x in payload["excluded"]]
    return lines or ["Every planned slot was posted as assigned."]
