"""Shared test fixtures.

``backend`` runs one test body on every engine, in the style of Ibis's own backend
tests: DuckDB always; where Java is present, Spark — on a real standalone cluster
started on loopback for the session (a master and a worker from the installed PySpark,
see :class:`socmob.engine.loopback.LoopbackCluster`), or in local mode if that cluster
does not come up within a bounded time — and Spark Connect, through a Connect server on
the same cluster, where the client libraries and the server jar are available.

``SOCMOB_TEST_SPARK=local`` keeps Spark in local mode (no cluster) for a quick run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from socmob.engine import connect, java_available

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
RESULTS = Path(__file__).resolve().parent / "results"

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")

CLUSTER_STARTUP_S = 60.0
"""Seconds each daemon of the loopback cluster may take to come up."""


def _need_spark() -> None:
    if not java_available():
        pytest.skip("Java is absent: the spark engine cannot start")
    pytest.importorskip("pyspark")


@pytest.fixture(scope="session")
def spark_cluster(tmp_path_factory) -> Iterator[Any]:
    """A standalone Spark cluster on 127.0.0.1 for the whole session: a master and one
    worker (6 scheduling slots, 4 GB, so that the test driver, the Connect server and a
    command-line driver each get an executor), stopped — every JVM — at the end. Skips
    where Java is absent or the cluster does not start within the bound."""
    _need_spark()
    if os.environ.get("SOCMOB_TEST_SPARK") == "local":
        pytest.skip("SOCMOB_TEST_SPARK=local: no loopback cluster")
    from socmob.engine.loopback import LoopbackCluster
    from socmob.errors import EngineError

    cluster = LoopbackCluster(workers=1, worker_cores=6, worker_memory="4g",
                              connect_cores=2, startup_timeout=CLUSTER_STARTUP_S,
                              directory=tmp_path_factory.mktemp("spark-cluster"))
    try:
        cluster.start()
    except EngineError as exc:
        pytest.skip(f"the loopback Spark cluster did not start: {exc}")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def spark_remote(spark_cluster) -> str:
    """The URL of a Spark Connect server on the loopback cluster (``sc://127.0.0.1:P``);
    skips cleanly where the client libraries (grpcio…) or the server jar are missing."""
    from socmob.engine.loopback import connect_jar_available
    from socmob.errors import EngineError

    try:
        import pyspark.sql.connect.session  # noqa: F401
    except Exception as exc:  # pyspark raises its own error for a missing grpcio
        pytest.skip(f"no Spark Connect client: {str(exc).splitlines()[0]}")
    if not connect_jar_available():
        pytest.skip("this PySpark has no Spark Connect server jar")
    if spark_cluster.remote_url is None:
        try:
            spark_cluster.start_connect()
        except EngineError as exc:
            pytest.skip(f"the Spark Connect server did not start: {exc}")
    return spark_cluster.remote_url


@pytest.fixture(scope="session")
def spark_con(request, tmp_path_factory):
    """One Ibis PySpark connection per test session (a JVM start costs ~15 s): to the
    loopback cluster when it is up (at most 2 of its cores), else in local mode; tables
    saved to the catalogue go to a temporary warehouse."""
    _need_spark()
    from socmob.engine.config import EngineConfig

    master = None
    if os.environ.get("SOCMOB_TEST_SPARK") != "local":
        try:
            master = request.getfixturevalue("spark_cluster").master_url
        except pytest.skip.Exception:
            master = None
    conf = {"spark.sql.warehouse.dir": str(tmp_path_factory.mktemp("spark-warehouse"))}
    if master:
        conf |= {"spark.cores.max": "2", "spark.executor.memory": "1g"}
    return connect(EngineConfig(engine="spark", spark_master=master, spark_conf=conf))


@pytest.fixture(scope="session")
def spark_connect_con(spark_remote):
    """An Ibis connection over Spark Connect to the loopback cluster's server."""
    from socmob.engine.config import EngineConfig

    return connect(EngineConfig(engine="spark", spark_remote=spark_remote))


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark),
                        pytest.param("spark-connect", marks=pytest.mark.spark)])
def backend(request):
    """An Ibis connection for each engine socmob supports."""
    if request.param == "spark":
        return request.getfixturevalue("spark_con")
    if request.param == "spark-connect":
        return request.getfixturevalue("spark_connect_con")
    return connect("duckdb")
