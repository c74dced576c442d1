"""One result style and one tidy output schema for every published figure.

Estimators return frozen dataclasses that mix in :class:`Result`: numbers as attributes,
``to_frame()`` (tidy), ``summary()`` (text) and ``_repr_html_()`` for notebooks. Anything
published goes through :func:`tidy` so that it matches the Social Mobility Commission's own
files::

    measure, area_code, area_name, period, breakdown, group, value, lci, uci, n, unit, note
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np
import pandas as pd

from socmob.errors import InputError

TIDY_COLUMNS: tuple[str, ...] = (
    "measure",
    "area_code",
    "area_name",
    "period",
    "breakdown",
    "group",
    "value",
    "lci",
    "uci",
    "n",
    "unit",
    "note",
)
"""Column order of the tidy schema shared by every published figure."""

_NUMERIC = {"value", "lci", "uci", "n"}


def tidy(frame: pd.DataFrame, **defaults: Any) -> pd.DataFrame:
    """Return ``frame`` in the tidy schema, filling absent columns from ``defaults``
    (or missing values) and ordering columns as :data:`TIDY_COLUMNS`.

    Extra columns are kept after the schema columns.
    """
    out = frame.copy()
    for col in TIDY_COLUMNS:
        if col not in out.columns:
            out[col] = defaults.get(col, np.nan if col in _NUMERIC else None)
    for col in _NUMERIC:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    extra = [c for c in out.columns if c not in TIDY_COLUMNS]
    return out[list(TIDY_COLUMNS) + extra].reset_index(drop=True)


def atomic_write(path: str | os.PathLike[str], writer: Any, *, mode: str = "wb") -> Path:
    """Write a file so that it is either complete or absent: ``writer(handle)`` writes to a
    temporary file in the same directory, which is renamed into place only on success.

    The temporary file has a recognisable name (``.<name>.socmob-tmp.<pid>.…``) and is
    recorded in a register while it exists, so that if the process is killed mid-write
    the next socmob process removes it (:func:`socmob.io.scratch.sweep_stale`); stale
    temp files in the target's directory are also removed before each write.
    """
    from socmob.io.scratch import registered, sweep_folder, sweep_stale, temp_path_for

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale()
    sweep_folder(target.parent)
    tmp = temp_path_for(target)
    with registered(tmp):
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            with os.fdopen(fd, mode) as handle:
                writer(handle)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return target


FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make a spreadsheet treat a text cell as a formula (OWASP,
*CSV Injection*)."""

_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def neutralise_formula(value: Any) -> Any:
    """``value`` made safe for a spreadsheet cell: text that starts with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return gets a leading ``'`` (OWASP's rule), unless
    it is a plain number written as text (``-3.5``, ``+44``); numbers and other values
    are returned unchanged.

    >>> neutralise_formula("=SUM(A1:A9)"), neutralise_formula("-2.5"), neutralise_formula(-2.5)
    ("'=SUM(A1:A9)", '-2.5', -2.5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not (
            _PLAIN_NUMBER.match(value)):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` safe to open in a spreadsheet: every text cell (and column
    name) that a spreadsheet would run as a formula is prefixed with ``'`` (see
    :func:`neutralise_formula`); numeric columns are untouched, so a negative number
    stays a number."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            mask = series.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_PREFIXES))
            if bool(mask.any()):
                out[col] = series.astype(object).map(neutralise_formula)
    out.columns = [neutralise_formula(c) for c in out.columns]
    if not isinstance(out.index, pd.RangeIndex):
        out.index = out.index.map(neutralise_formula)
        out.index.names = [neutralise_formula(n) for n in out.index.names]
    return out


def csv_text(frame: pd.DataFrame, *, index: bool = False, **kwargs: Any) -> str:
    """``frame`` as CSV text for people and spreadsheets: formula-like text neutralised
    (:func:`neutralise_formulas`), numbers written in full precision (``repr``), never
    rounded. A text cell holding a carriage return would otherwise be written unquoted
    (pandas quotes only the line terminator, ``\\n``) and split its row in a reader; then
    every text cell is quoted."""
    safe = neutralise_formulas(frame)
    if "quoting" not in kwargs and _has_carriage_return(safe):
        kwargs["quoting"] = csv.QUOTE_NONNUMERIC
    return str(safe.to_csv(index=index, **kwargs))


def _has_carriage_return(frame: pd.DataFrame) -> bool:
    names = [*map(str, frame.columns), *map(str, frame.index.names)]
    if any("\r" in n for n in names):
        return True
    for col in frame.columns:
        series = frame[col]
        if (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)) and (
                bool(series.map(lambda v: isinstance(v, str) and "\r" in v).any())):
            return True
    return False


def export_frame(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Export a frame as CSV, Parquet or JSON (by file suffix), atomically.

    Numbers are written unrounded; CSV cells that a spreadsheet would run as formulas are
    neutralised (:func:`csv_text`); JSON uses ``null`` for missing and non-finite
    values.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".csv":
        text = csv_text(frame)
        return atomic_write(target, lambda h: h.write(text), mode="w")
    if suffix in {".parquet", ".pq"}:
        return atomic_write(target, lambda h: frame.to_parquet(h, index=False))
    if suffix == ".json":
        text = dumps(frame.reset_index(drop=True))
        return atomic_write(target, lambda h: h.write(text + "\n"), mode="w")
    raise InputError(
        "unsupported export format", file=str(target), expected=".csv, .parquet or .json"
    )


def jsonable(value: Any) -> Any:
    """Convert numpy/pandas scalars, arrays and frames into plain JSON types
    (NaN → None)."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return [jsonable(r) for r in value.to_dict(orient="records")]
    if isinstance(value, pd.Series):
        return jsonable(value.to_dict())
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return None if not np.isfinite(f) else f
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def dumps(value: Any) -> str:
    """JSON text of ``value`` via :func:`jsonable`."""
    return json.dumps(jsonable(value), indent=2, ensure_ascii=False)


