"""The code base stays ruff clean (configuration in pyproject.toml)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed in this environment")
    result = subprocess.run([ruff, "check", "workbench", "tests", "benchmarks"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


#: Organisation facts that must come from org.yaml, never from code (issue 12, item 3).
ORGANISATION_LITERALS = ("America/Toronto", "Ad Grant", "translation_", "Translation",
                         "Forest City", "forestcity", "CAD", 'f"$', '"$')
#: Where such a literal is not an organisation fact: (path, literal) → why.
ALLOWED = {
    ("workbench/stats/simulate.py", "America/Toronto"):
        "the simulated organisation's zone: a zone with daylight saving, for the harness",
    ("workbench/config.py", "America/Toronto"): "an example in the error hint",
    ("workbench/report/display.py", '"$'): "an example in a docstring",
    ("workbench/wording.py", '"$'): "an example in a docstring",
    ("workbench/io/google_ads.py", "Ad Grant"): "the product the export comes from",
}
#: Folders where a literal names a product's rules, not an organisation: (prefix, literal) → why.
ALLOWED_UNDER = {
    ("workbench/website/", "Ad Grant"):
        "the Google Ad Grants programme whose policy the grant panel checks (org.yaml `grant`)",
}


def test_no_organisation_in_code():
    found = []
    for path in sorted((ROOT / "workbench").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("workbench/sample/"):
            continue  # the sample organisation's own generator (its profile: sample/org.yaml)
        text = path.read_text(encoding="utf-8")
        found += [f"{relative}: {literal}" for literal in ORGANISATION_LITERALS
                  if literal in text and (relative, literal) not in ALLOWED
                  and not any(relative.startswith(prefix) and literal == allowed
                              for prefix, allowed in ALLOWED_UNDER)]
    assert found == []
