"""Post metrics at a fixed age (issue 11 §1; statistics.md §1.4).

Post metrics are lifetime totals at download time, so a month downloaded 10 days after its posts
went out and a month downloaded 49 days after cannot be compared directly (in the sample's
growth curve a post has about 73 % of its final interactions at 10 days and 94 % at 49). Every
download of every post is kept in ``post_snapshots`` (``platform``, ``post_id``, ``snapshot_at``,
``age_days`` and the metric columns of ``posts``); this module turns it into each post's
metrics at a declared age, the *basis* ("interactions in the first 7 days").

Per post and metric, in this order:

* a snapshot within ``tolerance_days`` of the basis → that snapshot (``exact``);
* snapshots on both sides of the basis → interpolation between the two nearest, along the
  platform's growth curve (below) when there is one, else linearly (``interpolated``; lifetime
  counts only grow, so this stays between them; linear interpolation underestimates because
  posts gain fastest in their first days: 0.91 of the truth at 7 days in the sample);
* only older snapshots → the youngest one scaled back along the growth curve (``curve``);
* only younger snapshots, the oldest at least a quarter of the basis → the oldest one scaled
  forward along the growth curve and flagged (``projected``: a month downloaded 2–6 days after
  it ends has young posts, and the mean of the other posts is a poor stand-in for a young viral
  one: in the sample, imputing it put Instagram's change at +195 % against a true +160 %);
* younger still → **too young** for the basis: NA, status ``too_young``.

The growth curve is fitted on the posts that have several snapshots on the same platform:
log-cumulative counts piecewise linear in log age, least squares on the log growth between a
post's own consecutive snapshots, with a smoothness penalty, forced non-decreasing. A platform
with too few posts downloaded more than once (the sample's TikTok: 7 posts a month or fewer, most
downloaded once) borrows the curve fitted on every platform's repeated downloads, and its posts
say so (``basis_curve`` "all platforms"): a curve from other platforms is a guess about this
one's growth, but comparing a 10-day-old month with a 40-day-old one is a worse one (the sample's
TikTok engagement change read +342 % as downloaded against a true +369 % at 7 days). No curve at
all (too few repeated downloads anywhere) → posts that need it are NA with status ``no_curve``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from workbench.schema import POST_COUNT_COLUMNS

#: Status of a post's basis values, best first.
BASIS_STATUSES = ("exact", "interpolated", "curve", "projected", "too_young", "no_curve",
                  "no_snapshots")
#: Statuses whose values are usable on the basis.
USABLE_STATUSES = ("exact", "interpolated", "curve", "projected")
#: Statuses whose value came from a growth curve (when the platform has one).
CURVE_STATUSES = ("interpolated", "curve", "projected")
#: ``basis_curve`` of a post placed with its own platform's curve / the curve of all platforms.
OWN_CURVE, POOLED_CURVE = "own platform", "all platforms"
#: A post whose oldest snapshot is at least this share of the basis age is projected forwards.
MIN_PROJECTION_SHARE = 0.25
#: Fewer consecutive-snapshot pairs than this on a platform: no growth curve.
MIN_CURVE_PAIRS = 10
#: Knots of the growth curve are spread evenly in log age between these (days).
_CURVE_AGE_RANGE = (0.25, 400.0)
_CURVE_KNOTS = 24
_CURVE_SMOOTHING = 1.0


def basis_label(post_age_days: float, metric: str = "interactions") -> str:
    """Plain words for the basis: ``"interactions in the first 7 days"``."""
    days = float(post_age_days)
    shown = f"{days:g}"
    return f"{metric} in the first {shown} day{'s' if days != 1 else ''}"


def _metric_columns(snapshots: pd.DataFrame, metrics: Iterable[str] | None) -> list[str]:
    wanted = POST_COUNT_COLUMNS if metrics is None else tuple(metrics)
    return [c for c in wanted if c in snapshots.columns]


def _curve_knots() -> np.ndarray:
    return np.linspace(np.log(_CURVE_AGE_RANGE[0]), np.log(_CURVE_AGE_RANGE[1]), _CURVE_KNOTS)


def _hat(log_age: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Piecewise-linear interpolation weights of ``log_age`` on ``knots`` (rows sum to 1)."""
    x = np.clip(log_age, knots[0], knots[-1])
    idx = np.clip(np.searchsorted(knots, x, side="right") - 1, 0, len(knots) - 2)
    frac = (x - knots[idx]) / (knots[idx + 1] - knots[idx])
    weights = np.zeros((len(x), len(knots)))
    weights[np.arange(len(x)), idx] = 1.0 - frac
    weights[np.arange(len(x)), idx + 1] = frac
    return weights


