"""Where microdata lives and is aggregated.

Every heavy computation in socmob is an Ibis expression. This package is the only place
that opens a database connection: embedded DuckDB by default (in memory, or a file under
the user's data directory), PySpark for scale-out (the ``spark`` extra, Java 17).

* :mod:`socmob.engine._connection` — :func:`connect`, :func:`default_connection`,
  :func:`spark_session` and friends (re-exported here);
* :mod:`socmob.engine.readers` — :func:`read_microdata` and :func:`read_table`, which
  read files into the engine (also available here, imported on first use so that the
  readers and this package never import each other at import time).

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
    spark_session,
    user_data_dir,
)

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from socmob.engine.readers import Microdata, read_microdata, read_table

_FROM_READERS = frozenset({"Microdata", "read_microdata", "read_table"})


def __getattr__(name: str) -> Any:
    """``Microdata``, ``read_microdata`` and ``read_table`` from :mod:`socmob.engine.readers`,
    imported when first asked for."""
    if name in _FROM_READERS:
        from socmob.engine import readers

        return getattr(readers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BACKENDS",
    "Backend",
    "Microdata",
    "connect",
    "default_connection",
    "java_available",
    "read_microdata",
    "read_table",
    "spark_session",
    "user_data_dir",
]
