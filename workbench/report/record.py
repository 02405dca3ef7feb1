"""Results recorded by executed notebooks and collected into ``results.json``.

Each notebook computes its numbers once (through the package) and records them here; the
runner assembles ``results.json`` from these fragments, so the report and the JSON can never
come from two computations that disagree. Interactively (no ``results_dir``) recording is a
no-op and :func:`recorded` returns ``None``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from workbench.io.atomic import write_json_atomic
from workbench.jsonsafe import jsonable

__all__ = ["collect", "jsonable", "record", "recorded"]


def record(results_dir: str | Path | None, name: str, payload: Any) -> None:
    """Record ``payload`` under ``name`` for results.json (no-op when ``results_dir`` is empty)."""
    if not results_dir:
        return
    write_json_atomic(Path(results_dir) / f"{name}.json", jsonable(payload))


def recorded(results_dir: str | Path | None, name: str) -> Any:
    """Return what an earlier notebook recorded under ``name``, or None."""
    if not results_dir:
        return None
    path = Path(results_dir) / f"{name}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def collect(results_dir: str | Path) -> dict[str, Any]:
    """All recorded fragments by name."""
    results_dir = Path(results_dir)
    if not results_dir.exists():
        return {}
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(results_dir.glob("*.json"))
    }
