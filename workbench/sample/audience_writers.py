"""Demographics files of the sample organisation, with a known composition and a planted drift.

Per monthly download: Meta's ``Audience.csv`` (UTF-16, ``sep=,``, the titled layout with a
follower-count block and Facebook and Instagram sections, docs/export-formats.md §11),
the LinkedIn followers workbook's five demographic sheets, and TikTok's ``Followers_<user>``
ZIP (FollowerGender, FollowerTopTerritories, FollowerActivity and the assumed FollowerAge
layout). The composition is fixed (:data:`COMPOSITION`) plus a little month-to-month
jitter, except the **planted drift**: TikTok's share of followers aged 18-34 rises by
:data:`TIKTOK_YOUNG_STEP` a month. Everything is drawn from a stream of its own
(``seed``, month index), so the other sample files stay byte-identical.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, timedelta

import numpy as np

from workbench.sample import other_writers as ow

AGES = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
#: The sample's audience (shares 0-1): the truth the analysis should recover.
COMPOSITION = {
    "facebook": {"women": 0.68, "age": (0.12, 0.31, 0.29, 0.16, 0.08, 0.04),
                 "cities": (("London, Ontario", 0.46), ("St. Thomas, Ontario", 0.05),
                            ("Strathroy-Caradoc, Ontario", 0.03), ("Toronto, Ontario", 0.04),
                            ("Kitchener, Ontario", 0.02)),
                 "countries": (("Canada", 0.86), ("Syria", 0.03), ("India", 0.03),
                               ("Ukraine", 0.02), ("Colombia", 0.01))},
    "instagram": {"women": 0.61, "age": (0.21, 0.38, 0.24, 0.11, 0.04, 0.02),
                  "cities": (("London, Ontario", 0.41), ("St. Thomas, Ontario", 0.04),
                             ("Toronto, Ontario", 0.06), ("Woodstock, Ontario", 0.02)),
                  "countries": (("Canada", 0.9), ("India", 0.03), ("Brazil", 0.01))},
    "linkedin": {"seniority": (("Entry", 0.34), ("Senior", 0.22), ("Manager", 0.12),
                               ("Director", 0.05), ("Owner", 0.03), ("Training", 0.14),
                               ("VP", 0.02), ("CXO", 0.02), ("Partner", 0.01),
                               ("Unpaid", 0.05)),
                 "job_function": (("Community and Social Services", 0.24),
                                  ("Education", 0.16), ("Human Resources", 0.11),
                                  ("Administrative", 0.09), ("Healthcare Services", 0.07)),
                 "industry": (("Non-profit Organizations", 0.31),
                              ("Government Administration", 0.12),
                              ("Higher Education", 0.09), ("Individual and Family Services",
                                                           0.07)),
                 "company_size": (("1", 0.04), ("2-10", 0.11), ("11-50", 0.27),
                                  ("51-200", 0.25), ("201-500", 0.13), ("501-1000", 0.08),
                                  ("1001-5000", 0.07), ("5001-10000", 0.03),
                                  ("10001+", 0.02))},
    "tiktok": {"women": 0.57, "territories": (("CA", 0.83), ("US", 0.06), ("IN", 0.02)),
               # 18-24, 25-34 share of the young band; 35-44, 45-54, 55+ of the rest
               "young_split": (0.55, 0.45), "old_split": (0.5, 0.3, 0.2)},
}
#: TikTok 18-34 share in the first month, and its rise per month (the planted drift).
TIKTOK_YOUNG_START = 0.44
TIKTOK_YOUNG_STEP = 0.012
#: Followers at the first month (the base sizes the files state), before monthly growth.
META_FOLLOWERS = {"facebook": 2350, "instagram": 880}
#: Hour of the day (local) when TikTok followers are most often online.
ONLINE_PEAK_HOUR = 20


def _rng(seed: int, index: int) -> np.random.Generator:
    return np.random.default_rng([seed, 13, index])


def _jitter(rng: np.random.Generator, share: float, scale: float = 0.003) -> float:
    return float(min(max(share + rng.normal(0, scale), 0.0), 1.0))


def _pct(share: float) -> str:
    """Meta's rounding: one decimal, trailing zero dropped (``34%``, ``12.2%``)."""
    text = f"{100 * share:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def tiktok_young_share(index: int) -> float:
    """The planted TikTok 18-34 share of month ``index`` (0 = the first month)."""
    return TIKTOK_YOUNG_START + TIKTOK_YOUNG_STEP * index


