"""The stratified shift test's interval and p agree at a tie (p exactly alpha)."""

import numpy as np

from workbench.stats.hypotheses import stratified_shift_test


def test_p_equal_to_alpha_keeps_no_difference_inside_the_interval():
    # 10 labelled posts far above 10 others: no shuffle of 19 is as extreme, so p is the
    # smallest the resolution allows, (1 + 0) / (19 + 1) = 0.05 = alpha. A label needs
    # p < alpha, so "no difference" (ratio 1) must not lie outside the interval.
    log_rate = np.r_[np.linspace(-2.0, -1.5, 10), np.linspace(-5.0, -4.5, 10)]
    label = np.r_[np.ones(10, dtype=int), np.zeros(10, dtype=int)]
    ratio, low, high, p = stratified_shift_test(log_rate, label, np.zeros(20), n_resamples=19,
                                                seed=1)
    assert p == 0.05
    assert ratio > 10
    # with 19 shuffles no shift at all can reach p < 0.05: the bounds are open (NaN),
    # never an interval that excludes 1 while the label says "not significant"
    assert np.isnan(low) or low <= 1.0
    assert np.isnan(high) or high >= ratio
