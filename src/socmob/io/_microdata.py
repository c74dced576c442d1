"""The microdata path: any table file → one Parquet file the engine scans, converted in
chunks so that no file is ever held in memory whole.

- CSV (optionally gzip-compressed) is streamed by pyarrow's CSV reader (types set by the
  first 20,480 rows, whole numbers widened to decimals when a later row needs it);
  on a problem the file is rescanned by :mod:`csv` to name the row and column;
- Excel is streamed row by row (openpyxl read-only mode, after the archive checks of
  :mod:`socmob.io._excel`);
- SPSS and Stata are read in chunks by pyreadstat, their labels kept apart;
- Parquet is scanned in place (its metadata and numbers checked).

Every numeric column is checked for ``inf`` and numbers beyond ±1e150 on the way
(:data:`socmob.checks.MAX_MAGNITUDE`). Converted files live in the process's scratch
directory (:mod:`socmob.io.scratch`).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import io
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from socmob.checks import MAX_MAGNITUDE
from socmob.errors import InputError
from socmob.io import _excel, _stat, _text
from socmob.io._formats import (
    DEFAULT_LIMITS,
    NA_VALUES,
    TABLE_FORMATS,
    Limits,
    check_format,
    detect_format,
    is_missing_text,
    sniff,
)
from socmob.io._frame import column_names
from socmob.io.scratch import registered, scratch_file, temp_path_for

DEFAULT_CHUNK_ROWS = 100_000
_CSV_BLOCK = 1 << 22


@dataclass(frozen=True)
class Converted:
    """A table file ready for the engine.

    Attributes
    ----------
    path:
        The Parquet file to scan (the source itself when it is Parquet).
    source:
        The file read (as named in messages).
    format:
        ``"csv"``, ``"parquet"``, ``"excel"``, ``"spss"`` or ``"stata"``.
    value_labels, variable_labels:
        SPSS/Stata labels (empty otherwise).
    encoding:
        The text encoding of a CSV.
    """

    path: Path
    source: str
    format: str
    value_labels: Mapping[str, Mapping[Any, str]] = field(default_factory=dict)
    variable_labels: Mapping[str, str] = field(default_factory=dict)
    encoding: str | None = None


# --------------------------------------------------------------------------- checks


def check_batch_finite(batch: pa.RecordBatch | pa.Table, *, file: str,
                       rows: np.ndarray | int) -> None:
    """Refuse ``inf`` or a magnitude beyond :data:`MAX_MAGNITUDE` in the floating-point
    columns of ``batch``; ``rows`` is the file row of the batch's first record, or each
    record's file row."""
    import pyarrow.compute as pc

    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        if not pa.types.is_floating(column.type):
            continue
        bad = pc.greater(pc.abs(column), MAX_MAGNITUDE)
        if not pc.any(bad).as_py():
            continue
        index = int(pc.index(bad, True).as_py())
        value = column[index].as_py()
        row = int(rows[index]) if isinstance(rows, np.ndarray) else rows + index
        what = (f"value {value:g} is not a finite number" if not np.isfinite(value)
                else f"value {value:g} is too large (|x| > {MAX_MAGNITUDE:g})")
        count = int(pc.sum(bad).as_py())
        more = f" ({count - 1} more such values in this block)" if count > 1 else ""
        raise InputError(what + more, file=file, row=row, column=name,
                         expected="a finite number")


def _writer_schema(schema: pa.Schema) -> pa.Schema:
    # all-null columns in the first chunk: text
    return pa.schema([pa.field(f.name, pa.string() if pa.types.is_null(f.type) else f.type)
                      for f in schema])


