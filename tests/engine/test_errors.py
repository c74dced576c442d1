"""A bad master URL, an unreachable cluster or Connect server, and a missing table are
one clear line and exit code 2, within a bounded time — checked before Spark starts."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from socmob.engine import connect, preflight, tcp_reachable
from socmob.engine.config import EngineConfig
from socmob.engine.loopback import _terminate, free_port
from socmob.errors import EngineError, InputError, NotFoundError

SOCMOB = [str(Path(sys.executable).with_name("socmob"))]


def _run(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOCMOB_CONFIG": os.devnull, "COLUMNS": "200"}
    return subprocess.run([*SOCMOB, *args], capture_output=True, text=True, timeout=timeout,
                          env=env, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def pairs(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("errors") / "pairs.csv"
    pd.DataFrame({"p": [1.0, 2.0, 3.0, 4.0], "c": [2.0, 1.0, 4.0, 3.0]}).to_csv(path,
                                                                               index=False)
    return str(path)


def _one_line_exit_2(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert result.stdout == ""
    return lines[0]


def _invoke(args: list[str], env: dict[str, str | None] | None = None) -> str:
    """Run a command in this process; its one-line error (exit code 2)."""
    from typer.testing import CliRunner

    from socmob.cli import app

    result = CliRunner().invoke(app, args, env={"SOCMOB_CONFIG": os.devnull,
                                                "COLUMNS": "300", **(env or {})})
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and result.stdout == "", result.output
    return lines[0]


@pytest.mark.parametrize(("option", "url", "message"), [
    ("--spark-master", "spark:/127.0.0.1:7077", "bad Spark master URL"),
    ("--spark-master", "mesos://127.0.0.1:5050", "bad Spark master URL"),
    ("--spark-remote", "http://127.0.0.1:15002", "bad Spark Connect URL"),
])
def test_bad_urls(pairs, option, url, message):
    line = _invoke(["income", pairs, "--parent", "p", "--child", "c", option, url])
    assert message in line and url in line and "expected" in line


def test_unreachable_cluster_fails_fast(pairs):
    # the installed command, end to end: no JVM is started, no retries
    port = free_port()  # nobody listens there
    start = time.monotonic()
    line = _one_line_exit_2(_run(["income", pairs, "--parent", "p", "--child", "c",
                                  "--engine", "spark", "--spark-master",
                                  f"spark://127.0.0.1:{port}"]))
    assert time.monotonic() - start < 60
    assert "cannot reach the Spark master" in line and f"127.0.0.1:{port}" in line


def test_unreachable_connect_server_fails_fast(pairs):
    port = free_port()
    start = time.monotonic()
    line = _invoke(["mobility", "describe", pairs, "--microdata", "--origin", "p",
                    "--destination", "c", "--spark-remote", f"sc://127.0.0.1:{port}"])
    assert time.monotonic() - start < 30
    assert "cannot reach the Spark Connect server" in line and f"127.0.0.1:{port}" in line


def test_preflight_reports_each_address_and_times_out():
    port = free_port()
    config = EngineConfig(engine="spark", spark_master=f"spark://127.0.0.1:{port},"
                          f"localhost:{port}", connect_timeout=0.5)
    with pytest.raises(EngineError, match=r"127\.0\.0\.1:\d+: .*; localhost:\d+"):
        preflight(config)
    assert tcp_reachable("127.0.0.1", port, 0.5) is not None
    preflight(EngineConfig(engine="spark", spark_master="local[1]"))  # nothing to check


class _Silent:
    """A TCP server on loopback that accepts connections and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.conns:
            conn.close()


def test_connect_server_that_does_not_answer_is_bounded():
    try:
        import pyspark.sql.connect.session  # noqa: F401
    except Exception as exc:
        pytest.skip(f"no Spark Connect client: {str(exc).splitlines()[0]}")
    server = _Silent()
    try:
        start = time.monotonic()
        with pytest.raises(EngineError, match="did not accept the session"):
            connect(EngineConfig(engine="spark", spark_remote=f"sc://127.0.0.1:{server.port}",
                                 connect_timeout=1))
        assert time.monotonic() - start < 60
    finally:
        server.close()


def test_duckdb_refuses_cluster_storage_and_missing_tables(tmp_path):
    from socmob.engine.readers import read_catalog_table, read_microdata

    con = connect("duckdb")
    with pytest.raises(InputError, match="reads files on this machine only"):
        read_microdata("hdfs://namenode:8020/data/pairs.parquet", con=con)
    db = tmp_path / "local.duckdb"
    con = connect(EngineConfig(duckdb_database=str(db)))
    con.raw_sql("CREATE TABLE pairs AS SELECT 1.0 AS p, 2.0 AS c")
    assert read_catalog_table("pairs", con=con).table.count().execute() == 1
    assert read_catalog_table("main.PAIRS", con=con).source == "main.PAIRS"
    with pytest.raises(NotFoundError, match=r"no table 'pair'.*did you mean 'pairs'"):
        read_catalog_table("pair", con=con)
    with pytest.raises(InputError, match="bad table name"):
        read_catalog_table("a..b", con=con)


def test_cli_table_on_duckdb_and_a_missing_one(tmp_path):
    from typer.testing import CliRunner

    from socmob.cli import app

    db = tmp_path / "local.duckdb"
    con = connect(EngineConfig(duckdb_database=str(db)))
    con.raw_sql("CREATE TABLE pairs AS SELECT i::DOUBLE AS p, ((i * 7) % 20)::DOUBLE AS c "
                "FROM range(1, 21) AS t(i)")
    con.disconnect()
    env = {"SOCMOB_DUCKDB_DATABASE": str(db)}
    base = ["income", "--parent", "p", "--child", "c", "--format", "json"]
    ok = CliRunner().invoke(app, [*base, "--table", "pairs"],
                            env={**env, "SOCMOB_CONFIG": os.devnull})
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["nobs"] == 20
    line = _invoke([*base, "--table", "main.pears"], env)
    assert "no table 'pears'" in line and "did you mean 'pairs'" in line
    assert "give either a data FILE or --table" in _invoke(base, env)


def test_terminate_stops_a_whole_process_group():
    psutil = pytest.importorskip("psutil")
    proc = subprocess.Popen([sys.executable, "-c",
                             "import subprocess, sys, time; "
                             "subprocess.Popen([sys.executable, '-c', "
                             "'import time; time.sleep(60)']); time.sleep(60)"],
                            start_new_session=True)
    deadline = time.monotonic() + 30
    children: list = []
    while not children and time.monotonic() < deadline:
        children = psutil.Process(proc.pid).children()
        time.sleep(0.1)
    assert children
    _terminate(proc, grace=5)
    assert proc.poll() is not None
    # the grandchild got the group's signal too: gone (or a zombie) within seconds
    _, alive = psutil.wait_procs(children, timeout=10)
    for child in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            assert child.status() == psutil.STATUS_ZOMBIE
