"""The ``audience`` table from every source: structure-faithful fixtures, invented values.

Fixtures: tests/fixtures/audience/ (built by tests/fixtures/build_audience_fixtures.py from
the layouts of the real files in tests/corpus/MANIFEST.csv).
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from workbench import schema
from workbench.errors import NotAnExportError
from workbench.io.audience import check_sums, share_number
from workbench.io.ingest import ingest
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext, detect

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "audience"
META = FIXTURES / "meta"
ORG = {"timezone": "America/Toronto",
       "platforms": {"facebook": {"account": "Forest City Newcomer Services"},
                     "instagram": {"account": "forestcitynewcomers"},
                     "linkedin": {"account": "Forest City Newcomers"},
                     "tiktok": {"account": "forestcitynewcomers"}}}


def parse(path: Path, params: dict | None = None):
    raw = RawFile.read(path)
    kind = detect(raw)
    return kind, kind.parse(raw, ParseContext(params=ORG if params is None else params))


def shares(result, platform: str, breakdown: str) -> dict[str, float]:
    table = result.tables["audience"]
    part = table[(table["platform"] == platform) & (table["breakdown"] == breakdown)]
    return dict(zip(part["segment"], part["share"].astype(float), strict=True))


# --------------------------------------------------------------------------- Meta


def test_meta_tab_separated_with_city_names_split_at_their_commas():
    kind, result = parse(META / "Audience_tab.csv")
    assert kind.name == "meta_audience"
    table = result.tables["audience"]
    assert list(table.columns) == list(schema.AUDIENCE_COLUMNS)
    fb = shares(result, "facebook", "age_gender")
    assert fb["18-24|women"] == pytest.approx(0.031)
    assert fb["35-44|women"] == pytest.approx(0.33)  # "33%": Meta drops the trailing zero
    assert sum(fb.values()) == pytest.approx(1.0)
    assert shares(result, "facebook", "city") == pytest.approx(
        {"London, Ontario": 0.412, "St. Thomas, Ontario": 0.061, "Toronto, Ontario": 0.055,
         "Woodstock, Ontario": 0.02})
    assert shares(result, "instagram", "country") == pytest.approx({"Canada": 0.915,
                                                                    "Ukraine": 0.014})
    # the follower counts are each platform's base size; shares stay as Meta rounds them
    bases = table.groupby("platform")["base_count"].first().to_dict()
    assert bases == {"facebook": 2140, "instagram": 615}
    assert set(table["base"]) == {"followers"}
    assert set(table["rounding"]) == {0.001}
    assert set(table["account"]) == {"Forest City Newcomer Services", "forestcitynewcomers"}
    assert result.warnings == []


def test_meta_quoted_lines_and_empty_facebook_sections():
    _, result = parse(META / "Audience_quoted.csv")
    assert set(result.tables["audience"]["platform"]) == {"instagram"}
    ig = shares(result, "instagram", "age_gender")
    assert ig["25-34|men"] == pytest.approx(0.34)
    assert shares(result, "instagram", "city") == pytest.approx(
        {"London, Ontario, Canada": 0.448, "Sarnia, Ontario, Canada": 0.032})
    assert result.tables["audience"]["base_count"].iloc[0] == 1875
    (warning,) = result.warnings
    assert "'Facebook followers by top towns/cities'" in warning and "no rows" in warning


def test_meta_file_whose_separators_a_tool_removed():
    _, result = parse(META / "Audience_damaged.csv")
    ig = shares(result, "instagram", "age_gender")
    assert ig["18-24|women"] == pytest.approx(0.161) and ig["65+|women"] == 0
    assert shares(result, "instagram", "country") == pytest.approx({"Canada": 0.799,
                                                                    "Nigeria": 0.033})
    assert shares(result, "instagram", "city")["London Ontario Canada"] == pytest.approx(0.524)
    assert result.tables["audience"]["base_count"].iloc[0] == 312


def test_meta_newer_layout_with_men_first(tmp_path):
    folder = tmp_path / "facebook"
    folder.mkdir()
    shutil.copy(META / "Audience_men_first.csv", folder / "Audience.csv")
    _, result = parse(folder / "Audience.csv")
    fb = shares(result, "facebook", "age_gender")
    assert fb["18-24|men"] == pytest.approx(0.041) and fb["18-24|women"] == pytest.approx(0.063)
    assert sum(fb.values()) == pytest.approx(1.0)
    assert shares(result, "facebook", "city") == pytest.approx(
        {"London, ON": 0.382, "Toronto, ON": 0.061, "Sarnia, ON": 0.025})
    assert result.warnings == []


def test_meta_portuguese_decimal_commas():
    _, result = parse(META / "Público.csv")
    ig = shares(result, "instagram", "age_gender")
    assert ig["18-24|women"] == pytest.approx(0.228)
    assert sum(ig.values()) == pytest.approx(1.0)
    assert shares(result, "instagram", "country") == pytest.approx({"Canadá": 0.936,
                                                                    "Brasil": 0.018})


def test_meta_single_chart_in_utf8():
    kind, result = parse(META / "seg_cidades.csv")
    assert kind.name == "meta_audience"
    assert shares(result, "instagram", "city") == pytest.approx({"London, ON": 0.613,
                                                                 "Kitchener, ON": 0.024})


def test_meta_newer_layout_names_over_values_and_platform_from_the_folder(tmp_path):
    wild = Path(__file__).resolve().parent.parent / "fixtures" / "meta" / "wild" / "charts"
    _, result = parse(wild / "Publico.csv")
    assert set(result.tables["audience"]["platform"]) == {"meta"}
    assert any("does not say whether it is Facebook or Instagram" in w for w in result.warnings)
    assert shares(result, "meta", "city") == pytest.approx({"London, ON": 0.615,
                                                           "Toronto, ON": 0.075})
    folder = tmp_path / "instagram"
    folder.mkdir()
    shutil.copy(wild / "Publico.csv", folder / "Publico.csv")
    _, result = parse(folder / "Publico.csv")
    assert shares(result, "instagram", "age_gender") == pytest.approx(
        {"18-24|women": 0.20, "18-24|men": 0.115})


def test_meta_hand_trimmed_file_skips_its_untitled_series():
    wild = Path(__file__).resolve().parent.parent / "fixtures" / "meta" / "wild" / "charts"
    _, result = parse(wild / "Pubblico.csv")
    assert set(result.tables) == {"audience"}
    assert shares(result, "meta", "city") == pytest.approx({"Roma, Lazio": 0.041,
                                                           "Milano, Lombardia": 0.032})
    assert shares(result, "meta", "country") == pytest.approx({"Italia": 0.612,
                                                              "Canada": 0.099})
    assert any("untitled daily series" in w for w in result.warnings)


def test_meta_bad_input_is_a_warning_naming_the_section_and_the_rest_is_read():
    _, result = parse(META / "Audience_bad.csv")
    # 95 % is kept as given (not normalised) and flagged
    assert shares(result, "instagram", "age_gender") == pytest.approx(
        {"18-24|women": 0.2, "18-24|men": 0.15, "25-34|women": 0.30, "25-34|men": 0.30})
    text = "\n".join(result.warnings)
    assert "section 'Instagram followers by gender and age': the age_gender shares sum to " \
           "95.0 %, not 100 %: kept as the platform gives them (not normalised)" in text
    # a section with a value that is not a percentage is left out whole (no biased shares)
    assert "city" not in set(result.tables["audience"]["breakdown"])
    assert "section 'Instagram followers by top cities' not read: 1 value(s) are not " \
           "percentages" in text
    assert "section 'Instagram followers by favourite colour' not read: a title we do not " \
           "know" in text
    assert "'Instagram followers by top countries'" in text  # the empty section


def test_meta_spreadsheet_resave_with_values_turned_into_dates(tmp_path):
    """As vsbperoto/vintage-analytics-dashboard Audience.csv: ';', CRLF, cp1251 month names."""
    lines = ["Age & gender;;;;;", ";Women;Men;;;", "18-24;3.\u0430\u043f\u0440;1.5;;;",
             "25-34;60;35.5;;;", ";;;;;", "Top countries;;;;;", "Canada;India;;;;",
             "90.5;2.1;;;;", ";;;;;", "Follows;;;;;", "Date;Primary;;;;",
             "2025-11-01T00:00:00;4;;;;"]
    path = tmp_path / "facebook" / "Audience.csv"
    path.parent.mkdir()
    path.write_bytes("\r\n".join(lines).encode("cp1251"))
    kind, result = parse(path)
    assert kind.name == "meta_audience"
    assert shares(result, "facebook", "country") == pytest.approx({"Canada": 0.905,
                                                                  "India": 0.021})
    assert "age_gender" not in set(result.tables["audience"]["breakdown"])
    text = "\n".join(result.warnings)
    assert "section 'Age & gender' not read: 1 value(s) are not percentages" in text
    assert "section 'Follows': a daily series, not read here" in text
    assert "';'-separated: it was re-saved by a spreadsheet" in text


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(("text", "percent", "expected"), [
    ("12.2%", True, (0.122, 0.001, True)),
    ("23,9%", True, (0.239, 0.001, True)),
    ("34%", True, (0.34, 0.001, True)),
    ("21", True, (0.21, 0.001, False)),
    ("0.59", False, (0.59, 0.01, False)),
    ("0.462", False, (0.462, 0.001, False)),
    ("59%", False, (0.59, 0.001, True)),
])
def test_share_number(text, percent, expected):
    share, unit, sign = share_number(text, percent=percent)
    assert (share, unit, sign) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "n/a", "abc", None])
def test_share_number_not_a_number(text):
    assert pd.isna(share_number(text, percent=True)[0])


def test_check_sums_allows_rounding_and_top_lists():
    def frame(breakdown, values, unit=0.001):
        return pd.DataFrame({"platform": "facebook", "breakdown": breakdown, "section": "s",
                             "share": values, "rounding": unit})
    warnings: list[str] = []
    check_sums(frame("age_gender", [0.5, 0.3, 0.2006]), warnings)  # rounding: within slack
    check_sums(frame("city", [0.4, 0.1]), warnings)  # a top-N list need not reach 100 %
    assert warnings == []
    check_sums(frame("age_gender", [0.5, 0.3, 0.1]), warnings)
    check_sums(frame("country", [0.9, 0.2]), warnings)
    assert len(warnings) == 2 and "sum to 90.0 %" in warnings[0] and "110.0 %" in warnings[1]


# --------------------------------------------------------------------------- LinkedIn


def test_linkedin_followers_demographic_sheets():
    kind, result = parse(FIXTURES / "forest-city-newcomers_followers_1766385928211.xls")
    assert kind.name == "linkedin_followers"
    assert set(result.tables) == {"daily", "audience"}
    table = result.tables["audience"]
    assert set(table["breakdown"]) == {"city", "job_function", "seniority", "industry",
                                       "company_size"}
    seniority = table[table["breakdown"] == "seniority"].set_index("segment")
    assert seniority["count"].to_dict() == {"Entry": 50, "Senior": 30, "Manager": 15,
                                            "Director": 5}
    assert seniority["share"].to_dict() == {"Entry": 0.5, "Senior": 0.3, "Manager": 0.15,
                                            "Director": 0.05}
    assert set(seniority["base_count"]) == {100}
    assert set(table["base"]) == {"followers"} and set(table["account"]) == {
        "Forest City Newcomers"}
    assert table["period_start"].isna().all()  # followers now, not a period


def test_linkedin_visitors_sheets_and_a_bad_count():
    _, result = parse(FIXTURES / "forest-city-newcomers_visitors_1766385917155.xls")
    table = result.tables["audience"]
    assert set(table["base"]) == {"visitors"}
    assert table["period_start"].iloc[0] == pd.Timestamp("2025-12-23")
    jobs = table[table["breakdown"] == "job_function"]
    assert jobs["segment"].tolist() == ["Education"]  # the "12%" row is left out
    assert "sheet 'Job function': 1 row(s) without a segment and a count were left out" in \
        result.warnings


def test_linkedin_demographics_of_another_page_are_not_read():
    params = {**ORG, "platforms": {"linkedin": {"account": "Hamilton Settlement"}}}
    _, result = parse(FIXTURES / "forest-city-newcomers_followers_1766385928211.xls", params)
    assert set(result.tables) == {"daily"}
    assert any(w.startswith("sheets Company size, Industry, Job function, Location, Seniority: "
                            "demographics of the page 'forest-city-newcomers'")
               for w in result.warnings)


# --------------------------------------------------------------------------- TikTok


def test_tiktok_follower_files():
    kind, result = parse(FIXTURES / "Followers_forestcitynewcomers.zip")
    assert kind.name == "tiktok_zip"
    assert shares(result, "tiktok", "gender") == {"women": 0.62, "men": 0.37, "other": 0.01}
    assert shares(result, "tiktok", "territory") == {"CA": 0.804, "US": 0.061, "IN": 0.032,
                                                     "Others": 0.103}
    assert shares(result, "tiktok", "age")["25-34"] == 0.38
    table = result.tables["audience"]
    hours = table[table["breakdown"] == "online_hours"].set_index("segment")["count"]
    # mean of the two days: 10 + hour and 15 + hour
    assert hours["00"] == 12.5 and hours["23"] == 35.5 and len(hours) == 24
    assert set(table["account"]) == {"forestcitynewcomers"}


def test_tiktok_followers_zip_named_after_another_account(tmp_path):
    path = tmp_path / "Followers_someoneelse.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("FollowerGender.csv", (FIXTURES / "FollowerGender_percent.csv")
                         .read_bytes())
    _, result = parse(path)
    assert "audience" not in result.tables
    assert any("followers of '@someoneelse'" in w for w in result.warnings)


def test_tiktok_percent_text_and_empty_file():
    _, result = parse(FIXTURES / "FollowerGender_percent.csv")
    assert shares(result, "tiktok", "gender") == {"women": 0.62, "men": 0.38}
    assert any("written as percentages" in w for w in result.warnings)
    _, result = parse(FIXTURES / "FollowerGender_empty.csv")
    assert "audience" not in result.tables
    assert any("FollowerGender_empty.csv: no rows" in w for w in result.warnings)


def test_tiktok_followers_of_another_account_are_not_read():
    params = {**ORG, "platforms": {"tiktok": {"account": "someoneelse"}}}
    _, result = parse(FIXTURES / "Followers_forestcitynewcomers.zip", params)
    assert "audience" not in result.tables
    assert any("followers of '@forestcitynewcomers', not the organisation's account "
               "'@someoneelse'" in w for w in result.warnings)


# --------------------------------------------------------------------------- GA4


def test_ga4_demographics_go_to_web_and_audience():
    kind, result = parse(FIXTURES / "Demographic_details_Country.csv")
    assert kind.name == "ga4_report"
    assert set(result.tables) == {"web", "audience"}
    table = result.tables["audience"].set_index("segment")
    assert table["count"].to_dict() == {"Canada": 700, "India": 120, "(not set)": 5}
    assert table.loc["Canada", "share"] == pytest.approx(700 / 825)
    assert set(table["platform"]) == {"website"} and set(table["base"]) == {"visitors"}
    assert table["period_end"].iloc[0] == pd.Timestamp("2024-03-31")
    web = result.tables["web"]
    assert set(web["dimension"]) == {"country"}  # still in web, as before


def test_ga4_gender_report():
    _, result = parse(FIXTURES / "Demographic_details_Gender.csv")
    assert shares(result, "website", "gender") == pytest.approx(
        {"female": 0.3, "male": 0.2, "unknown": 0.5})


def test_ga4_table_copied_from_the_screen_is_skipped():
    raw = RawFile.read(FIXTURES / "Demographic details_ Age.csv")
    with pytest.raises(NotAnExportError, match="that is not an export we read"):
        detect(raw)


def test_ga4_snapshot_country_card_stays_in_web_only():
    ga4 = Path(__file__).resolve().parent.parent / "fixtures" / "ga4" / "Reports_snapshot_days.csv"
    _, result = parse(ga4)
    assert "audience" not in result.tables


# --------------------------------------------------------------------------- ingest


def test_ingest_writes_the_audience_table(tmp_path):
    raw = tmp_path / "raw" / "2025-03"
    (raw / "facebook").mkdir(parents=True)
    # Two different downloads (the snapshot time comes from the file's modification time,
    # which a fresh checkout makes equal), then the first copied into a second folder.
    for offset, name in enumerate(("Audience_tab.csv", "Audience_quoted.csv")):
        shutil.copy2(META / name, raw / name)
        os.utime(raw / name, (1_740_000_000 + 86_400 * offset,) * 2)
    shutil.copy2(raw / "Audience_tab.csv", raw / "facebook" / "Audience_tab.csv")  # a copy
    shutil.copy(FIXTURES / "Followers_forestcitynewcomers.zip", raw)
    result = ingest(tmp_path / "raw", tmp_path / "processed", ORG)
    table = result.tables["audience"]
    assert set(table["platform"]) == {"facebook", "instagram", "tiktok"}
    assert result.log["skipped"] == []
    # the same snapshot in two folders counts once
    assert result.log["dedupe"]["audience"]["dropped"] == 35
    assert pd.read_parquet(tmp_path / "processed" / "audience.parquet").shape[0] == len(table)
