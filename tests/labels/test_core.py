import pandas as pd
import pytest

from workbench.labels import join_labels, label_posts
from workbench.labels.rules import topic_names
from workbench.schema import LABELS_COLUMNS, LABELS_DTYPES


def test_every_post_gets_canonical_labels(posts, params):
    before = posts.copy(deep=True)
    labels = label_posts(posts, params)
    pd.testing.assert_frame_equal(posts, before)  # input untouched
    assert list(labels.columns[: len(LABELS_COLUMNS)]) == list(LABELS_COLUMNS)
    for col, dtype in LABELS_DTYPES.items():
        assert str(labels[col].dtype) == dtype, col
    assert len(labels) == len(posts)
    assert labels[["platform", "post_id"]].equals(posts[["platform", "post_id"]])
    assert labels["human_centred"].notna().all() and labels["topic"].notna().all()
    assert set(labels["topic"]) <= set(topic_names(params))
    assert set(labels["audience"].dropna()) <= set(params["audiences"])
    assert labels["brand_colours"].isna().all()  # no images, no overrides
    assert (labels["label_source"] == "rule").all()
    assert labels["label_version"].str.startswith("rules-").all()


def test_local_hashtag_flag_uses_caption_and_export_list(posts, params):
    posts = posts.assign(caption="Nothing tagged here",
                         hashtags=[["#LdnOnt"] if i % 2 else [] for i in range(len(posts))])
    labels = label_posts(posts, params)
    assert labels["local_hashtag"].tolist() == [bool(i % 2) for i in range(len(posts))]


def test_overrides_win_field_by_field(posts, params):
    rules = label_posts(posts, params)
    first, second = posts.iloc[0], posts.iloc[1]
    new_topic = next(t for t in topic_names(params) if t != rules.loc[0, "topic"])
    overrides = pd.DataFrame({
        "platform": [first["platform"], second["platform"], "facebook"],
        "post_id": [first["post_id"], second["post_id"], "no-such-post"],
        "topic": [new_topic, pd.NA, "housing"],
        "human_centred": [pd.NA, not rules.loc[1, "human_centred"], True],
        "brand_colours": [True, pd.NA, pd.NA],
    })
    labels = label_posts(posts, params, overrides=overrides)
    assert labels.loc[0, "topic"] == new_topic
    assert labels.loc[0, "rule_topic"] == rules.loc[0, "topic"]
    assert labels.loc[0, "human_centred"] == rules.loc[0, "human_centred"]
    assert bool(labels.loc[0, "brand_colours"]) is True
    assert labels.loc[0, "overridden_fields"] == "topic,brand_colours"
    assert labels.loc[1, "human_centred"] != rules.loc[1, "human_centred"]
    assert labels.loc[1, "topic"] == rules.loc[1, "topic"]
    assert labels.loc[[0, 1], "label_source"].tolist() == ["override", "override"]
    assert (labels.loc[2:, "label_source"] == "rule").all()
    assert len(labels) == len(posts)


def test_join_labels_keeps_every_post(posts, params):
    labels = label_posts(posts, params).iloc[:-2]  # two posts without labels
    joined = join_labels(posts, labels)
    assert len(joined) == len(posts)
    assert list(joined.columns[: len(posts.columns)]) == list(posts.columns)
    assert {"human_centred", "topic", "brand_colours"} <= set(joined.columns)
    assert joined["topic"].isna().sum() == 2


def test_join_labels_refuses_duplicate_labels(posts, params):
    labels = label_posts(posts, params)
    with pytest.raises(ValueError, match="labels has several rows for post"):
        join_labels(posts, pd.concat([labels, labels.iloc[:1]]))
