"""Builders of good and corrupt input files, shared by the reading-layer tests and the
fuzz suite (loaded by their conftest files as the ``corrupt`` fixture)."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook


def workbook_bytes(rows: list[list[object]], *, title: str = "data") -> bytes:
    """An .xlsx workbook holding ``rows`` (the first is the header)."""
    book = Workbook()
    ws = book.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_bomb_xlsx(expanded: int = 300 * 1024 * 1024) -> bytes:
    """A workbook whose sheet XML expands to ``expanded`` bytes: a few hundred kB on
    disk, hundreds of MB once decompressed."""
    base = workbook_bytes([["a", "b"], [1, 2]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(
            out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with dst.open(item.filename, "w", force_zip64=True) as handle:
                    chunk = b" " * (1 << 20)
                    for _ in range(expanded // len(chunk)):
                        handle.write(chunk)
            else:
                dst.writestr(item, src.read(item.filename))
    return out.getvalue()


def replace_part(data: bytes, name: str, content: bytes) -> bytes:
    """``data`` (an .xlsx) with its part ``name`` replaced by ``content``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(
            out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, content if item.filename == name else src.read(item.filename))
    return out.getvalue()


def zip_without_workbook() -> bytes:
    """A ZIP archive that is not a workbook."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return out.getvalue()


def bad_xlsx_variants(good: bytes) -> dict[str, bytes]:
    """Damaged versions of a good workbook, by name."""
    return {
        "truncated": good[: len(good) // 2],
        "truncated_tail": good[:-200],
        "not_zip": b"this is plain text with an .xlsx name\n",
        "zip_not_workbook": zip_without_workbook(),
        "ole2_xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
        "malformed_sheet_xml": replace_part(good, "xl/worksheets/sheet1.xml",
                                            b"<worksheet><sheetData><row r='1'><c"),
        "malformed_workbook_xml": replace_part(good, "xl/workbook.xml", b"<<<not xml"),
        "empty_workbook_xml": replace_part(good, "xl/workbook.xml", b""),
        "bad_styles": replace_part(good, "xl/styles.xml", b"<styleSheet><oops"),
    }


def text_variants(header: str, rows: list[str]) -> dict[str, bytes]:
    """A small CSV in several encodings and damaged forms, by name."""
    body = header + "\n" + "\n".join(rows) + "\n"
    return {
        "utf8": body.encode("utf-8"),
        "utf8_bom": b"\xef\xbb\xbf" + body.encode("utf-8"),
        "utf16": body.encode("utf-16"),
        "latin1": body.replace(rows[0], rows[0] + "é" if not rows[0].endswith(",") else
                               rows[0]).encode("latin-1"),
        "binary": bytes(range(256)) * 8,
        "empty": b"",
        "blank": b"\n\n  \n",
        "header_only": (header + "\n").encode(),
        "ragged": (header + "\n" + rows[0] + ",extra\n").encode(),
        "duplicate_header": (header + "," + header.split(",")[0] + "\n"
                             + "\n".join(r + ",x" for r in rows) + "\n").encode(),
    }
