import pytest

from workbench.errors import WorkbenchError
from workbench.stats.power import (
    is_underpowered,
    mde,
    mde_from_se,
    posts_needed,
    power_at,
    power_banner,
)

# statistics.md §7.2 (μ0 = 45, 40 % labelled): total posts -> {α: (power at 1.3, MDE80)}
REFERENCE = {
    20: {0.3: (0.17, 2.05), 0.7: (0.10, 2.94), 1.2: (0.08, 4.09)},
    40: {0.3: (0.30, 1.66), 0.7: (0.16, 2.15), 1.2: (0.11, 2.71)},
    80: {0.3: (0.53, 1.43), 0.7: (0.27, 1.72), 1.2: (0.18, 2.02)},
    160: {0.3: (0.82, 1.29), 0.7: (0.48, 1.47), 1.2: (0.31, 1.65)},
    330: {0.3: (0.99, 1.19), 0.7: (0.79, 1.31), 1.2: (0.56, 1.42)},
    500: {0.3: (1.00, 1.16), 0.7: (0.92, 1.24), 1.2: (0.74, 1.33)},
}


@pytest.mark.parametrize("total", sorted(REFERENCE))
def test_reference_table(total):
    for dispersion, (expected_power, expected_mde) in REFERENCE[total].items():
        n1, n0 = 0.4 * total, 0.6 * total
        assert power_at(1.3, n1, n0, 45, dispersion) == pytest.approx(expected_power, abs=0.01)
        assert mde(n1, n0, 45, dispersion) == pytest.approx(expected_mde, abs=0.01)


def test_posts_needed_and_vif():
    assert posts_needed(1.3, mu0=45, dispersion=0.7) == pytest.approx(335, abs=15)
    assert posts_needed(1.3, mu0=45, dispersion=0.3) == pytest.approx(155, abs=10)
    assert mde(64, 96, 45, 0.7, vif=1.5) > mde(64, 96, 45, 0.7)
    assert mde_from_se(0.1) == pytest.approx(1.323, abs=0.002)


def test_banner_and_flag():
    assert is_underpowered(1.6) and not is_underpowered(1.4)
    assert power_banner(2.15, 40).startswith("Underpowered: with 40 posts")
    assert "×2.1" in power_banner(2.149, 40)
    assert power_banner(1.4, 200).startswith("Limited power")
    assert power_banner(1.2, 500) is None


def test_empty_group_is_a_user_error():
    with pytest.raises(WorkbenchError, match="both groups"):
        mde(0, 10, 45, 0.7)
