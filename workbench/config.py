"""Parameters: the organisation profile and run settings, layered.

Later sources win: ``params/org.yaml`` < ``params/monthly.yaml`` < ``--params FILE`` <
``-p KEY VALUE``. Nested mappings merge key by key; dotted keys (``-p stats.alpha 0.1``)
address nested values. Months stay strings (``"2024-03"``).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from workbench.errors import ConfigError
from workbench.month import MONTH_RE
from workbench.params import RunParams, read_yaml, validate_run_settings

__all__ = ["MONTH_RE", "load_params", "load_run_params", "read_yaml", "validate_params"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PARAMS_DIR = PROJECT_ROOT / "params"
HEX_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``base`` updated by ``override``, merging nested mappings (inputs untouched)."""
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def parse_cli_value(key: str, text: str) -> Any:
    """Parse a ``-p KEY VALUE`` value as a YAML scalar; months and ``*month*`` keys stay str."""
    name = key.split(".")[-1]
    if name == "month" or name.endswith("_month") or MONTH_RE.match(text):
        return text
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def set_dotted(params: dict[str, Any], key: str, value: Any) -> None:
    """Set ``params['a']['b'] = value`` for ``key='a.b'`` (creating mappings)."""
    parts = key.split(".")
    node = params
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


def load_params(
    params_dir: str | Path | None = None,
    params_file: str | Path | None = None,
    overrides: Iterable[tuple[str, str]] = (),
) -> dict[str, Any]:
    """Load and layer the run parameters.

    Args:
        params_dir: Folder holding ``org.yaml`` and ``monthly.yaml`` (default: ``params/``).
        params_file: Optional extra YAML file (``--params``).
        overrides: ``(KEY, VALUE)`` pairs from ``-p`` (dotted keys allowed).

    Returns:
        The merged parameters, validated (time zone, brand colours, months, the run
        settings' types and ranges) with every run default of ``params/monthly.yaml`` filled.
    """
    params_dir = Path(params_dir) if params_dir else DEFAULT_PARAMS_DIR
    org_path = params_dir / "org.yaml"
    if not org_path.exists():
        raise ConfigError(
            "organisation profile not found",
            file=org_path,
            hint="copy params/org.yaml from the workbench repository and edit it",
        )
    params = read_yaml(org_path)
    monthly = params_dir / "monthly.yaml"
    if monthly.exists():
        params = deep_merge(params, read_yaml(monthly))
    if params_file:
        params = deep_merge(params, read_yaml(params_file))
    for key, value in overrides:
        set_dotted(params, key, parse_cli_value(key, value))
    validate_params(params, source=org_path)
    return validate_run_settings(params, source=params_file or params_dir / "monthly.yaml")


def load_run_params(
    params_dir: str | Path | None = None,
    params_file: str | Path | None = None,
    overrides: Iterable[tuple[str, str]] = (),
) -> RunParams:
    """:func:`load_params` as a typed :class:`~workbench.params.RunParams`."""
    return RunParams.from_mapping(load_params(params_dir, params_file, overrides))


def validate_params(params: Mapping[str, Any], source: str | Path | None = None) -> None:
    """Check the settings the code relies on; raise ConfigError naming the key and fix."""
    tz = params.get("timezone")
    if not tz:
        raise ConfigError(
            "'timezone' is missing", file=source, hint="add timezone: America/Toronto"
        )
    try:
        ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"'timezone' {tz!r} is not an IANA time zone",
            file=source,
            hint="use a name such as America/Toronto",
        ) from exc
    for name, colour in (params.get("brand_colours") or {}).items():
        if not HEX_RE.match(str(colour)):
            raise ConfigError(
                f"brand colour {name!r} is {colour!r}, not a hex colour",
                file=source,
                hint="write it as '#RRGGBB' in quotes",
            )
    month = params.get("month")
    if month is not None and not MONTH_RE.match(str(month)):
        raise ConfigError(
            f"'month' is {month!r}, not YYYY-MM", file=source, hint="write the month as '2024-03'"
        )


def org_timezone(params: Mapping[str, Any]) -> str:
    """The organisation's IANA time zone."""
    return str(params["timezone"])
