"""The place models a scenario acts on: what the data allow, said plainly.

The SMC publishes its four composite indices for the 205 areas as z-scores; the
local-area indicators it built them from are **not** in the release. Its component
indicators are published for the 41 ITL2 regions. So socmob offers two models, each a
replayable coin (:class:`socmob.place.composite.Coin`, one per index):

``areas`` — the published index scores (:func:`areas_model`)
    Units: the 205 SoN 2025 areas. Each index is one "indicator", its published z-score
    in the latest period (ci1–ci3 2018 to 2024, ci4 2021 to 2024), passed through
    unchanged (normalisation ``none``, arithmetic mean of one). A scenario changes
    index scores directly, in z-score points (or relatively). Uncertainty: the SMC
    publishes none; as :mod:`socmob.place.smc_uncertainty`, the noise of index *c* is
    σ_c = √(1 − r_c), r_c the correlation of the index between its two latest periods
    (an upper bound on the noise, so the intervals are conservative).

``itl2`` — the ITL2 index model (:func:`itl2_model`)
    Units: the 41 ITL2 regions (2021 geography). Each index is rebuilt, the SMC's way
    (z-scores of the indicators, direction applied, arithmetic mean with equal weights),
    from the regional indicators that feed it (:data:`ITL2_INDICATORS`: the 13 measures
    of the SoN 2025 release published by ITL2 region, 15 series): missing values are
    imputed by the indicator's mean; the index score is then expressed on a fixed
    yardstick, z = (score − m₀)/s₀ with the baseline mean m₀ and SD s₀ across regions,
    so that a scenario's change is in baseline SD units. A scenario changes indicator
    values in their own units (percentage points, £) and construction choices.
    Uncertainty: the indicators' sampling error, SE = (uci − lci)/(2·1.96) from the
    published 95% intervals (:mod:`socmob.monitor`; GVA per head has none).
    **Validation**: the model's index is correlated with the published composites
    averaged over the areas of each ITL2 region (:meth:`PlaceModel.validation`); with
    the indicators chosen a priori, Pearson r is 0.95 (ci1), 0.71 (ci2), 0.98 (ci3),
    0.71 (ci4) over the 41 regions (every one of the 205 areas assigned to a region). It
    is a model of the published indices, not the SMC's own computation.

Both models are deterministic functions of the packaged data, built once per process;
their frames are shared, so never modify them in place.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from socmob._text import closest, normalise
from socmob.errors import NotFoundError
from socmob.place.banding import band_2025
from socmob.place.composite import Coin, Step

LEVEL_TITLES: dict[str, str] = {
    "areas": "the 205 SMC areas (published index scores)",
    "itl2": "the 41 ITL2 regions (index model of the component indicators)",
}

#: Bounds of the values of each kind of indicator: a change that takes a value outside
#: them is impossible (a share above 100%, a negative amount of money).
KIND_BOUNDS: dict[str, tuple[float, float]] = {
    "share": (0.0, 100.0),
    "money": (0.0, math.inf),
    "effect": (-100.0, 100.0),
    "z": (-math.inf, math.inf),
}
KIND_UNITS: dict[str, str] = {
    "share": "percentage points",
    "money": "£",
    "effect": "percentage points (or £) from the national average",
    "z": "z-score points",
}


@dataclass(frozen=True)
class IndicatorSpec:
    """One component indicator of the ITL2 index model: which published series
    (``measure``, and the level ``select`` of its non-geographic dimension), which index
    it feeds and in which ``direction`` (+1: higher is more favourable)."""

    code: str
    measure: str
    index: str
    title: str
    direction: int
    kind: str
    select: str | None = None


#: The component indicators of the ITL2 index model: the SoN 2025 measures published by
#: ITL2 region, grouped under the index whose inputs they are (the SMC names these
#: measures as the indicators behind its composites), chosen a priori — not fitted.
ITL2_INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec("dr13", "dr13", "ci1", "Parents with a degree (%)", 1, "share",
                  "Degree level or above"),
    IndicatorSpec("dr14_higher_professional", "dr14", "ci1",
                  "Parents in higher professional jobs (%)", 1, "share", "Higher professional"),
    IndicatorSpec("dr14_lower_working", "dr14", "ci1", "Parents in lower working-class "
                  "jobs (%)", -1, "share", "Lower working"),
    IndicatorSpec("dr15", "dr15", "ci1", "Hourly pay of parents (£)", 1, "money"),
    IndicatorSpec("dr32", "dr32", "ci2", "Youth unemployment (%)", -1, "share", "Unemployed"),
    IndicatorSpec("dr33_higher_professional", "dr33", "ci2",
                  "Young people in higher professional jobs (%)", 1, "share",
                  "Higher professional"),
    IndicatorSpec("dr33_lower_working", "dr33", "ci2",
                  "Young people in lower working-class jobs (%)", -1, "share",
                  "Lower working"),
    IndicatorSpec("dr53", "dr53", "ci3", "Adults with a postgraduate degree (%)", 1, "share",
                  "Higher degree"),
    IndicatorSpec("dr54", "dr54", "ci3", "New economy jobs (%)", 1, "share"),
    IndicatorSpec("dr55", "dr55", "ci3", "GVA per head (£)", 1, "money"),
    IndicatorSpec("in23", "in23", "ci4", "Degree, lower working-class origins (area effect, "
                  "pp)", 1, "effect"),
    IndicatorSpec("in31", "in31", "ci4", "Economically active, lower working-class origins "
                  "(area effect, pp)", 1, "effect"),
    IndicatorSpec("in32", "in32", "ci4", "Unemployed, lower working-class origins (area "
                  "effect, pp)", -1, "effect"),
    IndicatorSpec("in33", "in33", "ci4", "Professional job, lower working-class origins "
                  "(area effect, pp)", 1, "effect"),
    IndicatorSpec("in34", "in34", "ci4", "Hourly pay, lower working-class origins (area "
                  "effect, £)", 1, "effect"),
)

#: Edition of the indicators the ITL2 model is built from (that of the 2025 composites).
ITL2_EDITION = "son25"

#: SoN 2025 areas created after the ITL 2021 districts (so absent from the ITL2 lookup)
#: and the ITL2 region that holds them (ONS ITL 2021: Cumbria TLD1; Northamptonshire in
#: TLF2; North Yorkshire TLE2; Somerset in TLK2 Dorset and Somerset).
ITL2_OF_NEW_AREAS: dict[str, str] = {
    "cumbria": "itl2_cumbria",
    "north_northamptonshire": "itl2_leicestershire_rutland_and_northamptonshire",
    "west_northamptonshire": "itl2_leicestershire_rutland_and_northamptonshire",
    "north_yorkshire_cc": "itl2_north_yorkshire",
    "somerset_cc": "itl2_dorset_and_somerset",
}

#: Construction of each index (the coin's steps after ``new``).
AREAS_STEPS: tuple[Step, ...] = (
    Step("impute", {"dset": "Raw", "method": "none", "group": None, "write_to": "Imputed"}),
    Step("normalise", {"dset": "Imputed", "method": "none", "l_u": (0.0, 100.0),
                       "m_sd": (0.0, 1.0), "iref": None, "cap_max": False,
                       "goalposts": None, "write_to": "Normalised"}),
    Step("aggregate", {"dset": "Normalised", "method": "amean", "weights": None, "p": 1.0,
                       "offset": 0.0, "dat_thresh": None, "write_to": "Aggregated"}),
)
ITL2_STEPS: tuple[Step, ...] = (
    Step("impute", {"dset": "Raw", "method": "mean", "group": None, "write_to": "Imputed"}),
    Step("normalise", {"dset": "Imputed", "method": "zscore", "l_u": (0.0, 100.0),
                       "m_sd": (0.0, 1.0), "iref": None, "cap_max": False,
                       "goalposts": None, "write_to": "Normalised"}),
    Step("aggregate", {"dset": "Normalised", "method": "amean", "weights": None, "p": 1.0,
                       "offset": 0.0, "dat_thresh": None, "write_to": "Aggregated"}),
)

INDEX_CODE = "index"
"""The code of the aggregate (top level) in each index's coin."""


