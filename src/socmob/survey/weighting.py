"""Weighting to population margins: raking, post-stratification, trimming, and the
Kish design effect of the result.

Raking (iterative proportional fitting; Deming & Stephan 1940) multiplies the weights,
one margin at a time, by ``T_mc / Σ_{i ∈ c} w_i`` — the population total of each cell
``c`` of margin ``m`` over its current weighted total — and sweeps over the margins
until every margin is met: ``max_m max_c |Σ_{i ∈ c} w_i − T_mc| ≤ tol · T``, where
``T`` is the population total. Post-stratification is the one-margin case (met in one
step). Weights that already meet every margin are returned unchanged.

Trimming bounds the weights to ``[lower · w̄, upper · w̄]`` (``w̄`` the mean weight,
``T / n``) and re-rakes, alternating until the raked weights are within the bounds
(Kalton & Flores-Cervantes 2003, §2.5).

The variance of estimates from a calibrated design uses the calibration residuals
(Deville & Särndal 1992): influence values ``u`` are replaced by ``u − ave_m(u)``
back-fitted over the margins, ten sweeps (R's ``survey::rake`` and ``svyrecvar``), or
for post-stratification ``u − ū_c`` with ``ū_c`` the mean of ``u`` in the cell
weighted by the weights before calibration (R's ``postStratify``). See
:func:`socmob.survey.design.influence_covariance`.

Kish's design effect due to unequal weights and the effective sample size (Kish 1965)::

    deff_w = n Σ w_i² / (Σ w_i)²,     n_eff = (Σ w_i)² / Σ w_i²
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from socmob._text import closest
from socmob.errors import ConvergenceError, InputError
from socmob.results import Result, tidy
from socmob.survey.design import Calibration, SurveyDesign, categories, survey_design
from socmob.survey.margins import Margin

TOTAL_TOLERANCE = 1e-6
"""Relative difference allowed between the totals of two margins."""


def kish_design_effect(weights: np.ndarray) -> float:
    """Kish's design effect from unequal weighting, ``n Σw² / (Σw)²`` (≥ 1)."""
    w = np.asarray(weights, dtype="float64")
    w = w[w > 0]
    return float(len(w) * np.sum(w * w) / np.sum(w) ** 2)


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size, ``(Σw)² / Σw²``."""
    w = np.asarray(weights, dtype="float64")
    return float(np.sum(w) ** 2 / np.sum(w * w))


@dataclass(frozen=True, eq=False)
class _Cells:
    """A margin matched to the data: each respondent's cell and each cell's target."""

    margin: Margin
    cell: np.ndarray
    targets: np.ndarray
    labels: tuple[str, ...]
    group: np.ndarray  # the by-group of each cell (0 without ``by``)
    counts: np.ndarray


def _match(design: SurveyDesign, m: Margin, by: str | None) -> _Cells:
    """Locate every respondent in a cell of ``m`` (crossed with ``by``), checking that the
    margin and the data cover each other."""
    variables = list(m.variables)
    for v in variables:
        design.column(v)
    by_codes = np.zeros(design.n, dtype=np.int64)
    by_names = [""]
    crossed = by is not None and by not in variables
    if by is not None:
        by_codes, by_names = categories(design, by)
        if (by_codes < 0).any():
            row = int(np.flatnonzero(by_codes < 0)[0]) + 2
            raise InputError("missing value", file=design.source, row=row, column=by,
                             expected="every respondent to have a value of the weighting group")
    codes: list[np.ndarray] = []
    lookups: list[dict[str, int]] = []
    sizes: list[int] = []
    for j, v in enumerate(variables):
        c, names = categories(design, v)
        if (c < 0).any():
            row = int(np.flatnonzero(c < 0)[0]) + 2
            raise InputError("missing value: every respondent needs a category of each "
                             "raking variable", file=design.source, row=row, column=v,
                             expected=f"a category of margin {m.name!r}")
        wanted = {cat[j] for cat in m.categories}
        lookup = {name: k for k, name in enumerate(names)}
        if v in design.value_labels and not wanted <= set(lookup):
            raw_c, raw_names = categories(design, v, labelled=False)
            raw_lookup = {name: k for k, name in enumerate(raw_names)}
            if len(wanted & set(raw_lookup)) > len(wanted & set(lookup)):
                c, names, lookup = raw_c, raw_names, raw_lookup
        codes.append(c)
        lookups.append(lookup)
        sizes.append(len(names))
    radix = np.cumprod([1, *sizes[:-1]])
    key = sum((c * r for c, r in zip(codes, radix, strict=True)), np.zeros(design.n, np.int64))
    n_keys = int(np.prod(sizes))  # cells of the cross-classification
    reps = len(by_names) if crossed else 1
    by_of_key = by_codes if crossed else np.zeros(design.n, dtype=np.int64)
    full_key = by_of_key * n_keys + key
    counts = np.bincount(full_key, minlength=reps * n_keys)
    target_of_key = np.full(reps * n_keys, np.nan)
    row_of_key: dict[int, int] = {}
    for cell, cat in enumerate(m.categories):
        parts: list[int] = []
        for j, name in enumerate(cat):
            if name not in lookups[j]:
                parts = []
                if m.targets[cell] > 0:
                    hint = closest(name, lookups[j])
                    tail = f"; did you mean {hint[0]!r}?" if hint else ""
                    raise InputError(
                        f"margin {m.name!r}: category {name!r} of {variables[j]!r} is not in "
                        f"the data{tail}", file=m.source, row=m.row_of(cell),
                        column=variables[j],
                        expected="categories that occur among the respondents")
                break
            parts.append(lookups[j][name])
        if not parts:
            continue
        k = int(sum(p * int(r) for p, r in zip(parts, radix, strict=True)))
        for g in range(reps):
            target_of_key[g * n_keys + k] = m.targets[cell]
            row_of_key[g * n_keys + k] = cell
    present = counts > 0
    uncovered = np.flatnonzero(present & np.isnan(target_of_key))
    if uncovered.size:
        k = int(uncovered[0])
        first = int(np.flatnonzero(full_key == k)[0])
        cat = tuple(_name_of(design, v, design.data[v].iloc[first]) for v in variables)
        raise InputError(
            f"margin {m.name!r} has no target for {_describe(variables, cat)}, which "
            f"respondents have (first at row {first + 2})", file=m.source,
            expected=f"a row for every category of {' × '.join(variables)} in the data")
    absent = np.flatnonzero(~present & (np.nan_to_num(target_of_key) > 0))
    if absent.size:
        k = int(absent[0])
        cell = row_of_key[k]
        extra = f" in {by} = {by_names[k // n_keys]!r}" if crossed else ""
        raise InputError(
            f"margin {m.name!r}: {_describe(variables, m.categories[cell])} has a population "
            f"total but no respondents{extra}, so no weight can reach it", file=m.source,
            row=m.row_of(cell),
            expected="every category with a positive total to have respondents "
            "(merge it with a neighbouring category)")
    zero_target = np.flatnonzero(present & (target_of_key == 0))
    if zero_target.size:
        cell = row_of_key[int(zero_target[0])]
        raise InputError(
            f"margin {m.name!r}: {_describe(variables, m.categories[cell])} has a population "
            "total of 0 but respondents", file=m.source, row=m.row_of(cell), column="target",
            expected="a positive total for every category respondents are in")
    used = np.flatnonzero(present)
    remap = np.full(reps * n_keys, -1, dtype=np.int64)
    remap[used] = np.arange(used.size)
    labels = []
    for key_index in used.tolist():
        name = " × ".join(m.categories[row_of_key[key_index]])
        labels.append(f"{by_names[key_index // n_keys]} | {name}" if crossed else name)
    if by is not None and not crossed:
        j = variables.index(by)
        group_of_cell = codes[j][np.array([int(np.flatnonzero(full_key == k)[0])
                                           for k in used])]
    else:
        group_of_cell = used // n_keys
    return _Cells(margin=m, cell=remap[full_key], targets=target_of_key[used],
                  labels=tuple(labels), group=group_of_cell.astype(np.int64),
                  counts=counts[used])


def _name_of(design: SurveyDesign, column: str, value: object) -> str:
    labels = design.value_labels.get(column, {})
    key = int(value) if isinstance(value, float) and value.is_integer() else value
    if key in labels:
        return str(labels[key])
    return str(key)


def _describe(variables: Sequence[str], cat: Sequence[str]) -> str:
    return " and ".join(f"{v} = {c!r}" for v, c in zip(variables, cat, strict=True))


def _check_totals(cells: Sequence[_Cells], by_names: Sequence[str]) -> None:
    n_groups = max(int(c.group.max()) + 1 for c in cells)
    totals = [np.bincount(c.group, weights=c.targets, minlength=n_groups) for c in cells]
    for g in range(n_groups):
        first = totals[0][g]
        for c, t in zip(cells[1:], totals[1:], strict=True):
            if abs(t[g] - first) > TOTAL_TOLERANCE * max(abs(first), 1e-300):
                where = f" for {by_names[g]!r}" if len(by_names) > 1 else ""
                raise InputError(
                    f"the margins disagree on the population total{where}: "
                    f"{cells[0].margin.name!r} sums to {first:,.6g} but {c.margin.name!r} "
                    f"to {t[g]:,.6g}", file=c.margin.source,
                    expected="every margin to sum to the same total")


@dataclass(frozen=True, eq=False)
class Raking(Result):
    """Weights calibrated to population margins, with diagnostics.

    Attributes
    ----------
    design:
        The calibrated design (its weights are :attr:`weights`; estimates from it use the
        calibration residuals for their standard errors).
    weights, base_weights:
        The calibrated weights and the weights raking started from.
    margins:
        The margins met.
    iterations:
        Sweeps over the margins in the final raking.
    history:
        Largest error ``max |achieved − target| / T`` after each sweep of the final
        raking.
    trim_rounds:
        Rounds of trimming and re-raking (0 without trimming).
    bounds:
        The absolute weight bounds used when trimming.
    cells:
        One row per margin cell: ``margin, category, target, achieved, base, n``.
    kind:
        ``"raking"`` or ``"poststratification"``.
    by:
        The column the weighting was done within (e.g. the wave), or ``None``.
    """

    design: SurveyDesign
    weights: np.ndarray
    base_weights: np.ndarray
    margins: tuple[Margin, ...]
    iterations: int
    history: tuple[float, ...]
    cells: pd.DataFrame
    kind: str = "raking"
    trim_rounds: int = 0
    bounds: tuple[float, float] | None = None
    by: str | None = None
    converged: bool = field(default=True)

    @property
    def max_error(self) -> float:
        """The largest remaining margin error relative to the population total."""
        return self.history[-1] if self.history else 0.0

    @property
    def design_effect(self) -> float:
        """Kish's design effect of the calibrated weights."""
        return kish_design_effect(self.weights)

    @property
    def effective_n(self) -> float:
        """Kish's effective sample size of the calibrated weights."""
        return effective_sample_size(self.weights)

    def diagnostics(self) -> dict[str, float | int | str | bool | None]:
        """Convergence and weight diagnostics as a flat dictionary."""
        w = self.weights
        mean = float(w.mean())
        return {
            "kind": self.kind, "converged": self.converged, "iterations": self.iterations,
            "max_margin_error": self.max_error, "trim_rounds": self.trim_rounds,
            "respondents": len(w), "sum_of_weights": float(w.sum()),
            "min_weight_ratio": float(w.min() / mean), "max_weight_ratio": float(w.max() / mean),
            "design_effect": self.design_effect, "effective_n": self.effective_n,
            "base_design_effect": kish_design_effect(self.base_weights), "by": self.by,
        }

    def to_frame(self) -> pd.DataFrame:
        """One tidy row per margin cell: the achieved weighted total (``value``) beside
        its ``target`` and the total before weighting (``base``)."""
        frame = pd.DataFrame({
            "measure": "weighted total", "breakdown": self.cells["margin"],
            "group": self.cells["category"], "value": self.cells["achieved"],
            "n": self.cells["n"], "unit": "people", "target": self.cells["target"],
            "base": self.cells["base"],
        })
        return tidy(frame)

    def summary(self) -> str:
        d = self.diagnostics()
        head = (f"{self.kind.capitalize()}: {d['iterations']} sweeps, largest margin error "
                f"{d['max_margin_error']:.2e} of the total; weights "
                f"{d['min_weight_ratio']:.3f}–{d['max_weight_ratio']:.3f} × mean; "
                f"Kish design effect {d['design_effect']:.3f} (effective n "
                f"{d['effective_n']:.1f} of {d['respondents']})")
        return head + "\n" + self.cells.to_string(index=False)

    def to_dict(self) -> dict[str, object]:
        out = super().to_dict()
        out["diagnostics"] = self.diagnostics()
        return out


