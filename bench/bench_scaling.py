"""Scaling: income mobility stage by stage on DuckDB and on a Spark cluster on loopback.

``python -m bench scaling_1m scaling_10m scaling_50m`` — for 1M, 10M and 50M synthetic
parent–child pairs (the Parquet files of ``bench_income``, seeded, cached in the system
temporary directory), each case in a fresh process in the same run:

* ``duckdb`` — embedded DuckDB, 2 threads, memory limit 2.5GB (1.5GB at 50M), spilling
  to disk. The baseline.
* ``spark_1_worker`` / ``spark_2_workers`` — a standalone Spark cluster started on
  127.0.0.1 from the installed PySpark (:class:`socmob.engine.loopback.LoopbackCluster`:
  a master and one or two workers, each offering 2 cores and 3 GB; one executor per
  worker with 2.5 GB), the driver in the case's process, Spark reading the Parquet file
  with its own reader.

Every case times, one after another on the same table, the stages of an income run:

* ``read`` — one scan: the row count and the sums of both incomes;
* ``rank`` — the national percentile ranks of child and parent incomes (summed, to force
  them);
* ``moments`` — the IGE with its robust SE (:func:`socmob.income.ige`): the validating
  scan, a shift pass and one aggregation of moment sums; no ranks;
* ``transitions`` — the quintile matrix (:func:`socmob.income.transition_matrix`): ranks,
  then a group-by of the cells;
* ``all`` — :func:`socmob.income.income_mobility`, everything at once.

and records per stage the wall time and the peak resident memory of the whole process
tree (this process, the driver JVM and, on Spark, the master, workers and executors),
sampled every 0.2 s. The cluster is started in the untimed setup and stopped at the end
of the case (its teardown is in the case's total time, not in any stage). Every case
returns the rank slope, the IGE and P(Q5|Q1), so that a reader sees they computed the
same thing.

A 2-core machine cannot show scale-out: two workers share the same two cores. What these
numbers show is the fixed costs of the distributed path, where its shuffles are, and how
each stage grows with the rows; ``docs/scaling.md`` turns them into a sizing model.
"""

from __future__ import annotations

import atexit
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.bench_income import (
    CACHE,
    MEMORY_LIMIT,
    MEMORY_LIMIT_50M,
    RANK_CORR,
    SEED,
    dataset,
)
from bench.harness import Benchmark

PARENT, CHILD = "parent_income", "child_income"
EXECUTOR_MEMORY = "2500m"
WORKER_MEMORY = "3g"


class _PeakMemory:
    """Peak resident memory (MB) of a set of process trees, sampled in a thread."""

    def __init__(self, roots: Callable[[], list[int]], every: float = 0.2) -> None:
        self._roots = roots
        self._every = every
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> float:
        import psutil

        seen: set[int] = set()
        total = 0
        for pid in self._roots():
            try:
                root = psutil.Process(pid)
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                continue
            for proc in procs:
                if proc.pid in seen:
                    continue
                seen.add(proc.pid)
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    continue
        return total / 2**20

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self._sample())
            self._stop.wait(self._every)

    def __enter__(self) -> _PeakMemory:
        self.peak_mb = self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self._sample())


def _stages(table: Any) -> dict[str, Callable[[], Any]]:
    from socmob.income import ige, income_mobility, percentile_ranks, transition_matrix

    def read() -> Any:
        agg = table.aggregate(n=table.count(), sx=table[PARENT].sum(), sy=table[CHILD].sum())
        return int(agg.execute()["n"].iloc[0])

    def rank() -> Any:
        ranked = percentile_ranks(table, CHILD, name="ry")
        ranked = percentile_ranks(ranked, PARENT, name="rx")
        agg = ranked.aggregate(s=(ranked.rx * ranked.ry).sum(), n=ranked.count())
        return float(agg.execute()["s"].iloc[0])

    def moments() -> Any:
        return round(float(ige(table, parent=PARENT, child=CHILD).ige), 6)

    def transitions() -> Any:
        return round(float(transition_matrix(table, parent=PARENT, child=CHILD,
                                             quantiles=5).matrix[0, 4]), 6)

    def everything() -> Any:
        res = income_mobility(table, parent=PARENT, child=CHILD, progress=False)
        return [round(res.rank_slope, 6), round(res.ige, 6),
                round(res.p_top_given_bottom, 6)]

    return {"read": read, "rank": rank, "moments": moments, "transitions": transitions,
            "all": everything}


