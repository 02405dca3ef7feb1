"""Social platform → website: sessions (and key events) per platform, per month.

Every referrer variant of a platform is merged (``facebook.com``, ``m.facebook.com``,
``l.facebook.com``, ``lm.facebook.com``, ``facebook / social``, ``Facebook``); paid mediums
(``facebook / cpc``, ``paid_social``) are counted apart and never added to the organic figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbench.website.settings import WebsiteSettings
from workbench.website.sources import has_source_table, is_paid, platform_of, source_rows

#: Columns of :attr:`SocialVisits.monthly`.
MONTHLY_COLUMNS = ("month", "platform", "sessions", "key_events", "paid_sessions", "variants")
#: The DESIGN.md KPI row columns.
KPI_ROW_COLUMNS = ("platform", "kpi", "value", "previous", "change_pct", "ci_low", "ci_high",
                   "band_low", "band_high", "band_status", "range", "basis", "kind", "source",
                   "note")
KPI_SOURCE = "GA4 sessions by source / medium (referrer variants merged; paid excluded)"


@dataclass
class SocialVisits:
    """Sessions referred by each social platform.

    Attributes:
        monthly: One row per (month, platform): organic ``sessions``, ``key_events`` (NA
            when the export has none), ``paid_sessions`` (paid mediums, kept apart) and
            ``variants`` (the source/medium values merged, largest first).
        variants: One row per (month, platform, GA4 value): the value as written and its
            sessions, so the merge can be checked.
        notes: Plain-language notes (missing tables, missing key events).
    """

    monthly: pd.DataFrame
    variants: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def month(self, month: str) -> pd.DataFrame:
        """The platforms' rows for one month."""
        return self.monthly[self.monthly["month"] == month].reset_index(drop=True)

    def to_json(self, month: str) -> list[dict]:
        """The month's rows as JSON-safe dicts (results.json ``website.social``)."""
        out = []
        for row in self.month(month).to_dict(orient="records"):
            out.append({k: (None if _is_na(v) else (float(v) if k != "variants"
                                                    and not isinstance(v, str) else v))
                        for k, v in row.items()})
        return out


def _is_na(value) -> bool:
    return not isinstance(value, (list, tuple, str)) and pd.isna(value)


NO_SOURCE_NOTE = ("No GA4 source / medium table: visits per social platform need the "
                  "'Traffic acquisition: Session source / medium' report (Reports > "
                  "Acquisition > Traffic acquisition, primary dimension 'Session source / "
                  "medium' > Share > Download file > CSV).")


def social_visits(web: pd.DataFrame, settings: WebsiteSettings | None = None) -> SocialVisits:
    """Sessions per social platform and month, every referrer variant merged.

    Args:
        web: The canonical ``web`` table (GA4 source/medium tables in it).
        settings: Website settings (the platforms to list); default: the four platforms.

    Returns:
        The monthly table, the merged variants and notes. Without a source/medium table
        the tables are empty and the note says which GA4 report to download.
    """
    settings = settings or WebsiteSettings()
    notes: list[str] = []
    empty = SocialVisits(pd.DataFrame(columns=list(MONTHLY_COLUMNS)),
                         pd.DataFrame(columns=["month", "platform", "raw", "paid", "sessions"]),
                         notes)
    if not has_source_table(web):
        notes.append(NO_SOURCE_NOTE)
        return empty
    rows = source_rows(web, metrics=("sessions", "key_events"))
    if rows.empty:
        notes.append("The GA4 source / medium table has no Sessions column, or covers more "
                     "than one month: download one file per month with the default metrics.")
        return empty
    rows = rows.assign(platform=rows["source"].map(platform_of),
                       paid=rows["medium"].map(is_paid).astype(bool))
    months = sorted(rows["month"].dropna().unique())
    has_events = (rows["metric"] == "key_events").any()
    if not has_events:
        notes.append("The source / medium export has no Key events column: key events per "
                     "platform are not shown.")
    social = rows[rows["platform"].notna()]
    sessions = social[social["metric"] == "sessions"]
    variants = (sessions.groupby(["month", "platform", "raw", "paid"], as_index=False)["value"]
                .sum().rename(columns={"value": "sessions"})
                .sort_values(["month", "platform", "sessions"], ascending=[True, True, False]))
    # Each (month, platform)'s sums and variant names found in one pass, not by filtering
    # the table for every month and platform.
    sums = {key: float(value) for key, value in social.groupby(
        ["month", "platform", "paid", "metric"], sort=False)["value"].sum().items()}
    names_of: dict[tuple, list[str]] = {}
    for month, platform, raw in zip(variants["month"], variants["platform"],
                                    variants["raw"].astype(str), strict=True):
        names_of.setdefault((month, platform), []).append(raw)
    records = []
    for month in months:
        for platform in settings.social_platforms:
            records.append({
                "month": month, "platform": platform,
                # the month has a source table: no row for a platform means no session
                "sessions": sums.get((month, platform, False, "sessions"), 0.0),
                "key_events": (sums.get((month, platform, False, "key_events"), 0.0)
                               if has_events else pd.NA),
                "paid_sessions": sums.get((month, platform, True, "sessions"), 0.0),
                "variants": ", ".join(names_of.get((month, platform), [])),
            })
    monthly = pd.DataFrame(records, columns=list(MONTHLY_COLUMNS))
    for column in ("sessions", "key_events", "paid_sessions"):
        monthly[column] = monthly[column].astype("Float64")
    return SocialVisits(monthly, variants.reset_index(drop=True), notes)


