import numpy as np
import pandas as pd
import pytest
from PIL import Image

from workbench.labels import brand_colour_share, brand_colour_shares, label_posts, measure_images
from workbench.labels.colour import hex_to_rgb, rgb_to_lab

BRAND = {"blue": "#1F4E9A", "yellow": "#F6C83E"}


def _image(rng, shares: dict[str, float], size=(80, 60), noise=3.0) -> np.ndarray:
    """An image whose pixels are brand colours in the given shares (rest grey-green)."""
    n = size[0] * size[1]
    pixels = np.tile(np.array([90, 140, 100], dtype=float), (n, 1))
    order = rng.permutation(n)
    start = 0
    for name, share in shares.items():
        k = int(round(share * n))
        pixels[order[start:start + k]] = hex_to_rgb(BRAND[name])
        start += k
    pixels += rng.normal(0, noise, pixels.shape)  # JPEG-like noise
    return np.clip(pixels, 0, 255).astype(np.uint8).reshape(size[1], size[0], 3)


def test_lab_reference_values():
    # CIE reference: white D65 -> (100, 0, 0); sRGB red -> (53.24, 80.09, 67.20).
    assert rgb_to_lab(np.array([255, 255, 255])) == pytest.approx([100, 0, 0], abs=0.01)
    assert rgb_to_lab(np.array([255, 0, 0])) == pytest.approx([53.24, 80.09, 67.20], abs=0.05)


@pytest.mark.parametrize("blue,yellow", [(0.0, 0.0), (0.1, 0.05), (0.4, 0.25), (0.7, 0.3)])
def test_share_recovers_planted_share(rng, blue, yellow):
    img = _image(rng, {"blue": blue, "yellow": yellow})
    assert brand_colour_share(img, BRAND, 20) == pytest.approx(blue + yellow, abs=0.01)
    per = brand_colour_shares(img, BRAND, 20)
    assert per["blue"] == pytest.approx(blue, abs=0.01)
    assert per["yellow"] == pytest.approx(yellow, abs=0.01)


def test_threshold_is_a_distance_in_lab(rng):
    img = _image(rng, {"blue": 0.5}, noise=0)
    shifted = np.clip(img.astype(int) + [0, 0, 25], 0, 255).astype(np.uint8)  # a bluer blue
    assert brand_colour_share(shifted, BRAND, 3) == 0.0
    assert brand_colour_share(shifted, BRAND, 30) == pytest.approx(0.5, abs=0.01)


def test_transparent_pixels_are_ignored(rng):
    img = np.zeros((10, 10, 4), dtype=np.uint8)
    img[:5, :, :3] = hex_to_rgb(BRAND["yellow"])
    img[:5, :, 3] = 255  # the rest is fully transparent
    assert brand_colour_share(img, list(BRAND.values()), 20) == 1.0


def test_measure_images_and_labels(tmp_path, rng, posts, params):
    media = tmp_path / "media"
    chosen = posts.iloc[:3]
    truth = {}
    pairs = zip(chosen["platform"], chosen["post_id"], strict=True)
    for k, (platform, post_id) in enumerate(pairs):
        (media / platform).mkdir(parents=True, exist_ok=True)
        share = [0.6, 0.02, 0.3][k]
        Image.fromarray(_image(rng, {"blue": share})).save(media / platform / f"{post_id}.png")
        truth[post_id] = share >= params["labels"]["brand_share_threshold"]
    bad = posts.iloc[3]
    (media / bad["platform"]).mkdir(parents=True, exist_ok=True)
    (media / bad["platform"] / f"{bad['post_id']}.jpg").write_bytes(b"\xff\xd8 not really")

    images, problems = measure_images(media, posts, params)
    assert len(images) == 3
    assert len(problems) == 1
    assert f"{bad['post_id']}.jpg" in problems[0].one_line()
    assert "cannot read the image" in problems[0].one_line()

    labels = label_posts(posts, params, images=images)
    by_id = labels.set_index("post_id")
    for post_id, expected in truth.items():
        assert bool(by_id.loc[post_id, "brand_colours"]) is expected
        assert by_id.loc[post_id, "label_source"] == "image"
    others = labels[~labels["post_id"].isin(list(truth))]
    assert others["brand_colours"].isna().all()  # never guessed
    assert others["brand_colour_share"].isna().all()


def test_no_media_folder_gives_no_measurements(tmp_path, posts, params):
    images, problems = measure_images(tmp_path / "missing", posts, params)
    assert images.empty and problems == []
    assert isinstance(images, pd.DataFrame) and "brand_colour_share" in images
