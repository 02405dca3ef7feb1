"""The strategy's other questions (issue 15): hashtags, formats, language, frequency, top posts.

Local hashtags, formats, caption language, posting frequency, and the month's top posts ranked
fairly against their own platform and format.

`strategy_comparisons` is the one entry point. Its comparison rows are ordinary
:class:`workbench.stats.hypotheses.HypothesisResult` rows (the DESIGN.md hypothesis fields),
fitted by the same machinery as H1/H2 (NB2 with exposure offset, the max-SE rule, the
stratified permutation fallback below 40 posts, "insufficient" below 5 per group, MDE and
power banner), so the lead can add them to the month's family before the BH adjustment.

Row ids:

* ``hashtags_local`` — posts carrying one of the organisation's local hashtags vs the rest;
  outcome ``reach_per_follower``: the post's reach (impressions on LinkedIn, views on TikTok)
  with offset log(followers at the publish date), where hashtags can act (discovery).
* ``hashtags_local:interactions`` — same split, interactions per person reached (secondary).
  Its pooled row is tested creative by creative (`creative_shift_test`: the label permuted
  between whole creatives within platform × format group, inverted for its interval), since a
  cross-posted creative's posts share one hashtag choice and one content; its per-platform
  splits keep the NB fits.
* ``format:<name>`` — a format vs the platform's reference format (photo where the platform
  has at least 5 photos, else its most common format), per platform, posts of the two
  formats only; outcome interactions per person reached.
* ``language:fr`` / ``language:bilingual`` — French or bilingual captions vs English ones
  (`workbench.labels.language`), pooled over platforms (adjusted for platform), only when the
  organisation posts in more than one language.

A local hashtag matches exactly, ignoring case and accents: ``#LondonOnt`` never matches
``#LondonOntario``. When every post (or none) carries one, no row is produced and
`HashtagSummary.statement` says so in one line and proposes an experiment
(`HashtagSummary.experiment`, ready for ``workbench experiment new``).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from workbench.labels.language import caption_languages
from workbench.labels.rules import local_hashtags, parse_hashtags
from workbench.params import setting
from workbench.platforms import PLATFORM_LABELS
from workbench.stats import power
from workbench.stats.confidence import confidence_label, label_levels
from workbench.stats.frequency import (
    FREQUENCY_ID,
    FREQUENCY_PER_POST_ID,
    FREQUENCY_REACH_ID,
    FrequencyResult,
    frequency_knot,
    frequency_rows,
    judge_frequency,
    posting_frequency,
    weekly_post_counts,
)
from workbench.stats.hypotheses import (
    HypothesisResult,
    _compare,
    _permutations,
    rolling_window,
    stratified_shift_test,
)
from workbench.stats.outcomes import audience_at_publish, prepare_posts
from workbench.stats.pooling import se_from_interval
from workbench.stats.top_posts import TopPosts, fair_top_posts

HASHTAG_ID = "hashtags_local"
HASHTAG_INTERACTIONS_ID = "hashtags_local:interactions"
REACH_OUTCOME = "reach_per_follower"
EXPERIMENT_WEEKS = 8
#: Leading caption characters that identify a creative across its platforms (`creative_ids`).
CREATIVE_KEY_CHARS = 80
REFERENCE_FORMAT = "photo"
#: Platform names in a sentence (the registry's, "all platforms" mid-sentence).
PLATFORM_NAMES = {**PLATFORM_LABELS, "all": "all platforms"}
LANGUAGE_NAMES = {"en": "English", "fr": "French", "bilingual": "bilingual (French and English)"}


def _param(params: Mapping[str, Any] | None, key: str) -> Any:
    """A run setting, defaulting to params/monthly.yaml (the one source of defaults)."""
    return setting(params, key)


def local_hashtag_flags(posts: pd.DataFrame, local: Sequence[str]) -> pd.Series:
    """True for posts carrying at least one of the ``local`` hashtags (exact, any case).

    Tags come from the ``hashtags`` list column and from the caption (`parse_hashtags`).
    """
    listed = posts["hashtags"] if "hashtags" in posts.columns else pd.Series(
        None, index=posts.index, dtype="object")
    captions = posts["caption"] if "caption" in posts.columns else pd.Series(
        None, index=posts.index, dtype="object")
    out = []
    for tags, caption in zip(listed, captions, strict=True):
        found = [str(t) if str(t).startswith("#") else f"#{t}"
                 for t in (tags if isinstance(tags, (list, tuple, np.ndarray)) else [])]
        found += parse_hashtags(caption if isinstance(caption, str) else None)
        out.append(bool(local_hashtags(found, local)))
    return pd.Series(out, index=posts.index, dtype="boolean")


def _ratio_text(estimate: float) -> str:
    if not np.isfinite(estimate):
        return "an unknown multiple of"
    if 0.95 <= estimate < 1.05:
        return "about the same"
    return f"{estimate:.2f}×"


def is_frequency_row(result: HypothesisResult) -> bool:
    """True for the posting-frequency rows (``posting_frequency`` and its two companions)."""
    return str(result.id).split(":", 1)[0] == FREQUENCY_ID


def _frequency_sentence(result: HypothesisResult) -> str:
    platform_name = PLATFORM_NAMES.get(result.platform, result.platform)
    if result.method == "insufficient":
        return (f"{platform_name}: too few weeks of posts ({result.n}) to tell whether posting "
                f"more often adds engagement; {result.confidence}.")
    what = {FREQUENCY_ID: "total interactions in the week",
            FREQUENCY_PER_POST_ID: "interactions per post",
            FREQUENCY_REACH_ID: "reach per post"}.get(result.id, result.outcome)
    step = next((w for w in result.warnings if w.startswith("going from ")),
                "one more post a week")

    def pct(ratio: float) -> str:
        return f"{(ratio - 1) * 100:+.0f} %"

    interval = (f"95 % interval {pct(result.ci_low)} to {pct(result.ci_high)}"
                if np.isfinite(result.ci_low) else "no interval")
    weeks = result.n_group.get("with", 0) + result.n_group.get("without", 0)
    return (f"{platform_name}: {step} went with {pct(result.estimate)} {what} ({interval}; "
            f"{weeks} weeks, {result.window}; adjusted for "
            f"{', '.join(result.covariates) or 'nothing'}); {result.confidence}.")


def sentence(result: HypothesisResult) -> str:
    """Leadership wording of a strategy row, with its confidence label."""
    if is_frequency_row(result):
        return _frequency_sentence(result)
    platform_name = PLATFORM_NAMES.get(result.platform, result.platform)
    where = "" if result.platform == "all" else f" on {platform_name}"
    if result.id == HASHTAG_ID:
        subject, what, other = ("Posts with the local hashtags", "reach per follower",
                                "posts without them")
    elif result.id == HASHTAG_INTERACTIONS_ID:
        subject, what, other = ("Posts with the local hashtags",
                                "interactions per person reached", "posts without them")
    elif result.id.startswith("format:"):
        name = result.id.split(":", 1)[1]
        subject = f"{name.capitalize()} posts"
        found = [w for w in result.warnings if w.startswith("compared with ")]
        reference = found[0].removeprefix("compared with ").split(" posts")[0] if found else ""
        what, other = "interactions per person reached", f"{reference or 'reference'} posts"
    elif result.id.startswith("language:"):
        name = result.id.split(":", 1)[1]
        subject = f"Posts in {LANGUAGE_NAMES.get(name, name)}"
        what, other = "interactions per person reached", "posts in English"
    else:
        subject, what, other = result.id, "the outcome", "other posts"
    n1, n0 = result.n_group.get("with", 0), result.n_group.get("without", 0)
    if result.method == "insufficient":
        return (f"{subject}{where}: too few posts to compare ({n1} vs {n0}); "
                f"{result.confidence}.")
    # The selection-honest (partially pooled) numbers when the month's family was pooled;
    # the raw model output stays in the analyst notebook.
    pooled = np.isfinite(getattr(result, "estimate_pooled", float("nan")))
    estimate = result.estimate_pooled if pooled else result.estimate
    low, high = ((result.ci_low_pooled, result.ci_high_pooled) if pooled
                 else (result.ci_low, result.ci_high))
    interval = (f"95 % interval {low:.2f}–{high:.2f}" if np.isfinite(low) else "no interval")
    if pooled:
        interval += ", pooled across the strategy comparisons"
    if np.isfinite(estimate) and 0.95 <= estimate < 1.05:
        got = f"about the same {what} as {other}"
    else:
        got = f"{_ratio_text(estimate)} the {what} of {other}"
    return (f"{subject}{where} got {got} "
            f"({interval}; {n1} vs {n0} posts, {result.window}; adjusted for "
            f"{', '.join(result.covariates) or 'nothing (too few posts)'}); "
            f"{result.confidence}.")


@dataclass(frozen=True)
class HashtagSummary:
    """How the local hashtags were used and whether a comparison was possible.

    Attributes:
        tags: The organisation's local hashtags (org.yaml ``local_hashtags``).
        n_posts: Analysable posts in the window.
        n_with: Posts carrying at least one of them.
        comparable: True when both groups exist (the rows were run).
        statement: One line for the leadership page when no comparison is possible.
        experiment: Spec of the experiment that would settle it (None when comparable).
        command: The ``workbench experiment new`` command line for that spec.
    """

    tags: list[str]
    n_posts: int
    n_with: int
    comparable: bool
    statement: str | None = None
    experiment: dict[str, Any] | None = None
    command: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return {"tags": list(self.tags), "n_posts": self.n_posts, "n_with": self.n_with,
                "comparable": self.comparable, "statement": self.statement,
                "experiment": self.experiment, "command": self.command}


def hashtag_experiment(month: str, platforms: Sequence[str], posts_per_week: int,
                       seed: int = 0, last_post: date | None = None
                       ) -> tuple[dict[str, Any], str]:
    """Spec and command of an 8-week experiment dropping the local hashtags from half the posts.

    Starts the first Monday after ``month`` and after ``last_post`` (the last post of the
    processed history: ``workbench experiment new`` refuses a start on or before it); arms
    ``tags`` (with) and ``notags`` (without); ``posts_per_week`` is rounded down to an even
    number (at least 2) so each week is balanced.
    """
    first = (pd.Period(month, freq="M") + 1).to_timestamp().date()
    if last_post is not None and last_post >= first:
        first = last_post + timedelta(days=1)
    start = first + timedelta(days=(7 - first.weekday()) % 7)
    per_week = max(2, int(posts_per_week) // 2 * 2)
    spec = {"name": f"local-hashtags-{start:%Y%m}", "hypothesis": "local_hashtag",
            "arms": ["tags", "notags"], "platforms": list(platforms),
            "start": start.isoformat(), "weeks": EXPERIMENT_WEEKS,
            "posts_per_week": per_week, "seed": int(seed)}
    command = (f"workbench experiment new {spec['name']} --hypothesis local_hashtag "
               f"--arms tags,notags --platforms {','.join(platforms)} --start {spec['start']} "
               f"--weeks {EXPERIMENT_WEEKS} --posts-per-week {per_week}")
    return spec, command


@dataclass(frozen=True)
class StrategyResults:
    """Everything issue 15 adds to the month's results.

    Attributes:
        month: Report month.
        window: ``YYYY-MM..YYYY-MM`` of the comparisons.
        rows: Hypothesis rows (DESIGN.md fields) to add to the month's family: hashtags,
            formats, language, then the posting-frequency rows of every platform;
            ``p_adjusted`` equals ``p_value`` until the month's family is adjusted
            (`with_family`).
        hashtags: How the local hashtags were used (and the experiment when no comparison).
        languages: Posts per detected caption language in the window (``unknown`` = NA).
        frequency: One posting-frequency answer per platform (judged with the adjusted
            frequency rows once `with_family` is applied).
        top_posts: The month's posts ranked fairly.
        notes: Plain-language remarks.
    """

    month: str
    window: str
    rows: list[HypothesisResult]
    hashtags: HashtagSummary
    languages: dict[str, int]
    frequency: list[FrequencyResult]
    top_posts: TopPosts
    notes: list[str] = field(default_factory=list)

    def rows_frame(self) -> pd.DataFrame:
        """The rows with exactly the DESIGN.md fields (+ ``warnings``)."""
        from workbench.stats.hypotheses import HypothesisTable

        return HypothesisTable(self.rows).to_frame()

    def with_family(self, rows: Sequence[HypothesisResult]) -> StrategyResults:
        """These results with ``rows`` as adjusted in the month's family.

        The posting-frequency answers take their rows' adjusted p and labels, and with them
        the firm plan (`workbench.stats.frequency.judge_frequency`).

        Args:
            rows: The adjusted rows, same ids and order as ``self.rows``.
        """
        rows = list(rows)
        if [(r.id, r.platform) for r in rows] != [(r.id, r.platform) for r in self.rows]:
            raise ValueError("the adjusted rows are not this month's strategy rows")
        frequency = [judge_frequency(f, rows) for f in self.frequency]
        return replace(self, rows=rows, frequency=frequency)

    def plan_lines(self) -> list[str]:
        """Next month's plan lines: the posting-frequency answers whose evidence is firm."""
        return [line for line in (f.plan_line() for f in self.frequency) if line]

    def sentences(self) -> list[str]:
        """Leadership lines: hashtags, formats, language, frequency, fair top posts."""
        lines = []
        if self.hashtags.statement:
            lines.append(self.hashtags.statement)
        lines.extend(sentence(r) for r in self.rows if not is_frequency_row(r))
        lines.extend(f.sentence() for f in self.frequency)
        lines.extend(self.top_posts.sentences())
        return lines

    def to_json(self) -> dict[str, Any]:
        """JSON-safe dict for results.json (``hypotheses`` rows keep the DESIGN.md fields)."""
        records = []
        for row in self.rows:
            record = row.to_record()
            record["sentence"] = sentence(row)
            records.append(record)
        return {
            "month": self.month, "window": self.window, "hypotheses": records,
            "hashtags": self.hashtags.to_dict(), "languages": dict(self.languages),
            "frequency": [f.to_dict() for f in self.frequency],
            "top_posts": self.top_posts.to_dict(), "notes": list(self.notes),
            "sentences": self.sentences(), "plan": self.plan_lines(),
        }


