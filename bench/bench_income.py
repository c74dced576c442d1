"""Income mobility on 10M and 50M synthetic parent–child pairs.

Cases, each in a fresh process on the same machine in the same run:

* ``socmob`` — :func:`socmob.income.income_mobility` on DuckDB streaming the Parquet file
  (``memory_limit`` 2.5GB at 10M, 2GB at 50M, 2 threads, spilling to a temporary
  directory): weighted mid-ranks, IGE
  with robust SE, rank-rank slope/intercept with SEs, expected rank at p25, the quintile
  matrix, P(Q5|Q1), absolute mobility and the four indices.
* ``duckdb_sql`` — the same point estimates in one hand-written DuckDB SQL query (window
  mid-ranks, ``regr_slope``, a group-by for the matrix), no standard errors: what a careful
  analyst would write by hand.
* ``pandas_numpy`` — pandas + numpy/scipy in memory (``rankdata`` average ranks,
  closed-form slopes, ``bincount`` matrix). Run at 10M only: at 50M it would hold ~5 GB of
  arrays, over the 4 GB budget of this benchmark, so it is skipped there (not chunked:
  mid-ranks need the whole sorted column).

Every case returns (rank slope, IGE, P(Q5|Q1), absolute mobility) so a reader can see
they computed the same thing. The synthetic file is generated once (seeded) and cached
in the system temporary directory.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from bench.harness import Benchmark

RANK_CORR = 0.35
SEED = 2024
MEMORY_LIMIT = "2.5GB"
MEMORY_LIMIT_50M = "2GB"  # leaves room under the 4 GB RSS budget for Python and Arrow
CACHE = Path(os.environ.get("SOCMOB_BENCH_CACHE", Path(tempfile.gettempdir()) / "socmob-bench"))


def _dataset(rows: int) -> Path:
    from socmob.synth import read_truth, synth_income

    path = CACHE / f"income_{rows // 1_000_000}M_seed{SEED}.parquet"
    if path.exists():
        truth = read_truth(path)
        if truth is not None and truth.rank_corr == RANK_CORR:
            return path
    CACHE.mkdir(parents=True, exist_ok=True)
    synth_income(path, rows=rows, rank_corr=RANK_CORR, seed=SEED, chunk_rows=1_000_000,
                 progress=False)
    return path


def _setup(rows: int) -> dict[str, Any]:
    limit = MEMORY_LIMIT_50M if rows > 10_000_000 else MEMORY_LIMIT
    return {"path": str(_dataset(rows)), "rows": rows, "memory_limit": limit}


def _connect(state: dict[str, Any]) -> Any:
    from socmob.engine import connect

    con = connect("duckdb", threads=2, memory_limit=state["memory_limit"])
    spill = CACHE / "duckdb-spill"
    spill.mkdir(parents=True, exist_ok=True)
    con.raw_sql(f"SET temp_directory = '{spill}'")
    con.raw_sql("SET preserve_insertion_order = false")
    con.raw_sql("SET enable_progress_bar = false")
    return con


def case_socmob(state: dict[str, Any]) -> list[float]:
    from socmob.engine.readers import read_table
    from socmob.income import income_mobility

    con = _connect(state)
    table = read_table(state["path"], con=con)
    res = income_mobility(table, parent="parent_income", child="child_income",
                          progress=False)
    return [round(res.rank_slope, 6), round(res.ige, 6), round(res.p_top_given_bottom, 6),
            round(res.absolute_mobility, 6)]


_SQL = """
WITH d AS (
  SELECT parent_income AS x, child_income AS y FROM read_parquet('{path}')
),
px AS (
  SELECT x, 100 * (SUM(COUNT(*)) OVER (ORDER BY x) - COUNT(*) / 2.0) / SUM(COUNT(*)) OVER ()
         AS rx
  FROM d GROUP BY x
),
py AS (
  SELECT y, 100 * (SUM(COUNT(*)) OVER (ORDER BY y) - COUNT(*) / 2.0) / SUM(COUNT(*)) OVER ()
         AS ry
  FROM d GROUP BY y
),
r AS (
  SELECT d.x, d.y, rx, ry,
         LEAST(CAST(FLOOR(rx / 20) AS INTEGER), 4) AS qx,
         LEAST(CAST(FLOOR(ry / 20) AS INTEGER), 4) AS qy
  FROM d JOIN px USING (x) JOIN py USING (y)
)
SELECT regr_slope(ry, rx) AS rank_slope,
       regr_intercept(ry, rx) AS rank_intercept,
       regr_slope(CASE WHEN x > 0 AND y > 0 THEN ln(y) END,
                  CASE WHEN x > 0 AND y > 0 THEN ln(x) END) AS ige,
       SUM(CASE WHEN qx = 0 AND qy = 4 THEN 1 ELSE 0 END)::DOUBLE
         / SUM(CASE WHEN qx = 0 THEN 1 ELSE 0 END) AS p_top_given_bottom,
       AVG(CASE WHEN y > x THEN 1.0 ELSE 0.0 END) AS absolute_mobility
