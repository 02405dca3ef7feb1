"""Figures of the website section: visits per social platform, and the grant's CTR.

Plain frames in, a matplotlib Figure out; nothing here reads files.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

PLATFORM_COLOURS = {"facebook": "#1F4E9A", "instagram": "#C13584", "linkedin": "#0A66C2",
                    "tiktok": "#111111"}
GREY = "#8A8F98"


def social_trend_figure(trend: pd.DataFrame, month: str | None = None) -> plt.Figure:
    """Sessions from each social platform per month (one line per platform).

    Args:
        trend: :func:`workbench.website.social.social_trend` output (month × platform).
        month: The report month, marked with a vertical line.
    """
    fig, ax = plt.subplots(figsize=(7, 3))
    if trend.empty:
        ax.text(0.5, 0.5, "No GA4 source / medium table", ha="center", va="center")
        ax.set_axis_off()
        return fig
    x = np.arange(len(trend))
    for platform in trend.columns:
        ax.plot(x, trend[platform].astype(float), marker="o", label=platform.capitalize(),
                color=PLATFORM_COLOURS.get(platform, GREY))
    if month in list(trend.index):
        ax.axvline(list(trend.index).index(month), color=GREY, linestyle=":", linewidth=1)
    ax.set_xticks(x, list(trend.index), rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("sessions")
    ax.set_title("Website visits referred by each social platform", fontsize=10)
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def grant_ctr_figure(ctr_by_month: pd.DataFrame, threshold: float = 0.05) -> plt.Figure:
    """Account click-through rate per month against the grant's minimum.

    Args:
        ctr_by_month: :attr:`workbench.website.grant.GrantPanel.ctr_by_month`.
        threshold: The minimum CTR (0.05).
    """
    fig, ax = plt.subplots(figsize=(7, 2.6))
    if ctr_by_month.empty:
        ax.text(0.5, 0.5, "No Google Ads report", ha="center", va="center")
        ax.set_axis_off()
        return fig
    values = pd.to_numeric(ctr_by_month["ctr"], errors="coerce").astype(float) * 100
    colours = ["#C0392B" if v < threshold * 100 else "#1F4E9A" for v in values.fillna(0)]
    x = np.arange(len(values))
    ax.bar(x, values.fillna(0), color=colours)
    ax.axhline(threshold * 100, color=GREY, linestyle="--", linewidth=1)
    ax.text(len(values) - 0.5, threshold * 100, f" minimum {threshold * 100:.0f} %",
            va="bottom", ha="right", fontsize=8, color=GREY)
    ax.set_xticks(x, list(ctr_by_month["month"]), rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("CTR (%)")
    ax.set_title("Ad Grant: account click-through rate", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
