"""A finished content experiment inside the sample organisation's history (opt-in).

`plan_sample_experiment` registers a human-centred-stories experiment (arms ``story`` and
``info``, Facebook and Instagram, 10 weeks × 4 posts a week per platform) ending about three
weeks before the sample's last month ends. `apply_experiment` replaces the calendar's posts on
those platforms and dates with the schedule, followed the way a small team follows one: most
posts go out on time from a scheduler, some a few minutes late, a few slots are missed, about
one post in ten does not match its arm (non-compliance), and two unplanned posts go out anyway.
The planted effect is the sample model's human-centred rate ratio, acting on what was actually
posted; the intention-to-treat ratio it implies is written to truth.json too.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from workbench.experiments.design import Design, make_design, make_schedule
from workbench.experiments.registry import build_registration
from workbench.sample.calendar import Creative, topic_names
from workbench.sample.captions import TEMPLATES, make_caption

NAME = "stories-vs-info"
ARMS = ("story", "info")
PLATFORMS = ("facebook", "instagram")
WEEKS = 10
POSTS_PER_WEEK = 4
P_NONCOMPLIANCE = 0.10
P_LATE = 0.30
N_MISSED = 3
N_OFF_SCHEDULE = 2
EXPERIMENT_FORMATS = ("photo", "carousel", "video")


def plan_sample_experiment(months: list[str], topics: list[str], seed: int, model_alpha: float,
                           ) -> tuple[Design, dict, object]:
    """The sample's registration and schedule (deterministic: no clock, no history files)."""
    from workbench.stats.power import mde

    last_y, last_m = int(months[-1][:4]), int(months[-1][5:7])
    first_of_last = date(last_y, last_m, 1)
    end_target = first_of_last + timedelta(days=7)  # ends in the first days of the last month
    start = end_target - timedelta(days=7 * WEEKS)
    start -= timedelta(days=start.weekday())  # a Monday
    design = make_design(NAME, "human_centred", ARMS, PLATFORMS, start, WEEKS, POSTS_PER_WEEK,
                         seed=seed, topics=topics)
    schedule = make_schedule(design, topics)
    value = mde(design.planned_per_arm, design.planned_per_arm, 30.0, model_alpha)
    power = {"history_window": "sample model", "history_posts": 0,
             "dispersion": model_alpha, "mean_interactions": 30.0, "mean_rate": None,
             "mde": round(float(value), 3), "underpowered": bool(value > 1.5)}
    registered = datetime(start.year, start.month, start.day, 9, 0, tzinfo=ZoneInfo("UTC")) \
        - timedelta(days=7)
    record = build_registration(design, power, schedule=schedule, registered_at=registered)
    return design, record, schedule


def apply_experiment(rng: np.random.Generator, creatives: list[Creative], design: Design,
                     schedule, params: dict, tag_every_post: bool = True
                     ) -> tuple[list[Creative], dict]:
    """Replace the experiment platforms' posts in its dates by the followed schedule.

    ``tag_every_post``: every post carries a local hashtag (False: about half of them).

    Returns:
        The new calendar (sorted by publish time) and the truth entry of the experiment.
    """
    tz = ZoneInfo(str(params["timezone"]))
    first = datetime(design.start.year, design.start.month, design.start.day, tzinfo=tz)
    last = first + timedelta(days=7 * design.weeks)
    kept: list[Creative] = []
    displaced = []
    for c in creatives:
        inside = first <= c.published_local < last
        if not inside or not set(c.platforms) & set(design.platforms):
            kept.append(c)
            continue
        rest = tuple(p for p in c.platforms if p not in design.platforms)
        if rest:
            kept.append(replace(c, platforms=rest))
        displaced.append(c)
    # A couple of unplanned posts still go out on the experiment's platforms (off-schedule).
    picks = rng.choice(len(displaced), size=min(N_OFF_SCHEDULE, len(displaced)), replace=False)
    off_schedule = []
    for i in sorted(int(x) for x in picks):
        c = displaced[i]
        kept.append(replace(c, platforms=(design.platforms[0],), creative_id=c.creative_id + "u"))
        off_schedule.append(c.creative_id + "u")

    missed = set(int(x) for x in rng.choice(len(schedule), size=N_MISSED, replace=False))
    local_tags = list(params.get("local_hashtags") or [])
    slots_truth = []
    for index, slot in enumerate(schedule.itertuples()):
        if index in missed:
            slots_truth.append({"slot_id": slot.slot_id, "posted": False})
            continue
        hour, minute = (int(x) for x in slot.local_time.split(":"))
        day = date.fromisoformat(slot.date)
        when = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
        if rng.random() < P_LATE:
            when += timedelta(minutes=int(rng.integers(3, 45)))
        assigned = slot.arm == design.arms[0]
        complied = bool(rng.random() >= P_NONCOMPLIANCE)
        human = assigned if complied else not assigned
        topic = slot.suggested_topic if slot.suggested_topic in TEMPLATES else "employment"
        fmt = EXPERIMENT_FORMATS[int(rng.integers(len(EXPERIMENT_FORMATS)))]
        french = bool(rng.random() < 0.25)
        drawn = bool(local_tags) and rng.random() < 0.5  # drawn in both profiles (one stream)
        tags = [local_tags[0]] if local_tags and (drawn or tag_every_post) else []
        caption, tags = make_caption(rng, topic, french, human, when, tags)
        brand = bool(rng.random() < 0.45)
        month = when.strftime("%Y-%m")
        kept.append(Creative(f"{month}-{slot.slot_id}", month, when, topic, french, human,
                             brand, fmt, caption, tags, (slot.platform,),
                             bool(fmt != "video" and rng.random() < 0.7), "weekday_day"))
        slots_truth.append({"slot_id": slot.slot_id, "posted": True, "arm": slot.arm,
                            "human_centred": human, "complied": complied,
                            "published_at": when.isoformat()})
    kept.sort(key=lambda c: c.published_local)
    return kept, {"slots": slots_truth, "off_schedule_creatives": off_schedule}


