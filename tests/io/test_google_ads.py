"""Google Ads Campaign report (export-formats.md §8) → ads."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench import schema
from workbench.errors import InputFormatError, NotAnExportError
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


def test_french_campaign_report_is_read():
    ads = parse("Rapport sur les campagnes.csv").tables["ads"]
    assert ads["level"].tolist() == ["campaign"]
    assert ads["campaign"].tolist() == ["Services aux nouveaux arrivants"]
    assert ads["impressions"].tolist() == [31193]  # "31 193"
    assert ads["cost"].tolist() == [pytest.approx(798.88)]  # "798,88"
    assert ads["period_end"].tolist() == [pd.Timestamp("2026-02-23")]  # "23 février 2026"


def test_unknown_language_lists_headers():
    text = ("Campaign report\nAll time\nKampagne,Impr.,Klicks,Kosten,Währungscode\n"
            "A,1,1,1.00,EUR\n")
    raw = RawFile(path=Path("c.csv"), data=text.encode())
    with pytest.raises(InputFormatError,
                       match=r"row 3: Google Ads report in an unknown language.*"
                             r"headers seen: Kampagne, Impr\., Klicks"):
        google_ads.parse(raw, CTX)


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


# --- levels, locales and quirks of real downloads (docs/export-formats.md §8) ------------


def test_keyword_report_totals_in_third_column_and_quality_score():
    parsed = parse("Search keyword report.csv")
    ads = parsed.tables["ads"]
    assert set(ads["level"]) == {"keyword"}
    assert ads["item"].tolist() == ["newcomer services", "[english classes near me]",
                                    "job help"]
    assert ads["ad_group"].tolist() == ["Settlement", "Language", "Jobs"]
    assert ads["match_type"].tolist() == ["Broad match", "Exact match", "Broad match"]
    # " --" quality score is NA, never 0
    assert ads["quality_score"].tolist()[0] == 7 and pd.isna(ads["quality_score"].iloc[1])
    # the kept rows add up to the file's own "Total: All but removed keywords" row
    assert ads["clicks"].sum() == 1021
    assert ads["cost"].sum() == pytest.approx(1991.10)
    assert "3 'Total' row(s) dropped" in parsed.notes


def test_search_terms_without_campaign_column():
    ads = parse("Search terms report.csv").tables["ads"]
    assert set(ads["level"]) == {"search_term"}
    assert ads["campaign"].isna().all()
    assert ads["clicks"].tolist() == [3, 0, 1204]  # "1,204"
    assert ads["cost"].sum() == pytest.approx(605.60)  # = "Total: Search terms"
    assert ads["period_start"].iloc[0] == pd.Timestamp("2026-01-28")


def test_search_term_matched_twice_keeps_both_rows():
    ads = parse("Search terms report (keywords).csv").tables["ads"]
    assert ads["item"].tolist() == ["english class", "english class"]
    assert ads["match_type"].tolist() == ["Broad match", "Exact match (close variant)"]
    assert ads["clicks"].sum() == 3  # "Total: Search terms"
    assert len(google_ads.dedupe_ads(ads)) == 2  # one file: never collapsed


def test_ad_group_report_with_currency_code_twice():
    ads = parse("Ad group report.csv").tables["ads"]
    assert ads["level"].tolist() == ["ad_group", "ad_group"]
    assert ads["item"].tolist() == ["Settlement", "Volunteers"]
    assert ads["campaign"].tolist() == ["Newcomer Services - Search"] * 2
    assert ads["currency"].tolist() == ["USD", "USD"]
    assert ads["impressions"].tolist() == [20010, 0]


def test_location_report_reads_clicks_from_interactions():
    parsed = parse("Location report.csv")
    ads = parsed.tables["ads"]
    assert ads["item"].tolist() == ["London, Ontario, Canada",
                                    "Middlesex County, Ontario, Canada"]
    assert ads["clicks"].tolist() == [410, 40]
    assert any("clicks read from 'Interactions'" in note for note in parsed.notes)


def test_adwords_2016_period_in_title():
    parsed = parse("Ad report (adwords 2016).csv")
    ads = parsed.tables["ads"]
    assert ads["level"].tolist() == ["ad", "ad"]
    assert ads["item"].tolist() == ["Help For Newcomers", "Old text ad"]
    assert ads["period_start"].iloc[0] == pd.Timestamp("2016-10-25")
    assert ads["period_end"].iloc[0] == pd.Timestamp("2016-10-31")
    assert ads["clicks"].sum() == 15 and ads["impressions"].sum() == 430  # "Total" rows gone
    assert ads["currency"].isna().all()
    assert any("without 'Currency code'" in w for w in parsed.warnings)


def test_portuguese_decimal_comma_and_thousands_dot():
    parsed = parse("Relatório de campanha.csv")
    ads = parsed.tables["ads"]
    assert ads["level"].tolist() == ["campaign", "campaign"]
    assert ads["cost"].tolist() == [pytest.approx(1234.50), pytest.approx(99.90)]
    assert ads["conversions"].tolist() == [pytest.approx(1683.0), pytest.approx(12.0)]
    assert ads["clicks"].isna().all() and ads["impressions"].isna().all()  # NA, never 0
    assert ads["period_start"].iloc[0] == pd.Timestamp("2021-01-01")
    assert any("no Impr., Clicks column" in w for w in parsed.warnings)


def test_portuguese_search_terms_utf8():
    ads = parse("Termos de pesquisa.csv").tables["ads"]
    assert ads["clicks"].tolist() == [2, 1001]  # "1.001"
    assert ads["impressions"].tolist() == [4, 2500]
    assert ads["cost"].sum() == pytest.approx(506.60)
    assert ads["period_end"].iloc[0] == pd.Timestamp("2026-05-15")


def test_spanish_euro_symbol_and_em_dash():
    ads = parse("Informe de campañas.csv").tables["ads"]
    assert ads["cost"].iloc[0] == pytest.approx(1234.56)  # "1.234,56 €"
    assert pd.isna(ads["cost"].iloc[1]) and pd.isna(ads["clicks"].iloc[1])  # "—"
    assert ads["impressions"].tolist() == [1500, 80]


@pytest.mark.parametrize(("cells", "expected"), [
    (["R$ 236,86"], [236.86]), (["1.683,00"], [1683.0]), (["$1,032.50"], [1032.5]),
    (["1 234,56 €"], [1234.56]), (["—"], [None]), ([" --"], [None]), (["< 10%"], [None]),
])
def test_to_number_locales(cells, expected):
    comma = google_ads.detect_decimal_comma(cells)
    got = google_ads.to_number(cells, comma).tolist()
    assert [None if pd.isna(v) else pytest.approx(v) for v in got] == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [("1 de Janeiro de 2021 - 31 de Janeiro de 2021",
      (pd.Timestamp("2021-01-01"), pd.Timestamp("2021-01-31"), False)),
     ("Oct 25, 2016-Oct 31, 2016",
      (pd.Timestamp("2016-10-25"), pd.Timestamp("2016-10-31"), False)),
     ("1 de marzo de 2026 - 31 de marzo de 2026",
      (pd.Timestamp("2026-03-01"), pd.Timestamp("2026-03-31"), False)),
     ("Toute la période", (None, None, True))],
)
def test_parse_period_locales(line, expected):
    assert google_ads.parse_period(line) == expected


@pytest.mark.parametrize(("name", "match"), [
    ("Editor bulk sheet.csv", r"Google Ads Editor or bulk-upload sheet.*not a performance"),
    ("Campaign report (no metrics).csv",
     r"Campaign report without Impr\., Clicks or Cost columns: not a performance report"),
    ("Asset association report.csv", r"'Asset association report', not a performance report"),
])
def test_not_a_performance_report_is_skipped(name, match):
    raw = RawFile.read(FIXTURES / name)
    kind = registry.detect(raw)
    with pytest.raises(NotAnExportError, match=match):
        kind.parse(raw, CTX)


def _report(clicks: int, source: str, stamp: str, level: str = "campaign",
            start: str = "2026-03-01", end: str = "2026-03-31") -> pd.DataFrame:
    return schema.conform(pd.DataFrame({
        "level": [level], "period_start": [pd.Timestamp(start)],
        "period_end": [pd.Timestamp(end)], "campaign": ["A"], "item": ["A"],
        "clicks": [clicks], "cost": [float(clicks)], "currency": ["USD"],
        "source_file": [source], "all_time": [False],
        "snapshot_at": [pd.Timestamp(stamp, tz="UTC")]}), "ads")


def test_dedupe_same_report_twice_newest_wins():
    older = _report(100, "ads/Campaign report.csv", "2026-04-01")
    newer = _report(104, "ads/Campaign report (1).csv", "2026-04-03")
    other_month = _report(50, "ads/Campaign report (2).csv", "2026-04-03",
                          start="2026-02-01", end="2026-02-28")
    keyword = _report(100, "ads/Search keyword report.csv", "2026-04-01", level="keyword")
    both = pd.concat([older, newer, other_month, keyword], ignore_index=True)
    kept = google_ads.dedupe_ads(both)
    assert sorted(kept["clicks"].tolist()) == [50, 100, 104]  # the keyword row stays
    campaign = kept[kept["level"] == "campaign"]
    assert campaign.loc[campaign["period_start"] == "2026-03-01", "clicks"].tolist() == [104]
    assert len(both) == 4  # the input is not mutated


def test_drop_nested_periods_keeps_halves_that_add_up():
    first_half = _report(10, "a.csv", "2026-04-01", end="2026-03-15")
    second_half = _report(20, "b.csv", "2026-04-01", start="2026-03-16")
    month = _report(35, "c.csv", "2026-04-02")
    kept = google_ads.drop_nested_periods(pd.concat([first_half, second_half],
                                                    ignore_index=True))
    assert kept["clicks"].sum() == 30
    kept = google_ads.drop_nested_periods(pd.concat([first_half, month], ignore_index=True))
    assert kept["clicks"].tolist() == [35]


def test_sample_writers_levels_add_up_and_redownload_is_deduped(tmp_path):
    import os
    from datetime import date

    import numpy as np

    from workbench.io.ingest import ingest
    from workbench.kpis import kpi_table
    from workbench.sample import other_writers as ow

    rng = np.random.default_rng(3)
    campaigns = ow.ads_rows(rng, ["Newcomer Services - Search", "Language Classes"], 10)
    keywords = ow.ads_keyword_rows(rng, campaigns)
    terms = ow.ads_search_term_rows(rng, keywords)
    first, last = date(2026, 3, 1), date(2026, 3, 31)
    files = {"Campaign report.csv": ow.ads_report_bytes(campaigns, first, last, False),
             "Campaign report (1).csv": ow.ads_report_bytes(campaigns, first, last, True),
             "Search keyword report.csv": ow.ads_keyword_report_bytes(keywords, first, last),
             "Search terms report.csv": ow.ads_search_terms_report_bytes(terms, first, last)}
    raw_dir = tmp_path / "raw" / "2026-03" / "ads"
    raw_dir.mkdir(parents=True)
    for stamp, (name, data) in enumerate(files.items()):
        (raw_dir / name).write_bytes(data)
        os.utime(raw_dir / name, (1_774_000_000 + stamp, 1_774_000_000 + stamp))
    result = ingest(tmp_path / "raw", tmp_path / "out", {"timezone": "America/Toronto"})
    ads = result.tables["ads"]
    truth = sum(r["clicks"] for r in campaigns)
    by_level = ads.groupby("level")["clicks"].sum().to_dict()
    assert by_level == {"campaign": truth, "keyword": truth, "search_term": truth}
    assert result.log["dedupe"]["ads"]["dropped"] == len(campaigns)
    # the newer download (the Excel CSV) is the one kept
    kept = ads.loc[ads["level"] == "campaign", "source_file"].unique().tolist()
    assert kept == ["2026-03/ads/Campaign report (1).csv"]
    assert ads.loc[ads["level"] == "keyword", "quality_score"].dropna().between(1, 10).all()
    frame = kpi_table(result.tables, "2026-03")
    assert frame[(frame.platform == "ads") & (frame.kpi == "clicks")]["value"].iloc[0] == truth


def _pandas_to_number(values: list[str], decimal_comma: bool) -> pd.Series:
    """The pandas route the Arrow one replaced (the second implementation)."""
    missing = {"", "--", "-", "—", "–", "< 10%", "> 90%", "<10%", ">90%", "n/a", "null"}
    text = pd.Series(values, dtype="string").str.strip()
    text = text.mask(text.str.lower().isin(missing))
    text = text.str.replace(r"[^\d,.\-]", "", regex=True)
    if decimal_comma:
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        text = text.str.replace(",", "", regex=False)
    return pd.to_numeric(text, errors="coerce").astype("Float64").reset_index(drop=True)


ODD_CELLS = ["R$ 1.234,56", "--", " 12 ", "1,234", "1,234.5", "€", "", "N/A", "null", "NULL",
             "< 10%", "5%", "\u00a012\u00a0", "-3", "1e5", "abc", "—", "12.50 $", "CA$3,000",
             "0", "-", "١٢", "1 234,5", "\t7\n", "2.5.1"]


@pytest.mark.parametrize("decimal_comma", [False, True])
def test_numbers_and_texts_as_the_pandas_route_gave(decimal_comma):
    from workbench.io.google_ads import _clean_text, to_number

    pd.testing.assert_series_equal(to_number(ODD_CELLS, decimal_comma),
                                   _pandas_to_number(ODD_CELLS, decimal_comma))
    expected = pd.Series(ODD_CELLS, dtype="string").str.strip()
    expected = expected.mask(expected.str.lower().isin(
        {"", "--", "-", "—", "–", "< 10%", "> 90%", "<10%", ">90%", "n/a", "null"}))
    pd.testing.assert_series_equal(_clean_text(ODD_CELLS), expected)
