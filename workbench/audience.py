"""Who we reach: the audience composition per platform against the goals in ``org.yaml``.

Pure functions over the canonical ``audience`` table (and, for base sizes the files do not
give, the ``daily`` table's ``followers_total``). Nothing here reads files or knows the
organisation: the goals come from ``params["audience_goals"]``::

    audience_goals:
      facebook:
        - id: women                 # a stable name (results.json)
          label: women              # completes "68 % of followers are …"
          breakdown: gender         # derived from age_gender when only that is given
          segments: [women]         # names as the platform writes them; * and ? wildcards
          direction: most           # most | at_least | at_most | increase | decrease
          target: 0.5               # a share, for at_least / at_most (optional otherwise)

A goal's **value** is the sum of the shares of its segments at a snapshot. A change between
two snapshots is called **real** only when it exceeds what the platform's rounding allows
(half a rounding unit per segment summed, at both snapshots) plus, when both base sizes are
known, 1.96 standard errors of a difference of two shares of that many followers
(``sqrt(p(1-p)(1/n0 + 1/n1))``: the change that follower turnover alone produces); the
``basis`` of each comparison says which of the two applied.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import pandas as pd

from workbench.platforms import PLATFORM_LABELS

#: Bases in the order a platform's composition is taken from (first present wins).
BASE_ORDER = ("followers", "reached", "viewers", "visitors")
DIRECTIONS = ("most", "at_least", "at_most", "increase", "decrease")
#: Platform names in a sentence: the registry's, plus the website and unsplit Meta files.
PLATFORM_NAMES = {**PLATFORM_LABELS, "website": "the website", "meta": "Meta"}
#: Normal quantile of the two-sided 95 % band used for "real" changes.
Z = 1.96
#: Days after the month's end within which a download still describes that month.
GRACE_DAYS = 20
#: Segments kept per top-N breakdown in the composition (cities, countries, industries).
TOP_N = 10


@dataclass(frozen=True)
class Goal:
    """One audience goal of one platform (from ``org.yaml``)."""

    platform: str
    id: str
    label: str
    breakdown: str
    segments: tuple[str, ...]
    direction: str
    target: float | None = None
    base: str | None = None


@dataclass(frozen=True)
class Change:
    """A goal's change between two snapshots and whether it is real."""

    since: str  # the earlier snapshot's date
    value_then: float
    change: float
    allowance: float  # the largest change rounding (and base size) explain
    real: bool
    basis: str  # "rounding" or "rounding and base size"


@dataclass(frozen=True)
class GoalResult:
    """A goal at the latest snapshot: value, target, status and changes."""

    goal: Goal
    value: float | None
    status: str  # met | not met | unknown
    previous: Change | None = None  # against the previous snapshot
    over_window: Change | None = None  # against the first snapshot of the window


@dataclass(frozen=True)
class PlatformAudience:
    """One platform's composition now and at the previous snapshot, and its goals."""

    platform: str
    base: str
    as_of: str
    base_count: float | None
    composition: dict[str, dict[str, float]]
    previous_as_of: str | None = None
    previous_composition: dict[str, dict[str, float]] | None = None
    goals: tuple[GoalResult, ...] = ()
    online_hours: dict[str, float] | None = None
    sentence: str = ""
    notes: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        """``met`` when every goal is met, ``not met`` when one is not, else ``unknown``."""
        states = {g.status for g in self.goals}
        if not states:
            return "unknown"
        if "not met" in states:
            return "not met"
        return "met" if states == {"met"} else "unknown"


