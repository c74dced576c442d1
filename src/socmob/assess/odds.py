"""Against the odds: which units — schools, wards, areas, any units a user brings — do
better or worse than their disadvantage predicts.

Like the SMC's *Against the odds*, each unit's outcome is compared with what units with
the same disadvantage achieve: ordinary least squares of the outcome on one or more
disadvantage measures, and each unit judged against the model fitted *without it*
(leave-one-out), with its prediction interval — the estimator of
:func:`socmob.place.expected.fit_expected`, which takes any units:

    yᵢ = β₀ + Σₖ βₖ xᵢₖ + εᵢ;
    ŷ₍ᵢ₎ = yᵢ − eᵢ/(1 − hᵢᵢ),  s₍ᵢ₎² = ((n − p)s² − eᵢ²/(1 − hᵢᵢ))/(n − p − 1);
    prediction interval ŷ₍ᵢ₎ ± t₁₋α/₂,ₙ₋ₚ₋₁ · s₍ᵢ₎/√(1 − hᵢᵢ);

a unit is **better** (worse) **than expected** when its outcome lies above (below) the
interval, i.e. when its externally studentised residual is significant; optionally
Bonferroni or Benjamini–Hochberg over the units (Cook & Weisberg 1982).

The units come from a file (CSV, Excel, Parquet, SPSS, Stata through
:func:`socmob.io.read_file`): one row per unit, a unit id (unique), optionally a name,
the outcome and the disadvantage measure(s). Every problem — a missing column, a
duplicated id, text in a number column, an infinite value — is one line naming the file,
row and column; rows with a missing value are left out and listed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from socmob._text import did_you_mean
from socmob.errors import InputError
from socmob.place.expected import AS_EXPECTED, BETTER, WORSE, Correction, ExpectedFit
from socmob.results import Result, tidy

MIN_UNITS = 5
"""Fewest complete units for the comparison (the leave-one-out residual needs n − p − 1 ≥ 1
and a handful more to say anything)."""


@dataclass(frozen=True, eq=False)
class AgainstTheOdds(Result):
    """Every unit's outcome against its leave-one-out prediction (module docstring).

    ``fit``: the :class:`~socmob.place.expected.ExpectedFit` (coefficients ``params``,
    ``bse``, ``conf_int()``, ``rsquared``, ``nobs`` …); ``units``: one row per unit —
    unit_id, unit_name, observed, expected (leave-one-out), pi_lower, pi_upper,
    residual, studentised_residual, p_value, verdict; ``dropped``: the units left out for
    a missing value, with the column.
    """

    fit: ExpectedFit
    units: pd.DataFrame
    outcome: str
    disadvantage: tuple[str, ...]
    source: str | None = None
    unit: str = ""
    dropped: pd.DataFrame | None = None

    @property
    def params(self) -> pd.Series:
        return self.fit.params

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Confidence intervals of the coefficients."""
        return self.fit.conf_int(alpha)

    def verdicts(self) -> dict[str, int]:
        """Number of units per verdict."""
        return self.fit.verdicts()

    def to_frame(self) -> pd.DataFrame:
        """Tidy: measure ``outcome_vs_expected`` per unit (value = residual, lci/uci = its
        interval, note = the verdict); the unit's figures after."""
        a = self.fit.areas
        frame = pd.DataFrame({
            "measure": "outcome_vs_expected", "area_code": a["area_id"],
            "area_name": a["area_name"], "breakdown": "model",
            "group": f"{self.outcome} on {' + '.join(self.disadvantage)}",
            "value": a["residual"], "lci": a["residual_lower"], "uci": a["residual_upper"],
            "n": float(self.fit.nobs), "unit": self.unit or self.outcome,
            "note": a["verdict"]})
        extra = self.units.drop(columns=["unit_name"]).reset_index(drop=True)
        return pd.concat([tidy(frame), extra], axis=1)

    def summary(self) -> str:
        lines = [f"Against the odds: {self.outcome} ~ {' + '.join(self.disadvantage)}"
                 + (f" ({self.source})" if self.source else ""),
                 f"n = {self.fit.nobs}, R² = {self.fit.rsquared:.3f}"]
        ci = self.conf_int(self.fit.alpha)
        for name in self.fit.params.index:
            lines.append(f"  {name}: {self.fit.params[name]:.4g} ({ci.loc[name, 'lower']:.4g} "
                         f"to {ci.loc[name, 'upper']:.4g})")
        for verdict in (BETTER, WORSE):
            names = self.units.loc[self.units["verdict"] == verdict, "unit_name"].tolist()
            lines.append(f"  {verdict}: {len(names)}" + (" — " + ", ".join(names[:20])
                                                        if names else ""))
        lines.append(f"  {AS_EXPECTED}: {int((self.units['verdict'] == AS_EXPECTED).sum())}")
        if self.dropped is not None and len(self.dropped):
            lines.append(f"  left out (missing values): {len(self.dropped)}")
        return "\n".join(lines)


