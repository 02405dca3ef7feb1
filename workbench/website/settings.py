"""The website, UTM and Ad Grant settings of ``org.yaml``, with defaults.

Every organisation-specific choice of :mod:`workbench.website` lives in ``org.yaml`` under
``website_analysis``, ``utm``, ``grant`` and ``services``; this module reads them once into
frozen dataclasses so the analysis functions take plain values and stay testable without
any file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.errors import ConfigError

#: Platforms whose ``visits_from_<platform>`` KPI is reported when org.yaml names none.
DEFAULT_SOCIAL = ("facebook", "instagram", "linkedin", "tiktok")
#: Mediums GA4 itself writes (Default Channel Group definitions) plus the usual UTM ones.
DEFAULT_MEDIUMS = ("social", "paid_social", "email", "cpc", "organic", "referral", "(none)",
                   "(not set)", "display", "video", "sms", "print", "qr")
#: Mediums that mean paid traffic: never counted with organic referrals.
PAID_MEDIUMS = ("cpc", "ppc", "paidsearch", "paid_search", "paid", "paid_social", "paidsocial",
                "paid-social", "cpm", "cpv", "display", "retargeting")
DEFAULT_CAMPAIGN_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


@dataclass(frozen=True)
class UtmConvention:
    """How the organisation tags links (``org.yaml`` ``utm``).

    Attributes:
        sources: Platform → the one ``utm_source`` value used for it (lower case).
        medium: ``utm_medium`` of organic posts (e.g. ``social``).
        mediums: Every medium the organisation (or GA4 itself) uses; others are flagged.
        campaign_pattern: Regular expression a campaign name must match.
        separator: What spaces and underscores become when a value is normalised.
    """

    sources: Mapping[str, str] = field(default_factory=lambda: {p: p for p in DEFAULT_SOCIAL})
    medium: str = "social"
    mediums: tuple[str, ...] = DEFAULT_MEDIUMS
    campaign_pattern: str = DEFAULT_CAMPAIGN_PATTERN
    separator: str = "-"


@dataclass(frozen=True)
class GrantSettings:
    """The Google Ad Grant rules (``org.yaml`` ``grant``).

    Attributes:
        monthly_ceiling: The grant's monthly spending ceiling, or None when org.yaml has none.
        currency: Currency of the ceiling (the Ads account's currency).
        ctr_threshold: Minimum account click-through rate per month (0-1).
        min_conversions: Minimum conversions tracked per month.
        brand_terms: The organisation's own names: single-word keywords made of them are
            allowed.
        low_quality_max: Quality scores up to this value break the rule (1-2).
    """

    monthly_ceiling: float | None = None
    currency: str | None = None
    ctr_threshold: float = 0.05
    min_conversions: float = 1.0
    brand_terms: tuple[str, ...] = ()
    low_quality_max: int = 2


@dataclass(frozen=True)
class ServiceSettings:
    """One service the organisation sells or offers (``org.yaml`` ``services``).

    Attributes:
        name: Key in org.yaml (``translation``).
        topic: The content topic of posts about the service.
        inquiries_kpi: ``manual`` KPI counting inquiries, if any.
        revenue_kpi: ``manual`` KPI with the revenue, if any.
    """

    name: str
    topic: str | None = None
    inquiries_kpi: str | None = None
    revenue_kpi: str | None = None


@dataclass(frozen=True)
class WebsiteSettings:
    """Everything :mod:`workbench.website` reads from ``org.yaml``."""

    social_platforms: tuple[str, ...] = DEFAULT_SOCIAL
    blog_path: str | None = "/blog/"
    first_days: int = 30
    site: str | None = None
    utm: UtmConvention = field(default_factory=UtmConvention)
    grant: GrantSettings = field(default_factory=GrantSettings)
    services: tuple[ServiceSettings, ...] = ()


def _mapping(params: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = params.get(key) or {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"'{key}' must be a mapping of settings, not {value!r}",
                          hint=f"see the '{key}:' block in the workbench's params/org.yaml")
    return value


def _words(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _services(services_cfg: Mapping[str, Any]) -> list[ServiceSettings]:
    """The ``services`` block: ``label``, ``topic`` and ``kpis`` (each with a ``role``).

    ``kpis`` maps each manual KPI to its label; ``role: inquiries`` / ``role: revenue`` (or
    ``money: true`` for revenue) tell the service panel which is which.
    """
    if not services_cfg:
        return []
    kpis = services_cfg.get("kpis") or {}
    if not isinstance(kpis, Mapping):
        raise ConfigError("services.kpis must map each KPI name to its settings",
                          hint="see the 'services:' block in params/org.yaml")
    roles: dict[str, str] = {}
    for kpi, cfg in kpis.items():
        cfg = cfg if isinstance(cfg, Mapping) else {}
        role = cfg.get("role") or ("revenue" if cfg.get("money") else None)
        if role in ("inquiries", "revenue"):
            roles.setdefault(str(role), str(kpi))
    name = str(services_cfg.get("label") or "services")
    return [ServiceSettings(name=name, topic=services_cfg.get("topic"),
                            inquiries_kpi=roles.get("inquiries"),
                            revenue_kpi=roles.get("revenue"))]


def website_settings(params: Mapping[str, Any] | None) -> WebsiteSettings:
    """Read the website, UTM, grant and services settings from the merged parameters.

    Args:
        params: The merged run parameters (``load_params()``); missing blocks take the
            defaults (all four social platforms, ``/blog/``, no grant ceiling).

    Returns:
        The settings.

    Raises:
        ConfigError: A block is not a mapping, a number is not a number, or the campaign
            pattern is not a valid regular expression.
    """
    params = params or {}
    web = _mapping(params, "website_analysis")
    utm_cfg = _mapping(params, "utm")
    grant_cfg = _mapping(params, "grant")
    services_cfg = _mapping(params, "services")

    platforms = tuple(p.lower() for p in _words(web.get("social_platforms"))) or DEFAULT_SOCIAL
    sources = {p: p for p in DEFAULT_SOCIAL}
    sources.update({str(k).lower(): str(v) for k, v in (utm_cfg.get("sources") or {}).items()})
    pattern = str(utm_cfg.get("campaign_pattern") or DEFAULT_CAMPAIGN_PATTERN)
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"utm.campaign_pattern {pattern!r} is not a regular expression "
                          f"({exc})", hint="use e.g. '^[a-z0-9]+(-[a-z0-9]+)*$'") from exc
    medium = str(utm_cfg.get("medium") or "social")
    mediums = tuple(m.lower() for m in _words(utm_cfg.get("mediums"))) or DEFAULT_MEDIUMS
    if medium.lower() not in mediums:
        mediums = (*mediums, medium.lower())
    utm = UtmConvention(sources=sources, medium=medium, mediums=mediums,
                        campaign_pattern=pattern, separator=str(utm_cfg.get("separator", "-")))

    def number(key: str, default):
        value = grant_cfg.get(key, default)
        if value is None:
            return None
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"grant.{key} is {value!r}, not a number",
                              hint=f"write grant.{key} as a plain number") from exc

    ctr = number("ctr_threshold", 0.05)
    if ctr is not None and ctr > 1:  # written as a percentage (5 for 5 %)
        ctr = ctr / 100
    org_names = [params.get("name"), params.get("short_name")]
    brand = _words(grant_cfg.get("brand_terms")) or tuple(str(n) for n in org_names if n)
    grant = GrantSettings(
        monthly_ceiling=number("monthly_ceiling", None),
        currency=(str(grant_cfg["currency"]) if grant_cfg.get("currency") else None),
        ctr_threshold=0.05 if ctr is None else ctr,
        min_conversions=number("min_conversions", 1.0) or 1.0,
        brand_terms=tuple(dict.fromkeys(b.lower() for b in brand)),
        low_quality_max=int(number("low_quality_max", 2) or 2),
    )
    services = _services(services_cfg)
    blog = web.get("blog_path", "/blog/")
    return WebsiteSettings(
        social_platforms=platforms,
        blog_path=str(blog) if blog else None,
        first_days=int(web.get("first_days", 30) or 30),
        site=str(params["website"]) if params.get("website") else None,
        utm=utm, grant=grant, services=tuple(services),
    )
