"""Experiment designs and their randomised posting schedules (statistics.md §4.4).

A design says what is compared (``hypothesis``: a content label or ``slot``), between which
arms, on which platforms, for how many weeks and how many posts a week per platform. The
schedule randomises arms in blocks of one week × one platform: every block holds each arm the
same number of times, so arms stay balanced over time and platforms (a shock in one week or a
platform's bigger audience cannot favour one arm). Everything is drawn from one seeded
``numpy`` Generator, so the same design gives the same schedule.

For label experiments the first arm is "with the label" and the second "without"; for slot
experiments each arm is a local time window (``morning``, ``evening``, or ``HH-HH``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from workbench.errors import ExperimentError
from workbench.schema import PLATFORMS

#: Named posting windows for slot experiments: local [start hour, end hour).
SLOT_WINDOWS: dict[str, tuple[int, int]] = {
    "early": (6, 9),
    "morning": (9, 12),
    "midday": (11, 14),
    "afternoon": (14, 17),
    "evening": (17, 21),
    "night": (21, 24),
}
_HOURS_RE = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
#: Labels an experiment can randomise besides topics (topics come from org.yaml).
BOOLEAN_LABELS = ("human_centred", "brand_colours", "local_hashtag")
#: Hours used for label experiments, so that time of day is the same mix in every arm.
LABEL_HOURS = (9, 10, 11, 12, 13, 14, 15)
MINUTES = (0, 15, 30, 45)  # multiples of 5: bulk schedulers reject other minutes
MAX_ARMS = 4

SCHEDULE_COLUMNS = ("slot_id", "date", "local_time", "weekday", "week", "block", "platform",
                    "arm", "suggested_topic")


@dataclass(frozen=True)
class Design:
    """What an experiment compares and how many posts it plans.

    Attributes:
        name: Registration name (lowercase letters, digits, ``-`` and ``_``).
        hypothesis: ``human_centred``, ``brand_colours``, a topic of org.yaml, or ``slot``.
        arms: Arm names; for labels, the first is "with the label", the second "without".
        platforms: Platforms the schedule posts on.
        start: First day (a Monday is not required; weeks count from ``start``).
        weeks: Number of weeks.
        posts_per_week: Planned posts per week on each platform (a multiple of the arm count).
        seed: Seed of the randomisation.
    """

    name: str
    hypothesis: str
    arms: tuple[str, ...]
    platforms: tuple[str, ...]
    start: date
    weeks: int
    posts_per_week: int
    seed: int = 0

    @property
    def end(self) -> date:
        """Last day of the experiment (inclusive)."""
        return self.start + timedelta(days=7 * self.weeks - 1)

    @property
    def end_month(self) -> str:
        """``YYYY-MM`` of the last day: experiments ending in the same month form a family."""
        return self.end.strftime("%Y-%m")

    @property
    def is_slot(self) -> bool:
        """True for posting-time experiments."""
        return self.hypothesis == "slot"

    @property
    def planned_n(self) -> int:
        """Planned posts in total."""
        return self.weeks * self.posts_per_week * len(self.platforms)

    @property
    def planned_per_arm(self) -> int:
        """Planned posts per arm."""
        return self.planned_n // len(self.arms)


def slot_window(arm: str) -> tuple[int, int]:
    """Local hour window [start, end) of a slot arm (``morning`` or ``HH-HH``)."""
    if arm in SLOT_WINDOWS:
        return SLOT_WINDOWS[arm]
    match = _HOURS_RE.match(arm)
    if match:
        first, last = int(match[1]), int(match[2])
        if 0 <= first < last <= 24:
            return first, last
    raise ExperimentError(
        f"slot arm {arm!r} is not a posting window",
        column="--arms",
        hint=f"use {', '.join(SLOT_WINDOWS)} or hours such as 07-09",
    )


def _split(text: str | list | tuple) -> tuple[str, ...]:
    items = text.split(",") if isinstance(text, str) else list(text)
    return tuple(str(i).strip() for i in items if str(i).strip())


def make_design(
    name: str,
    hypothesis: str,
    arms: str | list[str] | tuple[str, ...],
    platforms: str | list[str] | tuple[str, ...],
    start: str | date,
    weeks: int,
    posts_per_week: int,
    seed: int = 0,
    topics: list[str] | tuple[str, ...] = (),
) -> Design:
    """Validate the ``experiment new`` arguments and return a Design.

    Args:
        name: Registration name.
        hypothesis: Label name, topic name or ``slot``.
        arms: Arm names (comma-separated text or a list).
        platforms: Platform names (comma-separated text or a list).
        start: First day, ``YYYY-MM-DD``.
        weeks: Number of weeks (≥ 1).
        posts_per_week: Posts per week per platform (a multiple of the number of arms).
        seed: Randomisation seed.
        topics: Topic names of org.yaml (a topic hypothesis must be one of them).

    Raises:
        ExperimentError: One line naming the argument and the fix.
    """
    if not _NAME_RE.match(str(name)):
        raise ExperimentError(f"experiment name {name!r} is not a simple name", column="NAME",
                              hint="use lowercase letters, digits, - and _, e.g. stories-2025q1")
    arm_list = _split(arms)
    if len(arm_list) < 2:
        raise ExperimentError(f"an experiment needs at least two arms, got {list(arm_list)}",
                              column="--arms", hint="give two arms, e.g. --arms story,info")
    if len(set(arm_list)) != len(arm_list):
        raise ExperimentError(f"arms repeat: {list(arm_list)}", column="--arms",
                              hint="give each arm once")
    if not all(_NAME_RE.match(a) for a in arm_list):
        raise ExperimentError(f"arm names {list(arm_list)} must be simple lowercase names",
                              column="--arms", hint="use letters, digits, - and _")
    if hypothesis == "slot":
        if len(arm_list) > MAX_ARMS:
            raise ExperimentError(f"{len(arm_list)} slot arms are too many", column="--arms",
                                  hint=f"compare at most {MAX_ARMS} posting windows")
        windows = sorted(slot_window(a) for a in arm_list)
        for (_, end1), (start2, _) in zip(windows, windows[1:], strict=False):
            if start2 < end1:
                raise ExperimentError("slot arms overlap in time", column="--arms",
                                      hint="choose windows that do not overlap, e.g. "
                                           "morning,evening")
    elif hypothesis in BOOLEAN_LABELS or hypothesis in topics:
        if len(arm_list) != 2:
            raise ExperimentError(
                f"a label experiment has two arms (with and without {hypothesis}), "
                f"got {len(arm_list)}", column="--arms", hint="e.g. --arms story,info")
    else:
        known = ", ".join([*BOOLEAN_LABELS, "slot", *topics])
        raise ExperimentError(f"unknown hypothesis {hypothesis!r}", column="--hypothesis",
                              hint=f"use one of: {known}")
    platform_list = _split(platforms)
    bad = [p for p in platform_list if p not in PLATFORMS]
    if not platform_list or bad:
        raise ExperimentError(f"unknown platform(s) {bad or '(none)'}", column="--platforms",
                              hint=f"use {','.join(PLATFORMS)}")
    if len(set(platform_list)) != len(platform_list):
        raise ExperimentError("platforms repeat", column="--platforms", hint="list each once")
    try:
        start_day = start if isinstance(start, date) else date.fromisoformat(str(start))
    except ValueError as exc:
        raise ExperimentError(f"start {start!r} is not a date", column="--start",
                              hint="write it as YYYY-MM-DD") from exc
    if int(weeks) < 1:
        raise ExperimentError(f"--weeks is {weeks}", column="--weeks", hint="plan at least 1 week")
    k = int(posts_per_week)
    suggestion = len(arm_list) * max(1, k // len(arm_list))
    if k < len(arm_list) or k % len(arm_list):
        raise ExperimentError(
            f"{k} posts a week cannot be split evenly over {len(arm_list)} arms, so the "
            "schedule cannot be balanced", column="--posts-per-week",
            hint=f"use a multiple of {len(arm_list)}, e.g. {suggestion}")
    if k > 14:
        raise ExperimentError(f"{k} posts a week per platform is more than two a day",
                              column="--posts-per-week", hint="plan at most 14")
    return Design(str(name), str(hypothesis), arm_list, platform_list, start_day, int(weeks), k,
                  int(seed))


def _days_of_week(rng: np.random.Generator, k: int) -> list[int]:
    """Day offsets (0-6) for k posts in a week: weekdays first, never more than two a day."""
    if k <= 5:
        pool = [0, 1, 2, 3, 4]
    elif k <= 7:
        pool = list(range(7))
    else:
        pool = list(range(7)) * 2
    return sorted(int(d) for d in rng.choice(pool, size=k, replace=False))


def make_schedule(design: Design, topics: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per planned post, arms randomised within week × platform blocks.

    Args:
        design: The validated design.
        topics: Topic names to suggest (org.yaml order); for a topic experiment the first arm
            gets that topic and the others get the remaining topics.

    Returns:
        Frame with :data:`SCHEDULE_COLUMNS`, sorted by date, time and platform. ``local_time``
        is ``HH:MM`` in the organisation's zone. Each block holds every arm
        ``posts_per_week / len(arms)`` times.
    """
    rng = np.random.default_rng(design.seed)
    per_arm = design.posts_per_week // len(design.arms)
    rows = []
    topic_pool = [t for t in topics if t != design.hypothesis] or ["any"]
    for week in range(design.weeks):
        week_start = design.start + timedelta(days=7 * week)
        for platform in design.platforms:
            days = _days_of_week(rng, design.posts_per_week)
            arms = np.repeat(np.arange(len(design.arms)), per_arm)
            rng.shuffle(arms)  # the randomisation: which arm gets which slot of the block
            for day, arm_index in zip(days, arms, strict=True):
                arm = design.arms[int(arm_index)]
                if design.is_slot:
                    first, last = slot_window(arm)
                    hour = int(rng.integers(first, last))
                else:
                    hour = int(rng.choice(LABEL_HOURS))
                minute = int(rng.choice(MINUTES))
                topic_draw = int(rng.integers(len(topic_pool)))
                if design.hypothesis in topics and arm_index == 0:
                    topic = design.hypothesis
                else:
                    topic = topic_pool[topic_draw]
                when = week_start + timedelta(days=day)
                rows.append({
                    "date": when.isoformat(), "local_time": f"{hour:02d}:{minute:02d}",
                    "weekday": when.strftime("%a"), "week": week + 1,
                    "block": f"w{week + 1:02d}-{platform}", "platform": platform, "arm": arm,
                    "suggested_topic": topic,
                })
    frame = pd.DataFrame(rows, columns=[c for c in SCHEDULE_COLUMNS if c != "slot_id"])
    frame = frame.sort_values(["date", "local_time", "platform"], kind="stable")
    frame = frame.reset_index(drop=True)
    frame.insert(0, "slot_id", [f"S{i + 1:03d}" for i in range(len(frame))])
    return frame.astype({"week": "int64"})


