"""Shared pieces of the command line: output formats, errors, the ``synth`` group.

Commands are a thin shell over the library: they parse options, call one library
function, and print its result as a table, CSV or JSON. They never compute statistics.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from socmob.errors import SocmobError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from ibis.backends import BaseBackend
    from rich.console import Console

    from socmob.engine.config import EngineConfig
    from socmob.engine.readers import Microdata


class LazyConsole:
    """A rich console made afresh at each use, so that its width follows ``COLUMNS``
    and its stream is the current ``sys.stdout``/``sys.stderr`` when it prints (not
    when this module was imported); rich itself is imported on first use."""

    def __init__(self, *, stderr: bool = False) -> None:
        self._stderr = stderr

    def make(self) -> Console:
        """A console for the current environment."""
        from rich.console import Console

        return Console(stderr=self._stderr)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.make(), name)


console = LazyConsole()
err_console = LazyConsole(stderr=True)

synth_app = typer.Typer(
    help="Generate labelled SYNTHETIC data with known truth (for demos, tests, benchmarks).",
    no_args_is_help=True,
)


class OutputFormat(StrEnum):
    """Output formats every command accepts."""

    table = "table"
    csv = "csv"
    json = "json"


FormatOption = typer.Option(
    OutputFormat.table, "--format", "-f", help="Output format: table, csv or json."
)


class Engine(StrEnum):
    """The compute engines (``socmob.engine.config.ENGINES``)."""

    duckdb = "duckdb"
    spark = "spark"


EngineOption = typer.Option(
    None, "--engine", help="Compute engine: duckdb (embedded, the default) or spark "
    "(default from SOCMOB_ENGINE or the configuration file).", show_default=False)
SparkMasterOption = typer.Option(
    None, "--spark-master", help="Spark master URL: local[N], spark://HOST:PORT, yarn or "
    "k8s://https://HOST:PORT (implies --engine spark).", show_default=False)
SparkRemoteOption = typer.Option(
    None, "--spark-remote", help="Spark Connect server, sc://HOST:PORT (implies --engine "
    "spark).", show_default=False)
SparkConfOption = typer.Option(
    None, "--spark-conf", help="A Spark setting KEY=VALUE, e.g. spark.executor.memory=8g "
    "(repeatable).", show_default=False)
ConfigOption = typer.Option(
    None, "--config", help="Engine configuration file (TOML; default $SOCMOB_CONFIG or "
    "~/.config/socmob/config.toml). See docs/scaling.md.", show_default=False)
TableOption = typer.Option(
    None, "--table", help="Read a table of the engine's catalogue (DATABASE.TABLE) "
    "instead of a file.", show_default=False)


def engine_config(*, engine: Engine | str | None = None, spark_master: str | None = None,
                  spark_remote: str | None = None, spark_conf: list[str] | None = None,
                  config: Path | None = None, memory_limit: str | None = None,
                  ) -> EngineConfig:
    """The engine configuration of a command: its options, then the environment, the
    configuration file and the defaults (:func:`socmob.engine.config.load_engine_config`)."""
    from socmob.engine.config import load_engine_config

    options = {"engine": str(engine.value if isinstance(engine, Engine) else engine)
               if engine is not None else None,
               "spark_master": spark_master, "spark_remote": spark_remote,
               "duckdb_memory_limit": memory_limit}
    return load_engine_config(options, spark_conf=tuple(spark_conf or ()),
                              config_file=config)


def open_microdata(file: str | None, table: str | None, config: EngineConfig, *,
                   sheet: str | None = None) -> tuple[BaseBackend, Microdata]:
    """Connect to the configured engine and read the microdata a command was given: a
    file or URL the engine can read (``FILE``), or a catalogue table (``--table``)."""
    from socmob.engine import connect
    from socmob.engine.readers import read_catalog_table, read_microdata

    if (file is None) == (table is None):
        fail("give either a data FILE or --table DATABASE.TABLE" if file is None
             else "give either a data FILE or --table, not both")
    con = connect(config)
    if table is not None:
        return con, read_catalog_table(table, con=con)
    assert file is not None
    return con, read_microdata(file, con=con, sheet=sheet)


def source_name(file: str | None, table: str | None) -> str:
    """What a command read, for titles: the file's name or the table's."""
    if table is not None:
        return table
    text = str(file).rstrip("/")
    return text.rsplit("/", 1)[-1] or text


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a one-line error to stderr and exit (code 2 = bad input or usage)."""
    from rich.markup import escape

    # the message is text, not markup: "local[N]" or "[/;param]" must print as written
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False,
                      soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn :class:`~socmob.errors.SocmobError` into a one-line message and exit code 2."""
    try:
        yield
    except SocmobError as exc:
        fail(str(exc))


def print_frame(frame: pd.DataFrame, fmt: OutputFormat | str, *, title: str | None = None,
                json_obj: Any = None) -> None:
    """Print a frame as a rich table, CSV or JSON records (``json_obj`` overrides the
    JSON payload). CSV and JSON carry unrounded values (CSV with formula-like text
    neutralised, :func:`socmob.results.csv_text`); only the table is rounded."""
    fmt = OutputFormat(fmt)
    if fmt is OutputFormat.json:
        from socmob.results import dumps

        sys.stdout.write(dumps(json_obj if json_obj is not None else frame) + "\n")
    elif fmt is OutputFormat.csv:
        from socmob.results import csv_text

        sys.stdout.write(csv_text(frame))
    else:
        import pandas as pd
        from rich.table import Table

        table = Table(title=title, show_lines=False)
        cells = [["" if _isna(v) else _fmt(v) for v in row]
                 for row in frame.itertuples(index=False)]
        widths = _column_widths([str(c) for c in frame.columns], cells, console.width)
        for col, width in zip(frame.columns, widths, strict=True):
            justify = "right" if pd.api.types.is_numeric_dtype(frame[col]) else "left"
            # a narrow terminal wraps a cell, never cuts it short with "…"
            table.add_column(str(col), justify=justify,  # type: ignore[arg-type]
                             overflow="fold", width=width)
        for row_cells in cells:
            table.add_row(*row_cells)
        console.print(table)


def _column_widths(headers: list[str], cells: list[list[str]],
                   width: int) -> list[int | None]:
    """Column widths for a table of ``headers`` and ``cells`` on a terminal ``width``
    wide (three characters of border and padding per column, one more at the end).

    Where every column fits at its natural width (its longest header or cell), ``None``
    (the table lays itself out). Where not, but every header's longest word fits, each
    column gets that word's width plus a share of the room left in proportion to what it
    lacks of its natural width, so that headers break between words ("rank" / "up", not
    "ra" / "nk up") and cells fold. Where not even that fits, ``None`` (everything folds).
    """
    room = width - 3 * len(headers) - 1
    natural = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    if sum(natural) <= room:
        return [None] * len(headers)
    least = [min(max((len(w) for w in h.split()), default=1), n)
             for h, n in zip(headers, natural, strict=True)]
    if sum(least) > room:
        return [None] * len(headers)
    spare, lack = room - sum(least), [n - m for n, m in zip(natural, least, strict=True)]
    total = sum(lack)
    out = [m + (spare * k) // total for m, k in zip(least, lack, strict=True)]
    for i in sorted(range(len(out)), key=lambda j: lack[j] - (out[j] - least[j]),
                    reverse=True)[: room - sum(out)]:
        out[i] += 1  # the remainder, one character each to the most lacking
    return list(out)


def print_json(obj: Any) -> None:
    """Print any JSON-able object (numpy/pandas values converted, numbers unrounded)."""
    from socmob.results import dumps

    sys.stdout.write(dumps(obj) + "\n")


def split_list(text: str | None) -> list[str] | None:
    """Split a comma-separated option (``"A, B,C"`` → ``["A", "B", "C"]``); ``None`` stays
    ``None``."""
    if text is None:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


def _isna(value: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e-3 or abs(value) >= 1e6 else f"{value:.3f}"
    return str(value)

