"""The package's subpackages import each other in one direction only (no cycle).

Imports inside functions count too: a lazy import hides a cycle from Python, not from the
design.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "workbench"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _unit(module: str) -> str:
    """The node of the graph: ``workbench.<subpackage>`` or a top-level module."""
    return ".".join(module.split(".")[:2])


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("workbench"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name.startswith("workbench"):
                found.add(name)
                found.update(f"{name}.{a.name}" for a in node.names)
    return found


def import_graph() -> dict[str, set[str]]:
    """Subpackage → subpackages it imports (self-imports dropped)."""
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        source = _unit(_module_name(path))
        if source == "workbench":
            continue  # the package's own __init__ is the public API: it may import anything
        targets = {_unit(m) for m in _imports(path)}
        known = {_unit(_module_name(p)) for p in PACKAGE.rglob("*.py")}
        graph.setdefault(source, set()).update(t for t in targets if t in known and t != source
                                               and t != "workbench")
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of nodes, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_find_cycle_detects_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_subpackages_form_no_cycle():
    graph = import_graph()
    assert "workbench.report" in graph and "workbench.stats" in graph
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_report_sits_above_the_analysis():
    graph = import_graph()
    for lower in ("workbench.stats", "workbench.io", "workbench.experiments",
                  "workbench.analysis", "workbench.labels"):
        assert "workbench.report" not in graph.get(lower, set()), lower
