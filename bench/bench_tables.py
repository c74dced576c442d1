"""Building a mobility table from 10M person records: socmob (DuckDB) vs raw DuckDB SQL.

Synthetic, seeded microdata written once to a Parquet file in the temp directory
(``SOCMOB_BENCH_ROWS`` rows, default 10,000,000): origin and destination class 1-5
(with a diagonal pull, as in real tables), 10 layers (survey years) and a survey weight.
Every case reads that file and returns the weighted total and the (1, 1) cell of the
first layer, so a reader can see they computed the same table.

Cases:

* ``socmob_duckdb_parquet`` — :meth:`MobilityTable.from_microdata` on an Ibis table over
  the Parquet file (DuckDB scans and aggregates it; nothing is loaded into pandas);
* ``socmob_from_pandas`` — the file read into pandas first, then ``from_microdata`` on
  the frame (registered in an in-memory DuckDB);
* ``duckdb_sql`` (baseline) — hand-written ``SELECT year, origin, destination,
  SUM(weight) … GROUP BY ALL`` on the same file in a fresh DuckDB connection, scattered
  into the same array: the least any engine-backed table can cost. socmob does more:
  it also sums the squared weights (for Kish's effective sample size) with a check of
  every weight folded into that sum, and labels and validates the table;
* ``pandas_crosstab`` — ``pd.read_parquet`` + ``pd.crosstab`` with weights.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from bench.harness import Benchmark

ROWS = int(os.environ.get("SOCMOB_BENCH_ROWS", "10000000"))
SEED = 20261123
CLASSES = 5
LAYERS = 10


def _path() -> Path:
    return Path(tempfile.gettempdir()) / "socmob-bench-tables" / f"micro_{ROWS}.parquet"


def setup() -> str:
    """Write the synthetic Parquet once (seeded) and return its path."""
    path = _path()
    if path.exists():
        return str(path)
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    origin = rng.integers(1, CLASSES + 1, ROWS, dtype=np.int8)
    move = rng.integers(-2, 3, ROWS, dtype=np.int8) * (rng.random(ROWS) < 0.6)
    destination = np.clip(origin + move, 1, CLASSES).astype(np.int8)
    table = pa.table(
        {
            "origin": origin,
            "destination": destination,
            "year": (2000 + rng.integers(0, LAYERS, ROWS)).astype(np.int16),
            "weight": rng.gamma(4.0, 0.25, ROWS).astype(np.float64),
        }
    )
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)
    return str(path)


def _check(counts: np.ndarray) -> dict[str, float]:
    return {
        "total": round(float(counts.sum()), 3),
        "cell_first_11": round(float(counts[0, 0, 0]), 3),
    }


def socmob_duckdb_parquet(path: str) -> Any:
    from socmob.engine import connect
    from socmob.tables import MobilityTable

    con = connect("duckdb")
    t = con.read_parquet(path)
    table = MobilityTable.from_microdata(
        t, origin="origin", destination="destination", weight="weight", layer="year"
    )
    return _check(table.counts)


def socmob_from_pandas(path: str) -> Any:
    import pandas as pd

    from socmob.tables import MobilityTable

    frame = pd.read_parquet(path)
    table = MobilityTable.from_microdata(
        frame, origin="origin", destination="destination", weight="weight", layer="year"
    )
    return _check(table.counts)


def duckdb_sql(path: str) -> Any:
    import duckdb

    con = duckdb.connect()
    cells = con.sql(
        "SELECT year, origin, destination, SUM(weight) AS w "
        f"FROM read_parquet('{path}') GROUP BY ALL"
    ).fetchnumpy()
    counts = np.zeros((LAYERS, CLASSES, CLASSES))
    np.add.at(counts, (cells["year"] - 2000, cells["origin"] - 1, cells["destination"] - 1),
              cells["w"])
    return _check(counts)


def pandas_crosstab(path: str) -> Any:
    import pandas as pd

    frame = pd.read_parquet(path)
    tab = pd.crosstab(
        [frame["year"], frame["origin"]], frame["destination"],
        values=frame["weight"], aggfunc="sum",
    ).fillna(0.0)  # fmt: skip
    counts = tab.to_numpy().reshape(LAYERS, CLASSES, CLASSES)
    return _check(counts)


BENCHMARKS = [
    Benchmark(
        name="tables_from_microdata",
        description=f"Weighted 5x5x{LAYERS} table from {ROWS:,} Parquet rows: socmob via "
        "DuckDB vs a raw DuckDB GROUP BY on the same file (and pandas crosstab)",
        cases={
            "socmob_duckdb_parquet": socmob_duckdb_parquet,
            "duckdb_sql": duckdb_sql,
            "socmob_from_pandas": socmob_from_pandas,
            "pandas_crosstab": pandas_crosstab,
        },
        baseline="duckdb_sql",
        setup=setup,
        repeat=7,
        params={"rows": ROWS, "classes": CLASSES, "layers": LAYERS, "seed": SEED,
                # the machine is shared: its load when the run began, for the reader
                "load_average_1_5_15_min": [round(v, 2) for v in os.getloadavg()]},
    )
]