def _age_gender(rng: np.random.Generator, women: float, ages: tuple) -> list[tuple[str, str]]:
    """Women/Men cells per age band, rounded to 0.1 pp and summing to 100.0 exactly."""
    w = _jitter(rng, women)
    cells = [a * w for a in ages] + [a * (1 - w) for a in ages]
    tenths = np.floor(np.array(cells) * 1000).astype(int)
    # largest remainders: Meta's shares are rounded so that they add up to 100 %
    for i in np.argsort(-(np.array(cells) * 1000 - tenths))[: 1000 - tenths.sum()]:
        tenths[i] += 1
    values = [_pct(t / 1000) for t in tenths]
    n = len(ages)
    return list(zip(values[:n], values[n:], strict=True))


def meta_audience_bytes(seed: int, index: int, followers: dict[str, int]) -> bytes:
    """``Audience.csv`` of month ``index``.

    Follower counts, then per platform age & gender, top cities and top countries (UTF-16,
    ``sep=,``, every cell quoted, LF).
    """
    rng = _rng(seed, index)
    lines = ["sep=,"]
    for platform, title, marker in (("facebook", "Facebook", "FB_PAGE"),
                                    ("instagram", "Instagram", "IG_ACCOUNT")):
        lines += [f'"{title} followers"', f'"{marker},FOLLOW,UNIQUE_USERS"',
                  f'"{followers[platform]}"', ""]
    for platform, title in (("facebook", "Facebook"), ("instagram", "Instagram")):
        spec = COMPOSITION[platform]
        lines += [f'"{title} followers by gender and age"', '"Age","Women","Men"']
        lines += [f'"{age}","{w}","{m}"' for age, (w, m) in
                  zip(AGES, _age_gender(rng, spec["women"], spec["age"]), strict=True)]
        lines.append("")
    for what, key in (("top cities", "cities"), ("top countries", "countries")):
        for platform, title in (("facebook", "Facebook"), ("instagram", "Instagram")):
            header = "Top cities" if key == "cities" else "Top countries"
            lines += [f'"{title} followers by {what}"', f'"{header}","Value"']
            lines += [f'"{name}","{_pct(_jitter(rng, share, 0.002))}"'
                      for name, share in COMPOSITION[platform][key]]
            lines.append("")
    text = "\n".join(lines) + "\n"
    return "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")


def meta_followers(daily: dict, months_days: list[date]) -> dict[str, int]:
    """Follower counts of the month's download: a start plus the follows gained so far."""
    out = {}
    for platform, start in META_FOLLOWERS.items():
        follows = daily.get(platform, {}).get("follows", {})
        out[platform] = int(start + sum(follows.get(d, 0) for d in months_days))
    return out


def linkedin_followers_bytes(days: list[date], daily: dict, total: int, seed: int,
                             index: int) -> bytes:
    """The ``_followers_`` workbook with all five demographic sheets (counts, top segments).

    ``New followers`` and ``Location`` are those of
    :func:`workbench.sample.other_writers.linkedin_followers_bytes`.
    """
    rows: list[list[object]] = [list(ow.LI_FOLLOWERS_HEADER)]
    for day in days:
        gain = float(daily["follows"][day])
        rows.append([ow.li_date(day), 0.0, gain, 0.0, gain])
    sheets = [("New followers", rows),
              ("Location", [["Location", "Total followers"]]
               + [[name, float(round(total * share))] for name, share in ow.LOCATIONS])]
    rng = _rng(seed, 1000 + index)
    spec = COMPOSITION["linkedin"]
    for sheet, key in (("Job function", "job_function"), ("Seniority", "seniority"),
                       ("Industry", "industry"), ("Company size", "company_size")):
        counted = [(name, float(round(total * _jitter(rng, share, 0.002))))
                   for name, share in spec[key]]
        counted.sort(key=lambda pair: -pair[1])  # LinkedIn lists the largest first
        sheets.append((sheet, [[sheet, "Total followers"], *[list(p) for p in counted]]))
    return ow._xls_bytes(sheets)


