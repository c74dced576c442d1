"""A lean command line: building ``socmob --help`` and ``--version`` imports none of the
heavy libraries (pandas, numpy, scipy, ibis, duckdb); commands import them when they run.

Each command module is also checked on its own (loaded without the others); modules not
yet made lean are marked ``xfail(strict=True)`` so the mark must go when they are.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import socmob
from socmob.cli import COMMAND_MODULES

HEAVY = ("pandas", "numpy", "scipy", "ibis", "duckdb")
CLI_DIR = Path(socmob.__file__).parent / "cli"

#: Command modules that still import a heavy library when loaded (their owners are
#: making them lean); the strict xfail turns into a failure once one is fixed, so the
#: entry is removed then.
NOT_YET_LEAN: dict[str, str] = {}

_WHOLE_APP = textwrap.dedent("""
    import json, sys
    from typer.main import get_command
    import socmob.cli
    from click.testing import CliRunner
    runner = CliRunner()
    command = get_command(socmob.cli.app)
    help_text = runner.invoke(command, ["--help"]).output
    version = runner.invoke(command, ["--version"]).output
    print(json.dumps({{"heavy": sorted(m for m in {heavy!r} if m in sys.modules),
                       "help": "Usage" in help_text, "version": version.strip()}}))
""")

_ONE_MODULE = textwrap.dedent("""
    import importlib, json, sys, types
    # load socmob.cli.<name> alone: a bare package stands in for socmob.cli, so the
    # other command modules are not assembled
    package = types.ModuleType("socmob.cli")
    package.__path__ = [{cli_dir!r}]
    sys.modules["socmob.cli"] = package
    import typer
    importlib.import_module("socmob.cli._common")
    module = importlib.import_module("socmob.cli." + {name!r})
    if hasattr(module, "register"):
        from typer.main import get_command

        app = typer.Typer()
        module.register(app)
        get_command(app)  # the command tree, as --help builds it
    print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
""")


def _run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300)
    if result.returncode != 0:  # not an AssertionError: the xfail marks expect only those
        raise RuntimeError(result.stderr[-2000:])
    return result.stdout.strip().splitlines()[-1]


def _params() -> list[object]:
    out: list[object] = []
    for name in ("_common", *COMMAND_MODULES):
        if not (CLI_DIR / f"{name}.py").exists():
            continue
        marks = ([pytest.mark.xfail(strict=True, raises=AssertionError,
                                    reason=NOT_YET_LEAN[name])]
                 if name in NOT_YET_LEAN else [])
        out.append(pytest.param(name, marks=marks, id=name))
    return out


@pytest.mark.parametrize("name", _params())
def test_command_module_imports_no_heavy_library(name: str) -> None:
    heavy = json.loads(_run(_ONE_MODULE.format(cli_dir=str(CLI_DIR), name=name, heavy=HEAVY)))
    assert heavy == [], f"socmob.cli.{name} imports {heavy} when loaded"


def test_help_and_version_import_no_heavy_library() -> None:
    report = json.loads(_run(_WHOLE_APP.format(heavy=HEAVY)))
    assert report["help"] and report["version"].startswith("socmob ")
    assert report["heavy"] == [], f"socmob --help imports {report['heavy']}"


def test_the_common_pieces_stay_lean() -> None:
    # the shared module every command uses must never be the reason for a heavy start
    code = ("import sys, importlib, types; p = types.ModuleType('socmob.cli'); "
            f"p.__path__ = [{str(CLI_DIR)!r}]; sys.modules['socmob.cli'] = p; "
            "import socmob.cli._common as c; import socmob.io.scratch; "
            "c.console.width; c.err_console.width; "
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    assert _run(code) == "[]"
