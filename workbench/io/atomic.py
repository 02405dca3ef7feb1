"""Atomic writes: write to a temporary sibling, then rename over the target.

A crash or an error half way leaves the previous file (or directory) untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd


def _default_mode() -> int:
    """The mode a plain ``open(path, "w")`` would give: 0o666 minus the process umask."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _atomic(path: Path, write: Callable[[Path], None]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        # mkstemp creates 0600; give the file the usual permissions so a shared drive or web
        # server can serve the report
        os.chmod(tmp, _default_mode())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    return _atomic(Path(path), lambda tmp: tmp.write_bytes(data))


def write_text_atomic(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically and return the path."""
    return write_bytes_atomic(path, text.encode(encoding))


def write_json_atomic(path: str | Path, payload: Any, *, one_item_per_line: bool = False) -> Path:
    """Write ``payload`` as indented UTF-8 JSON atomically (NaN written as null).

    Args:
        path: The file to write.
        payload: What to write (anything JSON takes; other values as ``str``).
        one_item_per_line: For a long dict of lists (a log): each key on its own line and
            each item of a list on one line of its own, written compactly. Python's fast
            JSON encoder only writes unindented JSON, and this layout lets it write each
            item: about 4x faster than full indentation for a log of thousands of files,
            and still one line per file to read.
    """
    if one_item_per_line and isinstance(payload, dict):
        text = _items_per_line(payload)
    else:
        text = json.dumps(payload, indent=2, ensure_ascii=False, default=str,
                          allow_nan=False)
    return write_text_atomic(path, text + "\n")


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, allow_nan=False)


def _items_per_line(payload: dict) -> str:
    lines = []
    for key, value in payload.items():
        name = _compact(str(key))
        if isinstance(value, list) and value:
            items = ",\n".join(f"    {_compact(item)}" for item in value)
            lines.append(f"  {name}: [\n{items}\n  ]")
        else:
            lines.append(f"  {name}: {_compact(value)}")
    return "{\n" + ",\n".join(lines) + "\n}" if lines else "{}"


def write_parquet_atomic(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as Parquet atomically (pyarrow engine, no index)."""
    return _atomic(Path(path), lambda tmp: frame.to_parquet(tmp, index=False, engine="pyarrow"))


def replace_dir_atomic(staging: str | Path, target: str | Path) -> Path:
    """Move a fully written ``staging`` directory into place as ``target``.

    The old ``target`` (if any) is renamed aside first and removed only after the new one
    is in place, so at every moment one complete version exists.
    """
    staging, target = Path(staging), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    backup = None
    if target.exists():
        backup = target.with_name(f".{target.name}.old-{os.getpid()}")
        if backup.exists():
            shutil.rmtree(backup)
        os.replace(target, backup)
    try:
        os.replace(staging, target)
    except Exception:
        if backup is not None:
            os.replace(backup, target)
        raise
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)
    return target
