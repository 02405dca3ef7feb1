"""Landing pages and blog posts from GA4 landing-page tables."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.website.pages import (
    BASIS_30,
    BASIS_MONTH,
    NO_PAGES_NOTE,
    blog_post_of_month,
    is_blog_post,
    normalise_path,
    pages_table,
)
from workbench.website.settings import WebsiteSettings

from .conftest import GA4, SOURCE_MEDIUM, read_web

LANDING = GA4 / "Landing_page_Landing_page.csv"
DAILY = GA4 / "download (5).csv"


@pytest.mark.parametrize("path, expected", [
    ("/blog/post/?utm_source=fb#top", "/blog/post"), ("https://www.x.org/a/", "/a"),
    ("/", "/"), ("(not set)", "(not set)"), (None, None),
])
def test_normalise_path(path, expected):
    assert normalise_path(path) == expected


@pytest.mark.parametrize("path, blog", [
    ("/blog/finding-your-first-apartment", True), ("/blog", False), ("/blog/", False),
    ("/blog/category/housing", False), ("/fr/blog/emploi", True), ("/services", False),
])
def test_is_blog_post(path, blog):
    assert is_blog_post(path, "/blog/") is blog


def test_regex_blog_pattern():
    assert is_blog_post("/news/2024/03/x", r"^/news/\d{4}/")
    assert not is_blog_post("/news", r"^/news/\d{4}/")
    assert not is_blog_post("/blog/x", None)


def test_landing_pages_merge_query_strings_and_rank():
    pages = pages_table(read_web(LANDING))
    top = pages.top("2024-03", 3)
    assert top["page"].tolist() == ["/", "/services/translation",
                                    "/blog/finding-your-first-apartment"]
    linc = pages.monthly.set_index("page").loc["/programs/linc"]
    assert linc["sessions"] == 110  # 88 + the tagged 22
    translation = pages.monthly.set_index("page").loc["/services/translation"]
    assert translation["avg_engagement_time"] == pytest.approx(70.25)
    assert pages.notes == []


def test_blog_posts_monthly_basis():
    pages = pages_table(read_web(LANDING))
    blog = pages.blog.set_index("page")
    assert sorted(blog.index) == ["/blog/finding-your-first-apartment", "/blog/tax-clinic-2024"]
    post = blog.loc["/blog/finding-your-first-apartment"]
    assert post["publication_month"] == "2024-03" and post["sessions_first_30_days"] == 140
    assert post["basis"] == BASIS_MONTH and post["before_data"]
    # first month of data: it may be older, so it is not "this month's post"
    assert blog_post_of_month(pages, "2024-03") is None


def test_blog_post_of_month_with_daily_first_30_days():
    pages = pages_table(read_web(LANDING, DAILY))
    post = blog_post_of_month(pages, "2024-04")
    assert post["page"] == "/blog/spring-job-fair"
    assert post["basis"] == BASIS_30 and post["window_complete"]
    assert post["sessions_first_30_days"] == sum(max(1, 20 - k // 2) for k in range(30))
    older = pages.blog.set_index("page").loc["/blog/tax-clinic-2024"]
    assert older["publication_month"] == "2024-03" and older["basis"] == BASIS_MONTH
    april = pages.monthly[pages.monthly["month"] == "2024-04"].set_index("page")
    assert april.loc["/blog/tax-clinic-2024", "sessions"] == 5 * 30


def test_no_landing_table_and_no_blog_path_notes():
    pages = pages_table(read_web(SOURCE_MEDIUM))
    assert pages.monthly.empty and pages.notes == [NO_PAGES_NOTE]
    assert blog_post_of_month(pages, "2024-03") is None
    unset = pages_table(read_web(LANDING), WebsiteSettings(blog_path=None))
    assert unset.blog.empty and "blog_path" in unset.notes[0]
    wrong = pages_table(read_web(LANDING), WebsiteSettings(blog_path="/news/"))
    assert "No landing page matches" in wrong.notes[0]
    assert isinstance(wrong.monthly, pd.DataFrame) and len(wrong.monthly) == 8


def test_real_structure_range_crlf_and_blank_page():
    """Same bytes as a real download: CRLF, a range over three months, a blank page row."""
    web = read_web(GA4 / "Landing_page_Landing_page (range, crlf).csv")
    assert web["month"].isna().all() and web["date"].isna().all()
    pages = pages_table(web)
    assert pages.monthly.empty and "more than one month" in pages.notes[0]
    one_month = pages_table(web.assign(month="2024-03"))
    monthly = one_month.monthly.set_index("page")
    assert monthly.loc["(blank)", "sessions"] == 11
    assert monthly.loc["/blog/how-linc-classes-work", "is_blog"]