def schedule_fingerprint(schedule: pd.DataFrame) -> str:
    """sha256 of the randomised content (slot, date, time, platform, arm) of a schedule."""
    cols = ["slot_id", "date", "local_time", "platform", "arm", "block"]
    text = schedule[cols].astype(str).to_csv(index=False, lineterminator="\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def slot_times(schedule: pd.DataFrame, tz: str) -> pd.Series:
    """Planned publish times as tz-aware timestamps in the organisation zone."""
    naive = pd.to_datetime(schedule["date"] + " " + schedule["local_time"],
                           format="%Y-%m-%d %H:%M")
    return naive.dt.tz_localize(tz, nonexistent="shift_forward", ambiguous=False)


def hootsuite_rows(schedule: pd.DataFrame, platform: str) -> pd.DataFrame:
    """Hootsuite bulk-composer rows for one platform (one file per social profile).

    Hootsuite's bulk composer reads a CSV with no header: column A the date and time
    (pick ``MM/DD/YYYY HH:mm``, 24-hour, when uploading), column B the message, column C an
    optional link. Minutes are multiples of 5, as it requires. The message is a placeholder
    naming the slot, arm and topic for the writer to replace.
    """
    rows = schedule.loc[schedule["platform"] == platform]
    when = pd.to_datetime(rows["date"] + " " + rows["local_time"], format="%Y-%m-%d %H:%M")
    return pd.DataFrame({
        "date_time": when.dt.strftime("%m/%d/%Y %H:%M"),
        "message": ("[" + rows["slot_id"] + " · arm " + rows["arm"] + " · topic "
                    + rows["suggested_topic"] + "] write the caption here"),
        "link": "",
    })
