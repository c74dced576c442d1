"""The coin: a composite indicator built step by step, every step logged and replayable.

Modelled on COINr's ``coin`` (Becker et al., 2022): indicator metadata, named data sets
kept side by side (``Raw``, ``Denominated``, ``Imputed``, ``Screened``, ``Treated``,
``Normalised``, ``Aggregated``) and a log of explicit :class:`Step` records. Each method
returns a **new** coin (coins are immutable); :meth:`Coin.regenerate` replays the log
with some parameters changed, which is what "what if" questions and the uncertainty and
sensitivity analyses build on.

Example::

    coin = (Coin.new(idata, imeta)
            .denominate()
            .impute(method="group_mean", group="EurAsia_group")
            .screen(dat_thresh=0.9)
            .treat(winmax=5)
            .normalise(method="minmax", l_u=(0, 100))
            .aggregate(method="amean"))
    coin.results().table()
    coin.regenerate({"normalise": {"method": "zscore"}})
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from socmob.errors import InputError, NotFoundError
from socmob.place.composite.aggregate import AGGREGATE_METHODS, aggregate_array
from socmob.place.composite.denominate import denominate_frame
from socmob.place.composite.diagnostics import indicator_stats
from socmob.place.composite.impute import impute_array
from socmob.place.composite.meta import IndicatorMeta, validate_data, validate_meta
from socmob.place.composite.normalise import normalise_array, rank_min
from socmob.place.composite.screen import screen_units
from socmob.place.composite.treat import treat_array
from socmob.place.composite.weights import effective_weights, equal_weights, pca_weights
from socmob.results import Result, tidy

STEP_NAMES = ("denominate", "impute", "screen", "treat", "normalise", "weights", "aggregate")
"""Steps a log may hold (after the initial ``new`` step)."""

DEFAULT_WRITE_TO = {
    "denominate": "Denominated",
    "impute": "Imputed",
    "screen": "Screened",
    "treat": "Treated",
    "normalise": "Normalised",
    "aggregate": "Aggregated",
}


@dataclass(frozen=True)
class Step:
    """One logged construction step: its name and every parameter it was called with."""

    name: str
    params: Mapping[str, Any]

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def with_params(self, **changes: Any) -> Step:
        """A copy with some parameters changed."""
        return Step(self.name, {**self.params, **changes})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record (callables by name)."""
        def plain(v: Any) -> Any:
            if callable(v):
                return getattr(v, "__name__", repr(v))
            if isinstance(v, pd.Series):
                return {str(k): float(x) for k, x in v.items()}
            if isinstance(v, Mapping):
                return {str(k): plain(x) for k, x in v.items()}
            if isinstance(v, (list, tuple, np.ndarray)):
                return [plain(x) for x in v]
            return v

        return {"step": self.name, "params": plain(dict(self.params))}


