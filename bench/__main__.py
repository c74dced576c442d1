"""Run benchmarks: ``python -m bench`` (all) or ``python -m bench NAME [NAME ...]``.

``python -m bench --list`` shows what is registered.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from bench.harness import RESULTS_DIR, run


def discover() -> dict[str, tuple[str, object]]:
    """Map benchmark name → (module, Benchmark) for every ``bench/bench_*.py``."""
    found: dict[str, tuple[str, object]] = {}
    here = Path(__file__).resolve().parent
    for info in pkgutil.iter_modules([str(here)]):
        if not info.name.startswith("bench_"):
            continue
        module_name = f"bench.{info.name}"
        module = importlib.import_module(module_name)
        for bench in getattr(module, "BENCHMARKS", []):
            found[bench.name] = (module_name, bench)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list benchmarks and exit")
    args = parser.parse_args(argv)
    found = discover()
    if args.list:
        for name, (_, bench) in sorted(found.items()):
            print(f"{name}: {bench.description}")  # type: ignore[attr-defined]
        return 0
    names = args.names or sorted(found)
    unknown = [n for n in names if n not in found]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; try --list", file=sys.stderr)
        return 2
    for name in names:
        module, bench = found[name]
        print(f"{name}: {bench.description}", flush=True)  # type: ignore[attr-defined]
        run(bench, module)  # type: ignore[arg-type]
        print(f"  -> {RESULTS_DIR / (name + '.json')}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