@dataclass(frozen=True, eq=False)
class PlaceModel:
    """Units, indicators and the construction of the indices a place scenario acts on.

    ``units``: indexed by ``unit_id``; ``unit_name``, ``unit_code``, ``region``,
    ``nation`` (and any other grouping column). ``indicators``: indexed by code;
    ``index_code``, ``title``, ``direction``, ``kind``, ``lower``, ``upper``, ``unit``,
    ``period``. ``values`` and ``se``: units × indicator codes. ``yardstick[index]`` =
    (m₀, s₀, μ, σ): the index z reported is μ + σ(score − m₀)/s₀.
    """

    level: str
    description: str
    units: pd.DataFrame
    indicators: pd.DataFrame
    values: pd.DataFrame
    se: pd.DataFrame
    indices: Mapping[str, str]
    periods: Mapping[str, str]
    steps: tuple[Step, ...]
    noise: pd.DataFrame
    unit_label: str
    boundaries: str
    groupings: tuple[str, ...] = ("nation", "region")
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # -- names ---------------------------------------------------------------------------
    def index_code(self, name: str) -> str:
        """An index code from a code or title (case- and punctuation-insensitive)."""
        key = normalise(name)
        for code, title in self.indices.items():
            if key in (normalise(code), normalise(title)):
                return code
        raise NotFoundError(f"unknown index {name!r}",
                            closest(name, [*self.indices, *self.indices.values()]))

    def indicator_code(self, name: str) -> str:
        """An indicator code from a code or title."""
        key = normalise(name)
        for code, title in zip(self.indicators.index, self.indicators["title"], strict=True):
            if key in (normalise(code), normalise(title)):
                return str(code)
        raise NotFoundError(f"unknown indicator {name!r}",
                            closest(name, [*self.indicators.index, *self.indicators["title"]]))

    def meta(self, code: str) -> dict[str, Any]:
        """The metadata of one indicator (index_code, title, direction, kind, lower,
        upper, unit, measure, period)."""
        return {str(k): v for k, v in self.indicators.loc[code].to_dict().items()}

    def indicators_of(self, index: str) -> list[str]:
        """The indicator codes of one index, in model order."""
        return [str(c) for c in self.indicators.index[self.indicators["index_code"] == index]]

    # -- coins ---------------------------------------------------------------------------
    def coin(self, index: str, values: pd.DataFrame | None = None,
             steps: tuple[Step, ...] | None = None) -> Coin:
        """The coin of one index, built from ``values`` (default: the baseline) with
        ``steps`` (default: the model's construction)."""
        codes = self.indicators_of(index)
        frame = self.values if values is None else values
        idata = pd.DataFrame({"uCode": self.units.index.astype(str),
                              "uName": self.units["unit_name"].astype(str).to_numpy()})
        for c in codes:
            idata[c] = frame[c].to_numpy(dtype=float)
        meta = self.indicators.loc[codes]
        imeta = pd.DataFrame({
            "iCode": [*codes, INDEX_CODE],
            "iName": [*meta["title"], self.indices[index]],
            "Level": [1] * len(codes) + [2],
            "Parent": [INDEX_CODE] * len(codes) + [None],
            "Direction": [*meta["direction"].astype(int), 1],
            "Weight": [1.0] * (len(codes) + 1),
            "Type": ["Indicator"] * len(codes) + ["Aggregate"],
        })
        coin = Coin.new(idata, imeta)
        for step in (self.steps if steps is None else steps):
            coin = coin.apply(step)
        return coin

    def baseline_coin(self, index: str) -> Coin:
        """The baseline coin of one index (built once)."""
        key = f"coin:{index}"
        with self._lock:
            if key not in self._cache:
                self._cache[key] = self.coin(index)
            return self._cache[key]  # type: ignore[no-any-return]

    def baseline_scores(self) -> pd.DataFrame:
        """Baseline index scores (aggregates, before the yardstick), units × indices."""
        with self._lock:
            hit = self._cache.get("scores")
        if hit is None:
            hit = pd.DataFrame({c: self.baseline_coin(c).results().scores[INDEX_CODE]
                                for c in self.indices}).reindex(self.units.index.astype(str))
            with self._lock:
                self._cache["scores"] = hit
        return hit.copy()

    def yardstick(self, index: str) -> tuple[float, float, float, float]:
        """(m₀, s₀, μ, σ) of one index: reported z = μ + σ(score − m₀)/s₀."""
        s = self.baseline_scores()[index].to_numpy(dtype=float)
        m0, s0 = float(np.nanmean(s)), float(np.nanstd(s, ddof=1))
        if self.level == "areas":  # the published z are kept as they are
            return m0, s0, m0, s0
        return m0, s0, 0.0, 1.0

    def to_z(self, index: str, scores: Any) -> np.ndarray:
        """Index scores on the reported z scale (the fixed baseline yardstick)."""
        m0, s0, mu, sigma = self.yardstick(index)
        s = np.asarray(scores, dtype=float)
        if self.level == "areas":
            return s.copy()  # identity: the published scale
        return mu + sigma * (s - m0) / s0

    def baseline_z(self) -> pd.DataFrame:
        """Baseline index z-scores, units × indices."""
        scores = self.baseline_scores()
        return pd.DataFrame({c: self.to_z(c, scores[c]) for c in self.indices},
                            index=scores.index)

    def bands(self, index: str, scores: Any) -> np.ndarray:
        """SoN 2025 bands of scores ``(..., units)``: the 7-band rule on the scores
        re-standardised across units (each run or scenario on its own, as the SMC
        standardises each period), expressed on the yardstick's μ and σ. Rounded to 12
        decimals first, so that floating-point noise never moves a value off a cut-point
        (a published z of exactly 0.5 stays in band 5)."""
        s = np.asarray(scores, dtype=float)
        _, _, mu, sigma = self.yardstick(index)
        mean = np.nanmean(s, axis=-1, keepdims=True)
        sd = np.nanstd(s, axis=-1, ddof=1, keepdims=True)
        z = np.round(mu + sigma * (s - mean) / sd, 12)
        return np.asarray(band_2025(z))

    def baseline_bands(self) -> pd.DataFrame:
        """Baseline bands, units × indices."""
        scores = self.baseline_scores()
        return pd.DataFrame({c: self.bands(c, scores[c].to_numpy()) for c in self.indices},
                            index=scores.index)

    def validation(self) -> pd.DataFrame | None:
        """How close the model's indices are to the published composites (ITL2 model:
        one row per index with Pearson and Spearman r against the mean published z of
        the areas in each region, and n); ``None`` for the published scores."""
        if self.level != "itl2":
            return None
        with self._lock:
            hit = self._cache.get("validation")
        if hit is None:
            hit = _validate_itl2(self)
            with self._lock:
                self._cache["validation"] = hit
        return hit.copy()


