"""One Ibis aggregation gives identical results on every engine (DuckDB; PySpark in local
mode where Java exists), checked against a pandas oracle — in the style of Ibis's own
backend tests (one body, parametrised ``backend`` fixture).
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from socmob.engine import BACKENDS, connect
from socmob.errors import EngineError

MISSING = -999.0


def _frame() -> pd.DataFrame:
    """A small table with an uneven group, a negative value, a missing weight (sentinel
    ``MISSING``, turned into SQL NULL by the engine: see :func:`test_nan_input_gap`) and
    exact halves."""
    return pd.DataFrame({
        "origin": ["a", "a", "b", "b", "b", "c", "c", "d"],
        "weight": [1.5, 2.5, -1.0, 4.0, 0.5, 3.0, MISSING, 10.0],
        "count": [1, 2, 3, 4, 5, 6, 7, 8],
    })


def _oracle(frame: pd.DataFrame) -> pd.DataFrame:
    """The same aggregation by hand in pandas (count counts non-null weights, like SQL)."""
    frame = frame.assign(weight=frame["weight"].replace(MISSING, np.nan))
    grouped = frame.groupby("origin")
    return pd.DataFrame({
        "origin": sorted(frame["origin"].unique()),
        "total": grouped["count"].sum().to_numpy(),
        "mean_weight": grouped["weight"].mean().to_numpy(dtype="float64"),
        "n_weight": grouped["weight"].count().to_numpy(),
        "rows": grouped.size().to_numpy(),
    })


def test_group_by_aggregation_matches_oracle(backend: object) -> None:
    frame = _frame()
    table = ibis.memtable(frame)
    weight = table["weight"].nullif(MISSING)
    expr = (
        table.group_by("origin")
        .aggregate(
            total=table["count"].sum(),
            mean_weight=weight.mean(),
            n_weight=weight.count(),
            rows=table.count(),
        )
        .order_by("origin")
    )
    got = backend.execute(expr)  # type: ignore[attr-defined]
    want = _oracle(frame)
    # hand check of the oracle itself: group b = 3+4+5 = 12, mean(-1, 4, .5) = 3.5/3;
    # group c has one null weight: mean 3.0 over 1 value, 2 rows
    assert want.loc[1, "total"] == 12 and want.loc[1, "mean_weight"] == pytest.approx(3.5 / 3)
    assert (want.loc[2, "mean_weight"], want.loc[2, "n_weight"]) == (3.0, 1)
    assert want.loc[2, "rows"] == 2
    assert got["origin"].tolist() == want["origin"].tolist()
    for column in ("total", "n_weight", "rows"):
        assert got[column].astype("int64").tolist() == want[column].tolist(), column
    np.testing.assert_allclose(got["mean_weight"].astype("float64"), want["mean_weight"],
                               rtol=1e-12)


def test_nan_input_gap(backend: object) -> None:
    """Known engine difference, declared: a float NaN in a pandas frame reaches DuckDB as
    NULL (Arrow converts it), and so it does over Spark Connect (Arrow again), but the
    classic PySpark session as a NaN *value*, which Spark counts. Code that must agree on
    every engine marks missing values inside the expression (``nullif``)."""
    table = ibis.memtable(pd.DataFrame({"x": [1.0, np.nan, 3.0]}))
    counted = int(backend.execute(table["x"].count()))  # type: ignore[attr-defined]
    session = getattr(backend, "_session", None)
    classic = backend.name == "pyspark" and "connect" not in type(session).__module__
    assert counted == (3 if classic else 2)


def test_unknown_engine_is_an_engine_error() -> None:
    assert BACKENDS == ("duckdb", "spark")
    with pytest.raises(EngineError):
        connect("sqlite")


def test_engine_package_does_not_import_its_readers_at_import_time() -> None:
    """``socmob.engine`` and ``socmob.engine.readers`` do not import each other at import
    time (the readers use the engine's connection); the readers' names are still
    available from the package, as the same objects, once asked for."""
    import subprocess
    import sys

    code = ("import sys, socmob.engine as e; "
            "print('socmob.engine.readers' in sys.modules); "
            "from socmob.engine import read_table, read_microdata, Microdata; "
            "import socmob.engine.readers as r; "
            "print(read_table is r.read_table and read_microdata is r.read_microdata "
            "and Microdata is r.Microdata); "
            "print(r.read_table.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True", "socmob.engine.readers"]


def test_unknown_engine_attribute_is_an_attribute_error() -> None:
    import socmob.engine

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        socmob.engine.nope  # noqa: B018