def write_chunks(target: Path, chunks: Iterable[pa.Table | pa.RecordBatch], *,
                 file: str) -> Path:
    """Write Arrow chunks to one Parquet file, atomically (schema of the first chunk;
    later chunks cast to it, a type change naming the column)."""
    tmp = temp_path_for(target)
    writer: pq.ParquetWriter | None = None
    with registered(tmp):
        try:
            for chunk in chunks:
                table = chunk if isinstance(chunk, pa.Table) else pa.Table.from_batches([chunk])
                if writer is None:
                    writer = pq.ParquetWriter(str(tmp), _writer_schema(table.schema))
                try:
                    table = table.cast(writer.schema, safe=False)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                    changed = [f.name for f, g in zip(table.schema, writer.schema, strict=False)
                               if f.type != g.type and not pa.types.is_null(f.type)]
                    raise InputError("the column's values change type within the file "
                                     f"({type(exc).__name__})", file=file,
                                     column=changed[0] if changed else None,
                                     expected="one type per column") from None
                writer.write_table(table)
            if writer is None:
                raise InputError("the file has no data", file=file)
            writer.close()
            writer = None
            os.replace(tmp, target)
        finally:
            if writer is not None:
                with contextlib.suppress(Exception):
                    writer.close()
            tmp.unlink(missing_ok=True)
    return target


# --------------------------------------------------------------------------- CSV


def _open_binary(path: Path) -> IO[bytes]:
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if sniff(magic) == "gzip":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


def _csv_encoding(path: Path, *, file: str, encoding: str | None) -> tuple[str, int, bool]:
    """``(encoding, bom length, head is ASCII)`` of a CSV from its first 64 kB (checked:
    it decodes and holds no control characters)."""
    try:
        with _open_binary(path) as handle:
            head = handle.read(1 << 16)
            final = not handle.read(1)
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read the file ({type(exc).__name__}: {exc})",
                         file=file) from None
    if not head.strip():
        raise InputError("the file is empty", file=file,
                         expected="a header row naming the columns, then data rows")
    if encoding is not None:
        used = _text.check_encoding(encoding, file=file)
        bom = len(codecs.BOM_UTF8) if (head.startswith(codecs.BOM_UTF8) and used.lower()
                                       .replace("_", "-") in ("utf-8", "utf8")) else 0
    else:
        used, bom = _text.detect_encoding(head, final=final)
    _text.decode_checked(head[bom:], used, file=file, what="CSV text", final=final,
                         stated=encoding is not None)
    return used, bom, head.isascii()


def _text_stream(path: Path, encoding: str, bom: int) -> IO[str]:
    raw = _open_binary(path)
    raw.read(bom)
    return io.TextIOWrapper(raw, encoding=encoding, newline="")


def _header(path: Path, *, file: str, encoding: str, bom: int,
            delimiter: str | None) -> tuple[list[str], str]:
    with _text_stream(path, encoding, bom) as stream:
        try:
            line = stream.readline()
        except UnicodeDecodeError:
            raise InputError(f"the header row cannot be read as {encoding} text", file=file,
                             row=1, expected="UTF-8 text (or a stated encoding)") from None
        delim = delimiter or _text.sniff_delimiter(line)
        try:
            header = next(csv.reader([line], delimiter=delim, strict=True), [])
        except csv.Error as exc:
            raise InputError(f"the header row cannot be parsed: {exc}", file=file, row=1,
                             expected="a header row naming the columns") from None
    if not any(h.strip() for h in header):
        raise InputError("the header row is empty", file=file, row=1,
                         expected="a header row naming the columns")
    return column_names(header, file=file), delim


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|infinity|nan)$",
                     re.IGNORECASE)


def _locate(path: Path, *, file: str, encoding: str, bom: int, delimiter: str,
            width: int, numeric: Mapping[int, str]) -> None:
    """Rescan a CSV that pyarrow refused and raise the first problem found, naming the
    row: a quoting error, a ragged row, bytes not in ``encoding``, or a value that is not
    a number in one of the ``numeric`` columns (position → name)."""
    row = 1
    with _text_stream(path, encoding, bom) as stream:
        reader = csv.reader(stream, delimiter=delimiter, strict=True)
        try:
            for fields in reader:
                if row == 1:
                    row += 1
                    continue
                if fields and any(f.strip() for f in fields):
                    if len(fields) != width:
                        raise InputError(f"the row has {len(fields)} fields but the header "
                                         f"has {width}", file=file, row=row,
                                         expected=f"{width} fields on every row (a ragged "
                                                  "row: check for an unquoted delimiter)")
                    for j, name in numeric.items():
                        value = fields[j].strip()
                        if not is_missing_text(value) and not _NUMBER.match(value):
                            raise InputError(f"value {value[:40]!r} is not a number",
                                             file=file, row=row, column=name,
                                             expected="a number (the column's earlier "
                                                      "values are numbers)")
                row += 1
        except csv.Error as exc:
            raise InputError(f"the CSV cannot be parsed: {exc}", file=file, row=row,
                             expected="well-formed CSV (quotes doubled inside quoted "
                                      "fields)") from None
        except UnicodeDecodeError:
            raise InputError(f"the row cannot be read as {encoding} text", file=file,
                             row=row, expected="UTF-8 text (or a stated encoding)") from None