def _ipf(weights: np.ndarray, cells: Sequence[_Cells], total: float, *, max_iter: int,
         tol: float) -> tuple[np.ndarray, list[float]]:
    w = weights.copy()

    def error(v: np.ndarray) -> float:
        return max(float(np.max(np.abs(np.bincount(c.cell, weights=v,
                                                   minlength=len(c.targets)) - c.targets)))
                   for c in cells) / total

    history = [error(w)]
    if history[0] <= tol:
        return w, []
    for _ in range(max_iter):
        for c in cells:
            current = np.bincount(c.cell, weights=w, minlength=len(c.targets))
            empty = np.flatnonzero(current <= 0)
            if empty.size:
                raise InputError(
                    f"margin {c.margin.name!r}: every respondent in {c.labels[int(empty[0])]!r} "
                    "has weight 0, so raking cannot reach its total", file=c.margin.source,
                    expected="a positive weight for someone in every category")
            w = w * (c.targets / current)[c.cell]
        history.append(error(w))
        if history[-1] <= tol:
            return w, history[1:]
    worst = max(cells, key=lambda c: float(np.max(np.abs(
        np.bincount(c.cell, weights=w, minlength=len(c.targets)) - c.targets))))
    raise ConvergenceError(
        f"raking did not converge in {max_iter} sweeps: margin {worst.margin.name!r} is still "
        f"off by {history[-1]:.3g} of the total (the margins may be inconsistent with each "
        "other or with empty cross-classified cells); raise max_iter or check the margins")


