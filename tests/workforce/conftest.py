"""Fixtures of the employers' toolkit tests."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp


def _attack(pt):
    """Integer bounds of every suppressed cell/total of a published table, from the
    published numbers only (a reader's reconstruction attack)."""
    pub = pt.published.to_numpy(float)
    rt, ct, gt = pt.row_totals.to_numpy(float), pt.col_totals.to_numpy(float), pt.grand_total
    r, c = pub.shape
    n = r * c
    idx = np.arange(n).reshape(r, c)
    lb = np.where(np.isfinite(pub), pub, 0).ravel()
    ub = np.where(np.isfinite(pub), pub, np.inf).ravel()
    rows, rhs = [], []
    for i in range(r):
        if np.isfinite(rt[i]):
            a = np.zeros(n)
            a[idx[i]] = 1
            rows.append(a)
            rhs.append(rt[i])
    for j in range(c):
        if np.isfinite(ct[j]):
            a = np.zeros(n)
            a[idx[:, j]] = 1
            rows.append(a)
            rhs.append(ct[j])
    if np.isfinite(gt):
        rows.append(np.ones(n))
        rhs.append(gt)
    cons = [LinearConstraint(np.array(rows), rhs, rhs)] if rows else []
    targets = [("cell", i, j, np.eye(n)[idx[i, j]]) for i in range(r) for j in range(c)
               if not np.isfinite(pub[i, j])]
    targets += [("row", i, -1, np.isin(np.arange(n), idx[i]).astype(float))
                for i in range(r) if not np.isfinite(rt[i])]
    targets += [("col", -1, j, np.isin(np.arange(n), idx[:, j]).astype(float))
                for j in range(c) if not np.isfinite(ct[j])]
    out = []
    for kind, i, j, obj in targets:
        kw = dict(constraints=cons, integrality=np.ones(n), bounds=Bounds(lb, ub))
        lo = milp(obj, **kw)
        hi = milp(-obj, **kw)
        assert lo.status == 0
        upper = np.inf if hi.status != 0 else -hi.fun
        out.append((kind, i, j, lo.fun, upper))
    return out




@pytest.fixture
def attack():
    """The reconstruction attack: ``attack(protected_table)`` → list of
    ``(kind, row, column, min, max)`` for every suppressed cell and total."""
    return _attack


@pytest.fixture(scope="session")
def synthetic_hr():
    """A validated SYNTHETIC workforce of 400 (socmob.synth.workforce, seed 14)."""
    from socmob.synth.workforce import synthetic_workforce
    from socmob.workforce.hr import validate_hr

    made = synthetic_workforce(400, seed=14)
    return validate_hr(made.frame.astype(object), made.mapping)
