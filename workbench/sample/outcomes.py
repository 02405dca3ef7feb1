"""Outcomes of every post and the account-level daily series (statistics.md §8.1).

Reach is lognormal by platform and format; interactions are negative binomial (NB2) with
mean ``reach × base_rate × planted effects``. Both are *final* (asymptotic) lifetime values;
an export downloaded ``a`` days after publishing shows ``floor(final × growth(a))`` for every
count, the same growth curve for reach and interactions so rates are unchanged by age.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from workbench.sample.calendar import Creative

UTC = ZoneInfo("UTC")
PACIFIC = ZoneInfo("America/Los_Angeles")


@dataclass
class Model:
    """The data-generating process, written to truth.json as is."""

    alpha: float = 0.7
    base_rate: dict = field(default_factory=lambda: {"facebook": 0.04, "instagram": 0.07,
                                                     "linkedin": 0.025, "tiktok": 0.05})
    reach_median: dict = field(default_factory=lambda: {
        "facebook": {"photo": 600, "carousel": 650, "video": 900, "reel": 1400, "link": 450,
                     "text": 300},
        "instagram": {"photo": 450, "carousel": 550, "reel": 1300},
        # exposure = impressions on LinkedIn, views on TikTok
        "linkedin": {"photo": 500, "carousel": 600, "video": 700, "link": 400, "text": 350},
        "tiktok": {"video": 900},
    })
    reach_logsd: float = 0.8
    reach_growth_per_month: float = 0.006  # audience growth: median reach × (1+g)^month_index
    human_centred: float = 1.3
    brand_colours: float = 1.15
    evening: float = 1.25
    topic: dict = field(default_factory=lambda: {
        "employment": 1.2, "holidays_events": 1.3, "donor_thanks": 0.8, "job_postings": 0.75,
    })
    format: dict = field(default_factory=lambda: {
        "photo": 1.0, "carousel": 1.1, "video": 1.1, "reel": 1.2, "link": 0.7, "text": 0.9,
    })
    boost_reach_multiplier: float = 3.0
    p_boosted: float = 0.03
    p_share: float = 0.012
    components: dict = field(default_factory=lambda: {
        "facebook": {"reactions": 0.78, "comments": 0.10, "shares": 0.12},
        "instagram": {"likes": 0.80, "comments": 0.07, "shares": 0.06, "saves": 0.07},
        "linkedin": {"likes": 0.85, "comments": 0.08, "reposts": 0.07},
        "tiktok": {"likes": 0.88, "comments": 0.05, "shares": 0.07},
    })
    growth: str = "growth(a) = 1 - 0.6*exp(-a/2) - 0.4*exp(-a/25), a = age in days"

    def as_dict(self) -> dict:
        """Return the model as plain JSON-able values."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def growth(age_days: float) -> float:
    """Share of a post's final lifetime counts reached ``age_days`` after publishing."""
    if age_days <= 0:
        return 0.0
    return float(1.0 - 0.6 * np.exp(-age_days / 2.0) - 0.4 * np.exp(-age_days / 25.0))