def tiktok_followers_zip(seed: int, index: int, taken: datetime, tz) -> bytes:
    """``Followers_<user>.zip``: gender, territories, age and 7 days of hourly activity."""
    rng = _rng(seed, 2000 + index)
    spec = COMPOSITION["tiktok"]
    women = _jitter(rng, spec["women"])
    gender = [["Gender", "Distribution"], ["Female", f"{women:.2f}"],
              ["Male", f"{1 - women:.2f}"]]
    listed = [(code, _jitter(rng, share, 0.003)) for code, share in spec["territories"]]
    territories = [["Top territories", "Distribution"],
                   *[[code, f"{share:.3f}"] for code, share in listed],
                   ["Others", f"{1 - sum(s for _, s in listed):.3f}"]]
    young = tiktok_young_share(index)
    bands = ([young * s for s in spec["young_split"]]
             + [(1 - young) * s for s in spec["old_split"]])
    age = [["Age", "Distribution"], *[[band, f"{share:.3f}"] for band, share in
                                      zip(("18-24", "25-34", "35-44", "45-54", "55+"), bands,
                                          strict=True)]]
    local = taken.astimezone(tz).date()
    activity = [["Date", "Hour", "Active followers"]]
    for back in range(7, 0, -1):
        day = local - timedelta(days=back)
        for hour in range(24):
            closeness = np.cos(2 * np.pi * (hour - ONLINE_PEAK_HOUR) / 24)
            level = 40 + 30 * closeness + rng.normal(0, 3)
            activity.append([ow.tiktok_day(day), str(hour), str(max(int(round(level)), 0))])
    buffer = io.BytesIO()
    stamp = taken.astimezone(tz).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in (("FollowerActivity.csv", activity), ("FollowerGender.csv", gender),
                           ("FollowerTopTerritories.csv", territories),
                           ("FollowerAge.csv", age)):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, ow._tiktok_csv(rows))
    return buffer.getvalue()


def write_audience(writer, schedule: list[dict], daily: dict, seed: int, tz,
                   tiktok_user: str) -> dict:
    """Write each month's Audience.csv and TikTok Followers ZIP; return the truth.

    Args:
        writer: The generator's ``SampleWriter``.
        schedule: The monthly download schedule (``month``, ``last``, ``taken_at``, ``index``).
        daily: The generator's daily series per platform (follows gained per day).
        seed: The sample's seed.
        tz: The organisation's zone.
        tiktok_user: The TikTok account name (the ZIP's name).

    Returns:
        ``truth["audience"]``: the composition, the goals' true values and the drift.
    """
    seen: list[date] = []
    young: dict[str, float] = {}
    for dl in schedule:
        index, month, taken = dl["index"], dl["month"], dl["taken_at"]
        first = date(int(month[:4]), int(month[5:7]), 1)
        seen += [first + timedelta(days=i) for i in range((dl["last"] - first).days + 1)]
        followers = meta_followers(daily, seen)
        writer.write(f"{month}/Audience.csv", meta_audience_bytes(seed, index, followers),
                     taken, "meta_audience", month=month, followers=followers)
        writer.write(f"{month}/tiktok/Followers_{tiktok_user}.zip",
                     tiktok_followers_zip(seed, index, taken, tz), taken, "tiktok_zip",
                     month=month)
        young[month] = round(tiktok_young_share(index), 6)
    li = COMPOSITION["linkedin"]["seniority"]
    senior = sum(s for name, s in li if name in {"Senior", "Manager", "Director", "VP", "CXO",
                                                  "Owner", "Partner"}) / sum(s for _, s in li)
    fb_local = sum(s for name, s in COMPOSITION["facebook"]["cities"]
                   if not name.startswith(("Toronto", "Kitchener")))
    ig_local = sum(s for name, s in COMPOSITION["instagram"]["cities"]
                   if not name.startswith("Toronto"))
    return {
        "composition": {"facebook": {"women": COMPOSITION["facebook"]["women"],
                                     "local": round(fb_local, 6)},
                        "instagram": {"women": COMPOSITION["instagram"]["women"],
                                      "local": round(ig_local, 6)},
                        "linkedin": {"senior_or_above": round(senior, 6)},
                        "tiktok": {"women": COMPOSITION["tiktok"]["women"]}},
        "drift": {"platform": "tiktok", "breakdown": "age", "segments": ["18-24", "25-34"],
                  "per_month": TIKTOK_YOUNG_STEP, "by_month": young},
        "online_peak_hour": ONLINE_PEAK_HOUR,
        "note": "shares are rounded as the platforms do (Meta to 0.1 pp) and jittered by "
                "about 0.3 pp a month; only the TikTok 18-34 share drifts",
    }