def expected_itt_ratio(effect: float, noncompliance: float = P_NONCOMPLIANCE) -> float:
    """Intention-to-treat rate ratio implied by an as-posted effect and symmetric flips."""
    c = noncompliance
    return ((1 - c) * effect + c) / ((1 - c) + c * effect)


def add_experiment(creatives: list[Creative], months: list[str], params: dict, seed: int,
                   model, tag_every_post: bool = True) -> tuple[list[Creative], dict]:
    """Plan the sample experiment and follow it in the calendar (own random stream).

    ``tag_every_post`` as `workbench.sample.calendar.CalendarSettings`: every experiment post
    carries a local hashtag (default profile) or about half of them (strategy profile).

    Returns:
        The new calendar and a payload for `finish_experiment`.
    """
    rng = np.random.default_rng([seed, 2024])  # separate stream: the default sample is unchanged
    topics = topic_names(params)
    design, record, schedule = plan_sample_experiment(months, topics, seed, model.alpha)
    creatives, followed = apply_experiment(rng, creatives, design, schedule, params,
                                           tag_every_post=tag_every_post)
    return creatives, {"record": record, "schedule": schedule, "followed": followed,
                       "effect": float(model.human_centred)}


def finish_experiment(out_dir, truth: dict, payload: dict, taken_at: datetime) -> None:
    """Write the registration under ``OUT/experiments/`` and the truth entry."""
    import os
    from pathlib import Path

    from workbench.experiments.registry import write_registration
    from workbench.io.atomic import write_bytes_atomic

    out_dir = Path(out_dir)
    registry = out_dir / "experiments"
    old = registry / f"{NAME}.yaml"
    if old.exists():  # an earlier sample's registration: the sample is rewritten as a whole
        old.unlink()
    path = write_registration(registry, payload["record"])
    schedule_path = write_bytes_atomic(registry / f"{NAME}.schedule.csv",
                                       payload["schedule"].to_csv(index=False).encode("utf-8"))
    # Keep `workbench ingest RAW` from reading the registration as an export.
    ignore = write_bytes_atomic(out_dir / ".workbenchignore", b"experiments\n")
    for written in (path, schedule_path, ignore):
        os.chmod(written, 0o644)
        os.utime(written, (taken_at.timestamp(), taken_at.timestamp()))
    effect = payload["effect"]
    slots = payload["followed"]["slots"]
    posted = [s for s in slots if s["posted"]]
    truth["experiment"] = {
        "name": NAME, "registry": "experiments", "hypothesis": "human_centred",
        "arms": list(ARMS), "planted_rate_ratio_as_posted": effect,
        "expected_rate_ratio_itt": round(expected_itt_ratio(effect), 4),
        "noncompliance_rate": P_NONCOMPLIANCE,
        "planned_n": len(slots), "posted_n": len(posted),
        "noncompliant_n": sum(1 for s in posted if not s["complied"]),
        "off_schedule_creatives": payload["followed"]["off_schedule_creatives"],
        "slots": slots,
    }