@dataclass
class Post:
    """One platform post with its final (asymptotic) lifetime metrics."""

    platform: str
    post_id: str
    creative: Creative
    format: str  # canonical: photo|video|reel|carousel|link|text
    boosted: bool
    is_share: bool
    duration_sec: int
    reach: int  # total final reach (organic + boosted)
    reach_boosted: int
    views: int
    mu: float
    interactions: int
    components: dict  # final component counts, summing to interactions
    clicks: dict  # facebook: photo/other/link clicks (None = not applicable)
    follows: int | None
    video_views: dict  # facebook video metrics (final)
    permalink: str = ""

    @property
    def exposure_kind(self) -> str:
        """What ``reach`` holds: reach (Meta), impressions (LinkedIn) or views (TikTok)."""
        return {"linkedin": "impressions", "tiktok": "views"}.get(self.platform, "reach")

    @property
    def published_utc(self) -> datetime:
        """Publish time in UTC."""
        return self.creative.published_local.astimezone(UTC)

    def snapshot(self, taken_at: datetime) -> dict:
        """Lifetime counts as an export downloaded at ``taken_at`` shows them."""
        share = growth((taken_at - self.published_utc).total_seconds() / 86400.0)

        def at(value: int | None) -> int | None:
            return None if value is None else int(np.floor(value * share))

        comps = {k: at(v) for k, v in self.components.items()}
        return {
            "reach": at(self.reach),
            "reach_boosted": at(self.reach_boosted),
            "views": at(self.views),
            "components": comps,
            "interactions": int(sum(comps.values())),
            "clicks": {k: at(v) for k, v in self.clicks.items()},
            "follows": at(self.follows),
            "video_views": {k: at(v) for k, v in self.video_views.items()},
        }