def _with_audience(data: pd.DataFrame, daily: pd.DataFrame | None) -> pd.DataFrame:
    audience, source, _ = audience_at_publish(data, daily)
    return data.assign(audience=audience, audience_source=source)


def creative_ids(data: pd.DataFrame) -> pd.Series:
    """One id per creative: the posts of one piece of content cross-posted to several platforms.

    Posts published the same local day whose captions' first lines agree on their first
    `CREATIVE_KEY_CHARS` characters (hashtags removed, case, accents and spacing ignored) are
    one creative (TikTok's title is only the first line); a post without caption text is its
    own creative.

    Args:
        data: Prepared posts (``caption``, ``published_local``, ``platform``, ``post_id``).

    Returns:
        A string id per post, indexed like ``data``.
    """
    captions = data["caption"] if "caption" in data.columns else pd.Series(
        pd.NA, index=data.index, dtype="object")
    text = (captions.astype("string").fillna("").str.strip().str.split("\n").str[0]
            .fillna("").str.replace(r"#\w+", " ", regex=True)
            .str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
            .str.casefold().str.split().str.join(" ").fillna("")
            .str.slice(0, CREATIVE_KEY_CHARS))
    when = pd.to_datetime(data["published_local"])
    day = pd.Series(when.dt.strftime("%Y-%m-%d"), index=data.index).astype("string")
    own = "post:" + data["platform"].astype("string") + ":" + data["post_id"].astype("string")
    return (day + "|" + text).where(text.str.len() > 0, own)


