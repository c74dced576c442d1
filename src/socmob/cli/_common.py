"""Shared pieces of the command line: output formats, errors, the ``synth`` group.

Commands are a thin shell over the library: they parse options, call one library
function, and print its result as a table, CSV or JSON. They never compute statistics.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from socmob.errors import SocmobError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from rich.console import Console


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


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a one-line error to stderr and exit (code 2 = bad input or usage)."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
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
        for col in frame.columns:
            justify = "right" if pd.api.types.is_numeric_dtype(frame[col]) else "left"
            # a narrow terminal wraps a cell, never cuts it short with "…"
            table.add_column(str(col), justify=justify,  # type: ignore[arg-type]
                             overflow="fold")
        for row in frame.itertuples(index=False):
            table.add_row(*("" if _isna(v) else _fmt(v) for v in row))
        console.print(table)


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

