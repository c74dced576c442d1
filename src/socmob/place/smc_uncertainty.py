"""Rank intervals and band probabilities for the SMC's published composite indices.

The SMC publishes a z-score and a band for each of its 205 areas on each composite index
(:func:`socmob.data.composites`) but no standard errors, and the embedded data hold no
area-level indicators whose sampling error could be propagated (as
:func:`socmob.place.uncertainty.uncertainty` does for a coin). The noise is therefore
estimated from the published scores themselves, by classical test theory.

Noise model
-----------
For index *c*, let :math:`z_{a,t}` be area *a*'s published z-score in period *t*, and
:math:`r_c` the Pearson correlation across areas of the z-scores of two adjacent periods
(by default the two latest: ci1–ci3 "2012 to 2017" and "2018 to 2024"; ci4 "2018 to 2020"
and "2021 to 2024"), computed by :func:`socmob.place.trends.reliable_change_se`. Taking
:math:`r_c` as the test–retest reliability of the index, classical test theory with
unit-variance scores, :math:`z = \\tau + e`, :math:`\\operatorname{var} z = 1`, gives the
measurement-error variance

.. math:: \\sigma_c^2 = 1 - r_c ,

the square of the standard error of measurement :math:`\\mathrm{SEM} = s\\sqrt{1-r}`
(Lord & Novick 1968) with *s* = 1. This is the same noise scale as the reliable-change
rule of :mod:`socmob.place.trends`, where :math:`\\mathrm{SE_{diff}} = \\sqrt{2(1-r)} =
\\sqrt 2\\,\\sigma_c` (Jacobson & Truax 1991).

**The intervals are conservative.** :math:`1 - r_c` counts as noise everything that makes
the two periods disagree, including genuine change in areas between the periods (and the
periods span several years), so :math:`\\sigma_c` is an *upper bound* on the measurement
noise of one period: the true rank intervals are likely narrower and the band
probabilities of the published band likely higher than reported here.

Monte Carlo
-----------
For runs :math:`m = 1,\\dots,M` (vectorised over runs and areas):

1. :math:`z^*_{am} = z_a + \\sigma_c\\,\\varepsilon_{am}`, :math:`\\varepsilon_{am}
   \\sim N(0, 1)` independent;
2. re-standardise within the run, as the SMC standardises each period across areas:
   :math:`\\tilde z_{am} = \\bar z + s_z (z^*_{am} - \\bar z^*_m) / s^*_m` with sample
   means and SDs (n − 1) across areas. :math:`\\bar z` and :math:`s_z` are those of the
   published z-scores, which are 0 and 1 up to their rounding to 3 dp; restoring them
   (rather than exactly 0 and 1) means that with :math:`\\sigma_c = 0` every run
   reproduces the published z-scores, bands and ranks exactly;
3. band :math:`\\tilde z_{am}` with the SMC's 2025 seven-band rule
   (:func:`socmob.place.banding.band_2025`: cut-points ±0.5, ±1, ±1.5, each belonging to
   the band farther from zero), and rank the areas, 1 = most favourable (highest z), tied
   areas sharing the best (smallest) rank (:func:`socmob.place.composite.normalise.rank_min`).

Per area and index it reports the published rank, the median and mean rank over the runs,
the 5%–95% rank interval (quantiles of type 7, R's default, as
:mod:`socmob.place.uncertainty`), the probability of each band
:math:`P(k) = \\frac1M \\sum_m 1[\\text{band}_{am} = k]`, the probability of the
published band, and the :math:`r_c` and :math:`\\sigma_c` used. Without re-standardisation
(``restandardise=False`` in :func:`rank_band_draws`) the band probabilities are known in
closed form, :math:`P(k) = \\Phi((u_k - z_a)/\\sigma) - \\Phi((l_k - z_a)/\\sigma)` for band
*k* = (l_k, u_k], which the tests use as a check.

References: Lord, F. M. & Novick, M. R. (1968). *Statistical theories of mental test
scores*, ch. 3 (standard error of measurement). Jacobson, N. S. & Truax, P. (1991).
Clinical significance: a statistical approach to defining meaningful change. *J.
Consulting and Clinical Psychology* 59, 12–19. Saisana, M., Saltelli, A. & Tarantola, S.
(2005). Uncertainty and sensitivity analysis techniques as tools for the quality
assessment of composite indicators. *JRSS A* 168(2) (rank intervals and band
probabilities from Monte Carlo runs).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from socmob.errors import InputError
from socmob.place._progress import progress_bar
from socmob.place.banding import BAND_LABELS_2025, band_2025
from socmob.place.composite.normalise import rank_min
from socmob.place.defaults import RANK_RUNS, SEED
from socmob.place.selection import area_labels, choose, require_columns, sort_periods
from socmob.place.trends import reliable_change_se
from socmob.results import Result, tidy

N_BANDS = len(BAND_LABELS_2025)
BAND_COLUMNS: tuple[str, ...] = tuple(f"p_band_{k}" for k in range(1, N_BANDS + 1))
"""Columns of :attr:`SmcRankUncertainty.table` holding P(band k), k = 1 … 7."""

RANK_UNIT = "rank (1 = most favourable)"
NOISE_NOTE = ("noise σ = √(1 − r), r = correlation of the index between two periods; an "
              "upper bound on the noise, so the intervals are conservative")

SigmaArg = float | Mapping[str, float] | None

__all__ = ["BAND_COLUMNS", "RankBandDraws", "SmcRankUncertainty", "rank_band_draws",
           "rank_uncertainty_from_composites"]


# --------------------------------------------------------------------------- core


@dataclass(frozen=True, eq=False)
class RankBandDraws:
    """Summary of the Monte Carlo runs for one vector of z-scores (arrays over areas).

    ``band_probability`` is ``(areas, 7)``: column *k − 1* is P(band *k*)."""

    published_rank: np.ndarray
    published_band: np.ndarray
    median_rank: np.ndarray
    mean_rank: np.ndarray
    q05: np.ndarray
    q95: np.ndarray
    band_probability: np.ndarray
    runs: int


def _progress(enabled: bool) -> Any:
    return progress_bar(enabled, "Monte Carlo")


def rank_band_draws(
    z: Sequence[float] | np.ndarray | pd.Series,
    sigma: float,
    *,
    runs: int = RANK_RUNS,
    seed: int | np.random.Generator | None = None,
    restandardise: bool = True,
    chunk: int = 1_000,
    progress: bool = False,
    bar: Any = None,
) -> RankBandDraws:
    """Ranks and SoN 2025 bands of :math:`z^* = z + \\sigma\\varepsilon` over ``runs`` runs.

    Parameters
    ----------
    z
        Published z-scores of one index and period, one per area (no missing values).
    sigma
        Noise SD σ ≥ 0 on the z scale (σ = 0: every run is the published data).
    runs, seed
        Number of runs; seed (or generator) of ``numpy.random.default_rng``. Draws are
        made in run order, so results do not depend on ``chunk``.
    restandardise
        Re-standardise each run to the mean and sample SD of ``z`` (see the module
        docstring). Off, the band probabilities are
        :math:`\\Phi((u_k - z)/\\sigma) - \\Phi((l_k - z)/\\sigma)` exactly.
    chunk
        Runs drawn at once (memory ∝ chunk × areas).
    progress, bar
        Show a progress bar; or advance an existing rich ``bar`` (a ``(progress, task)``
        pair) instead.
    """
    values = np.asarray(z, dtype=float)
    if values.ndim != 1 or values.size < 2:
        raise InputError("z must be a vector of at least 2 z-scores", column="z",
                         expected="one z-score per area")
    if np.isnan(values).any():
        raise InputError("z has missing values", column="z",
                         expected="a z-score for every area")
    if not (math.isfinite(sigma) and sigma >= 0):
        raise InputError(f"sigma = {sigma}", column="sigma", expected="a number ≥ 0")
    if runs < 1:
        raise InputError(f"runs = {runs}", column="runs", expected="at least 1")
    if chunk < 1:
        raise InputError(f"chunk = {chunk}", column="chunk", expected="at least 1")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    n = values.size
    mean, sd = values.mean(), values.std(ddof=1)
    ranks = np.empty((runs, n), dtype=np.float32)
    counts = np.zeros((n, N_BANDS), dtype=np.int64)

    def work(progress_task: tuple[Any, Any] | None) -> None:
        for start in range(0, runs, chunk):
            m = min(chunk, runs - start)
            if sigma == 0:
                draws = np.broadcast_to(values, (m, n))
            else:
                draws = values + sigma * rng.standard_normal((m, n))
                if restandardise:
                    run_mean = draws.mean(axis=1, keepdims=True)
                    run_sd = draws.std(axis=1, ddof=1, keepdims=True)
                    draws = mean + sd * (draws - run_mean) / run_sd
            ranks[start:start + m] = rank_min(-draws, axis=-1)
            bands = band_2025(draws)  # 1 … 7, vectorised
            for k in range(1, N_BANDS + 1):
                counts[:, k - 1] += (bands == k).sum(axis=0)
            if progress_task is not None:
                progress_task[0].advance(progress_task[1], m)

    if bar is not None:
        work(bar)
    else:
        with _progress(progress) as own:
            work((own, own.add_task("Monte Carlo runs", total=runs)))
    r64 = ranks.astype(float)
    return RankBandDraws(
        published_rank=rank_min(-values, axis=-1),
        published_band=band_2025(values),
        median_rank=np.median(r64, axis=0),
        mean_rank=r64.mean(axis=0),
        q05=np.quantile(r64, 0.05, axis=0),
        q95=np.quantile(r64, 0.95, axis=0),
        band_probability=counts / runs,
        runs=runs,
    )


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class SmcRankUncertainty(Result):
    """Rank intervals and band probabilities of every area on the SMC composite indices.

    ``table``: one row per area × index — index_code, index_title, area_id, area_code,
    area_name, period, z, published_rank, published_band, published_band_label,
    median_rank, mean_rank, q05, q95, ``p_band_1`` … ``p_band_7``, p_published_band,
    reliability (r), sigma (σ).
    ``noise``: one row per index — index_code, period, reliability_period (the other
    period of r), reliability, sigma, sigma_source ("reliability" or "given"), n.
    """

    table: pd.DataFrame
    noise: pd.DataFrame
    runs: int
    seed: int | None
    edition: int | None = None

    def area(self, area_id: str) -> pd.DataFrame:
        """Rows of one area (by ``area_id``)."""
        return self.table[self.table["area_id"] == str(area_id)].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows: measure ``rank`` (value = median rank, lci/uci = 5%/95% rank
        quantiles, n = runs) and measure ``band_probability`` (one row per band *k*,
        value = ``probability`` = P(band k)); group = index code. Extra columns: area_id,
        index_code, index_title, band, band_label, probability, published_rank,
        published_band, p_published_band, reliability, sigma."""
        t = self.table.reset_index(drop=True)
        base = {"area_code": t["area_code"], "area_name": t["area_name"],
                "period": t["period"], "breakdown": "index", "group": t["index_code"],
                "n": float(self.runs)}
        extra_cols = ["area_id", "index_code", "index_title", "published_rank",
                      "published_band", "p_published_band", "reliability", "sigma"]
        rank = pd.DataFrame({**base, "measure": "rank", "value": t["median_rank"],
                             "lci": t["q05"], "uci": t["q95"], "unit": RANK_UNIT})
        rank = pd.concat([tidy(rank, note=NOISE_NOTE), t[extra_cols]], axis=1)
        rank["band"] = t["published_band"].astype("Int64")
        rank["band_label"] = t["published_band_label"]
        rank["probability"] = t["p_published_band"]
        frames = [rank]
        for k, col in enumerate(BAND_COLUMNS, start=1):
            prob = pd.DataFrame({**base, "measure": "band_probability", "value": t[col],
                                 "unit": "probability"})
            prob = pd.concat([tidy(prob, note=NOISE_NOTE), t[extra_cols]], axis=1)
            prob["band"] = pd.array([k] * len(t), dtype="Int64")
            prob["band_label"] = BAND_LABELS_2025[k - 1]
            prob["probability"] = t[col]
            frames.append(prob)
        out = pd.concat(frames, ignore_index=True)
        order = {"rank": 0, "band_probability": 1}
        return (out.assign(_m=out["measure"].map(order))
                .sort_values(["area_id", "index_code", "_m", "band"], kind="stable")
                .drop(columns="_m").reset_index(drop=True))

    def summary(self) -> str:
        lines = [f"Rank intervals and band probabilities, {self.runs} Monte Carlo runs "
                 f"(seed {self.seed}); noise σ = √(1 − r), an upper bound (conservative)"]
        for r in self.noise.itertuples(index=False):
            rel = ("given" if r.sigma_source == "given"
                   else f"r = {r.reliability:.3f} ({r.reliability_period} vs {r.period})")
            sub = self.table[self.table["index_code"] == r.index_code]
            lines.append(f"{r.index_code} {r.period}: σ = {r.sigma:.3f}, {rel}; median "
                         f"width of the 90% rank interval "
                         f"{float((sub['q95'] - sub['q05']).median()):.1f}; median "
                         f"P(published band) {float(sub['p_published_band'].median()):.2f}")
        if self.table["area_id"].nunique() <= 3:
            for row in self.table.itertuples(index=False):
                lines.append(f"  {row.area_name} {row.index_code}: rank {row.published_rank:.0f}"
                             f" (90% interval {row.q05:.0f}–{row.q95:.0f}), band "
                             f"{row.published_band} with probability "
                             f"{row.p_published_band:.2f}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- from composites


def _sigma_for(code: str, sigma: SigmaArg) -> float | None:
    if sigma is None:
        return None
    if isinstance(sigma, Mapping):
        return None if code not in sigma else float(sigma[code])
    return float(sigma)


def rank_uncertainty_from_composites(
    composites: pd.DataFrame,
    *,
    runs: int = RANK_RUNS,
    seed: int | None = SEED,
    sigma: SigmaArg = None,
    indices: str | Sequence[str] | None = None,
    period: str | None = None,
    progress: bool = True,
    edition: int | None = None,
) -> SmcRankUncertainty:
    """Rank intervals and band probabilities (module docstring) from a composites table.

    Parameters
    ----------
    composites
        Long table in the :func:`socmob.data.composites` layout (``index_code``,
        ``area_id``, ``area_name``, ``period``, ``z``; SoN 2025 z-scores).
    runs, seed
        Monte Carlo runs and seed. Each index has its own random stream (spawned from
        ``seed`` by its position among all the table's indices), so an index gives the
        same result whether it is run alone or with the others.
    sigma
        Override σ: one value for every index, or a mapping index → σ (indices left out
        use the reliability).
    indices
        Index code(s) (default all).
    period
        Period to analyse (default each index's latest). r is computed between it and
        the period before it (the period after it when it is the first).
    progress
        Show a progress bar.
    """
    require_columns(composites, ["index_code", "area_id", "area_name", "period", "z"],
                     "composites")
    if runs < 1:
        raise InputError(f"runs = {runs}", column="runs", expected="at least 1")
    if isinstance(sigma, Mapping):
        bad = [k for k, v in sigma.items() if not (math.isfinite(float(v)) and v >= 0)]
    else:
        bad = [] if sigma is None or (math.isfinite(float(sigma)) and sigma >= 0) else ["*"]
    if bad:
        raise InputError(f"sigma for {bad[0]} is not a number ≥ 0", column="sigma",
                         expected="σ ≥ 0 on the z scale")
    codes = sorted(composites["index_code"].astype(str).unique())
    wanted = (codes if indices is None else
              [choose(i, codes, "index") for i in ([indices] if isinstance(indices, str)
                                                    else indices)])
    if not wanted:
        raise InputError("no index given", column="indices", expected="e.g. ['ci1']")
    if isinstance(sigma, Mapping):
        unknown = [k for k in sigma if k not in codes]
        if unknown:
            raise InputError(f"sigma given for unknown index {unknown[0]!r}",
                             column="sigma", expected=f"one of {', '.join(codes)}")
    names, gss = area_labels(composites)
    titles = (dict(zip(composites["index_code"].astype(str),
                       composites["index_title"].astype(str), strict=False))
              if "index_title" in composites.columns else {})
    streams = np.random.SeedSequence(seed).spawn(len(codes))

    plan = []
    for code in wanted:
        sub = composites[composites["index_code"].astype(str) == code]
        periods = sort_periods(sub["period"])
        chosen = periods[-1] if period is None else choose(period, periods, "period",
                                                            f" for {code}")
        pos = periods.index(chosen)
        other = (periods[pos - 1] if pos > 0 else
                 periods[pos + 1] if len(periods) > 1 else None)
        z = sub.pivot_table(index="area_id", columns="period", values="z", aggfunc="first")
        z.index = z.index.astype(str)
        current = z[chosen].dropna()
        given = _sigma_for(code, sigma)
        r = np.nan
        if other is not None:
            r, _, _ = reliable_change_se(z[other], z[chosen])
        if given is None:
            if other is None:
                raise InputError(f"{code} has one period only: no reliability to estimate σ",
                                 column="sigma", expected="a sigma for this index")
            s = math.sqrt(max(0.0, 1.0 - r))
        else:
            s = given
        plan.append((code, chosen, other, current, r, s, given is not None))

    tables, noise = [], []
    with _progress(progress) as bar:
        for code, chosen, other, current, r, s, was_given in plan:
            task = bar.add_task(f"Monte Carlo runs ({code})", total=runs)
            rng = np.random.default_rng(streams[codes.index(code)])
            d = rank_band_draws(current.to_numpy(float), s, runs=runs, seed=rng,
                                bar=(bar, task))
            ids = current.index
            frame = pd.DataFrame({
                "index_code": code, "index_title": titles.get(code, code),
                "area_id": ids, "area_code": [gss.get(i, i) for i in ids],
                "area_name": [names.get(i, i) for i in ids], "period": chosen,
                "z": current.to_numpy(float), "published_rank": d.published_rank,
                "published_band": d.published_band,
                "published_band_label": [BAND_LABELS_2025[b - 1] for b in d.published_band],
                "median_rank": d.median_rank, "mean_rank": d.mean_rank, "q05": d.q05,
                "q95": d.q95})
            for k, col in enumerate(BAND_COLUMNS):
                frame[col] = d.band_probability[:, k]
            frame["p_published_band"] = d.band_probability[np.arange(len(ids)),
                                                            d.published_band - 1]
            frame["reliability"] = r
            frame["sigma"] = s
            tables.append(frame)
            noise.append({"index_code": code, "period": chosen,
                          "reliability_period": other, "reliability": r, "sigma": s,
                          "sigma_source": "given" if was_given else "reliability",
                          "n": len(ids)})
    table = pd.concat(tables, ignore_index=True)
    return SmcRankUncertainty(table=table, noise=pd.DataFrame(noise), runs=runs, seed=seed,
                              edition=edition)