def fit_growth_curve(snapshots: pd.DataFrame, metric: str) -> np.ndarray | None:
    """Log-cumulative growth curve L(log age) of ``metric`` on the knots of this module.

    Fitted on consecutive snapshot pairs (a₁ < a₂) of the same post:
    L(a₂) − L(a₁) ≈ log((v₂ + 0.5)/(v₁ + 0.5)), weighted by √(v₁ + 0.5) (bigger counts are
    less noisy), plus a second-difference penalty; then made non-decreasing. Only differences
    are identified, so the level is arbitrary: use differences of the curve.

    Returns:
        Curve values on the knots, or None with fewer than ``MIN_CURVE_PAIRS`` usable pairs.
    """
    frame = snapshots[["platform", "post_id", "age_days", metric]].dropna()
    frame = frame[frame["age_days"] > 0].sort_values(["platform", "post_id", "age_days"])
    if frame.empty:
        return None
    key = frame["platform"].astype(str) + "\x1f" + frame["post_id"].astype(str)
    same = (key.to_numpy()[1:] == key.to_numpy()[:-1])
    ages = frame["age_days"].to_numpy(dtype=float)
    values = frame[metric].to_numpy(dtype=float)
    later = ages[1:] > ages[:-1] + 1e-9
    keep = same & later
    if keep.sum() < MIN_CURVE_PAIRS:
        return None
    a1, a2 = ages[:-1][keep], ages[1:][keep]
    v1, v2 = values[:-1][keep], values[1:][keep]
    target = np.log((np.maximum(v2, v1) + 0.5) / (v1 + 0.5))
    weight = np.sqrt(v1 + 0.5)
    knots = _curve_knots()
    design = (_hat(np.log(a2), knots) - _hat(np.log(a1), knots)) * weight[:, None]
    rhs = target * weight
    # Second differences (smoothness) and a tiny ridge on the level (only differences count).
    scale = _CURVE_SMOOTHING * np.sqrt(weight.sum() / len(knots))
    second = np.zeros((len(knots) - 2, len(knots)))
    for i in range(len(knots) - 2):
        second[i, i : i + 3] = (1.0, -2.0, 1.0)
    ridge = np.zeros((1, len(knots)))
    ridge[0, -1] = 1e-3
    a = np.vstack([design, scale * second, ridge])
    b = np.concatenate([rhs, np.zeros(len(knots) - 2), [0.0]])
    curve, *_ = np.linalg.lstsq(a, b, rcond=None)
    curve = np.maximum.accumulate(curve)
    # Only where pairs were seen: outside the ages observed the curve is a guess (NaN).
    seen = (knots >= np.log(a1.min()) - 0.35) & (knots <= np.log(a2.max()) + 0.35)
    return np.where(seen, curve, np.nan)


_KNOTS = None  # the knots, computed once (``_curve_knots`` is called per value otherwise)


def _curve_at(curve: np.ndarray, age: float) -> float:
    """Curve value at ``age`` (NaN outside the ages the curve was fitted on)."""
    global _KNOTS
    if _KNOTS is None:
        _KNOTS = _curve_knots()
    knots = _KNOTS
    # The same weights as :func:`_hat` for one age, without building the weight matrix.
    x = min(max(np.log(max(age, 1e-6)), knots[0]), knots[-1])
    idx = min(max(int(np.searchsorted(knots, x, side="right")) - 1, 0), len(knots) - 2)
    frac = (x - knots[idx]) / (knots[idx + 1] - knots[idx])
    value = 0.0
    if 1.0 - frac > 0:
        value += (1.0 - frac) * curve[idx]
    if frac > 0:
        value += frac * curve[idx + 1]
    return float(value)