def creative_shift_test(
    data: pd.DataFrame,
    flags: pd.Series,
    *,
    n_resamples: int,
    seed: int,
    confidence_level: float = 0.95,
) -> tuple[float, float, float, float, int]:
    """Stratified permutation test of a per-creative label, inverted for its interval.

    The unit is the creative (`creative_ids`; posts of one creative that disagree on the
    label are split into two units), because the label is chosen per creative and a
    cross-posted creative's posts share its content. Each creative's value is the mean over
    its posts of ℓ = log((interactions + 0.5) / exposure); its stratum is the set of
    ``platform|format group`` of its posts, so creatives are only compared with creatives
    published on the same platforms in the same format group (the primary's strata, at the
    creative level). `workbench.stats.hypotheses.stratified_shift_test` then shuffles the
    label within strata and inverts the test for the shift δ of the labelled creatives' log
    rate: estimate, interval and p come from one test, so the interval excludes 1 exactly
    when p < 1 − ``confidence_level`` (up to the resolution of the permutations).

    Args:
        data: Prepared posts with ``y``, ``exposure``, ``platform``, ``fmt_group``.
        flags: Boolean label per post (NA = left out), indexed like ``data``.
        n_resamples: Within-stratum shuffles B.
        seed: Seed of the shuffles.
        confidence_level: Interval level.

    Returns:
        ``(rate_ratio, ci_low, ci_high, p, n_creatives)``; NaN values when no stratum holds
        both labelled and unlabelled creatives.
    """
    known = flags.notna().to_numpy()
    frame = data.loc[known]
    label = flags[known].astype(bool).astype("int64")
    log_rate = np.log((frame["y"].to_numpy(dtype="float64") + 0.5)
                      / frame["exposure"].to_numpy(dtype="float64"))
    stratum = (frame["platform"].astype("string") + "|"
               + frame["fmt_group"].astype("string").fillna("none"))
    posts = pd.DataFrame({"unit": (creative_ids(frame) + "|" + label.astype("string")).to_numpy(),
                          "label": label.to_numpy(), "log_rate": log_rate,
                          "stratum": stratum.to_numpy()})
    units = posts.groupby("unit", sort=True).agg(
        label=("label", "first"), log_rate=("log_rate", "mean"),
        stratum=("stratum", lambda s: "+".join(sorted(set(s)))))
    estimate, low, high, p = stratified_shift_test(
        units["log_rate"].to_numpy(), units["label"].to_numpy(), units["stratum"].to_numpy(),
        n_resamples=int(n_resamples), seed=int(seed), confidence_level=confidence_level)
    return estimate, low, high, p, len(units)


