"""A labelled SYNTHETIC social mobility barometer: a perception survey with known truth.

The SMC's barometer asks the public about social mobility and opportunity. This generator
draws respondents to three questions modelled on it, with a realistic survey design, and
records the population values the questions were drawn from, so that weighting and
design-based estimates can be checked against the truth.

Population
    UK adults (``population`` people, default 53 million) in 12 nations and regions ×
    6 age groups × 2 sexes × 3 socio-economic backgrounds (the SMC's professional /
    intermediate / lower, from parental occupation at 14). Region, age and sex shares are
    fixed; the background mix tilts with age and region (more professional backgrounds
    among the young and in London and the South East).

Questions (5-point scales, codes 1–5 with value labels)
    ``q_parents`` — "Where you end up in society is largely determined by who your parents
    are" (1 strongly disagree … 5 strongly agree); ``q_equal_opportunities`` — "There are
    equal opportunities for everyone to get on in life" (same scale); ``q_class_gap`` —
    "How large or small is the gap between the social classes in Britain today?"
    (1 very small … 5 very large). Each answer follows an ordered logit::

        P(Y ≤ k) = expit(θ_k − η),   η = α_q + β_age + β_region + β_background
                                        + δ_q · (wave index) + u_psu,   u_psu ~ N(0, σ²)

    so views differ by age, region and background, drift between waves, and are
    correlated within sampling points (clusters). The truth is the population value of
    each proportion, mean score and net agreement (agree − disagree) by wave, overall and
    by group: the cell probabilities integrated over ``u`` (Gauss–Hermite, 60 nodes) and
    averaged with the population cell shares.

Design
    Strata are the 12 regions of each wave (column ``stratum``; waves are independent
    samples), with a boosted sample in the smaller nations
    (respondents ∝ √population); primary sampling units (PSUs) are sampling points of
    about ``cluster_size`` respondents. Response depends on age × sex and on background
    (young men and people from lower backgrounds respond least), so the respondent mix is
    biased; ``design_weight`` (stratum population ÷ issued sample) corrects only the
    stratum allocation. Raking to the population margins (age × sex, region,
    background) — written alongside as a margins file — removes the non-response bias,
    since the response propensity is a product of age × sex and background factors. About
    2% of answers are missing ("don't know", left blank).

Every row has ``synthetic = True``; files also carry the label in their metadata.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socmob._deprecated import renamed
from socmob.errors import InputError
from socmob.results import atomic_write
from socmob.survey.read import SYNTHETIC_KEY, VALUE_LABELS_KEY, VARIABLE_LABELS_KEY

TRUTH_KEY = b"socmob.truth"

REGIONS: tuple[str, ...] = (
    "North East", "North West", "Yorkshire and The Humber", "East Midlands",
    "West Midlands", "East of England", "London", "South East", "South West", "Wales",
    "Scotland", "Northern Ireland",
)
_REGION_CODES = ("NE", "NW", "YH", "EM", "WM", "EE", "LN", "SE", "SW", "WA", "SC", "NI")
_REGION_SHARE = np.array([0.040, 0.110, 0.082, 0.073, 0.089, 0.095, 0.133, 0.138, 0.087,
                          0.048, 0.082, 0.028])
AGE_GROUPS: tuple[str, ...] = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
_AGE_SHARE = np.array([0.11, 0.17, 0.16, 0.17, 0.16, 0.23])
SEXES: tuple[str, ...] = ("Female", "Male")
_SEX_SHARE = np.array([0.51, 0.49])
BACKGROUNDS: tuple[str, ...] = ("Professional", "Intermediate", "Lower")
_BG_BASE = np.array([0.33, 0.27, 0.40])
# tilt of the log share of a professional (vs lower) background, by age and region
_BG_AGE_TILT = np.array([0.35, 0.30, 0.20, 0.05, -0.15, -0.40])
_BG_REGION_TILT = np.array([-0.25, -0.10, -0.15, -0.05, -0.10, 0.10, 0.35, 0.25, 0.05,
                            -0.15, -0.05, -0.10])

# response propensity = age × sex factor × background factor
_RESPONSE_AGE_SEX = np.array([[0.30, 0.22], [0.38, 0.28], [0.45, 0.38], [0.52, 0.46],
                              [0.60, 0.55], [0.66, 0.62]])
_RESPONSE_BG = np.array([1.00, 0.85, 0.65])

AGREE_LABELS: dict[int, str] = {1: "Strongly disagree", 2: "Tend to disagree",
                                3: "Neither agree nor disagree", 4: "Tend to agree",
                                5: "Strongly agree"}
GAP_LABELS: dict[int, str] = {1: "Very small", 2: "Fairly small", 3: "Neither large nor small",
                              4: "Fairly large", 5: "Very large"}


@dataclass(frozen=True)
class BarometerQuestion:
    """One question of the synthetic barometer: its wording, scale and the true
    ordered-logit effects the answers are drawn from."""

    name: str
    wording: str
    labels: Mapping[int, str]
    intercept: float
    age: tuple[float, ...]
    region: tuple[float, ...]
    background: tuple[float, ...]
    wave_trend: float


QUESTIONS: tuple[BarometerQuestion, ...] = (
    BarometerQuestion("q_parents",
             "Where you end up in society is largely determined by who your parents are",
             AGREE_LABELS, 0.35,
             age=(0.45, 0.35, 0.15, 0.0, -0.15, -0.35),
             region=(0.30, 0.20, 0.20, 0.10, 0.15, -0.05, -0.10, -0.20, -0.05, 0.25, 0.10,
                     0.15),
             background=(-0.40, 0.0, 0.35), wave_trend=0.12),
    BarometerQuestion("q_equal_opportunities",
             "There are equal opportunities for everyone to get on in life",
             AGREE_LABELS, -0.30,
             age=(-0.30, -0.25, -0.10, 0.0, 0.20, 0.45),
             region=(-0.25, -0.15, -0.15, -0.05, -0.10, 0.05, 0.15, 0.20, 0.05, -0.20,
                     -0.10, -0.05),
             background=(0.45, 0.05, -0.35), wave_trend=-0.10),
    BarometerQuestion("q_class_gap",
             "How large or small is the gap between the social classes in Britain today?",
             GAP_LABELS, 0.60,
             age=(0.30, 0.25, 0.10, 0.0, -0.05, -0.20),
             region=(0.25, 0.15, 0.15, 0.05, 0.10, -0.05, 0.05, -0.15, -0.05, 0.20, 0.10,
                     0.05),
             background=(-0.30, 0.0, 0.30), wave_trend=0.05),
)
#: Ordered-logit cut points θ₁ < … < θ₄ shared by the questions.
THRESHOLDS = np.array([-2.2, -0.9, 0.1, 1.7])
#: The answers counted as agreement and disagreement (net agreement = agree − disagree).
AGREE_CODES = (4, 5)
DISAGREE_CODES = (1, 2)

MARGINS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("age_sex", ("age_group", "sex")),
    ("region", ("region",)),
    ("background", ("background",)),
)
"""The raking margins written with the barometer: name and variables."""


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def population_shares() -> np.ndarray:
    """Population share of every region × age × sex × background cell (sums to 1)."""
    region = _REGION_SHARE / _REGION_SHARE.sum()
    log_bg = np.log(_BG_BASE)[None, None, :] + np.zeros((len(REGIONS), len(AGE_GROUPS), 3))
    tilt = _BG_AGE_TILT[None, :] + _BG_REGION_TILT[:, None]
    log_bg[:, :, 0] += tilt
    log_bg[:, :, 2] -= tilt
    bg = np.exp(log_bg)
    bg /= bg.sum(axis=2, keepdims=True)
    cells = (region[:, None, None, None] * _AGE_SHARE[None, :, None, None]
             * _SEX_SHARE[None, None, :, None] * bg[:, :, None, :])
    return cells / cells.sum()


def _category_probabilities(eta: np.ndarray, sigma: float) -> np.ndarray:
    """E_u[P(Y = k | η + u)], u ~ N(0, σ²), for each η (last axis: k = 1..5)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(60)
    weights = weights / weights.sum()
    shifted = eta[..., None] + sigma * nodes  # (..., nodes)
    cum = _expit(THRESHOLDS[:, None] - shifted[..., None, :])  # (..., 4, nodes)
    cum = np.concatenate([np.zeros_like(cum[..., :1, :]), cum,
                          np.ones_like(cum[..., :1, :])], axis=-2)
    probs = np.diff(cum, axis=-2)  # (..., 5, nodes)
    return probs @ weights


