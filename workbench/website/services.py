"""The organisation's services (a translation social enterprise): posts, inquiries, revenue.

Each service in ``org.yaml`` ``services`` names the content topic of its posts and the
``manual`` KPIs of its inquiries and revenue. :func:`service_months` puts the month's
service posts beside the inquiries and revenue; :func:`service_sentence` describes them as a
trend across months, never as an effect of the posts. :func:`inquiries_by_source` splits
inquiries by where they came from when the manual file has a ``source`` column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.lazy import lazy_module
from workbench.website.settings import ServiceSettings

stats = lazy_module("scipy.stats")

MIN_MONTHS_FOR_TREND = 4


@dataclass
class ServiceMonths:
    """One service, month by month.

    Attributes:
        service: The service's settings.
        table: ``month``, ``service_posts`` (posts labelled with the service's topic),
            ``posts`` (all posts), ``inquiries``, ``revenue`` (NA where not recorded).
        notes: What is missing.
    """

    service: ServiceSettings
    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _post_months(posts: pd.DataFrame) -> pd.Series:
    stamps = posts["published_at"]
    return stamps.map(lambda t: t.strftime("%Y-%m") if pd.notna(t) else None)


def _manual_series(manual: pd.DataFrame | None, kpi: str | None) -> pd.Series:
    if manual is None or manual.empty or not kpi:
        return pd.Series(dtype="float64")
    rows = manual[(manual["kpi"] == kpi)]
    if "platform" in rows:
        rows = rows[rows["platform"].isin(["services", "service"]) | rows["platform"].isna()]
    # rows split by source (a ``source`` column) add up to the month's figure
    return pd.to_numeric(rows["value"], errors="coerce").groupby(
        rows["month"].astype(str)).sum(min_count=1).astype("float64")


def service_months(service: ServiceSettings, months: list[str], posts: pd.DataFrame | None,
                   labels: pd.DataFrame | None, manual: pd.DataFrame | None) -> ServiceMonths:
    """Service posts, inquiries and revenue for each month.

    Args:
        service: One service from org.yaml.
        months: ``YYYY-MM`` months to show (oldest first).
        posts: The canonical ``posts`` table.
        labels: The ``labels`` table (topic per post).
        manual: The ``manual`` table (inquiries and revenue typed by the analyst).

    Returns:
        :class:`ServiceMonths`; posts are NA when labels are missing, inquiries and revenue
        NA for months without a manual figure.
    """
    notes: list[str] = []
    table = pd.DataFrame({"month": months})
    if posts is None or posts.empty:
        table["posts"] = pd.NA
        table["service_posts"] = pd.NA
        notes.append("No posts table: the service's posts are not counted.")
    else:
        month_of = _post_months(posts)
        table["posts"] = [int((month_of == m).sum()) for m in months]
        if labels is None or labels.empty or not service.topic:
            table["service_posts"] = pd.NA
            notes.append("Posts are not labelled yet (run `workbench label`): the service's "
                         "posts are not counted." if service.topic else
                         f"org.yaml gives services.{service.name} no topic.")
        else:
            topics = labels.drop_duplicates(["platform", "post_id"], keep="last").set_index(
                ["platform", "post_id"])["topic"]
            keys = list(zip(posts["platform"].astype(str), posts["post_id"].astype(str),
                            strict=True))
            topic = pd.Series([topics.get(k) for k in keys], index=posts.index)
            mine = month_of[topic == service.topic]
            table["service_posts"] = [int((mine == m).sum()) for m in months]
    for column, kpi in (("inquiries", service.inquiries_kpi), ("revenue", service.revenue_kpi)):
        series = _manual_series(manual, kpi)
        table[column] = [series.get(m, float("nan")) for m in months]
        table[column] = table[column].astype("Float64")
        if kpi and series.empty:
            notes.append(f"No '{kpi}' figures in manual_kpis.csv.")
    for column in ("posts", "service_posts"):
        table[column] = pd.to_numeric(table[column], errors="coerce").astype("Int64")
    return ServiceMonths(service, table, notes)


def service_sentence(result: ServiceMonths, month: str, money_unit: str = "") -> str:
    """The month's service posts, inquiries and revenue in words, as a trend only.

    Args:
        result: The service's months.
        month: ``YYYY-MM``.
        money_unit: Shown before the revenue (org.yaml's currency symbol or code).
    """
    table = result.table.set_index("month")
    name = result.service.name.replace("_", " ")
    if month not in table.index:
        return f"No {name} figures for {month}."
    row = table.loc[month]
    previous = str(pd.Period(month, freq="M") - 1)
    before = table.loc[previous] if previous in table.index else None

    def number(value: Any, money: bool) -> str:
        return f"{money_unit}{value:,.0f}" if money else f"{value:,.0f}"

    def show(column: str, what: str, money: bool = False) -> str:
        value = row[column]
        if pd.isna(value):
            return f"{what} not recorded"
        text = f"{number(value, money)} {what}" if what else number(value, money)
        if before is not None and not pd.isna(before[column]):
            text += f" ({number(before[column], money)} the month before)"
        return text

    posts = (show("service_posts", f"{name} post{'s' if row['service_posts'] != 1 else ''}")
             if not pd.isna(row["service_posts"])
             else f"{name} posts not counted (posts not labelled)")
    revenue = show("revenue", "", money=True)
    parts = [f"In {month}: {posts}, {show('inquiries', 'inquiries')}, "
             + ("revenue not recorded." if revenue.endswith("not recorded")
                else f"revenue {revenue}.")]
    both = table[["service_posts", "inquiries"]].dropna()
    if len(both) >= MIN_MONTHS_FOR_TREND and both["service_posts"].nunique() > 1 \
            and both["inquiries"].nunique() > 1:
        rho = float(stats.spearmanr(both["service_posts"].astype(float),
                                    both["inquiries"].astype(float)).statistic)
        if abs(rho) >= 0.5:
            way = "more" if rho > 0 else "fewer"
            parts.append(f"Over the {len(both)} months shown, months with more {name} posts "
                         f"tended to have {way} inquiries (Spearman {rho:.2f}): a trend that "
                         "moves together, not a measured effect of the posts.")
        else:
            parts.append(f"Over the {len(both)} months shown, {name} posts and inquiries did "
                         f"not move together clearly (Spearman {rho:.2f}).")
    return " ".join(parts)


def inquiries_by_source(manual: pd.DataFrame | None, service: ServiceSettings
                        ) -> tuple[pd.DataFrame, str | None]:
    """Inquiries per month and source, when ``manual_kpis.csv`` has a ``source`` column.

    Returns:
        A month × source table (NA where a source has no row), and a note when the manual
        file gives no source (the table is then empty).
    """
    if manual is None or manual.empty or not service.inquiries_kpi:
        return pd.DataFrame(), f"No '{service.inquiries_kpi}' figures in manual_kpis.csv."
    if "source" not in manual or manual.loc[manual["kpi"] == service.inquiries_kpi,
                                            "source"].isna().all():
        return pd.DataFrame(), ("manual_kpis.csv has no 'source' column for inquiries: add "
                                "one (facebook, website, referral, walk-in, ...) to see where "
                                "inquiries come from.")
    rows = manual[(manual["kpi"] == service.inquiries_kpi) & manual["source"].notna()]
    values = pd.to_numeric(rows["value"], errors="coerce")
    table = (rows.assign(value=values, source=rows["source"].astype(str).str.strip().str.lower())
             .pivot_table(index="month", columns="source", values="value", aggfunc="sum"))
    return table, None