@dataclass(frozen=True, eq=False)
class CompositeResult(Result):
    """Scores and ranks at every level of the framework.

    ``scores`` holds every code (indicators normalised, aggregates) by unit; ``ranks`` the
    rank of each unit on each code (1 = best, ties share the lowest rank); ``index`` is the
    top-level code.
    """

    scores: pd.DataFrame
    ranks: pd.DataFrame
    units: pd.DataFrame
    levels: pd.Series
    index: str

    def table(self, *, level: int | None = None) -> pd.DataFrame:
        """COINr-style results table sorted by the index: uCode, uName, Rank, then the
        scores of aggregates (``level=None``) or of one level."""
        if level is None:
            cols = [c for c in self.levels.sort_values(ascending=False, kind="stable").index
                    if self.levels[c] > 1]
        else:
            cols = list(self.levels.index[self.levels == level])
        out = pd.DataFrame({"uCode": self.scores.index,
                            "uName": self.units["uName"].reindex(self.scores.index).to_numpy(),
                            "Rank": self.ranks[self.index].astype("Int64").to_numpy()})
        for c in cols:
            out[c] = self.scores[c].to_numpy()
        return out.sort_values(["Rank", "uCode"], kind="stable").reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows: one per unit and aggregate code, with its rank and level."""
        agg = [c for c in self.scores.columns if self.levels[c] > 1]
        long = self.scores[agg].rename_axis("area_code").reset_index().melt(
            id_vars="area_code", var_name="measure", value_name="value")
        r = self.ranks[agg].rename_axis("area_code").reset_index().melt(
            id_vars="area_code", var_name="measure", value_name="rank")
        long["rank"] = r["rank"].to_numpy()
        long["level"] = long["measure"].map(self.levels).to_numpy()
        long["area_name"] = long["area_code"].map(self.units["uName"]).to_numpy()
        return tidy(long, unit="score")


def _frame_like(x: np.ndarray, like: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(x, index=like.index, columns=like.columns)


@dataclass(frozen=True, eq=False)
class Coin:
    """A composite indicator under construction (see the module docstring).

    Build one with :meth:`Coin.new`; each step method returns a new coin.
    """

    meta: IndicatorMeta
    units: pd.DataFrame
    data: Mapping[str, pd.DataFrame]
    log: tuple[Step, ...]
    source: tuple[pd.DataFrame, pd.DataFrame]
    analysis: Mapping[str, Any] = field(default_factory=dict)
    weight_sets: Mapping[str, pd.Series] = field(default_factory=dict)

    # -- construction -------------------------------------------------------------------
    @classmethod
    def new(
        cls,
        idata: pd.DataFrame,
        imeta: pd.DataFrame,
        *,
        level_names: Sequence[str] | None = None,
        data_file: str | None = None,
        meta_file: str | None = None,
    ) -> Coin:
        """Validate COINr-style iData and iMeta and start a coin with data set ``Raw``.

        Raises :class:`~socmob.errors.InputError` naming the code for unknown indicators,
        hierarchy cycles, all-missing indicators and the other checks of
        :func:`~socmob.place.composite.meta.validate_meta`.
        """
        meta = validate_meta(imeta, list(idata.columns), level_names=level_names,
                             file=meta_file)
        units, raw = validate_data(idata, meta, file=data_file)
        step = Step("new", {"level_names": tuple(level_names or ())})
        return cls(meta=meta, units=units, data=MappingProxyType({"Raw": raw}), log=(step,),
                   source=(idata.copy(), imeta.copy()),
                   weight_sets=MappingProxyType({"Original": meta.weights}))

    def get(self, dset: str) -> pd.DataFrame:
        """A copy of a named data set."""
        if dset not in self.data:
            raise NotFoundError(f"no data set {dset!r} in the coin",
                                suggestions=[d for d in self.data if d.lower()[:3] ==
                                             dset.lower()[:3]])
        return self.data[dset].copy()

    def apply(self, step: Step) -> Coin:
        """Run one step and return the new coin (with the step appended to the log)."""
        if step.name not in _STEPS:
            raise NotFoundError(f"unknown step {step.name!r}", suggestions=list(_STEPS))
        return _STEPS[step.name](self, dict(step.params))._logged(step)

    def _logged(self, step: Step) -> Coin:
        return replace(self, log=(*self.log, step))

    def _with(self, name: str, frame: pd.DataFrame, analysis: Any = None) -> Coin:
        data = dict(self.data)
        data[name] = frame
        extra = dict(self.analysis)
        if analysis is not None:
            extra[name] = analysis
        return replace(self, data=MappingProxyType(data), analysis=MappingProxyType(extra))

    # -- steps --------------------------------------------------------------------------
    def denominate(self, *, dset: str = "Raw", by: Mapping[str, str] | None = None,
                   scale: Mapping[str, float] | None = None,
                   write_to: str = "Denominated") -> Coin:
        """Divide indicators by denominators (default: iMeta ``Denominator`` column)."""
        return self.apply(Step("denominate", {"dset": dset, "by": by, "scale": scale,
                                              "write_to": write_to}))

    def impute(self, *, dset: str = "Denominated",
               method: str | Callable[[pd.DataFrame], pd.DataFrame] = "mean",
               group: str | None = None, write_to: str = "Imputed") -> Coin:
        """Fill missing values: ``mean``, ``median``, ``group_mean``, ``group_median``
        (with ``group`` a Group column) or a callable ``frame -> frame``."""
        return self.apply(Step("impute", {"dset": dset, "method": method, "group": group,
                                          "write_to": write_to}))

    def screen(self, *, dset: str = "Imputed", method: str = "byNA", dat_thresh: float = 0.66,
               nz_thresh: float = 0.0, force_include: Sequence[str] = (),
               force_exclude: Sequence[str] = (), write_to: str = "Screened") -> Coin:
        """Remove units with too little data (see :mod:`.screen`)."""
        return self.apply(Step("screen", {
            "dset": dset, "method": method, "dat_thresh": dat_thresh, "nz_thresh": nz_thresh,
            "force_include": tuple(force_include), "force_exclude": tuple(force_exclude),
            "write_to": write_to}))

    def treat(self, *, dset: str = "Screened", method: str = "winsorise_log",
              winmax: int | None = 5, skew_thresh: float = 2.0, kurt_thresh: float = 3.5,
              skip: Sequence[str] = (), write_to: str = "Treated") -> Coin:
        """Treat outliers (COINr default: winsorise up to ``winmax`` points, else log)."""
        return self.apply(Step("treat", {
            "dset": dset, "method": method, "winmax": winmax, "skew_thresh": skew_thresh,
            "kurt_thresh": kurt_thresh, "skip": tuple(skip), "write_to": write_to}))

    def normalise(self, *, dset: str = "Treated", method: str = "minmax",
                  l_u: tuple[float, float] = (0.0, 100.0), m_sd: tuple[float, float] = (0.0, 1.0),
                  iref: str | None = None, cap_max: bool = False,
                  goalposts: Mapping[str, Sequence[float]] | None = None,
                  write_to: str = "Normalised") -> Coin:
        """Normalise indicators with directions applied (see :mod:`.normalise`);
        ``iref`` is the uCode of the reference unit for ``dist2ref``."""
        return self.apply(Step("normalise", {
            "dset": dset, "method": method, "l_u": tuple(l_u), "m_sd": tuple(m_sd),
            "iref": iref, "cap_max": cap_max, "goalposts": goalposts, "write_to": write_to}))

    def set_weights(self, name: str, *, method: str = "manual",
                    weights: Mapping[str, float] | None = None, dset: str = "Aggregated",
                    level: int = 1) -> Coin:
        """Add a named weight set: ``manual`` (``weights`` override iMeta), ``equal``, or
        ``pca`` (from the codes at ``level`` of data set ``dset``)."""
        return self.apply(Step("weights", {"name": name, "method": method,
                                           "weights": weights, "dset": dset, "level": level}))

    def aggregate(self, *, dset: str = "Normalised", method: str | Sequence[str] = "amean",
                  weights: str | Mapping[str, float] | None = None, p: float = 1.0,
                  offset: float = 0.0, dat_thresh: float | None = None,
                  write_to: str = "Aggregated") -> Coin:
        """Aggregate up the hierarchy (see :mod:`.aggregate`); ``weights`` is a weight set
        name, a mapping of overrides, or ``None`` for the iMeta weights."""
        return self.apply(Step("aggregate", {
            "dset": dset, "method": method, "weights": weights, "p": p, "offset": offset,
            "dat_thresh": dat_thresh, "write_to": write_to}))

    # -- results and re-runs ------------------------------------------------------------
    def weight_vector(self, weights: str | Mapping[str, float] | None = None) -> np.ndarray:
        """Weights of every code in hierarchy order for an ``aggregate`` ``weights``
        parameter."""
        base = self.meta.weights.copy()
        if isinstance(weights, str):
            if weights not in self.weight_sets:
                raise NotFoundError(f"no weight set {weights!r}",
                                    suggestions=list(self.weight_sets))
            base = self.weight_sets[weights].reindex(base.index).astype(float)
        elif weights is not None:
            from socmob.place.composite.meta import weight_vector

            return weight_vector(self.meta, weights)
        return base.to_numpy(dtype=float)

    def results(self, dset: str = "Aggregated") -> CompositeResult:
        """Scores and ranks at every level from an aggregated data set."""
        frame = self.get(dset)
        h = self.meta.hierarchy
        index = h.top[0]
        if index not in frame.columns:
            raise NotFoundError(f"data set {dset!r} is not aggregated (no {index!r} column)",
                                suggestions=[d for d in self.data if "Agg" in d])
        ranks = _frame_like(rank_min(-frame.to_numpy(dtype=float), axis=0), frame)
        levels = pd.Series(dict(zip(h.codes, h.levels, strict=True)))
        return CompositeResult(scores=frame, ranks=ranks, units=self.units.loc[frame.index],
                               levels=levels.reindex(frame.columns), index=index)

    def stats(self, dset: str = "Raw", **thresholds: float) -> pd.DataFrame:
        """Indicator statistics with flags (:func:`.diagnostics.indicator_stats`)."""
        return indicator_stats(self.get(dset), **thresholds)

    def effective_weights(self, weights: str | Mapping[str, float] | None = None) -> pd.Series:
        """Effective weight of every code in the index."""
        h = self.meta.hierarchy
        return effective_weights(h, pd.Series(self.weight_vector(weights), index=list(h.codes)))

    def regenerate(
        self,
        changes: Mapping[str | int, Mapping[str, Any]] | None = None,
        *,
        log: Sequence[Step] | None = None,
    ) -> Coin:
        """Replay the log from the source data with some step parameters changed.

        ``changes`` maps a step name (or its position in the log) to parameter overrides,
        e.g. ``{"normalise": {"method": "zscore"}}``; or pass a whole edited ``log``.
        """
        steps = list(self.log if log is None else log)
        for key, params in (changes or {}).items():
            if isinstance(key, int):
                idx = [key]
            else:
                idx = [i for i, s in enumerate(steps) if s.name == key]
            if not idx or not 0 <= idx[0] < len(steps):
                raise NotFoundError(f"no step {key!r} in the log",
                                    suggestions=[s.name for s in steps])
            for i in idx:
                steps[i] = steps[i].with_params(**params)
        if not steps or steps[0].name != "new":
            raise InputError("a log must start with the 'new' step", column="log",
                             expected="the log of a coin")
        idata, imeta = self.source
        names = steps[0].params.get("level_names") or None
        coin = Coin.new(idata, imeta, level_names=names)
        for step in steps[1:]:
            coin = coin.apply(step)
        return coin


# -- step implementations (pure: coin + params -> coin) ----------------------------------
def _denominate(coin: Coin, p: dict[str, Any]) -> Coin:
    frame = coin.get(p["dset"])
    by = p.get("by")
    if by is None:
        by = {c: d for c, d in coin.meta.column("Denominator").items() if isinstance(d, str)
              and d not in ("", "NA")}
    out = denominate_frame(frame, coin.units.loc[frame.index], by, scale=p.get("scale"))
    return coin._with(p["write_to"], out)


def _groups(coin: Coin, frame: pd.DataFrame, group: str | None) -> np.ndarray | None:
    if group is None:
        return None
    if group not in coin.units.columns:
        raise InputError(f"group column {group!r} is not in iData", column=group,
                         expected="one of " + ", ".join(coin.meta.groups or ("(none)",)))
    return coin.units.loc[frame.index, group].to_numpy(dtype=object)


def _impute(coin: Coin, p: dict[str, Any]) -> Coin:
    frame = coin.get(p["dset"])
    method = p["method"]
    if callable(method):
        out = method(frame.copy())
        if not isinstance(out, pd.DataFrame) or out.shape != frame.shape:
            raise InputError("the imputation function must return a frame of the same shape",
                             column="method", expected=f"a DataFrame of shape {frame.shape}")
        out = out.reindex(index=frame.index, columns=frame.columns)
        observed = frame.notna().to_numpy()
        if not np.allclose(out.to_numpy(dtype=float)[observed],
                           frame.to_numpy(dtype=float)[observed]):
            raise InputError("the imputation function changed observed values",
                             column="method", expected="only missing values filled")
    else:
        x = impute_array(frame.to_numpy(dtype=float), method=str(method),
                         groups=_groups(coin, frame, p.get("group")))
        out = _frame_like(x, frame)
    return coin._with(p["write_to"], out)


def _screen(coin: Coin, p: dict[str, Any]) -> Coin:
    frame = coin.get(p["dset"])
    res = screen_units(frame, method=p["method"], dat_thresh=p["dat_thresh"],
                       nz_thresh=p["nz_thresh"], force_include=p["force_include"],
                       force_exclude=p["force_exclude"])
    return coin._with(p["write_to"], res.data, res.table)


def _treat(coin: Coin, p: dict[str, Any]) -> Coin:
    frame = coin.get(p["dset"])
    skip = np.isin(frame.columns, list(p.get("skip") or ()))
    res = treat_array(frame.to_numpy(dtype=float), method=p["method"], winmax=p["winmax"],
                      skew_thresh=p["skew_thresh"], kurt_thresh=p["kurt_thresh"], skip=skip)
    details = pd.DataFrame({
        "skew": res.skew, "kurt": res.kurt,
        "treatment": np.array(["none", "winsorised", "log"])[res.stage],
        "nwin": np.where(res.stage == 1, res.nwin, np.nan),
        "skew_after": res.skew_after, "kurt_after": res.kurt_after,
        "passed_after": res.passed_after}, index=frame.columns)
    return coin._with(p["write_to"], _frame_like(res.x, frame), details)


def normalise_kwargs(coin: Coin, frame: pd.DataFrame, p: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments of :func:`normalise_array` for a ``normalise`` step's params."""
    codes = list(frame.columns)
    kw: dict[str, Any] = {"method": p["method"], "directions": coin.meta.directions,
                          "l_u": tuple(p.get("l_u", (0.0, 100.0))),
                          "m_sd": tuple(p.get("m_sd", (0.0, 1.0))),
                          "cap_max": bool(p.get("cap_max", False)), "codes": codes}
    if p["method"] == "dist2ref":
        ref = p.get("iref")
        if ref not in frame.index:
            raise InputError(f"reference unit {ref!r} is not in the data", column="iref",
                             expected="a uCode")
        kw["iref"] = list(frame.index).index(ref)
    if p["method"] == "dist2targ":
        kw["targets"] = pd.to_numeric(coin.meta.column("Target"), errors="coerce").to_numpy()
    if p["method"] == "goalposts":
        gp = p.get("goalposts") or {}
        missing = [c for c in codes if c not in gp]
        if missing:
            raise InputError(f"no goalposts for indicator {missing[0]!r}",
                             column=missing[0], expected="(lower, upper, scale)")
        kw["goalposts"] = np.array([list(gp[c]) for c in codes], dtype=float)
    return kw


