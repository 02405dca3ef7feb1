"""UTM links following the convention, and the GA4 values that break it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from workbench.errors import WorkbenchError
from workbench.website.settings import UtmConvention, website_settings
from workbench.website.utm import build_link, check_sources, format_check, normalise_value

from .conftest import GA4, SOURCE_MEDIUM, read_web, web_frame


def query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_link_follows_convention():
    link = build_link("https://www.forestcitynewcomers.example/linc", "facebook",
                      "spring-linc-2024", content="reel-1")
    assert link.url == ("https://www.forestcitynewcomers.example/linc?utm_source=facebook"
                        "&utm_medium=social&utm_campaign=spring-linc-2024&utm_content=reel-1")
    assert link.notes == ()


def test_capitals_spaces_accents_rewritten_with_a_note():
    link = build_link("example.org/emploi?lang=fr#form", "Instagram", "Salon de l'Été 2024")
    q = query(link.url)
    assert q == {"lang": "fr", "utm_source": "instagram", "utm_medium": "social",
                 "utm_campaign": "salon-de-lete-2024"}
    assert link.url.endswith("#form") and link.url.startswith("https://example.org/emploi?")
    assert any("https:// added" in n for n in link.notes)
    assert any("'salon-de-lete-2024'" in n for n in link.notes)


def test_existing_utm_replaced_and_custom_sources():
    convention = website_settings({"utm": {"sources": {"facebook": "fb-page"},
                                           "medium": "organic_social"}}).utm
    link = build_link("https://x.org/?utm_source=Facebook&id=3", "facebook", "a", None,
                      convention)
    q = query(link.url)
    assert q["utm_source"] == "fb-page" and q["utm_medium"] == "organic_social"
    assert q["id"] == "3" and "existing utm_source replaced" in link.notes


@pytest.mark.parametrize("args, match", [
    (("https://x.org", "myspace", "a"), r"--platform 'myspace' has no utm source.*Hint: use one"),
    (("https://x.org", "facebook", "!!!"), r"utm_campaign '!!!' is empty"),
    (("https:// bad host", "facebook", "a"), r"not a web address"),
])
def test_bad_input_is_one_clear_line(args, match):
    with pytest.raises(WorkbenchError, match=match):
        build_link(*args)


def test_campaign_pattern_from_org_yaml():
    convention = UtmConvention(campaign_pattern=r"^\d{4}-\d{2}-[a-z0-9-]+$")
    assert build_link("x.org", "tiktok", "2024-03-job-fair", convention=convention)
    with pytest.raises(WorkbenchError, match="does not match utm.campaign_pattern"):
        build_link("x.org", "tiktok", "job-fair", convention=convention)


def test_normalise_value():
    assert normalise_value("  Spring  Job_Fair ") == "spring-job-fair"
    assert normalise_value("a--b", "_") == "a_b"


def test_check_lists_the_values_that_break_it():
    check = check_sources(read_web(SOURCE_MEDIUM))
    assert check.month == "2024-03"
    found = check.problems.set_index("value")
    assert set(found.index) == {"l.facebook.com / referral", "m.facebook.com / referral",
                                "lm.facebook.com / referral", "Facebook / Social",
                                "l.instagram.com / referral", "linkedin.com / referral",
                                "lnkd.in / referral", "tiktok.com / referral",
                                "Newsletter / E-mail"}
    assert "untagged link from facebook" in found.loc["l.facebook.com / referral", "problem"]
    assert found.loc["l.facebook.com / referral", "sessions"] == 121
    assert "capital letters in the source" in found.loc["Facebook / Social", "problem"]
    assert "unknown medium 'E-mail'" in found.loc["Newsletter / E-mail", "problem"]
    assert check.sessions_affected == 121 + 40 + 9 + 22 + 33 + 27 + 11 + 7 + 5
    assert check.problems["sessions"].is_monotonic_decreasing
    assert "break the naming convention" in check.note()
    text = format_check(check)
    assert "l.facebook.com / referral" in text and "Fix:" in text


def test_check_wrong_source_name_spaces_and_campaigns():
    web = web_frame([
        {"month": "2024-05", "dimension": "source_medium", "dimension_value": v,
         "metric": "sessions", "value": 10} for v in
        ("fb / social", "facebook / social", "insta gram / social", "google / organic")] + [
        {"month": "2024-05", "dimension": "session_campaign", "dimension_value": v,
         "metric": "sessions", "value": 4} for v in ("Spring Fair", "spring-fair", "(organic)")])
    found = check_sources(web, "2024-05").problems.set_index("value")
    assert set(found.index) == {"fb / social", "insta gram / social", "campaign Spring Fair"}
    assert "use facebook / social" in found.loc["fb / social", "fix"]
    assert "spaces in the source" in found.loc["insta gram / social", "problem"]
    assert found.loc["campaign Spring Fair", "fix"] == "use 'spring-fair'"


def test_check_without_table_or_month():
    channel = read_web(GA4 / "Traffic_acquisition_Session_primary_channel_group_"
                             "(Default_Channel_Group).csv")
    check = check_sources(channel)
    assert check.problems.empty and "No GA4 source / medium table" in check.notes[0]
    other = check_sources(read_web(SOURCE_MEDIUM), "2023-01")
    assert "months with one: 2024-03" in other.notes[0]
    assert check.note() is None and "No GA4" in format_check(check)
