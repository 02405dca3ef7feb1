import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import ExperimentError
from workbench.experiments.design import hootsuite_rows, make_design, make_schedule

TOPICS = ["employment", "housing", "youth"]


@settings(max_examples=40, deadline=None)
@given(arms=st.integers(2, 4), per_arm=st.integers(1, 3), weeks=st.integers(1, 6),
       n_platforms=st.integers(1, 3), seed=st.integers(0, 2**31))
def test_schedule_balanced_within_every_block_and_reproducible(arms, per_arm, weeks,
                                                               n_platforms, seed):
    names = ["morning", "midday", "afternoon", "evening"][:arms] if arms > 2 else ["a", "b"]
    hypothesis = "slot" if arms > 2 else "human_centred"
    if arms > 2:
        names = ["early", "midday", "evening", "night"][:arms]
    platforms = ["facebook", "instagram", "linkedin"][:n_platforms]
    design = make_design("x", hypothesis, names, platforms, "2025-01-06", weeks, arms * per_arm,
                         seed=seed, topics=TOPICS)
    schedule = make_schedule(design, TOPICS)
    assert len(schedule) == design.planned_n
    counts = schedule.groupby(["block", "arm"]).size()
    assert (counts == per_arm).all() and len(counts) == weeks * n_platforms * arms
    assert schedule.equals(make_schedule(design, TOPICS))
    assert schedule["slot_id"].is_unique
    assert set(schedule["local_time"].str[-2:]) <= {"00", "15", "30", "45"}


def test_different_seeds_give_different_assignments():
    designs = [make_design("x", "human_centred", "story,info", "facebook", "2025-01-06", 8, 4,
                           seed=s) for s in (1, 2)]
    a, b = (make_schedule(d) for d in designs)
    assert not a["arm"].equals(b["arm"])


def test_slot_arms_get_times_inside_their_window():
    design = make_design("x", "slot", "morning,evening", "facebook", "2025-01-06", 4, 4, seed=3)
    schedule = make_schedule(design)
    hours = schedule["local_time"].str[:2].astype(int)
    assert hours[schedule["arm"] == "morning"].between(9, 11).all()
    assert hours[schedule["arm"] == "evening"].between(17, 20).all()


def test_hootsuite_rows_have_date_message_link():
    design = make_design("x", "human_centred", "story,info", "facebook,instagram", "2025-01-06",
                         1, 2, seed=3)
    rows = hootsuite_rows(make_schedule(design), "facebook")
    assert list(rows.columns) == ["date_time", "message", "link"]
    assert rows["date_time"].str.match(r"^\d\d/\d\d/2025 \d\d:\d\d$").all()


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"arms": "story"}, "at least two arms"),
    ({"arms": "story,story"}, "arms repeat"),
    ({"posts_per_week": 3}, "cannot be balanced"),
    ({"hypothesis": "colour"}, "unknown hypothesis"),
    ({"platforms": "myspace"}, "unknown platform"),
    ({"start": "06/01/2025"}, "not a date"),
    ({"hypothesis": "slot", "arms": "morning,midday"}, "overlap"),
    ({"hypothesis": "slot", "arms": "morning,brunch"}, "not a posting window"),
    ({"name": "Bad Name"}, "not a simple name"),
])
def test_bad_designs_are_refused_with_a_hint(kwargs, match):
    args = {"name": "x", "hypothesis": "human_centred", "arms": "story,info",
            "platforms": "facebook", "start": "2025-01-06", "weeks": 4, "posts_per_week": 4,
            **kwargs}
    with pytest.raises(ExperimentError, match=match) as info:
        make_design(**args, topics=TOPICS)
    assert "Hint:" in str(info.value)
