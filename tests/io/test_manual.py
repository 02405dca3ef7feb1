"""manual_kpis.csv: detection by header, month/value validation with row numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import InputFormatError
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext, detect

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "manual"


def parse(path: Path):
    raw = RawFile.read(path)
    kind = detect(raw)
    return kind, kind.parse(raw, ParseContext())


def test_manual_kpis_with_bom_and_thousands_separators():
    kind, result = parse(FIXTURES / "manual_kpis.csv")
    manual = result.tables["manual"]
    assert kind.name == "manual_kpis"
    assert manual["kpi"].tolist() == ["reach", "reach", "visits", "translation_revenue"]
    assert manual["value"].tolist() == [12480, 9310, 2104, 1850.5]
    assert manual["month"].tolist() == ["2025-03"] * 4
    assert manual["note"].iloc[0] == "from Insights > Overview"
    assert manual["note"].isna().iloc[1]


def test_manual_detected_by_header_in_any_order(tmp_path):
    path = tmp_path / "figures from the UI.csv"
    path.write_text("KPI,Value,Month,Platform\nreach,10,2025-04,Instagram\n", encoding="utf-8")
    kind, result = parse(path)
    assert kind.name == "manual_kpis"
    assert result.tables["manual"]["platform"].tolist() == ["instagram"]


def test_month_not_yyyy_mm_names_the_row():
    with pytest.raises(InputFormatError, match=r"bad_month.csv, row 3, column 'month': "
                       r"'Mar-25' is not a month like 2024-03.*Hint: write the month as YYYY-MM"):
        parse(FIXTURES / "bad_month.csv")


def test_non_numeric_value_names_the_row():
    with pytest.raises(InputFormatError, match=r"bad_value.csv, row 3, column 'value': the "
                       r"value is 'about 9000', not a number"):
        parse(FIXTURES / "bad_value.csv")


def test_same_kpi_twice_in_one_file_is_an_error(tmp_path):
    path = tmp_path / "manual_kpis.csv"
    path.write_text("month,platform,kpi,value,note\n2025-03,instagram,reach,1,\n"
                    "2025-03,instagram,reach,2,\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match=r"row 3, column 'kpi': instagram reach for "
                       r"2025-03 is given twice"):
        parse(path)
