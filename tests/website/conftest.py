"""Shared helpers: GA4 fixtures read through the real parser, and small ``web``/``ads`` frames."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench import schema
from workbench.io import registry
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
GA4 = FIXTURES / "ga4"
SOURCE_MEDIUM = GA4 / "Traffic_acquisition_Session_source_medium.csv"


def read_web(*paths: Path) -> pd.DataFrame:
    """The ``web`` table of GA4 files, parsed exactly as ingest does."""
    frames = []
    for path in paths:
        raw = RawFile.read(path)
        kind = registry.detect(raw)
        assert kind.name == "ga4_report", path
        frames.append(kind.parse(raw, ParseContext()).tables["web"])
    return pd.concat(frames, ignore_index=True)


def web_frame(rows: list[dict]) -> pd.DataFrame:
    """A canonical ``web`` table from dicts (month or date, dimension, value, metric, value)."""
    return schema.conform(pd.DataFrame(rows), "web")