def _run_stages(state: dict[str, Any]) -> dict[str, Any]:
    import os

    stages: dict[str, Any] = {}
    check: Any = None
    roots = state.get("roots", lambda: [os.getpid()])
    wanted = state.get("stages")
    for name, stage in _stages(state["table"]).items():
        if wanted is not None and name not in wanted:
            continue
        with _PeakMemory(roots) as memory:
            start = time.perf_counter()
            value = stage()
            seconds = time.perf_counter() - start
        stages[name] = {"seconds": round(seconds, 3), "peak_rss_mb": round(memory.peak_mb, 1)}
        print(f"    {name}: {seconds:.1f} s, peak {memory.peak_mb:.0f} MB", flush=True)
        if name == "all" or (check is None and name == "moments"):
            check = value
    return {"stages": stages, "estimates": check}


def _setup_duckdb(rows: int) -> dict[str, Any]:
    from socmob.engine import connect
    from socmob.engine.readers import read_table

    path = dataset(rows)
    limit = MEMORY_LIMIT_50M if rows > 10_000_000 else MEMORY_LIMIT
    spill = CACHE / "duckdb-spill"
    spill.mkdir(parents=True, exist_ok=True)
    con = connect("duckdb", threads=2, memory_limit=limit, temp_directory=str(spill))
    con.raw_sql("SET preserve_insertion_order = false")
    return {"table": read_table(path, con=con)}


def _setup_spark(rows: int, workers: int) -> dict[str, Any]:
    import os

    from socmob.engine import connect
    from socmob.engine.config import EngineConfig
    from socmob.engine.loopback import LoopbackCluster
    from socmob.engine.readers import read_table

    path = dataset(rows)
    cluster = LoopbackCluster(workers=workers, worker_cores=2, worker_memory=WORKER_MEMORY,
                              startup_timeout=180)
    cluster.start()
    atexit.register(cluster.stop)
    assert cluster.master_url is not None
    config = EngineConfig(engine="spark", spark_master=cluster.master_url,
                          spark_executor_memory=EXECUTOR_MEMORY, spark_driver_memory="2g",
                          executor_timeout=180)
    con = connect(config)
    session = con._session  # type: ignore[attr-defined]
    # wait for every worker's executor, not only the first
    deadline = time.monotonic() + 180
    while (len(session.sparkContext._jsc.sc().statusTracker().getExecutorInfos()) < workers + 1
           and time.monotonic() < deadline):
        time.sleep(0.5)
    daemons = list(cluster.pids)
    return {"table": read_table(path, con=con), "cluster": cluster,
            "roots": lambda: [os.getpid(), *daemons]}


def _case(state: dict[str, Any]) -> dict[str, Any]:
    try:
        return _run_stages(state)
    finally:
        cluster = state.get("cluster")
        if cluster is not None:
            state["table"]._find_backend()._session.stop()
            cluster.stop()


def _skip_spark() -> str | None:
    from socmob.engine import java_available

    if not java_available():
        return "Java is absent"
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed"
    return None


ALL_CASES = ("duckdb", "spark_1_worker", "spark_2_workers")
STAGES = ("read", "rank", "moments", "transitions", "all")