#: Notes of `_compare` that stay true when the estimate is replaced (the rest describe the
#: NB fit's estimate, SE or power).
_KEPT_NOTE_MARKS = ("posts without this label were left out", "differ from other posts in",
                    "have a comparable other post", "is not the same on every platform")


def _by_creative(row: HypothesisResult, data: pd.DataFrame, flags: pd.Series,
                 params: Mapping[str, Any] | None, permutations: int) -> HypothesisResult:
    """The pooled secondary row with estimate, interval and p of `creative_shift_test`.

    The NB fit of ``row`` treats each post as independent, but a creative cross-posted to
    several platforms carries one hashtag choice and one content: under the null it rejected
    8.3 % at nominal 5 % (benchmarks/strategy_hashtag_null.md). The per-platform rows (one
    post per creative and platform) keep their own fits.
    """
    if row.method == "insufficient":
        return row
    seed = (int(_param(params, "seed"))
            ^ zlib.crc32(f"{row.id}|{row.platform}|creative".encode())) % 2**32
    estimate, low, high, p, n_units = creative_shift_test(
        data, flags, n_resamples=permutations, seed=seed)
    if not (np.isfinite(estimate) and np.isfinite(p)):
        return replace(row, warnings=[*row.warnings, "no platform and format holds creatives "
                                      "with and without the local hashtags: the creative-level "
                                      "test was not possible, the model's numbers are shown"])
    method = "permutation_shift"
    bounded = bool(np.isfinite(low) and np.isfinite(high))
    mde_value = power.mde_from_se(se_from_interval(low, high)) if bounded else float("inf")
    warn_ratio = float(_param(params, "mde_warn_ratio"))
    underpowered = power.is_underpowered(mde_value, warn_ratio)
    strong_at, suggestive_at = label_levels({"alpha": _param(params, "alpha"),
                                             "fdr_q": _param(params, "fdr_q")})
    notes = [f"a creative posted on several platforms carries one hashtag choice: estimate, "
             f"interval and p-value come from a permutation test that moves the label between "
             f"whole creatives ({n_units} creatives) within platform and format, which does "
             f"not rely on the model; it adjusts for platform and format only"]
    if not bounded:
        notes.append(f"too few creatives ({n_units}) for an interval: no shift of the rate "
                     f"can be ruled out")
        low = high = float("nan")
    notes += [w for w in row.warnings if any(mark in w for mark in _KEPT_NOTE_MARKS)]
    banner = power.power_banner(mde_value, row.n, warn_ratio=warn_ratio)
    if banner:
        notes.append(banner)
    return replace(
        row, estimate=estimate, ci_low=low, ci_high=high, p_value=p, p_adjusted=p,
        method=method, mde=mde_value, underpowered=underpowered,
        confidence=confidence_label(p, low, high, underpowered, method,
                                    strong_at=strong_at, suggestive_at=suggestive_at),
        covariates=["platform", "format (static/video/link-text)"], warnings=notes)


