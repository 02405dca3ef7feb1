"""The fictional agency's posting calendar: what was posted, when, where and about what.

A *creative* is one piece of content (caption, image, video) planned for a date; it becomes
one post per platform it is published on (cross-posting is common). Outcomes are drawn
later (``outcomes.py``); this module only fixes the content features the labels and the
statistics will look at.
"""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from workbench.sample.captions import TEMPLATES, make_caption

#: Topic weights (share of creatives); topics missing here get weight 0.08.
TOPIC_WEIGHTS = {
    "employment": 0.14, "housing": 0.10, "language_classes": 0.12, "conversation_circles": 0.08,
    "youth": 0.08, "womens_groups": 0.07, "volunteering": 0.09, "donor_thanks": 0.08,
    "job_postings": 0.07, "translation_services": 0.07, "holidays_events": 0.10,
}
CREATIVE_FORMATS = ("photo", "carousel", "video", "reel", "link", "text")
#: Format mix for human-centred stories (more video) and for informational posts.
FORMAT_P_HUMAN = (0.35, 0.10, 0.20, 0.20, 0.10, 0.05)
FORMAT_P_INFO = (0.42, 0.13, 0.12, 0.12, 0.15, 0.06)
P_HUMAN = 0.40
P_BRAND = 0.45
P_FRENCH = 0.25
#: Share of creatives a random draw tags with 1-2 local hashtags. The default profile tags the
#: rest too (`CalendarSettings.tag_every_post`, the agency's practice); the strategy profile
#: (`workbench.sample.strategy`) leaves them untagged, so its hashtag comparison can run.
P_LOCAL_HASHTAGS = 0.50
#: The agency's systematic local hashtags: the first ones of the profile's list.
SYSTEMATIC_TAGS = 3
P_IMAGE = 0.70  # share of photo/carousel/link posts whose image is kept under OUT/media
EVENING_HOURS = (17, 21)  # local [start, end) of the planted evening effect
#: Topics the agency also shares on LinkedIn (professional audience), and their chance.
LINKEDIN_TOPICS = ("employment", "job_postings", "donor_thanks", "volunteering",
                   "translation_services")
P_LINKEDIN = 0.55
P_TIKTOK = 0.60  # share of videos and reels also posted on TikTok


@dataclass
class Creative:
    """One planned piece of content, before it is published on each platform."""

    creative_id: str
    month: str
    published_local: datetime
    topic: str
    french: bool
    human_centred: bool
    brand_colours: bool
    format: str
    caption: str
    hashtags: list[str]
    platforms: tuple[str, ...]
    has_image: bool
    slot: str  # weekday_day | evening | weekend | night

    @property
    def evening(self) -> bool:
        """True when posted in the planted evening window (local time)."""
        return EVENING_HOURS[0] <= self.published_local.hour < EVENING_HOURS[1]


@dataclass
class CalendarSettings:
    """Knobs of the calendar (defaults give ~12-20 posts a month per Meta platform)."""

    creatives_per_month: tuple[int, int] = (18, 27)
    p_both: float = 0.60
    p_facebook_only: float = 0.20
    topics: list[str] = field(default_factory=list)
    #: Every post carries local hashtags (the default profile, as the agency does); False
    #: tags only the `P_LOCAL_HASHTAGS` share (the strategy profile).
    tag_every_post: bool = True


def month_list(start: str, end: str) -> list[str]:
    """Months ``start..end`` inclusive as ``YYYY-MM`` strings."""
    y, m = int(start[:4]), int(start[5:7])
    ey, em = int(end[:4]), int(end[5:7])
    months = []
    while (y, m) <= (ey, em):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def month_days(month: str) -> list[date]:
    """Every calendar day of ``month``."""
    y, m = int(month[:4]), int(month[5:7])
    return [date(y, m, d) for d in range(1, _cal.monthrange(y, m)[1] + 1)]


def default_range(today: date, n_months: int = 18) -> tuple[str, str]:
    """Return the ``n_months`` months ending with the last complete month before ``today``."""
    last = today.replace(day=1) - timedelta(days=1)
    y, m = last.year, last.month - (n_months - 1)
    while m <= 0:
        y, m = y - 1, m + 12
    return f"{y:04d}-{m:02d}", f"{last.year:04d}-{last.month:02d}"


