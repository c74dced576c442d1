"""Statistical disclosure control for published workforce tables.

Socio-economic background is voluntary and sensitive: an employer's published figures
must never let a reader work out the background of a small group of colleagues. Every
table, chart and export of the publishable report passes through this module
(cf. the masking stage of the Opportunity Insights replication code, and the ONS
disclosure-control guidance for tables: threshold rule, secondary suppression,
rounding).

Rules
-----
1. **Refusal**: nothing is published from fewer than ``min_respondents`` (default 50)
   employees with a classifiable background (:func:`require_respondents`).
2. **Primary suppression**: a count ``0 < n < threshold`` (default 10) is suppressed;
   so is a row or column total in that range. Zeros are published unless
   ``suppress_zeros``.
3. **Complementary (secondary) suppression**: every row and column whose total is
   published must contain either no suppressed cell or at least two; complements are
   the smallest non-zero published cells of the row/column (zeros only when nothing
   else is left), iterating until stable. The pattern is then *audited*: for each
   suppressed cell (and suppressed total) the minimum and maximum value consistent with
   every published number (cells, row, column and grand totals, non-negativity) are
   found by linear programming (:func:`cell_intervals`). Any suppressed quantity whose
   feasible interval is narrower than ``min_interval`` gets another complement (the
   smallest published cell in its row or column, else its totals) and the audit is
   repeated. For two-way tables with margins the constraint matrix is totally
   unimodular, so the LP bounds are integers and exact.
4. **Rounding**: published counts may be rounded to a base (``round_to``, e.g. 5) and
   percentages to ``percent_decimals`` places; rounding is applied after suppression.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from socmob.errors import DisclosureError, InputError
from socmob.results import Result, tidy

PUBLISHED = "published"
PRIMARY = "primary"
SECONDARY = "secondary"


@dataclass(frozen=True)
class DisclosurePolicy:
    """Disclosure-control settings (defaults follow common employer practice).

    threshold : smallest count published (cells and totals below it are suppressed).
    min_respondents : refuse to publish below this many classifiable respondents.
    round_to : round published counts to this base (``None`` = exact counts).
    percent_decimals : decimals of published percentages.
    suppress_zeros : also suppress zero cells.
    min_interval : a suppressed quantity must have a feasible interval at least this
        wide (1 = never exactly determined).
    """

    threshold: int = 10
    min_respondents: int = 50
    round_to: int | None = None
    percent_decimals: int = 0
    suppress_zeros: bool = False
    min_interval: float = 1.0

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise InputError("disclosure threshold must be at least 1", expected=">= 1")
        if self.round_to is not None and self.round_to < 1:
            raise InputError("rounding base must be positive", expected=">= 1")


DEFAULT_POLICY = DisclosurePolicy()


def require_respondents(n_classifiable: int, *, policy: DisclosurePolicy = DEFAULT_POLICY,
                        what: str = "report") -> None:
    """Raise :class:`~socmob.errors.DisclosureError` if fewer than
    ``policy.min_respondents`` employees have a classifiable background."""
    if n_classifiable < policy.min_respondents:
        raise DisclosureError(
            f"refusing to publish a {what} from {n_classifiable} classifiable respondents "
            f"(at least {policy.min_respondents} are needed so that no one can be identified)"
        )


def round_count(value: float, base: int | None) -> float:
    """Round a count to the nearest multiple of ``base`` (halves up); ``None`` = as is."""
    if base is None or not np.isfinite(value):
        return value
    return float(np.floor(value / base + 0.5) * base)


@dataclass(frozen=True)
class ProtectedTable(Result):
    """A two-way count table after disclosure control.

    ``published`` holds the interior cells (NaN where suppressed), ``row_totals`` /
    ``col_totals`` / ``grand_total`` the margins (NaN where suppressed), ``status`` the
    status of each interior cell (``published``, ``primary`` or ``secondary``) and
    ``row_status`` / ``col_status`` that of the totals. ``intervals`` gives, for every
    suppressed cell, the feasible range a reader can deduce (audit output). Counts are
    exact unless the policy rounds them; the true counts are never kept.
    """

    published: pd.DataFrame
    row_totals: pd.Series
    col_totals: pd.Series
    grand_total: float
    status: pd.DataFrame
    row_status: pd.Series
    col_status: pd.Series
    policy: DisclosurePolicy
    intervals: pd.DataFrame = field(repr=False)

    @property
    def n_suppressed(self) -> int:
        """Number of suppressed interior cells."""
        return int((self.status != PUBLISHED).to_numpy().sum())

    def with_margins(self, total_label: str = "Total") -> pd.DataFrame:
        """The published table with a total column and a total row."""
        out = self.published.copy()
        out[total_label] = self.row_totals
        out.loc[total_label] = [*self.col_totals.tolist(), self.grand_total]
        return out

    def shares(self, *, axis: str = "row") -> pd.DataFrame:
        """Percentages of each published cell in its row (``axis="row"``) or column total;
        suppressed wherever the cell or the total is suppressed; rounded per policy."""
        if axis == "row":
            pct = self.published.div(self.row_totals, axis=0) * 100
        elif axis == "column":
            pct = self.published.div(self.col_totals, axis=1) * 100
        else:
            raise InputError(f"unknown axis {axis!r}", expected="'row' or 'column'")
        return pct.round(self.policy.percent_decimals)

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows, one per cell and total (``Total``): ``value`` the published count
        (missing where suppressed), ``group`` the row, ``note`` the cell's status; the
        long form ``row, column, status`` follows."""
        long = self.cells()
        return tidy(long.assign(measure="count", breakdown=str(self.published.index.name or "row"),
                                group=long["row"].astype(str), unit="count",
                                note=long["status"]))

    def cells(self) -> pd.DataFrame:
        """Long form: ``row, column, value, status`` (totals included as ``Total``)."""
        full = self.with_margins()
        st = self.status.copy()
        st["Total"] = self.row_status
        st.loc["Total"] = [*self.col_status.tolist(),
                           PUBLISHED if np.isfinite(self.grand_total) else PRIMARY]
        rows = []
        for r in full.index:
            for c in full.columns:
                rows.append({"row": r, "column": c, "value": full.loc[r, c],
                             "status": st.loc[r, c]})
        return pd.DataFrame(rows)