def metrics_at_age(
    snapshots: pd.DataFrame,
    post_age_days: float,
    *,
    metrics: Iterable[str] | None = None,
    tolerance_days: float = 0.5,
) -> pd.DataFrame:
    """Each post's lifetime metrics at age ``post_age_days`` (module docstring for the rules).

    Args:
        snapshots: ``post_snapshots``: ``platform``, ``post_id``, ``snapshot_at``, ``age_days``
            and metric columns (not modified). Rows without ``age_days`` are ignored.
        post_age_days: The basis age in days (e.g. 7 or 28).
        metrics: Metric columns to carry (default: every post count column present).
        tolerance_days: A snapshot this close to the basis is used as it is.

    Returns:
        One row per (``platform``, ``post_id``) with the metric columns at the basis
        (Float64, NA where unusable), ``basis_days``, ``basis_status`` (one of
        :data:`BASIS_STATUSES`, of ``interactions`` when carried, else the first metric),
        ``basis_curve`` (:data:`OWN_CURVE` or :data:`POOLED_CURVE` when a growth curve placed
        that metric, else NA), ``n_snapshots``, ``youngest_age_days`` and
        ``oldest_age_days``.
    """
    basis = float(post_age_days)
    columns = _metric_columns(snapshots, metrics)
    if "interactions" in columns:  # the status follows the metric the KPIs are about
        columns = ["interactions", *[c for c in columns if c != "interactions"]]
    out_columns = ["platform", "post_id", *columns, "basis_days", "basis_status",
                   "basis_curve", "n_snapshots", "youngest_age_days", "oldest_age_days"]
    usable = snapshots.loc[pd.to_numeric(snapshots["age_days"], errors="coerce").notna()]
    if usable.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in out_columns})
    usable = usable.assign(age_days=pd.to_numeric(usable["age_days"]).astype(float))
    curves = {
        (platform, metric): (fit_growth_curve(group, metric), OWN_CURVE)
        for platform, group in usable.groupby("platform", sort=True)
        for metric in columns
    }
    pooled: dict[str, np.ndarray | None] = {}
    for (platform, metric), (curve, _) in curves.items():
        if curve is None:  # too few repeated downloads here: every platform's curve
            if metric not in pooled:
                pooled[metric] = fit_growth_curve(usable, metric)
            curves[platform, metric] = (pooled[metric], POOLED_CURVE)
    # One sort, then each post is a slice of plain arrays (a pandas group per post is slow).
    ordered = usable.sort_values(["platform", "post_id", "age_days"], kind="stable")
    platforms = ordered["platform"].to_numpy(dtype=object)
    post_ids = ordered["post_id"].to_numpy(dtype=object)
    all_ages = ordered["age_days"].to_numpy(dtype=float)
    all_values = {metric: pd.to_numeric(ordered[metric], errors="coerce").to_numpy(
        dtype=float, na_value=np.nan) for metric in columns}
    keys = pd.MultiIndex.from_arrays([ordered["platform"], ordered["post_id"]])
    starts = np.flatnonzero(np.r_[True, ~(keys[1:] == keys[:-1])]) if len(keys) else []
    ends = [*starts[1:], len(ordered)]
    rows = []
    for start, end in zip(starts, ends, strict=True):
        platform, post_id = platforms[start], post_ids[start]
        ages = all_ages[start:end]
        row = {"platform": platform, "post_id": post_id, "basis_days": basis,
               "n_snapshots": end - start, "youngest_age_days": float(ages[0]),
               "oldest_age_days": float(ages[-1])}
        status = curve_used = None
        for metric in columns:
            values = all_values[metric][start:end]
            known = np.isfinite(values)
            curve, source = curves.get((platform, metric), (None, None))
            value, metric_status = _value_at(ages[known], values[known], basis, tolerance_days,
                                             curve)
            row[metric] = value
            if status is None and metric_status != "no_snapshots":
                status = metric_status
                if curve is not None and metric_status in CURVE_STATUSES:
                    curve_used = source
        row["basis_status"] = status or "no_snapshots"
        row["basis_curve"] = curve_used
        rows.append(row)
    out = pd.DataFrame(rows, columns=out_columns)
    for metric in columns:
        out[metric] = pd.to_numeric(out[metric]).astype("Float64")
    return out


