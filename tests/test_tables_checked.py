"""A report's notebooks use the tables its runner checked, without checking the raw folder."""

import pytest

import workbench.io.ingest as ingest_module
from workbench.analysis.context import TABLES_CHECKED_ENV, ensure_processed


class Checked(Exception):
    pass


def _refuse(*_args, **_kwargs):
    raise Checked("needs_ingest was called")


@pytest.fixture
def folders(tmp_path, monkeypatch):
    raw, processed = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    processed.mkdir()
    (processed / "labels.parquet").write_bytes(b"")
    monkeypatch.setattr(ingest_module, "needs_ingest", _refuse)
    return raw, processed


def test_the_runners_folder_is_not_checked_again(folders, monkeypatch):
    raw, processed = folders
    monkeypatch.setenv(TABLES_CHECKED_ENV, str(processed / "."))
    ensure_processed(raw, processed, {})  # returns without looking at the raw folder


def test_another_folder_or_no_runner_is_checked(folders, monkeypatch, tmp_path):
    raw, processed = folders
    monkeypatch.setenv(TABLES_CHECKED_ENV, str(tmp_path / "elsewhere"))
    with pytest.raises(Checked):
        ensure_processed(raw, processed, {})
    monkeypatch.delenv(TABLES_CHECKED_ENV)
    with pytest.raises(Checked):
        ensure_processed(raw, processed, {})


def test_a_folder_without_labels_is_checked_even_when_named(folders, monkeypatch):
    raw, processed = folders
    (processed / "labels.parquet").unlink()
    monkeypatch.setenv(TABLES_CHECKED_ENV, str(processed))
    with pytest.raises(Checked):
        ensure_processed(raw, processed, {})
