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

#: Parquet metadata keys of the labels socmob writes (``write_survey``, the synthetic
#: barometer) and of the synthetic mark.
VALUE_LABELS_KEY = b"socmob.value_labels"
VARIABLE_LABELS_KEY = b"socmob.variable_labels"
SYNTHETIC_KEY = b"synthetic"


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


def parquet_labels(source: Path | bytes
                   ) -> tuple[dict[str, dict[Any, str]], dict[str, str], bool]:
    """The value labels, variable labels and synthetic mark that socmob writes into a
    Parquet file's metadata, from its path or its bytes (an upload). Labels socmob did
    not write (not JSON, not a mapping) are left out; the data is read without them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    where = pa.BufferReader(source) if isinstance(source, bytes) else str(source)
    meta = pq.read_schema(where).metadata or {}
    values: dict[str, dict[Any, str]] = {}
    variables: dict[str, str] = {}
    try:
        if VALUE_LABELS_KEY in meta:
            raw = json.loads(meta[VALUE_LABELS_KEY])
            values = {str(col): {_code(k): str(v) for k, v in labels.items()}
                      for col, labels in raw.items() if isinstance(labels, dict)}
        if VARIABLE_LABELS_KEY in meta:
            variables = {str(k): str(v)
                         for k, v in json.loads(meta[VARIABLE_LABELS_KEY]).items()}
    except (ValueError, AttributeError):  # labels we did not write: read without them
        values, variables = {}, {}
    return values, variables, meta.get(SYNTHETIC_KEY) == b"true"


def labelled_survey(frame: pd.DataFrame, source: str, *,
                    value_labels: Mapping[Any, Mapping[Any, str]],
                    variable_labels: Mapping[Any, Any],
                    parquet: Path | bytes | None = None) -> SurveyData:
    """Respondents with their labels: those read with the file (SPSS/Stata), under the
    Parquet metadata's where ``parquet`` (the file's path or bytes) is given, kept only
    for columns of ``frame``. The data is synthetic when the metadata says so or when a
    ``synthetic`` column is true in every row (a missing value is not true)."""
    values = {str(k): dict(v) for k, v in value_labels.items()}
    variables = {str(k): str(v) for k, v in variable_labels.items()}
    synthetic = False
    if parquet is not None:
        extra_values, extra_variables, synthetic = parquet_labels(parquet)
        values = {**extra_values, **values}
        variables = {**extra_variables, **variables}
    if "synthetic" in frame.columns:
        column = frame["synthetic"]
        synthetic = synthetic or bool(column.notna().all() and column.astype(bool).all())
    keep = {str(c) for c in frame.columns}
    return SurveyData(frame=frame, source=source,
                      value_labels={k: v for k, v in values.items() if k in keep},
                      variable_labels={k: v for k, v in variables.items() if k in keep},
                      synthetic=synthetic)


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
    return labelled_survey(frame, data.source, value_labels=data.value_labels,
                           variable_labels=data.variable_labels,
                           parquet=Path(path) if data.format == "parquet" else None)


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
    meta[VALUE_LABELS_KEY] = json.dumps(
        {c: {str(k): v for k, v in labels.items()}
         for c, labels in (value_labels or {}).items() if c in keep}).encode()
    meta[VARIABLE_LABELS_KEY] = json.dumps(
        {c: v for c, v in (variable_labels or {}).items() if c in keep}).encode()
    if synthetic:
        meta[SYNTHETIC_KEY] = b"true"
    table = table.replace_schema_metadata(meta)
    return atomic_write(target, lambda h: pq.write_table(table, h))


__all__ = ["VALUE_LABELS_KEY", "VARIABLE_LABELS_KEY", "SurveyData", "labelled_survey",
           "parquet_labels", "read_survey", "write_survey"]
