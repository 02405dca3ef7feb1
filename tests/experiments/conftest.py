import pytest

from workbench.config import load_params


@pytest.fixture(scope="session")
def params():
    return load_params()