# --------------------------------------------------------------------------- areas


def _latest(periods: list[str]) -> str:
    from socmob.place.selection import period_key

    return sorted(periods, key=period_key)[-1]


@cache
def areas_model(edition: int = 2025) -> PlaceModel:
    """The published index scores of the SoN 2025 areas (module docstring)."""
    from socmob import data
    from socmob.place.selection import period_key
    from socmob.place.trends import reliable_change_se

    if edition != 2025:
        from socmob.errors import UnavailableError

        raise UnavailableError("scenarios act on the SoN 2025 areas: the 2024 groups are not "
                               "a rule on z, so no band can be recomputed")
    comp = data.composites(edition=edition)
    reg = data.registry(edition)
    units = pd.DataFrame({"unit_id": reg["area_id"].astype(str),
                          "unit_name": reg["area_name"].astype(str),
                          "unit_code": reg["area_code"].astype(str),
                          "region": reg["region"].astype(str),
                          "nation": reg["nation"].astype(str)}).set_index("unit_id")
    titles: dict[str, str] = {}
    periods: dict[str, str] = {}
    values: dict[str, pd.Series] = {}
    noise_rows = []
    for code in sorted(comp["index_code"].unique()):
        sub = comp[comp["index_code"] == code]
        titles[code] = str(sub["index_title"].iloc[0])
        plist = sorted(sub["period"].astype(str).unique(), key=period_key)
        latest, before = plist[-1], plist[-2]
        periods[code] = latest
        z = sub.pivot_table(index="area_id", columns="period", values="z", aggfunc="first")
        z.index = z.index.astype(str)
        values[code] = z[latest].reindex(units.index)
        r, _, n = reliable_change_se(z[before], z[latest])
        noise_rows.append({"index_code": code, "period": latest, "reliability_period": before,
                           "reliability": r, "sigma": math.sqrt(max(0.0, 1.0 - r)), "n": n})
    noise = pd.DataFrame(noise_rows).set_index("index_code")
    vals = pd.DataFrame(values)
    se = pd.DataFrame({c: np.full(len(units), noise.loc[c, "sigma"]) for c in titles},
                      index=units.index)
    lo, hi = KIND_BOUNDS["z"]
    indicators = pd.DataFrame({
        "index_code": list(titles), "title": [f"{t} (published z-score)" for t in
                                              titles.values()],
        "direction": 1, "kind": "z", "lower": lo, "upper": hi, "unit": KIND_UNITS["z"],
        "measure": list(titles), "period": [periods[c] for c in titles]},
        index=pd.Index(list(titles), name="code"))
    description = (
        "The 205 SMC areas of State of the Nation 2025. The release has no local-area "
        "indicators, so a scenario acts on the published index scores (z-scores, latest "
        "period) directly. Noise: σ = √(1 − r), r the correlation of the index between its "
        "two latest periods (an upper bound, so the intervals are conservative).")
    return PlaceModel(level="areas", description=description, units=units,
                      indicators=indicators, values=vals, se=se, indices=titles,
                      periods=periods, steps=AREAS_STEPS, noise=noise.reset_index(),
                      unit_label="area", boundaries="areas")


