"""Issue 11 on the page: the KPI rows say their age basis, judge page-level changes against
their noise band in words, and show their note; the footer words the run's settings."""

from __future__ import annotations

import pandas as pd

from workbench.analysis.month import skipped_files
from workbench.analysis.results import DataQuality
from workbench.kpis import BAND_TOO_LITTLE, BAND_UNUSUAL, BAND_WITHIN, KPI_COLUMNS
from workbench.report.display import kpi_table_html
from workbench.wording import report_footer_lines

NAN = float("nan")


def _row(**values) -> dict:
    row = dict.fromkeys(KPI_COLUMNS, None)
    row.update({"kind": "total", "source": "test", "note": ""})
    row.update(values)
    return row


def test_post_rows_say_their_basis_and_note():
    frame = pd.DataFrame([_row(
        platform="facebook", kpi="post_engagement", value=900.0, previous=1000.0,
        change_pct=-10.0, ci_low=-30.0, ci_high=12.0,
        basis="interactions in the first 7 days",
        note="3 posts too young <7 days>: projected along the growth curve")])
    markup = kpi_table_html(frame).markup
    assert "interactions in the first 7 days" in markup
    assert "3 posts too young &lt;7 days&gt;: projected" in markup  # escaped
    assert "-10% <span class='ci'>(-30% to +12%)</span>" in markup  # interval, no band words
    assert BAND_WITHIN not in markup.split("</table>")[0]


def test_page_level_rows_are_judged_in_words():
    frame = pd.DataFrame([
        _row(platform="facebook", kpi="reach", value=650.0, previous=1000.0, change_pct=-35.0,
             band_low=-40.0, band_high=70.0, band_status=BAND_WITHIN, kind="unique"),
        _row(platform="facebook", kpi="new_followers", value=300.0, previous=100.0,
             change_pct=200.0, band_low=-40.0, band_high=70.0, band_status=BAND_UNUSUAL),
        _row(platform="instagram", kpi="profile_visits", value=120.0, previous=100.0,
             change_pct=20.0, band_status=BAND_TOO_LITTLE),
    ])
    body = kpi_table_html(frame).markup.split("</table>")[0]
    rows = body.split("<tr>")[1:]
    reach = next(r for r in rows if "-35%" in r)
    assert "<span class='band'>within the usual range</span>" in reach
    assert "(-35%; usual -40% to +70%)" in reach
    followers = next(r for r in rows if "+200%" in r)
    assert "<span class='band'>unusual</span>" in followers
    visits = next(r for r in rows if "+20%" in r)
    assert "too little history" in visits and "usual" not in visits.replace("unusual", "")


def test_footer_words_the_settings():
    lines = report_footer_lines({"alpha": 0.001, "fdr_q": 0.001, "post_age_days": 28})
    assert any("first 28 days" in line for line in lines)
    assert any("too little history" in line for line in lines)
    strict = " ".join(lines)
    assert strict != " ".join(report_footer_lines({"alpha": 0.05, "fdr_q": 0.1,
                                                   "post_age_days": 28}))
    assert any("lifetime totals" in line for line in report_footer_lines({}))


def test_skipped_files_one_line_each():
    log = {"skipped": [{"file": "2024-03/ads manager.xlsx",
                        "reason": "a Meta Ads Manager workbook, not an export we read"},
                       {"file": "notes.pdf", "reason": "a PDF"}]}
    skipped = skipped_files(log)
    quality = DataQuality(files=pd.DataFrame(), dedupe={}, excluded_posts=pd.DataFrame(),
                          metric_definition_changes=[], warnings=[], skipped=skipped)
    assert quality.skipped_lines() == [
        "2024-03/ads manager.xlsx: a Meta Ads Manager workbook, not an export we read",
        "notes.pdf: a PDF"]
    assert quality.to_json()["skipped"] == skipped
    assert skipped_files({}) == []


def test_leadership_findings_print_pooled_numbers_analyst_frame_keeps_raw():
    from workbench.analysis.month import findings
    from workbench.report.sections import hypotheses_display_frame

    record = {"id": "topic:employment", "platform": "all", "n_group": {"with": 30, "without": 90},
              "window": "2024-06..2024-11", "method": "negbin", "confidence": "suggestive",
              "estimate": 2.1, "ci_low": 1.5, "ci_high": 3.1, "p_value": 0.001,
              "p_adjusted": 0.02, "covariates": ["platform"],
              "estimate_pooled": 1.3, "ci_low_pooled": 1.0, "ci_high_pooled": 1.8}
    top = findings([], [record], {}, {}, {})[0]
    assert "1.3×" in top["text"] and "1.0–1.8" in top["text"] and "2.1" not in top["text"]
    shown = hypotheses_display_frame(pd.DataFrame([record]))
    assert shown.loc[0, "estimate"] == 2.1 and shown.loc[0, "ci_high"] == 3.1
