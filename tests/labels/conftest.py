"""Shared fixtures for the label tests: seeded posts built with schema.conform_posts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.schema import conform_posts

GOLD = Path(__file__).with_name("gold_captions.csv")

CAPTIONS = [
    "Meet Amina! She arrived from Syria in 2021 and now teaches our homework club. #LdnOnt",
    "LINC registration is open. Free English classes, call to book your assessment.",
    "Nous embauchons! Conseiller en établissement bilingue. Date limite : 30 mai.",
    "Happy Canada Day from all of us! Our office is closed Monday. #LondonOntario",
    "Tenant rights 101: your landlord cannot raise the rent twice a year.",
    "A photo from our autumn walk in Springbank Park.",
]


@pytest.fixture
def params(sample_profile) -> dict:
    return sample_profile


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240301)


def make_posts(rng: np.random.Generator, n: int, captions: list[str] | None = None,
               tz: str = "America/Toronto") -> pd.DataFrame:
    """n canonical posts with long numeric IDs, permalinks and captions drawn from a list."""
    captions = captions or CAPTIONS
    platforms = rng.choice(["facebook", "instagram", "linkedin", "tiktok"], size=n)
    ids = [str(10**17 + int(x)) for x in rng.choice(10**15, size=n, replace=False)]
    start = pd.Timestamp("2024-03-01T12:00:00Z")
    frame = pd.DataFrame({
        "platform": platforms,
        "account": "Forest City Newcomer Services",
        "post_id": ids,
        "permalink": [f"https://www.example.com/{p}/posts/{i}"
                      for p, i in zip(platforms, ids, strict=True)],
        "published_at": [start + pd.Timedelta(hours=int(h)) for h in rng.integers(0, 700, n)],
        "format": rng.choice(["photo", "video", "reel", "text", "link"], size=n),
        "caption": [captions[int(i)] for i in rng.integers(0, len(captions), n)],
        "reach": rng.integers(10, 5000, n),
    })
    return conform_posts(frame, tz)


@pytest.fixture
def posts(rng) -> pd.DataFrame:
    return make_posts(rng, 24)


@pytest.fixture
def gold() -> pd.DataFrame:
    return pd.read_csv(GOLD, dtype=str, keep_default_na=False)
