"""The frame reader: a small file (HR extract, index data, long table, survey export)
into a pandas frame, with the one NA convention, checked headers and finite numbers."""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from socmob.checks import MAX_MAGNITUDE, finite
from socmob.errors import InputError
from socmob.io import _excel, _stat, _text
from socmob.io._formats import (
    FRAME_LIMITS,
    NA_VALUES,
    TABLE_FORMATS,
    Limits,
    check_format,
    detect_format,
    file_name,
    is_missing_text,
    sniff,
)

Types = Literal["raw", "infer"]
_NA_SET = frozenset(NA_VALUES)


@dataclass(frozen=True)
class FileData:
    """A table read from a file.

    Attributes
    ----------
    frame:
        The data, one column per header cell, a plain ``RangeIndex``. Text cells are
        ``str`` (surrounding white space removed) or ``None`` when missing.
    source:
        The file name used in messages.
    format:
        ``"csv"``, ``"parquet"``, ``"excel"``, ``"spss"`` or ``"stata"``.
    rows:
        The row number of each frame row as a spreadsheet shows it (header = row 1;
        blank rows are skipped, so numbers may jump).
    encoding:
        The text encoding used (CSV), else ``None``.
    value_labels, variable_labels:
        SPSS/Stata labels (``{column: {code: label}}``, ``{column: label}``).
    """

    frame: pd.DataFrame
    source: str
    format: str
    rows: np.ndarray
    encoding: str | None = None
    value_labels: Mapping[str, Mapping[Any, str]] = field(default_factory=dict)
    variable_labels: Mapping[str, str] = field(default_factory=dict)

    def row_of(self, position: int) -> int:
        """The file row of the frame row at ``position`` (0-based)."""
        return int(self.rows[position])


def column_names(header: Iterable[Any], *, file: str) -> list[str]:
    """Column names from header cells: text with white space trimmed; a blank header
    cell becomes ``column_<n>`` (n = its 1-based position). Duplicate names are an error
    naming every duplicate — never renamed."""
    names: list[str] = []
    for i, h in enumerate(header, start=1):
        if isinstance(h, float) and h.is_integer():
            h = int(h)
        name = "" if h is None else str(h).strip()
        names.append(name or f"column_{i}")
    seen: dict[str, list[int]] = {}
    for i, name in enumerate(names, start=1):
        seen.setdefault(name, []).append(i)
    dups = {n: pos for n, pos in seen.items() if len(pos) > 1}
    if dups:
        listed = "; ".join(f"{n!r} (columns {', '.join(map(str, p))})" for n, p in dups.items())
        first = next(iter(dups))
        raise InputError(f"duplicate column name(s): {listed}", file=file, row=1,
                         column=first, expected="every column named once")
    return names


def _cell(value: Any) -> Any:
    """One spreadsheet cell under the NA convention (text trimmed)."""
    if value is None:
        return None
    if isinstance(value, str):
        return None if is_missing_text(value) else value.strip()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def _build(names: list[str], header_blank: list[bool],
           records: Iterable[tuple[int, list[Any] | tuple[Any, ...]]], *, width: int,
           ) -> tuple[pd.DataFrame, np.ndarray]:
    columns: list[list[Any]] = [[] for _ in range(width)]
    rows: list[int] = []
    for row, fields in records:
        cells = [_cell(v) for v in fields]
        if all(c is None for c in cells):
            continue
        rows.append(row)
        for j in range(width):
            columns[j].append(cells[j] if j < len(cells) else None)
    keep = [j for j in range(width)
            if not (header_blank[j] and all(v is None for v in columns[j]))]
    frame = pd.DataFrame({names[j]: pd.Series(columns[j], dtype=object) for j in keep},
                         columns=[names[j] for j in keep])
    return frame, np.asarray(rows, dtype=np.int64)


def _read_bytes(source: str | os.PathLike[str] | bytes, *, file: str,
                limits: Limits) -> bytes:
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        size = path.stat().st_size
        if limits.max_bytes is not None and size > limits.max_bytes:
            raise InputError(f"the file is {size:,} bytes, more than the "
                             f"{limits.max_bytes:,} allowed", file=file,
                             expected="a smaller file")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read the file ({exc.strerror or exc})",
                             file=file) from None
    if limits.max_bytes is not None and len(data) > limits.max_bytes:
        raise InputError(f"the file is {len(data):,} bytes, more than the "
                         f"{limits.max_bytes:,} allowed", file=file, expected="a smaller file")
    return data


