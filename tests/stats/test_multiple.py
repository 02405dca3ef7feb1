import numpy as np
import pytest

from workbench.stats.multiple import adjust_family, bh_adjust, holm_adjust


def test_bh_hand_computed():
    # sorted p: .01 .03 .04 .20, m = 4: .04, .06 -> min(.06, .0533), .0533, .20
    out = bh_adjust([0.01, 0.04, 0.03, 0.20, None])
    np.testing.assert_allclose(out[:4], [0.04, 0.16 / 3, 0.16 / 3, 0.20])
    assert np.isnan(out[4])


def test_holm_hand_computed():
    np.testing.assert_allclose(holm_adjust([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])
    np.testing.assert_allclose(holm_adjust([0.001, 0.5]), [0.002, 0.5])


def test_family_split_registered_holm_rest_bh():
    ids = ["human_centred", "brand_colours", "topic:a", "topic:b"]
    p = [0.01, 0.02, 0.03, float("nan")]
    out = adjust_family(ids, p, registered=["human_centred", "brand_colours"])
    np.testing.assert_allclose(out[:2], [0.02, 0.02])  # Holm over two
    assert out[2] == pytest.approx(0.03)  # BH over a family of one
    assert np.isnan(out[3])
