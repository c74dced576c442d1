"""Imports of the place layer: no cycles among its modules, command-line modules that
import nothing heavy at start, and an ``index uncertainty`` run that never loads the
spatial or modelling libraries it does not use."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import RESULTS

SRC = Path(__file__).resolve().parents[2] / "src"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path, *, in_functions: bool = False) -> set[str]:
    """Modules imported when ``path`` is imported (statements at module level), or with
    ``in_functions`` also those imported inside its functions — except a module
    ``__getattr__``, which only resolves an old name on first use."""
    found: set[str] = set()
    package = _module_name(path) if path.name == "__init__.py" else \
        _module_name(path).rpartition(".")[0]
    tree = ast.parse(path.read_text("utf-8"))
    nodes: list[ast.stmt | ast.AST] = list(tree.body)
    if in_functions:
        nodes = [n for top in tree.body
                 if not (isinstance(top, ast.FunctionDef) and top.name == "__getattr__")
                 for n in ast.walk(top)]
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return found


def test_no_import_cycle_in_the_place_layer():
    # stricter than a module-level graph: an import deferred into a function counts too
    files = sorted((SRC / "socmob" / "place").rglob("*.py"))
    modules = {_module_name(p): p for p in files}
    graph = {m: {i for i in _top_level_imports(p, in_functions=True)
                 if i in modules and i != m}
             for m, p in modules.items()}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph[start]:
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = sorted(m for m in graph if reaches(m, m, {m}))
    assert cycles == [], f"modules on an import cycle: {cycles}"


def test_command_modules_import_nothing_heavy_at_start():
    allowed = {"__future__", "enum", "functools", "pathlib", "typing", "typer"}
    for name in ("index", "place"):
        imports = _top_level_imports(SRC / "socmob" / "cli" / f"{name}.py")
        heavy = {i for i in imports
                 if i.split(".")[0] not in allowed and not i.startswith(
                     ("socmob.cli._common", "socmob.place.defaults"))}
        assert not heavy, f"cli/{name}.py imports {sorted(heavy)} at start"


def test_index_uncertainty_loads_no_spatial_or_modelling_library():
    data, meta = RESULTS / "coinr" / "asem_iData.csv", RESULTS / "coinr" / "asem_iMeta.csv"
    code = f"""
import json, sys
from socmob.cli import main
sys.argv = ["socmob", "index", "uncertainty", "--data", {str(data)!r}, "--meta",
            {str(meta)!r}, "--winmax-set", "1,3,5", "--runs", "50", "--no-progress",
            "--format", "csv"]
try:
    main()
except SystemExit as exc:
    assert not exc.code, exc.code
heavy = ("geopandas", "libpysal", "esda", "statsmodels", "scipy", "shapely", "sklearn")
print(json.dumps(sorted(m for m in heavy if m in sys.modules)))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
