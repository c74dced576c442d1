"""A real Spark cluster on this machine's loopback interface, for tests, benchmarks and
trying the scale-out path without a cluster.

:class:`LoopbackCluster` starts, from the installed PySpark's ``bin/spark-class``, a
standalone master and ``workers`` workers (``org.apache.spark.deploy.master.Master`` /
``…deploy.worker.Worker``), and optionally a Spark Connect server
(``org.apache.spark.sql.connect.service.SparkConnectServer`` through ``spark-submit``),
every one bound to ``127.0.0.1`` (``SPARK_LOCAL_IP``, ``--host``) on ports the system
chooses free, web UIs included, logs and work directories in a temporary directory. It
waits a bounded time for each to come up (the log line saying so) and stops every
process it started — each in its own process group — when it leaves its ``with`` block,
however that happens.

>>> with LoopbackCluster(workers=2) as cluster:          # doctest: +SKIP
...     cluster.master_url                               # 'spark://127.0.0.1:41231'
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

from socmob.errors import EngineError

LOOPBACK = "127.0.0.1"


def spark_home() -> Path:
    """The installed PySpark's home (``bin/spark-class``, ``jars/``)."""
    try:
        import pyspark
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise EngineError("the spark engine needs the 'spark' extra: pip install "
                          "'socmob[spark]'") from exc
    return Path(pyspark.__file__).resolve().parent


def connect_jar_available() -> bool:
    """Whether the PySpark wheel ships the Spark Connect server (``spark-connect_*.jar``)."""
    try:
        jars = spark_home() / "jars"
    except EngineError:
        return False
    return any(jars.glob("spark-connect_*.jar"))


