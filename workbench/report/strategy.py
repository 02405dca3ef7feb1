"""The strategy's other questions on the leadership page (issue 15): lines and top posts.

Nothing here computes: the rows, their family-adjusted confidence, the posting-frequency
answers and the fair top-post scores come from ``MonthResults.strategy``
(:func:`workbench.stats.strategy.strategy_comparisons`, adjusted once with the month's
family by :func:`workbench.analysis.month.compute_month`). Data strings are escaped.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.report.display import Html, esc, excerpt, fmt_number, top_posts_html
from workbench.wording import platform_label


def strategy_lines(strategy: Any) -> list[str]:
    """Plain lines for the leadership page, each comparison with its confidence.

    The local hashtags, the pooled and per-format comparisons, posting frequency per
    platform, and the analysis notes.
    """
    if strategy is None:
        return []
    from workbench.stats.strategy import sentence

    lines = []
    if strategy.hashtags.statement:
        # the module's line ("all 214 posts used the local hashtags: …") as a sentence on
        # the page, then the command that sets the experiment up
        command = strategy.hashtags.command
        statement = strategy.hashtags.statement
        lines.append(statement[:1].upper() + statement[1:]
                     + (f" (set it up with: {command})." if command else "."))
    for row in strategy.rows:
        # pooled rows and the per-platform format rows; per-platform splits of a pooled
        # question stay in the analyst's notebook
        if row.platform == "all" or row.id.startswith("format:"):
            lines.append(sentence(row))
    lines.extend(f.sentence() for f in strategy.frequency)
    lines.extend(strategy.notes)
    return lines


def fair_top_posts_html(strategy: Any, fallback: pd.DataFrame) -> Html:
    """One card per platform: its best post of the month by the fair score.

    "3.1× its usual", with the raw interactions, exposure and expected count beside it.

    Args:
        strategy: ``MonthResults.strategy`` (None: the raw ranking ``fallback`` is shown).
        fallback: ``MonthResults.top_posts`` (ranked by raw interactions).
    """
    best = None if strategy is None else strategy.top_posts.best_by_platform
    if best is None or best.empty:
        return top_posts_html(fallback)
    cards = []
    for row in best.sort_values("times_usual", ascending=False).to_dict("records"):
        when = pd.Timestamp(row["published_local"]).strftime("%d %b %Y")
        link = ""
        permalink = row.get("permalink")
        if isinstance(permalink, str) and permalink.startswith("https://"):
            link = f" · <a href='{esc(permalink)}'>open post</a>"
        kind = row.get("exposure_kind") if isinstance(row.get("exposure_kind"), str) else "reach"
        caption = row.get("caption") if isinstance(row.get("caption"), str) else None
        cards.append(
            "<div class='post'>"
            f"<div class='meta'>{esc(platform_label(row['platform']))} · {esc(row['format'])} · "
            f"{esc(when)}{link}</div>"
            f"<div class='caption'><strong>{row['times_usual']:.1f}× its usual</strong>"
            f"{' · ' + esc(excerpt(caption)) if caption else ''}</div>"
            f"<div class='numbers'>{fmt_number(row['interactions'])} interactions · "
            f"{fmt_number(row['exposure'])} {esc(kind)} · about "
            f"{fmt_number(round(row['expected']))} expected for its platform, format and "
            "month</div></div>")
    note = ("<p class='footnote'>The best post of each platform, ranked against what its own "
            "platform and format usually get (interactions per person reached), so a small "
            "channel's strong post is not crowded out by a large channel's ordinary one.</p>")
    return Html(note + "<div class='posts'>" + "".join(cards) + "</div>")