# --------------------------------------------------------------------------- ITL2


def _itl2_series(spec: IndicatorSpec, names: Mapping[str, str]) -> tuple[pd.Series,
                                                                         pd.Series, str]:
    """(value, SE, period) by ITL2 area id of one indicator, from the monitor's
    annotated rows (the interval used, rows in the release's ITL2 breakdowns)."""
    from socmob import monitor

    rows = monitor.breakdown(spec.measure, geography="itl2", edition=_edition_of(spec)).rows
    rows = rows[rows["usable"]]
    values: dict[str, float] = {}
    ses: dict[str, float] = {}
    periods: set[str] = set()
    for dims, group, place, value, se, time in zip(
            rows["dims"], rows["group"], rows["place"], rows["value"], rows["se_used"],
            rows["time"], strict=True):
        parts = dict(zip(dims, str(group).split("; "), strict=False))
        rest = [v for k, v in parts.items() if k != "quintile" and "itl2" not in k]
        if spec.select is not None and spec.select not in rest:
            continue
        unit = names.get(normalise(place))
        if unit is None:  # the January 2025 geography (GVA): not one of the 41 regions
            continue
        values[unit] = float(value)
        ses[unit] = float(se) if se is not None and np.isfinite(se) else 0.0
        periods.add(str(time))
    return pd.Series(values, dtype=float), pd.Series(ses, dtype=float), "; ".join(
        sorted(periods))