class Result(ABC):
    """Mixin for frozen result dataclasses: the one result contract.

    - numbers are attributes of a frozen dataclass;
    - :meth:`to_frame` (abstract: every result defines it) gives the tidy rows
      (:data:`TIDY_COLUMNS` first, via :func:`tidy`, numbers finite or missing, never
      ±inf); :meth:`summary`, :meth:`to_dict`, :meth:`export` and the notebook
      representation follow from it;
    - a result that carries intervals has ``conf_int(alpha=0.05) -> pd.DataFrame`` with
      columns ``lower`` and ``upper``, one row per estimate (statsmodels' vocabulary);
      the interval level is always given as ``alpha`` (0.05 → a 95% interval), in
      functions and results alike — never ``confidence=`` or ``level=``;
    - answers by group are a :class:`ByGroup` of results, which also names the groups
      that could not be estimated and why.

    ``tests/test_result_contract.py`` checks every subclass in the package against this.

    ``Result`` is for what a measure computes. Validated input — a labelled file, an HR
    extract, survey responses, the questionnaire — is a plain frozen dataclass whose
    ``to_frame`` gives the data itself.
    """

    @abstractmethod
    def to_frame(self) -> pd.DataFrame:
        """The tidy rows of the result: :data:`TIDY_COLUMNS` first (through
        :func:`tidy`), any extra columns after them."""

    def summary(self) -> str:
        """A plain-text summary of the result."""
        title = type(self).__name__
        return f"{title}\n{'=' * len(title)}\n{self.to_frame().to_string(index=False)}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of the result (default: the tidy records)."""
        return {"result": type(self).__name__, "rows": jsonable(self.to_frame())}

    def export(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`to_frame` as CSV, Parquet or JSON, chosen by the file suffix."""
        return export_frame(self.to_frame(), path)

    def _repr_html_(self) -> str:
        title = html.escape(type(self).__name__)
        return f"<strong>{title}</strong>" + self.to_frame().to_html(index=False, na_rep="")


R = TypeVar("R", bound=Result)


@dataclass(frozen=True, eq=False)
class ByGroup(Result, Generic[R]):
    """One result per group of a breakdown, and the groups that could not be estimated.

    A mapping of ``group → result`` (``by_group["North East"]``, ``len``, iteration over
    group names). ``not_estimated`` maps each group that has no result to the reason
    (e.g. "no parents in the bottom quintile"), so that one thin group never fails the
    whole breakdown and is never silently left out.
    """

    by: str
    results: Mapping[str, R]
    not_estimated: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, group: str) -> R:
        return self.results[group]

    def __iter__(self) -> Iterator[str]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __contains__(self, group: object) -> bool:
        return group in self.results

    def keys(self) -> Any:
        """The groups that have a result."""
        return self.results.keys()

    def items(self) -> Any:
        """``(group, result)`` pairs."""
        return self.results.items()

    def values(self) -> Any:
        """The results, in group order."""
        return self.results.values()

    def to_frame(self) -> pd.DataFrame:
        """Every group's tidy rows, with ``breakdown = by`` and ``group`` its name.

        Rows that already carry a breakdown of their own (a pay gap's background within
        a grade) keep it after the outer one, as the SMC writes crossed breakdowns:
        ``breakdown = "grade; seb"``, ``group = "A; lower"``.
        """
        frames = []
        for group, result in self.results.items():
            frame = result.to_frame().copy()
            inner_by, inner = frame["breakdown"], frame["group"]
            nested = (inner_by.notna() & (inner_by.astype(str) != "") & inner.notna()
                      & (inner.astype(str) != str(group))).to_numpy()
            frame["breakdown"] = np.where(nested, self.by + "; " + inner_by.astype(str),
                                          self.by)
            frame["group"] = np.where(nested, str(group) + "; " + inner.astype(str), group)
            frames.append(frame)
        out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return tidy(out)

    def to_dict(self) -> dict[str, Any]:
        return {"result": type(self).__name__, "by": self.by,
                "groups": {g: r.to_dict() for g, r in self.results.items()},
                "not_estimated": dict(self.not_estimated)}

    def summary(self) -> str:
        text = super().summary()
        if self.not_estimated:
            text += "\nNot estimated: " + "; ".join(
                f"{g} ({why})" for g, why in self.not_estimated.items())
        return text
