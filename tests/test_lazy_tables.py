"""open_month reads each table when first used; the tables are those load_tables gives."""

import pickle

import pandas as pd
import pytest

from workbench.io.tables import LazyTables, load_tables


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    from workbench.io.ingest import ingest
    from workbench.sample import generate_sample
    from workbench.sample.profile import sample_params

    base = tmp_path_factory.mktemp("lazy")
    params = sample_params()
    generate_sample(base / "raw", params=params, start="2026-01", end="2026-02")
    ingest(base / "raw", base / "processed", params)  # never labelled
    return base / "processed"


def test_lazy_tables_match_load_tables_and_read_only_what_is_used(processed):
    lazy = LazyTables(processed)
    assert "posts" not in lazy._loaded  # nothing read yet
    loaded = load_tables(processed)
    assert set(lazy) == {*loaded, "labels"}
    for name, frame in loaded.items():
        pd.testing.assert_frame_equal(lazy[name], frame)
    assert lazy["labels"].empty  # never labelled: an empty labels table, as open_month gave
    assert lazy.get("nothing") is None and "nothing" not in lazy


def test_pickled_with_what_was_read(processed):
    lazy = LazyTables(processed)
    posts = lazy["posts"]
    copy = pickle.loads(pickle.dumps(lazy))
    assert sorted(copy._loaded) == ["posts"]
    pd.testing.assert_frame_equal(copy["posts"], posts)
    pd.testing.assert_frame_equal(copy["daily"], lazy["daily"])  # read by the copy itself
