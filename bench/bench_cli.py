"""Starting the command line: ``socmob --help``, ``socmob --version``, ``socmob area
Blackpool`` and a whole ``socmob index uncertainty`` run, each a fresh process, against
``python -c pass`` (the interpreter's own start) in the same run.

Goals (issue "milliseconds, not seconds"): ``--help`` and ``--version`` under 0.3 s wall,
``area`` under 1 s. Each case is timed as a whole process (wall clock, median of the
repeats); its peak RSS comes from GNU ``time`` where present. The ``index uncertainty``
case runs the 205-area × 12-indicator coin of ``bench_composite`` (10,000 runs).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from bench.bench_composite import N_UNITS, _process, write_files
from bench.harness import Benchmark


def _socmob() -> list[str]:
    """The installed ``socmob`` script (as a user runs it), else ``python -m``-style."""
    script = Path(sys.executable).with_name("socmob")
    if script.exists():
        return [str(script)]
    found = shutil.which("socmob")
    return [found] if found else [sys.executable, "-c", "from socmob.cli import main; main()"]


def _run(*args: str) -> Any:
    def case(state: Any) -> dict[str, Any]:
        return _process([*_socmob(), *args])
    return case


def _uncertainty(state: dict[str, Any]) -> dict[str, Any]:
    out = _process([*_socmob(), *state["command"][3:]])
    assert out["stdout_lines"] == N_UNITS + 1, out  # header + one row per unit
    return out


BENCHMARKS = [
    Benchmark(
        name="cli_start",
        description="Command-line starts as whole processes (--help, --version, area "
                    "Blackpool, index uncertainty 10,000 runs) vs `python -c pass`",
        cases={
            "python_c_pass": lambda s: _process([sys.executable, "-c", "pass"]),
            "socmob_help": _run("--help"),
            "socmob_version": _run("--version"),
            "socmob_area_blackpool": _run("area", "Blackpool"),
            "socmob_index_uncertainty": _uncertainty,
        },
        baseline="python_c_pass",
        setup=write_files,
        repeat=5,
        params={"goals_s": {"socmob_help": 0.3, "socmob_version": 0.3,
                            "socmob_area_blackpool": 1.0},
                "uncertainty": {"units": N_UNITS, "runs": 10_000}},
    ),
]