def _csv(data: bytes, *, file: str, encoding: str | None, delimiter: str | None,
         limits: Limits) -> tuple[pd.DataFrame, np.ndarray, str]:
    if sniff(data[:4]) == "gzip":
        data = _text.gunzip(data, file=file, max_bytes=limits.max_uncompressed)
    if not data.strip():
        raise InputError("the file is empty", file=file,
                         expected="a header row naming the columns, then data rows")
    text, used = _text.decode(data, file=file, encoding=encoding, what="CSV text")
    header, records = _text.csv_records(text, file=file, delimiter=delimiter,
                                        max_cells=limits.max_cells, max_rows=limits.max_rows)
    names = column_names(header, file=file)
    blank = [not h.strip() for h in header]
    frame, rows = _build_text(names, blank, records, width=len(header))
    return frame, rows, used


def _build_text(names: list[str], header_blank: list[bool],
                records: Iterable[tuple[int, list[str]]], *, width: int
                ) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`_build` for text cells (CSV), without a function call per cell."""
    missing = _NA_SET
    kept: list[list[str | None]] = []
    rows: list[int] = []
    for row, fields in records:
        cells = [None if (v := x.strip()) in missing else v for x in fields]
        if cells.count(None) == width:
            continue
        kept.append(cells)
        rows.append(row)
    columns = list(zip(*kept, strict=True)) if kept else [() for _ in range(width)]
    keep = [j for j in range(width)
            if not (header_blank[j] and all(v is None for v in columns[j]))]
    frame = pd.DataFrame({names[j]: pd.Series(columns[j], dtype=object) for j in keep},
                         columns=[names[j] for j in keep])
    return frame, np.asarray(rows, dtype=np.int64)


def _excel_frame(source: Path | bytes, *, file: str, sheet: str | None,
                 limits: Limits) -> tuple[pd.DataFrame, np.ndarray]:
    book = _excel.open_workbook(source, file=file, limits=limits)
    try:
        ws = _excel.worksheet(book, sheet, file=file)
        rows_iter = _excel.sheet_rows(ws, file=file, limits=limits)
        header: tuple[Any, ...] | None = None
        for _row, values in rows_iter:
            header = values
            break
        if header is None or all(_cell(h) is None for h in header):
            raise InputError("the sheet is empty" if header is None else
                             "the header row is empty", file=file, row=1,
                             expected="a header row naming the columns in row 1")
        # trailing blank header cells with no data are dropped by _build
        names = column_names(header, file=file)
        blank = [_cell(h) is None for h in header]
        width = len(header)
        data_rows = 0

        def records() -> Any:
            nonlocal data_rows
            for row, values in rows_iter:
                stray = [i for i, v in enumerate(values[width:], start=width + 1)
                         if _cell(v) is not None]
                if stray:
                    raise InputError(f"the row has a value in column {stray[0]}, which has "
                                     "no header", file=file, row=row,
                                     expected=f"data within the {width} headed columns")
                if any(_cell(v) is not None for v in values):
                    data_rows += 1
                    if limits.max_rows is not None and data_rows > limits.max_rows:
                        raise InputError(f"the sheet has more than {limits.max_rows:,} "
                                         "data rows", file=file, row=row,
                                         expected=f"at most {limits.max_rows:,} rows")
                yield row, values[:width]

        frame, rows = _build(names, blank, records(), width=width)
    finally:
        _excel.close(book)
    return frame, rows


def _parquet(source: Path | bytes, *, file: str, limits: Limits) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(pa.BufferReader(source) if isinstance(source, bytes)
                                 else str(source))
        column_names(parquet.schema_arrow.names, file=file)
        table = parquet.read()
    except (pa.ArrowException, OSError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"cannot read the Parquet file ({type(exc).__name__}: {exc})",
                         file=file, expected="a valid Parquet file") from None
    if limits.max_rows is not None and table.num_rows > limits.max_rows:
        raise InputError(f"the file has more than {limits.max_rows:,} data rows", file=file,
                         expected=f"at most {limits.max_rows:,} rows")
    try:
        return table.to_pandas()
    except (pa.ArrowException, ValueError, TypeError) as exc:
        raise InputError(f"cannot convert the Parquet data ({type(exc).__name__}: {exc})",
                         file=file) from None


def _infer(frame: pd.DataFrame) -> pd.DataFrame:
    """Text/object columns whose every non-missing value is a number become numeric
    (int64 when whole and complete, else float64); the rest stay text."""
    out = {}
    for col in frame.columns:
        series = frame[col]
        if series.dtype == object:
            values = [v for v in series.tolist() if v is not None]
            if values and all(
                    (isinstance(v, (int, float, np.integer, np.floating))
                     and not isinstance(v, (bool, np.bool_))) or isinstance(v, str)
                    for v in values):
                with contextlib.suppress(ValueError, TypeError):
                    series = pd.to_numeric(series)
        out[col] = series
    return pd.DataFrame(out, columns=frame.columns)


def _cell_problem(value: Any, max_magnitude: float) -> str | None:
    """Why a cell's number may not enter a measure (``None`` when it may): ``inf``, or a
    magnitude beyond ``max_magnitude``. Text is checked when it reads as such a number
    (``"inf"``, ``"1e308"``); other text is left to the caller."""
    if isinstance(value, str):
        if not ("e" in value or "E" in value or "i" in value or "I" in value
                or len(value) > 150):
            return None
        try:
            number = float(value)
        except ValueError:
            return None
    elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
            value, (bool, np.bool_)):
        try:
            number = float(value)
        except OverflowError:
            return f"value {str(value)[:20]} is too large (|x| > {max_magnitude:g})"
    else:
        return None
    if math.isinf(number):
        return f"value {number:g} is not a finite number"
    if abs(number) > max_magnitude:
        return f"value {number:g} is too large (|x| > {max_magnitude:g})"
    return None


def check_finite(frame: pd.DataFrame, rows: np.ndarray, *, file: str,
                 max_magnitude: float = MAX_MAGNITUDE) -> None:
    """Refuse ``inf`` and numbers beyond ±``max_magnitude`` wherever they stand: in
    numeric columns, as number cells of mixed columns, and as text that reads as such a
    number (``"inf"``, ``"1e308"`` in a raw CSV); the error names the file row and
    column."""
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_bool_dtype(series):
            continue
        if pd.api.types.is_numeric_dtype(series):
            values = series.to_numpy(dtype="float64", na_value=np.nan)
            try:
                finite(values, name=str(col), file=file, row_offset=0, allow_missing=True,
                       max_magnitude=max_magnitude)
            except InputError as exc:
                row = (int(rows[exc.row]) if exc.row is not None and exc.row < len(rows)
                       else None)
                raise dataclasses.replace(exc, row=row) from None
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            cells: list[Any] = series.tolist()
            strings = [v for v in cells if v.__class__ is str]
            if len(strings) + cells.count(None) == len(cells):
                joined = "\x1f".join(strings)
                if not ("e" in joined or "E" in joined or "i" in joined or "I" in joined
                        or (strings and max(map(len, strings)) > 150)):
                    continue  # plain text and plain numbers only: nothing can overflow
            safe: set[str] = set()  # text already found harmless (labels repeat)
            for i, value in enumerate(cells):
                if value is None:
                    continue
                if value.__class__ is str:
                    if value in safe or not (
                            "e" in value or "E" in value or "i" in value or "I" in value
                            or len(value) > 150):
                        continue
                    if len(safe) < 10_000:
                        safe.add(value)
                problem = _cell_problem(value, max_magnitude)
                if problem is not None:
                    raise InputError(problem, file=file,
                                     row=int(rows[i]) if i < len(rows) else None,
                                     column=str(col), expected="a finite number")


def read_file(
    source: str | os.PathLike[str] | bytes,
    *,
    name: str | None = None,
    format: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    types: Types = "raw",
    apply_labels: bool = False,
    allowed: tuple[str, ...] | None = None,
    limits: Limits = FRAME_LIMITS,
    check_numbers: bool = True,
) -> FileData:
    """Read a table file (CSV, Parquet, Excel, SPSS, Stata) into memory.

    Parameters
    ----------
    source:
        A path, or the file's bytes (an upload) with ``name``.
    name:
        The name used in messages (default: the path).
    format:
        ``csv``, ``parquet``, ``excel``, ``spss`` or ``stata``; default from the suffix of
        ``name`` or the path (see :data:`socmob.io.SUFFIXES`).
    sheet:
        Excel sheet (default: the first worksheet).
    encoding:
        Text encoding of a CSV (default: detected; see :func:`socmob.io.decode`).
    delimiter:
        CSV delimiter (default: sniffed from the header: comma, tab, semicolon or bar).
    types:
        ``"raw"``: CSV cells stay text, Excel cells stay as the sheet holds them (numbers,
        text, dates); ``"infer"``: columns whose every value is a number become numeric.
        Typed formats (Parquet, SPSS, Stata) keep their types either way.
    apply_labels:
        SPSS/Stata: replace labelled codes by their labels (answers as text).
    allowed:
        The formats the caller reads (others are refused with a clear message).
    limits:
        Size, row and cell bounds (:class:`socmob.io.Limits`).
    check_numbers:
        Refuse ``inf`` and numbers beyond ±1e150 in numeric columns
        (:func:`socmob.checks.finite`).

    Raises
    ------
    InputError
        Every problem, on one line naming the file, row and column: missing or empty
        file, unknown suffix, wrong encoding, ragged row, duplicate headers, damaged or
        oversized workbook, unreadable Parquet/SPSS/Stata, non-finite number.
    """
    file = file_name(source, name)
    fmt = format or detect_format(file)
    if fmt not in TABLE_FORMATS:
        raise InputError(f"unsupported file type: a {fmt.upper()} document is not a table",
                         file=file, expected="a CSV, Parquet, Excel, SPSS or Stata file")
    check_format(fmt, file=file, allowed=allowed)
    if not isinstance(source, bytes):
        path = Path(source)
        if not path.exists():
            raise InputError("file not found", file=file, expected="an existing file")
        if not path.is_file():
            raise InputError("not a file", file=file, expected="a file, not a directory")
    value_labels: dict[str, dict[Any, str]] = {}
    variable_labels: dict[str, str] = {}
    used: str | None = None
    if fmt == "csv":
        data = _read_bytes(source, file=file, limits=limits)
        frame, rows, used = _csv(data, file=file, encoding=encoding, delimiter=delimiter,
                                 limits=limits)
    elif fmt == "excel":
        if isinstance(source, bytes):
            _read_bytes(source, file=file, limits=limits)
            frame, rows = _excel_frame(source, file=file, sheet=sheet, limits=limits)
        else:
            _read_bytes_size(Path(source), file=file, limits=limits)
            frame, rows = _excel_frame(Path(source), file=file, sheet=sheet, limits=limits)
    else:
        if isinstance(source, bytes):
            _read_bytes(source, file=file, limits=limits)
        else:
            _read_bytes_size(Path(source), file=file, limits=limits)
        if fmt == "parquet":
            frame = _parquet(source if isinstance(source, bytes) else Path(source),
                             file=file, limits=limits)
        else:
            frame, value_labels, variable_labels = _stat_frame(source, fmt, file=file)
            if apply_labels:
                for col, labels in value_labels.items():
                    frame[col] = _stat.apply_value_labels(frame[col], labels)
        if frame.empty and len(frame.columns) == 0:
            raise InputError("the file has no columns", file=file)
        rows = np.arange(len(frame), dtype=np.int64) + 2
    if types == "infer":
        frame = _infer(frame)
    if check_numbers:
        check_finite(frame, rows, file=file)
    return FileData(frame=frame.reset_index(drop=True), source=file, format=fmt, rows=rows,
                    encoding=used, value_labels=value_labels, variable_labels=variable_labels)


def _read_bytes_size(path: Path, *, file: str, limits: Limits) -> None:
    size = path.stat().st_size
    if size == 0:
        raise InputError("the file is empty", file=file, expected="a file with data")
    if limits.max_bytes is not None and size > limits.max_bytes:
        raise InputError(f"the file is {size:,} bytes, more than the {limits.max_bytes:,} "
                         "allowed", file=file, expected="a smaller file")


def _stat_frame(source: str | os.PathLike[str] | bytes, fmt: str, *, file: str
                ) -> tuple[pd.DataFrame, dict[str, dict[Any, str]], dict[str, str]]:
    if isinstance(source, bytes):
        from socmob.io.scratch import scratch_file

        temp = scratch_file("upload", ".sav" if fmt == "spss" else ".dta")
        temp.write_bytes(source)
        try:
            return _stat.read_stat(temp, fmt, file=file)
        finally:
            temp.unlink(missing_ok=True)
    return _stat.read_stat(Path(source), fmt, file=file)


def read_frame(source: str | os.PathLike[str] | bytes, **kwargs: Any) -> pd.DataFrame:
    """Shorthand for ``read_file(source, **kwargs).frame``."""
    return read_file(source, **kwargs).frame


__all__ = ["FileData", "check_finite", "column_names", "read_file", "read_frame"]
