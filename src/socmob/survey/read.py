"""Reading respondent-level survey files: the one entry point of the survey layer.

:func:`read_survey` reads CSV, Parquet, Excel, SPSS ``.sav`` and Stata ``.dta`` through
the engine's reader (:func:`socmob.engine.readers.read_microdata`), keeping SPSS/Stata
value labels (and, for Parquet files written by socmob, the labels stored in the file
metadata) beside the answer codes, and returns the respondents as a pandas frame.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from socmob.errors import InputError, NotFoundError

_VALUE_LABELS_KEY = b"socmob.value_labels"
_VARIABLE_LABELS_KEY = b"socmob.variable_labels"
_SYNTHETIC_KEY = b"synthetic"


@dataclass(frozen=True, eq=False)
class SurveyData:
    """Respondents read from a file.

    Attributes
    ----------
    frame:
        One row per respondent (answer codes, not labels).
    source:
        The file read.
    value_labels:
        ``{column: {code: label}}``.
    variable_labels:
        ``{column: label}`` (question wording).
    synthetic:
        Whether the file is labelled as socmob synthetic data.
    """

    frame: pd.DataFrame
    source: str
    value_labels: Mapping[str, Mapping[Any, str]] = field(default_factory=dict)
    variable_labels: Mapping[str, str] = field(default_factory=dict)
    synthetic: bool = False


def _parquet_labels(path: Path) -> tuple[dict[str, dict[Any, str]], dict[str, str], bool]:
    import pyarrow.parquet as pq

    meta = pq.read_schema(str(path)).metadata or {}
    values: dict[str, dict[Any, str]] = {}
    if _VALUE_LABELS_KEY in meta:
        raw = json.loads(meta[_VALUE_LABELS_KEY])
        values = {col: {_code(k): str(v) for k, v in labels.items()}
                  for col, labels in raw.items()}
    variables = json.loads(meta[_VARIABLE_LABELS_KEY]) if _VARIABLE_LABELS_KEY in meta else {}
    return values, variables, meta.get(_SYNTHETIC_KEY) == b"true"


def _code(key: str) -> Any:
    try:
        number = float(key)
    except ValueError:
        return key
    return int(number) if number.is_integer() else number


def read_survey(path: str | os.PathLike[str], *, columns: Sequence[str] | None = None,
                ) -> SurveyData:
    """Read a survey file (CSV, Parquet, Excel, SPSS, Stata) with its labels.

    Parameters
    ----------
    columns:
        Read only these columns (all by default); a missing one is an error naming the
        closest.
    """
    from socmob.engine.readers import read_microdata

    data = read_microdata(path)
    table = data.table
    if columns is not None:
        from socmob._text import closest

        for col in columns:
            if col not in table.columns:
                raise NotFoundError(f"no column {col!r} in {data.source}",
                                    closest(col, list(table.columns)))
        table = table.select(*dict.fromkeys(columns))
    try:
        frame = table.to_pandas()
    except Exception as exc:  # engine conversion errors → one line naming the file
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"cannot read survey: {first}", file=data.source) from exc
    value_labels = {k: dict(v) for k, v in data.value_labels.items()}
    variable_labels = dict(data.variable_labels)
    synthetic = False
    if data.format == "parquet":
        extra_values, extra_variables, synthetic = _parquet_labels(Path(path))
        value_labels = {**extra_values, **value_labels}
        variable_labels = {**extra_variables, **variable_labels}
    if "synthetic" in frame.columns:
        synthetic = synthetic or bool(frame["synthetic"].astype(bool).all())
    keep = set(frame.columns)
    return SurveyData(frame=frame, source=data.source,
                      value_labels={k: v for k, v in value_labels.items() if k in keep},
                      variable_labels={k: v for k, v in variable_labels.items() if k in keep},
                      synthetic=synthetic)


def write_survey(frame: pd.DataFrame, path: str | os.PathLike[str], *,
                 value_labels: Mapping[str, Mapping[Any, str]] | None = None,
                 variable_labels: Mapping[str, str] | None = None,
                 synthetic: bool = False) -> Path:
    """Write respondents as CSV or Parquet (by suffix), atomically. Parquet keeps the
    value and variable labels in its metadata, where :func:`read_survey` finds them."""
    from socmob.results import atomic_write, export_frame

    target = Path(path)
    if target.suffix.lower() not in {".parquet", ".pq"}:
        if target.suffix.lower() != ".csv":
            raise InputError("unsupported file type for survey output", file=str(target),
                             expected=".csv or .parquet")
        return export_frame(frame, target)
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    keep = set(frame.columns)
    meta[_VALUE_LABELS_KEY] = json.dumps(
        {c: {str(k): v for k, v in labels.items()}
         for c, labels in (value_labels or {}).items() if c in keep}).encode()
    meta[_VARIABLE_LABELS_KEY] = json.dumps(
        {c: v for c, v in (variable_labels or {}).items() if c in keep}).encode()
    if synthetic:
        meta[_SYNTHETIC_KEY] = b"true"
    table = table.replace_schema_metadata(meta)
    return atomic_write(target, lambda h: pq.write_table(table, h))


__all__ = ["SurveyData", "read_survey", "write_survey"]
