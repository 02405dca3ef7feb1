"""Website analysis: social referrals, pages, UTM links, the Ad Grant panel (issue 14).

Also the blog, posts against visits and the organisation's services.
Pure DataFrame-in functions over the canonical ``web``, ``ads``, ``posts``, ``labels`` and
``manual`` tables; settings come from ``org.yaml`` through :func:`website_settings`.
"""

from workbench.website.settings import WebsiteSettings, website_settings

__all__ = ["WebsiteSettings", "website_settings"]
