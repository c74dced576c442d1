"""The one reading layer: every file socmob reads comes through here.

One suffix map (:data:`SUFFIXES`), one NA convention (:data:`NA_VALUES`), one path for
SPSS/Stata value labels, and one kind of error: an
:class:`~socmob.errors.InputError` on one line naming the file, row and column. The
pillars keep only their own domain checks.

Two shapes:

- :func:`read_file` / :func:`read_frame` — a small table file into memory (HR extracts,
  index data, long tables, survey exports, uploads given as bytes);
- :func:`to_parquet` — any table file as one Parquet file for the engine, converted in
  chunks (:func:`socmob.engine.readers.read_microdata` is built on it).

Documents (mappings, answers) are read by :func:`read_yaml`, :func:`read_json` and
:func:`read_document`: UTF-8 only, bounded, parsed safely.

The conventions are set out in ``docs/reading.md``. Importing this package is cheap:
the readers load pandas and pyarrow on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from socmob.io._documents import (
        MAX_DOCUMENT_BYTES,
        read_document,
        read_json,
        read_yaml,
    )
    from socmob.io._formats import (
        DEFAULT_LIMITS,
        FRAME_LIMITS,
        NA_VALUES,
        SUFFIXES,
        TABLE_FORMATS,
        Limits,
        detect_format,
        is_missing_text,
        sniff,
    )
    from socmob.io._frame import FileData, check_finite, column_names, read_file, read_frame
    from socmob.io._microdata import DEFAULT_CHUNK_ROWS, Converted, to_parquet
    from socmob.io._stat import apply_value_labels
    from socmob.io._text import FALLBACK_ENCODING, decode, detect_encoding

_EXPORTS: dict[str, str] = {
    "MAX_DOCUMENT_BYTES": "_documents",
    "read_document": "_documents",
    "read_json": "_documents",
    "read_yaml": "_documents",
    "DEFAULT_LIMITS": "_formats",
    "FRAME_LIMITS": "_formats",
    "NA_VALUES": "_formats",
    "SUFFIXES": "_formats",
    "TABLE_FORMATS": "_formats",
    "Limits": "_formats",
    "detect_format": "_formats",
    "is_missing_text": "_formats",
    "sniff": "_formats",
    "FileData": "_frame",
    "check_finite": "_frame",
    "column_names": "_frame",
    "read_file": "_frame",
    "read_frame": "_frame",
    "DEFAULT_CHUNK_ROWS": "_microdata",
    "Converted": "_microdata",
    "to_parquet": "_microdata",
    "apply_value_labels": "_stat",
    "FALLBACK_ENCODING": "_text",
    "decode": "_text",
    "detect_encoding": "_text",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'socmob.io' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"socmob.io.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "DEFAULT_LIMITS",
    "FALLBACK_ENCODING",
    "FRAME_LIMITS",
    "MAX_DOCUMENT_BYTES",
    "NA_VALUES",
    "SUFFIXES",
    "TABLE_FORMATS",
    "Converted",
    "FileData",
    "Limits",
    "apply_value_labels",
    "check_finite",
    "column_names",
    "decode",
    "detect_encoding",
    "detect_format",
    "is_missing_text",
    "read_document",
    "read_file",
    "read_frame",
    "read_json",
    "read_yaml",
    "sniff",
    "to_parquet",
]
