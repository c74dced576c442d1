"""Engine configuration: command line > environment > file > defaults, merged Spark
settings, URLs checked before anything starts, loopback only where Spark runs here."""

from __future__ import annotations

import pytest

from socmob.engine.config import (
    DEFAULT_LOCAL_MASTER,
    EngineConfig,
    default_config_path,
    load_engine_config,
    remote_host,
    spark_hosts,
)
from socmob.errors import InputError

FILE = """
engine = "spark"

[duckdb]
threads = 3
memory_limit = "1GB"

[spark]
master = "spark://head.example.org:7077"
executor_memory = "8g"
shuffle_partitions = 400

[spark.conf]
"spark.sql.adaptive.enabled" = true
"spark.hadoop.fs.s3a.endpoint" = "https://s3.example.org"
"""


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(FILE)
    return path


def test_defaults_without_any_source(tmp_path):
    cfg = load_engine_config({}, env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert cfg == EngineConfig()
    assert cfg.engine == "duckdb" and cfg.master == DEFAULT_LOCAL_MASTER and cfg.spark_local


def test_file_then_environment_then_command_line(config_file):
    from_file = load_engine_config({}, config_file=config_file, env={})
    assert from_file.engine == "spark"
    assert from_file.spark_master == "spark://head.example.org:7077"
    assert (from_file.duckdb_threads, from_file.duckdb_memory_limit) == (3, "1GB")
    assert from_file.spark_executor_memory == "8g"
    assert from_file.spark_shuffle_partitions == 400
    assert from_file.spark_conf == {"spark.sql.adaptive.enabled": "true",
                                    "spark.hadoop.fs.s3a.endpoint": "https://s3.example.org"}

    env = {"SOCMOB_SPARK_MASTER": "spark://other:7077", "SOCMOB_DUCKDB_THREADS": "5",
           "SOCMOB_SPARK_CONF": "spark.sql.adaptive.enabled=false; spark.a=1"}
    from_env = load_engine_config({}, config_file=config_file, env=env)
    assert from_env.spark_master == "spark://other:7077"
    assert from_env.duckdb_threads == 5
    assert from_env.duckdb_memory_limit == "1GB"  # not in the environment: the file's
    assert from_env.spark_conf["spark.sql.adaptive.enabled"] == "false"
    assert from_env.spark_conf["spark.a"] == "1"
    assert from_env.spark_conf["spark.hadoop.fs.s3a.endpoint"] == "https://s3.example.org"
    assert from_env.source["spark_master"] == "SOCMOB_SPARK_MASTER"

    from_cli = load_engine_config({"spark_master": "local[2]", "duckdb_memory_limit": "2GB"},
                                  spark_conf=["spark.a=2", "spark.b=x=y"],
                                  config_file=config_file, env=env)
    assert from_cli.spark_master == "local[2]" and from_cli.spark_local
    assert from_cli.duckdb_memory_limit == "2GB"
    assert from_cli.spark_conf["spark.a"] == "2" and from_cli.spark_conf["spark.b"] == "x=y"
    assert from_cli.source["spark_master"] == "--spark-master"


def test_config_file_from_environment_and_default_location(tmp_path, config_file):
    assert load_engine_config({}, env={"SOCMOB_CONFIG": str(config_file)}).engine == "spark"
    default = default_config_path({"XDG_CONFIG_HOME": str(tmp_path / "xdg")})
    assert default == tmp_path / "xdg" / "socmob" / "config.toml"
    default.parent.mkdir(parents=True)
    default.write_text('engine = "spark"\n[spark]\nremote = "sc://h"\n')
    cfg = load_engine_config({}, env={"XDG_CONFIG_HOME": str(tmp_path / "xdg")})
    assert (cfg.engine, cfg.spark_remote, cfg.master) == ("spark", "sc://h", None)


def test_where_spark_runs_is_one_choice(config_file):
    # the file names a master, the command line a Connect server: the server alone
    cfg = load_engine_config({"spark_remote": "sc://127.0.0.1:15002"},
                             config_file=config_file, env={})
    assert cfg.spark_remote == "sc://127.0.0.1:15002" and cfg.spark_master is None
    # ... but naming both in one place is an error
    with pytest.raises(InputError, match="both given"):
        load_engine_config({"spark_master": "local[1]", "spark_remote": "sc://h"}, env={})


def test_spark_options_on_the_command_line_choose_spark(tmp_path):
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    assert load_engine_config({"spark_master": "local[1]"}, env=env).engine == "spark"
    # in the environment they are settings, not a choice of engine
    assert load_engine_config({}, env={**env, "SOCMOB_SPARK_MASTER": "local[1]"}).engine \
        == "duckdb"
    with pytest.raises(InputError, match="apply to the spark engine"):
        load_engine_config({"engine": "duckdb", "spark_master": "local[1]"}, env=env)


@pytest.mark.parametrize("master", ["local", "local[4]", "local[*]", "local[2,3]", "yarn",
                                    "spark://127.0.0.1:7077", "spark://a:7077,b:7078",
                                    "k8s://https://10.0.0.1:6443", "k8s://api.example:443"])
def test_master_urls_accepted(master):
    assert EngineConfig(engine="spark", spark_master=master).master == master


@pytest.mark.parametrize("master", ["nonsense", "spark://", "spark://host", "local[0]",
                                    "spark://host:99999", "mesos://h:5050", "local[x]"])
def test_bad_master_urls_refused_with_the_forms(master):
    with pytest.raises(InputError, match="bad Spark master URL") as err:
        load_engine_config({"spark_master": master}, env={})
    assert "spark://HOST:PORT" in str(err.value) and "--spark-master" in str(err.value)


def test_urls_parsed():
    assert spark_hosts("spark://a:1,[::1]:2") == [("a", 1), ("::1", 2)]
    assert remote_host("sc://h") == ("h", 15002)
    assert remote_host("sc://127.0.0.1:9/;user_id=x") == ("127.0.0.1", 9)
    with pytest.raises(InputError, match="bad Spark Connect URL"):
        EngineConfig(engine="spark", spark_remote="http://h:1")


def test_file_errors_name_the_file_and_the_setting(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[spark]\nmastr = 'local[1]'\n")
    with pytest.raises(InputError, match=r"unknown setting 'spark\.mastr'; did you "
                       r"mean 'spark\.master'") as err:
        load_engine_config({}, config_file=bad, env={})
    assert err.value.file == str(bad)
    bad.write_text("[spark\n")
    with pytest.raises(InputError, match="not valid TOML"):
        load_engine_config({}, config_file=bad, env={})
    bad.write_text("[duckdb]\nthreads = 'many'\n")
    with pytest.raises(InputError, match=r"duckdb threads 'many'.*positive whole number"):
        load_engine_config({}, config_file=bad, env={})
    with pytest.raises(InputError, match="configuration file not found"):
        load_engine_config({}, config_file=tmp_path / "missing.toml", env={})


def test_environment_and_option_errors_name_their_source(tmp_path):
    env = {"XDG_CONFIG_HOME": str(tmp_path), "SOCMOB_SPARK_EXECUTOR_CORES": "0"}
    with pytest.raises(InputError, match="spark executor cores 0"):
        load_engine_config({}, env=env)
    with pytest.raises(InputError, match="from SOCMOB_DUCKDB_THREADS"):
        load_engine_config({}, env={"SOCMOB_DUCKDB_THREADS": "two"})
    with pytest.raises(InputError, match="KEY=VALUE"):
        load_engine_config({}, spark_conf=["spark.executor.memory"], env={})
    with pytest.raises(InputError, match=r"starting with 'spark\.'"):
        load_engine_config({}, spark_conf=["executor.memory=1g"], env={})


def test_connect_clients_cannot_size_executors():
    with pytest.raises(InputError, match="Connect server's own configuration"):
        EngineConfig(engine="spark", spark_remote="sc://h", spark_executor_memory="8g")


def test_spark_settings_loopback_and_ui_only_where_spark_runs_here():
    from socmob.engine._connection import _loopback_only

    local = EngineConfig(engine="spark")
    assert _loopback_only(local)
    assert local.spark_settings()["spark.sql.shuffle.partitions"] == "4"
    assert local.spark_settings()["spark.ui.enabled"] == "false"
    assert _loopback_only(EngineConfig(engine="spark", spark_master="spark://127.0.0.1:7077"))
    assert _loopback_only(EngineConfig(engine="spark", spark_master="spark://localhost:1"))
    cluster = EngineConfig(engine="spark", spark_master="spark://10.1.2.3:7077",
                           spark_shuffle_partitions=800, spark_executor_memory="8g",
                           spark_conf={"spark.executor.cores": "4"})
    assert not _loopback_only(cluster)
    settings = cluster.spark_settings()
    assert "spark.driver.host" not in settings and "spark.driver.bindAddress" not in settings
    assert settings["spark.sql.shuffle.partitions"] == "800"
    assert (settings["spark.executor.memory"], settings["spark.executor.cores"]) == ("8g", "4")
    assert not _loopback_only(EngineConfig(engine="spark", spark_master="yarn"))
    remote = EngineConfig(engine="spark", spark_remote="sc://127.0.0.1:1").spark_settings()
    assert "spark.ui.enabled" not in remote  # a static setting: the server's own
