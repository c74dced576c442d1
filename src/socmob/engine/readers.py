"""Read microdata files into the engine without materialising them in pandas.

CSV and Parquet are read by the engine itself (DuckDB or Spark scan the file). Excel,
SPSS (``.sav``) and Stata (``.dta``) files are converted *in chunks* to a temporary Parquet
file (openpyxl in read-only mode, pyreadstat's ``read_file_in_chunks``), which the engine
then scans; at no point is the whole file held in memory. Value labels of SPSS/Stata files
are kept as a separate mapping (:attr:`Microdata.value_labels`) and applied only on request
(``apply_labels=True``).

>>> data = read_microdata("cohort.dta")          # doctest: +SKIP
>>> data.table.columns, data.value_labels["sex"]  # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import math
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from ibis.backends import BaseBackend
from ibis.expr import types as ir

from socmob.errors import EngineError, InputError

SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".gz": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".sav": "spss",
    ".zsav": "spss",
    ".dta": "stata",
}
"""File suffix → format understood by :func:`read_microdata`."""

DEFAULT_CHUNK_ROWS = 100_000

_tmp_root: Path | None = None


def _scratch_dir() -> Path:
    """A per-process directory for converted Parquet files, removed at exit."""
    global _tmp_root
    if _tmp_root is None or not _tmp_root.exists():
        _tmp_root = Path(tempfile.mkdtemp(prefix="socmob-read-"))
        atexit.register(shutil.rmtree, _tmp_root, True)
    return _tmp_root


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
    """The reader format for ``path`` from its suffix (``.csv.gz`` counts as CSV)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".gz" and not p.name.lower().endswith((".csv.gz", ".tsv.gz")):
        suffix = ""
    fmt = SUFFIXES.get(suffix)
    if fmt is None:
        raise InputError(
            "unrecognised file type",
            file=str(path),
            expected="one of " + ", ".join(sorted(set(SUFFIXES) - {".gz", ".txt"})),
        )
    return fmt


