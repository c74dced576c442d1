"""Engine configuration in one place: which engine, where it runs, and its resources.

An :class:`EngineConfig` says everything :func:`socmob.engine.connect` needs to open a
connection: embedded DuckDB (the default: threads, memory limit, temporary directory,
database file) or Spark — a master URL (``local[N]``, ``spark://HOST:PORT``, ``yarn``,
``k8s://https://HOST:PORT``) or a Spark Connect server (``sc://HOST:PORT``) — with the
executors' memory and cores, the shuffle partitions and any other ``spark.*`` setting.

It is read from four places, the first that sets a value winning:

1. command-line options (``--engine``, ``--spark-master``, ``--spark-remote``,
   ``--spark-conf KEY=VALUE``, ``--memory-limit``, ``--config FILE``);
2. environment variables (``SOCMOB_ENGINE``, ``SOCMOB_SPARK_MASTER``, … — see
   :data:`FIELDS`);
3. a TOML file: ``--config FILE``, else ``$SOCMOB_CONFIG``, else
   ``$XDG_CONFIG_HOME/socmob/config.toml`` (``~/.config/socmob/config.toml``) if it
   exists;
4. the defaults below.

``spark.*`` settings (``--spark-conf``, ``SOCMOB_SPARK_CONF``, the file's ``[spark.conf]``
table) merge key by key in the same order. Where Spark runs is one choice: a master URL
and a Connect URL never come from different places (the higher place that names either
decides). ``--spark-master`` or ``--spark-remote`` on the command line choose the spark
engine unless ``--engine`` says otherwise.

Example file::

    engine = "spark"

    [duckdb]
    threads = 2
    memory_limit = "3GB"
    temp_directory = "/scratch/socmob"

    [spark]
    master = "spark://head.example.org:7077"
    executor_memory = "8g"
    executor_cores = 4
    shuffle_partitions = 400
    connect_timeout = 5        # seconds: pre-flight check of the master / server
    executor_timeout = 120     # seconds: wait for the first executor

    [spark.conf]
    "spark.hadoop.fs.s3a.endpoint" = "https://s3.example.org"

Nothing here opens a connection; :mod:`socmob.engine._connection` does, from this object.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from socmob.errors import InputError

ENGINES: tuple[str, ...] = ("duckdb", "spark")

DEFAULT_LOCAL_MASTER = "local[*]"
"""Spark's master when none is given: every core of this machine, bound to loopback."""

DEFAULT_CONNECT_PORT = 15002
"""Spark Connect's port when an ``sc://`` URL names none."""


