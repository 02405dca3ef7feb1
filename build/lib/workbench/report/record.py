"""Results recorded by executed notebooks and collected into ``results.json``.

Each notebook computes its numbers once (through the package) and records them here; the
runner assembles ``results.json`` from these fragments, so the report and the JSON can never
come from two computations that disagree. Interactively (no ``results_dir``) recording is a
no-op and :func:`recorded` returns ``None``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.io.atomic import write_json_atomic


def jsonable(value: Any) -> Any:
    """Convert numpy/pandas scalars, frames and NaN into plain JSON values (NaN → None)."""
    if isinstance(value, pd.DataFrame):
        return [jsonable(r) for r in value.to_dict(orient="records")]
    if isinstance(value, pd.Series):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, pd.Period):
        return str(value)
    if hasattr(value, "to_json") and callable(value.to_json):
        return jsonable(value.to_json())
    return value


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
