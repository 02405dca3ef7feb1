"""workbench: monthly social-media and website analytics for newcomer-serving nonprofits."""

__version__ = "0.1.0"