def _hashtag_rows(data, flags, *, window, params, permutations) -> list[HypothesisResult]:
    reach = data.assign(y=data["exposure"].round(), exposure=data["audience"])
    primary = _compare(reach, flags, hid=HASHTAG_ID, platform="all", window=window,
                       params=params, permutations=permutations)
    # Interactions per person reached: a cross-posted creative shares its content on every
    # platform, so the pooled row is tested creative by creative (`creative_shift_test`).
    secondary = _compare(data, flags, hid=HASHTAG_INTERACTIONS_ID, platform="all",
                         window=window, params=params, permutations=permutations)
    secondary = _by_creative(secondary, data, flags, params, permutations)
    rows = [replace(primary, outcome=REACH_OUTCOME,
                    per_platform=tuple(replace(r, outcome=REACH_OUTCOME)
                                       for r in primary.per_platform)), secondary]
    out = []
    for row in rows:
        out.append(row)
        out.extend(row.per_platform)
    return out


def format_reference(formats: pd.Series, min_posts: int) -> str | None:
    """Photo when the platform has at least ``min_posts`` photos, else its most common format."""
    counts = formats.astype("string").value_counts()
    if counts.get(REFERENCE_FORMAT, 0) >= min_posts:
        return REFERENCE_FORMAT
    return str(counts.index[0]) if len(counts) else None