def cell_intervals(
    published: np.ndarray,
    row_totals: np.ndarray,
    col_totals: np.ndarray,
    grand_total: float,
    *,
    extra: Sequence[tuple[np.ndarray, float]] = (),
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Feasible range of every unknown in a published two-way table.

    Unknowns are interior cells given as NaN in ``published``; row/column totals given as
    NaN are unknown too. Solves ``min`` and ``max`` of each unknown subject to: published
    cells fixed, published totals equal to the sums of their cells, cells ≥ 0
    (``scipy.optimize.linprog``, HiGHS). ``extra`` adds linked information published
    elsewhere: pairs of a 0/1 weight matrix (table shape) and the published weighted sum.
    Returns ``(cell_lo, cell_hi, row_lo, row_hi, col_lo, col_hi)``; known quantities get
    their value as both bounds.
    """
    pub = np.asarray(published, dtype=float)
    r, c = pub.shape
    nvar = r * c
    a_eq: list[np.ndarray] = []
    b_eq: list[float] = []
    bounds = []
    for i in range(r):
        for j in range(c):
            v = pub[i, j]
            bounds.append((v, v) if np.isfinite(v) else (0.0, None))
    for i in range(r):
        if np.isfinite(row_totals[i]):
            row = np.zeros(nvar)
            row[i * c : (i + 1) * c] = 1
            a_eq.append(row)
            b_eq.append(float(row_totals[i]))
    for j in range(c):
        if np.isfinite(col_totals[j]):
            col = np.zeros(nvar)
            col[j::c] = 1
            a_eq.append(col)
            b_eq.append(float(col_totals[j]))
    if np.isfinite(grand_total):
        a_eq.append(np.ones(nvar))
        b_eq.append(float(grand_total))
    for weights, value in extra:
        a_eq.append(np.asarray(weights, dtype=float).ravel())
        b_eq.append(float(value))
    A = np.vstack(a_eq) if a_eq else None
    b = np.asarray(b_eq) if b_eq else None

    def extremes(obj: np.ndarray) -> tuple[float, float]:
        lo = linprog(obj, A_eq=A, b_eq=b, bounds=bounds, method="highs")
        hi = linprog(-obj, A_eq=A, b_eq=b, bounds=bounds, method="highs")
        if lo.status == 2 or hi.status == 2:
            raise InputError("the published table is inconsistent (no feasible counts)")
        low = float(lo.fun) if lo.status == 0 else 0.0
        high = float(-hi.fun) if hi.status == 0 else float("inf")
        return low, high

    cell_lo, cell_hi = pub.copy(), pub.copy()
    for i in range(r):
        for j in range(c):
            if not np.isfinite(pub[i, j]):
                obj = np.zeros(nvar)
                obj[i * c + j] = 1
                cell_lo[i, j], cell_hi[i, j] = extremes(obj)
    row_lo, row_hi = np.array(row_totals, float), np.array(row_totals, float)
    for i in range(r):
        if not np.isfinite(row_totals[i]):
            obj = np.zeros(nvar)
            obj[i * c : (i + 1) * c] = 1
            row_lo[i], row_hi[i] = extremes(obj)
    col_lo, col_hi = np.array(col_totals, float), np.array(col_totals, float)
    for j in range(c):
        if not np.isfinite(col_totals[j]):
            obj = np.zeros(nvar)
            obj[j::c] = 1
            col_lo[j], col_hi[j] = extremes(obj)
    return cell_lo, cell_hi, row_lo, row_hi, col_lo, col_hi


def _pick(values: np.ndarray, candidates: list[tuple[str, int, int]]) -> tuple[str, int, int]:
    """Smallest non-zero candidate (zeros only if nothing else)."""
    def key(cand: tuple[str, int, int]) -> tuple[int, float]:
        v = float(values[cand[1], cand[2]]) if cand[0] == "cell" else 0.0
        return (1 if v == 0 else 0, v)

    return min(candidates, key=key)


def _complements(
    kind: str, i: int, j: int, values: np.ndarray, supp: np.ndarray,
    row_supp: np.ndarray, col_supp: np.ndarray,
) -> list[tuple[str, int, int]]:
    """Candidate complementary suppressions for an exposed cell or total."""
    r, c = values.shape
    if kind == "cell":
        cands = [("cell", i, k) for k in range(c) if not supp[i, k]]
        cands += [("cell", k, j) for k in range(r) if not supp[k, j]]
        if not cands:
            cands = [("row", i, -1)] if not row_supp[i] else []
            cands += [("col", -1, j)] if not col_supp[j] else []
        return cands
    if kind == "row":
        if not supp[i].any():  # its own published cells add up to it
            return [("cell", i, k) for k in range(c)]
        others = [k for k in range(r) if k != i and not row_supp[k]]
        if not others:
            return []
        tot = values.sum(axis=1)
        best = min(others, key=lambda k: (not supp[k].any(), tot[k] == 0, tot[k]))
        return [("row", best, -1)]
    if not supp[:, j].any():
        return [("cell", k, j) for k in range(r)]
    others = [k for k in range(c) if k != j and not col_supp[k]]
    if not others:
        return []
    tot = values.sum(axis=0)
    best = min(others, key=lambda k: (not supp[:, k].any(), tot[k] == 0, tot[k]))
    return [("col", -1, best)]


def protect_table(counts: pd.DataFrame, *,
                  policy: DisclosurePolicy = DEFAULT_POLICY) -> ProtectedTable:
    """Apply primary and complementary suppression (and rounding) to a count table.

    ``counts`` is a rows × columns frame of non-negative integer counts; its margins are
    computed here and published unless suppressed. See the module docstring for the
    rules and the audit that guarantees no suppressed cell can be recovered.
    """
    if counts.empty:
        raise InputError("cannot publish an empty table")
    values = counts.to_numpy(dtype=float)
    if not np.all(np.isfinite(values)) or (values < 0).any() or \
            not np.allclose(values, np.round(values)):
        raise InputError("table counts must be non-negative whole numbers")
    t = policy.threshold
    r, c = values.shape
    rows_tot, cols_tot, grand = values.sum(axis=1), values.sum(axis=0), values.sum()

    small = (values < t) & ((values > 0) | policy.suppress_zeros)
    supp = small.copy()
    primary = small.copy()
    row_supp = (rows_tot > 0) & (rows_tot < t)
    col_supp = (cols_tot > 0) & (cols_tot < t)
    row_primary, col_primary = row_supp.copy(), col_supp.copy()
    grand_supp = bool(0 < grand < t)

    def add(kind: str, i: int, j: int) -> None:
        if kind == "cell":
            supp[i, j] = True
        elif kind == "row":
            row_supp[i] = True
        elif kind == "col":
            col_supp[j] = True

    # Heuristic pass: ≥ 2 suppressed cells in every line whose total is published.
    changed = True
    while changed:
        changed = False
        for i in range(r):
            if not row_supp[i] and supp[i].sum() == 1:
                cands = [("cell", i, j) for j in range(c) if not supp[i, j]]
                if cands:
                    add(*_pick(values, cands))
                    changed = True
        for j in range(c):
            if not col_supp[j] and supp[:, j].sum() == 1:
                cands = [("cell", i, j) for i in range(r) if not supp[i, j]]
                if cands:
                    add(*_pick(values, cands))
                    changed = True

    # Audit pass: nothing suppressed may be pinned down by the published numbers.
    while True:
        pub = np.where(supp, np.nan, values)
        rt = np.where(row_supp, np.nan, rows_tot)
        ct = np.where(col_supp, np.nan, cols_tot)
        gt = float("nan") if grand_supp else float(grand)
        lo, hi, rlo, rhi, clo, chi = cell_intervals(pub, rt, ct, gt)
        exposed = None
        for i in range(r):
            for j in range(c):
                if supp[i, j] and hi[i, j] - lo[i, j] < policy.min_interval - 1e-9:
                    exposed = ("cell", i, j)
                    break
            if exposed:
                break
        if exposed is None:
            for i in range(r):
                if row_supp[i] and rhi[i] - rlo[i] < policy.min_interval - 1e-9:
                    exposed = ("row", i, -1)
                    break
        if exposed is None:
            for j in range(c):
                if col_supp[j] and chi[j] - clo[j] < policy.min_interval - 1e-9:
                    exposed = ("col", -1, j)
                    break
        if exposed is None:
            break
        kind, i, j = exposed
        cands = _complements(kind, i, j, values, supp, row_supp, col_supp)
        if not cands:
            if not grand_supp:
                grand_supp = True
                continue
            raise DisclosureError(  # pragma: no cover - every cell is already hidden
                "the table cannot be protected by suppression; combine small categories"
            )
        add(*_pick(values, cands))

    status = np.where(primary, PRIMARY, np.where(supp, SECONDARY, PUBLISHED))
    rstat = np.where(row_primary, PRIMARY, np.where(row_supp, SECONDARY, PUBLISHED))
    cstat = np.where(col_primary, PRIMARY, np.where(col_supp, SECONDARY, PUBLISHED))
    base = policy.round_to
    rnd = np.vectorize(lambda v: round_count(v, base), otypes=[float])
    published = pd.DataFrame(rnd(np.where(supp, np.nan, values)), index=counts.index,
                             columns=counts.columns)
    row_totals = pd.Series(rnd(np.where(row_supp, np.nan, rows_tot)), index=counts.index)
    col_totals = pd.Series(rnd(np.where(col_supp, np.nan, cols_tot)), index=counts.columns)
    grand_total = float("nan") if grand_supp else round_count(float(grand), base)
    audit = [
        {"row": counts.index[i], "column": counts.columns[j], "lower": lo[i, j],
         "upper": hi[i, j]}
        for i in range(r) for j in range(c) if supp[i, j]
    ]
    return ProtectedTable(
        published=published,
        row_totals=row_totals,
        col_totals=col_totals,
        grand_total=grand_total,
        status=pd.DataFrame(status, index=counts.index, columns=counts.columns),
        row_status=pd.Series(rstat, index=counts.index),
        col_status=pd.Series(cstat, index=counts.columns),
        policy=policy,
        intervals=pd.DataFrame(audit, columns=["row", "column", "lower", "upper"]),
    )


def linked_sums_safe(
    counts: pd.DataFrame,
    protected: ProtectedTable,
    sums: Sequence[tuple[Sequence[object], object]],
) -> bool:
    """Whether publishing extra sums of cells of ``counts`` keeps ``protected`` safe.

    Each sum is ``(row labels, column label)``: the total of that column over those rows
    (e.g. the number of lower-background employees in the senior grades, published in a
    seniority table beside the grade table). Returns ``False`` if, with these sums known
    too, any suppressed cell of ``protected`` would have a feasible interval narrower than
    the policy's ``min_interval`` — the linked-tables attack.
    """
    values = counts.to_numpy(dtype=float)
    extra = []
    for rows, col in sums:
        w = np.zeros(values.shape)
        w[np.ix_(counts.index.isin(list(rows)), np.asarray(counts.columns == col))] = 1.0
        extra.append((w, float((w * values).sum())))
    # exact published values (conservative: rounding would only blur them)
    pub = np.where(protected.status.to_numpy() == PUBLISHED, values, np.nan)
    if np.isfinite(pub).all():
        return True
    rt = np.where(protected.row_status.to_numpy() == PUBLISHED, values.sum(axis=1), np.nan)
    ct = np.where(protected.col_status.to_numpy() == PUBLISHED, values.sum(axis=0), np.nan)
    gt = values.sum() if np.isfinite(protected.grand_total) else float("nan")
    lo, hi, *_ = cell_intervals(pub, rt, ct, gt, extra=extra)
    sup = ~np.isfinite(pub)
    return bool((hi[sup] - lo[sup] >= protected.policy.min_interval - 1e-9).all())


def publishable_statistic(*group_sizes: int, policy: DisclosurePolicy = DEFAULT_POLICY) -> bool:
    """True if a statistic over groups of these sizes may be published (each ≥ threshold).

    Used for pay gaps, bonus gaps and averages: a mean over fewer than ``threshold``
    people is not published.
    """
    return all(n >= policy.threshold for n in group_sizes)


__all__ = [
    "DEFAULT_POLICY",
    "PRIMARY",
    "PUBLISHED",
    "SECONDARY",
    "DisclosurePolicy",
    "ProtectedTable",
    "cell_intervals",
    "linked_sums_safe",
    "protect_table",
    "publishable_statistic",
    "require_respondents",
    "round_count",
]
