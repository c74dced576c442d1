"""Read microdata into the engine without materialising it in pandas.

On DuckDB every format goes through :func:`socmob.io.to_parquet`: Parquet is checked and
scanned in place; CSV (pyarrow's streaming reader), Excel (openpyxl in read-only mode) and
SPSS (``.sav``) / Stata (``.dta``) files (pyreadstat's ``read_file_in_chunks``) are
converted *in chunks* to a Parquet file in the process's scratch directory, which the
engine then scans; at no point is the whole file held in memory. Numbers are checked on
the way (``inf`` and magnitudes beyond ±1e150 refused, naming the row and column). Value
labels of SPSS/Stata files are kept as a separate mapping (:attr:`Microdata.value_labels`)
and applied only on request (``apply_labels=True``).

On Spark, data is read where it lives: CSV and Parquet — a file or a directory of files,
on a local path or any filesystem the cluster's Hadoop configuration knows (``hdfs://``,
``s3a://``, ``abfss://``, ``gs://``) — by Spark's own readers on the executors
(:func:`read_with_spark`); a table in the cluster's catalogue by name
(:func:`read_catalog_table`). Nothing comes back to the driver but the aggregates the
estimators ask for. Excel, SPSS and Stata files are converted on this machine as on
DuckDB, which a cluster can then read only where it shares this machine's filesystem.

>>> data = read_microdata("cohort.dta")          # doctest: +SKIP
>>> data.table.columns, data.value_labels["sex"]  # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ibis.backends import BaseBackend
from ibis.expr import types as ir

from socmob.errors import EngineError, InputError, NotFoundError
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
        or Stata (``.dta``). On Spark also a directory of CSV or Parquet files (a name
        without a known suffix is read as Parquet) and a URL of the cluster's storage
        (``hdfs://…``, ``s3a://…``), read by Spark's own readers (:func:`read_with_spark`).
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
    backend = con if con is not None else default_connection()
    url = has_scheme(source) and not source.startswith("file://")
    if is_spark(backend):
        fmt = format or spark_format(source)
        if fmt in ("csv", "parquet"):
            return read_with_spark(backend, source, format=fmt, encoding=encoding)
        if url:
            raise InputError(f"a {fmt.upper()} file is converted on this machine, so it "
                             "must be a local file", file=source,
                             expected="CSV or Parquet for cluster storage")
    elif url:
        raise InputError("the duckdb engine reads files on this machine only", file=source,
                         expected="a local path, or --engine spark for cluster storage "
                         "(hdfs://, s3a://, …)")
    path = source.removeprefix("file://") if source.startswith("file://") else path
    if format is None:
        detect_format(path)
    converted = to_parquet(path, format=format, sheet=sheet, apply_labels=apply_labels,
                           chunk_rows=chunk_rows, encoding=encoding)
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


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def has_scheme(path: str) -> bool:
    """Whether ``path`` is a URL (``hdfs://…``, ``s3a://…``, ``file://…``)."""
    return bool(_SCHEME.match(path))


def is_spark(con: BaseBackend) -> bool:
    """Whether ``con`` is an Ibis PySpark connection (classic or Spark Connect)."""
    return getattr(con, "name", None) == "pyspark"


def spark_format(path: str) -> str:
    """The format of ``path`` for Spark's readers: from the suffix of its last part, and
    Parquet for a name without a known suffix (a directory of Parquet files, as Spark
    writes them)."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    try:
        return _detect_format(name)
    except InputError:
        return "parquet"


_SPARK_NOT_FOUND = ("PATH_NOT_FOUND", "Path does not exist", "FileNotFoundException",
                    "No such file")


def read_with_spark(con: BaseBackend, path: str, *, format: str = "parquet",
                    encoding: str | None = None, delimiter: str | None = None) -> Microdata:
    """Read CSV or Parquet with Spark's own readers, on the executors.

    ``path`` is a file or a directory of files, local or on any filesystem the cluster's
    Hadoop configuration knows (``hdfs://``, ``s3a://``, …). Parquet keeps its types.
    A CSV has a header row; its types are inferred by Spark (one pass over the file);
    the delimiter is a tab for ``.tsv``, else detected from the first line when the file
    is on this machine, else a comma; missing values are empty cells and the spellings
    of :data:`socmob.io.NA_VALUES` in text columns that are otherwise numeric (as the
    local reader reads them: such a column becomes whole numbers or decimals).
    """
    source = path
    try:
        if format == "parquet":
            table = con.read_parquet(path)
        elif format == "csv":
            options: dict[str, Any] = {"header": True, "inferSchema": True,
                                       "mode": "FAILFAST", "encoding": encoding or "UTF-8",
                                       "sep": delimiter or _local_delimiter(path)}
            table = _numeric_text_columns(con.read_csv(path, **options))
        else:
            raise InputError(f"Spark reads CSV and Parquet, not {format}", file=source,
                             expected="a .csv or .parquet file, or a directory of them")
    except (InputError, EngineError):
        raise
    except Exception as exc:  # Spark's analysis errors → one clear message
        text = str(exc)
        first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
        if any(marker in text for marker in _SPARK_NOT_FOUND):
            raise InputError("file not found", file=source,
                             expected="a path the Spark executors can read") from exc
        raise InputError(f"cannot read {format} file: {first}", file=source) from exc
    if not table.columns:
        raise InputError("file has no columns", file=source)
    return Microdata(table=table, source=source, format=format)


def _local_delimiter(path: str) -> str:
    if path.lower().endswith((".tsv", ".tsv.gz")):
        return "\t"
    local = path.removeprefix("file://")
    if has_scheme(local) or not os.path.isfile(local) or local.lower().endswith(".gz"):
        return ","
    from socmob.io._text import sniff_delimiter

    with open(local, "rb") as handle:
        head = handle.readline(1 << 16)
    return sniff_delimiter(head.decode("utf-8", errors="replace"))


def _numeric_text_columns(table: ir.Table) -> ir.Table:
    """Text columns whose values, apart from the spellings of a missing value, are all
    numbers become numbers (``int64`` when every one is written as a whole number, else
    ``float64``), as the local CSV reader types them; one aggregation over the text
    columns decides."""
    import ibis

    from socmob.io import NA_VALUES

    text = [c for c in table.columns if table[c].type().is_string()]
    if not text:
        return table
    missing = [v for v in NA_VALUES if v]

    def value(c: str) -> ir.StringValue:
        col = table[c].strip()
        return ibis.ifelse(col.isin(missing) | (col == ""), ibis.null("string"), col)

    counts: dict[str, Any] = {}
    for i, c in enumerate(text):
        v = value(c)
        number = v.try_cast("float64")
        counts[f"n{i}"] = v.notnull().sum()
        counts[f"d{i}"] = number.notnull().sum()
        # whole numbers written as such ("12", not "12.0" or "1e3"), as pyarrow types them
        counts[f"w{i}"] = (number.notnull() & v.re_search(r"^[+-]?[0-9]+$")
                           & (number.abs() < 2.0**53)).sum()
    found = table.aggregate(**counts).execute().iloc[0]
    casts: dict[str, Any] = {}
    for i, c in enumerate(text):
        n, d, w = (int(found[f"{k}{i}"] or 0) for k in "ndw")
        if n == 0 or d < n:
            continue
        number = value(c).try_cast("float64")
        casts[c] = number.cast("int64") if w == n else number
    return table.mutate(**casts) if casts else table


def read_catalog_table(name: str, *, con: BaseBackend) -> Microdata:
    """A table of the engine's catalogue by name: ``table``, ``database.table`` or
    ``catalog.database.table`` — on Spark the session's catalogue (the Hive metastore
    or Unity/Glue catalogue its configuration names), on DuckDB the tables of the
    database file. A missing database or table is a
    :class:`~socmob.errors.NotFoundError` naming the closest ones."""
    from socmob._text import closest

    parts = [p.strip().strip("`") for p in name.split(".")]
    if not parts or not all(parts) or len(parts) > 3:
        raise InputError(f"bad table name {name!r}", expected="TABLE or DATABASE.TABLE")
    table_name = parts[-1]
    database: str | tuple[str, str] | None = None
    if len(parts) == 2:
        database = parts[0]
    elif len(parts) == 3:
        database = (parts[0], parts[1])
    where = ".".join(parts[:-1]) or "the current database"
    try:
        names = _list_tables(con, database)
    except Exception as exc:
        databases: list[str] = []
        try:
            databases = [str(d) for d in con.list_databases()]
        except Exception:  # pragma: no cover - the engine cannot list them either
            databases = []
        target = parts[-2] if len(parts) > 1 else ""
        raise NotFoundError(f"no database {where!r} in the {_engine_name(con)} catalogue",
                            closest(target, databases)) from exc
    if table_name not in names:
        lowered = {n.lower(): n for n in names}
        if table_name.lower() in lowered:
            table_name = lowered[table_name.lower()]
        else:
            raise NotFoundError(f"no table {table_name!r} in {where} of the "
                                f"{_engine_name(con)} catalogue", closest(table_name, names))
    try:
        table = con.table(table_name, database=database)
    except Exception as exc:
        raise InputError(f"cannot read table {name!r}: {str(exc).strip().splitlines()[0]}"
                         ) from exc
    return Microdata(table=table, source=name, format="table")


def _list_tables(con: BaseBackend, database: str | tuple[str, str] | None) -> list[str]:
    """The tables (and views) of ``database``; an exception if there is no such one."""
    if getattr(con, "name", None) != "duckdb":
        return list(con.list_tables(database=database))  # type: ignore[attr-defined]
    # DuckDB's catalogue, read directly (Ibis's listing depends on the DuckDB version)
    if database is None:
        catalog, schema = None, None
    elif isinstance(database, tuple):
        catalog, schema = database
    else:
        catalog, schema = None, database
    sql = ("SELECT table_catalog, table_schema, table_name FROM information_schema.tables "
           "WHERE table_catalog = coalesce(?, current_database()) "
           "AND table_schema = coalesce(?, current_schema())")
    raw = con.con  # type: ignore[attr-defined]
    rows = raw.execute(sql, [catalog, schema]).fetchall()
    if not rows:
        known = raw.execute("SELECT count(*) FROM information_schema.schemata WHERE "
                            "catalog_name = coalesce(?, current_database()) AND "
                            "schema_name = coalesce(?, current_schema())",
                            [catalog, schema]).fetchone()
        if not known or not known[0]:
            raise LookupError(f"no database {database!r}")
    return [str(r[2]) for r in rows]


def _engine_name(con: BaseBackend) -> str:
    return "spark" if is_spark(con) else str(getattr(con, "name", "engine"))


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
    "has_scheme",
    "is_spark",
    "read_catalog_table",
    "read_microdata",
    "read_table",
    "read_with_spark",
    "spark_format",
    "stat_to_parquet",
]