def rake(
    design: SurveyDesign | pd.DataFrame,
    margins: Sequence[Margin],
    *,
    weights: str | None = None,
    by: str | None = None,
    trim: tuple[float | None, float | None] | None = None,
    max_iter: int = 1000,
    tol: float = 1e-10,
    max_trim_rounds: int = 500,
    kind: Literal["raking", "poststratification"] = "raking",
) -> Raking:
    """Rake the weights of ``design`` to population ``margins``.

    Parameters
    ----------
    design:
        A :class:`SurveyDesign`, or a plain frame of respondents (then ``weights`` names
        its weight column, default all 1, and the design is simple random sampling) —
        the employers' toolkit rakes a respondent frame to grade margins this way.
    margins:
        The margins (:func:`~socmob.survey.margins.read_margins`,
        :func:`~socmob.survey.margins.margin`). Totals must agree.
    by:
        Rake separately within each group of this column (e.g. ``"wave"``): margins
        without the column apply to every group in full; a margin may include it to give
        each group its own totals.
    trim:
        ``(lower, upper)`` bounds as multiples of the mean weight (either may be
        ``None``), e.g. ``(0.2, 5)``; the weights are clipped and re-raked until both
        hold.
    max_iter, tol:
        Sweeps allowed and the convergence tolerance (largest margin error relative to
        the total).
    kind:
        ``"poststratification"`` marks a one-margin calibration for the variance
        (:func:`poststratify`).

    Raises
    ------
    InputError
        A margin category is absent from the data or a data category from the margin, a
        respondent lacks a raking variable, or the margins' totals disagree.

    With replicate weights every replicate is raked to the same margins, so replicate
    variances allow for the raking (R's ``rake`` on a ``svrepdesign``).
    ConvergenceError
        Raking (or trimming with re-raking) did not converge.
    """
    if isinstance(design, pd.DataFrame):
        design = survey_design(design, weights=weights)
    elif weights is not None and weights != design.weight_column:
        raise InputError("weights are given by the design", column=weights,
                         expected="the design's own weight column")
    if design.calibration is not None:
        raise InputError("the design is already calibrated",
                         expected="raking of the uncalibrated design with every margin at once")
    if not margins:
        raise InputError("no margins to rake to", expected="at least one margin")
    if max_iter < 1 or not tol > 0:
        raise InputError("max_iter must be ≥ 1 and tol > 0")
    by_names = categories(design, by)[1] if by is not None else [""]
    cells = [_match(design, m, by) for m in margins]
    _check_totals(cells, by_names)
    first = cells[0]
    total = float(first.targets.sum())
    base = design.weights
    w, history = _ipf(base, cells, total, max_iter=max_iter, tol=tol)
    rounds = 0
    bounds: tuple[float, float] | None = None
    if trim is not None:
        w, history, rounds, bounds = _trim(design, base, w, history, cells, total, trim, by,
                                           max_iter=max_iter, tol=tol,
                                           max_rounds=max_trim_rounds)
    replicate_weights = None
    if design.replicates is not None:
        if trim is not None:
            raise InputError("trimming is not offered with replicate weights",
                             expected="raking without --trim, or a design without replicates")
        reps = design.replicates.weights
        replicate_weights = np.column_stack([
            _ipf(reps[:, r], cells, total, max_iter=max_iter, tol=tol)[0]
            for r in range(reps.shape[1])])
    calibration = Calibration(kind=kind, names=tuple(m.name for m in margins),
                              cells=tuple(c.cell for c in cells),
                              n_cells=tuple(len(c.targets) for c in cells),
                              base_weights=base)
    rows = []
    for c in cells:
        achieved = np.bincount(c.cell, weights=w, minlength=len(c.targets))
        before = np.bincount(c.cell, weights=base, minlength=len(c.targets))
        rows.append(pd.DataFrame({"margin": c.margin.name, "category": c.labels,
                                  "target": c.targets, "achieved": achieved, "base": before,
                                  "n": c.counts}))
    return Raking(design=design.with_weights(w, calibration=calibration,
                                             replicate_weights=replicate_weights), weights=w,
                  base_weights=base, margins=tuple(margins), iterations=len(history),
                  history=tuple(history), cells=pd.concat(rows, ignore_index=True),
                  kind=kind, trim_rounds=rounds, bounds=bounds, by=by)