def _format_rows(data, *, window, params, permutations) -> list[HypothesisResult]:
    min_group = int(_param(params, "min_posts_per_group"))
    rows = []
    for platform in sorted(set(data["platform"].dropna())):
        sub = data.loc[(data["platform"] == platform).fillna(False).to_numpy()]
        formats = sub["fmt"].astype("string")
        reference = format_reference(formats, min_group)
        if reference is None:
            continue
        for name in sorted(set(formats) - {reference, "other"}):
            pair = sub.loc[formats.isin([name, reference]).to_numpy()].reset_index(drop=True)
            # The permutation test stratifies by platform × format group; the format is the
            # comparison here, so one stratum (otherwise static vs video would never mix).
            pair = pair.assign(fmt_group="all")
            flags = (pair["fmt"] == name).astype("boolean")
            result = _compare(pair, flags, hid=f"format:{name}", platform=platform,
                              window=window, params=params, exclude=("format",),
                              permutations=permutations, interaction=False)
            rows.append(replace(result, warnings=[f"compared with {reference} posts on "
                                                  f"{PLATFORM_NAMES.get(platform, platform)}",
                                                  *result.warnings]))
    return rows


def _language_rows(data, languages, *, window, params, permutations) -> list[HypothesisResult]:
    min_group = int(_param(params, "min_posts_per_group"))
    counts = languages.value_counts()
    if counts.get("en", 0) < min_group:
        return []
    rows = []
    for name in ("fr", "bilingual"):
        if counts.get(name, 0) == 0:
            continue
        keep = languages.isin(["en", name]).fillna(False).to_numpy()
        pair = data.loc[keep].reset_index(drop=True)
        flags = (languages[keep].reset_index(drop=True) == name).astype("boolean")
        result = _compare(pair, flags, hid=f"language:{name}", platform="all", window=window,
                          params=params, permutations=permutations)
        rows.append(result)
        rows.extend(result.per_platform)
    return rows


