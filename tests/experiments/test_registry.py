import pandas as pd
import pytest
import yaml

from tests.experiments import simdata as S
from workbench.errors import ExperimentError
from workbench.experiments.core import new_experiment
from workbench.experiments.registry import read_registration, schedule_of

ARGS = ("stories", "human_centred", "story,info", "facebook,instagram", "2025-01-06", 8, 4)


@pytest.fixture(scope="module")
def history():
    return S.history()


def test_new_writes_registration_and_schedule(tmp_path, params, history):
    yaml_path, schedule_path, record = new_experiment(
        *ARGS, seed=5, tables={"posts": history}, params=params, registry=tmp_path / "reg",
        reports_dir=tmp_path / "reports")
    stored = read_registration(tmp_path / "reg", "stories")
    assert stored == record
    assert stored["planned_per_arm"] == 32 and stored["power"]["dispersion"] > 0
    assert stored["power"]["mde"] > 1.5 and stored["warnings"][0].startswith("Underpowered")
    schedule = pd.read_csv(schedule_path)
    assert len(schedule) == 64
    assert (tmp_path / "reports/experiments/stories/hootsuite_instagram.csv").exists()
    assert schedule_of(stored, list(params["topics"]))["arm"].tolist() == schedule["arm"].tolist()


def test_new_refuses_an_existing_name_and_overwrites_nothing(tmp_path, params, history):
    kwargs = {"tables": {"posts": history}, "params": params, "registry": tmp_path / "reg",
              "reports_dir": tmp_path / "reports"}
    yaml_path, _, _ = new_experiment(*ARGS, seed=5, **kwargs)
    before = yaml_path.read_bytes()
    with pytest.raises(ExperimentError, match="already registered.*Hint: .*new name"):
        new_experiment(*ARGS, seed=6, **kwargs)
    assert yaml_path.read_bytes() == before


def test_edited_registration_is_detected(tmp_path, params, history):
    yaml_path, _, _ = new_experiment(*ARGS, seed=5, tables={"posts": history}, params=params,
                                     registry=tmp_path, reports_dir=tmp_path / "r")
    record = yaml.safe_load(yaml_path.read_text())
    record["weeks"] = 6
    yaml_path.write_text(yaml.safe_dump(record))
    with pytest.raises(ExperimentError, match="edited after it was registered"):
        read_registration(tmp_path, "stories")


def test_start_in_the_past_of_the_data_is_refused(tmp_path, params, history):
    args = list(ARGS)
    args[4] = "2024-12-01"
    match = r"in the past of the data \(last post 2024-12-\d\d\).*Hint: start after"
    with pytest.raises(ExperimentError, match=match):
        new_experiment(*args, tables={"posts": history}, params=params, registry=tmp_path,
                       reports_dir=tmp_path)
    assert not list(tmp_path.iterdir())


def test_unknown_experiment_names_the_registered_ones(tmp_path, params, history):
    new_experiment(*ARGS, tables={"posts": history}, params=params, registry=tmp_path,
                   reports_dir=tmp_path / "r")
    with pytest.raises(ExperimentError, match="no experiment named 'other'.*registered: stories"):
        read_registration(tmp_path, "other")