def _column(frame: pd.DataFrame, name: str, role: str, file: str | None) -> str:
    if name in frame.columns:
        return name
    lower = {str(c).strip().lower(): str(c) for c in frame.columns}
    if name.strip().lower() in lower:
        return lower[name.strip().lower()]
    raise InputError(f"{role} column {name!r} not found" + did_you_mean(
        name, list(map(str, frame.columns)), cutoff=0.4), file=file, row=1, column=name,
                     expected="one of the columns: " + ", ".join(map(str, frame.columns[:15])))


def _numbers(series: pd.Series, column: str, rows: np.ndarray, file: str | None
             ) -> np.ndarray:
    from socmob.checks import finite

    values = pd.to_numeric(series, errors="coerce")
    bad = values.isna() & series.notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{series.iloc[i]!r} is not a number", file=file, row=int(rows[i]),
                         column=column, expected="a number (or an empty cell for missing)")
    arr = values.to_numpy(dtype=float)
    try:
        finite(arr, name=column, file=file, row_offset=0, allow_missing=True)
    except InputError as exc:
        row = int(rows[exc.row]) if exc.row is not None else None
        raise InputError(exc.message, file=file, row=row, column=column,
                         expected=exc.expected) from None
    return arr


def against_the_odds(
    data: pd.DataFrame,
    *,
    outcome: str,
    disadvantage: str | Sequence[str],
    unit_id: str | None = None,
    name: str | None = None,
    alpha: float = 0.05,
    correction: Correction = "none",
    rows: Sequence[int] | np.ndarray | None = None,
    source: str | None = None,
    unit: str = "",
) -> AgainstTheOdds:
    """Better or worse than expected for any units (module docstring).

    Parameters
    ----------
    data:
        One row per unit.
    outcome, disadvantage:
        The outcome column and one or more disadvantage columns (numbers).
    unit_id:
        The column of unit ids (unique; default the first column).
    name:
        A column of display names (default the ids).
    alpha, correction:
        Level of the prediction intervals; ``"none"``, ``"bonferroni"`` or ``"fdr"``.
    rows:
        The file row of each data row, for messages (default: a header then the rows).
    source, unit:
        File name for messages; the outcome's unit for outputs.

    Raises
    ------
    InputError
        A missing column, a missing or duplicated id, text in a number column, a value
        that is not finite, fewer than :data:`MIN_UNITS` complete units.
    ModelSpecError
        A disadvantage measure that does not vary, or collinear measures.
    """
    from socmob.place.expected import fit_expected

    if data.empty:
        raise InputError("the file has no data rows", file=source, expected="one row per unit")
    file_rows = (np.asarray(rows) if rows is not None else np.arange(2, len(data) + 2))
    measures = [disadvantage] if isinstance(disadvantage, str) else list(disadvantage)
    if not measures:
        raise InputError("no disadvantage measure given", file=source,
                         expected="one or more columns, e.g. --disadvantage fsm")
    id_col = _column(data, unit_id, "unit id", source) if unit_id else str(data.columns[0])
    out_col = _column(data, outcome, "outcome", source)
    dis_cols = [_column(data, m, "disadvantage", source) for m in measures]
    if out_col in dis_cols:
        raise InputError(f"{out_col!r} is both the outcome and a disadvantage measure",
                         file=source, column=out_col, expected="different columns")
    if id_col in (out_col, *dis_cols):
        raise InputError(f"{id_col!r} is the unit id, not a measure", file=source,
                         column=id_col, expected="--id naming the column of unit ids")
    name_col = _column(data, name, "name", source) if name else None
    ids = data[id_col]
    missing = ids.isna() | (ids.astype(str).str.strip() == "")
    if missing.any():
        i = int(np.flatnonzero(missing.to_numpy())[0])
        raise InputError("the unit id is missing", file=source, row=int(file_rows[i]),
                         column=id_col, expected="an id for every unit")
    ids = ids.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer()
                  else str(v).strip())
    dup = ids.duplicated(keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        first = int(np.flatnonzero((ids == ids.iloc[i]).to_numpy())[0])
        raise InputError(f"unit id {ids.iloc[i]!r} appears twice (rows "
                         f"{int(file_rows[first])} and {int(file_rows[i])})", file=source,
                         row=int(file_rows[i]), column=id_col, expected="one row per unit")
    wide = pd.DataFrame({c: _numbers(data[c], c, file_rows, source)
                         for c in [out_col, *dis_cols]})
    wide.index = pd.Index(ids.to_list(), name="unit_id")
    names = (dict(zip(ids, data[name_col].astype(str), strict=True)) if name_col
             else {i: i for i in ids})
    incomplete = wide.isna().any(axis=1).to_numpy()
    dropped = pd.DataFrame({
        "unit_id": wide.index[incomplete], "row": file_rows[incomplete],
        "missing": [", ".join(c for c in wide.columns if np.isnan(wide.loc[u, c]))
                    for u in wide.index[incomplete]]})
    n_complete = int((~incomplete).sum())
    if n_complete < MIN_UNITS + len(dis_cols):
        raise InputError(f"only {n_complete} units have every value", file=source,
                         column=out_col, expected=f"at least {MIN_UNITS + len(dis_cols)} "
                                                  "complete units")
    fit = fit_expected(wide, outcome=out_col, predictors=dis_cols, alpha=alpha,
                       correction=correction, names=names, codes={i: i for i in ids})
    a = fit.areas
    units = pd.DataFrame({
        "unit_id": a["area_id"], "unit_name": a["area_name"], "observed": a["observed"],
        "expected": a["expected_loo"], "pi_lower": a["pi_lower"], "pi_upper": a["pi_upper"],
        "residual": a["residual"], "studentised_residual": a["studentised_residual"],
        "p_value": a["p_value"], "leverage": a["leverage"], "verdict": a["verdict"]})
    return AgainstTheOdds(fit=fit, units=units, outcome=out_col,
                          disadvantage=tuple(dis_cols), source=source, unit=unit,
                          dropped=dropped)


def read_units(source: str | os.PathLike[str] | bytes, *, name: str | None = None,
               max_rows: int | None = None) -> tuple[pd.DataFrame, np.ndarray, str]:
    """A units file read through :func:`socmob.io.read_file` (numbers inferred):
    (frame, file row of each frame row, file name)."""
    from socmob.io import FRAME_LIMITS, read_file

    limits = FRAME_LIMITS
    if max_rows is not None:
        import dataclasses

        limits = dataclasses.replace(FRAME_LIMITS, max_rows=max_rows)
    data = read_file(source, name=name, types="infer", limits=limits)
    return data.frame, np.asarray(data.rows), data.source


def odds_from_file(source: str | os.PathLike[str] | bytes, *, outcome: str,
                   disadvantage: str | Sequence[str], name: str | None = None,
                   file_name: str | None = None, **kwargs: Any) -> AgainstTheOdds:
    """:func:`against_the_odds` on a file (``name``: the column of display names;
    ``file_name``: the name of an upload given as bytes)."""
    frame, rows, file = read_units(source, name=file_name)
    return against_the_odds(frame, outcome=outcome, disadvantage=disadvantage, name=name,
                            rows=rows, source=file, **kwargs)


__all__ = ["MIN_UNITS", "AgainstTheOdds", "against_the_odds", "odds_from_file", "read_units"]