def _edition_of(spec: IndicatorSpec) -> str:
    from socmob.monitor import editions_of

    eds = editions_of(spec.measure)
    return ITL2_EDITION if ITL2_EDITION in eds else eds[0]


@cache
def itl2_model() -> PlaceModel:
    """The ITL2 index model (module docstring)."""
    from socmob import data

    reg = data.registry(2025, area_type="itl2")
    units = pd.DataFrame({"unit_id": reg["area_id"].astype(str),
                          "unit_name": reg["area_name"].astype(str),
                          "unit_code": reg["area_code"].astype(str),
                          "region": reg["region"].astype(str),
                          "nation": reg["nation"].astype(str)}).set_index("unit_id")
    names = {normalise(n): str(i) for i, n in zip(units.index, units["unit_name"], strict=True)}
    comp = data.composites(edition=2025)
    titles = {str(c): str(t) for c, t in
              comp[["index_code", "index_title"]].drop_duplicates().itertuples(index=False)}
    titles = dict(sorted(titles.items()))
    values, ses, rows = {}, {}, []
    for spec in ITL2_INDICATORS:
        v, s, period = _itl2_series(spec, names)
        values[spec.code] = v.reindex(units.index)
        ses[spec.code] = s.reindex(units.index).fillna(0.0)
        lo, hi = KIND_BOUNDS[spec.kind]
        unit = KIND_UNITS[spec.kind] if spec.kind != "effect" else (
            "£ from the national average" if "£" in spec.title
            else "percentage points from the national average")
        rows.append({"code": spec.code, "index_code": spec.index, "title": spec.title,
                     "direction": spec.direction, "kind": spec.kind, "lower": lo,
                     "upper": hi, "unit": unit, "measure": spec.measure, "period": period})
    indicators = pd.DataFrame(rows).set_index("code")
    description = (
        "The 41 ITL2 regions. Each index is rebuilt from the regional indicators that feed "
        "it (z-scores, direction applied, equal-weight arithmetic mean; missing values "
        "imputed by the mean) and reported on the baseline's scale (baseline mean 0, "
        "SD 1). A scenario acts on the indicators in their own units. Noise: the "
        "indicators' sampling error from their published 95% intervals.")
    noise = pd.DataFrame({"index_code": list(titles), "period": [
        "; ".join(sorted(set(indicators.loc[indicators["index_code"] == c, "period"])))
        for c in titles], "source": "published 95% intervals of the indicators"})
    return PlaceModel(level="itl2", description=description, units=units,
                      indicators=indicators, values=pd.DataFrame(values),
                      se=pd.DataFrame(ses), indices=titles,
                      periods={c: str(p) for c, p in zip(noise["index_code"], noise["period"],
                                                         strict=True)},
                      steps=ITL2_STEPS, noise=noise, unit_label="ITL2 region",
                      boundaries="itl2")


