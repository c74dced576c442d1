"""The one suffix map, content sniffing, the NA convention and the read limits."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from socmob.errors import InputError

SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".sav": "spss",
    ".zsav": "spss",
    ".por": "spss",
    ".dta": "stata",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
}
"""File suffix → format. ``.gz`` after a text suffix (``.csv.gz``, ``.tsv.gz``) is a
gzip-compressed CSV."""

TABLE_FORMATS: tuple[str, ...] = ("csv", "parquet", "excel", "spss", "stata")
"""Formats that hold a table (the rest are documents: YAML, JSON)."""

_REFUSED: dict[str, str] = {
    ".xls": "the old binary Excel format (.xls) is not supported; save the sheet as .xlsx",
    ".ods": "OpenDocument spreadsheets are not supported; save the sheet as .xlsx or .csv",
}

NA_VALUES: tuple[str, ...] = ("", "NA", "N/A", "n/a", "#N/A", "NaN", "nan", "NULL", "null")
"""The one NA convention: a text cell is missing when, with surrounding white space
removed, it is empty or one of these tokens (R writes ``NA``, Excel shows ``#N/A``,
databases export ``NULL``). Typed formats keep their own missing values (Parquet nulls,
SPSS/Stata system-missing)."""

_NA = frozenset(NA_VALUES)


def is_missing_text(text: str) -> bool:
    """Whether a text cell is missing under :data:`NA_VALUES`."""
    return text.strip() in _NA


@dataclass(frozen=True)
class Limits:
    """Bounds on what a reader accepts (``None`` = no bound).

    max_bytes : size of the file as stored.
    max_uncompressed : total uncompressed size of an ``.xlsx`` archive's members (a
        zip bomb declares a small file and expands to gigabytes).
    max_ratio : largest compression ratio of one ``.xlsx`` member over 1 MB.
    max_cells : cells read from a spreadsheet or CSV (rows × columns).
    max_rows : data rows (the header not counted).
    """

    max_bytes: int | None = None
    max_uncompressed: int | None = 2 * 1024**3
    max_ratio: float | None = 1000.0
    max_cells: int | None = 200_000_000
    max_rows: int | None = None


DEFAULT_LIMITS = Limits()
FRAME_LIMITS = Limits(max_bytes=2 * 1024**3, max_uncompressed=1024**3, max_cells=50_000_000)
"""Limits of :func:`socmob.io.read_frame` (small files held in memory)."""

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "zip"),
    (b"PAR1", "parquet"),
    (b"$FL2", "spss"),
    (b"$FL3", "spss"),
    (b"\x1f\x8b", "gzip"),
    (b"<stata_dta>", "stata"),
)


def sniff(head: bytes) -> str | None:
    """The container a file's first bytes announce (``zip``, ``parquet``, ``spss``,
    ``gzip``, ``stata``), or ``None`` for anything else (text, old Stata)."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return None


def detect_format(path: str | os.PathLike[str]) -> str:
    """The format of ``path`` from its suffix (``.csv.gz`` counts as CSV).

    Raises
    ------
    InputError
        an unknown or unsupported suffix, naming the file and the suffixes understood.
    """
    p = Path(path)
    name = p.name.lower()
    suffix = p.suffix.lower()
    if suffix == ".gz":
        inner = Path(name[: -len(".gz")]).suffix
        suffix = inner if SUFFIXES.get(inner) == "csv" else ""
    if suffix in _REFUSED:
        raise InputError(_REFUSED[suffix], file=str(path))
    fmt = SUFFIXES.get(suffix)
    if fmt is None:
        raise InputError(
            "unrecognised file type" + (f" {suffix!r}" if suffix else " (no suffix)"),
            file=str(path),
            expected="one of " + ", ".join(sorted(set(SUFFIXES) | {".csv.gz"})),
        )
    return fmt


def check_format(fmt: str, *, file: str | None, allowed: tuple[str, ...] | None) -> None:
    """Refuse a format the caller does not read."""
    if allowed is not None and fmt not in allowed:
        names = {"csv": "CSV", "parquet": "Parquet", "excel": "Excel (.xlsx)",
                 "spss": "SPSS (.sav)", "stata": "Stata (.dta)", "yaml": "YAML",
                 "json": "JSON"}
        raise InputError(f"unsupported file type: {names.get(fmt, fmt)} files are not read "
                         "here", file=file,
                         expected=" or ".join(names.get(a, a) for a in allowed))


def file_name(source: Any, name: str | None) -> str:
    """The name used in messages for ``source`` (a path, or bytes with ``name``)."""
    if name:
        return name
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return "<upload>"


__all__ = [
    "DEFAULT_LIMITS",
    "FRAME_LIMITS",
    "NA_VALUES",
    "SUFFIXES",
    "TABLE_FORMATS",
    "Limits",
    "check_format",
    "detect_format",
    "file_name",
    "is_missing_text",
    "sniff",
]