_INTEGER = re.compile(r"^[+-]?\d{1,18}$")
TYPE_SAMPLE_ROWS = 20_480
"""Rows of a CSV whose values set each column's type on the microdata path."""


def _sample_types(path: Path, *, encoding: str, bom: int, delimiter: str,
                  names: list[str]) -> dict[str, pa.DataType]:
    """Column types from the first :data:`TYPE_SAMPLE_ROWS` rows: whole numbers → int64,
    numbers → float64, anything else → text; columns empty in the sample are left to
    the reader. A problem met here is left to the reader too (it names the row)."""
    seen: list[set[str]] = [set() for _ in names]
    try:
        with _text_stream(path, encoding, bom) as stream:
            reader = csv.reader(stream, delimiter=delimiter, strict=True)
            next(reader, None)
            for count, fields in enumerate(reader):
                if count >= TYPE_SAMPLE_ROWS:
                    break
                if len(fields) != len(names):
                    continue
                for j, value in enumerate(fields):
                    value = value.strip()
                    if is_missing_text(value):
                        continue
                    kinds = seen[j]
                    if "text" in kinds:
                        continue
                    if _INTEGER.match(value):
                        kinds.add("int")
                    elif _NUMBER.match(value):
                        kinds.add("float")
                    else:
                        kinds.add("text")
    except (csv.Error, UnicodeDecodeError, OSError, EOFError):
        pass
    types: dict[str, pa.DataType] = {}
    for name, kinds in zip(names, seen, strict=True):
        if "text" in kinds:
            types[name] = pa.string()
        elif "float" in kinds:
            types[name] = pa.float64()
        elif "int" in kinds:
            types[name] = pa.int64()
    return types


_COLUMN_ERROR = re.compile(r"In CSV column #(\d+): CSV conversion error to (\w+)")