def _value_at(ages: np.ndarray, values: np.ndarray, basis: float, tolerance: float,
              curve: np.ndarray | None) -> tuple[float, str]:
    if len(ages) == 0:
        return np.nan, "no_snapshots"
    distance = np.abs(ages - basis)
    nearest = int(np.argmin(distance))
    if distance[nearest] <= tolerance:
        return float(values[nearest]), "exact"
    below, above = ages < basis, ages > basis
    if below.any() and above.any():
        i, j = np.flatnonzero(below)[-1], np.flatnonzero(above)[0]
        if curve is not None:  # the share of the growth between the two snapshots by the basis
            g = np.exp([_curve_at(curve, ages[i]), _curve_at(curve, basis),
                        _curve_at(curve, ages[j])])
            share = (g[1] - g[0]) / (g[2] - g[0]) if g[2] > g[0] else 0.5
            if not np.isfinite(share):
                share = (basis - ages[i]) / (ages[j] - ages[i])
        else:
            share = (basis - ages[i]) / (ages[j] - ages[i])
        return float(values[i] + share * (values[j] - values[i])), "interpolated"
    if not above.any() and ages[-1] < MIN_PROJECTION_SHARE * basis:
        return np.nan, "too_young"
    if curve is None:
        return np.nan, "no_curve"
    # Scale the snapshot nearest the basis by the growth between its age and the basis (counts
    # ± 0.5 like the fit, so a zero stays zero).
    k, status = (0, "curve") if above.any() else (len(ages) - 1, "projected")
    factor = np.exp(_curve_at(curve, basis) - _curve_at(curve, float(ages[k])))
    if not np.isfinite(factor):
        return np.nan, "no_curve"
    return float(max((values[k] + 0.5) * factor - 0.5, 0.0)), status


def posts_at_basis(
    posts: pd.DataFrame,
    snapshots: pd.DataFrame | None,
    post_age_days: float | None,
    *,
    tolerance_days: float = 0.5,
) -> pd.DataFrame:
    """``posts`` with its metric columns replaced by their values at the basis age.

    Posts without any snapshot keep their newest values with status ``no_snapshots``; posts
    too young for the basis (or without a curve) get NA metrics, so sums and tests leave them
    out, and keep their row, so post counts still count them.

    Args:
        posts: Canonical posts (not modified).
        snapshots: ``post_snapshots`` (may be None or empty: then ``posts`` is returned with
            every status ``no_snapshots``).
        post_age_days: Basis age; None → no basis (status ``no_snapshots`` everywhere).
        tolerance_days: See :func:`metrics_at_age`.

    Returns:
        A copy of ``posts`` with ``basis_days``, ``basis_status`` and ``basis_curve``
        columns added.
    """
    out = posts.copy()
    out["basis_days"] = np.nan if post_age_days is None else float(post_age_days)
    out["basis_status"] = pd.Series("no_snapshots", index=out.index, dtype="string")
    out["basis_curve"] = pd.Series(pd.NA, index=out.index, dtype="string")
    if post_age_days is None or snapshots is None or snapshots.empty or posts.empty:
        return out
    at_age = metrics_at_age(snapshots, post_age_days, tolerance_days=tolerance_days)
    if at_age.empty:
        return out
    keyed = at_age.set_index(["platform", "post_id"])
    index = pd.MultiIndex.from_arrays(
        [out["platform"].astype(str), out["post_id"].astype(str)])
    keyed.index = pd.MultiIndex.from_arrays(
        [keyed.index.get_level_values(0).astype(str), keyed.index.get_level_values(1).astype(str)])
    matched = keyed.reindex(index)
    has = matched["basis_status"].notna().to_numpy()
    for column in POST_COUNT_COLUMNS:
        if column not in out.columns or column not in matched.columns:
            continue
        basis_values = pd.Series(matched[column].to_numpy(dtype="float64", na_value=np.nan),
                                 index=out.index).round()
        original = out[column]
        replaced = basis_values.where(has, original.astype("float64"))
        out[column] = replaced.astype("Float64").round().astype(original.dtype)
    status = pd.Series(matched["basis_status"].to_numpy(dtype=object), index=out.index)
    out["basis_status"] = status.where(has, "no_snapshots").astype("string")
    out["basis_curve"] = pd.Series(matched["basis_curve"].to_numpy(dtype=object),
                                   index=out.index).where(has, pd.NA).astype("string")
    return out


def basis_coverage(posts: pd.DataFrame) -> dict[str, int]:
    """Counts of posts by ``basis_status`` (output of :func:`posts_at_basis`)."""
    if "basis_status" not in posts.columns:
        return {}
    counts = posts["basis_status"].value_counts()
    return {str(k): int(v) for k, v in counts.items()}
