"""Heavy libraries imported on first use, not when a module is imported.

scipy and statsmodels take about 2 CPU seconds to import. Every report notebook unpickles the
month's results, whose classes live in the statistics modules; importing those modules must
not import the libraries their fitting functions need, or each notebook's kernel pays for
statistics it never runs (7 notebooks: about 13 CPU seconds of a 25-second report).
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """Stands for a module and imports it on the first attribute read (thread-safe)."""

    __slots__ = ("_name",)

    def __init__(self, name: str):
        object.__setattr__(self, "_name", name)

    def __getattr__(self, attribute: str) -> Any:
        # importlib keeps the module in sys.modules: after the first read this is a lookup
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def lazy_module(name: str) -> Any:
    """The module ``name``, imported when one of its attributes is first used."""
    return LazyModule(name)