def read_microdata(
    path: str | os.PathLike[str],
    *,
    con: BaseBackend | None = None,
    format: str | None = None,
    sheet: str | None = None,
    apply_labels: bool = False,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
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

    Raises
    ------
    InputError
        The file is missing, empty, of an unknown type, or unreadable (the message names
        the file and, where known, the row and column).
    """
    from socmob.engine import default_connection

    source = str(path)
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", file=source)
    if p.is_file() and p.stat().st_size == 0:
        raise InputError("file is empty", file=source)
    fmt = format or detect_format(p)
    if chunk_rows < 1:
        raise InputError("chunk_rows must be at least 1", expected="a positive integer")
    backend = con if con is not None else default_connection()
    value_labels: dict[str, dict[Any, str]] = {}
    variable_labels: dict[str, str] = {}
    try:
        if fmt == "csv":
            table = _read_csv(backend, p)
        elif fmt == "parquet":
            table = backend.read_parquet(str(p))
        elif fmt == "excel":
            table = backend.read_parquet(str(excel_to_parquet(p, sheet=sheet,
                                                               chunk_rows=chunk_rows)))
        elif fmt in {"spss", "stata"}:
            converted, value_labels, variable_labels = stat_to_parquet(
                p, fmt=fmt, apply_labels=apply_labels, chunk_rows=chunk_rows
            )
            table = backend.read_parquet(str(converted))
        else:
            raise InputError(f"unknown format {fmt!r}", file=source,
                             expected="csv, parquet, excel, spss or stata")
    except (InputError, EngineError):
        raise
    except Exception as exc:  # engine parse errors → one clear message
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"cannot read {fmt} file: {first}", file=source) from exc
    if not table.columns:
        raise InputError("file has no columns", file=source)
    return Microdata(table=table, source=source, format=fmt, value_labels=value_labels,
                     variable_labels=variable_labels)


def read_table(path: str | os.PathLike[str], *, con: BaseBackend | None = None,
               **kwargs: Any) -> ir.Table:
    """Shorthand for ``read_microdata(path, con=con, **kwargs).table``."""
    return read_microdata(path, con=con, **kwargs).table


def _read_csv(con: BaseBackend, path: Path) -> ir.Table:
    name = getattr(con, "name", "")
    if name == "pyspark":
        sep = "\t" if path.name.lower().endswith((".tsv", ".tsv.gz")) else ","
        return con.read_csv(str(path), header=True, inferSchema=True, sep=sep)
    return con.read_csv(str(path))


# --------------------------------------------------------------------------- Excel


def excel_to_parquet(path: str | os.PathLike[str], *, sheet: str | None = None,
                     chunk_rows: int = DEFAULT_CHUNK_ROWS,
                     out: str | os.PathLike[str] | None = None) -> Path:
    """Convert one sheet of an ``.xlsx`` workbook to Parquet, ``chunk_rows`` at a time.

    The first row holds the column names. A column's type is inferred from its first
    non-empty value (number → float64, otherwise text); a later cell of another kind is
    an :class:`InputError` naming the row (as numbered in the spreadsheet) and column.
    """
    from openpyxl import load_workbook

    source = str(path)
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:
        raise InputError(f"cannot open workbook: {exc}", file=source) from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise InputError(f"no sheet named {sheet!r}", file=source,
                             expected="one of " + ", ".join(book.sheetnames))
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None or all(h is None for h in header):
            raise InputError("sheet has no header row", file=source, row=1)
        names = _header_names(header, source)
        target = Path(out) if out is not None else _scratch_dir() / (
            f"{Path(source).stem}-{os.getpid()}-{id(ws)}.parquet")
        kinds: dict[str, str] = {}
        _write_chunks(target, _excel_chunks(rows, names, kinds, source, chunk_rows), source)
        return target
    finally:
        book.close()


def _header_names(header: Iterable[Any], source: str) -> list[str]:
    names: list[str] = []
    for i, h in enumerate(header, start=1):
        name = str(h).strip() if h is not None else ""
        if not name:
            name = f"column_{i}"
        if name in names:
            raise InputError("duplicate column name", file=source, row=1, column=name)
        names.append(name)
    return names


def _excel_chunks(rows: Iterator[tuple[Any, ...]], names: list[str], kinds: dict[str, str],
                  source: str, chunk_rows: int) -> Iterator[pa.Table]:
    buffer: list[tuple[int, tuple[Any, ...]]] = []
    produced = False
    for row_no, values in enumerate(rows, start=2):  # the header is spreadsheet row 1
        if values is None or all(v is None for v in values):
            continue
        buffer.append((row_no, values))
        if len(buffer) >= chunk_rows:
            yield _excel_table(buffer, names, kinds, source)
            produced = True
            buffer = []
    if buffer or not produced:
        yield _excel_table(buffer, names, kinds, source)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float))


def _excel_table(buffer: list[tuple[int, tuple[Any, ...]]], names: list[str],
                 kinds: dict[str, str], source: str) -> pa.Table:
    columns: dict[str, pa.Array] = {}
    for j, name in enumerate(names):
        values = [r[j] if j < len(r) else None for _, r in buffer]
        kind = kinds.get(name)
        if kind is None:
            first = next((v for v in values if v is not None), None)
            if first is not None:
                kind = "number" if _is_number(first) else "text"
                kinds[name] = kind
        if kind == "number":
            out: list[float | None] = []
            for (row_no, _), v in zip(buffer, values, strict=True):
                if v is None:
                    out.append(None)
                elif _is_number(v):
                    out.append(float(v))
                else:
                    raise InputError(f"non-numeric value {v!r} in a numeric column",
                                     file=source, row=row_no, column=name,
                                     expected="a number")
            columns[name] = pa.array(out, type=pa.float64())
        else:
            columns[name] = pa.array([None if v is None else str(v) for v in values],
                                     type=pa.string())
    return pa.table(columns)


def _write_chunks(target: Path, chunks: Iterable[pa.Table], source: str) -> None:
    """Write an iterable of Arrow tables to one Parquet file (schema of the first chunk,
    later chunks cast to it)."""
    writer: pq.ParquetWriter | None = None
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        for chunk in chunks:
            if writer is None:
                schema = chunk.schema
                # all-null columns in the first chunk: fall back to text
                schema = pa.schema([
                    pa.field(f.name, pa.string() if pa.types.is_null(f.type) else f.type)
                    for f in schema
                ])
                writer = pq.ParquetWriter(str(tmp), schema)
            try:
                chunk = chunk.cast(writer.schema, safe=False)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise InputError(f"column types change within the file: {exc}",
                                 file=source) from exc
            writer.write_table(chunk)
        if writer is None:
            raise InputError("file has no data", file=source)
        writer.close()
        writer = None
        os.replace(tmp, target)
    finally:
        if writer is not None:
            writer.close()
        tmp.unlink(missing_ok=True)


# --------------------------------------------------------------------------- SPSS / Stata


def stat_to_parquet(path: str | os.PathLike[str], *, fmt: str, apply_labels: bool = False,
                    chunk_rows: int = DEFAULT_CHUNK_ROWS,
                    out: str | os.PathLike[str] | None = None,
                    ) -> tuple[Path, dict[str, dict[Any, str]], dict[str, str]]:
    """Convert an SPSS ``.sav`` or Stata ``.dta`` file to Parquet in chunks.

    Returns ``(parquet_path, value_labels, variable_labels)``; ``value_labels`` maps each
    labelled column to ``{value: label}``. With ``apply_labels=True`` labelled columns are
    written as their labels (text).
    """
    import pyreadstat

    source = str(path)
    reader = pyreadstat.read_sav if fmt == "spss" else pyreadstat.read_dta
    try:
        _, meta = reader(source, metadataonly=True)
    except Exception as exc:
        raise InputError(f"cannot read {fmt} file: {exc}", file=source) from exc
    value_labels: dict[str, dict[Any, str]] = {}
    for column, label_set in (meta.variable_to_label or {}).items():
        mapping = (meta.variable_value_labels or {}).get(column)
        if mapping is None:
            mapping = (meta.value_labels or {}).get(label_set, {})
        value_labels[column] = {_plain_key(k): str(v) for k, v in mapping.items()}
    variable_labels = {
        name: str(label) for name, label in zip(meta.column_names, meta.column_labels or [],
                                                strict=False) if label
    }
    target = Path(out) if out is not None else _scratch_dir() / (
        f"{Path(source).stem}-{os.getpid()}-{abs(hash(source))}.parquet")

    def chunks() -> Iterator[pa.Table]:
        iterator = pyreadstat.read_file_in_chunks(
            reader, source, chunksize=chunk_rows, apply_value_formats=apply_labels,
            formats_as_category=False)
        for frame, _meta in iterator:
            yield pa.Table.from_pandas(frame, preserve_index=False)

    try:
        _write_chunks(target, chunks(), source)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"cannot read {fmt} file: {exc}", file=source) from exc
    return target, value_labels, variable_labels


def _plain_key(key: Any) -> Any:
    if isinstance(key, float) and math.isfinite(key) and key.is_integer():
        return int(key)
    return key


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