def _last_post(posts: pd.DataFrame, tz: str | None) -> date | None:
    """Local date of the last post of the whole history (None without posts)."""
    last = pd.to_datetime(posts["published_at_utc"], utc=True).max()
    if pd.isna(last):
        return None
    return (last.tz_convert(tz) if tz else last).date()


def _local_hashtags(data: pd.DataFrame, params: Mapping[str, Any] | None, month: str,
                    window_label: str, permutations: int, last_post: date | None = None
                    ) -> tuple[list[HypothesisResult], HashtagSummary]:
    """The local-hashtag rows (when both groups exist) and how the hashtags were used."""
    tags = [str(t) for t in ((params or {}).get("local_hashtags") or [])]
    flags = local_hashtag_flags(data, tags)
    n_with = int(flags.sum())
    n = len(data)
    platforms = sorted(set(data["platform"].dropna()))
    comparable = bool(tags) and 0 < n_with < n
    statement = experiment = command = None
    if not tags:
        statement = ("no local hashtags are listed in the organisation profile: nothing to "
                     "compare")
    elif not comparable and n:
        weekly = data.groupby(["platform", "iso_week"]).size().groupby("platform").median()
        per_week = int(max(2, math.floor(float(weekly.min())))) if len(weekly) else 2
        experiment, command = hashtag_experiment(month, platforms, per_week,
                                                 seed=int(_param(params, "seed")) % 10_000,
                                                 last_post=last_post)
        statement = (f"all {n} posts used the local hashtags: no comparison is possible; "
                     f"an experiment that drops them from a random half for "
                     f"{EXPERIMENT_WEEKS} weeks would settle it"
                     if n_with == n else
                     f"none of the {n} posts used the local hashtags: no comparison is "
                     f"possible; an experiment that adds them to a random half for "
                     f"{EXPERIMENT_WEEKS} weeks would settle it")
    rows = (_hashtag_rows(data, flags, window=window_label, params=params,
                          permutations=permutations) if comparable else [])
    summary = HashtagSummary(tags=tags, n_posts=n, n_with=n_with, comparable=comparable,
                             statement=statement, experiment=experiment, command=command)
    return rows, summary


def _window_data(posts, labels, daily, params, month):
    """The month's rolling window of posts, prepared, and its rows with the audience joined."""
    window = rolling_window(month, int(_param(params, "window_months")))
    prepared = prepare_posts(posts, labels, window=window,
                             min_age_days=float(_param(params, "min_post_age_days")),
                             tz=(params or {}).get("timezone"))
    return prepared, _with_audience(prepared.data, daily)


def hashtag_comparison(
    posts: pd.DataFrame,
    labels: pd.DataFrame | None,
    daily: pd.DataFrame | None,
    params: Mapping[str, Any] | None,
    month: str,
    *,
    permutations: int | None = None,
) -> tuple[list[HypothesisResult], HashtagSummary]:
    """Only the local-hashtag part of `strategy_comparisons` (same window and settings).

    Returns:
        The hashtag rows (empty when every post or none carries a local hashtag) and the
        `HashtagSummary`.
    """
    prepared, data = _window_data(posts, labels, daily, params, month)
    return _local_hashtags(data, params, str(month), prepared.window_label,
                           _permutations(params, permutations),
                           _last_post(posts, (params or {}).get("timezone")))