FROM r
"""


def case_duckdb_sql(state: dict[str, Any]) -> list[float]:
    con = _connect(state)
    row = con.raw_sql(_SQL.format(path=state["path"])).fetchone()
    rank_slope, _intercept, ige, p15, absolute = row
    return [round(rank_slope, 6), round(ige, 6), round(p15, 6), round(absolute, 6)]


def case_synth(state: dict[str, Any]) -> list[float]:
    from socmob.synth import synth_income

    target = CACHE / "synth-bench.parquet"
    made = synth_income(target, rows=state["rows"], rank_corr=RANK_CORR, seed=SEED + 1,
                        chunk_rows=1_000_000, progress=False)
    target.unlink()
    return [made.rows, round(made.truth.ige, 6)]


def case_pandas_numpy(state: dict[str, Any]) -> list[float]:
    import numpy as np
    import pandas as pd
    from scipy.stats import rankdata

    frame = pd.read_parquet(state["path"], columns=["parent_income", "child_income"])
    x = frame["parent_income"].to_numpy()
    y = frame["child_income"].to_numpy()
    del frame
    n = len(x)
    rx = (rankdata(x) - 0.5) * (100.0 / n)
    ry = (rankdata(y) - 0.5) * (100.0 / n)
    dx = rx - rx.mean()
    slope = float(dx @ (ry - ry.mean()) / (dx @ dx))
    pos = (x > 0) & (y > 0)
    lx, ly = np.log(x[pos]), np.log(y[pos])
    dl = lx - lx.mean()
    ige = float(dl @ (ly - ly.mean()) / (dl @ dl))
    qx = np.minimum((rx // 20).astype(np.int64), 4)
    qy = np.minimum((ry // 20).astype(np.int64), 4)
    cells = np.bincount(qx * 5 + qy, minlength=25).reshape(5, 5)
    p15 = float(cells[0, 4] / cells[0].sum())
    absolute = float(np.mean(y > x))
    return [round(slope, 6), round(ige, 6), round(p15, 6), round(absolute, 6)]


BENCHMARKS = [
    Benchmark(
        name="synth_income_50m",
        description="write 50M synthetic income pairs to Parquet in 1M-row chunks "
                    "(peak memory stays at one chunk)",
        cases={"socmob": case_synth},
        baseline="socmob",
        setup=lambda: {"rows": 50_000_000},
        repeat=1,
        params={"rows": 50_000_000, "chunk_rows": 1_000_000, "seed": SEED + 1},
    ),
    Benchmark(
        name="income_10m",
        description="income mobility on 10M synthetic pairs: socmob vs DuckDB SQL vs "
                    "pandas/numpy",
        cases={"socmob": case_socmob, "duckdb_sql": case_duckdb_sql,
               "pandas_numpy": case_pandas_numpy},
        baseline="duckdb_sql",
        setup=lambda: _setup(10_000_000),
        repeat=1,
        params={"rows": 10_000_000, "rank_corr": RANK_CORR, "seed": SEED,
                "duckdb_memory_limit": MEMORY_LIMIT, "duckdb_threads": 2},
    ),
    Benchmark(
        name="income_50m",
        description="income mobility on 50M synthetic pairs: socmob vs DuckDB SQL "
                    "(pandas/numpy skipped: ~5 GB of arrays, over the 4 GB budget)",
        cases={"socmob": case_socmob, "duckdb_sql": case_duckdb_sql},
        baseline="duckdb_sql",
        setup=lambda: _setup(50_000_000),
        repeat=1,
        params={"rows": 50_000_000, "rank_corr": RANK_CORR, "seed": SEED,
                "duckdb_memory_limit": MEMORY_LIMIT_50M, "duckdb_threads": 2,
                "rss_budget_gb": 4, "pandas_numpy": "skipped (memory)"},
    ),
]
