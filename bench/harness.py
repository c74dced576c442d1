"""A small benchmark harness.

A benchmark module ``bench/bench_<topic>.py`` defines ``BENCHMARKS``, a list of
:class:`Benchmark`. Each benchmark has named *cases* (socmob and one or more baselines);
every case runs ``repeat`` times in its own fresh process (so peak memory is the case's
own), and the harness records the median wall time, the ratio of every case to the
baseline, peak RSS, and machine facts, into ``bench/results/<name>.json``.

Case functions take the value returned by ``setup`` (run once per process, untimed) and
may return a small JSON-able check value (e.g. a statistic), recorded so that a reader can
see the cases computed the same thing.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Benchmark:
    """One benchmark: named cases compared against ``baseline``."""

    name: str
    description: str
    cases: dict[str, Callable[[Any], Any]]
    baseline: str
    setup: Callable[[], Any] | None = None
    repeat: int = 3
    params: dict[str, Any] = field(default_factory=dict)
    skip_reason: Callable[[], str | None] | None = None


def _child(bench_module: str, bench_name: str, case: str, repeat: int, queue: Any) -> None:
    import importlib

    module = importlib.import_module(bench_module)
    bench = next(b for b in module.BENCHMARKS if b.name == bench_name)
    state = bench.setup() if bench.setup else None
    times = []
    check: Any = None
    for _ in range(repeat):
        start = time.perf_counter()
        check = bench.cases[case](state)
        times.append(time.perf_counter() - start)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put({"times_s": times, "peak_rss_mb": peak_kib / 1024.0, "check": _plain(check)})


def _plain(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except TypeError:
        return repr(value)


def machine_info() -> dict[str, Any]:
    """Facts about the machine a result was measured on."""
    import psutil

    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
    }


def run(bench: Benchmark, module: str, *, out_dir: Path = RESULTS_DIR) -> dict[str, Any]:
    """Run every case of ``bench`` in a fresh process and write its JSON result."""
    result: dict[str, Any] = {
        "benchmark": bench.name,
        "description": bench.description,
        "baseline": bench.baseline,
        "params": bench.params,
        "machine": machine_info(),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "cases": {},
    }
    reason = bench.skip_reason() if bench.skip_reason else None
    if reason:
        result["skipped"] = reason
    else:
        ctx = mp.get_context("spawn")
        for case in bench.cases:
            queue = ctx.Queue()
            proc = ctx.Process(target=_child, args=(module, bench.name, case, bench.repeat, queue))
            proc.start()
            proc.join()
            if proc.exitcode != 0 or queue.empty():
                result["cases"][case] = {"error": f"exit code {proc.exitcode}"}
                continue
            measured = queue.get()
            measured["median_s"] = statistics.median(measured["times_s"])
            result["cases"][case] = measured
            print(f"  {bench.name} / {case}: {measured['median_s']:.3f} s, "
                  f"peak {measured['peak_rss_mb']:.0f} MB", flush=True)
        base = result["cases"].get(bench.baseline, {}).get("median_s")
        for measured in result["cases"].values():
            if base and "median_s" in measured:
                measured["ratio_to_baseline"] = measured["median_s"] / base
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{bench.name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    tmp.replace(path)
    return result
