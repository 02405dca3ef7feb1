import pandas as pd
import pytest

from tests.experiments import simdata as S
from workbench.config import PROJECT_ROOT
from workbench.errors import ConfigError
from workbench.experiments import decisions_review, experiments_status
from workbench.experiments.core import plan_experiment
from workbench.experiments.decisions import previous_month, read_decisions
from workbench.experiments.design import make_design
from workbench.experiments.registry import write_registration


def _two_months(seed=0, share_before=0.3, share_after=0.6, n=60):
    rng = __import__("numpy").random.default_rng(seed)
    frames, labels = [], []
    for month, share in (("2025-03", share_before), ("2025-04", share_after)):
        start = pd.Timestamp(f"{month}-01 10:00").tz_localize(S.TZ)
        local = [start + pd.Timedelta(hours=int(h)) for h in rng.integers(0, 24 * 27, n)]
        reach = rng.integers(300, 900, n)
        y = S.nb_draw(rng, reach * 0.05, 0.5)
        ids = [f"{month}-{i}" for i in range(n)]
        frames.append(S._frame(["facebook"] * n, ids, local, y, reach))
        labels.append(pd.DataFrame({"platform": "facebook", "post_id": ids,
                                    "human_centred": rng.random(n) < share,
                                    "brand_colours": False, "topic": "housing"}))
    return {"posts": pd.concat(frames, ignore_index=True),
            "labels": pd.concat(labels, ignore_index=True).astype(
                {"platform": "string", "post_id": "string", "human_centred": "boolean",
                 "brand_colours": "boolean", "topic": "string"})}


DECISIONS = """decisions:
  - month: "2025-03"
    decision: More story posts on Facebook
    rationale: suggestive result
    metric: engagement_rate
    platform: facebook
    expected: increase
    mix: {label: human_centred, direction: increase}
  - month: "2025-01"
    decision: Older decision, not reviewed in April
"""


def test_decisions_review_renders_mix_and_metric_without_causal_claim(tmp_path, params):
    path = tmp_path / "decisions.yaml"
    path.write_text(DECISIONS)
    review = decisions_review(path, _two_months(), "2025-04", params)
    assert len(review) == 1
    row = review.iloc[0]
    assert row["mix_moved"] == "yes" and row["mix_after"] > row["mix_before"]
    assert row["ci_low"] < row["observed_change"] < row["ci_high"]
    assert "The content mix moved as decided" in row["sentence"]
    assert "cannot show the decision caused it" in row["sentence"]
    assert row["backed_by"] == ""


def test_no_decision_last_month_gives_an_empty_table(tmp_path, params):
    path = tmp_path / "decisions.yaml"
    path.write_text(DECISIONS)
    review = decisions_review(path, _two_months(), "2025-06", params)
    assert review.empty and "sentence" in review.columns


def test_bad_decision_entry_names_the_field(tmp_path):
    path = tmp_path / "decisions.yaml"
    path.write_text("decisions:\n  - month: 2025-3\n    decision: x\n")
    with pytest.raises(ConfigError, match="entry 1: month .* not YYYY-MM.*Hint"):
        read_decisions(path)


def test_shipped_decisions_file_is_valid():
    entries = read_decisions(PROJECT_ROOT / "params" / "decisions.yaml")
    assert len(entries) >= 2


def test_previous_month_wraps_the_year():
    assert previous_month("2025-01") == "2024-12"


def test_experiments_status_planned_running_finished(tmp_path, params):
    design = make_design("t", "human_centred", "story,info", "facebook,instagram",
                         "2025-01-06", 8, 4, seed=3)
    record, schedule = plan_experiment(design, S.history(), None, params)
    write_registration(tmp_path / "experiments", record)
    posts, labels = S.experiment_posts(schedule, effect=1.5, seed=1)
    tables = {"posts": posts, "labels": labels}
    by_month = {m: experiments_status(tmp_path, tmp_path / "reports", tables, m, params=params)
                for m in ("2024-12", "2025-02", "2025-03")}
    assert [f.iloc[0]["status"] for f in by_month.values()] == ["planned", "running", "finished"]
    finished = by_month["2025-03"].iloc[0]
    assert finished["matched_n"] == 64 and finished["p_adjusted"] == finished["p_value"]
    assert finished["ci_low"] < finished["estimate"] < finished["ci_high"]
    assert finished["confidence"] in ("strong", "suggestive", "inconclusive")
    assert "at random" in finished["summary"]
    assert by_month["2025-02"].iloc[0]["matched_n"] > 0
    assert experiments_status(tmp_path / "none", tmp_path, tables, "2025-03",
                              params=params).empty
