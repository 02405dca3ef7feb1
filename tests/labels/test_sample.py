"""Labels on the generated sample organisation agree with the generator's truth."""

import json

import pandas as pd
import pytest

from workbench.labels import evaluate_labels, label_posts, measure_images
from workbench.schema import conform_posts

sample = pytest.importorskip("workbench.sample", reason="sample-data generator not available")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "raw"
    sample.generate_sample(out, seed=11, start="2024-01", end="2024-04")
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    if not (out / "media").is_dir():
        pytest.skip("the sample generator writes no images yet")
    return out, truth


def test_sample_posts_all_labelled_and_brand_colours_match_truth(generated, params):
    out, truth = generated
    true_posts = pd.DataFrame(truth["posts"])
    posts = conform_posts(true_posts, params["timezone"])
    images, problems = measure_images(out / "media", posts, params)
    assert problems == []
    labels = label_posts(posts, params, images=images)

    assert len(labels) == len(posts)
    assert labels[["human_centred", "topic", "label_version"]].notna().all().all()

    with_image = true_posts[true_posts["image"].notna()]
    assert len(with_image) >= 10 and len(images) == len(with_image)
    merged = labels.merge(with_image[["platform", "post_id", "brand_colours"]],
                          on=["platform", "post_id"], suffixes=("", "_true"))
    assert len(merged) == len(with_image)
    assert (merged["brand_colours"].astype(bool) == merged["brand_colours_true"]).all()
    assert merged["brand_colours_true"].nunique() == 2  # both kinds of image are present
    without = labels[~labels["post_id"].isin(with_image["post_id"])]
    assert without["brand_colours"].isna().all()

    report = evaluate_labels(labels, true_posts.astype({"human_centred": "boolean"}))
    print(f"\nRule labels vs sample truth:\n{report.to_string(index=False)}")