def _eta(question: BarometerQuestion, wave_index: int) -> np.ndarray:
    """Linear predictor for every region × age × sex × background cell."""
    eta = (question.intercept + np.asarray(question.region)[:, None, None, None]
           + np.asarray(question.age)[None, :, None, None]
           + np.asarray(question.background)[None, None, None, :]
           + question.wave_trend * wave_index)
    return np.broadcast_to(eta, (len(REGIONS), len(AGE_GROUPS), len(SEXES), 3))


def _summaries(probs: np.ndarray, shares: np.ndarray) -> dict[str, Any]:
    """Population proportions, mean score and net agreement of cells weighted by shares."""
    total = shares.sum()
    p = (probs * shares[..., None]).reshape(-1, 5).sum(axis=0) / total
    scores = np.arange(1, 6)
    return {
        "proportions": {str(k): float(p[k - 1]) for k in scores},
        "mean": float(p @ scores),
        "net_agreement": float(p[[c - 1 for c in AGREE_CODES]].sum()
                               - p[[c - 1 for c in DISAGREE_CODES]].sum()),
    }


def barometer_truth(waves: list[int], cluster_sd: float) -> dict[str, Any]:
    """The population values of every question by wave: overall and by age group,
    region, sex and background."""
    shares = population_shares()
    out: dict[str, Any] = {}
    axes = {"region": (0, REGIONS), "age_group": (1, AGE_GROUPS), "sex": (2, SEXES),
            "background": (3, BACKGROUNDS)}
    for q in QUESTIONS:
        by_wave: dict[str, Any] = {}
        for index, wave in enumerate(waves):
            probs = _category_probabilities(_eta(q, index), cluster_sd)
            entry: dict[str, Any] = {"overall": _summaries(probs, shares)}
            for var, (axis, labels) in axes.items():
                entry[var] = {}
                for i, label in enumerate(labels):
                    sl = [slice(None)] * 4
                    sl[axis] = slice(i, i + 1)
                    entry[var][label] = _summaries(probs[tuple(sl)], shares[tuple(sl)])
            by_wave[str(wave)] = entry
        out[q.name] = by_wave
    return out


