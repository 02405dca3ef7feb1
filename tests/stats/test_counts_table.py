"""counts_table (the confounding checks' contingency table) against pandas' crosstab."""

import numpy as np
import pandas as pd
import pytest

from workbench.stats.hypotheses import counts_table


@pytest.mark.parametrize("seed", range(6))
def test_counts_table_is_crosstab(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 80))
    rows = pd.Series(rng.integers(0, 2, n), dtype="int64")
    columns = pd.Series(rng.choice(["video", "photo", "Zeta", "ämne", "10-14", "none"],
                                   n), dtype="string")
    expected = pd.crosstab(rows, columns).to_numpy()
    table = counts_table(rows, columns)
    assert table.shape == expected.shape
    np.testing.assert_array_equal(table, expected)
