"""Confidence labels and plain-language findings for leadership (defined once, here).

A label summarises the adjusted p-value, the interval and the power of a comparison:

* **strong** — NB model result, BH/Holm-adjusted p below the strong level (``alpha``, and never
  above ``fdr_q``), the 95 % interval excludes 1 and the comparison was not underpowered;
* **suggestive** — adjusted p below ``fdr_q`` (passes the monthly false-discovery control) but
  not strong (an underpowered comparison, a small-sample permutation result, or a p between
  the two levels);
* **inconclusive** — everything else, including "too few posts to test".

The two levels come from the run's settings through :func:`label_levels` (defaults 0.05 and
0.10): ``alpha: 0.001`` and ``fdr_q: 0.001`` in monthly.yaml make fewer labels firm.

Findings never claim causation: posts are not randomised, so a difference is an association.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

STRONG_AT = 0.05
SUGGESTIVE_AT = 0.10


def label_levels(params: Mapping[str, Any] | None) -> tuple[float, float]:
    """``(strong_at, suggestive_at)`` from the run's ``alpha`` and ``fdr_q``.

    Suggestive = passes BH at ``fdr_q``; strong additionally needs p below ``alpha`` (capped at
    ``fdr_q``, so a strong finding always passes the false-discovery control).
    """
    params = params or {}
    alpha = params.get("alpha")
    fdr_q = params.get("fdr_q")
    suggestive = SUGGESTIVE_AT if fdr_q is None else float(fdr_q)
    strong = STRONG_AT if alpha is None else float(alpha)
    return min(strong, suggestive), suggestive
CONFIDENCE_LEVELS = ("strong", "suggestive", "inconclusive")

def confidence_footer(params: Mapping[str, Any] | None = None) -> str:
    """How to read the labels, with the run's levels (``alpha``, ``fdr_q``) in the words.

    The labels say what the test shows (how rarely chance alone would give a difference this
    large), never a probability that the finding is true.
    """
    strong_at, suggestive_at = label_levels(params)
    return (
        "How to read the confidence labels. Each finding compares the interactions per person "
        "reached (per impression on LinkedIn, per view on TikTok) of one kind of post with all "
        "other posts of the last months; each says what it was adjusted for. "
        f"'Strong': if there were no difference, a difference this large would turn up by "
        f"chance less than {100 * strong_at:g} % of the time, after allowing for the number of "
        "comparisons in this report; the range of likely values does not include 'no "
        "difference', and there were enough posts to see an effect of this size. "
        f"'Suggestive': the same test passes at {100 * suggestive_at:g} % but not the strong "
        "bar (few posts, a wide range, or a permutation test on few posts); worth trying "
        "deliberately, not yet worth a rule. "
        "'Inconclusive': the test cannot tell a difference from chance, often because there "
        "are too few posts; it does not mean there is no difference. The number shown is "
        "corrected for having picked the most striking of many comparisons, and the range in "
        "brackets is where the true ratio plausibly lies. These are associations in posts we "
        "chose to make, not proof that one kind of post causes more interactions: topic, "
        "timing and format travel together."
    )

#: How each hypothesis id is named in a sentence.
SUBJECTS: dict[str, str] = {
    "human_centred": "Posts telling a person's story",
    "brand_colours": "Posts in our brand colours",
}

PLATFORM_NAMES = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "tiktok": "TikTok",
}

_PER_EXPOSURE = {
    "facebook": "per person reached",
    "instagram": "per person reached",
    "linkedin": "per impression",
    "tiktok": "per view",
    "all": "per person reached (or view)",
}


def adjusted_for(result: Any) -> str:
    """What a finding was actually adjusted for, in words.

    "adjusted for platform and month", or "not adjusted for anything else" when the fit had no
    covariates (LinkedIn and TikTok rows with few posts).
    """
    names = [str(c) for c in (_get(result, "covariates") or [])]
    if not names:
        return "not adjusted for anything else"
    if len(names) == 1:
        return f"adjusted for {names[0]}"
    return f"adjusted for {', '.join(names[:-1])} and {names[-1]}"


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def confidence_label(
    p_adjusted: float | None,
    ci_low: float | None,
    ci_high: float | None,
    underpowered: bool,
    method: str,
    *,
    strong_at: float = STRONG_AT,
    suggestive_at: float = SUGGESTIVE_AT,
) -> str:
    """Return ``"strong"``, ``"suggestive"`` or ``"inconclusive"`` (see module docstring).

    Args:
        p_adjusted: BH (or Holm) adjusted p-value; None/NaN when no test was run.
        ci_low: Lower end of the 95 % interval of the rate ratio.
        ci_high: Upper end.
        underpowered: True when MDE₈₀ exceeds the warning ratio.
        method: ``negbin``, ``permutation`` or ``insufficient``.
        strong_at: Adjusted-p level of "strong" (:func:`label_levels`: the run's ``alpha``).
        suggestive_at: Adjusted-p level of "suggestive" (the run's ``fdr_q``).
    """
    if method == "insufficient" or _is_missing(p_adjusted):
        return "inconclusive"
    excludes_one = (
        not _is_missing(ci_low) and not _is_missing(ci_high) and (ci_low > 1 or ci_high < 1)
    )
    valid_everywhere = method in ("negbin", "permutation_shift")  # not the few-posts fallback
    if valid_everywhere and p_adjusted < strong_at and excludes_one and not underpowered:
        return "strong"
    if p_adjusted < suggestive_at:
        return "suggestive"
    return "inconclusive"


#: The footer at the default levels (0.05 / 0.10); :func:`confidence_footer` for the run's.
CONFIDENCE_FOOTER = confidence_footer()


def _get(result: Any, name: str, default: Any = None) -> Any:
    if isinstance(result, Mapping):
        return result.get(name, default)
    return getattr(result, name, default)


def subject_of(hypothesis_id: str) -> str:
    """The sentence subject for a hypothesis id (``topic:housing`` → "Posts about housing")."""
    if hypothesis_id in SUBJECTS:
        return SUBJECTS[hypothesis_id]
    if hypothesis_id.startswith("topic:"):
        return "Posts about " + hypothesis_id.split(":", 1)[1].replace("_", " ")
    return "Posts marked " + hypothesis_id.replace("_", " ")


def _ratio_words(estimate: float) -> str:
    if 0.95 <= estimate < 1.05:
        return "about the same interactions"
    if estimate >= 1:
        return f"about {estimate:.1f}× the interactions"
    return f"about {estimate:.1f}× the interactions ({(1 - estimate) * 100:.0f} % fewer)"


def plain_finding(result: Any) -> str:
    """One sentence for leadership; an association, never a cause.

    Args:
        result: A HypothesisResult or one of ``HypothesisTable.to_records()`` dicts.

    Returns:
        e.g. "Posts telling a person's story got about 1.3× the interactions per person
        reached of other posts (95 % interval 1.1–1.6; 38 vs 51 posts, 2024-01..2024-06);
        suggestive."
    """
    subject = subject_of(str(_get(result, "id", "")))
    platform = str(_get(result, "platform", "all") or "all")
    where = "" if platform == "all" else f" on {PLATFORM_NAMES.get(platform, platform)}"
    per = _PER_EXPOSURE.get(platform, "per person reached")
    groups = _get(result, "n_group") or {}
    n_with, n_without = groups.get("with", 0), groups.get("without", 0)
    window = _get(result, "window", "")
    method = _get(result, "method", "insufficient")
    confidence = _get(result, "confidence", "inconclusive")
    estimate = _get(result, "estimate")
    if method == "insufficient" or _is_missing(estimate):
        return (
            f"{subject}{where}: too few posts to compare ({n_with} vs {n_without} posts, "
            f"{window}); inconclusive."
        )
    low, high = _get(result, "ci_low"), _get(result, "ci_high")
    pooled = _get(result, "estimate_pooled")
    if not _is_missing(pooled):  # the selection-honest number (issue 11 §3), one per question
        estimate = pooled
        low, high = _get(result, "ci_low_pooled"), _get(result, "ci_high_pooled")
    interval = (
        "" if _is_missing(low) or _is_missing(high) else f"95 % interval {low:.1f}–{high:.1f}; "
    )
    approx = " (approximate, few posts)" if method == "permutation" else ""
    text = (
        f"{subject}{where} got {_ratio_words(float(estimate))} {per} of other posts{approx} "
        f"({interval}{n_with} vs {n_without} posts, {window}; {adjusted_for(result)}); "
        f"{confidence}"
    )
    if _get(result, "underpowered"):
        text += ", too few posts to detect modest differences"
    story = _get(result, "estimate_story_adjusted")
    if not _is_missing(story) and str(_get(result, "id", "")).startswith("topic:"):
        s_low, s_high = _get(result, "ci_story_low"), _get(result, "ci_story_high")
        text += (f". Also adjusting for posts telling a person's story: about {story:.1f}× "
                 f"(95 % interval {s_low:.1f}–{s_high:.1f})")
    return text + "."