def population_margins(population: float) -> pd.DataFrame:
    """The raking margins of the synthetic population, in the margins-file layout:
    ``margin, age_group, sex, region, background, target`` (blank where a variable is not
    part of the margin)."""
    cells = population_shares() * population
    rows: list[dict[str, Any]] = []
    for a, age in enumerate(AGE_GROUPS):
        for s, sex in enumerate(SEXES):
            rows.append({"margin": "age_sex", "age_group": age, "sex": sex,
                         "target": float(cells[:, a, s, :].sum())})
    for r, region in enumerate(REGIONS):
        rows.append({"margin": "region", "region": region, "target": float(cells[r].sum())})
    for b, bg in enumerate(BACKGROUNDS):
        rows.append({"margin": "background", "background": bg,
                     "target": float(cells[..., b].sum())})
    frame = pd.DataFrame(rows, columns=["margin", "age_group", "sex", "region", "background",
                                        "target"])
    return frame.fillna({c: "" for c in ("age_group", "sex", "region", "background")})


def _allocate(total: int, shares: np.ndarray) -> np.ndarray:
    """Integers summing to ``total`` in proportion to ``shares`` (largest remainder)."""
    raw = shares / shares.sum() * total
    base = np.floor(raw).astype(int)
    order = np.argsort(-(raw - base), kind="stable")
    base[order[: total - base.sum()]] += 1
    return base


