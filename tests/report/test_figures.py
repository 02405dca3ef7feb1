"""Figures a statistician would publish: readable ratio ticks, rows in words, no extrapolation."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from workbench.report import figures as F  # noqa: E402


def _rows():
    return pd.DataFrame([
        {"id": "topic:employment", "platform": "all", "estimate": 2.1, "ci_low": 1.5,
         "ci_high": 3.1, "confidence": "suggestive", "n_group": {"with": 31, "without": 189}},
        {"id": "human_centred", "platform": "facebook", "estimate": 0.8, "ci_low": 0.3,
         "ci_high": 1.2, "confidence": "inconclusive", "n_group": {"with": 8, "without": 20}},
    ])


def test_forest_plot_ticks_and_labels_in_words():
    fig = F.forest_plot(_rows(), {})
    ax = fig.axes[0]
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert {"0.5×", "1×", "2×"} <= set(ticks)
    assert all("10^" not in t and "\\times" not in t for t in ticks)
    assert not [t.get_text() for t in ax.get_xticklabels(minor=True) if t.get_text()]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Employment posts · all platforms · 31 vs 189",
                      "Posts telling a person's story · Facebook · 8 vs 20"]


def test_hour_curve_only_over_supported_hours():
    hours = np.arange(24)
    curve = pd.DataFrame({"hour": hours, "rate_ratio": np.where(hours < 6, 10.0, 1.0),
                          "ci_low": 0.5, "ci_high": np.where(hours < 6, 40.0, 2.0),
                          "n_posts": np.where(hours < 6, 0, 5), "supported": hours >= 6})
    fig = F.hour_curve(curve, {})
    line = fig.axes[0].get_lines()[0]
    y = np.asarray(line.get_ydata(), dtype=float)
    assert np.isnan(y[:6]).all() and np.allclose(y[6:], 1.0)
    assert fig.axes[0].get_ylim()[1] < 10  # the 40× band at 3 a.m. is not drawn
