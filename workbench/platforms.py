"""What the workbench knows about each platform, in one place.

Labels shown to people, which exposure a post's rate is measured against, what the platform
counts as an interaction, and whether its exports carry a time of day. Organisation facts
(account names) stay in ``org.yaml``; these are facts about the platforms' exports.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Platform:
    """Facts about one platform's exports.

    Attributes:
        name: Id used in the tables (``facebook``).
        label: How people call it (``Facebook``).
        exposure_kind: The exposure column a post's rate uses (reach, impressions or views).
        interactions: What the platform's interaction sum adds up, in words.
        time_of_day: Whether its post exports carry a local time of day (LinkedIn gives only
            the date, so its posts cannot inform a posting-time analysis).
    """

    name: str
    label: str
    exposure_kind: str
    interactions: str
    time_of_day: bool


#: Social platforms with post exports (statistics.md §1.2 for the interaction sums).
PLATFORMS: dict[str, Platform] = {
    p.name: p
    for p in (
        Platform("facebook", "Facebook", "reach",
                 "reactions + comments + shares (Meta's “Reactions, Comments and Shares”)", True),
        Platform("instagram", "Instagram", "reach", "likes + comments + shares + saves", True),
        Platform("linkedin", "LinkedIn", "impressions",
                 "likes + comments + reposts (clicks are reported separately)", False),
        Platform("tiktok", "TikTok", "views", "likes + comments + shares", True),
    )
}

#: Labels of the other sources a KPI row can come from.
OTHER_SOURCE_LABELS = {
    "website": "Website",
    "ads": "Google Ads",
    "services": "Services",
    "all": "All platforms",
}

#: Every label by id: the social platforms and the other KPI sources.
PLATFORM_LABELS: dict[str, str] = {
    **{p.name: p.label for p in PLATFORMS.values()},
    **OTHER_SOURCE_LABELS,
}

#: Exposure column per platform (reach where it exists, else impressions, else views).
EXPOSURE_BY_PLATFORM: dict[str, str] = {p.name: p.exposure_kind for p in PLATFORMS.values()}

#: What each platform's ``interactions`` adds up.
INTERACTIONS_DEFINITION: dict[str, str] = {p.name: p.interactions for p in PLATFORMS.values()}

#: Platforms whose exports carry a time of day.
TIMED_PLATFORMS: tuple[str, ...] = tuple(p.name for p in PLATFORMS.values() if p.time_of_day)


def label(platform: object) -> str:
    """The display label of a platform or KPI source (the id itself when unknown)."""
    return PLATFORM_LABELS.get(str(platform), str(platform))
