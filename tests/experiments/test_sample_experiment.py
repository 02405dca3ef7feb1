"""The sample organisation's finished experiment, end to end (sample → ingest → analyse)."""

import json

import pytest

from workbench.cli import main
from workbench.experiments.core import analyze_tables
from workbench.experiments.registry import read_registration


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from workbench.io.ingest import ingest
    from workbench.labels import run_label
    from workbench.sample import generate_sample
    from workbench.sample.profile import sample_params

    root = tmp_path_factory.mktemp("sample")
    params = sample_params()
    truth = generate_sample(root / "raw", seed=7, start="2024-04", end="2024-09", params=params,
                            experiment=True)
    ingest(root / "raw", root / "processed", params)
    run_label(root / "processed", params)
    return root, truth, params


def test_interval_covers_the_planted_effect(sample):
    from workbench.io.tables import load_tables

    root, truth, params = sample
    exp = truth["experiment"]
    record = read_registration(root / "raw" / exp["registry"], exp["name"])
    result = analyze_tables(record, load_tables(root / "processed"), params, n_resamples=499)
    p = result.primary
    assert p.ci_low <= exp["expected_rate_ratio_itt"] <= p.ci_high
    assert result.matched_n == exp["posted_n"]
    assert len(result.matching.off_schedule) == len(exp["off_schedule_creatives"])
    assert result.compliance < 1


def test_cli_analyze_writes_notebook_html_and_results(sample, capsys, sample_params_dir):
    root, truth, _ = sample
    # the sample organisation's profile, not params/org.yaml (which belongs to the adopter)
    args = ["--params-dir", str(sample_params_dir), "experiment", "analyze",
            truth["experiment"]["name"], "--processed",
            str(root / "processed"), "--registry", str(root / "raw" / "experiments"),
            "--reports", str(root / "reports")]
    assert main(args) == 0
    out = root / "reports" / "experiments" / truth["experiment"]["name"]
    results = json.loads((out / "results.json").read_text())
    assert {"planned_n", "matched_n", "compliance"} <= set(results["hypotheses"][0])
    html = (out / "report.html").read_text()
    assert "We tested whether" in html and "notebook_analysis" not in html
    assert (out / "experiment_analysis.ipynb").exists()


def test_cli_new_refuses_a_start_in_the_past(sample, capsys, sample_params_dir):
    root, _, _ = sample
    code = main(["--params-dir", str(sample_params_dir), "experiment", "new", "late",
                 "--hypothesis", "human_centred", "--arms",
                 "story,info", "--platforms", "facebook", "--start", "2024-05-06", "--weeks",
                 "4", "--posts-per-week", "2", "--processed", str(root / "processed"),
                 "--registry", str(root / "reg"), "--reports", str(root / "reports")])
    assert code == 2
    assert "in the past of the data" in capsys.readouterr().err
    assert not (root / "reg").exists()
