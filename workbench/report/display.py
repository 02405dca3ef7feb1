"""HTML pieces the notebooks show and the leadership report keeps.

Every string that comes from the data (captions, campaign names, account names) passes through
:func:`html.escape` here, so a caption holding ``<script>`` is shown as text, never run.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from workbench.platforms import PLATFORM_LABELS
from workbench.wording import (
    CONFIDENCE_BADGES,
    KIND_NOTES,
    KPI_LABELS,
    excerpt,
    fmt_number,
    kpi_label,
    money_unit,
    platform_label,
)

__all__ = [
    "CONFIDENCE_BADGES", "KIND_NOTES", "KPI_LABELS", "PLATFORM_LABELS", "Html", "banner_html",
    "bullet_list_html", "esc", "excerpt", "findings_html", "fmt_change", "fmt_number",
    "heading_html", "kpi_change_html", "kpi_label", "kpi_row_notes_html", "kpi_table_html",
    "money_unit", "platform_label", "table_html", "top_posts_html",
]


class Html:
    """A fragment of HTML that Jupyter renders (and nbconvert keeps) as HTML."""

    def __init__(self, markup: str) -> None:
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup


def esc(value: object) -> str:
    """Escape any value from the data for HTML (NA → empty)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def fmt_change(
    change: float | None, ci_low: float | None = None, ci_high: float | None = None
) -> str:
    """``+12%`` with its interval when there is one."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return "–"
    text = f"{change:+.0f}%"
    if (
        ci_low is not None
        and ci_high is not None
        and not (isinstance(ci_low, float) and (math.isnan(ci_low) or math.isnan(ci_high)))
    ):
        text += f" <span class='ci'>({ci_low:+.0f}% to {ci_high:+.0f}%)</span>"
    return text


def kpi_table_html(
    kpis: pd.DataFrame,
    *,
    platforms: Iterable[str] | None = None,
    params: Mapping[str, Any] | None = None,
) -> Html:
    """The KPI table for leadership: value, previous month, change with its interval.

    ``params`` (the organisation's) name its service KPIs and give its currency.
    """
    rows = kpis if platforms is None else kpis[kpis["platform"].isin(list(platforms))]
    body = []
    current_platform = None
    for row in rows.itertuples(index=False):
        if row.platform != current_platform:  # one heading row per platform, easier to scan
            current_platform = row.platform
            body.append(f"<tr class='group'><th colspan='4'>"
                        f"{esc(platform_label(row.platform, params))}</th></tr>")
        kind_note = KIND_NOTES.get(row.kind, "")
        label = esc(kpi_label(row.kpi, params, row.platform))
        unit = money_unit(row.kpi, params)
        if kind_note:
            label += f" <span class='kind'>({esc(kind_note)})</span>"
        label += kpi_row_notes_html(row)
        body.append(
            "<tr>"
            f"<td>{label}</td>"
            f"<td class='num'>{fmt_number(row.value, row.kpi, unit)}</td>"
            f"<td class='num'>{fmt_number(row.previous, row.kpi, unit)}</td>"
            f"<td class='num'>{kpi_change_html(row)}</td>"
            "</tr>"
        )
    markup = (
        "<table class='kpi'><thead><tr><th>KPI</th><th>This month</th>"
        "<th>Last month</th><th>Change</th></tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
        "<p class='footnote'>Change intervals (in brackets) are 95% intervals from a permutation "
        "test over the two months' posts: when one excludes 0%, the change is unlikely to be "
        "chance. “Sum of daily” figures add up daily values and can count the same "
        "person more than once.</p>"
        f"<p class='footnote'>{esc(AGE_BASIS_FOOTNOTE)} {esc(NOISE_BAND_FOOTNOTE)}</p>"
    )
    return Html(markup)


# --------------------------------------------------------------------------- issue 11: basis, bands
#: How to read the KPI rows' basis and band words (the README says the same).
AGE_BASIS_FOOTNOTE = (
    "Post figures are compared at the same age: each post's interactions in its first days "
    "(the row says how many), read from every download of the post; posts too young are "
    "projected or left out, and the row's note says so.")
NOISE_BAND_FOOTNOTE = (
    "Page-level changes are judged against the organisation's own month-to-month swings over "
    "up to 24 months: “unusual” lies outside them; “too little history” means fewer than "
    "three earlier changes to judge by.")


def _text(value: object) -> str:
    """A text cell of a KPI row, '' when missing."""
    return value if isinstance(value, str) else ""


def kpi_row_notes_html(row: Any) -> str:
    """The row's basis (post metrics: "interactions in the first 7 days") and note, escaped."""
    parts = []
    basis = _text(getattr(row, "basis", None))
    if basis:
        parts.append(f"<br><span class='kind basis'>{esc(basis)}</span>")
    note = _text(getattr(row, "note", None))
    if note:
        parts.append(f"<br><span class='kind note'>{esc(note)}</span>")
    return "".join(parts)


def kpi_change_html(row: Any) -> str:
    """The change: with its interval (post metrics) or, page-level, judged against its band.

    A page-level figure (one with ``band_status``) says in words whether the change is within
    the organisation's usual month-to-month range, the bare percentage in brackets.
    """
    status = _text(getattr(row, "band_status", None))
    change = fmt_change(row.change_pct, row.ci_low, row.ci_high)
    if not status or change == "–":
        return change
    low, high = getattr(row, "band_low", None), getattr(row, "band_high", None)
    usual = ""
    if status != "too little history" and isinstance(low, (int, float)) and \
            isinstance(high, (int, float)) and not (math.isnan(low) or math.isnan(high)):
        if max(abs(low), abs(high)) < 0.5:  # a KPI that did not move in two years
            usual = "; usually unchanged"
        else:
            # a change on the band's edge is shown with the decimal that puts it in or out
            digits = 1 if isinstance(row.change_pct, (int, float)) and any(
                round(row.change_pct) == round(edge) for edge in (low, high)) else 0
            if digits:  # the same text with one decimal on the change (an interval kept)
                change = f"{row.change_pct:+.1f}%" + change[len(f"{row.change_pct:+.0f}%"):]
            usual = f"; usual {low:+.{digits}f}% to {high:+.{digits}f}%"
    return (f"<span class='band'>{esc(status)}</span>"
            f" <span class='ci'>({change}{usual})</span>")


def top_posts_html(posts: pd.DataFrame) -> Html:
    """Cards for the top posts: platform, date, caption excerpt (escaped), reach, interactions."""
    if posts.empty:
        return Html("<p>No posts were published this month.</p>")
    cards = []
    for row in posts.itertuples(index=False):
        date = row.published_at.strftime("%d %b %Y") if pd.notna(row.published_at) else ""
        exposure_kind = row.exposure_kind if isinstance(row.exposure_kind, str) else "reach"
        link = ""
        if isinstance(row.permalink, str) and row.permalink.startswith("https://"):
            link = f" · <a href='{esc(row.permalink)}'>open post</a>"
        cards.append(
            "<div class='post'>"
            f"<div class='meta'>{esc(PLATFORM_LABELS.get(row.platform, row.platform))} · "
            f"{esc(date)}{link}</div>"
            f"<div class='caption'>{esc(excerpt(row.caption))}</div>"
            f"<div class='numbers'>{fmt_number(row.exposure)} {esc(exposure_kind)} · "
            f"{fmt_number(row.interactions)} interactions</div>"
            "</div>"
        )
    return Html("<div class='posts'>" + "".join(cards) + "</div>")


def findings_html(findings: list[dict]) -> Html:
    """Plain-language findings, each with its confidence badge."""
    if not findings:
        return Html("<p>No findings this month.</p>")
    items = []
    for finding in findings:
        confidence = finding.get("confidence") or ""
        badge = ""
        if confidence:
            badge = (
                f"<span class='badge {esc(confidence)}'>"
                f"{esc(CONFIDENCE_BADGES.get(confidence, confidence))}</span> "
            )
        items.append(f"<li>{badge}{esc(finding['text'])}</li>")
    return Html("<ol class='findings'>" + "".join(items) + "</ol>")


def banner_html(text: str, level: str = "warning") -> Html:
    """A highlighted notice (e.g. the underpowered banner)."""
    return Html(f"<div class='banner {esc(level)}'>{esc(text)}</div>")


def bullet_list_html(lines: Iterable[str]) -> Html:
    """An escaped bullet list."""
    items = "".join(f"<li>{esc(line)}</li>" for line in lines)
    return Html(f"<ul>{items}</ul>" if items else "<p>None.</p>")


def heading_html(text: str, level: int = 2) -> Html:
    """An escaped heading."""
    return Html(f"<h{level}>{esc(text)}</h{level}>")


def table_html(frame: pd.DataFrame, *, float_format: str = "{:,.2f}") -> Html:
    """Any frame as an escaped HTML table (pandas escapes cell text)."""
    shown = frame.copy()
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].map(
                lambda v: "" if pd.isna(v) else float_format.format(v)
            )
    return Html(shown.to_html(index=False, escape=True, classes="data", na_rep=""))