def area_itl2() -> pd.Series:
    """The ITL2 region (area id) of each SoN 2025 area: the region holding most of its
    local authority districts (``socmob.data.gss_lookup``), and for the five areas
    created after the ITL 2021 districts the region named in :data:`ITL2_OF_NEW_AREAS`."""
    from socmob import data

    reg = data.registry(2025)
    lookup = data.gss_lookup()
    lads = lookup[(lookup["role"] == "lad") & (lookup["area_type"] == "itl2")]
    out: dict[str, str] = {}
    for area_id, codes in zip(reg["area_id"], reg["codes"], strict=True):
        hit = lads[lads["gss_code"].isin(str(codes).split(";"))]
        if len(hit):
            out[str(area_id)] = str(hit["area_id"].value_counts().index[0])
        elif str(area_id) in ITL2_OF_NEW_AREAS:
            out[str(area_id)] = ITL2_OF_NEW_AREAS[str(area_id)]
    return pd.Series(out, name="itl2")


def _validate_itl2(model: PlaceModel) -> pd.DataFrame:
    from socmob import data

    comp = data.composites(edition=2025)
    where = area_itl2()
    z = model.baseline_z()
    rows = []
    published_period = areas_model().periods
    for code in model.indices:
        period = published_period[code]
        sub = comp[(comp["index_code"] == code) & (comp["period"] == period)]
        frame = pd.DataFrame({"z": sub.set_index("area_id")["z"]}).join(where, how="inner")
        mean = frame.groupby("itl2")["z"].mean()
        both = pd.concat([z[code], mean], axis=1, join="inner").dropna()
        rows.append({"index_code": code, "published_period": period,
                     "pearson": float(both.iloc[:, 0].corr(both.iloc[:, 1])),
                     "spearman": float(both.iloc[:, 0].corr(both.iloc[:, 1],
                                                            method="spearman")),
                     "n": len(both), "areas": int(frame.shape[0])})
    return pd.DataFrame(rows)


def place_model(level: str) -> PlaceModel:
    """The model of ``level`` (``"areas"`` or ``"itl2"``)."""
    if level == "areas":
        return areas_model()
    if level == "itl2":
        return itl2_model()
    raise NotFoundError(f"unknown level {level!r}", closest(level, list(LEVEL_TITLES)))


__all__ = ["AREAS_STEPS", "INDEX_CODE", "ITL2_INDICATORS", "ITL2_OF_NEW_AREAS", "ITL2_STEPS",
           "KIND_BOUNDS", "LEVEL_TITLES", "IndicatorSpec", "PlaceModel", "area_itl2",
           "areas_model", "itl2_model", "place_model"]
