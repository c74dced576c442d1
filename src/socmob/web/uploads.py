"""Reading uploaded files safely: size and row limits, and type sniffing by content.

The file name and the browser's content type are not trusted: the first bytes decide.
A CSV must be UTF-8 (or UTF-8 with a byte-order mark) text with no NUL bytes; an Excel
workbook must be a ZIP container holding ``xl/workbook.xml``. Anything else is refused
with a message that says what was expected. Uploads are read into memory, parsed, and
discarded when the request ends.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import pandas as pd

from socmob.errors import InputError

ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Upload:
    """An uploaded file: its name as given and its bytes."""

    filename: str
    content: bytes


def sniff(upload: Upload) -> str:
    """Return ``"csv"`` or ``"xlsx"`` from the content, or raise :class:`InputError`."""
    head = upload.content[:4096]
    if not upload.content.strip():
        raise InputError("the file is empty", file=upload.filename,
                         expected="a CSV or Excel (.xlsx) file with a header row")
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(upload.content)) as archive:
                if "xl/workbook.xml" in archive.namelist():
                    return "xlsx"
        except zipfile.BadZipFile:
            pass
        raise InputError("the file is a ZIP archive but not an Excel workbook",
                         file=upload.filename, expected="a CSV or Excel (.xlsx) file")
    if b"\x00" in head:
        raise InputError("the file is not text (it looks like a binary file)",
                         file=upload.filename, expected="a CSV or Excel (.xlsx) file")
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError:
        # a multi-byte character cut at the 4 KiB boundary is fine; anything else is not
        try:
            head[:-4].decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError("the file is not UTF-8 text", file=upload.filename,
                             expected="a CSV saved as UTF-8, or an Excel (.xlsx) file") from None
    return "csv"


def read_table(upload: Upload, *, max_rows: int) -> pd.DataFrame:
    """Parse an uploaded CSV or XLSX into a frame of strings (types are the library's
    business), refusing more than ``max_rows`` data rows."""
    kind = sniff(upload)
    try:
        if kind == "xlsx":
            frame = pd.read_excel(io.BytesIO(upload.content), dtype=str, nrows=max_rows + 1,
                                  engine="openpyxl")
        else:
            frame = pd.read_csv(io.BytesIO(upload.content), dtype=str, nrows=max_rows + 1,
                                encoding="utf-8-sig", keep_default_na=False,
                                na_values=[""])
    except (ValueError, pd.errors.ParserError, zipfile.BadZipFile, KeyError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"the file could not be read: {first}", file=upload.filename,
                         expected="a rectangular table with one header row") from None
    if len(frame) > max_rows:
        raise InputError(f"the file has more than {max_rows:,} data rows",
                         file=upload.filename, expected=f"at most {max_rows:,} rows")
    if frame.empty:
        raise InputError("the file has a header but no data rows", file=upload.filename,
                         expected="at least one data row")
    return frame