@dataclass(frozen=True)
class EngineConfig:
    """Where microdata is aggregated, and with what resources.

    Attributes
    ----------
    engine:
        ``"duckdb"`` (embedded, the default) or ``"spark"``.
    duckdb_database:
        DuckDB database file (``None``: in memory; ``"user"``: the user's data directory).
        Tables named with ``--table`` are looked up here.
    duckdb_threads, duckdb_memory_limit, duckdb_temp_directory:
        DuckDB's ``threads``, ``memory_limit`` (e.g. ``"3GB"``: larger aggregations spill
        to disk) and ``temp_directory`` (where it spills).
    spark_master:
        Spark master URL: ``local[N]``, ``local[*]``, ``spark://HOST:PORT[,HOST:PORT…]``,
        ``yarn`` or ``k8s://https://HOST:PORT``. ``None`` with no ``spark_remote``:
        :data:`DEFAULT_LOCAL_MASTER`.
    spark_remote:
        Spark Connect URL, ``sc://HOST[:PORT][/;param=value…]`` (instead of a master).
    spark_executor_memory, spark_executor_cores, spark_driver_memory:
        ``spark.executor.memory`` (e.g. ``"8g"``), ``spark.executor.cores``,
        ``spark.driver.memory``. Executor settings belong to the server's configuration
        with Spark Connect and are refused there.
    spark_shuffle_partitions:
        ``spark.sql.shuffle.partitions`` (default: 4 in local mode, Spark's own
        default — 200, coalesced by adaptive execution — on a cluster).
    spark_conf:
        Any other Spark settings, ``{"spark.key": "value"}``.
    connect_timeout:
        Seconds allowed for the pre-flight TCP check of the master or Connect server.
    executor_timeout:
        Seconds to wait for the first executor of a cluster before giving up (not with
        dynamic allocation, where executors come when work is queued).
    source:
        Where each setting came from (``{"spark_master": "--spark-master"}``), for
        messages.
    """

    engine: str = "duckdb"
    duckdb_database: str | None = None
    duckdb_threads: int | None = None
    duckdb_memory_limit: str | None = None
    duckdb_temp_directory: str | None = None
    spark_master: str | None = None
    spark_remote: str | None = None
    spark_executor_memory: str | None = None
    spark_executor_cores: int | None = None
    spark_driver_memory: str | None = None
    spark_shuffle_partitions: int | None = None
    spark_conf: Mapping[str, str] = field(default_factory=dict)
    connect_timeout: float = 5.0
    executor_timeout: float = 120.0
    source: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise InputError(f"unknown engine {self.engine!r}{self._from('engine')}",
                             expected="one of " + ", ".join(ENGINES))
        if self.spark_master is not None and self.spark_remote is not None:
            raise InputError("a Spark master URL and a Spark Connect URL were both given"
                             f"{self._from('spark_master')}",
                             expected="either --spark-master or --spark-remote")
        if self.spark_master is not None:
            check_master_url(self.spark_master, where=self._from("spark_master"))
        if self.spark_remote is not None:
            check_remote_url(self.spark_remote, where=self._from("spark_remote"))
        for name in ("duckdb_threads", "spark_executor_cores", "spark_shuffle_partitions"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise InputError(f"{name.replace('_', ' ')} {value}{self._from(name)}",
                                 expected="a positive whole number")
        for name in ("connect_timeout", "executor_timeout"):
            if not getattr(self, name) > 0:
                raise InputError(f"{name.replace('_', ' ')} {getattr(self, name)}"
                                 f"{self._from(name)}", expected="a positive number of seconds")
        for key in self.spark_conf:
            if not key.startswith("spark."):
                raise InputError(f"Spark setting {key!r}{self._from('spark_conf')}",
                                 expected="a key starting with 'spark.'")
        if self.spark_remote is not None:
            static = [n for n in ("spark_executor_memory", "spark_executor_cores",
                                  "spark_driver_memory") if getattr(self, n) is not None]
            if static:
                raise InputError(
                    f"{static[0].replace('_', ' ')} cannot be set by a Spark Connect client"
                    f"{self._from(static[0])}",
                    expected="executor and driver resources in the Connect server's own "
                    "configuration")

    def _from(self, name: str) -> str:
        where = self.source.get(name)
        return f" (from {where})" if where else ""

    @property
    def spark_local(self) -> bool:
        """Whether Spark runs in this process (a ``local`` master, or none given)."""
        return self.spark_remote is None and is_local_master(self.master)

    @property
    def master(self) -> str | None:
        """The master URL Spark will use (``None`` with Spark Connect)."""
        if self.spark_remote is not None:
            return None
        return self.spark_master or DEFAULT_LOCAL_MASTER

    def spark_settings(self) -> dict[str, str]:
        """The ``spark.*`` settings passed to the session builder: socmob's defaults,
        then the named settings, then :attr:`spark_conf` (which wins)."""
        out: dict[str, str] = {
            "spark.sql.session.timeZone": "UTC",
            # Ibis's PySpark backend relies on the non-ANSI semantics of Spark < 4
            "spark.sql.ansi.enabled": "false",
        }
        if self.spark_remote is None:
            # a progress bar on stderr would interleave with messages; the driver's web
            # UI would open a port nobody asked for
            out["spark.ui.showConsoleProgress"] = "false"
            out["spark.ui.enabled"] = "false"
        if self.spark_local:
            out["spark.sql.shuffle.partitions"] = "4"
        named = {
            "spark.executor.memory": self.spark_executor_memory,
            "spark.executor.cores": self.spark_executor_cores,
            "spark.driver.memory": self.spark_driver_memory,
            "spark.sql.shuffle.partitions": self.spark_shuffle_partitions,
        }
        out.update({k: str(v) for k, v in named.items() if v is not None})
        out.update({k: str(v) for k, v in self.spark_conf.items()})
        return out

    def describe(self) -> str:
        """Where the engine runs, in a few words (for messages)."""
        if self.engine == "duckdb":
            return "duckdb (embedded)"
        return f"spark ({self.spark_remote or self.master})"

    def with_overrides(self, **changes: Any) -> EngineConfig:
        """A copy with some settings changed (validated again)."""
        return replace(self, **changes)


# --- URL checks --------------------------------------------------------------------------

_LOCAL = re.compile(r"^local(\[(\*|[1-9]\d*)(,\s*[1-9]\d*)?\])?$")
_HOSTPORT = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$")
_MASTER_FORMS = ("local[N], local[*], spark://HOST:PORT, yarn or k8s://https://HOST:PORT")


def is_local_master(master: str | None) -> bool:
    """Whether ``master`` runs Spark inside this process (``local``, ``local[N]``…)."""
    return master is None or bool(_LOCAL.match(master.strip()))


def spark_hosts(master: str) -> list[tuple[str, int]]:
    """The ``(host, port)`` pairs of a ``spark://`` master URL (several for a standby
    master: ``spark://h1:7077,h2:7077``)."""
    out = []
    for part in master.removeprefix("spark://").split(","):
        m = _HOSTPORT.match(part.strip())
        if m is None:
            raise InputError(f"bad Spark master URL {master!r}",
                             expected="spark://HOST:PORT[,HOST:PORT…]")
        out.append((m.group(1).strip("[]"), int(m.group(2))))
    return out


def check_master_url(master: str, *, where: str = "") -> None:
    """Refuse a master URL Spark would not understand, before a JVM is started."""
    text = master.strip()
    if _LOCAL.match(text) or text == "yarn":
        return
    if text.startswith("spark://"):
        try:
            hosts = spark_hosts(text)
        except InputError:
            hosts = []
        if hosts and all(0 < port < 65536 for _, port in hosts):
            return
    elif text.startswith("k8s://"):
        rest = text.removeprefix("k8s://")
        if re.match(r"^(https?://)?[A-Za-z0-9_.\-\[\]:]+(:\d{1,5})?/?$", rest):
            return
    raise InputError(f"bad Spark master URL {master!r}{where}", expected=_MASTER_FORMS)


def remote_host(remote: str) -> tuple[str, int]:
    """``(host, port)`` of a Spark Connect URL ``sc://HOST[:PORT][/;params]``."""
    rest = remote.strip().removeprefix("sc://")
    hostport = rest.split("/", 1)[0].split(";", 1)[0]
    m = re.match(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+)(?::(\d{1,5}))?$", hostport)
    if not remote.strip().startswith("sc://") or m is None:
        raise InputError(f"bad Spark Connect URL {remote!r}",
                         expected="sc://HOST[:PORT][/;param=value…]")
    return m.group(1).strip("[]"), int(m.group(2) or DEFAULT_CONNECT_PORT)


def check_remote_url(remote: str, *, where: str = "") -> None:
    """Refuse a Spark Connect URL that is not ``sc://HOST[:PORT]…``."""
    try:
        _, port = remote_host(remote)
    except InputError as exc:
        raise InputError(f"{exc.message}{where}", expected=exc.expected) from exc
    if not 0 < port < 65536:
        raise InputError(f"bad Spark Connect URL {remote!r}{where}",
                         expected="a port between 1 and 65535")


# --- reading the settings -----------------------------------------------------------------


def _positive_int(text: Any) -> int:
    if isinstance(text, bool):
        raise ValueError(text)
    if isinstance(text, int):
        return text
    value = float(str(text).strip())
    if not value.is_integer():
        raise ValueError(text)
    return int(value)


def _seconds(text: Any) -> float:
    if isinstance(text, bool):
        raise ValueError(text)
    return float(str(text).strip().removesuffix("s"))


def _text(text: Any) -> str:
    if not isinstance(text, (str, int, float)) or isinstance(text, bool):
        raise ValueError(text)
    return str(text).strip()


@dataclass(frozen=True)
class Field:
    """One setting: its attribute, where it lives in the TOML file, its environment
    variable, its command-line option (if any) and how its text is read."""

    name: str
    toml: tuple[str, ...]
    env: str
    option: str | None
    parse: Callable[[Any], Any]
    expected: str


FIELDS: tuple[Field, ...] = (
    Field("engine", ("engine",), "SOCMOB_ENGINE", "--engine", _text, "duckdb or spark"),
    Field("duckdb_database", ("duckdb", "database"), "SOCMOB_DUCKDB_DATABASE", None, _text,
          "a DuckDB database file"),
    Field("duckdb_threads", ("duckdb", "threads"), "SOCMOB_DUCKDB_THREADS", None,
          _positive_int, "a positive whole number"),
    Field("duckdb_memory_limit", ("duckdb", "memory_limit"), "SOCMOB_DUCKDB_MEMORY_LIMIT",
          "--memory-limit", _text, "a size such as 3GB"),
    Field("duckdb_temp_directory", ("duckdb", "temp_directory"),
          "SOCMOB_DUCKDB_TEMP_DIRECTORY", None, _text, "a directory"),
    Field("spark_master", ("spark", "master"), "SOCMOB_SPARK_MASTER", "--spark-master", _text,
          _MASTER_FORMS),
    Field("spark_remote", ("spark", "remote"), "SOCMOB_SPARK_REMOTE", "--spark-remote", _text,
          "sc://HOST[:PORT]"),
    Field("spark_executor_memory", ("spark", "executor_memory"),
          "SOCMOB_SPARK_EXECUTOR_MEMORY", None, _text,
          "a size such as 8g"),
    Field("spark_executor_cores", ("spark", "executor_cores"), "SOCMOB_SPARK_EXECUTOR_CORES",
          None, _positive_int, "a positive whole number"),
    Field("spark_driver_memory", ("spark", "driver_memory"), "SOCMOB_SPARK_DRIVER_MEMORY",
          None, _text, "a size such as 4g"),
    Field("spark_shuffle_partitions", ("spark", "shuffle_partitions"),
          "SOCMOB_SPARK_SHUFFLE_PARTITIONS", None, _positive_int,
          "a positive whole number"),
    Field("connect_timeout", ("spark", "connect_timeout"), "SOCMOB_SPARK_CONNECT_TIMEOUT",
          None, _seconds, "seconds"),
    Field("executor_timeout", ("spark", "executor_timeout"), "SOCMOB_SPARK_EXECUTOR_TIMEOUT",
          None, _seconds, "seconds"),
)
"""Every setting with its file key, environment variable and command-line option."""

SPARK_CONF_ENV = "SOCMOB_SPARK_CONF"
"""Extra Spark settings from the environment: ``key=value`` pairs separated by ``;`` or
new lines."""

CONFIG_ENV = "SOCMOB_CONFIG"
"""Path of the configuration file (instead of the default location)."""


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/socmob/config.toml`` (``~/.config/socmob/config.toml``)."""
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "socmob" / "config.toml"


def parse_conf_pairs(items: list[str] | tuple[str, ...], *, where: str) -> dict[str, str]:
    """``["spark.a=1", "spark.b=x=y"]`` → ``{"spark.a": "1", "spark.b": "x=y"}``."""
    out: dict[str, str] = {}
    for item in items:
        text = item.strip()
        if not text:
            continue
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            raise InputError(f"Spark setting {item!r} (from {where})",
                             expected="KEY=VALUE, e.g. spark.executor.memory=8g")
        out[key.strip()] = value.strip()
    return out


def _read_file(path: Path, *, explicit: bool) -> dict[str, Any]:
    if not path.exists():
        if explicit:
            raise InputError("configuration file not found", file=str(path),
                             expected="an existing TOML file")
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=str(path),
                         expected="a TOML configuration file (see docs/scaling.md)") from exc
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from exc


_KNOWN_KEYS = {"engine", "duckdb", "spark"}


def _file_values(data: Mapping[str, Any], path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    unknown = [k for k in data if k not in _KNOWN_KEYS]
    known = {f.toml for f in FIELDS} | {("spark", "conf")}
    for section in ("duckdb", "spark"):
        table = data.get(section, {})
        if not isinstance(table, Mapping):
            raise InputError(f"[{section}] is not a table", file=str(path),
                             expected=f"a [{section}] table of settings")
        unknown += [f"{section}.{k}" for k in table if (section, k) not in known]
    if unknown:
        from socmob._text import did_you_mean

        names = [*sorted(".".join(f.toml) for f in FIELDS), "spark.conf"]
        raise InputError(f"unknown setting {unknown[0]!r}{did_you_mean(unknown[0], names)}",
                         file=str(path), expected="one of " + ", ".join(names))
    for f in FIELDS:
        node: Any = data
        for key in f.toml:
            node = node.get(key) if isinstance(node, Mapping) else None
        if node is not None:
            values[f.name] = _parse(f, node, where=f"{path}: {'.'.join(f.toml)}")
    conf = data.get("spark", {}).get("conf", {})
    if not isinstance(conf, Mapping):
        raise InputError("[spark.conf] is not a table", file=str(path),
                         expected='a table of "spark.key" = "value" settings')
    spark_conf = {str(k): _conf_value(v, path) for k, v in conf.items()}
    return values, spark_conf


def _conf_value(value: Any, path: Path) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise InputError(f"Spark setting value {value!r}", file=str(path),
                     expected="text, a number or true/false")


def _parse(f: Field, raw: Any, *, where: str) -> Any:
    try:
        return f.parse(raw)
    except (TypeError, ValueError):
        raise InputError(f"{f.name.replace('_', ' ')} {raw!r} (from {where})",
                         expected=f.expected) from None


_CLIENT_STATIC = ("spark_executor_memory", "spark_executor_cores", "spark_driver_memory")


def load_engine_config(
    options: Mapping[str, Any] | None = None,
    *,
    spark_conf: list[str] | tuple[str, ...] = (),
    config_file: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> EngineConfig:
    """Resolve the engine configuration: command line > environment > file > defaults.

    Parameters
    ----------
    options:
        Values given on the command line, by attribute name (``{"spark_master": …}``);
        ``None`` values count as not given.
    spark_conf:
        ``KEY=VALUE`` items from ``--spark-conf`` (repeatable).
    config_file:
        ``--config FILE`` (must exist); default ``$SOCMOB_CONFIG``, else
        :func:`default_config_path` if it exists.
    env:
        The environment (default: ``os.environ``).
    """
    env = os.environ if env is None else env
    given = {k: v for k, v in (options or {}).items() if v is not None}
    unknown = set(given) - {f.name for f in FIELDS}
    if unknown:
        raise TypeError(f"unknown engine settings: {sorted(unknown)}")
    by_name = {f.name: f for f in FIELDS}
    if config_file is not None:
        path, explicit = Path(config_file), True
    elif env.get(CONFIG_ENV):
        path, explicit = Path(env[CONFIG_ENV]), True
    else:
        path, explicit = default_config_path(env), False
    file_values, file_conf = _file_values(_read_file(path, explicit=explicit), path)
    env_values: dict[str, Any] = {}
    for f in FIELDS:
        raw = env.get(f.env)
        if raw is not None and raw.strip():
            env_values[f.name] = _parse(f, raw, where=f.env)
    env_conf = parse_conf_pairs(re.split(r"[;\n]", env.get(SPARK_CONF_ENV, "")),
                                where=SPARK_CONF_ENV)
    cli_values = {k: _parse(by_name[k], v, where=by_name[k].option or k)
                  for k, v in given.items()}
    cli_conf = parse_conf_pairs(list(spark_conf), where="--spark-conf")

    layers = [(cli_values, "command line"), (env_values, "environment"),
              (file_values, str(path))]
    chosen: dict[str, Any] = {}
    source: dict[str, str] = {}
    for f in FIELDS:
        if f.name in ("spark_master", "spark_remote"):
            continue
        for values, label in layers:
            if f.name in values:
                chosen[f.name] = values[f.name]
                source[f.name] = (f.option if label == "command line" and f.option
                                  else f.env if label == "environment" else label)
                break
    # where Spark runs is one choice: the highest place naming a master or a server wins
    level = {f.name: i for i, (values, _) in reversed(list(enumerate(layers)))
             for f in FIELDS if f.name in values}
    for i, (values, label) in enumerate(layers):
        target: dict[str, Any] = {k: values[k] for k in ("spark_master", "spark_remote")
                                  if k in values}
        if target:
            chosen.update(target)
            for k in target:
                source[k] = (by_name[k].option or k) if label == "command line" else (
                    by_name[k].env if label == "environment" else label)
            if "spark_remote" in target:
                # executor and driver sizes from a lower place went with its master
                for k in _CLIENT_STATIC:
                    if k in chosen and level[k] > i:
                        del chosen[k], source[k]
            break
    if "engine" not in cli_values and any(k in cli_values for k in ("spark_master",
                                                                     "spark_remote")):
        chosen["engine"], source["engine"] = "spark", "--spark-master/--spark-remote"
    merged_conf = {**file_conf, **env_conf, **cli_conf}
    if merged_conf:
        chosen["spark_conf"] = merged_conf
        source["spark_conf"] = ("--spark-conf" if cli_conf else SPARK_CONF_ENV if env_conf
                                else str(path))
    if chosen.get("engine") == "duckdb" and any(k in cli_values for k in (
            "spark_master", "spark_remote")):
        raise InputError("--spark-master and --spark-remote apply to the spark engine",
                         expected="--engine spark (or no --engine)")
    return EngineConfig(**chosen, source=source)


def config_fields() -> list[str]:
    """The attribute names of :class:`EngineConfig` that hold settings."""
    return [f.name for f in fields(EngineConfig) if f.name != "source"]


__all__ = [
    "CONFIG_ENV",
    "DEFAULT_CONNECT_PORT",
    "DEFAULT_LOCAL_MASTER",
    "ENGINES",
    "FIELDS",
    "SPARK_CONF_ENV",
    "EngineConfig",
    "Field",
    "check_master_url",
    "check_remote_url",
    "config_fields",
    "default_config_path",
    "is_local_master",
    "load_engine_config",
    "parse_conf_pairs",
    "remote_host",
    "spark_hosts",
]
