"""The sample organisation's website exports: real GA4 formats, and the analysis finds what
the generator planted (visits per platform, the blog post, the UTM problems, the grant month,
the link-post association)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from workbench.io.ingest import ingest
from workbench.io.tables import load_tables
from workbench.sample import generate_sample
from workbench.website.grant import BELOW, OK
from workbench.website.results import analyse_website

PARAMS = {
    "name": "Sample Newcomer Centre", "short_name": "SNC", "timezone": "America/Toronto",
    "website": "https://www.sample-centre.example",
    "platforms": {"facebook": {"account": "Sample Newcomer Centre"},
                  "instagram": {"account": "samplecentre"},
                  "linkedin": {"account": "Sample Newcomer Centre"},
                  "tiktok": {"account": "samplecentre"}},
    "brand_colours": {"blue": "#1F4E9A"},
    "topics": {"translation_services": {"en": ["translation"], "fr": ["traduction"]},
               "housing": {"en": ["housing"], "fr": ["logement"]}},
    "website_analysis": {"social_platforms": ["facebook", "instagram", "linkedin", "tiktok"],
                         "blog_path": "/blog/"},
    "utm": {"medium": "social"},
    "grant": {"monthly_ceiling": 10000, "currency": "USD", "brand_terms": ["snc"]},
    "services": {"translation": {"topic": "translation_services",
                                 "inquiries_kpi": "translation_inquiries",
                                 "revenue_kpi": "translation_revenue"}},
}
MONTHS = ("2024-03", "2024-06")


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, dict, dict]:
    root = tmp_path_factory.mktemp("web")
    truth = generate_sample(root / "raw", seed=5, start=MONTHS[0], end=MONTHS[1], params=PARAMS)
    ingest(root / "raw", root / "processed", PARAMS)
    return root, truth, load_tables(root / "processed")


def test_files_are_real_ga4_format(sample):
    root, truth, _ = sample
    folder = root / "raw" / "2024-04" / "website"
    standard = (folder / "Traffic_acquisition_Session_source_medium.csv").read_bytes()
    assert standard.startswith(b"# ----------------------------------------\n# Traffic "
                               b"acquisition: Session source / medium\n# Account: ")
    assert b"\n# Start date: 20240401\n# End date: 20240430\nSession source / medium,Sessions,"\
        in standard and not standard.endswith(b"\n") and not standard.startswith(b"\xef\xbb\xbf")
    daily = (folder / "download (social by day).csv").read_bytes()
    assert b"\n# 20240401-20240430\n# ----------------------------------------\n\nDate," in daily
    assert b"Grand total\n" in daily and daily.endswith(b"\n\n")
    kinds = {f["path"]: f["kind"] for f in truth["files"]}
    assert kinds["2024-04/website/Landing_page_Landing_page.csv"] == "ga4"
    log = json.loads((root / "processed" / "ingest_log.json").read_text())
    assert not any("website" in str(s) for s in log.get("skipped", []))


def test_report_finds_what_was_planted(sample):
    _, truth, tables = sample
    last = MONTHS[1]
    result = analyse_website(tables, last, PARAMS)
    kpis = {r["kpi"]: r["value"] for r in result.kpi_rows}
    for month in ("2024-05", last):
        month_kpis = {r["kpi"]: r["value"]
                      for r in analyse_website(tables, month, PARAMS).kpi_rows}
        planted = truth["kpis"][month]["website"]
        for platform in ("facebook", "instagram", "linkedin", "tiktok"):
            assert month_kpis[f"visits_from_{platform}"] == planted[f"visits_from_{platform}"]
    assert kpis["visits_from_facebook"] > kpis["visits_from_tiktok"]
    # this month's blog post, with its first 30 days from the daily exploration
    post = analyse_website(tables, "2024-05", PARAMS).blog_post
    planted_post = truth["website"]["months"]["2024-05"]["blog_post"]
    assert post["page"] == planted_post
    assert post["sessions_first_30_days"] == truth["website"]["blog_posts"][planted_post][
        "sessions_first_30_days"]
    # the UTM problems planted (mis-cased, untagged social referrals, unknown medium)
    found = dict(zip(result.utm.problems["value"], result.utm.problems["sessions"], strict=True))
    assert found == {k: float(v) for k, v in truth["website"]["months"][last]
                     ["utm_problems"].items()}
    # the grant: the planted month is below 5 %, the others fine
    assert truth["grant"]["low_ctr_month"] == last
    assert result.grant.status("ctr") == BELOW
    assert analyse_website(tables, "2024-05", PARAMS).grant.status("ctr") == OK
    assert result.grant.status("paid_sessions") == OK
    # the link-post association planted in the daily split is recovered
    posts_model = result.associations[0]
    planted = np.exp(sum(v for k, v in truth["website"]["daily_effect"].items()
                         if k.startswith("log_rate")))
    assert posts_model.method == "quasi_poisson"
    assert posts_model.total_ci[0] <= planted <= posts_model.total_ci[1]
    json.dumps(result.to_json())
