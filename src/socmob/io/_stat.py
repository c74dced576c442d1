"""SPSS (``.sav``, ``.zsav``, portable ``.por``) and Stata (``.dta``) files with their
value and variable labels, through pyreadstat; its errors become one-line
:class:`~socmob.errors.InputError` messages."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socmob.errors import InputError


def _reader(fmt: str, path: Path) -> Any:
    import pyreadstat

    if fmt == "stata":
        return pyreadstat.read_dta
    return pyreadstat.read_por if path.suffix.lower() == ".por" else pyreadstat.read_sav


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _plain_key(key: Any) -> Any:
    if isinstance(key, float) and math.isfinite(key) and key.is_integer():
        return int(key)
    return key


def labels_of(meta: Any) -> tuple[dict[str, dict[Any, str]], dict[str, str]]:
    """``(value_labels, variable_labels)`` from pyreadstat metadata; integral float codes
    become ints (SPSS stores every number as a double)."""
    value_labels: dict[str, dict[Any, str]] = {}
    per_variable = dict(meta.variable_value_labels or {})
    for column, label_set in (meta.variable_to_label or {}).items():
        mapping = per_variable.get(column)
        if mapping is None:
            mapping = (meta.value_labels or {}).get(label_set, {})
        value_labels[column] = {_plain_key(k): str(v) for k, v in mapping.items()}
    for column, mapping in per_variable.items():
        value_labels.setdefault(column, {_plain_key(k): str(v) for k, v in mapping.items()})
    variable_labels = {str(col): str(label) for col, label in
                       (meta.column_names_to_labels or {}).items() if label}
    return value_labels, variable_labels


def read_metadata(path: Path, fmt: str, *, file: str) -> Any:
    """pyreadstat's metadata of the file (no data read)."""
    try:
        _, meta = _reader(fmt, path)(str(path), metadataonly=True)
    except Exception as exc:  # pyreadstat raises ReadstatError, PyreadstatError, OSError
        raise InputError(f"cannot read the {_name(fmt)} file ({_describe(exc)})", file=file,
                         expected=f"a valid {_name(fmt)} file") from None
    return meta


def _name(fmt: str) -> str:
    return "SPSS" if fmt == "spss" else "Stata"


def read_stat(path: Path, fmt: str, *, file: str, columns: list[str] | None = None
              ) -> tuple[pd.DataFrame, dict[str, dict[Any, str]], dict[str, str]]:
    """``(frame of stored codes, value_labels, variable_labels)``."""
    kwargs: dict[str, Any] = {"apply_value_formats": False}
    if columns is not None:
        meta = read_metadata(path, fmt, file=file)
        missing = [c for c in columns if c not in meta.column_names]
        if missing:
            raise InputError(f"missing column {missing[0]!r}", file=file, row=1,
                             column=missing[0], expected="one of " + ", ".join(
                                 repr(c) for c in meta.column_names[:20]))
        kwargs["usecols"] = list(columns)
    try:
        frame, meta = _reader(fmt, path)(str(path), **kwargs)
    except Exception as exc:
        raise InputError(f"cannot read the {_name(fmt)} file ({_describe(exc)})", file=file,
                         expected=f"a valid {_name(fmt)} file") from None
    value_labels, variable_labels = labels_of(meta)
    keep = set(frame.columns)
    return (frame, {c: v for c, v in value_labels.items() if c in keep},
            {c: v for c, v in variable_labels.items() if c in keep})


def stat_chunks(path: Path, fmt: str, *, file: str, chunk_rows: int,
                apply_labels: bool) -> Iterator[pd.DataFrame]:
    """The file in frames of ``chunk_rows`` rows (labels applied on request)."""
    import pyreadstat

    iterator = pyreadstat.read_file_in_chunks(
        _reader(fmt, path), str(path), chunksize=chunk_rows, apply_value_formats=apply_labels,
        formats_as_category=False)
    while True:
        try:
            frame, _meta = next(iterator)
        except StopIteration:
            return
        except Exception as exc:
            raise InputError(f"cannot read the {_name(fmt)} file ({_describe(exc)})",
                             file=file, expected=f"a valid {_name(fmt)} file") from None
        yield frame


def apply_value_labels(series: pd.Series, labels: Mapping[Any, str]) -> pd.Series:
    """Replace codes by their labels; codes without a label and missing values are kept.

    Integral float codes (``1.0``, as SPSS stores numbers) match integer keys.
    """
    lookup: dict[Any, str] = {}
    for code, label in labels.items():
        lookup[code] = label
        if isinstance(code, (float, np.floating)) and float(code).is_integer():
            lookup[int(code)] = label
        elif isinstance(code, (int, np.integer)):
            lookup[float(code)] = label

    def one(value: Any) -> Any:
        try:
            return lookup.get(value, value)
        except TypeError:
            return value

    out = series.astype(object).map(one).astype(object)
    out.name = series.name
    return out


__all__ = ["apply_value_labels", "labels_of", "read_metadata", "read_stat", "stat_chunks"]
