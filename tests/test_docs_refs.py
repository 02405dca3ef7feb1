"""Every ``§`` reference in the package resolves to a heading of the project's own docs.

A reference names the document it points to by the last document name before it on the same
line (``statistics.md §6.3``, ``export-formats §1b``); a bare ``§4.4`` points to
``docs/statistics.md``. A heading resolves ``§N.M`` when it starts with ``N.M`` (``### 4.4
Presenting a best time``); ``§4.2.3`` also resolves to ``4.2`` when that section has no
numbered sub-heading of its own.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
REF = re.compile(r"§\s?(\d+[a-z]?(?:\.\d+)*)")
DOC_NAME = re.compile(r"(statistics|export-formats)(?:\.md)?")
HEADING = re.compile(r"^#{1,6}\s+(\d+[a-z]?(?:\.\d+)*)[.\s]", re.MULTILINE)


def references() -> list[tuple[str, str, str]]:
    """(document, section, 'file:line') for every § reference under workbench/."""
    found = []
    for path in sorted((ROOT / "workbench").rglob("*")):
        if path.suffix not in (".py", ".yaml", ".md", ".ipynb") or "__pycache__" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in REF.finditer(line):
                names = DOC_NAME.findall(line[: match.start()])
                document = names[-1] if names else "statistics"
                where = f"{path.relative_to(ROOT)}:{number}"
                found.append((document, match.group(1), where))
    return found


def headings(document: str) -> set[str]:
    return set(HEADING.findall((DOCS / f"{document}.md").read_text(encoding="utf-8")))


def unresolved(document: str) -> list[str]:
    known = headings(document)
    missing = []
    for doc, section, where in references():
        if doc != document:
            continue
        parent = section.rsplit(".", 1)[0]
        if section not in known and not (section.count(".") == 2 and parent in known):
            missing.append(f"{where} §{section}")
    return missing


def test_the_package_cites_sections():
    cited = {doc for doc, _, _ in references()}
    assert cited == {"statistics", "export-formats"}


def test_statistics_references_resolve():
    assert unresolved("statistics") == []


def test_export_formats_references_resolve():
    if not (DOCS / "export-formats.md").exists():
        pytest.skip("docs/export-formats.md is assembled from the engineers' parts")
    assert unresolved("export-formats") == []


def test_the_resolver_catches_a_missing_section(tmp_path, monkeypatch):
    (tmp_path / "statistics.md").write_text("## 1. Data\n### 1.1 Columns\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "DOCS", tmp_path)
    missing = unresolved("statistics")
    assert any(m.endswith(" §4.4") for m in missing)  # the posting-time rule, cited in stats/
    assert not any(m.endswith(" §1.1") for m in missing)