@dataclass(frozen=True)
class AudienceResults:
    """The month's "Who we reach" results (``results.json`` key ``audience``)."""

    month: str | None
    platforms: tuple[PlatformAudience, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def platform(self, name: str) -> PlatformAudience | None:
        """The result of one platform, or None."""
        return next((p for p in self.platforms if p.platform == name), None)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON: per platform its composition, goals (value, target, status), status."""
        out: dict[str, Any] = {}
        for p in self.platforms:
            out[p.platform] = {
                "as_of": p.as_of, "base": p.base, "base_count": p.base_count,
                "composition": p.composition, "previous_as_of": p.previous_as_of,
                "previous_composition": p.previous_composition,
                "goals": [_goal_json(g) for g in p.goals], "status": p.status,
                "online_hours": p.online_hours, "sentence": p.sentence, "notes": list(p.notes),
            }
        return {"month": self.month, "platforms": out, "warnings": list(self.warnings)}


def _goal_json(result: GoalResult) -> dict[str, Any]:
    goal = result.goal
    return {"id": goal.id, "label": goal.label, "breakdown": goal.breakdown,
            "segments": list(goal.segments), "direction": goal.direction,
            "target": goal.target, "value": result.value, "status": result.status,
            "previous": asdict(result.previous) if result.previous else None,
            "over_window": asdict(result.over_window) if result.over_window else None}


# --------------------------------------------------------------------------- goals


def parse_goals(params: Mapping[str, Any]) -> tuple[list[Goal], list[str]]:
    """The goals of ``params["audience_goals"]`` and a warning per unusable entry."""
    goals, warnings = [], []
    for platform, entries in (params.get("audience_goals") or {}).items():
        for index, entry in enumerate(entries or []):
            name = f"audience_goals.{platform}[{index}]"
            if not isinstance(entry, Mapping):
                warnings.append(f"{name} is not a mapping: left out")
                continue
            direction = str(entry.get("direction", "at_least"))
            segments = entry.get("segments") or []
            if direction not in DIRECTIONS or not entry.get("breakdown") or not segments:
                warnings.append(f"{name} needs a breakdown, segments and a direction among "
                                f"{', '.join(DIRECTIONS)}: left out")
                continue
            target = entry.get("target")
            if direction in {"at_least", "at_most"} and target is None:
                warnings.append(f"{name}: direction {direction} needs a target: left out")
                continue
            goals.append(Goal(
                platform=str(platform), id=str(entry.get("id", f"goal{index + 1}")),
                label=str(entry.get("label", ", ".join(map(str, segments)))),
                breakdown=str(entry["breakdown"]),
                segments=tuple(str(s) for s in segments), direction=direction,
                target=float(target) if target is not None else None,
                base=str(entry["base"]) if entry.get("base") else None))
    return goals, warnings


# --------------------------------------------------------------------------- snapshots


def _as_of(frame: pd.DataFrame) -> pd.Series:
    """The date a row describes: the end of its period, else the day it was downloaded."""
    snap = pd.to_datetime(frame["snapshot_at"], utc=True).dt.tz_localize(None)
    end = pd.to_datetime(frame["period_end"])
    return end.fillna(snap).dt.normalize()


def snapshots(audience: pd.DataFrame, platform: str, base: str | None = None,
              until: pd.Timestamp | None = None) -> tuple[str | None, list[tuple]]:
    """(base, [(date, rows), …] oldest first) of one platform, up to ``until``."""
    rows = audience[audience["platform"] == platform]
    if rows.empty:
        return None, []
    bases = [b for b in BASE_ORDER if (rows["base"] == b).any()]
    chosen = base if base is not None else (bases[0] if bases else None)
    if chosen is None:
        return None, []
    rows = rows[rows["base"] == chosen]
    dates = _as_of(rows)
    if until is not None:
        keep = dates <= until
        rows, dates = rows[keep], dates[keep]
    out = [(day, part) for day, part in rows.groupby(dates, sort=True)]
    return chosen, out


def composition(rows: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Breakdown -> segment -> share of one snapshot.

    Gender and age are derived from age_gender when the snapshot has no such breakdown of
    its own; top-N breakdowns keep their :data:`TOP_N` largest segments.
    """
    out: dict[str, dict[str, float]] = {}
    for breakdown, part in rows.groupby("breakdown", sort=True):
        shares = part.groupby("segment", sort=False)["share"].sum(min_count=1).dropna()
        shares = shares.sort_values(ascending=False, kind="stable")
        if breakdown in {"city", "country", "industry", "territory", "job_function",
                         "language"}:
            shares = shares.head(TOP_N)
        out[str(breakdown)] = {str(k): round(float(v), 6) for k, v in shares.items()}
    pairs = out.get("age_gender")
    if pairs:
        for derived, position in (("gender", 1), ("age", 0)):
            if derived in out:
                continue
            summed: dict[str, float] = {}
            for segment, share in pairs.items():
                key = segment.split("|")[position] if "|" in segment else segment
                summed[key] = summed.get(key, 0.0) + share
            out[derived] = {k: round(v, 6) for k, v in sorted(summed.items())}
    return out


def _matches(segment: str, patterns: Sequence[str]) -> bool:
    name = segment.casefold()
    return any(fnmatch.fnmatchcase(name, p.casefold()) for p in patterns)


def goal_value(rows: pd.DataFrame, goal: Goal) -> tuple[float | None, int, float]:
    """(value, segments summed, rounding unit) of a goal at one snapshot; None if absent.

    The segments of a derived breakdown (gender or age from age_gender) are the age and
    gender cells, so the rounding allowance counts each cell.
    """
    source = rows[rows["breakdown"] == goal.breakdown]
    if source.empty and goal.breakdown in {"gender", "age"}:
        source = rows[rows["breakdown"] == "age_gender"]
        position = 1 if goal.breakdown == "gender" else 0
        keys = source["segment"].astype(str).str.split("|").str[position].tolist()
    else:
        keys = source["segment"].astype(str).tolist()
    picked = source.loc[[_matches(k, goal.segments) for k in keys]]
    if source.empty:
        return None, 0, 0.0
    units = pd.to_numeric(source["rounding"], errors="coerce").dropna()
    unit = float(units.max()) if len(units) else 0.0
    return float(picked["share"].sum()), len(picked), unit


def _base_size(rows: pd.DataFrame, daily: pd.DataFrame | None, platform: str,
               day: pd.Timestamp) -> float | None:
    sizes = pd.to_numeric(rows["base_count"], errors="coerce").dropna()
    if len(sizes):
        return float(sizes.max())
    if daily is None or daily.empty:
        return None
    totals = daily[(daily["platform"] == platform) & (daily["metric"] == "followers_total")
                   & (pd.to_datetime(daily["date"]) <= day)]
    totals = totals.dropna(subset=["value"])
    if totals.empty:
        return None
    return float(totals.sort_values("date")["value"].iloc[-1])


def change_test(value: float, then: float, n_now: float | None, n_then: float | None,
                rounding: float) -> tuple[float, bool, str]:
    """(allowance, real, basis) for a change of a share between two snapshots.

    Args:
        value: The share now (0-1).
        then: The share at the earlier snapshot.
        n_now: The base size now (followers), or None when unknown.
        n_then: The base size then, or None.
        rounding: The total rounding allowance of the two values (already summed over the
            segments of each).
    """
    allowance = rounding
    basis = "rounding"
    if n_now and n_then:
        pooled = (value * n_now + then * n_then) / (n_now + n_then)
        pooled = min(max(pooled, 0.0), 1.0)
        allowance += Z * math.sqrt(pooled * (1 - pooled) * (1 / n_now + 1 / n_then))
        basis = "rounding and base size"
    # a hair of tolerance: 0.1 pp rounding steps must not flip on float noise
    return allowance, abs(value - then) > allowance + 1e-9, basis


def goal_status(goal: Goal, value: float | None, previous: Change | None) -> str:
    """``met``, ``not met`` or ``unknown`` (no value; no earlier snapshot for a trend goal).

    A trend goal (increase, decrease) is met when ``previous`` is a real change its way.
    """
    if value is None:
        return "unknown"
    if goal.direction == "most":
        return "met" if value > (goal.target if goal.target is not None else 0.5) else "not met"
    if goal.direction == "at_least":
        return "met" if value >= goal.target else "not met"
    if goal.direction == "at_most":
        return "met" if value <= goal.target else "not met"
    if previous is None:
        return "unknown"
    wanted = 1 if goal.direction == "increase" else -1
    return "met" if previous.real and previous.change * wanted > 0 else "not met"


# --------------------------------------------------------------------------- analysis


def analyse_audience(audience: pd.DataFrame, params: Mapping[str, Any], *,
                     month: str | None = None, daily: pd.DataFrame | None = None,
                     window_months: int = 12) -> AudienceResults:
    """Composition, goals and changes per platform (the "Who we reach" results).

    Args:
        audience: The canonical ``audience`` table (not modified).
        params: Run parameters; ``audience_goals`` (see the module doc) is read.
        month: The report month ``YYYY-MM``: snapshots describing a later time (downloaded
            more than :data:`GRACE_DAYS` after its end) are left out. None: all.
        daily: The canonical ``daily`` table, for base sizes the demographics files do not
            give (TikTok: ``followers_total`` on the snapshot day).
        window_months: How far back the trend comparison (``over_window``) reaches.

    Returns:
        AudienceResults, one entry per platform with audience rows (goal-less ones too).
    """
    goals, warnings = parse_goals(params)
    until = None
    if month is not None:
        until = (pd.Period(month, freq="M").end_time.normalize()
                 + pd.Timedelta(days=GRACE_DAYS))
    platforms = sorted(set(audience["platform"].dropna()) | {g.platform for g in goals})
    results = []
    for platform in platforms:
        mine = [g for g in goals if g.platform == platform]
        result = _platform(audience, platform, mine, until, daily, window_months)
        if result is None:
            if mine:
                warnings.append(f"{PLATFORM_NAMES.get(platform, platform)}: no demographics "
                                "file read, so its audience goals cannot be checked")
            continue
        results.append(result)
    return AudienceResults(month=month, platforms=tuple(results), warnings=tuple(warnings))


def _platform(audience, platform, goals, until, daily, window_months):
    base, snaps = snapshots(audience, platform, until=until)
    if not snaps:
        return None
    day, rows = snaps[-1]
    previous = snaps[-2] if len(snaps) > 1 else None
    start = day - pd.DateOffset(months=window_months)
    in_window = [s for s in snaps[:-1] if s[0] >= start]
    first = in_window[0] if in_window else None
    n_now = _base_size(rows, daily, platform, day)
    notes = []
    results = []
    for goal in goals:
        if goal.base and goal.base != base:
            notes.append(f"goal {goal.id}: its base {goal.base} is not the one read ({base})")
        value, k, unit = goal_value(rows, goal)
        prev = _compare(goal, value, k, unit, previous, n_now, daily, platform)
        trend = _compare(goal, value, k, unit, first, n_now, daily, platform)
        # a trend goal is judged over the window (month-to-month moves are mostly noise)
        status = goal_status(goal, value, trend or prev)
        results.append(GoalResult(goal=goal, value=value, status=status, previous=prev,
                                  over_window=trend))
    hours = rows[rows["breakdown"] == "online_hours"]
    online = ({str(s): float(v) for s, v in zip(hours["segment"], hours["share"], strict=True)}
              if len(hours) else None)
    result = PlatformAudience(
        platform=platform, base=base, as_of=f"{day:%Y-%m-%d}", base_count=n_now,
        composition=composition(rows),
        previous_as_of=f"{previous[0]:%Y-%m-%d}" if previous else None,
        previous_composition=composition(previous[1]) if previous else None,
        goals=tuple(results), online_hours=online, notes=tuple(notes))
    return replace(result, sentence=leadership_sentence(result))


def _compare(goal, value, k, unit, earlier, n_now, daily, platform) -> Change | None:
    if value is None or earlier is None:
        return None
    day, rows = earlier
    then, k_then, unit_then = goal_value(rows, goal)
    if then is None:
        return None
    rounding = k * unit / 2 + k_then * unit_then / 2
    n_then = _base_size(rows, daily, platform, day)
    allowance, real, basis = change_test(value, then, n_now, n_then, rounding)
    return Change(since=f"{day:%Y-%m-%d}", value_then=then, change=value - then,
                  allowance=allowance, real=real, basis=basis)


# --------------------------------------------------------------------------- wording


def _pct(share: float) -> str:
    return f"{100 * share:.0f} %"


def _target_words(goal: Goal) -> str:
    if goal.direction == "most":
        return "goal: most"
    if goal.direction == "at_least":
        return f"goal: at least {_pct(goal.target)}"
    if goal.direction == "at_most":
        return f"goal: at most {_pct(goal.target)}"
    return f"goal: {'rising' if goal.direction == 'increase' else 'falling'}"


def _change_words(change: Change, base: str, n: float | None) -> str:
    size = f"what {n:,.0f} {base} allow" if change.basis != "rounding" and n else ""
    why = f"beyond rounding{' and ' + size if size else ''}"
    if change.real:
        way = "up" if change.change > 0 else "down"
        return f"{way} from {_pct(change.value_then)} on {change.since}, a real change ({why})"
    within = f"within rounding{' and ' + size if size else ''}"
    return f"about the same as on {change.since} ({_pct(change.value_then)}; {within})"


def leadership_sentence(result: PlatformAudience) -> str:
    """One plain sentence per platform.

    For example: "On Facebook, 68 % of followers are women (goal: most): met, about the same
    as on 2024-02-04 (66 %; within rounding and what 2,400 followers allow)."
    """
    name = PLATFORM_NAMES.get(result.platform, result.platform)
    if not result.goals:
        return (f"On {name}, the audience was last measured on {result.as_of} (no audience "
                "goal set in org.yaml).")
    parts = []
    for g in result.goals:
        if g.value is None:
            parts.append(f"the share of {result.base} who are {g.goal.label} is not in the "
                         f"files ({_target_words(g.goal)}): unknown")
            continue
        text = (f"{_pct(g.value)} of {result.base} are {g.goal.label} "
                f"({_target_words(g.goal)}): {g.status}")
        change = g.over_window if g.goal.direction in {"increase", "decrease"} and \
            g.over_window else g.previous
        if change is not None:
            text += f", {_change_words(change, result.base, result.base_count)}"
        parts.append(text)
    return f"On {name}, " + "; ".join(parts) + "."


def online_hours_beside(result: PlatformAudience, curve: pd.DataFrame | None) -> pd.DataFrame:
    """The hours followers are online beside the measured posting-time curve (data only).

    Args:
        result: One platform's audience result (its ``online_hours``).
        curve: ``PostingTimesResult.curve`` (``hour``, ``rate_ratio``, …) or None.

    Returns:
        ``hour``, ``online_share`` (NaN where not given) and the curve's columns. Online
        hours are not proof of a better posting time: only the curve measures outcomes.
    """
    hours = pd.DataFrame({"hour": range(24)})
    online = result.online_hours or {}
    hours["online_share"] = [online.get(f"{h:02d}", float("nan")) for h in range(24)]
    if curve is None:
        return hours
    return hours.merge(curve, on="hour", how="left")


def goal_trend(audience: pd.DataFrame, params: Mapping[str, Any], *,
               month: str | None = None) -> pd.DataFrame:
    """Each goal's value at every snapshot up to the month (the trend charts' data).

    Args:
        audience: The canonical ``audience`` table (not modified).
        params: Run parameters; ``audience_goals`` is read.
        month: The report month ``YYYY-MM`` (later snapshots left out, as in
            :func:`analyse_audience`); None: all.

    Returns:
        ``platform``, ``goal``, ``label``, ``as_of`` (date), ``value`` (share 0-1), one row
        per goal and snapshot where the goal's breakdown is present; oldest first.
    """
    goals, _ = parse_goals(params)
    until = None
    if month is not None:
        until = (pd.Period(month, freq="M").end_time.normalize()
                 + pd.Timedelta(days=GRACE_DAYS))
    rows = []
    for goal in goals:
        _, snaps = snapshots(audience, goal.platform, until=until)
        for day, part in snaps:
            value, _, _ = goal_value(part, goal)
            if value is not None:
                rows.append({"platform": goal.platform, "goal": goal.id, "label": goal.label,
                             "as_of": day, "value": value})
    columns = ["platform", "goal", "label", "as_of", "value"]
    return pd.DataFrame(rows, columns=columns)