@dataclass
class StrategyPlant:
    """Effects of the second sample profile (``--profile strategy``, issue 15 §6).

    Kept apart from `Model` so the default sample and its random stream stay unchanged: none
    of these hooks draws a random number.

    Attributes:
        hashtag_reach: Reach multiplier of posts carrying a local hashtag (discovery).
        frequency_knot: N: above N posts in a platform's ISO week, every post of that week
            gets ``frequency_decay ** (posts − N)`` of its reach (diminishing returns).
        frequency_decay: See ``frequency_knot``.
        strong_platform: Platform of the planted strong post (a small one).
        strong_month: Month of the planted strong post (its first post there on that
            platform); None disables it.
        strong_multiplier: Interactions multiplier of the strong post's mean; its drawn
            interactions are at least that mean (a strong post that really was strong).
    """

    hashtag_reach: float = 1.3
    frequency_knot: int = 3
    frequency_decay: float = 0.75
    strong_platform: str = "linkedin"
    strong_month: str | None = None
    strong_multiplier: float = 10.0
    strong_post_id: str | None = None  # filled by draw_posts
    local_tags: tuple[str, ...] = ()  # the profile's local hashtags (set by the generator)

    def as_dict(self) -> dict:
        """Plain JSON-able values for truth.json ``strategy``."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def reach_factor(self, creative: Creative, week_posts: int) -> float:
        """Reach multiplier of one post (hashtags × frequency)."""
        local = {t.casefold() for t in self.local_tags}
        tagged = any(str(t).casefold() in local for t in creative.hashtags)
        factor = self.hashtag_reach if tagged else 1.0
        return factor * self.frequency_decay ** max(week_posts - self.frequency_knot, 0)


def _week_counts(creatives: list[Creative]) -> dict[tuple[str, tuple[int, int]], int]:
    """Posts per (platform, local ISO week) of the calendar."""
    counts: dict[tuple[str, tuple[int, int]], int] = {}
    for creative in creatives:
        iso = creative.published_local.isocalendar()
        for platform in creative.platforms:
            key = (platform, (iso[0], iso[1]))
            counts[key] = counts.get(key, 0) + 1
    return counts


def _digits(rng: np.random.Generator, n: int) -> str:
    return "".join(str(d) for d in rng.integers(0, 10, n))


_B62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _b62(rng: np.random.Generator, n: int) -> str:
    return "".join(_B62[i] for i in rng.integers(0, len(_B62), n))


def draw_posts(
    rng: np.random.Generator, creatives: list[Creative], months: list[str], model: Model,
    page_slug: str, plant: StrategyPlant | None = None,
) -> list[Post]:
    """Publish each creative on its platforms and draw its outcomes.

    Args:
        rng: The generator's single random stream.
        creatives: The calendar, in publish order.
        months: All months of the sample (for the audience-growth trend).
        model: Effects and distributions.
        page_slug: Facebook page vanity name used in permalinks.
        plant: Strategy-profile effects (local hashtags and posting frequency on reach, a
            strong post); None for the default sample. Its ``strong_post_id`` is filled.

    Returns:
        Posts in publish order (facebook before instagram for a cross-posted creative).

    """
    month_index = {m: i for i, m in enumerate(months)}
    # Meta IDs grow with time; start from realistic magnitudes and add random steps.
    next_id = {"facebook": 1_000_000_000_000_000 + int(rng.integers(10**14, 9 * 10**14)),
               "instagram": 17_900_000_000_000_000 + int(rng.integers(10**15, 4 * 10**15)),
               "linkedin": 7_100_000_000_000_000_000 + int(rng.integers(10**15, 10**17)),
               "tiktok": 7_200_000_000_000_000_000 + int(rng.integers(10**15, 10**17))}
    posts: list[Post] = []
    week_counts = _week_counts(creatives) if plant is not None else {}
    for creative in creatives:
        for platform in creative.platforms:
            next_id[platform] += int(rng.integers(10**9, 10**12))
            if platform == "tiktok":
                # Real TikTok video ids carry the creation time (Unix seconds) in their top
                # 32 bits; parsers may decode it, so the sample ids must too.
                seconds = int(creative.published_local.timestamp())
                next_id[platform] = (seconds << 32) | (next_id[platform] & 0xFFFFFFFF)
            fmt = creative.format
            if platform == "instagram" and fmt == "video":
                fmt = "reel"  # Instagram publishes every video as a reel
            elif platform in ("linkedin", "tiktok") and fmt == "reel":
                fmt = "video"
            is_share = bool(platform == "facebook" and fmt in ("link", "photo")
                            and rng.random() < model.p_share)
            boosted = bool(not is_share and rng.random() < model.p_boosted)
            median = model.reach_median[platform][fmt]
            median *= (1 + model.reach_growth_per_month) ** month_index[creative.month]
            log_reach = rng.normal(np.log(median), model.reach_logsd)
            strong = False
            if plant is not None:
                iso = creative.published_local.isocalendar()
                log_reach += np.log(plant.reach_factor(
                    creative, week_counts[(platform, (iso[0], iso[1]))]))
                strong = (plant.strong_post_id is None and platform == plant.strong_platform
                          and creative.month == plant.strong_month and not boosted)
            organic = max(1, int(round(np.exp(log_reach))))
            reach_boosted = int(organic * (model.boost_reach_multiplier - 1)) if boosted else 0
            reach = organic + reach_boosted
            effect = (model.human_centred ** creative.human_centred
                      * model.brand_colours ** creative.brand_colours
                      * model.evening ** creative.evening
                      * model.topic.get(creative.topic, 1.0)
                      * model.format.get(fmt, 1.0))
            mu = reach * model.base_rate[platform] * effect
            if strong:
                mu *= plant.strong_multiplier
                plant.strong_post_id = str(next_id[platform])
            a = model.alpha
            interactions = int(rng.negative_binomial(1.0 / a, 1.0 / (1.0 + a * mu)))
            if strong:
                # Strong by construction: at least its planted mean, whatever the draw.
                interactions = max(interactions, int(round(mu)))
            names = list(model.components[platform])
            probs = np.array([model.components[platform][k] for k in names])
            split = rng.multinomial(interactions, probs / probs.sum())
            components = {k: int(v) for k, v in zip(names, split, strict=True)}
            is_video = fmt in ("video", "reel")
            duration = int(rng.integers(15, 180)) if is_video else 0
            views = int(reach * rng.uniform(1.2, 2.0 if platform == "facebook" else 2.5))
            clicks: dict = {}
            follows = None
            video_views: dict = {}
            if platform == "facebook":
                clicks = {
                    "photo": (int(rng.poisson(reach * 0.03))
                              if fmt in ("photo", "carousel") else None),
                    "other": int(rng.poisson(reach * 0.02)),
                    "link": int(rng.poisson(reach * 0.025)) if fmt == "link" else None,
                }
                v3 = int(reach * rng.uniform(0.5, 0.9)) if is_video else 0
                v60 = int(v3 * rng.uniform(0.05, 0.3)) if duration >= 60 else 0
                video_views = {"3s": v3, "1m": v60, "3s_viewers": int(v3 * 0.9),
                               "1m_viewers": int(v60 * 0.9),
                               "3s_boosted": int(v3 * reach_boosted / reach),
                               "seconds": int(v3 * duration * rng.uniform(0.2, 0.5))}
            elif platform == "instagram" and fmt == "reel":
                follows = int(rng.poisson(reach * 0.002))
            elif platform == "linkedin":
                clicks = {"clicks": int(rng.poisson(reach * 0.05))}
            if platform == "facebook":
                if is_share:
                    link = f"https://www.facebook.com/{page_slug}/posts/pfbid0{_b62(rng, 30)}"
                elif fmt == "reel":
                    link = f"https://www.facebook.com/reel/{_digits(rng, 16)}/"
                else:
                    link = f"https://www.facebook.com/{page_slug}/posts/pfbid0{_b62(rng, 30)}"
            elif platform == "instagram":
                kind = "reel" if fmt == "reel" else "p"
                link = f"https://www.instagram.com/{kind}/{_b62(rng, 11)}/"
            elif platform == "linkedin":
                link = f"https://www.linkedin.com/feed/update/urn:li:activity:{next_id[platform]}/"
            else:
                link = f"https://www.tiktok.com/@{page_slug}/video/{next_id[platform]}"
            posts.append(Post(platform, str(next_id[platform]), creative, fmt, boosted, is_share,
                              duration, reach, reach_boosted, views, mu, interactions,
                              components, clicks, follows, video_views, link))
    return posts


def daily_series(
    rng: np.random.Generator, posts: list[Post], months: list[str], platform: str, tz: ZoneInfo
) -> dict[str, dict[date, int]]:
    """Account-level daily metrics of one Meta platform over the whole sample.

    Daily reach = a baseline plus each post's reach spread over the days it accrues
    (the growth curve); follows and visits rise with reach.

    Returns:
        ``{metric: {day: value}}`` with metrics reach, follows, visits and (facebook) views.

    """
    first = date(int(months[0][:4]), int(months[0][5:]), 1)
    y, m = int(months[-1][:4]), int(months[-1][5:])
    last = (date(y + (m == 12), m % 12 + 1, 1)) - timedelta(days=1)
    n_days = (last - first).days + 1
    reach = np.zeros(n_days)
    curve = np.array([growth(k + 1) - growth(k) for k in range(90)])
    for post in posts:
        if post.platform != platform:
            continue
        start = (post.creative.published_local.astimezone(tz).date() - first).days
        span = min(90, n_days - start)
        reach[start:start + span] += post.reach * curve[:span]
    trend = np.linspace(1.0, 1.0 + 0.006 * len(months), n_days)
    base = {"facebook": 160.0, "instagram": 120.0, "linkedin": 60.0, "tiktok": 90.0}[platform]
    base = base * trend
    reach = np.round(reach + base * rng.lognormal(0.0, 0.25, n_days)).astype(int)
    follows = rng.poisson(1.0 + 0.004 * reach)
    visits = rng.poisson((25.0 if platform == "facebook" else 15.0) + 0.04 * reach)
    days = [first + timedelta(days=i) for i in range(n_days)]
    series = {
        "reach": dict(zip(days, (int(v) for v in reach), strict=True)),
        "follows": dict(zip(days, (int(v) for v in follows), strict=True)),
        "visits": dict(zip(days, (int(v) for v in visits), strict=True)),
    }
    if platform == "facebook":
        views = np.round(reach * rng.uniform(1.4, 1.9, n_days)).astype(int)
        series["views"] = dict(zip(days, (int(v) for v in views), strict=True))
    return series
