"""Read microdata files into the engine without materialising them in pandas.

Every format goes through :func:`socmob.io.to_parquet`: Parquet is checked and scanned in
place; CSV (pyarrow's streaming reader), Excel (openpyxl in read-only mode) and SPSS
(``.sav``) / Stata (``.dta``) files (pyreadstat's ``read_file_in_chunks``) are converted
*in chunks* to a Parquet file in the process's scratch directory, which the engine then
scans; at no point is the whole file held in memory. Numbers are checked on the way
(``inf`` and magnitudes beyond ±1e150 refused, naming the row and column). Value labels of
SPSS/Stata files are kept as a separate mapping (:attr:`Microdata.value_labels`) and
applied only on request (``apply_labels=True``).

>>> data = read_microdata("cohort.dta")          # doctest: +SKIP
>>> data.table.columns, data.value_labels["sex"]  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ibis.backends import BaseBackend
from ibis.expr import types as ir

from socmob.errors import EngineError, InputError
from socmob.io import SUFFIXES as _ALL_SUFFIXES
from socmob.io import TABLE_FORMATS, to_parquet
from socmob.io import detect_format as _detect_format
from socmob.io._microdata import DEFAULT_CHUNK_ROWS
from socmob.io._microdata import excel_to_parquet as _excel_to_parquet
from socmob.io._microdata import stat_to_parquet as _stat_to_parquet
from socmob.io.scratch import scratch_file

SUFFIXES: dict[str, str] = {s: f for s, f in _ALL_SUFFIXES.items() if f in TABLE_FORMATS}
"""File suffix → format understood by :func:`read_microdata` (:data:`socmob.io.SUFFIXES`,
tables only)."""


@dataclass(frozen=True)
class Microdata:
    """A file read into the engine.

    Attributes
    ----------
    table:
        The Ibis table (lazy: the engine scans the file or its Parquet conversion).
    source:
        The path that was read (used in error messages).
    format:
        ``"csv"``, ``"parquet"``, ``"excel"``, ``"spss"`` or ``"stata"``.
    value_labels:
        ``{column: {value: label}}`` from SPSS/Stata files (empty otherwise).
    variable_labels:
        ``{column: label}`` from SPSS/Stata files (empty otherwise).
    """

    table: ir.Table
    source: str
    format: str
    value_labels: Mapping[str, Mapping[Any, str]] = field(default_factory=dict)
    variable_labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.table.columns)


def detect_format(path: str | os.PathLike[str]) -> str:
    """The reader format for ``path`` from its suffix (``.csv.gz`` counts as CSV); see
    :func:`socmob.io.detect_format`."""
    fmt = _detect_format(path)
    if fmt not in TABLE_FORMATS:
        raise InputError(f"a {fmt.upper()} document is not a table of microdata",
                         file=str(path), expected="one of " + ", ".join(sorted(SUFFIXES)))
    return fmt


def read_microdata(
    path: str | os.PathLike[str],
    *,
    con: BaseBackend | None = None,
    format: str | None = None,
    sheet: str | None = None,
    apply_labels: bool = False,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    encoding: str | None = None,
) -> Microdata:
    """Read a microdata file into an Ibis table on ``con``.

    Parameters
    ----------
    path:
        CSV (``.csv``, ``.tsv``, ``.csv.gz``), Parquet, Excel (``.xlsx``), SPSS (``.sav``)
        or Stata (``.dta``).
    con:
        The engine connection (from :func:`socmob.engine.connect`); default: the shared
        in-memory DuckDB connection.
    format:
        Override the format detected from the suffix.
    sheet:
        Excel sheet name (default: the first sheet).
    apply_labels:
        For SPSS/Stata: replace labelled values by their labels (columns become text).
        By default values are kept and labels returned in :attr:`Microdata.value_labels`.
    chunk_rows:
        Rows per chunk when converting Excel/SPSS/Stata files.
    encoding:
        Text encoding of a CSV (default: detected; see ``docs/reading.md``).

    Raises
    ------
    InputError
        The file is missing, empty, of an unknown type, unreadable, or holds a
        non-finite number (the message names the file and, where known, the row and
        column).
    """
    from socmob.engine._connection import default_connection

    source = str(path)
    if format is None:
        detect_format(path)
    converted = to_parquet(path, format=format, sheet=sheet, apply_labels=apply_labels,
                           chunk_rows=chunk_rows, encoding=encoding)
    backend = con if con is not None else default_connection()
    try:
        table = backend.read_parquet(str(converted.path))
    except (InputError, EngineError):
        raise
    except Exception as exc:  # the engine's own scan errors → one clear message
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"cannot read {converted.format} file: {first}",
                         file=source) from exc
    if not table.columns:
        raise InputError("file has no columns", file=source)
    return Microdata(table=table, source=source, format=converted.format,
                     value_labels=converted.value_labels,
                     variable_labels=converted.variable_labels)


def read_table(path: str | os.PathLike[str], *, con: BaseBackend | None = None,
               **kwargs: Any) -> ir.Table:
    """Shorthand for ``read_microdata(path, con=con, **kwargs).table``."""
    return read_microdata(path, con=con, **kwargs).table


def excel_to_parquet(path: str | os.PathLike[str], *, sheet: str | None = None,
                     chunk_rows: int = DEFAULT_CHUNK_ROWS,
                     out: str | os.PathLike[str] | None = None) -> Path:
    """Convert one sheet of an ``.xlsx`` workbook to Parquet, ``chunk_rows`` at a time.

    The first row holds the column names. A column's type is inferred from the first
    chunk that has values in it (all numbers → float64, otherwise text); a later cell of
    another kind is an :class:`InputError` naming the row (as numbered in the spreadsheet)
    and column.
    """
    target = Path(out) if out is not None else scratch_file(Path(path).stem, ".parquet")
    _excel_to_parquet(Path(path), target=target, file=str(path), sheet=sheet,
                      chunk_rows=chunk_rows)
    return target


def stat_to_parquet(path: str | os.PathLike[str], *, fmt: str, apply_labels: bool = False,
                    chunk_rows: int = DEFAULT_CHUNK_ROWS,
                    out: str | os.PathLike[str] | None = None,
                    ) -> tuple[Path, dict[str, dict[Any, str]], dict[str, str]]:
    """Convert an SPSS ``.sav`` or Stata ``.dta`` file to Parquet in chunks.

    Returns ``(parquet_path, value_labels, variable_labels)``; ``value_labels`` maps each
    labelled column to ``{value: label}``. With ``apply_labels=True`` labelled columns are
    written as their labels (text).
    """
    target = Path(out) if out is not None else scratch_file(Path(path).stem, ".parquet")
    value_labels, variable_labels = _stat_to_parquet(
        Path(path), target=target, file=str(path), fmt=fmt, apply_labels=apply_labels,
        chunk_rows=chunk_rows)
    return target, value_labels, variable_labels


def apply_value_labels(table: ir.Table, labels: Mapping[str, Mapping[Any, str]],
                       columns: Iterable[str] | None = None) -> ir.Table:
    """Replace labelled values by their labels in ``columns`` (default: every labelled
    column present), as an Ibis expression; unlabelled values become their text form."""
    import ibis

    chosen = [c for c in (columns if columns is not None else labels) if c in table.columns]
    replacements = {}
    for column in chosen:
        mapping = labels.get(column, {})
        col = table[column]
        cases = [(col == ibis.literal(k), ibis.literal(v)) for k, v in mapping.items()]
        text = col.cast("string")
        replacements[column] = ibis.cases(*cases, else_=text) if cases else text
    return table.mutate(**replacements) if replacements else table


__all__ = [
    "SUFFIXES",
    "Microdata",
    "apply_value_labels",
    "detect_format",
    "excel_to_parquet",
    "read_microdata",
    "read_table",
    "stat_to_parquet",
]