def _previous_month(month: str) -> str:
    return str(pd.Period(month, freq="M") - 1)


def visits_kpis(visits: SocialVisits, month: str,
                settings: WebsiteSettings | None = None) -> list[dict]:
    """The ``website`` / ``visits_from_<platform>`` KPI rows for ``month``.

    Args:
        visits: :func:`social_visits` output.
        month: ``YYYY-MM``.
        settings: The platforms chosen in org.yaml (``website_analysis.social_platforms``).

    Returns:
        One row per platform in the DESIGN.md KPI row shape (``kind`` ``total``); no row when
        neither this month nor last has a source/medium table. ``value`` is NA for a month
        without the table. A change is judged against the platform's own month-to-month range
        of referred sessions (``band_low``/``band_high``/``band_status``, issue 11 §2), like the
        other page-level figures.
    """
    from workbench.kpis import BAND_TOO_LITTLE, BAND_UNUSUAL, BAND_WITHIN, RANGE_BAND
    from workbench.stats.kpi_change import noise_band_detail

    settings = settings or WebsiteSettings()
    previous_month = _previous_month(month)
    table = visits.monthly
    known = set(table["month"])
    rows = []
    for platform in settings.social_platforms:
        def value(m: str, platform: str = platform):
            if m not in known:
                return None
            hit = table[(table["month"] == m) & (table["platform"] == platform)]["sessions"]
            return float(hit.iloc[0]) if len(hit) and not pd.isna(hit.iloc[0]) else None

        now, before = value(month), value(previous_month)
        if now is None and before is None:
            continue
        change = (100.0 * (now - before) / before
                  if now is not None and before not in (None, 0) else None)
        band_low = band_high = status = None
        if change is not None:
            mine = table[table["platform"] == platform]
            detail = noise_band_detail(
                pd.Series(mine["sessions"].to_numpy(dtype="float64", na_value=float("nan")),
                          index=mine["month"].astype(str)), month)
            status = BAND_TOO_LITTLE
            if detail is not None:
                band_low, band_high = detail["low_pct"], detail["high_pct"]
                status = BAND_UNUSUAL if detail["unusual"] else BAND_WITHIN
        rows.append({
            "platform": "website", "kpi": f"visits_from_{platform}", "value": now,
            "previous": before, "change_pct": change, "ci_low": None, "ci_high": None,
            "band_low": band_low, "band_high": band_high, "band_status": status,
            "range": RANGE_BAND if band_low is not None else None, "basis": None,
            "kind": "total",
            "source": KPI_SOURCE,
            "note": "" if now is not None else "no GA4 source / medium table this month",
        })
    return rows


def social_trend(visits: SocialVisits) -> pd.DataFrame:
    """Wide month × platform table of organic sessions, for the trend chart."""
    if visits.monthly.empty:
        return pd.DataFrame()
    return visits.monthly.pivot(index="month", columns="platform", values="sessions")