def strategy_comparisons(
    posts: pd.DataFrame,
    labels: pd.DataFrame | None,
    daily: pd.DataFrame | None,
    params: Mapping[str, Any] | None,
    month: str,
    *,
    permutations: int | None = None,
    top_n: int = 5,
) -> StrategyResults:
    """Run the strategy comparisons of issue 15 for ``month``.

    Args:
        posts: Canonical ``posts`` table (``caption`` and ``hashtags`` used for the local
            hashtags and the language).
        labels: Canonical ``labels`` table (topic for the confounding checks), or None.
        daily: Canonical ``daily`` table (followers at publish date), or None.
        params: Organisation profile and monthly settings merged (``local_hashtags``,
            ``window_months``, ``min_post_age_days``, ``min_posts_per_group``, ``seed``,
            optional ``posting_frequency_knot``).
        month: Report month ``YYYY-MM``.
        permutations: Resamples of the permutation test (default params or 9,999).
        top_n: Length of the overall fair top-posts list.

    Returns:
        StrategyResults; ``to_json()`` gives the results.json section.
    """
    tz = (params or {}).get("timezone")
    prepared, data = _window_data(posts, labels, daily, params, month)
    window_label = prepared.window_label
    perms = _permutations(params, permutations)
    notes = list(prepared.notes)
    rows: list[HypothesisResult] = []

    # 1. Local hashtags.
    hashtag_rows, hashtags = _local_hashtags(data, params, str(month), window_label,
                                             perms, _last_post(posts, tz))
    rows.extend(hashtag_rows)

    # 2. Formats, per platform.
    rows.extend(_format_rows(data, window=window_label, params=params, permutations=perms))

    # 4. Language.
    languages = caption_languages(data["caption"] if "caption" in data.columns
                                  else pd.Series(pd.NA, index=data.index))
    language_counts = {str(k): int(v) for k, v in
                       languages.fillna("unknown").value_counts().sort_index().items()}
    if len({k for k in language_counts if k != "unknown"}) > 1:
        rows.extend(_language_rows(data, languages, window=window_label, params=params,
                                   permutations=perms))
    else:
        only = next((k for k in language_counts if k != "unknown"), None)
        if only:
            notes.append(f"every post with a recognisable language was in "
                         f"{LANGUAGE_NAMES.get(only, only)}: no language comparison")

    # 3. Posting frequency over the whole history up to the month.
    history = prepare_posts(posts, labels, window=(_first_month(posts, tz, month), month),
                            min_age_days=float(_param(params, "min_post_age_days")), tz=tz)
    history_data = _with_audience(history.data, daily)
    counts = weekly_post_counts(posts, tz or _zone_of(history_data))
    frequency = [posting_frequency(history_data, p, knot=frequency_knot(params, p),
                                   window=history.window_label, week_posts=counts.get(p),
                                   params=params)
                 for p in sorted(set(history_data["platform"].dropna()))]
    for answer in frequency:  # into the month's family with the other strategy rows
        rows.extend(frequency_rows(answer, params))

    # 5. Fair top posts.
    top = fair_top_posts(data, month, n=top_n)

    return StrategyResults(month=str(month), window=window_label, rows=rows,
                           hashtags=hashtags, languages=language_counts,
                           frequency=frequency, top_posts=top, notes=notes)


def _zone_of(data: pd.DataFrame) -> str | None:
    local = data["published_local"] if "published_local" in data.columns else None
    if local is None or not isinstance(local.dtype, pd.DatetimeTZDtype):
        return None
    return str(local.dt.tz)


def _first_month(posts: pd.DataFrame, tz: str | None, month: str) -> str:
    utc = pd.to_datetime(posts["published_at_utc"], utc=True)
    first = utc.min()
    if pd.isna(first):
        return month
    local = first.tz_convert(tz) if tz else first
    value = local.strftime("%Y-%m")
    return min(value, month)


__all__ = ["HashtagSummary", "StrategyResults", "creative_ids", "creative_shift_test",
           "hashtag_comparison", "hashtag_experiment", "local_hashtag_flags", "sentence",
           "strategy_comparisons"]