def free_port() -> int:
    """A TCP port free on loopback now (for servers that cannot be given port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


@dataclass
class _Daemon:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    handle: IO[bytes]


@dataclass
class LoopbackCluster:
    """A standalone Spark cluster (and optionally a Spark Connect server) on loopback.

    Parameters
    ----------
    workers:
        Number of workers.
    worker_cores, worker_memory:
        Cores and memory each worker offers (``"1g"``).
    connect_server:
        Also start a Spark Connect server (on the cluster's master), reachable at
        :attr:`remote_url`.
    startup_timeout:
        Seconds allowed for each process to come up before giving up (and stopping
        everything started so far).
    daemon_memory:
        Heap of the master and worker JVMs themselves.
    """

    workers: int = 1
    worker_cores: int = 2
    worker_memory: str = "2g"
    connect_server: bool = False
    connect_cores: int = 1
    startup_timeout: float = 60.0
    daemon_memory: str = "256m"
    directory: Path | None = None
    master_url: str | None = field(default=None, init=False)
    remote_url: str | None = field(default=None, init=False)
    _daemons: list[_Daemon] = field(default_factory=list, init=False, repr=False)
    _own_dir: bool = field(default=False, init=False, repr=False)

    def __enter__(self) -> LoopbackCluster:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- starting ----------------------------------------------------------------------

    def _environment(self, *, daemon: bool = True) -> dict[str, str]:
        env = dict(os.environ)
        home = spark_home()
        assert self.directory is not None
        env.update({
            "SPARK_HOME": str(home),
            "SPARK_LOCAL_IP": LOOPBACK,
            "SPARK_DAEMON_MEMORY": self.daemon_memory,
            "SPARK_LOG_DIR": str(self.directory),
            "SPARK_WORKER_DIR": str(self.directory / "work"),
            "SPARK_CONF_DIR": str(self.directory / "conf"),
            "PYSPARK_PYTHON": env.get("PYSPARK_PYTHON", "python3"),
        })
        if not daemon:  # the Connect server's launcher would take it as the driver's heap
            del env["SPARK_DAEMON_MEMORY"]
        return env

    def _launch(self, name: str, args: list[str], *, daemon: bool = True) -> _Daemon:
        assert self.directory is not None
        log = self.directory / f"{name}.log"
        handle = log.open("wb")
        process = subprocess.Popen(args, stdout=handle, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=self._environment(daemon=daemon),
                                   cwd=self.directory, start_new_session=True)
        started = _Daemon(name, process, log, handle)
        self._daemons.append(started)
        return started

    def _wait_for(self, daemon: _Daemon, pattern: str) -> re.Match[str]:
        deadline = time.monotonic() + self.startup_timeout
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            text = daemon.log.read_text(errors="replace")
            found = regex.search(text)
            if found:
                return found
            if daemon.process.poll() is not None:
                tail = " | ".join(text.strip().splitlines()[-3:])
                raise EngineError(f"the loopback {daemon.name} stopped while starting "
                                  f"(exit {daemon.process.returncode}): {tail}")
            time.sleep(0.2)
        raise EngineError(f"the loopback {daemon.name} did not start within "
                          f"{self.startup_timeout:g} s (log: {daemon.log})")

    def start(self) -> None:
        """Start the master, the workers and (if asked) the Connect server; on any
        failure stop what was started and raise :class:`~socmob.errors.EngineError`."""
        if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
            raise EngineError("a loopback Spark cluster needs Java 17")
        if self.directory is None:
            self.directory = Path(tempfile.mkdtemp(prefix="socmob-spark-"))
            self._own_dir = True
        (self.directory / "work").mkdir(parents=True, exist_ok=True)
        (self.directory / "conf").mkdir(parents=True, exist_ok=True)
        spark_class = str(spark_home() / "bin" / "spark-class")
        try:
            master = self._launch("master", [
                spark_class, "org.apache.spark.deploy.master.Master",
                "--host", LOOPBACK, "--port", "0", "--webui-port", "0"])
            found = self._wait_for(master, r"Starting Spark master at (spark://\S+)")
            self.master_url = found.group(1)
            self._wait_for(master, r"New state: ALIVE")
            for i in range(self.workers):
                worker = self._launch(f"worker-{i + 1}", [
                    spark_class, "org.apache.spark.deploy.worker.Worker",
                    "--host", LOOPBACK, "--port", "0", "--webui-port", "0",
                    "--cores", str(self.worker_cores), "--memory", self.worker_memory,
                    "--work-dir", str(self.directory / "work"), self.master_url])
                self._wait_for(worker, r"Successfully registered with master")
            if self.connect_server:
                self.start_connect()
        except BaseException:
            self.stop()
            raise

    def start_connect(self) -> str:
        """Start a Spark Connect server on this cluster (taking at most
        ``connect_cores`` of its cores) and return its URL, ``sc://127.0.0.1:PORT``."""
        if self.master_url is None:
            raise EngineError("start the loopback cluster before its Connect server")
        if not connect_jar_available():
            raise EngineError("this PySpark has no Spark Connect server jar")
        port = free_port()
        submit = str(spark_home() / "bin" / "spark-submit")
        assert self.master_url is not None
        server = self._launch("connect-server", [
            submit, "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
            "--master", self.master_url, "--name", "socmob-connect",
            "--conf", f"spark.connect.grpc.binding.address={LOOPBACK}",
            "--conf", f"spark.connect.grpc.binding.port={port}",
            "--conf", f"spark.driver.host={LOOPBACK}",
            "--conf", f"spark.driver.bindAddress={LOOPBACK}",
            "--conf", "spark.ui.enabled=false",
            "--conf", f"spark.cores.max={self.connect_cores}",
            "--conf", "spark.executor.memory=1g",
            "--conf", f"spark.sql.warehouse.dir={self.directory}/warehouse",
            "--driver-memory", "1g",
            "spark-internal"], daemon=False)
        found = self._wait_for(server, r"Spark Connect server started at: \S+:(\d+)")
        self.remote_url = f"sc://{LOOPBACK}:{found.group(1)}"
        return self.remote_url

    # -- stopping ----------------------------------------------------------------------

    def stop(self) -> None:
        """Stop every process started (SIGTERM to its process group, then SIGKILL after
        10 s), newest first, and remove the temporary directory."""
        for daemon in reversed(self._daemons):
            _terminate(daemon.process)
            daemon.handle.close()
        self._daemons.clear()
        if self._own_dir and self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None
            self._own_dir = False

    @property
    def pids(self) -> list[int]:
        """Process ids of the running daemons."""
        return [d.process.pid for d in self._daemons if d.process.poll() is None]

    def logs(self) -> dict[str, str]:
        """The daemons' logs (for a failed test's report)."""
        return {d.name: d.log.read_text(errors="replace") for d in self._daemons
                if d.log.exists()}


def _terminate(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        process.wait(timeout=grace)


__all__ = ["LOOPBACK", "LoopbackCluster", "connect_jar_available", "free_port",
           "spark_home"]
