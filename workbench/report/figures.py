"""Figures for the notebooks and the leadership report (matplotlib).

Each function takes plain frames and returns a matplotlib Figure; nothing here reads files.
Colours come from the organisation's brand colours in ``org.yaml``.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from workbench import wording as W
from workbench.platforms import PLATFORM_LABELS
from workbench.wording import kpi_label

DEFAULT_BLUE = "#1F4E9A"
DEFAULT_YELLOW = "#F6C83E"
GREY = "#8A8F98"


def brand_palette(params: dict) -> tuple[str, str]:
    """(primary, accent) colours from ``brand_colours`` (first two), else defaults."""
    colours = list((params.get("brand_colours") or {}).values())
    primary = colours[0] if colours else DEFAULT_BLUE
    accent = colours[1] if len(colours) > 1 else DEFAULT_YELLOW
    return primary, accent


def kpi_trends(
    history: pd.DataFrame, kpis: list[tuple[str, str]], params: dict, month: str
) -> plt.Figure:
    """Small multiples of KPI values over the window, the report month highlighted.

    Args:
        history: ``workbench.kpis.kpi_history`` output (platform, kpi, month, value, kind).
        kpis: ``(platform, kpi)`` pairs to draw, in order; missing ones are skipped.
        params: Parameters (brand colours).
        month: The report month, drawn in the accent colour.
    """
    primary, accent = brand_palette(params)
    present = [
        (p, k)
        for p, k in kpis
        if not history[(history.platform == p) & (history.kpi == k)]["value"].isna().all()
    ]
    present = [
        pk for pk in present if len(history[(history.platform == pk[0]) & (history.kpi == pk[1])])
    ]
    n = max(len(present), 1)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.5 * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    for ax, (platform, kpi) in zip(axes.flat, present, strict=False):
        series = history[(history.platform == platform) & (history.kpi == kpi)]
        x = np.arange(len(series))
        colours = [accent if m == month else primary for m in series["month"]]
        ax.bar(x, series["value"].fillna(0), color=colours)
        ax.set_xticks(x, [m[2:] for m in series["month"]], rotation=45, fontsize=7)
        kind = series["kind"].iloc[0] if len(series) else ""
        suffix = " (sum of daily)" if kind == "sum_of_daily" else ""
        ax.set_title(
            f"{PLATFORM_LABELS.get(platform, platform)}: {kpi_label(kpi)}{suffix}",
            fontsize=8,
        )
        ax.tick_params(axis="y", labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
    if not present:
        axes.flat[0].text(0.5, 0.5, "No KPI history yet", ha="center", va="center")
        axes.flat[0].set_axis_off()
    fig.tight_layout()
    return fig


CONFIDENCE_COLOURS = {"strong": "#1B7F3B", "suggestive": "#C98A00", "inconclusive": GREY}


#: Candidate ticks of the rate-ratio axis: plain numbers a reader can place.
RATIO_TICKS = (0.1, 0.25, 0.5, 1, 2, 4, 10)


def ratio_ticks(low: float, high: float) -> list[float]:
    """The readable ticks covering ``[low, high]`` (always 0.5, 1 and 2)."""
    ticks = [t for t in RATIO_TICKS if low / 1.2 <= t <= high * 1.2]
    return sorted({*ticks, 0.5, 1, 2})


def forest_plot(hypotheses: pd.DataFrame, params: dict) -> plt.Figure:
    """Rate ratios with intervals on a log axis, coloured by confidence, in the org's words.

    Each row reads like "Employment posts · all platforms · 31 vs 189"; the axis shows plain
    ratios (0.5×, 1×, 2×) and no minor tick labels.

    Args:
        hypotheses: Rows with id, platform, estimate, ci_low, ci_high, confidence, n_group.
        params: Parameters (unused colours kept for a consistent signature).
    """
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

    shown = hypotheses[hypotheses["estimate"].notna()].reset_index(drop=True)
    height = max(1.6, 0.38 * len(shown) + 0.8)
    fig, ax = plt.subplots(figsize=(7.2, height))
    if shown.empty:
        ax.text(0.5, 0.5, "Not enough posts for any test yet", ha="center", va="center")
        ax.set_axis_off()
        return fig
    y = np.arange(len(shown))[::-1]
    lows, highs = [], []
    for yi, row in zip(y, shown.itertuples(index=False), strict=True):
        colour = CONFIDENCE_COLOURS.get(row.confidence, GREY)
        low = row.ci_low if pd.notna(row.ci_low) else row.estimate
        high = row.ci_high if pd.notna(row.ci_high) else row.estimate
        lows.append(low)
        highs.append(high)
        ax.plot([low, high], [yi, yi], color=colour, linewidth=2)
        ax.plot(row.estimate, yi, "o", color=colour)
    labels = [W.comparison_label(r.id, r.platform, r.n_group)
              for r in shown.itertuples(index=False)]
    ax.set_yticks(y, labels, fontsize=8)
    ax.axvline(1.0, color="black", linewidth=0.8, linestyle="--")
    ax.set_xscale("log")
    ticks = ratio_ticks(min(lows), max(highs))
    ax.set_xlim(min(min(lows), ticks[0]) / 1.1, max(max(highs), ticks[-1]) * 1.1)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.set_xticks(ticks, [f"{t:g}×" for t in ticks])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("Interactions per person reached, relative to the other posts")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def heatmap(rates: pd.DataFrame, counts: pd.DataFrame | None, params: dict) -> plt.Figure:
    """Weekday × daypart heat map of shrunken relative rates, n per cell annotated.

    Colours diverge around 1 (as often as usual), symmetric so equal ratios above and below
    look equally strong; cells without posts stay blank. Plain matplotlib: importing seaborn
    for this one figure cost the posting-time notebook more than a second per report.
    """
    from matplotlib.colors import Normalize

    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    if rates is None or rates.empty:
        ax.text(0.5, 0.5, "No posts in the window", ha="center", va="center")
        ax.set_axis_off()
        return fig
    values = rates.astype(float).to_numpy()
    spread = np.nanmax(np.abs(values - 1.0)) if np.isfinite(values).any() else 0.0
    spread = spread if spread > 0 else 0.1
    norm = Normalize(vmin=1.0 - spread, vmax=1.0 + spread)
    cmap = plt.get_cmap("RdBu_r")
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, norm=norm, aspect="auto")
    fig.colorbar(image, ax=ax, label="relative rate")
    if counts is not None:
        counts = counts.reindex(index=rates.index, columns=rates.columns).to_numpy()
        for (i, j), value in np.ndenumerate(values):
            if not np.isfinite(value):
                continue
            n = counts[i, j]
            red, green, blue, _ = cmap(norm(value))
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
            ax.text(j, i, f"{value:.2f}\nn={int(n) if pd.notna(n) else 0}", ha="center",
                    va="center", fontsize=7, color="white" if dark else "black")
    ax.set_xticks(range(values.shape[1]), [str(c) for c in rates.columns])
    ax.set_yticks(range(values.shape[0]), [str(i) for i in rates.index])
    ax.tick_params(length=0)
    ax.spines[:].set_visible(False)
    ax.set_xlabel("")
    ax.set_ylabel("")
    fig.tight_layout()
    return fig


def hour_curve(curve: pd.DataFrame, params: dict) -> plt.Figure:
    """The fitted hour-of-day curve (relative rate with band), only where posts support it.

    Hours without enough posts nearby (``supported`` false) are left blank: the model's
    extrapolation there (10× at 3 a.m.) says nothing about posting at that hour.
    """
    primary, _ = brand_palette(params)
    fig, ax = plt.subplots(figsize=(6.4, 2.6))
    if curve is None or curve.empty:
        ax.set_axis_off()
        return fig
    rate_col = next(
        (c for c in ("relative_rate", "rate_ratio", "rate") if c in curve.columns), curve.columns[1]
    )
    supported = curve["supported"].astype(bool) if "supported" in curve else True
    shown = curve.assign(**{c: curve[c].where(supported) for c in curve.columns
                            if c not in ("hour", "supported", "n_posts")})
    if shown[rate_col].isna().all():
        ax.text(0.5, 0.5, "Too few posts at any hour to draw the curve", ha="center",
                va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    ax.plot(shown["hour"], shown[rate_col], color=primary)
    low = next((c for c in shown.columns if c.endswith("low")), None)
    high = next((c for c in shown.columns if c.endswith("high")), None)
    if low and high:
        ax.fill_between(shown["hour"], shown[low], shown[high], color=primary, alpha=0.2)
    ax.axhline(1.0, color="black", linewidth=0.8, linestyle="--")
    ax.set_xlabel("Hour posted (local time); blank where too few posts")
    ax.set_ylabel("Relative rate")
    ax.set_xlim(-0.5, 23.5)
    ax.set_xticks(range(0, 24, 3))
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def topic_bars(ranking: pd.DataFrame, params: dict) -> plt.Figure:
    """Recommended share of next month's posts by topic, with P(best) labels."""
    primary, accent = brand_palette(params)
    fig, ax = plt.subplots(figsize=(6.4, max(1.8, 0.35 * len(ranking) + 0.6)))
    if ranking.empty:
        ax.set_axis_off()
        return fig
    ordered = ranking.sort_values("recommended_share")
    ax.barh(ordered["topic"].astype(str), ordered["recommended_share"] * 100, color=primary)
    if "p_best" in ordered.columns:
        for yi, (share, p_best) in enumerate(
            zip(ordered["recommended_share"], ordered["p_best"], strict=True)
        ):
            ax.text(share * 100 + 0.5, yi, f"P(best) {p_best:.0%}", va="center", fontsize=7)
    ax.set_xlabel("Recommended share of next month's posts (%)")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