@dataclass(frozen=True, eq=False)
class SyntheticBarometer:
    """The generated respondents, the population margins and the truth."""

    frame: pd.DataFrame
    margins: pd.DataFrame
    truth: dict[str, Any]
    value_labels: dict[str, dict[int, str]]
    variable_labels: dict[str, str]
    params: dict[str, Any] = field(default_factory=dict)

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the respondents as CSV, Parquet, SPSS ``.sav`` or Stata ``.dta`` (by
        suffix), labelled synthetic: the ``synthetic`` column, and in Parquet the file
        metadata (``synthetic=true``, the truth, value and variable labels), in SPSS and
        Stata the file label and value labels."""
        target = Path(path)
        suffix = target.suffix.lower()
        frame = self.frame
        if suffix == ".csv":
            return atomic_write(target, lambda h: h.write(frame.to_csv(index=False)),
                                mode="w")
        if suffix in {".parquet", ".pq"}:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, preserve_index=False)
            meta = dict(table.schema.metadata or {})
            meta.update({SYNTHETIC_KEY: b"true",
                         TRUTH_KEY: json.dumps(self.truth).encode(),
                         VALUE_LABELS_KEY: json.dumps(self.value_labels).encode(),
                         VARIABLE_LABELS_KEY: json.dumps(self.variable_labels).encode()})
            table = table.replace_schema_metadata(meta)
            return atomic_write(target, lambda h: pq.write_table(table, h))
        if suffix in {".sav", ".dta"}:
            import pyreadstat

            label = "SYNTHETIC socmob barometer (not real survey data)"
            out = frame.assign(synthetic=frame["synthetic"].astype(int))
            labels = {k: {float(c): t for c, t in v.items()}
                      for k, v in self.value_labels.items()}
            names = list(out.columns)
            col_labels: list[str | None] = [self.variable_labels.get(c) for c in names]

            writer = pyreadstat.write_sav if suffix == ".sav" else pyreadstat.write_dta
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix,
                                       dir=target.parent)
            os.close(fd)
            try:  # written beside the target and renamed into place: never half-written
                writer(out, tmp, file_label=label, column_labels=col_labels,
                       variable_value_labels=labels)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            return target
        raise InputError("unsupported file type for the synthetic barometer",
                         file=str(target), expected=".csv, .parquet, .sav or .dta")

    def write_margins(self, path: str | os.PathLike[str]) -> Path:
        """Write the population margins (for raking) as CSV."""
        text = self.margins.to_csv(index=False)
        return atomic_write(Path(path), lambda h: h.write(text), mode="w")

    def write_truth(self, path: str | os.PathLike[str]) -> Path:
        """Write the truth and generation parameters as JSON (``"synthetic": true``)."""
        text = json.dumps({"synthetic": True, "params": self.params, "truth": self.truth},
                          indent=2)
        return atomic_write(Path(path), lambda h: h.write(text), mode="w")


def synth_barometer(
    n: int = 2000,
    *,
    waves: int = 1,
    first_wave: int = 2022,
    seed: int = 0,
    cluster_size: int = 20,
    cluster_sd: float = 0.35,
    population: float = 53_000_000.0,
    item_missing: float = 0.02,
) -> SyntheticBarometer:
    """Generate ``n`` SYNTHETIC barometer respondents per wave.

    Parameters
    ----------
    n:
        Respondents per wave (at least 2 per region, so 24).
    waves:
        Number of annual waves, labelled ``first_wave``, ``first_wave + 1``, ….
    seed:
        Random seed (the same seed gives the same respondents).
    cluster_size:
        Respondents per sampling point (PSU), about.
    cluster_sd:
        σ of the sampling-point effect on every answer (intra-cluster correlation).
    population:
        The adult population the margins and weights refer to.
    item_missing:
        Share of answers left blank ("don't know"), at random.
    """
    if n < 2 * len(REGIONS):
        raise InputError(f"n = {n} is too small", column="n",
                         expected=f"at least {2 * len(REGIONS)} respondents per wave")
    if waves < 1:
        raise InputError(f"waves = {waves}", column="waves", expected="at least 1 wave")
    if cluster_size < 1:
        raise InputError(f"cluster_size = {cluster_size}", column="cluster_size",
                         expected="at least 1")
    if not 0.0 <= item_missing < 1.0:
        raise InputError(f"item_missing = {item_missing}", column="item_missing",
                         expected="a share in [0, 1)")
    rng = np.random.default_rng(seed)
    shares = population_shares()
    response = _RESPONSE_AGE_SEX[None, :, :, None] * _RESPONSE_BG[None, None, None, :]
    region_share = shares.sum(axis=(1, 2, 3))
    allocation = _allocate(n, np.sqrt(region_share))
    within = shares * response
    within = within / within.sum(axis=(1, 2, 3), keepdims=True)  # respondent mix by region
    expected_rate = (shares * response).sum(axis=(1, 2, 3)) / region_share
    wave_labels = [first_wave + i for i in range(waves)]
    frames = []
    for w_index, wave in enumerate(wave_labels):
        region_idx = np.repeat(np.arange(len(REGIONS)), allocation)
        cell = np.empty(n, dtype=np.int64)
        psu_local = np.empty(n, dtype=np.int64)
        start = 0
        for r, size in enumerate(allocation):
            probs = within[r].ravel()
            cell[start:start + size] = rng.choice(probs.size, size=size, p=probs)
            n_psu = max(2, round(size / cluster_size))
            psu_local[start:start + size] = rng.permutation(np.arange(size) % n_psu)
            start += size
        age_idx, sex_idx, bg_idx = np.unravel_index(cell, (len(AGE_GROUPS), 2, 3))
        psu_label = np.array([f"{_REGION_CODES[r]}-{wave}-{p + 1:03d}"
                              for r, p in zip(region_idx, psu_local, strict=True)])
        issued = allocation / expected_rate
        design_weight = (region_share * population / issued)[region_idx]
        _, psu_code = np.unique(psu_label, return_inverse=True)
        frame = pd.DataFrame({
            "respondent_id": [f"W{wave}-{i + 1:07d}" for i in range(n)],
            "wave": wave,
            "region": np.asarray(REGIONS, dtype=object)[region_idx],
            "stratum": [f"{wave} {REGIONS[r]}" for r in region_idx],
            "psu": psu_label,
            "age_group": np.asarray(AGE_GROUPS, dtype=object)[age_idx],
            "sex": np.asarray(SEXES, dtype=object)[sex_idx],
            "background": np.asarray(BACKGROUNDS, dtype=object)[bg_idx],
            "design_weight": design_weight,
        })
        for q in QUESTIONS:
            u = rng.normal(0.0, cluster_sd, size=psu_code.max() + 1)[psu_code]
            eta = _eta(q, w_index)[region_idx, age_idx, sex_idx, bg_idx] + u
            cum = _expit(THRESHOLDS[None, :] - eta[:, None])
            answer = 1 + (rng.random(n)[:, None] > cum).sum(axis=1)
            values = answer.astype("float64")
            values[rng.random(n) < item_missing] = np.nan
            frame[q.name] = values
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["synthetic"] = True
    value_labels = {q.name: {int(k): v for k, v in q.labels.items()} for q in QUESTIONS}
    variable_labels = {q.name: q.wording for q in QUESTIONS}
    variable_labels.update({
        "design_weight": "Design weight: stratum population / issued sample (before raking)",
        "psu": "Sampling point (primary sampling unit)",
        "region": "Nation or region",
        "stratum": "Sampling stratum: wave and region (waves are independent samples)",
        "background": "Socio-economic background (parental occupation at 14)",
        "synthetic": "SYNTHETIC data: generated by socmob, not real respondents",
    })
    params = {"n_per_wave": n, "waves": wave_labels, "seed": seed,
              "cluster_size": cluster_size, "cluster_sd": cluster_sd,
              "population": population, "item_missing": item_missing,
              "strata": "stratum", "psu": "psu", "weight": "design_weight",
              "agree_codes": list(AGREE_CODES), "disagree_codes": list(DISAGREE_CODES)}
    return SyntheticBarometer(
        frame=out, margins=population_margins(population),
        truth=barometer_truth(wave_labels, cluster_sd), value_labels=value_labels,
        variable_labels=variable_labels, params=params)


__all__ = [
    "AGE_GROUPS",
    "BACKGROUNDS",
    "MARGINS",
    "QUESTIONS",
    "REGIONS",
    "SEXES",
    "BarometerQuestion",
    "SyntheticBarometer",
    "barometer_truth",
    "population_margins",
    "population_shares",
    "synth_barometer",
]

__getattr__ = renamed(__name__, {"Question": "BarometerQuestion"}, globals())
