import math

import numpy as np
import pandas as pd
import pytest

from workbench.stats.nb import design_matrix, fit_nb, lr_p, merge_sparse_levels


def nb_data(n=400, irr=1.5, alpha=0.5, seed=1):
    rng = np.random.default_rng(seed)
    label = rng.random(n) < 0.4
    fmt = rng.choice(["photo", "video", "link"], n, p=[0.5, 0.3, 0.2])
    exposure = np.round(np.exp(rng.normal(np.log(1500), 1, n))) + 1
    mu = 0.03 * exposure * irr**label * np.where(fmt == "video", 1.5, 1.0)
    y = rng.negative_binomial(1 / alpha, 1 / (1 + alpha * mu))
    return pd.DataFrame({"y": y, "exposure": exposure, "label": label, "fmt": fmt})


def test_planted_irr_and_alpha_recovered():
    data = nb_data()
    fit = fit_nb(data, "y", "exposure", ["label", "fmt"])
    assert fit.converged and fit.family == "negbin"
    low, high = fit.ci("label")
    assert low < 1.5 < high
    assert fit.irr("label") == pytest.approx(1.5, rel=0.15)
    assert fit.alpha == pytest.approx(0.5, rel=0.3)
    assert fit.irr("fmt[video]") == pytest.approx(1.5, rel=0.2)
    # Reference level = most frequent (photo): no photo column.
    assert "fmt[photo]" not in fit.params.index
    assert fit.k == 4 and fit.df_resid == len(data) - 4


def test_max_se_rule_and_t_inference():
    fit = fit_nb(nb_data(), "y", "exposure", ["label", "C(fmt)"])
    assert (fit.se >= fit.se_model - 1e-12).all() and (fit.se >= fit.se_robust - 1e-12).all()
    b, se = fit.params["label"], fit.se["label"]
    from scipy import stats
    assert fit.p_value("label") == pytest.approx(2 * stats.t.sf(abs(b / se), fit.df_resid))
    table = fit.to_frame()
    assert list(table.columns) == ["term", "irr", "ci_low", "ci_high", "p_value", "se_model",
                                   "se_robust", "se"]
    assert "alpha" not in set(table["term"])


def test_small_sample_corrected_ses_match_a_hand_computation():
    """Model SE = statsmodels' × √(n/(n−k)); robust SE = HC3: statsmodels' own scores (numerical
    derivatives) divided by 1 − leverage, the hat matrix built explicitly, statsmodels' bread."""
    import statsmodels.api as sm

    data = nb_data(n=120)
    fit = fit_nb(data, "y", "exposure", ["label"])
    exog = sm.add_constant(data["label"].astype(float))
    model = sm.NegativeBinomial(data["y"], exog, offset=np.log(data["exposure"]))
    ref = model.fit(disp=0)
    n, k = 120, 2
    assert fit.se_model["label"] == pytest.approx(ref.bse["label"] * math.sqrt(n / (n - k)),
                                                  rel=1e-3)
    alpha = ref.params.iloc[-1]
    mu = ref.predict()
    x = exog.to_numpy()
    w_half = np.diag(np.sqrt(mu / (1 + alpha * mu)))
    hat = np.diag(w_half @ x @ np.linalg.inv(x.T @ w_half @ w_half @ x) @ x.T @ w_half)
    scores = model.score_obs(ref.params.to_numpy()) / (1 - hat)[:, None]
    bread = np.linalg.inv(-model.hessian(ref.params.to_numpy()))
    cov = bread @ scores.T @ scores @ bread
    assert fit.se_robust["label"] == pytest.approx(math.sqrt(cov[1, 1]), rel=1e-3)
    hc0 = model.fit(disp=0, cov_type="HC0").bse["label"]
    assert fit.se_robust["label"] > hc0  # the leverage correction only ever widens


def test_covariate_model_recovers_elasticity():
    rng = np.random.default_rng(3)
    n = 600
    exposure = np.round(np.exp(rng.normal(np.log(1500), 1, n))) + 1
    mu = 0.03 * exposure**0.8 * 1500**0.2
    y = rng.negative_binomial(1 / 0.5, 1 / (1 + 0.5 * mu))
    data = pd.DataFrame({"y": y, "exposure": exposure, "label": rng.random(n) < 0.5})
    fit = fit_nb(data, "y", "exposure", ["label"], offset=False)
    assert fit.params["log_exposure_c"] == pytest.approx(0.8, abs=0.08)