def _csv_batches(path: Path, *, file: str, encoding: str, bom: int, names: list[str],
                 delimiter: str, column_types: Mapping[str, pa.DataType]
                 ) -> Iterator[pa.RecordBatch]:
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    read = pcsv.ReadOptions(column_names=names, skip_rows=1, block_size=_CSV_BLOCK,
                            encoding="utf8" if encoding.replace("-", "").lower() in
                            ("utf8", "utf8sig") else encoding)
    parse = pcsv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                              newlines_in_values=True)
    convert = pcsv.ConvertOptions(null_values=list(NA_VALUES), strings_can_be_null=True,
                                  quoted_strings_can_be_null=True,
                                  column_types=dict(column_types))
    stream: IO[bytes] = _open_binary(path)
    stream.read(bom)
    with stream:
        reader = pcsv.open_csv(stream, read_options=read, parse_options=parse,
                               convert_options=convert)
        for batch in reader:
            arrays = [pc.utf8_trim_whitespace(col) if pa.types.is_string(col.type) else col
                      for col in batch.columns]
            yield pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def csv_to_parquet(path: Path, *, target: Path, file: str, encoding: str | None = None,
                   delimiter: str | None = None, check_numbers: bool = True) -> str:
    """Convert a CSV to Parquet; return the encoding used.

    Each column's type is set by its first :data:`TYPE_SAMPLE_ROWS` rows (all whole
    numbers → int64, all numbers → float64, else text); a later value that does not fit
    widens the column where that loses nothing (whole numbers → decimals; a column empty
    in the sample → numbers, then text) and the conversion restarts. A text value in a
    column whose sample held numbers is an error naming its row and column.
    """
    used, bom, ascii_head = _csv_encoding(path, file=file, encoding=encoding)
    names, delim = _header(path, file=file, encoding=used, bom=bom, delimiter=delimiter)
    types = _sample_types(path, encoding=used, bom=bom, delimiter=delim, names=names)
    from_null: set[str] = set()
    for _attempt in range(2 * len(names) + 2):
        inferred: dict[int, pa.DataType] = {}

        def batches(inferred: dict[int, pa.DataType] = inferred, used: str = used,
                    types: dict[str, pa.DataType] = types) -> Iterator[pa.RecordBatch]:
            first_row = 2
            for batch in _csv_batches(path, file=file, encoding=used, bom=bom, names=names,
                                      delimiter=delim, column_types=types):
                if not inferred:
                    inferred.update(enumerate(batch.schema.types))
                    if any(pa.types.is_binary(t) for t in batch.schema.types):
                        raise pa.ArrowInvalid("invalid UTF8 data in the first block")
                if check_numbers:
                    check_batch_finite(batch, file=file, rows=first_row)
                first_row += batch.num_rows
                yield batch

        try:
            write_chunks(target, batches(), file=file)
            return used
        except pa.ArrowInvalid as exc:
            message = str(exc)
            if "invalid UTF8" in message or "UnicodeDecodeError" in message:
                if encoding is None and used == "utf-8" and ascii_head:
                    used = _text.FALLBACK_ENCODING  # documented fallback: Windows-1252
                    types = _sample_types(path, encoding=used, bom=bom, delimiter=delim,
                                          names=names)
                    from_null.clear()
                    continue
                _locate(path, file=file, encoding=used, bom=bom, delimiter=delim,
                        width=len(names), numeric={})
            match = _COLUMN_ERROR.search(message)
            if match is not None:
                name, to = names[int(match.group(1))], match.group(2)
                if (to.startswith(("int", "uint")) and types.get(name) != pa.float64()) or (
                        to == "null" and name not in types):
                    types[name] = pa.float64()
                    if to == "null":
                        from_null.add(name)
                    continue
                if to in ("double", "float") and name in from_null and (
                        types.get(name) == pa.float64()):
                    types[name] = pa.string()
                    continue
            numeric = {j: names[j] for j, t in inferred.items()
                       if pa.types.is_integer(t) or pa.types.is_floating(t)}
            numeric.update({names.index(n): n for n, t in types.items()
                            if pa.types.is_floating(t)})
            _locate(path, file=file, encoding=used, bom=bom, delimiter=delim,
                    width=len(names), numeric=numeric)
            first = message.splitlines()[0] if message else type(exc).__name__
            raise InputError(f"the CSV cannot be read ({first})", file=file,
                             expected="a rectangular CSV with one header row") from None
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            if isinstance(exc, UnicodeDecodeError) and (
                    encoding is None and used == "utf-8" and ascii_head):
                used = _text.FALLBACK_ENCODING
                types = _sample_types(path, encoding=used, bom=bom, delimiter=delim,
                                      names=names)
                from_null.clear()
                continue
            _locate(path, file=file, encoding=used, bom=bom, delimiter=delim,
                    width=len(names), numeric={})
            raise InputError(f"cannot read the file ({type(exc).__name__}: {exc})",
                             file=file) from None
    raise InputError("the CSV's column types cannot be settled", file=file)  # pragma: no cover


# --------------------------------------------------------------------------- Excel


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _excel_table(buffer: list[tuple[int, tuple[Any, ...]]], names: list[str],
                 kinds: dict[str, str], file: str) -> pa.Table:
    columns: dict[str, pa.Array] = {}
    for j, name in enumerate(names):
        values = [r[j] if j < len(r) else None for _, r in buffer]
        values = [None if (v is None or (isinstance(v, str) and is_missing_text(v)))
                  else v for v in values]
        kind = kinds.get(name)
        if kind is None:
            present = [v for v in values if v is not None]
            if present:
                kind = "number" if all(_is_number(v) for v in present) else "text"
                kinds[name] = kind
        if kind == "number":
            out: list[float | None] = []
            for (row_no, _), v in zip(buffer, values, strict=True):
                if v is None:
                    out.append(None)
                elif _is_number(v):
                    out.append(float(v))
                else:
                    raise InputError(f"value {str(v)[:40]!r} is not a number", file=file,
                                     row=row_no, column=name,
                                     expected="a number (the column's earlier values are "
                                              "numbers)")
            columns[name] = pa.array(out, type=pa.float64())
        else:
            columns[name] = pa.array([None if v is None else str(v).strip() for v in values],
                                     type=pa.string())
    return pa.table(columns)


