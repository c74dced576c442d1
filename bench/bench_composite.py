"""Composite index uncertainty + sensitivity: vectorised socmob vs plain loops.

Synthetic, seeded data shaped like the SMC's Social Mobility Index: 205 areas × 12
indicators in 4 domains of 3, one index; skewed indicators (so treatment matters) with
standard errors of 15% of each indicator's SD (so sampling error matters).

Cases (same synthetic coin and the same uncertain inputs: winmax ∈ {1..5}; normalisation
min-max [1, 100], rank or z-score (100, 10); arithmetic or geometric mean; ±25% weight
noise on domains and index; sampling error):

* ``socmob_ua_10000`` — :func:`socmob.place.uncertainty.uncertainty`, 10,000 runs;
* ``socmob_sa_10000`` — :func:`socmob.place.sensitivity.composite_sensitivity`,
  N = 1,428 → 9,996 runs (k = 5 inputs, N (k + 2) runs), 1,000 bootstrap resamples;
* ``socmob_ua_200`` — the socmob UA at 200 runs, like for like with the baseline;
* ``pandas_loop_ua_200`` (baseline) — the same Monte Carlo written as a plain loop over
  runs with pandas (Series.skew/kurt winsorisation, column-wise normalisation, groupby
  aggregation, Series.rank). It does **200 runs**, 1/50 of the socmob runs, because 10,000
  would take minutes; its check value reports the time per run and the time projected to
  10,000 runs (× 50). Compare ``socmob_ua_10000`` with that projection, or
  ``socmob_ua_200`` with the baseline directly.

``composite_ua_10k`` times the 10,000-run uncertainty analysis (``socmob_ua_10000``)
against the same Monte Carlo written as a plain numpy loop over runs (baseline
``numpy_loop_ua_2000``: one run at a time, vectorised over units and indicators only). The
loop does 2,000 runs, 1/5 of socmob's, to keep the benchmark short; its check value gives
the time projected to 10,000 runs (× 5), and ``socmob_ua_2000`` is the like-for-like
case.

``composite_ua_process`` times the whole ``socmob index uncertainty`` process on the same
coin written to CSV files (10,000 runs, with the sampling error from a ``--se`` file),
against ``python -c pass`` (the baseline: an interpreter that starts and stops) and
``python -c "import socmob.cli"`` (what starting the command line costs before any work).
Each process case reports its own peak RSS in its check value (measured by GNU time; the
harness's peak is the parent's). The processes may write bytecode caches, as after any
install (``PYTHONDONTWRITEBYTECODE`` is dropped from their environment), so the median of
the repeats is a start with compiled modules.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.harness import Benchmark

N_UNITS = 205
DOMAINS = 4
PER_DOMAIN = 3
SEED = 20251123


def make_coin() -> dict[str, Any]:
    """The synthetic coin and its uncertain inputs (seeded)."""
    from socmob.place.composite import Coin
    from socmob.place.uncertainty import UncertainInputs

    rng = np.random.default_rng(SEED)
    codes = [f"ind{j + 1:02d}" for j in range(DOMAINS * PER_DOMAIN)]
    latent = rng.standard_normal(N_UNITS)
    cols = {}
    for j, code in enumerate(codes):
        signal = 0.6 * latent + 0.8 * rng.standard_normal(N_UNITS)
        cols[code] = np.exp(signal * (0.3 + 0.15 * (j % 4)))  # skewed, more for some
    idata = pd.DataFrame({"uCode": [f"A{i:03d}" for i in range(N_UNITS)],
                          "uName": [f"Area {i}" for i in range(N_UNITS)], **cols})
    domains = [f"D{d + 1}" for d in range(DOMAINS)]
    imeta = pd.DataFrame({
        "iCode": [*codes, *domains, "Index"],
        "Level": [1] * len(codes) + [2] * DOMAINS + [3],
        "Parent": [domains[j // PER_DOMAIN] for j in range(len(codes))]
        + ["Index"] * DOMAINS + [None],
        "Direction": [(-1 if j % 5 == 4 else 1) for j in range(len(codes))]
        + [1] * (DOMAINS + 1),
        "Weight": [1.0] * (len(codes) + DOMAINS + 1),
        "Type": ["Indicator"] * len(codes) + ["Aggregate"] * (DOMAINS + 1)})
    coin = (Coin.new(idata, imeta).treat(dset="Raw", winmax=5)
            .normalise(method="minmax", l_u=(1, 100)).aggregate(method="amean"))
    raw = coin.get("Raw")
    se = raw * 0 + 0.15 * raw.std(ddof=1)
    inputs = UncertainInputs(
        winmax=[1, 2, 3, 4, 5],
        normalise=[{"method": "minmax", "l_u": (1, 100)}, {"method": "rank"},
                   {"method": "zscore", "m_sd": (100, 10)}],
        aggregate=[{"method": "amean"}, {"method": "gmean"}],
        weight_noise={2: 0.25, 3: 0.25},
        se=se)
    return {"coin": coin, "inputs": inputs, "idata": idata, "imeta": imeta, "se": se}


def socmob_ua(state: dict[str, Any], runs: int = 10_000) -> dict[str, Any]:
    from socmob.place.uncertainty import uncertainty

    res = uncertainty(state["coin"], state["inputs"], runs=runs, seed=1, progress=False)
    width = (res.q95 - res.q05).to_numpy()
    return {"runs": runs, "mean_rank_interval_width": float(width.mean())}


def socmob_sa(state: dict[str, Any]) -> dict[str, Any]:
    from socmob.place.sensitivity import composite_sensitivity

    res = composite_sensitivity(state["coin"], state["inputs"], N=1428, seed=1,
                                progress=False)
    table = res.to_frame()
    return {"runs": res.runs, "ST": dict(zip(table["input"], table["ST"].round(3),
                                             strict=True))}


# -- the baseline: one run at a time with pandas -----------------------------------------
def _skew_kurt_fail(s: pd.Series) -> bool:
    return bool(abs(s.skew()) >= 2 and s.kurt() >= 3.5)  # pandas: type-2 G1, G2


def _treat_column(s: pd.Series, winmax: int) -> pd.Series:
    if not _skew_kurt_fail(s):
        return s
    x = s.copy()
    hi = lo = 0
    while _skew_kurt_fail(x) and hi + lo < winmax:
        if x.skew() >= 0:
            at = x == x.max()
            x[at] = x[~at].max()
            hi = int(at.sum())
        else:
            at = x == x.min()
            x[at] = x[~at].min()
            lo = int(at.sum())
    if not _skew_kurt_fail(x):
        return x
    return np.log(s - s.min() + 0.01 * (s.max() - s.min()))


def _normalise_column(s: pd.Series, spec: dict[str, Any]) -> pd.Series:
    if spec["method"] == "minmax":
        lo, hi = spec["l_u"]
        return (s - s.min()) / (s.max() - s.min()) * (hi - lo) + lo
    if spec["method"] == "rank":
        return s.rank(method="min")
    m, sd = spec["m_sd"]
    return (s - s.mean()) / s.std() * sd + m


def pandas_loop_ua(state: dict[str, Any], runs: int = 200) -> dict[str, Any]:
    start = time.perf_counter()
    rng = np.random.default_rng(1)
    inputs = state["inputs"]
    meta = state["imeta"].set_index("iCode")
    raw = state["coin"].get("Raw")
    se = state["se"]
    ind = list(raw.columns)
    domains = [c for c in meta.index if meta.loc[c, "Level"] == 2]
    ranks = []
    for _ in range(runs):
        winmax = inputs.winmax[rng.integers(len(inputs.winmax))]
        norm = inputs.normalise[rng.integers(len(inputs.normalise))]
        agg = inputs.aggregate[rng.integers(len(inputs.aggregate))]["method"]
        w = meta["Weight"].copy()
        for code in meta.index:
            if meta.loc[code, "Level"] in (2, 3):
                w[code] *= rng.uniform(0.75, 1.25)
        data = raw + se * rng.standard_normal(raw.shape)
        treated = pd.DataFrame({c: _treat_column(data[c], winmax) for c in ind})
        normed = pd.DataFrame({c: _normalise_column(treated[c] * meta.loc[c, "Direction"],
                                                    norm) for c in ind})
        scores = {}
        for d in domains:
            kids = [c for c in ind if meta.loc[c, "Parent"] == d]
            wk = w[kids] / w[kids].sum()
            if agg == "amean":
                scores[d] = (normed[kids] * wk).sum(axis=1)
            else:
                scores[d] = np.exp((np.log(normed[kids]) * wk).sum(axis=1))
        dom = pd.DataFrame(scores)
        wd = w[domains] / w[domains].sum()
        index = ((dom * wd).sum(axis=1) if agg == "amean"
                 else np.exp((np.log(dom) * wd).sum(axis=1)))
        ranks.append(index.rank(ascending=False, method="min"))
    r = pd.concat(ranks, axis=1)
    width = (r.quantile(0.95, axis=1) - r.quantile(0.05, axis=1)).mean()
    seconds = time.perf_counter() - start
    return {"runs": runs, "seconds": round(seconds, 3),
            "seconds_per_run": round(seconds / runs, 5),
            "projected_10000_runs_s": round(seconds / runs * 10_000, 1),
            "mean_rank_interval_width": float(width)}


# -- the 10k baseline: one run at a time with numpy ----------------------------------------
def _moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = x.shape[0]
    d = x - x.mean(axis=0)
    m2, m3, m4 = (d ** 2).sum(0), (d ** 3).sum(0), (d ** 4).sum(0)
    g1 = np.sqrt(n) * m3 / m2 ** 1.5 * np.sqrt(n * (n - 1)) / (n - 2)
    g2 = ((n + 1) * (n * m4 / m2 ** 2 - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    return g1, g2


def _fails(x: np.ndarray) -> np.ndarray:
    g1, g2 = _moments(x)
    return (np.abs(g1) >= 2) & (g2 >= 3.5)


def _treat_numpy(x: np.ndarray, winmax: int) -> np.ndarray:
    out = x.copy()
    for j in np.flatnonzero(_fails(x)):
        col = x[:, j].copy()
        hi = lo = 0
        while _fails(col[:, None])[0] and hi + lo < winmax:
            if _moments(col[:, None])[0][0] >= 0:
                at = col == col.max()
                col[at] = col[~at].max()
                hi = int(at.sum())
            else:
                at = col == col.min()
                col[at] = col[~at].min()
                lo = int(at.sum())
        if _fails(col[:, None])[0]:
            s = x[:, j]
            col = np.log(s - s.min() + 0.01 * (s.max() - s.min()))
        out[:, j] = col
    return out


def _rank_desc(x: np.ndarray) -> np.ndarray:
    order = np.argsort(-x, kind="stable")
    ranks = np.empty(len(x))
    ranks[order] = np.arange(1, len(x) + 1)
    return ranks


def numpy_loop_ua(state: dict[str, Any], runs: int = 2_000) -> dict[str, Any]:
    start = time.perf_counter()
    rng = np.random.default_rng(1)
    inputs = state["inputs"]
    meta = state["imeta"].set_index("iCode")
    raw = state["coin"].get("Raw")
    x0, se = raw.to_numpy(), state["se"].to_numpy()
    ind = list(raw.columns)
    direction = meta.loc[ind, "Direction"].to_numpy(dtype=float)
    domains = [c for c in meta.index if meta.loc[c, "Level"] == 2]
    member = np.array([[meta.loc[c, "Parent"] == d for c in ind] for d in domains], float)
    base_w = meta["Weight"]
    ranks = np.empty((runs, len(x0)))
    for r in range(runs):
        winmax = inputs.winmax[rng.integers(len(inputs.winmax))]
        norm = inputs.normalise[rng.integers(len(inputs.normalise))]
        agg = inputs.aggregate[rng.integers(len(inputs.aggregate))]["method"]
        w_dom = base_w[domains].to_numpy() * rng.uniform(0.75, 1.25, len(domains))
        rng.uniform(0.75, 1.25)  # the index's own weight: one child, no effect
        data = x0 + se * rng.standard_normal(x0.shape)
        xd = _treat_numpy(data, winmax) * direction
        if norm["method"] == "minmax":
            lo, hi = norm["l_u"]
            xn = (xd - xd.min(0)) / (xd.max(0) - xd.min(0)) * (hi - lo) + lo
        elif norm["method"] == "rank":
            xn = np.argsort(np.argsort(xd, axis=0), axis=0) + 1.0
        else:
            m, sd = norm["m_sd"]
            xn = (xd - xd.mean(0)) / xd.std(0, ddof=1) * sd + m
        wi = member / member.sum(1, keepdims=True)  # equal indicator weights per domain
        if agg == "amean":
            dom = xn @ wi.T
            index = dom @ (w_dom / w_dom.sum())
        else:
            dom = np.exp(np.log(xn) @ wi.T)
            index = np.exp(np.log(dom) @ (w_dom / w_dom.sum()))
        ranks[r] = _rank_desc(index)
    width = (np.quantile(ranks, 0.95, axis=0) - np.quantile(ranks, 0.05, axis=0)).mean()
    seconds = time.perf_counter() - start
    return {"runs": runs, "seconds": round(seconds, 3),
            "projected_10000_runs_s": round(seconds / runs * 10_000, 1),
            "mean_rank_interval_width": float(width)}


# -- the whole process ----------------------------------------------------------------------
def write_files() -> dict[str, Any]:
    """The synthetic coin as COINr-layout CSV files, and the command to analyse it."""
    state = make_coin()
    folder = Path(tempfile.mkdtemp(prefix="socmob-bench-"))
    state["idata"].to_csv(folder / "idata.csv", index=False)
    state["imeta"].to_csv(folder / "imeta.csv", index=False)
    state["se"].rename_axis("uCode").reset_index().to_csv(folder / "se.csv", index=False)
    state["command"] = [
        sys.executable, "-c", "from socmob.cli import main; main()",
        "index", "uncertainty", "--data", str(folder / "idata.csv"),
        "--meta", str(folder / "imeta.csv"), "--no-denominate", "--normalise", "minmax:1,100",
        "--runs", "10000", "--seed", "1", "--winmax-set", "1,2,3,4,5",
        "--normalise-set", "minmax:1,100;rank;zscore:100,10", "--aggregate-set", "amean;gmean",
        "--weight-noise", "0.25", "--noise-levels", "2,3", "--se", str(folder / "se.csv"),
        "--no-progress", "--format", "csv"]
    return state


def _process(command: list[str]) -> dict[str, Any]:
    """Run ``command``; its peak RSS comes from GNU time where present (a child forked
    from this bench process would also count the memory it inherited before exec)."""
    timer = Path("/usr/bin/time")
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as report:
        wrapped = ([str(timer), "-f", "%M", "-o", report.name, *command] if timer.exists()
                   else command)
        # bytecode caches as after any install (a session may forbid writing them, which
        # would make every start compile socmob and its dependencies afresh)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        done = subprocess.run(wrapped, capture_output=True, text=True, check=True, env=env)
        text = report.read().strip() if timer.exists() else ""
    peak_mb = round(int(text.splitlines()[-1]) / 1024.0) if text else None
    return {"stdout_lines": done.stdout.count("\n"), "process_peak_rss_mb": peak_mb}


def cli_process(state: dict[str, Any]) -> dict[str, Any]:
    out = _process(state["command"])
    assert out["stdout_lines"] == N_UNITS + 1, out  # header + one row per unit
    return out


BENCHMARKS = [
    Benchmark(
        name="composite_ua_sa",
        description="Composite index UA (10,000 runs) + Sobol SA (9,996 runs), 205 areas × "
                    "12 indicators, vs a pandas loop (200 runs; projection × 50 in its check)",
        cases={
            "socmob_ua_10000": socmob_ua,
            "socmob_sa_10000": socmob_sa,
            "socmob_ua_200": lambda s: socmob_ua(s, runs=200),
            "pandas_loop_ua_200": pandas_loop_ua,
        },
        baseline="pandas_loop_ua_200",
        setup=make_coin,
        repeat=2,
        params={"units": N_UNITS, "indicators": DOMAINS * PER_DOMAIN, "ua_runs": 10_000,
                "sa_N": 1428, "sa_runs": 9996, "baseline_runs": 200, "seed": SEED},
    ),
    Benchmark(
        name="composite_ua_10k",
        description="Composite index UA, 10,000 runs at 205 areas × 12 indicators (sampling "
                    "error, winmax, normalisation, aggregation, weight noise), vs a plain "
                    "numpy loop over runs (2,000 runs; projection × 5 in its check)",
        cases={
            "socmob_ua_10000": socmob_ua,
            "socmob_ua_2000": lambda s: socmob_ua(s, runs=2_000),
            "numpy_loop_ua_2000": numpy_loop_ua,
        },
        baseline="numpy_loop_ua_2000",
        setup=make_coin,
        repeat=3,
        params={"units": N_UNITS, "indicators": DOMAINS * PER_DOMAIN, "runs": 10_000,
                "baseline_runs": 2_000, "seed": SEED},
    ),
    Benchmark(
        name="composite_ua_process",
        description="The whole `socmob index uncertainty` process (205 areas × 12 "
                    "indicators from CSV files, 10,000 runs) vs `python -c pass`",
        cases={
            "socmob_index_uncertainty": cli_process,
            "python_import_socmob_cli": lambda s: _process(
                [sys.executable, "-c", "import socmob.cli"]),
            "python_c_pass": lambda s: _process([sys.executable, "-c", "pass"]),
        },
        baseline="python_c_pass",
        setup=write_files,
        repeat=3,
        params={"units": N_UNITS, "indicators": DOMAINS * PER_DOMAIN, "runs": 10_000,
                "seed": SEED},
    ),
]
