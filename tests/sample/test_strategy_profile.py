"""The strategy sample profile: separate hooks, planted truth, files via --profile."""

import numpy as np

from workbench.sample.calendar import CalendarSettings, build_calendar, month_list
from workbench.sample.generator import generate_sample
from workbench.sample.outcomes import Model, StrategyPlant, draw_posts
from workbench.sample.strategy import PROFILE, strategy_sample


def _draw(plant):
    rng = np.random.default_rng(3)
    months = month_list("2024-01", "2024-04")
    creatives = build_calendar(rng, months, PROFILE, CalendarSettings())
    return draw_posts(rng, creatives, months, Model(), "x", plant=plant)


def test_inactive_plant_leaves_the_default_draws_unchanged():
    neutral = StrategyPlant(hashtag_reach=1.0, frequency_decay=1.0, strong_month=None)
    base, same = _draw(None), _draw(neutral)
    assert [(p.post_id, p.reach, p.interactions) for p in base] == [
        (p.post_id, p.reach, p.interactions) for p in same]


def test_plant_changes_reach_and_records_truth():
    posts, truth = strategy_sample(seed=2, start="2024-01", end="2024-06")
    effects = truth["strategy"]
    assert effects["hashtag_reach"] == 1.3 and effects["frequency_knot"] == 3
    strong = effects["strong_post_id"]
    row = posts.loc[posts["post_id"] == strong].iloc[0]
    assert row["platform"] == "linkedin" and row["published_at"].strftime("%Y-%m") == "2024-06"
    tagged = [p["local_hashtag"] for p in truth["posts"]]
    assert 0.3 < np.mean(tagged) < 0.7  # not every post carries the local hashtags


def test_generate_sample_strategy_profile(tmp_path):
    params = {**PROFILE, "platforms": {}}
    truth = generate_sample(tmp_path / "s", seed=4, start="2024-01", end="2024-03",
                            params=params, profile="strategy")
    assert truth["strategy"]["strong_post_id"] in {p["post_id"] for p in truth["posts"]}
    default = generate_sample(tmp_path / "d", seed=4, start="2024-01", end="2024-03",
                              params=params)
    assert "strategy" not in default


def test_default_profile_tags_every_post_and_keeps_the_draws():
    """The default sample tags every creative with the local hashtags (the agency's practice);
    the strategy profile about half. Tagging draws nothing, so the two calendars and their
    default-sample outcomes are the same draws, captions aside."""
    months = month_list("2024-01", "2024-06")
    every = build_calendar(np.random.default_rng(5), months, PROFILE, CalendarSettings())
    partial = build_calendar(np.random.default_rng(5), months, PROFILE,
                             CalendarSettings(tag_every_post=False))
    local = {t.casefold() for t in PROFILE["local_hashtags"]}

    def tagged(c):
        return any(t.casefold() in local for t in c.hashtags)

    assert all(tagged(c) for c in every)
    assert 0.3 < np.mean([tagged(c) for c in partial]) < 0.7
    assert [(c.creative_id, c.published_local, c.topic, c.format, c.platforms)
            for c in every] == [(c.creative_id, c.published_local, c.topic, c.format,
                                 c.platforms) for c in partial]
    for c, d in zip(every, partial, strict=True):
        assert c.caption.split("\n")[0] == d.caption.split("\n")[0]
        if tagged(d):
            assert c.hashtags == d.hashtags
    rng_a, rng_b = np.random.default_rng(6), np.random.default_rng(6)
    a = draw_posts(rng_a, every, months, Model(), "x")
    b = draw_posts(rng_b, partial, months, Model(), "x")
    assert [(p.post_id, p.reach, p.interactions) for p in a] == [
        (p.post_id, p.reach, p.interactions) for p in b]
