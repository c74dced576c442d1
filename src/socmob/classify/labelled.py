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

import pandas as pd

from socmob.errors import InputError
from socmob.io._stat import apply_value_labels


@dataclass(frozen=True)
class LabelledData:
    """A data frame of codes with the value and column labels of its source file.

    Input data, not a result: it has no tidy rows (:meth:`to_frame` lists the labels).

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


def read_labelled(
    path: str | os.PathLike[str],
    *,
    columns: Sequence[str] | None = None,
) -> LabelledData:
    """Read an SPSS (``.sav``/``.zsav``/``.por``) or Stata (``.dta``) file with its value labels,
    keeping the stored codes in the frame (through :mod:`socmob.io`).

    Raises
    ------
    InputError
        unsupported suffix, missing file, unreadable file or unknown column.
    """
    from socmob.io import detect_format
    from socmob.io._stat import read_stat

    target = Path(path)
    name = str(path)
    fmt = detect_format(target) if target.suffix.lower() in (".sav", ".zsav", ".por",
                                                             ".dta") else None
    if fmt not in ("spss", "stata"):
        raise InputError(
            "unsupported labelled-data format",
            file=name,
            expected="a .sav, .zsav, .por or .dta file",
        )
    if not target.is_file():
        raise InputError("file not found", file=name, expected="an existing file")
    frame, value_labels, column_labels = read_stat(
        target, fmt, file=name, columns=list(columns) if columns is not None else None)
    return LabelledData(
        frame=frame, value_labels=value_labels, column_labels=column_labels, source=name
    )


__all__ = ["LabelledData", "apply_value_labels", "read_labelled"]
