"""RunParams: one source of defaults (params/monthly.yaml), typed and validated."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from workbench.config import load_params, load_run_params
from workbench.errors import ConfigError
from workbench.params import RunParams, UnknownSettingWarning, run_defaults, setting

ORG = "name: Test Agency\ntimezone: Europe/Paris\n"


@pytest.fixture
def params_dir(tmp_path: Path) -> Path:
    (tmp_path / "org.yaml").write_text(ORG, encoding="utf-8")
    return tmp_path


def test_defaults_come_from_monthly_yaml_only(params_dir):
    run = load_run_params(params_dir)  # no monthly.yaml here: the package defaults fill in
    defaults = run_defaults()
    assert run.window_months == defaults["window_months"]
    assert run.seed == defaults["seed"]
    assert run.timezone == "Europe/Paris" and run.org_name == "Test Agency"
    assert setting({}, "alpha") == defaults["alpha"]
    assert setting({"alpha": 0.01}, "alpha") == 0.01


def test_layering_and_types(params_dir):
    (params_dir / "monthly.yaml").write_text("window_months: 3\nalpha: 0.01\n", encoding="utf-8")
    run = load_run_params(params_dir, overrides=[("fdr_q", "0.2"), ("month", "2024-03")])
    assert (run.window_months, run.alpha, run.fdr_q) == (3, 0.01, 0.2)
    assert str(run.month) == "2024-03"
    assert run.as_dict()["month"] == "2024-03"
    assert isinstance(run.as_dict()["alpha"], float)


@pytest.mark.parametrize(("key", "value", "message"), [
    ("alpha", "1.5", r"'alpha' is 1.5, outside \(0, 1\).*Hint: set alpha within"),
    ("window_months", "0", r"'window_months' is 0, outside \[1, 60\]"),
    ("window_months", "six", r"'window_months' is 'six', expected int.*Hint: write it like"),
    ("seed", "-1", r"'seed' is -1, outside"),
])
def test_bad_values_are_one_clear_error(params_dir, key, value, message):
    with pytest.raises(ConfigError, match=message):
        load_params(params_dir, overrides=[(key, value)])


def test_unknown_keys_are_warned(params_dir):
    with pytest.warns(UnknownSettingWarning, match=r"unknown setting\(s\) windw_months"):
        load_params(params_dir, overrides=[("windw_months", "3")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_params(params_dir)  # known keys only: no warning


def test_from_mapping_fills_nested_defaults():
    run = RunParams.from_mapping({"timezone": "UTC", "posting_times": {}})
    assert run.posting_time_platforms == tuple(run_defaults()["posting_times"]["platforms"])


def test_the_packaged_defaults_mirror_params_monthly_yaml():
    """An installed package (no project folder) reads the same defaults as the project."""
    from workbench.params import PACKAGED_DEFAULTS_FILE, PROJECT_DEFAULTS_FILE

    assert PACKAGED_DEFAULTS_FILE.read_bytes() == PROJECT_DEFAULTS_FILE.read_bytes(), (
        "copy params/monthly.yaml to workbench/monthly_defaults.yaml")
