"""Value-labelled columns from SPSS (``.sav``) and Stata (``.dta``) files.

Survey files store categorical answers as numeric codes with *value labels*
(``1 → "Higher managerial ..."``). :func:`read_labelled` reads such a file with
pyreadstat and keeps the labels beside the codes, so a classifier can work on either:

>>> data = read_labelled("survey.sav", columns=["nssec_parent"])   # doctest: +SKIP
>>> classify_nssec(data.frame["nssec_parent"],                      # doctest: +SKIP
...                value_labels=data.value_labels["nssec_parent"])

:func:`apply_value_labels` turns codes into their labels (unlabelled codes are kept).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socmob.errors import InputError
from socmob.results import Result

_READERS = {".sav": "read_sav", ".zsav": "read_sav", ".por": "read_por", ".dta": "read_dta"}


@dataclass(frozen=True)
class LabelledData(Result):
    """A data frame of codes with the value and column labels of its source file.

    Attributes
    ----------
    frame:
        the data, codes as stored (numbers or strings).
    value_labels:
        column → {code: label} for every value-labelled column.
    column_labels:
        column → its descriptive label (the survey question), where present.
    source:
        the file read.
    """

    frame: pd.DataFrame = field(repr=False)
    value_labels: Mapping[str, Mapping[Any, str]]
    column_labels: Mapping[str, str]
    source: str | None = None

    def labels(self, column: str) -> Mapping[Any, str]:
        """The value labels of ``column`` (empty when it has none)."""
        self._check(column)
        return self.value_labels.get(column, {})

    def labelled(self, column: str) -> pd.Series:
        """``column`` with codes replaced by their labels (unlabelled codes kept)."""
        self._check(column)
        return apply_value_labels(self.frame[column], self.value_labels.get(column, {}))

    def _check(self, column: str) -> None:
        if column not in self.frame.columns:
            raise InputError(
                f"missing column {column!r}",
                file=self.source,
                column=column,
                expected="one of " + ", ".join(map(repr, self.frame.columns[:20])),
            )

    def to_frame(self) -> pd.DataFrame:
        """One row per (column, code, label)."""
        rows = [
            {"column": col, "code": code, "label": label}
            for col, labels in self.value_labels.items()
            for code, label in labels.items()
        ]
        return pd.DataFrame(rows, columns=["column", "code", "label"])


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

    out = series.map(one).astype(object)
    out.name = series.name
    return out


def read_labelled(
    path: str | os.PathLike[str],
    *,
    columns: Sequence[str] | None = None,
) -> LabelledData:
    """Read an SPSS (``.sav``/``.zsav``/``.por``) or Stata (``.dta``) file with its value
    labels, keeping the stored codes in the frame.

    Raises
    ------
    InputError
        unsupported suffix, missing file, unreadable file or unknown column.
    """
    import pyreadstat

    target = Path(path)
    name = str(path)
    reader_name = _READERS.get(target.suffix.lower())
    if reader_name is None:
        raise InputError(
            "unsupported labelled-data format",
            file=name,
            expected="a .sav, .zsav, .por or .dta file",
        )
    if not target.is_file():
        raise InputError("no such file", file=name, expected="an existing file")
    reader = getattr(pyreadstat, reader_name)
    kwargs: dict[str, Any] = {"apply_value_formats": False}
    if columns is not None:
        kwargs["usecols"] = list(columns)
    try:
        frame, meta = reader(str(target), **kwargs)
    except Exception as exc:  # pyreadstat raises its own ReadstatError and others
        raise InputError(f"cannot read the file ({type(exc).__name__}: {exc})", file=name) from None
    if columns is not None:
        for col in columns:
            if col not in frame.columns:
                raise InputError(f"missing column {col!r}", file=name, column=col)
    value_labels: dict[str, dict[Any, str]] = {}
    for col, labels in (meta.variable_value_labels or {}).items():
        if col in frame.columns:
            value_labels[col] = {code: str(label) for code, label in labels.items()}
    column_labels = {
        col: str(label)
        for col, label in (meta.column_names_to_labels or {}).items()
        if label and col in frame.columns
    }
    return LabelledData(
        frame=frame, value_labels=value_labels, column_labels=column_labels, source=name
    )


__all__ = ["LabelledData", "apply_value_labels", "read_labelled"]
