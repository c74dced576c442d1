"""Excel ``.xlsx`` / ``.xlsm`` workbooks, opened only after the archive has been checked.

An ``.xlsx`` file is a ZIP archive of XML parts. Before openpyxl sees it, the archive is
checked: it must be a ZIP (not an old ``.xls``, an encrypted workbook or any other file
with an ``.xlsx`` name), hold ``xl/workbook.xml``, and its members must not expand beyond
:attr:`Limits.max_uncompressed` in total or by more than :attr:`Limits.max_ratio` each (a
zip bomb). Python's ``zipfile`` never reads past a member's declared size, so the
declared sizes bound what is decompressed. Rows are then streamed (read-only mode,
declared sheet dimensions ignored) with a bound on the number of cells; anything
openpyxl, ``zipfile`` or the XML parser raise on a damaged file becomes one
:class:`~socmob.errors.InputError`.
"""

from __future__ import annotations

import contextlib
import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from socmob.errors import InputError
from socmob.io._formats import Limits

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_RATIO_FLOOR = 1 << 20  # members under 1 MB uncompressed are never called bombs


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def check_archive(source: Path | bytes, *, file: str, limits: Limits) -> None:
    """Refuse anything but a plausible, bounded ``.xlsx`` archive."""
    if isinstance(source, bytes):
        head = source[:8]
        size = len(source)
    else:
        with open(source, "rb") as handle:
            head = handle.read(8)
        size = os.path.getsize(source)
    if size == 0:
        raise InputError("the file is empty", file=file, expected="an Excel (.xlsx) workbook")
    if head.startswith(_OLE2):
        raise InputError("the file is an old binary (.xls) or password-protected workbook",
                         file=file, expected="an unprotected .xlsx workbook (save as .xlsx)")
    if not head.startswith(b"PK\x03\x04"):
        raise InputError("the file is not an Excel workbook (an .xlsx file is a ZIP "
                         "archive; this one is not)", file=file,
                         expected="an Excel (.xlsx) workbook")
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source
                             ) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise InputError(f"the workbook is truncated or damaged ({_describe(exc)})",
                         file=file, expected="a complete Excel (.xlsx) workbook") from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise InputError("the file is a ZIP archive but not an Excel workbook (no "
                         "xl/workbook.xml)", file=file, expected="an Excel (.xlsx) workbook")
    total = sum(i.file_size for i in infos)
    if limits.max_uncompressed is not None and total > limits.max_uncompressed:
        raise InputError(f"the workbook expands to {total:,} bytes, more than the "
                         f"{limits.max_uncompressed:,} allowed", file=file,
                         expected="a smaller workbook (or CSV)")
    if limits.max_ratio is not None:
        for info in infos:
            if info.file_size > _RATIO_FLOOR and (
                    info.file_size > limits.max_ratio * max(info.compress_size, 1)):
                raise InputError(f"the workbook part {info.filename} expands "
                                 f"{info.file_size / max(info.compress_size, 1):,.0f}-fold "
                                 "(a zip bomb?)", file=file,
                                 expected="an ordinary Excel (.xlsx) workbook")


def open_workbook(source: Path | bytes, *, file: str, limits: Limits,
                  read_only: bool = True) -> Any:
    """The openpyxl workbook of a checked archive (``data_only``: cached formula
    values, never formulas)."""
    from openpyxl import load_workbook

    check_archive(source, file=file, limits=limits)
    try:
        return load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source,
                             read_only=read_only, data_only=True)
    except Exception as exc:  # openpyxl, zipfile and XML parsers raise many kinds
        raise InputError(f"the workbook cannot be opened ({_describe(exc)})", file=file,
                         expected="a valid Excel (.xlsx) workbook") from None


def worksheet(book: Any, sheet: str | None, *, file: str) -> Any:
    """The sheet named ``sheet`` (default: the first worksheet)."""
    names = list(book.sheetnames)
    if sheet is not None:
        if sheet not in names:
            raise InputError(f"no sheet named {sheet!r}", file=file,
                             expected="one of " + ", ".join(repr(n) for n in names))
        ws = book[sheet]
    else:
        if not book.worksheets:
            raise InputError("the workbook has no worksheet", file=file,
                             expected="a workbook with a data sheet")
        ws = book.worksheets[0]
    if not hasattr(ws, "iter_rows"):
        raise InputError(f"sheet {ws.title!r} is a chart, not a table", file=file,
                         expected="a worksheet")
    return ws


def sheet_rows(ws: Any, *, file: str, limits: Limits) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """``(row number, values)`` of every row of ``ws`` (blank rows included, row numbers
    as Excel shows them), bounded by ``limits.max_cells``."""
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()  # a crafted <dimension> can claim 16,384 columns
    cells = 0
    row_no = 0
    rows = ws.iter_rows(values_only=True)
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # damaged XML or archive found mid-sheet
            raise InputError(f"the sheet cannot be read ({_describe(exc)})", file=file,
                             row=row_no + 1, expected="a valid Excel (.xlsx) workbook"
                             ) from None
        row_no += 1
        cells += len(values)
        if limits.max_cells is not None and cells > limits.max_cells:
            raise InputError(f"the sheet has more than {limits.max_cells:,} cells",
                             file=file, row=row_no, expected="a smaller sheet (or CSV)")
        yield row_no, tuple(values)


def close(book: Any) -> None:
    """Close a workbook (read-only workbooks keep the archive open)."""
    with contextlib.suppress(Exception):  # a damaged archive must not mask the error
        book.close()


__all__ = ["check_archive", "close", "open_workbook", "sheet_rows", "worksheet"]
