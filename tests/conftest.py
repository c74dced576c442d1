"""Shared test fixtures.

``backend`` runs one test body on every engine (DuckDB always; PySpark in local mode
where Java is present), in the style of Ibis's own backend tests.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from socmob.engine import connect, java_available

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
RESULTS = Path(__file__).resolve().parent / "results"

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")


@pytest.fixture(scope="session")
def spark_con():
    """One Ibis PySpark connection per test session (a JVM start costs ~15 s)."""
    if not java_available():
        pytest.skip("Java is absent: the spark engine cannot start")
    pytest.importorskip("pyspark")
    return connect("spark")


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def backend(request):
    """An Ibis connection for each engine socmob supports."""
    if request.param == "spark":
        return request.getfixturevalue("spark_con")
    return connect("duckdb")