def test_poisson_fallback_at_alpha_boundary():
    rng = np.random.default_rng(4)
    exposure = rng.integers(500, 5000, 300).astype(float)
    label = rng.random(300) < 0.5
    data = pd.DataFrame({"y": rng.poisson(0.02 * exposure), "exposure": exposure,
                         "label": label})
    fit = fit_nb(data, "y", "exposure", ["label"])
    assert fit.converged
    if fit.family == "poisson":
        assert "no overdispersion detected" in " ".join(fit.notes)
    assert fit.alpha < 0.05


def test_not_converged_reports_nothing():
    data = pd.DataFrame({"y": [1.0, 2.0], "exposure": [10.0, 20.0], "label": [True, False]})
    fit = fit_nb(data, "y", "exposure", ["label"])
    assert not fit.converged
    assert math.isnan(fit.irr("label") if "label" in fit.params.index else float("nan"))


def test_lr_and_wald_and_sparse_levels():
    data = nb_data(irr=1.0)
    full = fit_nb(data, "y", "exposure", ["label", "fmt"])
    reduced = fit_nb(data, "y", "exposure", ["label"])
    assert 0 < lr_p(full, reduced) < 1e-3  # video effect is real
    assert full.wald_p(["fmt[video]", "fmt[link]"]) < 1e-3
    sparse = data.assign(fmt=np.where(np.arange(len(data)) < 3, "live", data["fmt"]))
    merged, names = merge_sparse_levels(sparse, "fmt", min_count=5)
    assert names == ["live"] and "other" in set(merged["fmt"])
    assert "live" in set(sparse["fmt"])  # input untouched
    exog = design_matrix(merged, ["fmt"])
    assert list(exog.columns)[0] == "Intercept"


def test_analytic_nb2_scores_match_statsmodels():
    """The closed-form NB2 scores (used by the sandwich) equal statsmodels' numeric ones."""
    import statsmodels.api as sm

    from workbench.stats.nb import score_obs

    rng = np.random.default_rng(3)
    n = 400
    exog = sm.add_constant(rng.normal(size=(n, 3)))
    offset = rng.normal(size=n)
    mu = np.exp(exog @ np.array([0.4, 0.3, -0.2, 0.1]) + offset)
    y = rng.negative_binomial(1 / 0.6, 1 / (1 + 0.6 * mu))
    model = sm.NegativeBinomial(y, exog, offset=offset, loglike_method="nb2")
    params = np.asarray(model.fit(disp=0).params)
    numeric = model.score_obs(params)
    assert np.allclose(score_obs(model, params), numeric, rtol=1e-8, atol=1e-10)
    poisson = sm.Poisson(y, exog, offset=offset)
    p_params = np.asarray(poisson.fit(disp=0).params)
    assert np.array_equal(score_obs(poisson, p_params), poisson.score_obs(p_params))


def test_constant_and_collinear_columns_are_left_out_and_named():
    data = nb_data(n=200).assign(
        constant=1.0,
        twin=lambda f: f["label"].astype("float64"),  # the label again
        missing=lambda f: np.where(np.arange(len(f)) % 10 == 0, np.nan, 2.0),
    )
    data.loc[data.index[:5], "exposure"] = 0  # no exposure: left out like a missing value
    fit = fit_nb(data, "y", "exposure", ["label", "constant", "twin", "fmt"])
    assert fit.converged
    assert fit.dropped_columns == ("constant", "twin")  # the earlier of the twins stays
    assert list(fit.params.index) == ["Intercept", "label", "fmt[link]", "fmt[video]"]
    assert any(note == "left out (constant or collinear): constant, twin"
               for note in fit.notes)
    assert fit.n == 195 and list(fit.mu.index) == list(data.index[5:])
    # a term with missing values leaves those posts out (20 of them, one among the first 5)
    with_missing = fit_nb(data, "y", "exposure", ["label", "missing"])
    assert with_missing.n == 200 - 5 - 19
    assert with_missing.dropped_columns == ("missing",)  # constant where it is known