def excel_to_parquet(path: Path, *, target: Path, file: str, sheet: str | None = None,
                     chunk_rows: int = DEFAULT_CHUNK_ROWS, limits: Limits = DEFAULT_LIMITS,
                     check_numbers: bool = True) -> None:
    """Convert one sheet of a workbook to Parquet, ``chunk_rows`` rows at a time. A
    column's type comes from the first chunk that has values in it (all numbers →
    float64, else text); a text cell in a later chunk of a numeric column is an error
    naming its row (as Excel numbers it) and column."""
    book = _excel.open_workbook(path, file=file, limits=limits)
    try:
        ws = _excel.worksheet(book, sheet, file=file)
        rows = _excel.sheet_rows(ws, file=file, limits=limits)
        header = next((values for _row, values in rows), None)
        if header is None or all(h is None or (isinstance(h, str) and not h.strip())
                                 for h in header):
            raise InputError("the sheet has no header row", file=file, row=1,
                             expected="a header row naming the columns in row 1")
        names = column_names(header, file=file)
        kinds: dict[str, str] = {}

        def chunks() -> Iterator[pa.Table]:
            buffer: list[tuple[int, tuple[Any, ...]]] = []
            produced = False
            for row_no, values in rows:
                if not values or all(v is None or (isinstance(v, str) and not v.strip())
                                     for v in values):
                    continue
                stray = [i for i, v in enumerate(values[len(names):], start=len(names) + 1)
                         if v is not None and not (isinstance(v, str) and not v.strip())]
                if stray:
                    raise InputError(f"the row has a value in column {stray[0]}, which has "
                                     "no header", file=file, row=row_no,
                                     expected=f"data within the {len(names)} headed columns")
                buffer.append((row_no, values))
                if len(buffer) >= chunk_rows:
                    table = _excel_table(buffer, names, kinds, file)
                    if check_numbers:
                        check_batch_finite(table, file=file,
                                           rows=np.array([r for r, _ in buffer]))
                    yield table
                    produced = True
                    buffer = []
            if buffer or not produced:
                table = _excel_table(buffer, names, kinds, file)
                if check_numbers and buffer:
                    check_batch_finite(table, file=file, rows=np.array([r for r, _ in buffer]))
                yield table

        write_chunks(target, chunks(), file=file)
    finally:
        _excel.close(book)


# --------------------------------------------------------------------------- SPSS / Stata


def stat_to_parquet(path: Path, *, target: Path, file: str, fmt: str,
                    apply_labels: bool = False, chunk_rows: int = DEFAULT_CHUNK_ROWS,
                    check_numbers: bool = True,
                    ) -> tuple[dict[str, dict[Any, str]], dict[str, str]]:
    """Convert an SPSS or Stata file to Parquet in chunks; return its labels."""
    meta = _stat.read_metadata(path, fmt, file=file)
    column_names(meta.column_names, file=file)
    value_labels, variable_labels = _stat.labels_of(meta)

    def chunks() -> Iterator[pa.Table]:
        first_row = 2
        for frame in _stat.stat_chunks(path, fmt, file=file, chunk_rows=chunk_rows,
                                       apply_labels=apply_labels):
            try:
                table = pa.Table.from_pandas(frame, preserve_index=False)
            except (pa.ArrowException, TypeError, ValueError) as exc:
                raise InputError(f"cannot convert the data ({type(exc).__name__}: {exc})",
                                 file=file) from None
            if check_numbers:
                check_batch_finite(table, file=file, rows=first_row)
            first_row += table.num_rows
            yield table

    write_chunks(target, chunks(), file=file)
    return value_labels, variable_labels


# --------------------------------------------------------------------------- Parquet


