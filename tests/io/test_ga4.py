"""GA4 report downloads (export-formats.md §7) → web."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from workbench import schema
from workbench.errors import InputFormatError
from workbench.io import ga4, registry
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ga4"
STANDARD = FIXTURES / (
    "Traffic_acquisition_Session_primary_channel_group_(Default_Channel_Group).csv")
CTX = ParseContext()


def parse(path: Path):
    raw = RawFile.read(path)
    kind = registry.detect(raw)
    assert kind.name == "ga4_report"
    return kind.parse(raw, CTX)


def data_rows(path: Path, header_startswith: str) -> list[list[str]]:
    """The fixture's rows under the header starting with ``header_startswith``."""
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_startswith))
    rows = []
    for line in lines[start + 1:]:
        if not line.strip() or line.startswith("#"):
            break
        rows.append(next(csv.reader([line])))
    return rows


def test_standard_report_channel_groups_and_month():
    parsed = parse(STANDARD)
    web = parsed.tables["web"]
    assert list(web.columns) == list(schema.WEB_COLUMNS)
    sessions = web[web["metric"] == "sessions"]
    assert set(sessions["dimension"]) == {"channel_group"}
    rows = data_rows(STANDARD, "Session primary")
    assert dict(zip(sessions["dimension_value"], sessions["value"], strict=True)) == {
        r[0]: float(r[1]) for r in rows}
    # GA4's own channel names are kept
    assert {"Direct", "Organic Search", "Organic Social", "Referral", "Paid Search"} <= set(
        sessions["dimension_value"])
    # no date dimension, single-month header range → month
    assert set(web["month"]) == {"2026-03"} and web["date"].isna().all()
    assert {"key_events", "engagement_rate"} <= set(web["metric"])


def test_old_names_aliases_and_yyyymmdd_dates():
    web = parse(FIXTURES / "data-export.csv").tables["web"]
    assert set(web["metric"]) == {"sessions", "users", "key_events"}  # Conversions → key_events
    assert set(web["dimension"]) == {"channel_group"}
    direct = web[(web["metric"] == "sessions") & (web["dimension_value"] == "Direct")]
    assert direct.set_index("date")["value"].to_dict() == {
        pd.Timestamp("2023-06-01"): 10, pd.Timestamp("2023-06-02"): 12}
    assert web["month"].isna().all()


def test_multi_table_file_none_lost():
    parsed = parse(FIXTURES / "Reports_snapshot.csv")
    web = parsed.tables["web"]
    raw_text = (FIXTURES / "Reports_snapshot.csv").read_text()
    headers = [line for line in raw_text.splitlines()
               if line and not line.startswith("#") and not line[0].isdigit()
               and not line.startswith(("Direct", "Organic", "Blue", "Yellow", "Jun"))]
    assert len(set(web["table"])) == len(headers) == 6
    # Nth week offsets → dates from the table's start date, 7 days apart
    weekly = web[web["metric"] == "active_users"].sort_values("date")
    assert weekly["date"].tolist() == [pd.Timestamp("2026-03-01") + pd.Timedelta(weeks=k)
                                       for k in range(3)]
    daily = web[web["metric"] == "views"].sort_values("date")
    assert daily["date"].tolist() == list(pd.date_range("2026-03-01", periods=3))
    assert pd.isna(daily["value"].iloc[1])  # empty cell → NA
    new_users = web[web["metric"] == "new_users"]
    assert set(new_users["dimension"]) == {"first_user_channel_group"}
    # ragged cohort rows are padded, not shifted
    cohort = web[web["dimension"] == "date_label"]
    assert cohort[cohort["metric"] == "week_3"]["value"].tolist()[1] == 1


def test_unknown_dimension_is_logged_not_fatal():
    parsed = parse(FIXTURES / "Reports_snapshot.csv")
    assert any("unknown dimension 'Favourite colour'" in w for w in parsed.warnings)
    web = parsed.tables["web"]
    kept = web[web["dimension"] == "favourite_colour"]
    assert kept["value"].sum() == 14


def test_exploration_grand_total_dropped():
    parsed = parse(FIXTURES / "download (2).csv")
    web = parsed.tables["web"]
    assert set(web["dimension"]) == {"page"}
    assert "Grand total" not in set(web["dimension_value"].dropna())
    users = web[web["metric"] == "users"]
    rows = data_rows(FIXTURES / "download (2).csv", "Page path")
    assert users["value"].sum() == sum(float(r[1]) for r in rows if r[0])
    assert users["table"].iloc[0] == "Untitled exploration-Free form 1"
    assert set(web["month"]) == {"2026-03"}


def test_french_channel_alias():
    text = ("# Start date: 20260301\n# End date: 20260331\n"
            "Groupe de canaux par défaut pour la session,Sessions\nDirect,5")
    raw = RawFile(path=Path("fr.csv"), data=text.encode())
    web = ga4.parse(raw, CTX).tables["web"]
    assert web["dimension"].tolist() == ["channel_group"]


