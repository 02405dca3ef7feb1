import numpy as np
import pandas as pd

from workbench.stats.hypotheses import run_hypotheses
from workbench.stats.outcomes import (
    REASON_TIKTOK_SELECTION,
    prepare_posts,
    tiktok_top_list_posts,
)
from workbench.stats.simulate import simulate_posts, tiktok_exports

PARAMS = {"seed": 1, "permutations": 199, "window_months": 6}


def test_truncated_tiktok_export_is_excluded_and_counted():
    posts = tiktok_exports(np.random.default_rng(1), 60, files=2, top=13)
    assert posts["source_file"].value_counts().max() == 13
    prepared = prepare_posts(posts)
    assert prepared.n == 0
    row = prepared.excluded.set_index("reason").loc[REASON_TIKTOK_SELECTION]
    assert row["count"] == 26 and len(row["post_ids"]) == 26
    assert any("top videos" in n for n in prepared.notes)


def test_complete_tiktok_export_is_kept():
    posts = tiktok_exports(np.random.default_rng(1), 60, files=2, top=None)
    prepared = prepare_posts(posts)
    assert prepared.n == 60
    assert REASON_TIKTOK_SELECTION not in set(prepared.excluded["reason"])


def test_rule_per_post_and_opt_out():
    posts = tiktok_exports(np.random.default_rng(2), 60, files=2, top=None)
    short = posts[posts["source_file"] == "tiktok_0.zip"].head(12)
    # a post also listed in a complete export is not a top-list selection
    both = posts.head(1).assign(source_file="tiktok_top.zip")
    table = pd.concat([short.assign(source_file="tiktok_top.zip"), both,
                       posts[posts["source_file"] == "tiktok_1.zip"]], ignore_index=True)
    flagged = tiktok_top_list_posts(table)
    in_complete = table["post_id"].isin(posts.loc[posts["source_file"] == "tiktok_1.zip",
                                                  "post_id"])
    assert (flagged == ~in_complete).all()
    assert not tiktok_top_list_posts(table, None).any()
    assert prepare_posts(short, tiktok_top_list_rows=None).n == 12
    # no source_file: cannot count, never flagged
    assert not tiktok_top_list_posts(short.assign(source_file=pd.NA)).any()


def test_hypotheses_run_without_tiktok_top_list():
    rng = np.random.default_rng(3)
    fb, labels = simulate_posts(rng, 160)
    tt = tiktok_exports(rng, 60, files=2, top=13)
    tt_labels = labels.head(len(tt)).assign(platform="tiktok", post_id=tt["post_id"].to_numpy())
    posts = pd.concat([fb, tt], ignore_index=True)
    table = run_hypotheses(posts, pd.concat([labels, tt_labels], ignore_index=True), PARAMS,
                           "2024-06")
    assert "tiktok" not in {r.platform for r in table}
    assert table.prepared.excluded.set_index("reason").loc[REASON_TIKTOK_SELECTION,
                                                           "count"] == 26


def test_short_complete_file_kept_and_recorded_row_count_wins():
    posts = tiktok_exports(np.random.default_rng(4), 30, files=1, top=None)
    five = posts.head(5)
    # a 5-video month is below TikTok's 12-13 cap: the export is complete
    assert not tiktok_top_list_posts(five).any()
    # a capped 13-row file of which deduplication left 3 rows is still a top list
    capped = posts.head(3).assign(source_rows=13)
    assert tiktok_top_list_posts(capped).all()
