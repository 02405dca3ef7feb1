"""Fixtures shared by the whole suite.

The suite must pass whatever ``params/org.yaml`` holds (an agency adopts the workbench by
editing it), so no test reads it: tests use the sample organisation's own profile
(``workbench/sample/org.yaml``) layered under the project's run settings (``monthly.yaml``).
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest

from workbench.config import DEFAULT_PARAMS_DIR
from workbench.sample.profile import SAMPLE_PROFILE, sample_params

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def _sample_profile() -> dict:
    return sample_params()


@pytest.fixture
def sample_profile(_sample_profile) -> dict:
    """The sample organisation's parameters (a fresh copy: tests may change it)."""
    return copy.deepcopy(_sample_profile)


@pytest.fixture(scope="session")
def sample_params_dir(tmp_path_factory) -> Path:
    """A params folder for CLI and report runs: the project's run settings, column maps,
    decisions and experiment registry, with the SAMPLE organisation's ``org.yaml``."""
    target = tmp_path_factory.mktemp("params") / "params"
    shutil.copytree(DEFAULT_PARAMS_DIR, target, ignore=shutil.ignore_patterns("org.yaml"))
    shutil.copy2(SAMPLE_PROFILE, target / "org.yaml")
    return target


def pytest_addoption(parser):
    parser.addoption(
        "--install", action="store_true", default=False,
        help="also run the tests marked `install` (a fresh virtual environment; minutes)",
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--install"):
        return
    skip = pytest.mark.skip(reason="installs into a fresh virtual environment: run with --install "
                                   "(.ci/run does, after make test)")
    for item in items:
        if "install" in item.keywords:
            item.add_marker(skip)
