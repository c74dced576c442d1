"""Text files: bytes → text (encoding detected or stated), and CSV rows with their row
numbers, ragged rows refused."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
import zlib
from collections.abc import Iterator

from socmob.errors import InputError

FALLBACK_ENCODING = "cp1252"
"""Encoding assumed for text that is not valid UTF-8 and has no byte-order mark:
Windows-1252 (a superset of Latin-1), what Excel on a UK or Western European Windows
machine writes when it saves "CSV"."""

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
DELIMITERS = (",", "\t", ";", "|")


def _row_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def gunzip(data: bytes, *, file: str, max_bytes: int | None) -> bytes:
    """Decompress gzip ``data``, refusing more than ``max_bytes`` of output."""
    out = io.BytesIO()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            while True:
                block = stream.read(1 << 20)
                if not block:
                    break
                out.write(block)
                if max_bytes is not None and out.tell() > max_bytes:
                    raise InputError(f"the compressed file expands to more than "
                                     f"{max_bytes:,} bytes", file=file,
                                     expected="a smaller file")
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"cannot decompress the gzip file ({exc})", file=file,
                         expected="a complete .gz file") from None
    return out.getvalue()


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 text without a byte-order mark: ASCII characters leave a NUL in every
    other byte."""
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even = sum(1 for i in range(0, 2 * pairs, 2) if head[i] == 0)
    odd = sum(1 for i in range(1, 2 * pairs, 2) if head[i] == 0)
    if odd >= 0.6 * pairs and even == 0:
        return "utf-16-le"
    if even >= 0.6 * pairs and odd == 0:
        return "utf-16-be"
    return None


def detect_encoding(head: bytes, *, final: bool = True) -> tuple[str, int]:
    """``(encoding, length of the byte-order mark)`` of text starting with ``head``: a
    byte-order mark decides (UTF-8, UTF-16, UTF-32); then UTF-16 recognised by its NUL
    bytes; then UTF-8 if ``head`` is valid UTF-8 (a character cut at the end of a head
    that is not ``final`` is fine); else :data:`FALLBACK_ENCODING`."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name, len(bom)
    if b"\x00" in head[:4096]:
        guess = _utf16_without_bom(head[:4096])
        if guess is not None:
            return guess, 0
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=final)
    except UnicodeDecodeError:
        return FALLBACK_ENCODING, 0
    return "utf-8", 0


def check_encoding(encoding: str, *, file: str) -> str:
    """``encoding`` if Python knows it, else an error."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}", file=file,
                         expected="an encoding such as utf-8, cp1252 or latin-1") from None
    return encoding


def decode_checked(data: bytes, encoding: str, *, file: str, what: str = "text",
                   final: bool = True, stated: bool = False) -> str:
    """``data`` decoded with ``encoding``; refuses undecodable bytes (naming the row) and
    control characters (binary files)."""
    wide = encoding.replace("_", "-").lower().startswith(("utf-16", "utf-32", "utf16",
                                                           "utf32"))
    nul = -1 if wide else data.find(b"\x00")
    if nul >= 0:
        raise InputError(f"the file is not {what} (it holds NUL bytes, as binary files do)",
                         file=file, row=_row_of(data, nul), expected=f"a {what} file")
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(data, final=final)
    except UnicodeDecodeError as exc:
        row = _row_of(data, exc.start)
        hint = f"the file is not {encoding}" if stated else "state the file's encoding"
        raise InputError(f"byte {data[exc.start:exc.start + 1]!r} cannot be read as "
                         f"{encoding} {what}; {hint}", file=file, row=row,
                         expected="UTF-8 text (or a stated encoding)") from None
    bad = _CONTROL.search(text)
    if bad is not None:
        row = text.count("\n", 0, bad.start()) + 1
        raise InputError(f"the file is not {what} (it holds the control character "
                         f"{bad.group()!r}, as binary files do)", file=file, row=row,
                         expected=f"a {what} file")
    return text


def decode(data: bytes, *, file: str, encoding: str | None = None,
           what: str = "text") -> tuple[str, str]:
    """``(text, encoding)`` of ``data``: a stated ``encoding`` is used as is (a UTF-8
    byte-order mark skipped), else :func:`detect_encoding` decides. Text with control
    characters (NUL and the like, as in binary files) is refused.

    Raises
    ------
    InputError
        naming the file and the row of the first byte that does not decode.
    """
    if encoding is not None:
        used = check_encoding(encoding, file=file)
        bom = len(codecs.BOM_UTF8) if (data.startswith(codecs.BOM_UTF8) and used.lower()
                                       .replace("_", "-") in ("utf-8", "utf8")) else 0
    else:
        used, bom = detect_encoding(data)
    return decode_checked(data[bom:], used, file=file, what=what,
                          stated=encoding is not None), used


def sniff_delimiter(header_line: str, default: str = ",") -> str:
    """The delimiter of a CSV from its header line: the most frequent of
    :data:`DELIMITERS` outside quotes (``default`` when none occurs)."""
    outside = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else default


def csv_records(text: str, *, file: str, delimiter: str | None = None,
                max_cells: int | None = None, max_rows: int | None = None,
                ) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """``(header, records)`` of CSV text; ``records`` yields ``(row, fields)`` with the
    row numbered as in a spreadsheet (header = row 1, one row per record, blank lines
    counted and skipped; a row of empty fields is yielded, for the caller to drop).

    Raises
    ------
    InputError
        an empty file or header, a quoting error, a row whose number of fields differs
        from the header's (ragged), too many rows or cells; each names the row.
    """
    first_line = text.split("\n", 1)[0]
    delim = delimiter or sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)

    def wrap(exc: csv.Error, row: int) -> InputError:
        return InputError(f"the CSV cannot be parsed: {exc}", file=file, row=row,
                          expected="well-formed CSV (quotes doubled inside quoted fields)")

    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise wrap(exc, 1) from None
    if header is None or not any(h.strip() for h in header):
        raise InputError("the file is empty" if header is None and not text.strip()
                         else "the header row is empty", file=file, row=1,
                         expected="a header row naming the columns")
    width = len(header)

    def records() -> Iterator[tuple[int, list[str]]]:
        row = 1
        rows = 0
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise wrap(exc, row + 1) from None
            row += 1
            if len(fields) != width:
                if not fields or not any(f.strip() for f in fields):
                    continue  # a blank line (rows of empty fields are dropped by callers)
                raise InputError(f"the row has {len(fields)} fields but the header has "
                                 f"{width}", file=file, row=row,
                                 expected=f"{width} fields on every row (a ragged row: "
                                          "check for an unquoted delimiter)")
            rows += 1
            if max_rows is not None and rows > max_rows:
                raise InputError(f"the file has more than {max_rows:,} data rows",
                                 file=file, row=row, expected=f"at most {max_rows:,} rows")
            if max_cells is not None and rows * width > max_cells:
                raise InputError(f"the file has more than {max_cells:,} cells", file=file,
                                 row=row, expected="a smaller table")
            yield row, fields

    return header, records()


__all__ = ["DELIMITERS", "FALLBACK_ENCODING", "check_encoding", "csv_records", "decode",
           "decode_checked", "detect_encoding", "gunzip", "sniff_delimiter"]