def _trim(design: SurveyDesign, base: np.ndarray, w: np.ndarray, history: list[float],
          cells: Sequence[_Cells], total: float, trim: tuple[float | None, float | None],
          by: str | None, *, max_iter: int, tol: float, max_rounds: int,
          ) -> tuple[np.ndarray, list[float], int, tuple[float, float]]:
    lower, upper = trim
    lo_mult = 0.0 if lower is None else float(lower)
    hi_mult = np.inf if upper is None else float(upper)
    if not (0 <= lo_mult < 1 < hi_mult):
        raise InputError(f"trimming bounds ({lower}, {upper})",
                         expected="lower in [0, 1) and upper > 1, as multiples of the mean "
                         "weight")
    if by is not None:
        groups, _ = categories(design, by)
        n_g = np.bincount(groups)
        mean = (np.bincount(groups, weights=w) / n_g)[groups]
    else:
        mean = np.full(design.n, w.sum() / design.n)
    lo = lo_mult * mean
    hi = hi_mult * mean
    slack = 1e-6
    for rounds in range(1, max_rounds + 1):
        outside = (w < lo * (1 - slack)) | (w > hi * (1 + slack))
        if not outside.any():
            return w, history, rounds - 1, (float(lo.min()), float(hi.max()))
        clipped = np.clip(w, lo, hi)
        w, history = _ipf(clipped, cells, total, max_iter=max_iter, tol=tol)
    ratio = float(np.max(w / mean))
    raise ConvergenceError(
        f"trimming to [{lo_mult:g}, {hi_mult:g}] × the mean weight and raking could not both "
        f"be met in {max_rounds} rounds (largest weight {ratio:.3g} × mean): loosen the bounds")


def poststratify(design: SurveyDesign | pd.DataFrame, margin: Margin, *,
                 weights: str | None = None, by: str | None = None) -> Raking:
    """Post-stratify to one margin (its cells may cross several variables): each cell's
    weights are scaled to its population total. The variance uses post-stratification
    residuals (R's ``postStratify``)."""
    return rake(design, [margin], weights=weights, by=by, kind="poststratification")


__all__ = ["Raking", "effective_sample_size", "kish_design_effect", "poststratify", "rake"]
