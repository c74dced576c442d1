"""Property tests (hypothesis): invariances every correct Unidiff / association fit has."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socmob.models import fit


def _unidiff_table(seed: int, n_layers: int) -> np.ndarray:
    """A 3×3×K table of expected counts from a Unidiff model, rounded (no zeros)."""
    rng = np.random.default_rng(seed)
    g = np.array([[1.0, 0.2, -0.6], [0.1, 0.5, 0.0], [-0.8, 0.1, 1.2]])
    out = []
    for _ in range(n_layers):
        phi = np.exp(rng.normal(0.0, 0.4))
        a, b = rng.normal(0, 0.3, 3), rng.normal(0, 0.3, 3)
        mu = np.exp(5.0 + a[:, None] + b[None, :] + phi * g)
        out.append(rng.poisson(mu) + 1.0)
    return np.stack(out)


SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(seed=st.integers(0, 10_000), perm_seed=st.integers(0, 10_000))
def test_permuting_layers_permutes_phi(seed, perm_seed):
    table = _unidiff_table(seed, 4)
    perm = np.random.default_rng(perm_seed).permutation(4)
    base = fit(table, "unidiff", n_starts=2)
    permuted = fit(table[perm], "unidiff", n_starts=2)
    # renormalised to the new first layer: log φ'_k = log φ_perm[k] − log φ_perm[0]
    expected = base.log_phi[perm] - base.log_phi[perm[0]]
    np.testing.assert_allclose(permuted.log_phi, expected, atol=1e-7)
    assert permuted.deviance == pytest.approx(base.deviance, rel=1e-8)


@SETTINGS
@given(seed=st.integers(0, 10_000), scale=st.floats(0.1, 20.0))
def test_scaling_counts(seed, scale):
    # Poisson ML is invariant in the odds-ratio parameters under n -> c n, while
    # G² = 2 Σ n log(n/m) is multiplied by c (log-linear and log-multiplicative alike).
    table = _unidiff_table(seed, 3)
    for model, keys in (("unidiff", "assoc["), ("uniform-association", "uniform")):
        data = table if model == "unidiff" else table.sum(0)
        base = fit(data, model, n_starts=2)
        scaled = fit(data * scale, model, n_starts=2)
        assert scaled.deviance == pytest.approx(scale * base.deviance, rel=1e-7, abs=1e-9)
        cols = [c for c in base.params.index if c.startswith(keys)]
        np.testing.assert_allclose(scaled.params[cols], base.params[cols], atol=1e-7)
        if model == "unidiff":
            np.testing.assert_allclose(scaled.log_phi, base.log_phi, atol=1e-7)
            # standard errors shrink by sqrt(c)
            np.testing.assert_allclose(scaled.log_phi_se[1:] * np.sqrt(scale),
                                       base.log_phi_se[1:], rtol=1e-6)


@SETTINGS
@given(seed=st.integers(0, 10_000))
def test_transposing_swaps_rc_scores(seed):
    rng = np.random.default_rng(seed)
    table = rng.poisson(np.exp(4 + np.outer(np.linspace(1, -1, 5), np.linspace(1, -1, 4))))
    table = table + 1.0
    a = fit(table, "rc1", n_starts=3)
    b = fit(table.T, "rc1", n_starts=3)
    assert b.deviance == pytest.approx(a.deviance, rel=1e-8)
    mu = a.params[[c for c in a.params.index if c.startswith("mu[")]].to_numpy()
    nu_t = b.params[[c for c in b.params.index if c.startswith("nu[")]].to_numpy()
    sign = np.sign(mu[0] * nu_t[0])
    np.testing.assert_allclose(sign * nu_t, mu, atol=1e-6)
