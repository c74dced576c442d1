"""Where microdata lives and is aggregated.

Every heavy computation in socmob is an Ibis expression. This package is the only place
that opens a database connection: embedded DuckDB by default (in memory, or a file under
the user's data directory), PySpark for scale-out (the ``spark`` extra, Java 17).

* :mod:`socmob.engine.config` — :class:`EngineConfig` and :func:`load_engine_config`:
  which engine, where it runs (DuckDB; Spark by master URL or Spark Connect) and its
  resources, from the command line, the environment and a TOML file (re-exported here);
* :mod:`socmob.engine._connection` — :func:`connect`, :func:`default_connection`,
  :func:`spark_session` and friends (re-exported here);
* :mod:`socmob.engine.readers` — :func:`read_microdata`, :func:`read_table` and
  :func:`read_catalog_table`, which read files (local or cluster storage) and catalogue
  tables into the engine (also available here, imported on first use so that the
  readers and this package never import each other at import time);
* :mod:`socmob.engine.loopback` — :class:`~socmob.engine.loopback.LoopbackCluster`, a
  real standalone Spark cluster (and Spark Connect server) on 127.0.0.1 from the
  installed PySpark, for tests and benchmarks.

How to run on a cluster, and how a national run is sized: ``docs/scaling.md``.

>>> con = connect()                       # in-memory DuckDB
>>> t = con.create_table("x", {"a": [1, 2]})
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from socmob.engine._connection import (
    BACKENDS,
    Backend,
    connect,
    default_connection,
    java_available,
    preflight,
    spark_session,
    tcp_reachable,
    user_data_dir,
)
from socmob.engine.config import EngineConfig, load_engine_config

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from socmob.engine.readers import (
        Microdata,
        read_catalog_table,
        read_microdata,
        read_table,
    )

_FROM_READERS = frozenset({"Microdata", "read_catalog_table", "read_microdata", "read_table"})


def __getattr__(name: str) -> Any:
    """``Microdata``, ``read_microdata``, ``read_table`` and ``read_catalog_table`` from
    :mod:`socmob.engine.readers`, imported when first asked for."""
    if name in _FROM_READERS:
        from socmob.engine import readers

        return getattr(readers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BACKENDS",
    "Backend",
    "EngineConfig",
    "Microdata",
    "connect",
    "default_connection",
    "java_available",
    "load_engine_config",
    "preflight",
    "read_catalog_table",
    "read_microdata",
    "read_table",
    "spark_session",
    "tcp_reachable",
    "user_data_dir",
]
