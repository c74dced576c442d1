"""One result style and one tidy output schema for every published figure.

Estimators return frozen dataclasses that mix in :class:`Result`: numbers as attributes,
``to_frame()`` (tidy), ``summary()`` (text) and ``_repr_html_()`` for notebooks. Anything
published goes through :func:`tidy` so that it matches the Social Mobility Commission's own
files::

    measure, area_code, area_name, period, breakdown, group, value, lci, uci, n, unit, note
"""

from __future__ import annotations

import html
import json
import os
import tempfile
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
    temporary file in the same directory, which is renamed into place only on success."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, mode) as handle:
            writer(handle)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def export_frame(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Export a frame as CSV, Parquet or JSON (by file suffix), atomically."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".csv":
        return atomic_write(target, lambda h: h.write(frame.to_csv(index=False)), mode="w")
    if suffix in {".parquet", ".pq"}:
        return atomic_write(target, lambda h: frame.to_parquet(h, index=False))
    if suffix == ".json":
        text = frame.to_json(orient="records", indent=2, force_ascii=False)
        return atomic_write(target, lambda h: h.write(text), mode="w")
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


class Result:
    """Mixin for frozen result dataclasses: the one result contract.

    - numbers are attributes of a frozen dataclass;
    - :meth:`to_frame` gives the tidy rows (:data:`TIDY_COLUMNS` first, via :func:`tidy`);
      :meth:`summary`, :meth:`to_dict`, :meth:`export` and the notebook representation
      follow from it;
    - a result that carries intervals has ``conf_int(alpha=0.05) -> pd.DataFrame`` with
      columns ``lower`` and ``upper``, one row per estimate (statsmodels' vocabulary);
      the interval level is always given as ``alpha`` (0.05 → a 95% interval);
    - answers by group are a :class:`ByGroup` of results, which also names the groups
      that could not be estimated and why.
    """

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - interface
        raise NotImplementedError

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
        """Every group's tidy rows, with ``breakdown = by`` and ``group`` its name."""
        frames = []
        for group, result in self.results.items():
            frame = result.to_frame().copy()
            frame["breakdown"] = self.by
            frame["group"] = group
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
