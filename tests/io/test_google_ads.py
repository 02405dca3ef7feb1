"""Google Ads Campaign report (export-formats.md §8) → ads."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench import schema
from workbench.errors import InputFormatError
from workbench.io import google_ads, registry
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "google_ads"
CTX = ParseContext()


def parse(name: str):
    raw = RawFile.read(FIXTURES / name)
    kind = registry.detect(raw)
    assert kind.name == "google_ads_campaigns"
    return kind.parse(raw, CTX)


def test_all_time_totals_dropped_thousands_and_placeholders():
    parsed = parse("Campaign report.csv")
    ads = parsed.tables["ads"]
    assert list(ads.columns) == list(schema.ADS_COLUMNS)
    assert not ads["campaign"].str.startswith("Total").any()
    assert len(ads) == 2
    assert ads["all_time"].all() and ads["period_start"].isna().all()
    first = ads.set_index("campaign").loc["Newcomer Services - Search"]
    assert first["impressions"] == 1356884  # "1,356,884"
    assert first["clicks"] == 22942
    assert first["conversions"] == pytest.approx(4838.80)  # "4,838.80"
    assert first["cost"] == pytest.approx(50252.14)  # bare, no separator
    # the dropped "Total: Campaigns" row equals the sum of the kept rows
    assert ads["cost"].sum() == pytest.approx(52943.55)
    assert ads["clicks"].sum() == 32207


def test_us_period_line():
    ads = parse("Campaign report (us).csv").tables["ads"]
    assert set(ads["period_start"]) == {pd.Timestamp("2026-03-27")}
    assert set(ads["period_end"]) == {pd.Timestamp("2026-04-23")}
    assert not ads["all_time"].any()
    assert ads["currency"].tolist() == ["USD", "USD"]


def test_uk_spellings_and_period():
    ads = parse("Campaign report (uk).csv").tables["ads"]
    assert ads["period_start"].tolist() == [pd.Timestamp("2026-01-27")]
    assert ads["currency"].tolist() == ["GBP"]  # read, never assumed
    assert ads["impressions"].tolist() == [31193]


def test_excel_csv_utf16_tab():
    raw = RawFile.read(FIXTURES / "Campaign report (excel).csv")
    assert raw.data[:2] == b"\xff\xfe"
    ads = parse("Campaign report (excel).csv").tables["ads"]
    assert ads["campaign"].tolist() == ["Newcomer Services - Search"]  # "Total: Campaign" gone
    assert ads["clicks"].tolist() == [1603]
    assert ads["currency"].tolist() == ["CAD"]
    assert ads["conversions"].tolist() == [90.0]


def test_unknown_language_lists_headers():
    with pytest.raises(InputFormatError,
                       match=r"unknown language.*headers seen: État de la campagne, Campagne"):
        parse("Rapport sur les campagnes.csv")


def test_missing_currency_column_is_named():
    text = ("Campaign report\nAll time\nCampaign,Impr.,Clicks,Cost\nA,1,1,1.00\n")
    raw = RawFile(path=Path("c.csv"), data=text.encode())
    with pytest.raises(InputFormatError, match=r"column 'Currency code'.*Modify columns"):
        google_ads.parse(raw, CTX)


@pytest.mark.parametrize(
    ("line", "expected"),
    [("All time", (None, None, True)),
     ("March 27, 2026 - April 23, 2026",
      (pd.Timestamp("2026-03-27"), pd.Timestamp("2026-04-23"), False)),
     ("27 January 2026 - 23 February 2026",
      (pd.Timestamp("2026-01-27"), pd.Timestamp("2026-02-23"), False))],
)
def test_parse_period(line, expected):
    assert google_ads.parse_period(line) == expected


def test_bad_period_line():
    text = "Campaign report\nlast quarter-ish\nCampaign,Impr.,Clicks,Cost,Currency code\n"
    raw = RawFile(path=Path("c.csv"), data=text.encode())
    with pytest.raises(InputFormatError, match=r"row 2.*'last quarter-ish' is not a date range"):
        google_ads.parse(raw, CTX)
