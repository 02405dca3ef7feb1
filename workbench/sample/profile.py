"""The sample organisation's own profile, shipped with the package.

``workbench sample-data`` writes this fictional organisation's exports, and the test suite
reports on them, whatever the agency's ``params/org.yaml`` holds: the sample never borrows the
agency's time zone, accounts, topics or service KPIs, and editing ``params/org.yaml`` to
another agency cannot break it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.config import DEFAULT_PARAMS_DIR, deep_merge, read_yaml, validate_params

#: The sample organisation's profile (same keys as ``params/org.yaml``).
SAMPLE_PROFILE = Path(__file__).with_name("org.yaml")


def sample_params(params_dir: str | Path | None = None) -> dict[str, Any]:
    """The sample organisation's profile layered under the project's run settings.

    Args:
        params_dir: Folder whose ``monthly.yaml`` (run settings only: window, alpha, seed...)
            is layered on top of the profile; default ``params/``. Its ``org.yaml`` is never
            read. Without a ``monthly.yaml`` (an installed package) the profile alone.

    Returns:
        The merged, validated parameters, as :func:`workbench.config.load_params` returns them.
    """
    params = read_yaml(SAMPLE_PROFILE)
    monthly = Path(params_dir or DEFAULT_PARAMS_DIR) / "monthly.yaml"
    if monthly.exists():
        params = deep_merge(params, read_yaml(monthly))
    validate_params(params, source=SAMPLE_PROFILE)
    return params
