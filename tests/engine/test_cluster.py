"""The command line on a real Spark cluster on loopback (a standalone master and worker
started for the session, and a Spark Connect server on it): the same JSON as DuckDB, to
1e-9, from files read by Spark itself and from a table of the cluster's catalogue."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from tests.engine._compare import assert_same_json

pytestmark = pytest.mark.spark

SOCMOB = [str(Path(sys.executable).with_name("socmob"))]
CLI_TIMEOUT_S = 300


def _frame(n: int = 2500, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    z1 = rng.standard_normal(n)
    z2 = 0.4 * z1 + math.sqrt(1 - 0.4**2) * rng.standard_normal(n)
    child = np.round(np.exp(10.1 + 0.7 * z2), -2)
    child[rng.random(n) < 0.05] = 0.0
    origin = rng.integers(1, 6, n)
    return pd.DataFrame({
        "parent": np.round(np.exp(10 + 0.6 * z1), -2),
        "child": child,
        "w": rng.choice([0.5, 1.0, 2.5], size=n),
        "area": rng.choice(["E", "N", "S", "W"], size=n),
        "fsm": (rng.random(n) < 0.3).astype("int64"),
        "origin": origin,
        "destination": np.clip(origin + rng.integers(-2, 3, n), 1, 5),
        "cohort": rng.choice(["1950s", "1970s"], size=n),
    })


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cluster-data")
    frame = _frame()
    frame.to_parquet(folder / "pairs.parquet", index=False)
    frame.to_csv(folder / "pairs.csv", index=False)
    return folder


def _run(args: list[str], *, timeout: float = CLI_TIMEOUT_S) -> subprocess.CompletedProcess:
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "COLUMNS": "200",
           "SOCMOB_CONFIG": os.devnull}
    env.pop("SOCMOB_ENGINE", None)
    return subprocess.run([*SOCMOB, *args], capture_output=True, text=True, timeout=timeout,
                          env=env, stdin=subprocess.DEVNULL)


def _json(result: subprocess.CompletedProcess) -> Any:
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


INCOME = ["--parent", "parent", "--child", "child", "--weight", "w", "--by", "area",
          "--no-progress", "--format", "json"]


def _invoke(args: list[str]) -> Any:
    """The command run in this process (Typer's runner): its JSON output."""
    from typer.testing import CliRunner

    from socmob.cli import app

    result = CliRunner().invoke(app, args, env={"SOCMOB_CONFIG": os.devnull,
                                                "SOCMOB_ENGINE": None})
    assert result.exit_code == 0, result.output[-2000:]
    return json.loads(result.stdout)


def test_income_on_the_standalone_cluster_prints_the_duckdb_json(spark_cluster, data_dir):
    # the installed command, in a process of its own: a driver of its own on the cluster
    parquet = str(data_dir / "pairs.parquet")
    duck = _json(_run(["income", parquet, *INCOME, "--engine", "duckdb"]))
    spark = _json(_run(["income", parquet, *INCOME, "--engine", "spark",
                        "--spark-master", spark_cluster.master_url]))
    assert set(duck["groups"]) == {"E", "N", "S", "W"}
    assert_same_json(duck, spark)


def test_commands_over_spark_connect_print_the_duckdb_json(spark_connect_con, spark_remote,
                                                          data_dir):
    # in this process: the Connect session of the fixture is reused by the commands
    csv = str(data_dir / "pairs.csv")
    for command in (
        ["income", csv, *INCOME, "--bootstrap", "10", "--seed", "3"],
        ["income-areas", csv, "--area", "area", "--outcome", "child",
         "--disadvantaged", "fsm", "--weight", "w", "--format", "json"],
        ["mobility", "describe", csv, "--microdata", "--weight", "w", "--layer", "cohort",
         "--square", "--format", "json"],
    ):
        assert_same_json(_invoke(command), _invoke([*command, "--spark-remote", spark_remote]))


def test_catalogue_table_over_spark_connect(spark_connect_con, spark_remote, data_dir):
    session = spark_connect_con._session
    session.read.parquet(str(data_dir / "pairs.parquet")).write.mode("overwrite") \
        .saveAsTable("default.socmob_pairs")
    duck = _invoke(["income", str(data_dir / "pairs.parquet"), *INCOME])
    spark = _invoke(["income", "--table", "default.socmob_pairs", *INCOME,
                     "--spark-remote", spark_remote])
    assert_same_json(duck, spark)

    # a missing table: one line, exit 2, at once (the installed command)
    start = time.monotonic()
    missing = _run(["income", "--table", "default.socmob_pair", *INCOME,
                    "--spark-remote", spark_remote])
    assert missing.returncode == 2
    lines = missing.stderr.strip().splitlines()
    assert len(lines) == 1, missing.stderr
    assert "no table 'socmob_pair'" in lines[0] and "did you mean 'socmob_pairs'" in lines[0]
    assert time.monotonic() - start < 120
    from socmob.engine.readers import read_catalog_table
    from socmob.errors import NotFoundError

    with pytest.raises(NotFoundError, match="no database 'nodb'"):
        read_catalog_table("nodb.pairs", con=spark_connect_con)


def test_cluster_daemons_bound_to_loopback_only(spark_cluster):
    psutil = pytest.importorskip("psutil")
    pids = set(spark_cluster.pids)
    listening = [c for c in psutil.net_connections(kind="tcp")
                 if c.status == psutil.CONN_LISTEN and c.pid in pids]
    assert listening, "the daemons listen somewhere"
    for conn in listening:
        assert conn.laddr.ip in {"127.0.0.1", "::ffff:127.0.0.1"}, conn