def topic_names(params: dict) -> list[str]:
    """Topics of the organisation profile that have caption templates (profile order)."""
    configured = [t for t in (params.get("topics") or {}) if t in TEMPLATES]
    return configured or list(TEMPLATES)


def _pick_time(rng: np.random.Generator, month: str, tz: ZoneInfo) -> tuple[datetime, str]:
    days = month_days(month)
    weekdays = [d for d in days if d.weekday() < 5]
    weekends = [d for d in days if d.weekday() >= 5]
    u = rng.random()
    if u < 0.70:
        slot, day = "weekday_day", weekdays[int(rng.integers(len(weekdays)))]
        hour = int(rng.choice([9, 10, 10, 11, 11, 12, 13, 13, 14, 14, 15, 16]))
    elif u < 0.86:
        slot, day = "evening", days[int(rng.integers(len(days)))]
        hour = int(rng.integers(17, 21))
    elif u < 0.97:
        slot, day = "weekend", weekends[int(rng.integers(len(weekends)))]
        hour = int(rng.integers(10, 17))
    else:
        # A scheduled post just after midnight on the 1st: in Meta's Pacific time it lands
        # on the previous month's last day (export-formats.md §1.5).
        slot, day = "night", days[0]
        hour = int(rng.integers(0, 3))
    minute = int(rng.integers(0, 60))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz), slot


def build_calendar(
    rng: np.random.Generator, months: list[str], params: dict, settings: CalendarSettings
) -> list[Creative]:
    """Plan every creative of every month, in publish order.

    Args:
        rng: The generator's single random stream.
        months: ``YYYY-MM`` months to fill.
        params: Organisation profile (time zone, topics, local hashtags).
        settings: Calendar knobs.

    Returns:
        Creatives sorted by local publish time.

    """
    tz = ZoneInfo(str(params["timezone"]))
    topics = settings.topics or topic_names(params)
    weights = np.array([TOPIC_WEIGHTS.get(t, 0.08) for t in topics])
    weights = weights / weights.sum()
    local_tags = list(params.get("local_hashtags") or [])
    creatives: list[Creative] = []
    for month in months:
        n = int(rng.integers(*settings.creatives_per_month))
        planned = []
        for _ in range(n):
            published, slot = _pick_time(rng, month, tz)
            topic = topics[int(rng.choice(len(topics), p=weights))]
            human = bool(rng.random() < P_HUMAN)
            fmt = CREATIVE_FORMATS[
                int(rng.choice(len(CREATIVE_FORMATS), p=FORMAT_P_HUMAN if human else FORMAT_P_INFO))
            ]
            french = bool(rng.random() < P_FRENCH)
            brand = bool(fmt != "text" and rng.random() < P_BRAND)
            has_image = bool(fmt in ("photo", "carousel", "link") and rng.random() < P_IMAGE)
            tags = []
            if local_tags and rng.random() < P_LOCAL_HASHTAGS:
                k = int(rng.integers(1, min(2, len(local_tags)) + 1))
                chosen = sorted(rng.choice(len(local_tags), k, replace=False))
                tags = [local_tags[i] for i in chosen]
            elif local_tags and settings.tag_every_post:
                # No random draw: the stream, and so every outcome, is the partial profile's.
                tags = local_tags[:SYSTEMATIC_TAGS]
            caption, tags = make_caption(rng, topic, french, human, published, tags)
            u = rng.random()
            facebook_only = settings.p_both <= u < settings.p_both + settings.p_facebook_only
            if fmt in ("link", "text") or facebook_only:
                platforms: tuple[str, ...] = ("facebook",)
            elif u < settings.p_both:
                platforms = ("facebook", "instagram")
            else:
                platforms = ("instagram",)
            if topic in LINKEDIN_TOPICS and rng.random() < P_LINKEDIN:
                platforms += ("linkedin",)
            if fmt in ("video", "reel") and rng.random() < P_TIKTOK:
                platforms += ("tiktok",)
            planned.append((published, topic, french, human, brand, fmt, caption, tags,
                            platforms, has_image, slot))
        planned.sort(key=lambda p: p[0])
        for i, p in enumerate(planned):
            creatives.append(Creative(f"{month}-{i + 1:02d}", month, p[0], p[1], p[2], p[3],
                                      p[4], p[5], p[6], p[7], p[8], p[9], p[10]))
    return creatives
