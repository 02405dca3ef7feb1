"""check_files(): one readable report per file; bad files described, never raised."""

from __future__ import annotations

from pathlib import Path

from workbench.io.check import check_files

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PARAMS = {"timezone": "America/Toronto",
          "platforms": {"instagram": {"account": "forestcitynewcomers"}}}


def test_good_file_is_described_with_kind_rows_dates_account():
    [report] = check_files([FIXTURES / "meta" / "instagram_order4.csv"], PARAMS)
    assert report.ok
    assert report.kind == "meta_instagram_posts"
    assert report.rows == 3
    text = report.describe()
    assert "Meta Business Suite Instagram posts export" in text
    assert "rows: 3 posts; dates 2025-03-01..2025-06-21; account forestcitynewcomers" in text


def test_warnings_are_listed():
    [report] = check_files([FIXTURES / "meta" / "bad" / "excel_dates.csv"], PARAMS)
    assert report.ok
    assert "warning: dates like '3/18/2025 2:39' show the file was touched by Excel" in (
        report.describe())


def test_bad_files_are_reported_not_raised():
    names = ["empty.csv", "excel_ids_sci.csv", "truncated.csv"]
    reports = check_files([FIXTURES / "meta" / "bad" / n for n in names], PARAMS)
    assert [r.ok for r in reports] == [False] * 3
    assert "the file is empty" in reports[0].describe()
    described = reports[1].describe()
    assert described.startswith(f"{FIXTURES / 'meta' / 'bad' / 'excel_ids_sci.csv'}: PROBLEM "
                                "(Meta Business Suite Facebook posts export)")
    assert "the IDs were destroyed by a spreadsheet" in described
    assert "the file ends mid-row: download it again" in reports[2].describe()


def test_foreign_files_are_described_with_the_words_ingest_uses():
    names = ["report.pdf", "random.csv", "photo.jpg"]
    reports = check_files([FIXTURES / "meta" / "bad" / n for n in names], PARAMS)
    assert [r.ok for r in reports] == [True] * 3  # ingest skips them: they stop nothing
    assert reports[0].skipped == "a PDF document, not an analytics export"
    assert reports[0].describe().startswith(
        f"{FIXTURES / 'meta' / 'bad' / 'report.pdf'}: SKIPPED by ingest: a PDF document")
    assert reports[1].skipped == ("not a known export: a table with columns 'name', 'age', "
                                  "'city' that is not an export we read")
    for report in reports:
        assert "container" not in report.describe()
        assert "run `workbench check`" not in report.describe()


def test_folder_is_expanded_to_its_exports():
    reports = check_files([FIXTURES / "manual"], PARAMS)
    assert sorted(Path(r.path).name for r in reports) == [
        "bad_month.csv", "bad_value.csv", "manual_kpis.csv"]
    assert [r.ok for r in sorted(reports, key=lambda r: Path(r.path).name)] == [
        False, False, True]
