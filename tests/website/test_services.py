"""Service posts beside inquiries and revenue, worded as a trend; inquiries by source."""

from __future__ import annotations

import pandas as pd

from workbench.website.services import inquiries_by_source, service_months, service_sentence
from workbench.website.settings import ServiceSettings, website_settings

TRANSLATION = ServiceSettings("translation", "translation_services", "translation_inquiries",
                              "translation_revenue")
MONTHS = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]


def posts_and_labels(per_month: dict[str, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, labels = [], []
    for month, n in per_month.items():
        for i in range(n + 2):  # two other posts each month
            pid = f"{month}-{i}"
            rows.append({"platform": "facebook", "post_id": pid,
                         "published_at": pd.Timestamp(f"{month}-10 12:00", tz="America/Toronto")})
            labels.append({"platform": "facebook", "post_id": pid,
                           "topic": "translation_services" if i < n else "housing"})
    return pd.DataFrame(rows), pd.DataFrame(labels)


def manual(inquiries: dict[str, float], revenue: dict[str, float]) -> pd.DataFrame:
    rows = [{"month": m, "platform": "services", "kpi": "translation_inquiries", "value": v}
            for m, v in inquiries.items()]
    rows += [{"month": m, "platform": "services", "kpi": "translation_revenue", "value": v}
             for m, v in revenue.items()]
    return pd.DataFrame(rows)


def test_months_table_and_trend_sentence():
    posts, labels = posts_and_labels({"2024-01": 1, "2024-02": 3, "2024-03": 2,
                                      "2024-04": 5, "2024-05": 4})
    man = manual({"2024-01": 20, "2024-02": 30, "2024-03": 25, "2024-04": 41, "2024-05": 37},
                 {"2024-01": 2000.0, "2024-02": 3100.5, "2024-04": 4500.0, "2024-05": 4380.0})
    result = service_months(TRANSLATION, MONTHS, posts, labels, man)
    table = result.table.set_index("month")
    assert table["service_posts"].tolist() == [1, 3, 2, 5, 4]
    assert table["posts"].tolist() == [3, 5, 4, 7, 6]
    assert pd.isna(table.loc["2024-03", "revenue"])  # not recorded: NA, not 0
    sentence = service_sentence(result, "2024-05", "$")
    assert sentence.startswith("In 2024-05: 4 translation posts (5 the month before), "
                               "37 inquiries (41 the month before), revenue $4,380 ($4,500 "
                               "the month before).")
    assert "tended to have more inquiries" in sentence and "not a measured effect" in sentence
    assert "revenue not recorded" in service_sentence(result, "2024-03")


def test_missing_labels_and_manual_give_notes():
    posts, _ = posts_and_labels({"2024-01": 1})
    result = service_months(TRANSLATION, MONTHS, posts, None, None)
    assert result.table["service_posts"].isna().all()
    assert any("not labelled" in n for n in result.notes)
    assert any("translation_inquiries" in n for n in result.notes)
    assert "translation posts not counted" in service_sentence(result, "2024-01")


def test_inquiries_by_source():
    man = manual({"2024-01": 20}, {})
    table, note = inquiries_by_source(man, TRANSLATION)
    assert table.empty and "no 'source' column" in note
    split = pd.DataFrame([
        {"month": "2024-01", "platform": "services", "kpi": "translation_inquiries",
         "value": v, "source": s} for s, v in (("Facebook", 8), ("website", 9), ("walk-in", 3))])
    table, note = inquiries_by_source(split, TRANSLATION)
    assert note is None and table.loc["2024-01"].to_dict() == {"facebook": 8, "walk-in": 3,
                                                               "website": 9}
    months = service_months(TRANSLATION, ["2024-01"], None, None, split)
    assert months.table["inquiries"].tolist() == [20]


def test_services_from_org_yaml():
    settings = website_settings({"services": {
        "label": "Translation services", "topic": "translation_services",
        "kpis": {"translation_inquiries": {"label": "Inquiries", "role": "inquiries"},
                 "translation_revenue": {"label": "Revenue", "money": True}}}})
    assert settings.services[0].name == "Translation services"
    assert settings.services[0].topic == "translation_services"
    assert settings.services[0].inquiries_kpi == "translation_inquiries"
    assert settings.services[0].revenue_kpi == "translation_revenue"
    only_inquiries = website_settings({"services": {"kpis": {"n": {"role": "inquiries"}}}})
    assert only_inquiries.services[0].revenue_kpi is None