def _normalise(coin: Coin, p: dict[str, Any]) -> Coin:
    frame = coin.get(p["dset"])
    x = normalise_array(frame.to_numpy(dtype=float), **normalise_kwargs(coin, frame, p))
    return coin._with(p["write_to"], _frame_like(x, frame))


def _weights(coin: Coin, p: dict[str, Any]) -> Coin:
    h = coin.meta.hierarchy
    method = p["method"]
    if method == "manual":
        w = pd.Series(coin.weight_vector(p.get("weights")), index=list(h.codes))
    elif method == "equal":
        w = equal_weights(h)
    elif method == "pca":
        w = pca_weights(coin.get(p["dset"]), h, level=int(p["level"]))
    else:
        raise InputError(f"unknown weighting {method!r}", column="method",
                         expected="manual, equal or pca")
    sets = dict(coin.weight_sets)
    sets[p["name"]] = w.rename("Weight")
    return replace(coin, weight_sets=MappingProxyType(sets))


def _aggregate(coin: Coin, p: dict[str, Any]) -> Coin:
    frame = coin.get(p["dset"])
    h = coin.meta.hierarchy
    methods = [p["method"]] if isinstance(p["method"], str) else list(p["method"])
    for m in methods:
        if m not in AGGREGATE_METHODS:
            raise InputError(f"unknown aggregation {m!r}", column="method",
                             expected=" or ".join(AGGREGATE_METHODS))
    x = frame[list(coin.meta.indicators)].to_numpy(dtype=float)
    out = aggregate_array(x, h, coin.weight_vector(p.get("weights")), method=p["method"],
                          p=float(p.get("p", 1.0)), offset=float(p.get("offset", 0.0)),
                          dat_thresh=p.get("dat_thresh"))
    return coin._with(p["write_to"], pd.DataFrame(out, index=frame.index, columns=list(h.codes)))


_STEPS: dict[str, Callable[[Coin, dict[str, Any]], Coin]] = {
    "denominate": _denominate,
    "impute": _impute,
    "screen": _screen,
    "treat": _treat,
    "normalise": _normalise,
    "weights": _weights,
    "aggregate": _aggregate,
}
