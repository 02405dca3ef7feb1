"""UTM links that follow the organisation's convention, and the GA4 values that break it.

The convention lives in ``org.yaml`` ``utm``: one ``utm_source`` per platform
(``facebook``), the medium of organic posts (``social``), the mediums in use, and a campaign
pattern (lower case words joined by ``-``). :func:`build_link` writes a tagged link (a value
with capitals or spaces is rewritten, and the note says how); :func:`check_sources` lists the
month's GA4 source/medium values that break the convention with the sessions they carry.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pandas as pd

from workbench.errors import WorkbenchError
from workbench.website.settings import UtmConvention
from workbench.website.sources import platform_of, source_rows

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "utm_id")
#: Campaign values GA4 fills in itself.
GA4_CAMPAIGNS = ("(not set)", "(direct)", "(organic)", "(referral)", "(none)", "(cross-network)")
CAMPAIGN_DIMENSIONS = ("campaign", "session_campaign", "session_manual_campaign_name",
                       "session_campaign_name")
PROBLEM_COLUMNS = ("value", "source", "medium", "sessions", "problem", "fix")


@dataclass(frozen=True)
class UtmLink:
    """A tagged link and what was changed to make it follow the convention."""

    url: str
    notes: tuple[str, ...] = ()


def normalise_value(text: str, separator: str = "-") -> str:
    """A UTM value in the convention's form: lower case, no accents, words joined.

    ``"Spring Job Fair 2024"`` → ``"spring-job-fair-2024"``; ``"Été_2024"`` → ``"ete-2024"``.
    """
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    lowered = ascii_text.strip().lower()
    joined = re.sub(r"[\s_\-]+", separator, lowered)
    cleaned = re.sub(rf"[^a-z0-9{re.escape(separator)}]", "", joined)
    return re.sub(rf"{re.escape(separator)}+", separator, cleaned).strip(separator)


def build_link(url: str, platform: str, campaign: str, content: str | None = None,
               convention: UtmConvention | None = None) -> UtmLink:
    """Tag ``url`` for a post on ``platform`` following the convention.

    Args:
        url: The page to link to (``https://...``; without a scheme ``https://`` is added).
        platform: ``facebook``, ``instagram``, ... (a key of ``utm.sources``).
        campaign: Campaign name; capitals, spaces and accents are rewritten.
        content: Optional ``utm_content`` (which post or link), rewritten the same way.
        convention: The organisation's convention (default: the workbench's).

    Returns:
        The tagged link; ``notes`` say what was rewritten. Existing ``utm_*`` parameters
        are replaced, other parameters and the ``#fragment`` kept.

    Raises:
        WorkbenchError: An unknown platform, an empty campaign, a URL without a host, or a
            campaign that still breaks ``utm.campaign_pattern`` after rewriting.
    """
    convention = convention or UtmConvention()
    notes: list[str] = []
    key = str(platform).strip().lower()
    if key not in convention.sources:
        raise WorkbenchError(
            f"--platform {platform!r} has no utm source in org.yaml",
            hint=f"use one of {', '.join(sorted(convention.sources))} or add it under "
                 "utm.sources in params/org.yaml")
    text = str(url).strip()
    if not re.match(r"^[a-z][a-z0-9+.-]*://", text, flags=re.IGNORECASE):
        text = "https://" + text
        notes.append("no http(s):// in the URL: https:// added")
    parts = urlsplit(text)
    if not parts.netloc or " " in parts.netloc:
        raise WorkbenchError(f"{url!r} is not a web address",
                             hint="give the full page address, e.g. https://www.example.org/linc")
    values = {"utm_source": convention.sources[key], "utm_medium": convention.medium,
              "utm_campaign": campaign}
    if content:
        values["utm_content"] = content
    for name, value in list(values.items()):
        if name in ("utm_source", "utm_medium"):  # fixed by org.yaml, used as written
            continue
        fixed = normalise_value(value, convention.separator)
        if not fixed:
            raise WorkbenchError(f"{name} {value!r} is empty once written in lower case letters "
                                 "and digits", hint="use a name such as spring-job-fair")
        if fixed != value:
            notes.append(f"{name} {value!r} written as {fixed!r} (lower case, no spaces: the "
                         "UTM convention in org.yaml)")
        values[name] = fixed
    if not re.search(convention.campaign_pattern, values["utm_campaign"]):
        raise WorkbenchError(
            f"campaign {values['utm_campaign']!r} does not match utm.campaign_pattern "
            f"{convention.campaign_pattern!r}", hint="rename the campaign to follow the pattern "
            "in params/org.yaml")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in UTM_KEYS]
    replaced = [k for k, _ in parse_qsl(parts.query) if k.lower() in UTM_KEYS]
    if replaced:
        notes.append(f"existing {', '.join(replaced)} replaced")
    query += list(values.items())
    tagged = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                         urlencode(query), parts.fragment))
    return UtmLink(tagged, tuple(notes))


@dataclass
class UtmCheck:
    """The month's GA4 source/medium values that break the convention.

    Attributes:
        month: ``YYYY-MM`` checked.
        problems: One row per value: ``value`` (as GA4 wrote it), ``source``, ``medium``,
            ``sessions``, ``problem``, ``fix``; largest sessions first.
        sessions_total: Sessions of every source/medium value in the month.
        notes: Plain-language notes (no table, no month).
    """

    month: str | None
    problems: pd.DataFrame
    sessions_total: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def sessions_affected(self) -> float:
        """Sessions carried by values that break the convention."""
        return float(self.problems["sessions"].sum()) if len(self.problems) else 0.0

    def note(self) -> str | None:
        """One data-quality sentence for the report, or None when nothing breaks."""
        if self.problems.empty:
            return None
        examples = ", ".join(f"'{v}'" for v in self.problems["value"].head(3))
        share = (f" ({100 * self.sessions_affected / self.sessions_total:.0f} % of the month's "
                 "sessions)" if self.sessions_total else "")
        return (f"UTM tagging: {len(self.problems)} source / medium value(s) in {self.month} "
                f"break the naming convention, carrying {self.sessions_affected:,.0f} sessions"
                f"{share}, e.g. {examples}. Run `workbench utm --check` for the list and fixes.")

    def to_json(self) -> dict:
        """JSON-safe form (results.json ``website.utm``)."""
        return {"month": self.month, "sessions_affected": self.sessions_affected,
                "sessions_total": self.sessions_total, "notes": list(self.notes),
                "problems": [{k: (None if not isinstance(v, str) and pd.isna(v) else v)
                              for k, v in row.items()}
                             for row in self.problems.to_dict(orient="records")]}


def _problems_of(source: str | None, medium: str | None,
                 convention: UtmConvention) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    fixes: list[str] = []
    src = source or ""
    med = medium or ""
    for name, value in (("source", src), ("medium", med)):
        if value.startswith("("):  # GA4's own (direct), (none), (not set)
            continue
        if value != value.lower():
            problems.append(f"capital letters in the {name}")
        if re.search(r"\s", value.strip()) or value != value.strip():
            problems.append(f"spaces in the {name}")
    platform = platform_of(src)
    low_med = med.strip().lower()
    if platform in convention.sources:
        wanted = f"{convention.sources[platform]} / {convention.medium}"
        if low_med == "referral":
            problems.append(f"untagged link from {platform} (GA4 saw the referrer, no UTM tag)")
            fixes.append(f"tag links with `workbench utm URL --platform {platform} "
                         "--campaign NAME`")
        elif src.strip().lower() != convention.sources[platform].lower():
            problems.append(f"source is not the convention's name for {platform} "
                            f"('{convention.sources[platform]}')")
            fixes.append(f"use {wanted}")
        elif problems:
            fixes.append(f"use {wanted}")
    if medium is not None and low_med and low_med not in convention.mediums:
        problems.append(f"unknown medium '{med}'")
        fixes.append(f"use one of the mediums in org.yaml utm.mediums ({convention.medium}, "
                     "email, cpc, ...)")
    written = any(p.startswith(("capital", "spaces")) for p in problems)
    if written and not any(f.startswith("use ") and " / " in f for f in fixes):
        fixes.insert(0, "write tags in lower case without spaces (workbench utm builds them)")
    return problems, fixes


def check_sources(web: pd.DataFrame, month: str | None = None,
                  convention: UtmConvention | None = None) -> UtmCheck:
    """The GA4 source/medium (and campaign) values of ``month`` that break the convention.

    Args:
        web: The canonical ``web`` table.
        month: ``YYYY-MM``; default the latest month with a source/medium table.
        convention: The organisation's UTM convention.

    Returns:
        :class:`UtmCheck`; without a source/medium table, an empty list and a note.
    """
    convention = convention or UtmConvention()
    rows = source_rows(web, metrics=("sessions",))
    empty = pd.DataFrame(columns=list(PROBLEM_COLUMNS))
    if rows.empty:
        return UtmCheck(month, empty, None, [
            "No GA4 source / medium table to check: download 'Traffic acquisition: Session "
            "source / medium' for the month."])
    if month is None:
        month = str(rows["month"].max())
    mine = rows[rows["month"] == month]
    if mine.empty:
        have = ", ".join(sorted(rows["month"].unique()))
        return UtmCheck(month, empty, None, [
            f"No GA4 source / medium table for {month} (months with one: {have})."])
    values = (mine.groupby("raw", as_index=False)
              .agg(source=("source", "first"), medium=("medium", "first"),
                   sessions=("value", "sum")))
    records = []
    for row in values.itertuples(index=False):
        source = None if pd.isna(row.source) else str(row.source)
        medium = None if pd.isna(row.medium) else str(row.medium)
        problems, fixes = _problems_of(source, medium, convention)
        if problems:
            records.append({"value": row.raw, "source": source, "medium": medium,
                            "sessions": float(row.sessions), "problem": "; ".join(problems),
                            "fix": "; ".join(dict.fromkeys(fixes))})
    records += _campaign_problems(web, month, convention)
    problems = pd.DataFrame(records, columns=list(PROBLEM_COLUMNS))
    problems = problems.sort_values(["sessions", "value"], ascending=[False, True])
    notes = []
    if mine["medium"].isna().all():
        notes.append("The table has a source but no medium: untagged referrals and unknown "
                     "mediums cannot be told apart; download 'Session source / medium'.")
    return UtmCheck(month, problems.reset_index(drop=True),
                    float(values["sessions"].sum()), notes)


def _campaign_problems(web: pd.DataFrame, month: str, convention: UtmConvention) -> list[dict]:
    if web is None or web.empty:
        return []
    from workbench.website.sources import month_key

    rows = web[web["dimension"].isin(list(CAMPAIGN_DIMENSIONS)).fillna(False)
               & (web["metric"] == "sessions")]
    rows = rows[month_key(rows) == month] if len(rows) else rows
    out = []
    for value, group in rows.groupby("dimension_value"):
        text = str(value)
        if text in GA4_CAMPAIGNS or re.search(convention.campaign_pattern, text):
            continue
        out.append({"value": f"campaign {text}", "source": None, "medium": None,
                    "sessions": float(pd.to_numeric(group["value"]).sum()),
                    "problem": "campaign name breaks utm.campaign_pattern",
                    "fix": f"use {normalise_value(text, convention.separator)!r}"})
    return out


def format_check(check: UtmCheck) -> str:
    """The check as the plain text ``workbench utm --check`` prints."""
    lines = list(check.notes)
    if check.problems.empty:
        if not check.notes:
            lines.append(f"{check.month}: every source / medium value follows the UTM "
                         "convention.")
        return "\n".join(lines)
    lines.append(check.note() or "")
    width = max(len(str(v)) for v in check.problems["value"])
    for row in check.problems.itertuples(index=False):
        lines.append(f"  {str(row.value):<{width}}  {row.sessions:>7,.0f} sessions  "
                     f"{row.problem}. Fix: {row.fix}")
    return "\n".join(lines)