def check_parquet(path: Path, *, file: str, check_numbers: bool = True) -> None:
    """Check a Parquet file in place: readable metadata, unique column names, finite
    numbers (streamed batch by batch, floating-point columns only)."""
    try:
        pf = pq.ParquetFile(str(path))
        schema = pf.schema_arrow
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InputError(f"cannot read the Parquet file ({type(exc).__name__}: {exc})",
                         file=file, expected="a valid Parquet file") from None
    column_names(schema.names, file=file)
    if not schema.names:
        raise InputError("the file has no columns", file=file)
    floats = [f.name for f in schema if pa.types.is_floating(f.type)]
    if not (check_numbers and floats):
        return
    first_row = 2
    try:
        for batch in pf.iter_batches(columns=floats, batch_size=1 << 17):
            check_batch_finite(batch, file=file, rows=first_row)
            first_row += batch.num_rows
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"cannot read the Parquet file ({type(exc).__name__}: {exc})",
                         file=file, expected="a valid Parquet file") from None


# --------------------------------------------------------------------------- entry point


def to_parquet(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    sheet: str | None = None,
    apply_labels: bool = False,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    out: str | os.PathLike[str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    check_numbers: bool = True,
    name: str | None = None,
) -> Converted:
    """Make any table file scannable by the engine: a Parquet file, converted in chunks.

    Parameters
    ----------
    path:
        CSV (``.csv``, ``.tsv``, ``.txt``, ``.csv.gz``), Parquet, Excel (``.xlsx``,
        ``.xlsm``), SPSS (``.sav``, ``.zsav``) or Stata (``.dta``).
    format:
        Override the format detected from the suffix.
    sheet:
        Excel sheet (default: the first worksheet).
    apply_labels:
        SPSS/Stata: write labelled values as their labels (text).
    chunk_rows:
        Rows per chunk for Excel, SPSS and Stata.
    out:
        Where to write the Parquet file (default: the scratch directory). A Parquet
        source is checked and used in place unless ``out`` is given.
    encoding, delimiter:
        CSV text encoding and delimiter (default: detected, see :mod:`socmob.io`).
    limits:
        Bounds on workbooks (:class:`socmob.io.Limits`).
    check_numbers:
        Refuse ``inf`` and magnitudes beyond ±1e150 in floating-point columns.
    name:
        The file name used in messages (default: ``path``).

    Raises
    ------
    InputError
        Every problem on one line naming the file and, where known, the row and column.
    """
    source = Path(path)
    file = name or os.fspath(path)
    if not source.exists():
        raise InputError("file not found", file=file, expected="an existing file")
    if not source.is_file():
        raise InputError("not a file", file=file, expected="a file, not a directory")
    if source.stat().st_size == 0:
        raise InputError("the file is empty", file=file, expected="a file with data")
    if chunk_rows < 1:
        raise InputError("chunk_rows must be at least 1", expected="a positive integer")
    fmt = format or detect_format(file)
    check_format(fmt, file=file, allowed=TABLE_FORMATS)
    if limits.max_bytes is not None and source.stat().st_size > limits.max_bytes:
        raise InputError(f"the file is larger than {limits.max_bytes:,} bytes", file=file,
                         expected="a smaller file")
    target = Path(out) if out is not None else scratch_file(source.stem, ".parquet")
    if fmt == "parquet":
        check_parquet(source, file=file, check_numbers=check_numbers)
        if out is None:
            return Converted(path=source, source=file, format=fmt)
        import shutil

        tmp = temp_path_for(target)
        with registered(tmp):
            try:
                shutil.copyfile(source, tmp)
                os.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
        return Converted(path=target, source=file, format=fmt)
    if fmt == "csv":
        used = csv_to_parquet(source, target=target, file=file, encoding=encoding,
                              delimiter=delimiter, check_numbers=check_numbers)
        return Converted(path=target, source=file, format=fmt, encoding=used)
    if fmt == "excel":
        excel_to_parquet(source, target=target, file=file, sheet=sheet, chunk_rows=chunk_rows,
                         limits=limits, check_numbers=check_numbers)
        return Converted(path=target, source=file, format=fmt)
    value_labels, variable_labels = stat_to_parquet(
        source, target=target, file=file, fmt=fmt, apply_labels=apply_labels,
        chunk_rows=chunk_rows, check_numbers=check_numbers)
    return Converted(path=target, source=file, format=fmt, value_labels=value_labels,
                     variable_labels=variable_labels)


__all__ = ["DEFAULT_CHUNK_ROWS", "Converted", "check_batch_finite", "check_parquet",
           "to_parquet", "write_chunks"]
