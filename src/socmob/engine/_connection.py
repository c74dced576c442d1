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
import socket
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import ibis
from ibis.backends import BaseBackend

from socmob.engine.config import (
    DEFAULT_LOCAL_MASTER,
    ENGINES,
    EngineConfig,
    is_local_master,
    remote_host,
    spark_hosts,
)
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


def tcp_reachable(host: str, port: int, timeout: float) -> str | None:
    """``None`` if a TCP connection to ``host:port`` opens within ``timeout`` seconds,
    else the reason (refused, timed out, unknown host)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except TimeoutError:
        return f"no answer within {timeout:g} s"
    except socket.gaierror as exc:
        return f"unknown host ({exc.strerror or exc})"
    except OSError as exc:
        return exc.strerror or str(exc)


def preflight(config: EngineConfig) -> None:
    """Check, with a short timeout, that the Spark master or Connect server the
    configuration names answers on TCP, so that a wrong or unreachable address is one
    clear error at once instead of Spark's minutes of retries. ``local`` masters need no
    check; ``yarn`` is checked at the ResourceManager address of the Hadoop
    configuration when ``yarn-site.xml`` names one."""
    timeout = config.connect_timeout
    if config.spark_remote is not None:
        targets = [remote_host(config.spark_remote)]
        what = f"Spark Connect server {config.spark_remote}"
    else:
        master = config.master or DEFAULT_LOCAL_MASTER
        what = f"Spark master {master}"
        if is_local_master(master):
            return
        if master.startswith("spark://"):
            targets = spark_hosts(master)
        elif master.startswith("k8s://"):
            targets = [_k8s_api(master)]
        else:
            found = _yarn_resource_manager()
            if found is None:
                return
            targets = [found]
    reasons = []
    for host, port in targets:
        reason = tcp_reachable(host, port, timeout)
        if reason is None:
            return
        reasons.append(f"{host}:{port}: {reason}")
    raise EngineError(f"cannot reach the {what} ({'; '.join(reasons)}); is it running, "
                      "and is the address right?")


def _k8s_api(master: str) -> tuple[str, int]:
    from urllib.parse import urlsplit

    rest = master.removeprefix("k8s://")
    if "://" not in rest:
        rest = "https://" + rest
    parts = urlsplit(rest)
    default = 443 if parts.scheme == "https" else 80
    return parts.hostname or "", parts.port or default


def _yarn_resource_manager() -> tuple[str, int] | None:
    """The ResourceManager's address from ``$YARN_CONF_DIR`` or ``$HADOOP_CONF_DIR``
    ``yarn-site.xml`` (``yarn.resourcemanager.address``), if set there."""
    import xml.etree.ElementTree as ET

    for var in ("YARN_CONF_DIR", "HADOOP_CONF_DIR"):
        directory = os.environ.get(var)
        if not directory:
            continue
        site = Path(directory) / "yarn-site.xml"
        try:
            root = ET.parse(site).getroot()
        except (OSError, ET.ParseError):
            continue
        for prop in root.iter("property"):
            if (prop.findtext("name") or "").strip() == "yarn.resourcemanager.address":
                host, _, port = (prop.findtext("value") or "").strip().rpartition(":")
                if host and port.isdigit():
                    return host, int(port)
    return None


def _loopback_only(config: EngineConfig) -> bool:
    """Whether Spark runs on this machine only: a ``local`` master, or a standalone
    master whose every address is a loopback one."""
    if config.spark_remote is not None:
        return False
    master = config.master or DEFAULT_LOCAL_MASTER
    if is_local_master(master):
        return True
    if master.startswith("spark://"):
        return all(_is_loopback(host) for host, _ in spark_hosts(master))
    return False


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    for line in text.splitlines():
        if line.strip() and not line.strip().startswith(("JVM stacktrace", "at ")):
            return line.strip()
    return type(exc).__name__


def spark_session(config: EngineConfig | None = None, *, master: str | None = None,
                  app_name: str = "socmob") -> Any:
    """Return the SparkSession for ``config``, creating it on first use.

    * A master URL (``local[N]``, ``spark://…``, ``yarn``, ``k8s://…``) gives the
      process-wide classic session (starting a JVM costs ~15 s, so it is shared). Only
      when Spark runs on this machine alone (a ``local`` master, or a standalone master
      on loopback) is the driver bound to ``127.0.0.1`` (``spark.driver.host`` and
      ``spark.driver.bindAddress``, ``SPARK_LOCAL_IP`` by default); otherwise the
      network settings are the user's (``--spark-conf spark.driver.host=…``). The
      driver's web UI is off unless ``spark.ui.enabled=true`` is set.
    * A Spark Connect URL (``sc://HOST:PORT``) gives a Connect session (no local JVM).

    Before anything starts, the master or server is checked on TCP within
    ``config.connect_timeout`` seconds; on a cluster, the session waits at most
    ``config.executor_timeout`` seconds for its first executor. Failures are
    :class:`~socmob.errors.EngineError` with one line saying what to check.

    ``master=`` alone (the older form) is ``EngineConfig(engine="spark", spark_master=…)``.
    """
    if config is None:
        config = EngineConfig(engine="spark", spark_master=master)
    elif master is not None:
        config = replace(config, spark_master=master, spark_remote=None)
    if config.spark_remote is not None:
        return _connect_session(config, app_name)
    return _classic_session(config, app_name)


def _classic_session(config: EngineConfig, app_name: str) -> Any:
    if not java_available():
        raise EngineError("the spark engine needs Java 17 (no 'java' on PATH, JAVA_HOME unset)")
    try:
        from pyspark import SparkContext
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise EngineError(
            "the spark engine needs the 'spark' extra: pip install 'socmob[spark]'"
        ) from exc
    master = config.master or DEFAULT_LOCAL_MASTER
    with _spark_lock:
        running = SparkContext._active_spark_context
        if running is not None:
            if running.master != master and config.spark_master is not None:
                raise EngineError(
                    f"a Spark session with master {running.master} is already running in "
                    f"this process; stop it (spark.stop()) before connecting to {master}")
            return SparkSession.builder.getOrCreate()
        preflight(config)
        settings = config.spark_settings()
        if _loopback_only(config):
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            settings.setdefault("spark.driver.host", "127.0.0.1")
            settings.setdefault("spark.driver.bindAddress", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", os.environ.get("PYSPARK_PYTHON", "python3"))
        builder = SparkSession.builder.master(master).appName(app_name)
        for key, value in settings.items():
            builder = builder.config(key, value)
        try:
            session = builder.getOrCreate()
        except Exception as exc:
            raise EngineError(f"Spark did not start with master {master}: "
                              f"{_first_line(exc)}") from exc
        if not is_local_master(master):
            _wait_for_executors(session, config, settings)
        return session


def _wait_for_executors(session: Any, config: EngineConfig, settings: dict[str, str]) -> None:
    """Wait at most ``config.executor_timeout`` s for the first executor; stop the session
    and raise if none comes (a job would otherwise wait for resources for ever)."""
    if settings.get("spark.dynamicAllocation.enabled", "false").lower() == "true":
        return
    sc = session.sparkContext
    deadline = time.monotonic() + config.executor_timeout
    while time.monotonic() < deadline:
        jsc = sc._jsc.sc()
        if jsc.isStopped():
            break
        if len(jsc.statusTracker().getExecutorInfos()) > 1:  # the driver is counted too
            return
        time.sleep(0.25)
    master = config.master
    stopped = sc._jsc.sc().isStopped()
    session.stop()
    if stopped:
        raise EngineError(f"the Spark master {master} gave up on this application (is it a "
                          "Spark master, and can it reach this machine?)")
    memory = settings.get("spark.executor.memory", "1g")
    cores = settings.get("spark.executor.cores", "all free")
    raise EngineError(
        f"no executor of {master} started within {config.executor_timeout:g} s: no worker "
        f"had {cores} cores and {memory} of memory free, or the workers cannot reach this "
        "driver (spark.driver.host); raise executor_timeout for a slow cluster")


_connect_sessions: dict[str, Any] = {}


def _connect_session(config: EngineConfig, app_name: str) -> Any:
    url = config.spark_remote
    assert url is not None
    try:
        from pyspark.sql.connect.client.retries import DefaultPolicy
        from pyspark.sql.connect.session import SparkSession as ConnectSession
    except Exception as exc:  # ImportError, or pyspark's own for a missing grpcio
        raise EngineError("Spark Connect needs its client libraries: pip install "
                          f"'pyspark[connect]' ({_first_line(exc)})") from exc
    with _spark_lock:
        known = _connect_sessions.get(url)
        if known is not None and not known.is_stopped:
            return known
        preflight(config)
        session = ConnectSession(connection=url)
        client = session.client
        patient = client.get_retry_policies()
        # a bounded probe: Spark Connect's own policy retries an unavailable server for
        # ten minutes
        client.set_retry_policies([DefaultPolicy(
            max_retries=3, initial_backoff=200, backoff_multiplier=2.0,
            max_backoff=int(1000 * config.connect_timeout))])
        settings = config.spark_settings()
        try:
            for key, value in settings.items():
                session.conf.set(key, value)
        except Exception as exc:
            session.client.close()
            raise EngineError(f"the Spark Connect server {url} did not accept the session: "
                              f"{_first_line(exc)}") from exc
        client.set_retry_policies(patient)
        ConnectSession._set_default_and_active_session(session)
        _connect_sessions[url] = session
        return session


def connect(backend: Backend | str | EngineConfig = "duckdb", *,
            path: str | os.PathLike[str] | None = None, threads: int | None = None,
            memory_limit: str | None = None, temp_directory: str | None = None,
            ) -> BaseBackend:
    """Open an Ibis connection.

    Parameters
    ----------
    backend:
        An :class:`~socmob.engine.config.EngineConfig` (from
        :func:`~socmob.engine.config.load_engine_config`: command line, environment,
        configuration file), or an engine name: ``"duckdb"`` (default, embedded) or
        ``"spark"`` (PySpark in local mode unless a SparkSession already exists).
    path:
        DuckDB database file; ``None`` for in-memory, ``"user"`` for
        ``<user data dir>/socmob.duckdb``.
    threads, memory_limit, temp_directory:
        DuckDB resource settings (e.g. ``memory_limit="3GB"`` keeps large aggregations
        spilling to disk, in ``temp_directory``, instead of exhausting memory). With a
        configuration, its own settings are used and these override them.
    """
    if isinstance(backend, EngineConfig):
        config = backend
    elif backend in ENGINES:
        config = EngineConfig(engine=str(backend))
    else:
        raise EngineError(f"unknown engine {backend!r}; choose one of {', '.join(BACKENDS)}")
    if config.engine == "duckdb":
        return _duckdb(path if path is not None else config.duckdb_database,
                       threads=threads if threads is not None else config.duckdb_threads,
                       memory_limit=(memory_limit if memory_limit is not None
                                     else config.duckdb_memory_limit),
                       temp_directory=(temp_directory if temp_directory is not None
                                       else config.duckdb_temp_directory))
    return ibis.pyspark.connect(spark_session(config))


def _duckdb(path: str | os.PathLike[str] | None, *, threads: int | None,
            memory_limit: str | None, temp_directory: str | None) -> BaseBackend:
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
    if temp_directory is not None:
        config["temp_directory"] = str(temp_directory)
    try:
        con = ibis.duckdb.connect(database, **config)
    except Exception as exc:
        if type(exc).__module__.split(".")[0] not in {"duckdb", "_duckdb"}:
            raise
        raise EngineError(f"DuckDB did not start: {_first_line(exc)}") from exc
    # DuckDB's own progress bar would interleave with JSON/CSV on stdout.
    con.raw_sql("SET enable_progress_bar = false")
    return con


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
    "preflight",
    "spark_session",
    "tcp_reachable",
    "user_data_dir",
]
