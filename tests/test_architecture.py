"""The shape of the package: no import cycles, and the layers import only downwards.

The graph is built from the source with :mod:`ast` (nothing is imported): one node per
module under ``src/socmob``, one edge per ``import`` statement anywhere in a module —
at its top or inside a function, since a deferred import still ties the two modules
together. Relative imports are resolved, and ``from package import name`` points at the
submodule ``package.name`` when there is one, else at the package itself. Imports under
``if TYPE_CHECKING:`` never run, so they do not make a cycle; they still may not cross
a layer. See docs/architecture.md for the layers.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "socmob"

#: The measure layer: computes statistics, knows nothing of how they are shown.
MEASURES = ("io", "engine", "checks", "results", "errors", "_text", "classify", "tables",
            "models", "income", "place", "workforce", "monitor", "assess", "survey", "data",
            "synth", "periods", "_deprecated")
PRESENTATION = ("report", "web", "cli")
#: What each layer may not import (top-level subpackage or module names).
FORBIDDEN: dict[str, tuple[str, ...]] = {
    **{name: PRESENTATION for name in MEASURES},
    "report": ("web", "cli"),
}

#: Cycles being removed by work in progress elsewhere in the tree; each pair may stay
#: until that work is merged, then this set is emptied.
KNOWN_CYCLES: frozenset[frozenset[str]] = frozenset({
})


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    type_checking: bool


def module_name(path: Path, root: Path = SRC) -> str:
    """``src/socmob/place/spatial.py`` → ``socmob.place.spatial`` (``__init__`` → the
    package)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules(root: Path = SRC) -> dict[str, Path]:
    """Every module of the package by dotted name."""
    return {module_name(p, root): p for p in sorted((root / PACKAGE).rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, type_checking: bool = False
             ) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement under ``tree``, and whether it only runs for type checkers."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child, type_checking
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            for stmt in child.body:
                yield from _imports(ast.Module(body=[stmt], type_ignores=[]), True)
            for stmt in child.orelse:
                yield from _imports(ast.Module(body=[stmt], type_ignores=[]), type_checking)
        else:
            yield from _imports(child, type_checking)


def _base(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module an ``ImportFrom`` names (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    anchor = parts if is_package else parts[:-1]
    anchor = anchor[: len(anchor) - (node.level - 1)]
    return ".".join([*anchor, *([node.module] if node.module else [])])


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The most specific module of the package that ``name`` lies in."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def edges(modules: dict[str, Path] | None = None) -> list[Edge]:
    """Every import from one module of the package to another."""
    modules = modules if modules is not None else all_modules()
    found: list[Edge] = []
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, type_checking in _imports(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = _base(module, is_package, node)
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules
                           else base for alias in node.names]
            for target in targets:
                resolved = _known(target, modules)
                if resolved is not None and resolved != module:
                    found.append(Edge(module, resolved, node.lineno, type_checking))
    return found


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components (iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[set[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component: set[str] = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def layer(module: str) -> str:
    """The top-level subpackage or module of the package that ``module`` belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def runtime_graph(all_edges: list[Edge], allowed: frozenset[frozenset[str]] = frozenset()
                  ) -> dict[str, set[str]]:
    """Module → the modules it imports at run time, leaving out the ``allowed`` pairs."""
    graph: dict[str, set[str]] = {}
    for e in all_edges:
        if e.type_checking:
            continue
        if frozenset({e.source, e.target}) in allowed:
            continue
        graph.setdefault(e.source, set()).add(e.target)
    return graph


@pytest.fixture(scope="module")
def import_edges() -> list[Edge]:
    return edges()


def test_the_graph_sees_the_package(import_edges):
    # a sanity check on the parser: known imports of the tree are found, relative and
    # "from package import module" alike
    pairs = {(e.source, e.target) for e in import_edges}
    assert len(all_modules()) > 50
    assert ("socmob.web.api", "socmob.report.views") in pairs
    assert ("socmob.report.charts", "socmob.results") in pairs
    assert ("socmob.place.uncertainty", "socmob.place.banding") in pairs


def test_relative_imports_and_submodules_are_resolved(tmp_path):
    pkg = tmp_path / "socmob"
    (pkg / "a").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a" / "__init__.py").write_text("from . import b\nfrom .c import name\n")
    (pkg / "a" / "b.py").write_text("from .. import d\nfrom ..a import c\n")
    (pkg / "a" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import socmob.d\n"
        "def f():\n    from socmob.a import b\n")
    (pkg / "d.py").write_text("import socmob.a.b as alias\n")

    found = edges(all_modules(tmp_path))
    got = {(e.source, e.target, e.type_checking) for e in found}
    assert got == {
        ("socmob.a", "socmob.a.b", False), ("socmob.a", "socmob.a.c", False),
        ("socmob.a.b", "socmob.d", False), ("socmob.a.b", "socmob.a.c", False),
        ("socmob.a.c", "socmob.d", True), ("socmob.a.c", "socmob.a.b", False),
        ("socmob.d", "socmob.a.b", False),
    }
    # b → c → b and b → d → b at run time; c → d only for type checkers
    cycles = [c for c in strongly_connected(runtime_graph(found)) if len(c) > 1]
    assert cycles == [{"socmob.a.b", "socmob.a.c", "socmob.d"}]


def test_no_import_cycles(import_edges):
    cycles = [sorted(c) for c in strongly_connected(runtime_graph(import_edges, KNOWN_CYCLES))
              if len(c) > 1]
    detail = "; ".join(
        " ↔ ".join(c) + " (" + ", ".join(
            f"{e.source}:{e.line} → {e.target}" for e in import_edges
            if e.source in c and e.target in c and not e.type_checking) + ")"
        for c in cycles)
    assert not cycles, f"import cycles: {detail}"


def test_known_cycles_are_still_cycles(import_edges):
    # the allow-list names only cycles that exist: one that is gone must leave the list
    graph = runtime_graph(import_edges)
    components = [c for c in strongly_connected(graph) if len(c) > 1]
    for pair in KNOWN_CYCLES:
        if not any(pair <= c for c in components):
            pytest.fail(f"{' ↔ '.join(sorted(pair))} is no longer a cycle: remove it from "
                        "KNOWN_CYCLES")


def test_layers_import_only_downwards(import_edges):
    wrong = [f"{e.source}:{e.line} imports {e.target}" for e in import_edges
             if layer(e.target) in FORBIDDEN.get(layer(e.source), ())]
    assert not wrong, "layer rule broken: " + "; ".join(wrong)
