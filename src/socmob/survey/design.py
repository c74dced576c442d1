"""A survey design (weights, strata, primary sampling units, finite population
correction) and its Taylor-linearised variance.

Variance of an estimator with linearised influence values ``x_i`` (one column per
estimate) under stratified sampling of primary sampling units (PSUs) with replacement
— the *ultimate cluster* estimator (Wolter 2007, §6.11; Lumley 2010, §2.2)::

    V̂ = Σ_h  f_h · n_h/(n_h − 1) · Σ_{j ∈ h} (t_hj − t̄_h)(t_hj − t̄_h)ᵀ

where ``t_hj = Σ_{i ∈ PSU j} x_i`` is the PSU total, ``t̄_h`` the mean PSU total of
stratum ``h``, ``n_h`` the number of PSUs sampled in the stratum and ``f_h = 1 − n_h/N_h``
the finite population correction (1 without one). Without PSUs every respondent is its
own PSU; without strata the sample is one stratum. PSUs are numbered within strata
(R's ``svydesign(..., nest = TRUE)``). This is exactly what R's ``survey`` package
computes (``svyrecvar``, ``onestage``, ``onestrat``).

A stratum with one PSU (a *lonely PSU*) has no within-stratum variance. As R's
``options(survey.lonely.psu = …)``:

``"fail"`` (default)
    refuse the design, naming the stratum.
``"certainty"``
    the stratum is a certainty unit: it contributes nothing to the variance.
``"remove"``
    the stratum is left out of the variance (contributes nothing, as ``"certainty"``).
``"adjust"``
    the stratum's PSU total is centred at zero, the whole-sample mean of the (centred)
    influence values, rather than at its own mean: a conservative contribution
    ``f_h · t_h1²``.

Strata whose PSUs were all taken with certainty (``f_h = 0``, e.g. ``N_h = n_h = 1``)
contribute nothing and are never lonely.

Calibration (raking, post-stratification) leaves a :class:`Calibration` on the design;
the variance then uses the residuals of the influence values from the calibration
margins (see :mod:`socmob.survey.weighting`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

from socmob._text import closest
from socmob.checks import finite, not_degenerate
from socmob.errors import InputError, NotFoundError

LonelyPSU = Literal["fail", "certainty", "remove", "adjust"]
LONELY_PSU_OPTIONS: tuple[str, ...] = ("fail", "certainty", "remove", "adjust")

#: Back-fitting sweeps of the raking residuals, as R's ``survey`` (``svyrecvar``).
RAKING_SWEEPS = 10


@dataclass(frozen=True, eq=False)
class Calibration:
    """What a calibration leaves for the variance.

    Attributes
    ----------
    kind:
        ``"raking"`` or ``"poststratification"``.
    names:
        The margin names.
    cells:
        For each margin, every respondent's cell (0-based codes).
    n_cells:
        For each margin, the number of cells.
    base_weights:
        The weights before calibration (the post-stratification residuals average with
        them).
    sweeps:
        Back-fitting sweeps over the margins for raking residuals.
    """

    kind: Literal["raking", "poststratification"]
    names: tuple[str, ...]
    cells: tuple[np.ndarray, ...]
    n_cells: tuple[int, ...]
    base_weights: np.ndarray
    sweeps: int = RAKING_SWEEPS


ReplicateType = Literal["JK1", "JKn", "BRR", "Fay", "bootstrap", "other"]
REPLICATE_TYPES: tuple[str, ...] = ("JK1", "JKn", "BRR", "Fay", "bootstrap", "other")


@dataclass(frozen=True, eq=False)
class Replicates:
    """Replicate weights and how to combine the replicate estimates (R's
    ``svrepdesign``)::

        V̂ = scale · Σ_r rscales_r (θ̂_r − θ̄)(θ̂_r − θ̄)ᵀ

    with ``θ̄`` the mean of the replicate estimates (or ``θ̂`` itself with ``mse``).

    Attributes
    ----------
    weights:
        ``n × R`` replicate weights.
    columns:
        The columns they came from.
    type:
        ``"JK1"``, ``"JKn"``, ``"BRR"``, ``"Fay"``, ``"bootstrap"`` or ``"other"``.
    scale, rscales:
        The overall and per-replicate multipliers.
    mse:
        Centre at the full-sample estimate rather than the replicates' mean.
    df:
        Degrees of freedom of intervals and tests.
    """

    weights: np.ndarray
    columns: tuple[str, ...]
    type: str
    scale: float
    rscales: np.ndarray
    mse: bool
    df: int
    df_given: bool = False


def replicate_rank_df(weights: np.ndarray) -> int:
    """Default degrees of freedom of a replicate design: the rank of the replicate
    weights − 1 (R's ``degf``; singular values below 1e-5 of the largest count as 0)."""
    gram = weights.T @ weights
    eig = np.linalg.eigvalsh(gram)
    return int(np.sum(eig > eig.max() * 1e-10)) - 1


@dataclass(frozen=True, eq=False)
class SurveyDesign:
    """Respondent-level data with its sampling design.

    Build one with :func:`survey_design`. The arrays are aligned with the rows of
    :attr:`data`.

    Attributes
    ----------
    data:
        The respondents (a pandas DataFrame, index 0..n−1).
    weights:
        The analysis weights (finite, ≥ 0).
    strata, psu:
        Integer codes of each respondent's stratum and PSU (PSUs numbered across the
        whole sample, nested in strata).
    n_psu_stratum:
        Number of PSUs in each stratum (indexed by stratum code).
    fpc_fraction:
        ``f_h = 1 − n_h/N_h`` per stratum (ones without a finite population correction).
    strata_labels:
        The stratum names, by code.
    weight_column, strata_column, psu_column, fpc_column:
        The columns the design came from (``None`` where not given).
    lonely_psu:
        The lonely-PSU treatment (see the module docstring).
    value_labels, variable_labels:
        Labels from SPSS/Stata/Parquet metadata, ``{column: {code: label}}``.
    source:
        The file the data came from (for messages).
    calibration:
        Set by raking or post-stratification.
    """

    data: pd.DataFrame
    weights: np.ndarray
    strata: np.ndarray
    psu: np.ndarray
    n_psu_stratum: np.ndarray
    fpc_fraction: np.ndarray
    strata_labels: tuple[str, ...]
    weight_column: str | None = None
    strata_column: str | None = None
    psu_column: str | None = None
    fpc_column: str | None = None
    lonely_psu: LonelyPSU = "fail"
    value_labels: Mapping[str, Mapping[Any, str]] = field(default_factory=dict)
    variable_labels: Mapping[str, str] = field(default_factory=dict)
    source: str | None = None
    calibration: Calibration | None = None
    replicates: Replicates | None = None

    @property
    def n(self) -> int:
        """Number of respondents."""
        return len(self.weights)

    @property
    def n_psu(self) -> int:
        """Number of PSUs."""
        return int(self.psu.max()) + 1 if self.n else 0

    @cached_property
    def degrees_of_freedom(self) -> int:
        """Design degrees of freedom: PSUs − strata (among respondents with weight > 0);
        for a replicate design, its ``df``."""
        if self.replicates is not None:
            return self.replicates.df
        return domain_df(self, np.ones(self.n, dtype=bool))

    @cached_property
    def psu_stratum(self) -> np.ndarray:
        """The stratum code of each PSU."""
        out = np.zeros(self.n_psu, dtype=np.int64)
        out[self.psu] = self.strata
        return out

    @cached_property
    def calibration_weight_sums(self) -> tuple[Any, ...]:
        """For each calibration margin, the sparse matrix ``P[j, c] = Σ w_i`` over the
        respondents of PSU ``j`` in cell ``c`` (empty without calibration)."""
        if self.calibration is None:
            return ()
        from scipy import sparse

        return tuple(
            sparse.coo_matrix((self.weights, (self.psu, cells)),
                              shape=(self.n_psu, n_cells)).tocsr()
            for cells, n_cells in zip(self.calibration.cells, self.calibration.n_cells,
                                      strict=True))

    def with_weights(self, weights: np.ndarray, *,
                     calibration: Calibration | None = None,
                     replicate_weights: np.ndarray | None = None) -> SurveyDesign:
        """A copy of the design with other weights (and calibration, and replicate
        weights for a replicate design)."""
        replicates = self.replicates
        if replicate_weights is not None and replicates is not None:
            df = replicates.df if replicates.df_given else replicate_rank_df(replicate_weights)
            replicates = replace(replicates, weights=replicate_weights, df=df)
        return replace(self, weights=np.asarray(weights, dtype="float64"),
                       calibration=calibration, replicates=replicates)

    def column(self, name: str) -> pd.Series:
        """A column of :attr:`data`; :class:`NotFoundError` with close names if absent."""
        return _column(self.data, name, self.source)


def _column(frame: pd.DataFrame, name: str, source: str | None) -> pd.Series:
    if name not in frame.columns:
        where = f" in {source}" if source else ""
        raise NotFoundError(f"no column {name!r}{where}",
                            closest(name, [str(c) for c in frame.columns]))
    return frame[name]


def _codes(series: pd.Series, name: str, source: str | None) -> tuple[np.ndarray, list[str]]:
    """Integer codes of a grouping column (no missing values allowed) and its labels."""
    missing = series.isna().to_numpy()
    if missing.any():
        row = int(np.flatnonzero(missing)[0]) + 2
        raise InputError("missing value", file=source, row=row, column=name,
                         expected="every respondent to have a value")
    codes, uniques = pd.factorize(series, sort=True)
    return codes.astype(np.int64), [_label(v) for v in uniques]


def _label(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def categories(design: SurveyDesign, name: str, *, labelled: bool = True,
               ) -> tuple[np.ndarray, list[str]]:
    """Codes (−1 where missing) and category names of a column, ordered as the column's
    own order: a pandas categorical's categories, else sorted values. With ``labelled``,
    values that have a value label are named by it (``2 → "Tend to disagree"``)."""
    series = design.column(name)
    labels = design.value_labels.get(name, {}) if labelled else {}
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        uniques = list(series.cat.categories)
    else:
        raw, uniq = pd.factorize(series, sort=True)
        codes = raw.astype(np.int64)
        uniques = list(uniq)
    names = []
    for value in uniques:
        key = int(value) if isinstance(value, float) and value.is_integer() else value
        names.append(str(labels[key]) if key in labels else _label(value))
    return codes, names


def survey_design(
    data: pd.DataFrame,
    *,
    weights: str | None = None,
    strata: str | None = None,
    psu: str | None = None,
    fpc: str | None = None,
    lonely_psu: LonelyPSU = "fail",
    value_labels: Mapping[str, Mapping[Any, str]] | None = None,
    variable_labels: Mapping[str, str] | None = None,
    source: str | None = None,
    replicate_weights: Sequence[str] | None = None,
    replicate_type: ReplicateType = "JK1",
    replicate_scale: float | None = None,
    replicate_rscales: Sequence[float] | None = None,
    fay_rho: float = 0.0,
    replicate_mse: bool = False,
    replicate_df: int | None = None,
) -> SurveyDesign:
    """Describe how respondents were sampled, checking every column at the boundary.

    Parameters
    ----------
    data:
        One row per respondent.
    weights:
        Column of sampling (or analysis) weights; default: every weight 1. Blank,
        negative or non-finite weights are refused, naming the row.
    strata:
        Column of sampling strata (default: one stratum).
    psu:
        Column of primary sampling units (clusters), numbered within strata (default:
        each respondent is a PSU).
    fpc:
        Finite population correction, as R's ``svydesign(fpc = …)``: per respondent,
        the number of PSUs in the stratum's population ``N_h``, or (all values ≤ 1) the
        sampling fraction ``n_h/N_h``. Must be constant within a stratum.
    lonely_psu:
        ``"fail"``, ``"certainty"``, ``"remove"`` or ``"adjust"`` (module docstring).
    replicate_weights:
        Columns of replicate weights: variances then come from the replicates (see
        :class:`Replicates`) and strata and PSUs are not used. Raking rakes every
        replicate too, so the variance allows for it.
    replicate_type, replicate_scale, replicate_rscales, fay_rho, replicate_mse:
        How replicates combine, as R's ``svrepdesign``: default ``scale`` is
        ``(R − 1)/R`` for JK1, ``1/R`` for BRR, ``1/(R(1 − ρ)²)`` for Fay,
        ``1/(R − 1)`` for bootstrap; JKn and "other" need ``replicate_scale`` and/or
        ``replicate_rscales`` (default 1 each).
    replicate_df:
        Degrees of freedom for intervals and tests (default: the rank of the replicate
        weights − 1, as R's ``degf``, recomputed after raking as R does; the same for
        every domain).

    Raises
    ------
    InputError
        Bad weights, missing strata or PSU values, an inconsistent fpc, or (with
        ``lonely_psu="fail"``) a stratum with a single PSU.
    NotFoundError
        A named column does not exist.
    """
    if lonely_psu not in LONELY_PSU_OPTIONS:
        raise InputError(f"unknown lonely-PSU treatment {lonely_psu!r}",
                         expected="one of " + ", ".join(LONELY_PSU_OPTIONS))
    frame = data.reset_index(drop=True)
    n = len(frame)
    if n == 0:
        raise InputError("no respondents", file=source, expected="at least one row")
    if weights is None:
        w = np.ones(n)
    else:
        col = _column(frame, weights, source)
        if not pd.api.types.is_numeric_dtype(col) and not col.isna().all():
            converted = pd.to_numeric(col, errors="coerce")
            bad = converted.isna() & col.notna()
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(f"value {col.iloc[row]!r} is not a number", file=source,
                             row=row + 2, column=weights, expected="a weight ≥ 0")
        w = finite(pd.to_numeric(col, errors="coerce").to_numpy(dtype="float64",
                                                                na_value=np.nan),
                   name=weights, file=source, row_offset=2, nonnegative=True)
    not_degenerate(float(w.sum()), what="the survey",
                   reason="every weight is zero" if weights else "no respondents")
    if strata is None:
        s_codes = np.zeros(n, dtype=np.int64)
        s_labels = ["all"]
    else:
        s_codes, s_labels = _codes(_column(frame, strata, source), strata, source)
    if psu is None:
        p_local = np.arange(n, dtype=np.int64)
    else:
        p_local, _ = _codes(_column(frame, psu, source), psu, source)
    # nest PSUs in strata: a PSU is a (stratum, psu) pair
    pair = s_codes * (int(p_local.max()) + 1) + p_local
    _, p_codes = np.unique(pair, return_inverse=True)
    p_codes = p_codes.astype(np.int64)
    n_strata = len(s_labels)
    psu_stratum = np.zeros(int(p_codes.max()) + 1, dtype=np.int64)
    psu_stratum[p_codes] = s_codes
    n_h = np.bincount(psu_stratum, minlength=n_strata).astype("float64")
    fraction = np.ones(n_strata)
    if fpc is not None:
        fraction = _fpc_fraction(frame, fpc, s_codes, n_h, s_labels, source)
    if lonely_psu == "fail" and replicate_weights is None:
        lonely = np.flatnonzero((n_h == 1) & (fraction >= 1e-7))
        if lonely.size:
            label = s_labels[int(lonely[0])]
            more = f" ({lonely.size - 1} more such strata)" if lonely.size > 1 else ""
            raise InputError(
                f"stratum {label!r} has only one PSU, so its variance cannot be "
                f"estimated{more}", file=source, column=strata,
                expected="at least two PSUs per stratum, or a lonely-PSU treatment "
                "(certainty, remove or adjust)")
    replicates = None
    if replicate_weights is not None:
        if strata is not None or psu is not None or fpc is not None:
            raise InputError("replicate weights carry the sampling design",
                             expected="either replicate weights or strata/PSUs/fpc, not both")
        replicates = _replicates(frame, list(replicate_weights), replicate_type,
                                 replicate_scale, replicate_rscales, fay_rho, replicate_mse,
                                 replicate_df, source)
    return SurveyDesign(
        replicates=replicates,
        data=frame, weights=w, strata=s_codes, psu=p_codes, n_psu_stratum=n_h,
        fpc_fraction=fraction, strata_labels=tuple(s_labels), weight_column=weights,
        strata_column=strata, psu_column=psu, fpc_column=fpc, lonely_psu=lonely_psu,
        value_labels=dict(value_labels or {}), variable_labels=dict(variable_labels or {}),
        source=source)


def _replicates(frame: pd.DataFrame, columns: list[str], kind: str, scale: float | None,
                rscales: Sequence[float] | None, fay_rho: float, mse: bool, df: int | None,
                source: str | None) -> Replicates:
    if kind not in REPLICATE_TYPES:
        raise InputError(f"unknown replicate type {kind!r}",
                         expected="one of " + ", ".join(REPLICATE_TYPES))
    if not columns:
        raise InputError("no replicate weight columns", expected="at least two columns")
    weights = np.column_stack([
        finite(pd.to_numeric(_column(frame, c, source), errors="coerce")
               .to_numpy(dtype="float64", na_value=np.nan), name=c, file=source,
               row_offset=2, nonnegative=True) for c in columns])
    R = weights.shape[1]
    if R < 2:
        raise InputError("only one replicate", expected="at least two replicate weight columns")
    if scale is None:
        if kind == "JK1":
            scale = (R - 1) / R
        elif kind == "BRR":
            scale = 1 / R
        elif kind == "Fay":
            if not 0 <= fay_rho < 1:
                raise InputError(f"Fay's rho = {fay_rho}", expected="0 ≤ rho < 1")
            scale = 1 / (R * (1 - fay_rho) ** 2)
        elif kind == "bootstrap":
            scale = 1 / (R - 1)
        else:
            scale = 1.0
    r = np.ones(R) if rscales is None else np.asarray(rscales, dtype="float64")
    if r.shape != (R,) or not np.all(np.isfinite(r)) or np.any(r < 0):
        raise InputError(f"{r.size} replicate scales for {R} replicates",
                         expected="one finite scale ≥ 0 per replicate column")
    given = df is not None
    if df is None:
        df = replicate_rank_df(weights)
    return Replicates(weights=weights, columns=tuple(columns), type=kind, scale=float(scale),
                      rscales=r, mse=mse, df=int(df), df_given=given)


def replicate_covariance(reps: Replicates, thetas: np.ndarray,
                         estimate: np.ndarray) -> np.ndarray:
    """``scale · Σ_r rscales_r (θ_r − c)(θ_r − c)ᵀ`` of replicate estimates ``thetas``
    (``R × K``), ``c`` the full-sample ``estimate`` (``mse``) or the replicates' mean over
    replicates with ``rscales > 0`` (R's ``svrVar``)."""
    centre = estimate if reps.mse else thetas[reps.rscales > 0].mean(axis=0)
    dev = (thetas - centre) * np.sqrt(reps.rscales)[:, None]
    return reps.scale * (dev.T @ dev)


def _fpc_fraction(frame: pd.DataFrame, fpc: str, s_codes: np.ndarray, n_h: np.ndarray,
                  s_labels: Sequence[str], source: str | None) -> np.ndarray:
    values = finite(pd.to_numeric(_column(frame, fpc, source), errors="coerce")
                    .to_numpy(dtype="float64", na_value=np.nan),
                    name=fpc, file=source, row_offset=2, nonnegative=True)
    lo = np.full(len(n_h), np.inf)
    hi = np.full(len(n_h), -np.inf)
    np.minimum.at(lo, s_codes, values)
    np.maximum.at(hi, s_codes, values)
    varying = np.flatnonzero(hi - lo > 1e-9 * np.maximum(1.0, hi))
    if varying.size:
        raise InputError(f"the finite population correction varies within stratum "
                         f"{s_labels[int(varying[0])]!r}", file=source, column=fpc,
                         expected="one value per stratum")
    if np.all(values <= 1.0):
        if np.any(lo <= 0):
            raise InputError("a sampling fraction of 0", file=source, column=fpc,
                             expected="sampling fractions in (0, 1]")
        population = n_h / lo
    else:
        population = lo
        short = np.flatnonzero(population < n_h)
        if short.size:
            h = int(short[0])
            raise InputError(f"stratum {s_labels[h]!r} has {int(n_h[h])} sampled PSUs but "
                             f"a population of {population[h]:g}", file=source, column=fpc,
                             expected="a population at least as large as the sample")
    return np.where(np.isinf(population), 1.0, (population - n_h) / population)


# --------------------------------------------------------------------------- variance


@dataclass(frozen=True, eq=False)
class Influence:
    """Linearised influence values of ``G × L`` estimates, stored compactly.

    Respondent ``i`` contributes ``values[i, l]`` to estimate ``(group[i], l)`` and
    nothing to the estimates of other groups (``group[i] = −1``: to none). The values
    are in *unweighted* form ``u_i`` (the influence on the estimate is ``w_i u_i``), as
    calibration residuals are formed from them.
    """

    group: np.ndarray
    values: np.ndarray
    n_groups: int

    @property
    def n_estimates(self) -> int:
        return self.n_groups * self.values.shape[1]


def _group_sums(index: np.ndarray, n_index: int, infl: Influence,
                multiplier: np.ndarray | None) -> np.ndarray:
    """``S[j, g·L + l] = Σ_{i: index_i = j, group_i = g} m_i · values[i, l]``."""
    keep = infl.group >= 0
    key = index[keep] * infl.n_groups + infl.group[keep]
    L = infl.values.shape[1]
    out = np.empty((n_index, infl.n_groups, L))
    for level in range(L):
        vals = infl.values[keep, level]
        if multiplier is not None:
            vals = vals * multiplier[keep]
        out[:, :, level] = np.bincount(key, weights=vals,
                                       minlength=n_index * infl.n_groups).reshape(
                                           n_index, infl.n_groups)
    return out.reshape(n_index, infl.n_groups * L)


def psu_totals(design: SurveyDesign, infl: Influence) -> np.ndarray:
    """PSU totals ``t_j = Σ_{i ∈ j} w_i r_i`` of the influence values, after the
    calibration residuals (``r = u`` without calibration)."""
    totals = _group_sums(design.psu, design.n_psu, infl, design.weights)
    cal = design.calibration
    if cal is None:
        return totals
    corrections = _calibration_corrections(cal, infl)
    for P, a in zip(design.calibration_weight_sums, corrections, strict=True):
        totals = totals - P @ a  # P[j, c] = Σ_{i ∈ PSU j, cell c} w_i
    return totals


def _calibration_corrections(cal: Calibration, infl: Influence) -> list[np.ndarray]:
    """Per-margin cell corrections ``a_m`` such that the calibration residual of
    respondent ``i`` is ``u_i − Σ_m a_m[cell_m(i)]``.

    Raking (R's ``svyrecvar`` for a ``rake``d design): ``cal.sweeps`` back-fitting
    sweeps over the margins, each replacing ``u`` by ``u − ave_m(u)``, the mean of ``u``
    over the respondents of the same cell of margin ``m``. Post-stratification (R's
    ``postStratify``): one step with the cell mean weighted by the weights before
    calibration. The sweeps are run on cell sums: with ``N_mk`` the cross-counts of the
    cells of margins ``m`` and ``k`` and ``S_m`` the cell sums of ``u``,
    ``ave_m(u) = (S_m − Σ_k N_mk a_k) / n_m``.
    """
    M = len(cal.cells)
    if cal.kind == "poststratification":
        avg_w = cal.base_weights
        sweeps = 1
    else:
        avg_w = np.ones(len(cal.base_weights))
        sweeps = cal.sweeps
    sums = [_group_sums(c, k, infl, avg_w) for c, k in zip(cal.cells, cal.n_cells,
                                                           strict=True)]
    size = [np.bincount(c, weights=avg_w, minlength=k) for c, k in zip(cal.cells, cal.n_cells,
                                                                       strict=True)]
    cross: dict[tuple[int, int], np.ndarray] = {}
    for m in range(M):
        for k in range(M):
            if k == m:
                continue
            key = cal.cells[m] * cal.n_cells[k] + cal.cells[k]
            cross[(m, k)] = np.bincount(key, weights=avg_w,
                                        minlength=cal.n_cells[m] * cal.n_cells[k]).reshape(
                                            cal.n_cells[m], cal.n_cells[k])
    a = [np.zeros_like(s) for s in sums]
    for _ in range(sweeps):
        for m in range(M):
            current = sums[m] - size[m][:, None] * a[m]
            for k in range(M):
                if k != m:
                    current = current - cross[(m, k)] @ a[k]
            with np.errstate(invalid="ignore", divide="ignore"):
                step = np.where(size[m][:, None] > 0, current / size[m][:, None], 0.0)
            a[m] = a[m] + step
    return a


def variance_from_totals(design: SurveyDesign, totals: np.ndarray) -> np.ndarray:
    """The stratified ultimate-cluster covariance matrix from PSU totals (module
    docstring), with the design's lonely-PSU treatment."""
    n_h = design.n_psu_stratum
    psu_stratum = design.psu_stratum
    n_strata = len(n_h)
    sums = np.empty((n_strata, totals.shape[1]))
    for k in range(totals.shape[1]):
        sums[:, k] = np.bincount(psu_stratum, weights=totals[:, k], minlength=n_strata)
    means = sums / n_h[:, None]
    f = design.fpc_fraction
    lonely = n_h == 1
    centred = totals - means[psu_stratum]
    scale = np.where(lonely, f, f * n_h / np.maximum(n_h - 1, 1))
    if design.lonely_psu == "adjust":
        centred[lonely[psu_stratum]] = totals[lonely[psu_stratum]]
    elif lonely.any():  # certainty, remove: no contribution (fail was refused earlier)
        scale = np.where(lonely, 0.0, scale)
    scale = np.where(f < 1e-7, 0.0, scale)
    s = scale[psu_stratum]
    return centred.T @ (centred * s[:, None])


def influence_covariance(design: SurveyDesign, infl: Influence) -> np.ndarray:
    """Covariance matrix of the ``G × L`` estimates whose influence values are
    ``infl`` (calibration residuals applied where the design is calibrated).

    BLAS runs single-threaded here: the matrices are thin (PSUs × a few hundred
    estimates at most), where threads gain nothing and, on a busy machine, OpenBLAS's
    spinning threads make the products many times slower."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return variance_from_totals(design, psu_totals(design, infl))


def domain_df(design: SurveyDesign, mask: np.ndarray) -> int:
    """Degrees of freedom of a domain: PSUs − strata among its respondents with weight
    > 0 (R's ``degf`` of the subset design)."""
    inset = mask & (design.weights > 0)
    if not inset.any():
        return 0
    psus = np.count_nonzero(np.bincount(design.psu[inset], minlength=design.n_psu))
    strata = np.count_nonzero(np.bincount(design.strata[inset],
                                          minlength=len(design.n_psu_stratum)))
    return int(psus - strata)


def domain_dfs(design: SurveyDesign, group: np.ndarray, n_groups: int,
               valid: np.ndarray) -> np.ndarray:
    """:func:`domain_df` of every group at once (``group = −1``: in no group); a
    replicate design's ``df`` for every group that has respondents."""
    if design.replicates is not None:
        present = np.bincount(group[valid & (group >= 0)], minlength=n_groups) > 0
        return np.where(present, design.replicates.df, 0).astype(np.int64)
    inset = valid & (design.weights > 0) & (group >= 0)
    g = group[inset]
    psu_seen = np.bincount(g * design.n_psu + design.psu[inset],
                           minlength=n_groups * design.n_psu) > 0
    n_s = len(design.n_psu_stratum)
    strata_seen = np.bincount(g * n_s + design.strata[inset], minlength=n_groups * n_s) > 0
    n_psu = psu_seen.reshape(n_groups, design.n_psu).sum(axis=1)
    n_strata = strata_seen.reshape(n_groups, n_s).sum(axis=1)
    return (n_psu - n_strata).astype(np.int64)


__all__ = [
    "LONELY_PSU_OPTIONS",
    "RAKING_SWEEPS",
    "REPLICATE_TYPES",
    "Calibration",
    "Influence",
    "LonelyPSU",
    "ReplicateType",
    "Replicates",
    "SurveyDesign",
    "categories",
    "domain_df",
    "domain_dfs",
    "influence_covariance",
    "psu_totals",
    "replicate_covariance",
    "replicate_rank_df",
    "survey_design",
    "variance_from_totals",
]