def _benchmark(rows: int, cases: tuple[str, ...] = ALL_CASES,
               spark_stages: tuple[str, ...] | None = None) -> Benchmark:
    label = f"{rows // 1_000_000}m"
    holder: dict[str, Any] = {}

    def setup() -> dict[str, Any]:
        return holder

    def make(kind: str) -> Callable[[Any], Any]:
        def case(_: Any) -> Any:
            if kind == "duckdb":
                state = _setup_duckdb(rows)
            else:
                state = _setup_spark(rows, 1 if kind == "spark_1_worker" else 2)
                if spark_stages is not None:
                    state["stages"] = spark_stages
            return _case(state)
        return case

    return Benchmark(
        name=f"scaling_{label}",
        description=f"income stages ({', '.join(spark_stages or STAGES)} on Spark) on "
        f"{label.upper()} pairs: DuckDB vs a loopback Spark cluster with "
        f"{' and '.join(c.split('_')[1] for c in cases if c != 'duckdb')} worker(s)",
        cases={kind: make(kind) for kind in cases},
        baseline="duckdb",
        setup=setup,
        repeat=1,
        params={"rows": rows, "rank_corr": RANK_CORR, "seed": SEED,
                "duckdb": {"threads": 2, "memory_limit": MEMORY_LIMIT_50M
                           if rows > 10_000_000 else MEMORY_LIMIT},
                "spark": {"worker_cores": 2, "worker_memory": WORKER_MEMORY,
                          "executor_memory": EXECUTOR_MEMORY, "driver_memory": "2g"},
                "spark_stages": list(spark_stages) if spark_stages else "all",
                "note": "each case's total time includes connecting (and, on Spark, "
                "starting and stopping the loopback cluster); the stage times are in "
                "the check value, with the peak resident memory of the whole process "
                "tree (the case-level peak_rss_mb is the case's Python process only, not "
                "its JVMs)"},
        skip_reason=None,
    )


# at 50M every stage of one Spark case takes well over an hour on a shared 2-core
# machine: the two-worker cluster only (the one-worker case is known from 1M and 10M to
# be the same work), and only read, rank and moments (transitions and "all" are the same
# single-task ranks again plus a group-by, as 1M and 10M show)
BENCHMARKS = [_benchmark(1_000_000), _benchmark(10_000_000),
              _benchmark(50_000_000, ("duckdb", "spark_2_workers"),
                         spark_stages=("read", "rank", "moments"))]


def write_plans(parquet: Path, out: Path, *, master: str = "local[2]",
                weight: str | None = None) -> Path:
    """Run :func:`socmob.income.income_mobility` on Spark and write the formatted
    physical plan of every query it ran (Spark's SQL status store keeps them, in the
    ``explain("formatted")`` form), so that a reader can see where the shuffles are."""
    from socmob.engine import connect
    from socmob.engine.config import EngineConfig
    from socmob.engine.readers import read_table
    from socmob.income import income_mobility
    from socmob.results import atomic_write

    con = connect(EngineConfig(engine="spark", spark_master=master))
    table = read_table(parquet, con=con)
    res = income_mobility(table, parent=PARENT, child=CHILD, weight=weight, progress=False)
    session = con._session  # type: ignore[attr-defined]
    store = session._jsparkSession.sharedState().statusStore()
    parts = [f"# income_mobility on {parquet.name} (master {master}, weight={weight}); "
             f"rank slope {res.rank_slope:.6f}\n"]
    executions = store.executionsList().iterator()
    while executions.hasNext():
        ex = executions.next()
        what = str(ex.description()).splitlines()[0][:100]
        parts.append(f"\n=== query {ex.executionId()}: {what}\n{ex.physicalPlanDescription()}")
    session.stop()
    atomic_write(out, lambda h: h.write("".join(parts)), mode="w")
    return out


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Write the Spark plans of an income run.")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--weight", default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    suffix = "_weighted" if args.weight else ""
    target = args.out or (Path(__file__).resolve().parent / "results"
                          / f"scaling_plan_{args.rows // 1_000_000}m{suffix}.txt")
    print(write_plans(dataset(args.rows), target, weight=args.weight))
