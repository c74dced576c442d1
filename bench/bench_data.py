"""Loading the embedded State of the Nation dataset vs reading the raw SMC CSVs.

``data_load`` — everything, cold (caches cleared before every repeat):

* ``socmob_parquet`` — :mod:`socmob.data` readers: registry, composites (with the
  registry join of :func:`socmob.data.composites`), the tidy indicators table and the
  catalogue (typed, tidy, ready to use);
* ``socmob_duckdb`` — the same Parquet files scanned by DuckDB through
  :func:`socmob.engine.connect` (row counts only: what a query engine pays to open them);
* ``raw_csv_pandas`` (baseline) — :func:`pandas.read_csv` of every raw file the dataset
  is built from (son25/son26 dr*/in*/ci*, mobility outcomes, area tables), untidy and
  all text-typed as published — the work an analyst would start from without socmob.

``data_query`` — one typical question, cold: the ITL2 rows of ``in23`` (highest
qualification), via :func:`socmob.data.load` vs reading and filtering the raw CSV.

Each case returns the number of rows it read, so a reader can see what was compared.
Skipped where the raw release (``../shared/data``) is absent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.harness import Benchmark

SOURCE = Path(__file__).resolve().parents[1].parent / "shared" / "data"
RAW_GLOBS = ("smc-son/son25/*.csv", "smc-son/son26/*.csv", "smc-son/mobility-outcomes/*.csv",
             "smc-derived/*.csv")


def _skip() -> str | None:
    if not (SOURCE / "smc-son").is_dir():
        return f"raw SMC release not found at {SOURCE}"
    return None


def _clear_caches() -> None:
    from socmob import data

    data._read.cache_clear()
    data._read_geo.cache_clear()


def socmob_parquet(_: Any) -> int:
    from socmob import data

    _clear_caches()
    frames = [data._read(f"{name}.parquet")
              for name in ("registry", "composites", "catalog", "indicators")]
    data.composites()  # plus the registry join the public API does
    return sum(len(f) for f in frames)


def socmob_duckdb(_: Any) -> int:
    from socmob import data
    from socmob.engine import connect

    con = connect("duckdb")
    total = 0
    for name in ("registry", "composites", "catalog", "indicators"):
        table = con.read_parquet(str(data.data_dir() / f"{name}.parquet"))
        total += int(table.count().execute())
    con.disconnect()
    return total


def raw_csv_pandas(_: Any) -> int:
    import pandas as pd

    total = 0
    for pattern in RAW_GLOBS:
        for path in sorted(SOURCE.glob(pattern)):
            total += len(pd.read_csv(path, dtype=str, keep_default_na=False))
    return total


def socmob_query(_: Any) -> int:
    from socmob import data

    _clear_caches()
    return len(data.load("in23", area_type="itl2"))


def raw_query(_: Any) -> int:
    import pandas as pd

    raw = pd.read_csv(SOURCE / "smc-son" / "son26" / "2026-01-01-in23-full-dataset.csv")
    return len(raw[raw["area_type"] == "ITL2"])


BENCHMARKS = [
    Benchmark(
        name="data_load",
        description="Load the whole embedded dataset (socmob Parquet, DuckDB scan) vs read "
                    "every raw SMC CSV with pandas; cold caches.",
        cases={"socmob_parquet": socmob_parquet, "socmob_duckdb": socmob_duckdb,
               "raw_csv_pandas": raw_csv_pandas},
        baseline="raw_csv_pandas",
        repeat=5,
        skip_reason=_skip,
    ),
    Benchmark(
        name="data_query",
        description="ITL2 rows of in23 (latest edition): socmob.data.load vs pandas "
                    "read_csv + filter of the raw file; cold caches.",
        cases={"socmob_load": socmob_query, "raw_csv_pandas": raw_query},
        baseline="raw_csv_pandas",
        repeat=5,
        skip_reason=_skip,
    ),
]
