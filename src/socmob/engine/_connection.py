"""Engine connections: the one place in the package that opens a database connection.

Embedded DuckDB by default (in memory, or a file under the user's data directory), PySpark
for scale-out (the ``spark`` extra, Java 17). These names are re-exported by
:mod:`socmob.engine`; they live in this lower module so that :mod:`socmob.engine.readers`
and the package ``__init__`` both build on it without importing each other.

>>> con = connect()                       # in-memory DuckDB
>>> t = con.create_table("x", {"a": [1, 2]})
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Any, Literal

import ibis
from ibis.backends import BaseBackend

from socmob.errors import EngineError

Backend = Literal["duckdb", "spark"]
BACKENDS: tuple[str, ...] = ("duckdb", "spark")

_spark_lock = threading.Lock()


def user_data_dir() -> Path:
    """The per-user directory socmob may write to (``SOCMOB_DATA_DIR`` overrides)."""
    override = os.environ.get("SOCMOB_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("socmob", appauthor=False))


def java_available() -> bool:
    """Whether a Java runtime is on the PATH (PySpark needs one)."""
    return shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME"))


def spark_session(*, master: str = "local[2]", app_name: str = "socmob") -> Any:
    """Return the process-wide SparkSession, creating it on first use.

    Starting a JVM costs ~15 s, so one session is shared. ``SPARK_LOCAL_IP`` defaults to
    the loopback address so that Spark never looks for a network interface.
    """
    if not java_available():
        raise EngineError("the spark engine needs Java 17 (no 'java' on PATH, JAVA_HOME unset)")
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise EngineError(
            "the spark engine needs the 'spark' extra: pip install 'socmob[spark]'"
        ) from exc
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", os.environ.get("PYSPARK_PYTHON", "python3"))
    with _spark_lock:
        return (
            SparkSession.builder.master(master)
            .appName(app_name)
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.ansi.enabled", "false")
            .getOrCreate()
        )


def connect(backend: Backend | str = "duckdb", *, path: str | os.PathLike[str] | None = None,
            threads: int | None = None, memory_limit: str | None = None) -> BaseBackend:
    """Open an Ibis connection.

    Parameters
    ----------
    backend:
        ``"duckdb"`` (default, embedded) or ``"spark"`` (PySpark in local mode unless a
        SparkSession already exists).
    path:
        DuckDB database file; ``None`` for in-memory, ``"user"`` for
        ``<user data dir>/socmob.duckdb``.
    threads, memory_limit:
        DuckDB resource settings (e.g. ``memory_limit="3GB"`` keeps large aggregations
        spilling to disk instead of exhausting memory).
    """
    if backend == "duckdb":
        database: str = ":memory:"
        if path is not None:
            if str(path) == "user":
                target = user_data_dir() / "socmob.duckdb"
                target.parent.mkdir(parents=True, exist_ok=True)
                database = str(target)
            else:
                database = str(path)
        config: dict[str, Any] = {}
        if threads is not None:
            config["threads"] = threads
        if memory_limit is not None:
            config["memory_limit"] = memory_limit
        con = ibis.duckdb.connect(database, **config)
        # DuckDB's own progress bar would interleave with JSON/CSV on stdout.
        con.raw_sql("SET enable_progress_bar = false")
        return con
    if backend == "spark":
        return ibis.pyspark.connect(spark_session())
    raise EngineError(f"unknown engine {backend!r}; choose one of {', '.join(BACKENDS)}")


_default: BaseBackend | None = None


def default_connection() -> BaseBackend:
    """A shared in-memory DuckDB connection for quick work."""
    global _default
    if _default is None:
        _default = connect("duckdb")
    return _default


__all__ = [
    "BACKENDS",
    "Backend",
    "connect",
    "default_connection",
    "java_available",
    "spark_session",
    "user_data_dir",
]
