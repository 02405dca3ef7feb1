import pytest


@pytest.fixture(scope="session")
def params(_sample_profile):
    return _sample_profile