def test_nth_week_without_start_date_is_an_error():
    text = "# Reports snapshot\n# Start date: \nNth week,Active users\n0000,1"
    raw = RawFile(path=Path("x.csv"), data=text.encode())
    with pytest.raises(InputFormatError, match=r"'Nth week' offsets need a start date"):
        ga4.parse(raw, CTX)


def test_excel_padded_comment_lines_still_detected():
    text = ("# Start date: 20230625,,,,,,,,,,\n# End date: 20230630,,,,\n"
            "Session default channel group,Sessions\nDirect,3\n")
    raw = RawFile(path=Path("data-export.csv"), data=text.encode())
    assert registry.detect(raw).name == "ga4_report"
    assert ga4.parse(raw, CTX).tables["web"]["month"].tolist() == ["2023-06"]


# --- GA4's own calendar, comparisons, CRLF (docs/export-formats.md §7) -------------------


def test_nth_week_on_ga4_calendar_and_nothing_after_end_date():
    path = FIXTURES / "Reports_snapshot_weeks.csv"
    assert b"\r\n" in path.read_bytes()  # CRLF as downloaded
    parsed = parse(path)
    web = parsed.tables["web"]
    weekly = web[web["metric"] == "active_users"].set_index("date")["value"]
    # 2026-01-01 is a Thursday: week 0 is that partial week, week 1 starts Sunday 4 January
    assert weekly.to_dict() == {pd.Timestamp("2026-01-01"): 5, pd.Timestamp("2026-01-04"): 12,
                                pd.Timestamp("2026-03-08"): 30,
                                pd.Timestamp("2026-06-28"): 9}
    assert web["date"].max() <= pd.Timestamp("2026-06-30")  # the report's # End date
    # the empty last table ("Platform,Key events" and nothing under it) adds no rows
    assert set(web["table"]) == {"Reports snapshot", "Where do your new users come from?"}


def test_nth_day_snapshot_crlf_with_trend_table():
    web = parse(FIXTURES / "Reports_snapshot_days.csv").tables["web"]
    active = web[web["metric"] == "active_users"]
    daily = active[active["dimension"] == "total"].set_index("date")["value"]
    assert daily.index.tolist() == list(pd.date_range("2025-12-11", "2025-12-15"))
    assert daily.tolist() == [0, 0, 3, 7, 2]  # zero days are listed, kept as 0
    trend = web[web["metric"] == "1_day"].set_index("date")["value"]
    assert trend[pd.Timestamp("2025-12-15")] == 2
    countries = web[web["dimension"] == "country"]  # "Country ID" is the country
    assert set(countries["dimension_value"]) == {"CA", "GB"}


def test_comparison_snapshot_keeps_the_current_period():
    parsed = parse(FIXTURES / "Reports_snapshot_comparison.csv")
    web = parsed.tables["web"]
    assert set(web["month"]) == {"2025-08"}  # the July copies are left out
    sessions = web[web["metric"] == "sessions"].set_index("dimension_value")["value"]
    assert sessions.to_dict() == {"google / organic": 104, "m.facebook.com / referral": 17}
    assert web.loc[web["metric"] == "active_users", "value"].tolist() == [400, 400]
    assert any("3 table(s) of the comparison period 2025-07-01..2025-07-31 left out" in n
               for n in parsed.notes)


@pytest.mark.parametrize(("kind", "start", "offsets", "expected"), [
    ("nth_day", "2026-01-01", [0, 30], ["2026-01-01", "2026-01-31"]),
    # a Sunday start: week 0 is a full week
    ("nth_week", "2026-03-01", [0, 1, 2], ["2026-03-01", "2026-03-08", "2026-03-15"]),
    # a Saturday start: week 0 is that one day
    ("nth_week", "2026-02-28", [0, 1], ["2026-02-28", "2026-03-01"]),
    ("nth_month", "2026-01-15", [0, 1, 11], ["2026-01-15", "2026-02-01", "2026-12-01"]),
])
def test_nth_dates(kind, start, offsets, expected):
    got = ga4.nth_dates(pd.Series([f"{n:04d}" for n in offsets]), kind, pd.Timestamp(start))
    assert got.tolist() == [pd.Timestamp(d) for d in expected]


def test_nth_month_rows_after_end_dropped_with_warning():
    text = ("# Start date: 20260115\n# End date: 20260310\nNth month,Sessions\n"
            "0000,10\n0001,20\n0002,30\n0003,40\n")
    raw = RawFile(path=Path("m.csv"), data=text.encode())
    parsed = ga4.parse(raw, CTX)
    web = parsed.tables["web"]
    assert web["date"].tolist() == [pd.Timestamp("2026-01-15"), pd.Timestamp("2026-02-01"),
                                    pd.Timestamp("2026-03-01")]
    assert any("1 row(s) dated after the report's end date 2026-03-10 dropped" in w
               for w in parsed.warnings)
