"""The Google Ad Grant panel: each rule a grant account must keep, with value and status.

Rules (Google Ad Grants programme policy): an account click-through rate of at least 5 %
each month (two months in a row below it puts the account at risk of deactivation); at
least one conversion tracked per month; no keyword with a quality score of 1 or 2; no
single-word keyword unless it is the organisation's own brand; spend within the grant's
monthly ceiling. Paid-search sessions in GA4 are reconciled with ad clicks as a tracking
check. Works on the ``ads`` table with ``level`` (campaign, ad_group, keyword, ...); without
``level`` every row is a campaign row. Levels are never added together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from workbench.website.settings import GrantSettings
from workbench.website.sources import month_key, source_rows

#: Statuses, in the panel's plain words.
OK, BELOW, AT_RISK, ACTION, NOT_AVAILABLE, CHECK = (
    "ok", "below threshold", "at risk", "action needed", "not available", "check tracking")
RULE_COLUMNS = ("rule", "label", "value", "threshold", "status", "detail")
#: GA4 paid-search sessions are expected within this share of ad clicks.
RECONCILE_RANGE = (0.7, 1.1)


@dataclass
class GrantPanel:
    """The month's rules.

    Attributes:
        month: ``YYYY-MM``.
        rules: One row per rule: ``rule`` (id), ``label``, ``value``, ``threshold``,
            ``status``, ``detail`` (plain words).
        keywords: Keywords that break a rule (``keyword``, ``campaign``, ``ad_group``,
            ``quality_score``, ``problem``).
        ctr_by_month: Account CTR per month (``month``, ``impressions``, ``clicks``, ``ctr``).
        notes: What could not be checked and why.
    """

    month: str
    rules: pd.DataFrame
    keywords: pd.DataFrame
    ctr_by_month: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def status(self, rule: str) -> str | None:
        """Status of one rule: ``ctr``, ``conversions``, ``quality_score``, ... or None."""
        hit = self.rules[self.rules["rule"] == rule]["status"]
        return str(hit.iloc[0]) if len(hit) else None

    def to_json(self) -> dict:
        """results.json ``grant``: the rules, the flagged keywords and the notes."""
        def clean(v):
            return None if not isinstance(v, str) and pd.isna(v) else v
        return {"month": self.month,
                "rules": [{k: clean(v) for k, v in r.items()}
                          for r in self.rules.to_dict(orient="records")],
                "keywords": [{k: clean(v) for k, v in r.items()}
                             for r in self.keywords.to_dict(orient="records")],
                "notes": list(self.notes)}


def _with_levels(ads: pd.DataFrame) -> pd.DataFrame:
    ads = ads.copy()
    if "level" not in ads:
        ads["level"] = "campaign"
    ads["level"] = ads["level"].astype("string").fillna("campaign").str.lower()
    for column in ("item", "quality_score", "conversions", "all_time", "campaign"):
        if column not in ads:
            ads[column] = pd.NA
    return ads


def ads_month(ads: pd.DataFrame) -> pd.Series:
    """The ``YYYY-MM`` of each row whose report period lies inside one month, else NA."""
    start = pd.to_datetime(ads["period_start"])
    end = pd.to_datetime(ads["period_end"])
    same = (start.dt.to_period("M") == end.dt.to_period("M")).fillna(False)
    all_time = ads["all_time"].astype("boolean").fillna(False).astype(bool)
    months = start.dt.strftime("%Y-%m").astype("string")
    return months.where(same & ~all_time)


def _dedupe(rows: pd.DataFrame) -> pd.DataFrame:
    """The same report downloaded twice counts once (the later file wins)."""
    keys = [c for c in ("level", "period_start", "period_end", "campaign", "item")
            if c in rows]
    return rows.drop_duplicates(subset=keys, keep="last")


def account_ctr(ads: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """Account clicks, impressions and CTR per month, from one level only.

    Campaign rows when the month has them, else ad-group rows, else keyword rows (every
    level holds the account total; adding levels would count clicks twice).

    Returns:
        (``month``, ``level``, ``impressions``, ``clicks``, ``cost``, ``conversions``,
        ``ctr``) and a note when a lower level had to stand in.
    """
    columns = ["month", "level", "impressions", "clicks", "cost", "conversions", "ctr"]
    if ads is None or ads.empty:
        return pd.DataFrame(columns=columns), None
    ads = _with_levels(ads)
    ads = ads.assign(month=ads_month(ads))
    ads = ads[ads["month"].notna()]
    records, used_lower = [], []
    for month, rows in ads.groupby("month"):
        for level in ("campaign", "ad_group", "keyword"):
            mine = _dedupe(rows[rows["level"] == level])
            if len(mine):
                break
        else:
            continue
        if level != "campaign":
            used_lower.append(f"{month} ({level})")
        impressions = pd.to_numeric(mine["impressions"], errors="coerce")
        clicks = pd.to_numeric(mine["clicks"], errors="coerce")
        conversions = pd.to_numeric(mine["conversions"], errors="coerce")
        imp, clk = impressions.sum(min_count=1), clicks.sum(min_count=1)
        records.append({
            "month": month, "level": level, "impressions": imp, "clicks": clk,
            "cost": pd.to_numeric(mine["cost"], errors="coerce").sum(min_count=1),
            "conversions": conversions.sum(min_count=1),
            "ctr": float(clk / imp) if pd.notna(imp) and imp and pd.notna(clk) else None})
    note = (f"No campaign report for {', '.join(used_lower)}: account totals taken from a "
            "lower level." if used_lower else None)
    frame = pd.DataFrame(records, columns=columns)
    return frame, note


def clean_keyword(text: object) -> str:
    """Keyword text without match-type marks: ``[job fair]``, ``"esl"``, ``+linc`` → words."""
    value = re.sub(r'[\[\]"+]', " ", str(text)).strip().lower()
    return re.sub(r"\s+", " ", value)


def is_branded(keyword: str, brand_terms: tuple[str, ...]) -> bool:
    """True when the keyword is one of the organisation's names (its brand terms in org.yaml).

    A word taken from a longer name (``city`` of ``forest city``) is not the brand.
    """
    for term in brand_terms:
        words = clean_keyword(term).split()
        if keyword in (" ".join(words), "".join(words)):
            return True
    return False


def _keyword_rules(ads: pd.DataFrame, month: str, settings: GrantSettings,
                   notes: list[str]) -> tuple[list[dict], pd.DataFrame]:
    columns = ["keyword", "campaign", "ad_group", "quality_score", "problem"]
    keywords = ads[(ads["level"] == "keyword") & (ads["month"] == month)]
    keywords = _dedupe(keywords)
    if keywords.empty:
        notes.append("No keyword report for the month: quality scores and single-word "
                     "keywords are not checked (Google Ads > Keywords > Download, with the "
                     "Quality Score column).")
        missing = {"value": None, "threshold": None, "status": NOT_AVAILABLE,
                   "detail": "no keyword report"}
        return [{"rule": "quality_score", "label": "Keywords with quality score 1-2",
                 **missing},
                {"rule": "single_word", "label": "Single-word keywords (not the brand)",
                 **missing}], pd.DataFrame(columns=columns)
    flagged = []
    rows = []
    ad_group = keywords["ad_group"] if "ad_group" in keywords else pd.Series(
        pd.NA, index=keywords.index)
    scores = pd.to_numeric(keywords["quality_score"], errors="coerce")
    if scores.notna().any():
        low = keywords[scores.between(1, settings.low_quality_max)]
        for idx, row in low.iterrows():
            flagged.append({"keyword": row["item"], "campaign": row["campaign"],
                            "ad_group": ad_group.get(idx), "quality_score": float(scores[idx]),
                            "problem": f"quality score {int(scores[idx])}"})
        rows.append({"rule": "quality_score", "label": "Keywords with quality score 1-2",
                     "value": float(len(low)), "threshold": 0.0,
                     "status": OK if low.empty else ACTION,
                     "detail": (f"{len(low)} of {int(scores.notna().sum())} scored keywords: "
                                "improve the ad and landing page or pause them"
                                if len(low) else f"{int(scores.notna().sum())} keywords scored; "
                                "none at 1-2")})
    else:
        notes.append("The keyword report has no Quality Score column: add it (Columns > "
                     "Quality Score) and download again.")
        rows.append({"rule": "quality_score", "label": "Keywords with quality score 1-2",
                     "value": None, "threshold": 0.0, "status": NOT_AVAILABLE,
                     "detail": "keyword report without quality scores"})
    single = []
    for idx, row in keywords.iterrows():
        text = clean_keyword(row["item"])
        if len(text.split()) == 1 and not is_branded(text, settings.brand_terms):
            single.append(text)
            flagged.append({"keyword": row["item"], "campaign": row["campaign"],
                            "ad_group": ad_group.get(idx),
                            "quality_score": (float(scores[idx]) if pd.notna(scores[idx])
                                              else None),
                            "problem": "single word, not the brand"})
    rows.append({"rule": "single_word", "label": "Single-word keywords (not the brand)",
                 "value": float(len(single)), "threshold": 0.0,
                 "status": OK if not single else ACTION,
                 "detail": (", ".join(sorted(set(single))) + ": add words or remove them"
                            if single else "none")})
    if not settings.brand_terms:
        notes.append("org.yaml sets no grant.brand_terms: every single-word keyword is "
                     "flagged, the organisation's own name included.")
    return rows, pd.DataFrame(flagged, columns=columns)


def _paid_sessions(web: pd.DataFrame | None, month: str) -> float | None:
    """GA4 paid-search sessions: the Paid Search channel, else google / cpc sources."""
    if web is None or web.empty:
        return None
    keys = month_key(web)
    wanted = ((web["dimension"] == "channel_group") & (web["metric"] == "sessions")
              & (keys == month) & (web["dimension_value"] == "Paid Search"))
    channel = web[wanted.fillna(False).astype(bool)]
    if len(channel):
        channel = channel.drop_duplicates(subset=["date", "month", "dimension_value"],
                                          keep="last")
        return float(pd.to_numeric(channel["value"]).sum())
    rows = source_rows(web, metrics=("sessions",))
    rows = rows[(rows["month"] == month)
                & rows["source"].str.lower().str.strip().eq("google").fillna(False)
                & rows["medium"].str.lower().str.strip().isin(["cpc", "ppc"]).fillna(False)]
    return float(rows["value"].sum()) if len(rows) else None


def grant_panel(ads: pd.DataFrame, month: str, settings: GrantSettings | None = None,
                web: pd.DataFrame | None = None) -> GrantPanel:
    """Check the month's Ad Grant rules.

    Args:
        ads: The canonical ``ads`` table (any levels; no ``level`` = campaign rows).
        month: ``YYYY-MM``.
        settings: Grant settings from org.yaml (ceiling, CTR threshold, brand terms).
        web: The ``web`` table, for reconciling GA4 paid-search sessions with ad clicks.

    Returns:
        :class:`GrantPanel`. A missing report, column or setting makes that rule
        ``not available`` with a note; the other rules are still shown.
    """
    settings = settings or GrantSettings()
    notes: list[str] = []
    ctr, lower_note = account_ctr(ads if ads is not None else pd.DataFrame())
    if lower_note:
        notes.append(lower_note)
    rules: list[dict] = []
    this = ctr[ctr["month"] == month]
    threshold = settings.ctr_threshold
    if this.empty:
        notes.append(f"No Google Ads report for {month}: the grant rules cannot be checked "
                     "this month.")
        rules.append({"rule": "ctr", "label": "Account click-through rate", "value": None,
                      "threshold": threshold, "status": NOT_AVAILABLE,
                      "detail": "no Ads report for the month"})
    else:
        row = this.iloc[0]
        value = row["ctr"]
        previous = ctr[ctr["month"] == str(pd.Period(month, freq="M") - 1)]
        prev_value = previous["ctr"].iloc[0] if len(previous) else None
        if value is None or pd.isna(value):
            status, detail = NOT_AVAILABLE, "no impressions this month"
        elif value >= threshold:
            status, detail = OK, f"{100 * value:.1f} % of impressions clicked"
        elif prev_value is not None and pd.notna(prev_value) and prev_value < threshold:
            status = AT_RISK
            detail = (f"{100 * value:.1f} %, and {100 * prev_value:.1f} % last month: two "
                      "months in a row below the minimum can get the grant account "
                      "deactivated")
        else:
            status = BELOW
            detail = (f"{100 * value:.1f} %: below the minimum; a second month below puts "
                      "the account at risk")
        rules.append({"rule": "ctr", "label": "Account click-through rate", "value": value,
                      "threshold": threshold, "status": status, "detail": detail})
        conversions = row["conversions"]
        if pd.isna(conversions):
            rules.append({"rule": "conversions", "label": "Conversions tracked",
                          "value": None, "threshold": settings.min_conversions,
                          "status": NOT_AVAILABLE,
                          "detail": "the report has no Conversions column"})
        else:
            ok = conversions >= settings.min_conversions
            rules.append({"rule": "conversions", "label": "Conversions tracked",
                          "value": float(conversions), "threshold": settings.min_conversions,
                          "status": OK if ok else ACTION,
                          "detail": ("conversion tracking records results" if ok else
                                     "no conversion this month: check conversion tracking")})
    full = _with_levels(ads) if ads is not None and not ads.empty else None
    if full is not None:
        full = full.assign(month=ads_month(full))
        kw_rules, keywords = _keyword_rules(full, month, settings, notes)
    else:
        kw_rules, keywords = _keyword_rules(
            pd.DataFrame(columns=["level", "month", "item", "campaign", "quality_score",
                                  "period_start", "period_end"]), month, settings, notes)
    rules += kw_rules
    rules.append(_spend_rule(this, settings, notes))
    rules.append(_reconcile(this, web, month))
    panel_rules = pd.DataFrame(rules, columns=list(RULE_COLUMNS))
    return GrantPanel(month, panel_rules, keywords, ctr, notes)


def _spend_rule(this: pd.DataFrame, settings: GrantSettings, notes: list[str]) -> dict:
    label = "Spend against the grant's monthly ceiling"
    spend = float(this["cost"].iloc[0]) if len(this) and pd.notna(this["cost"].iloc[0]) else None
    if settings.monthly_ceiling is None:
        notes.append("org.yaml has no grant.monthly_ceiling: spend is shown without the "
                     "ceiling (Google Ad Grants: usually 10000 USD a month).")
        return {"rule": "spend", "label": label, "value": spend, "threshold": None,
                "status": NOT_AVAILABLE, "detail": "no ceiling set in org.yaml"}
    if spend is None:
        return {"rule": "spend", "label": label, "value": None,
                "threshold": settings.monthly_ceiling, "status": NOT_AVAILABLE,
                "detail": "no cost in the Ads report"}
    share = spend / settings.monthly_ceiling if settings.monthly_ceiling else None
    currency = f" {settings.currency}" if settings.currency else ""
    over = share is not None and share > 1
    return {"rule": "spend", "label": label, "value": spend,
            "threshold": settings.monthly_ceiling, "status": ACTION if over else OK,
            "detail": (f"{spend:,.2f}{currency} of {settings.monthly_ceiling:,.0f}{currency} "
                       f"({100 * share:.0f} % of the ceiling)" if share is not None else "")}


def _reconcile(this: pd.DataFrame, web: pd.DataFrame | None, month: str) -> dict:
    label = "GA4 paid-search sessions against ad clicks"
    clicks = (float(this["clicks"].iloc[0]) if len(this) and pd.notna(this["clicks"].iloc[0])
              else None)
    sessions = _paid_sessions(web, month)
    low, high = RECONCILE_RANGE
    if clicks is None or sessions is None or not clicks:
        missing = "ad clicks" if clicks is None or not clicks else "GA4 paid-search sessions"
        return {"rule": "paid_sessions", "label": label, "value": None,
                "threshold": None, "status": NOT_AVAILABLE, "detail": f"no {missing}"}
    ratio = sessions / clicks
    ok = low <= ratio <= high
    return {"rule": "paid_sessions", "label": label, "value": ratio,
            "threshold": low,
            "status": OK if ok else CHECK,
            "detail": (f"{sessions:,.0f} paid-search sessions for {clicks:,.0f} ad clicks "
                       f"({100 * ratio:.0f} %; usually {100 * low:.0f}-{100 * high:.0f} %)"
                       + ("" if ok else ": check that the Ads account is linked to GA4 and "
                          "auto-tagging is on"))}
