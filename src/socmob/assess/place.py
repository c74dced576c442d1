"""Place impact: the index build replayed with a scenario, and the uncertainty carried
through — per unit, per group, overall — with the losers flagged.

For each index of the place model (:mod:`socmob.assess.models`):

1. **Changes.** Each change of the scenario is applied, in file order, to the baseline
   values of its indicator in the units its target selects (:mod:`.targets`): ``add``
   a, ``set`` a, ``multiply`` a, ``percent`` p (× (1 + p/100)). A value pushed outside
   what the indicator can hold (a share outside 0–100%, a negative amount of money) is
   refused, naming the change. Construction choices replace the parameters of the
   coin's ``impute``, ``normalise`` and ``aggregate`` steps and the indicator weights.
2. **Replay.** The baseline coin and the scenario coin are built by the same steps
   (:meth:`socmob.place.composite.Coin.apply`); an index the scenario does not touch is
   not rebuilt, so an empty scenario changes nothing, exactly.
3. **Uncertainty, paired.** Each of ``runs`` Monte Carlo runs draws one set of noise
   ε (units × indicators, N(0, 1)) and replays *both* coins on x + SE·ε with the
   vectorised coin replay of :mod:`socmob.place.uncertainty`: the same draws for
   baseline and scenario, so that the distribution of the difference is that of the
   scenario's effect, not of two independent noises. Each index has its own random
   stream, spawned from ``seed``.
4. **Per unit**: the index z (the model's fixed baseline yardstick), rank (1 = most
   favourable; ties share the smallest) and SoN 2025 band (7-band rule on the scores
   re-standardised within each run, :meth:`PlaceModel.bands`), baseline and scenario, from
   the runs without noise; the 5%–95% intervals of the baseline and scenario ranks and of
   the changes in z and rank (quantiles of type 7 over the runs); P(band up) and P(band
   down) = the share of runs in which the scenario's band is above (below) the
   baseline's.
5. **Overall**, per index: the *fifth gap* — mean z of the units in the top fifth minus
   that of the units in the bottom fifth, the fifths being those of the baseline
   (k = round(n/5) units each: today's most and least favourable areas, followed through
   the scenario) — and the spread (sample SD of z), baseline and scenario, with the
   5%–95% interval of their changes over the paired runs; counts of units whose score,
   rank and band rise or fall.
6. **Where**: per nation and region (and any other grouping the model's units carry:
   the registry has no urban/rural or coastal class), the units, the mean change in z
   with its interval, and how many rise and fall.
7. **Drivers**: the change in each unit's z split by source, one at a time — each
   changed indicator alone (the other indicators at baseline), the construction alone,
   and what remains (interaction). Under an arithmetic mean of z-scored indicators
   with no construction change the parts add up exactly and the interaction is 0.
8. **Flags** (:mod:`.flags`): every unit whose score, rank or band falls, or whose
   P(band down) ≥ :data:`~socmob.assess.flags.BAND_RISK`; every nation or region whose
   mean z falls; a fifth gap or spread that widens.

References: Saisana, Saltelli & Tarantola (2005) on rank intervals from Monte Carlo
runs; the noise models are those of the place models.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from socmob._text import closest
from socmob.assess.flags import BAND_RISK, TOLERANCE, Flag, flags_frame
from socmob.assess.models import INDEX_CODE, PlaceModel
from socmob.assess.scenario import (
    Construction,
    PlaceScenario,
    ValueChange,
    Where,
    scenario_error,
)
from socmob.assess.targets import resolve_target
from socmob.errors import InputError, NotFoundError
from socmob.place.composite import Coin, Step
from socmob.place.composite.normalise import rank_min
from socmob.results import Result, tidy

#: Quantiles of the Monte Carlo intervals (5%–95%, as the SMC rank analysis).
LOWER_Q, UPPER_Q = 0.05, 0.95
CHUNK = 256

UNIT_COLUMNS = [
    "unit_id", "unit_code", "unit_name", "region", "nation", "index_code", "index_title",
    "period", "targeted", "z_baseline", "z_scenario", "z_change", "z_change_lower",
    "z_change_upper", "rank_baseline", "rank_scenario", "rank_change",
    "rank_baseline_lower", "rank_baseline_upper", "rank_scenario_lower",
    "rank_scenario_upper", "rank_change_lower", "rank_change_upper", "band_baseline",
    "band_scenario", "band_change", "p_band_up", "p_band_down", "loss",
]


@dataclass(frozen=True)
class ResolvedChange:
    """A change with its indicator code, index and the units it selects."""

    change: ValueChange
    code: str
    index: str
    mask: np.ndarray
    skipped: int = 0

    def units(self, model: PlaceModel) -> list[str]:
        return [str(n) for n in model.units["unit_name"].to_numpy()[self.mask]]


@dataclass(frozen=True)
class ResolvedPlace:
    """A place scenario checked against its model: the changes with their units, the
    scenario's values and the construction steps of each index."""

    model: PlaceModel
    changes: tuple[ResolvedChange, ...]
    values: pd.DataFrame
    steps: Mapping[str, tuple[Step, ...]]
    construction: tuple[Construction, ...]

    def changed_indices(self) -> list[str]:
        """Indices whose values or construction the scenario changes."""
        out = []
        for index in self.model.indices:
            codes = self.model.indicators_of(index)
            same_values = self.values[codes].equals(self.model.values[codes])
            if not same_values or self.steps[index] != self.model.steps:
                out.append(index)
        return out


# --------------------------------------------------------------------------- resolving


def _indicator(model: PlaceModel, change: ValueChange) -> tuple[str, str]:
    """(indicator code, index code) of a change."""
    where = change.where.child("index" if model.level == "areas" else "indicator")
    if model.level == "areas":
        try:
            index = model.index_code(change.measure)
        except NotFoundError as exc:
            from socmob.assess.targets import _is_itl2_indicator

            if _is_itl2_indicator(change.measure):
                raise scenario_error(
                    f"{change.measure!r} is an indicator published by ITL2 region: the 205 "
                    "areas have only their index scores", where,
                    expected="index: ci1 … ci4, or place.level: itl2") from None
            raise scenario_error(str(exc), where, expected="one of " + ", ".join(
                f"{c} ({t})" for c, t in model.indices.items())) from None
        return index, index
    try:
        code = model.indicator_code(change.measure)
    except NotFoundError as exc:
        if change.measure.strip().lower() in model.indices:
            raise scenario_error(f"{change.measure!r} is an index; at level itl2 a change "
                                 "acts on one of its indicators", where,
                                 expected=", ".join(model.indicators_of(
                                     change.measure.strip().lower()))) from None
        raise scenario_error(str(exc), where, expected="one of " + ", ".join(
            model.indicators.index)) from None
    return code, str(model.indicators.loc[code, "index_code"])


def _bounds_message(model: PlaceModel, code: str, unit: str, value: float) -> tuple[str, str]:
    meta = model.meta(code)
    lo, hi = float(meta["lower"]), float(meta["upper"])
    side = f"above {hi:g}" if value > hi else f"below {lo:g}"
    kind = str(meta["kind"])
    what = {"share": "a share", "money": "an amount of money",
            "effect": "an area effect"}.get(kind, "a value")
    return (f"the change takes {code} ({meta['title']}) in {unit} to {value:g}, {side}: "
            f"impossible for {what}",
            f"values from {lo:g} to {hi:g}" if np.isfinite(hi) else f"values ≥ {lo:g}")


def _steps(model: PlaceModel, index: str, construction: Sequence[Construction]
           ) -> tuple[Step, ...]:
    steps = list(model.steps)
    for c in construction:
        if c.index != "all" and c.index != index:
            continue
        for i, s in enumerate(steps):
            if s.name == "impute" and c.impute is not None:
                steps[i] = s.with_params(**c.impute)
            elif s.name == "normalise" and c.normalise is not None:
                steps[i] = s.with_params(**c.normalise)
            elif s.name == "aggregate":
                upd: dict[str, Any] = dict(c.aggregate or {})
                own = {k: v for k, v in c.weights.items() if k in model.indicators_of(index)}
                if own:
                    upd["weights"] = {**dict(s.params.get("weights") or {}), **own}
                if upd:
                    steps[i] = s.with_params(**upd)
    return tuple(steps)


def _check_construction(model: PlaceModel, construction: Sequence[Construction]
                        ) -> list[Construction]:
    out = []
    for c in construction:
        if c.index.strip().lower() == "all":
            index = "all"
            allowed = [str(x) for x in model.indicators.index]
        else:
            try:
                index = model.index_code(c.index)
            except NotFoundError as exc:
                raise scenario_error(str(exc), c.where, expected="an index code (ci1 … ci4) "
                                     "or 'all'") from None
            allowed = model.indicators_of(index)
        weights = {}
        for name, w in c.weights.items():
            try:
                code = model.indicator_code(name)
            except NotFoundError:
                code = None
            if code is None or code not in allowed:
                hint = closest(name, allowed)
                raise scenario_error(
                    f"{name!r} is not an indicator of {index}"
                    + (f"; did you mean {hint[0]!r}?" if hint else ""),
                    c.where.child("weights").child(name),
                    expected="one of " + ", ".join(allowed))
            weights[code] = w
        if c.impute is not None and c.impute.get("method") not in ("mean", "median", "none"):
            raise scenario_error(f"imputation {c.impute.get('method')!r} needs a group the "
                                 "model's units do not have", c.where.child("impute"),
                                 expected="mean, median or none")
        out.append(Construction(index, weights, c.normalise, c.aggregate, c.impute, c.where))
    return out


def resolve_place(place: PlaceScenario, model: PlaceModel) -> ResolvedPlace:
    """Check a place scenario against ``model`` and apply its changes to the values.

    Raises
    ------
    ScenarioError
        An unknown indicator, index, area, region, nation or weight (with "did you
        mean"), a target that selects no unit, or a change that takes a value outside
        what the indicator can hold — each naming the key and its line.
    """
    values = model.values.copy()
    resolved = []
    for change in place.changes:
        code, index = _indicator(model, change)
        mask = resolve_target(change.target, model)
        before = values[code].to_numpy(dtype=float)
        after = before.copy()
        sel = mask & ~np.isnan(before)
        after[sel] = change.apply(before[sel])
        meta = model.meta(code)
        lo, hi = float(meta["lower"]), float(meta["upper"])
        with np.errstate(invalid="ignore"):
            bad = sel & ((after < lo - 1e-12) | (after > hi + 1e-12) | ~np.isfinite(after))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            unit = str(model.units["unit_name"].iloc[i])
            message, expected = _bounds_message(model, code, unit, float(after[i]))
            more = int(bad.sum()) - 1
            if more:
                message += f" (and {more} more {model.unit_label}{'s' if more > 1 else ''})"
            raise scenario_error(message, change.where.child(change.op), expected=expected)
        values[code] = after
        resolved.append(ResolvedChange(change, code, index, mask,
                                       skipped=int((mask & np.isnan(before)).sum())))
    construction = _check_construction(model, place.construction)
    steps = {index: _steps(model, index, construction) for index in model.indices}
    return ResolvedPlace(model, tuple(resolved), values, steps, tuple(construction))


# --------------------------------------------------------------------------- the result


@dataclass(frozen=True, eq=False)
class PlaceImpact(Result):
    """The impact of a place scenario (module docstring).

    ``units``: one row per unit and index (:data:`UNIT_COLUMNS`); ``overall``: one row
    per index (fifth gap and spread with their changes and intervals, counts of units
    rising and falling); ``groups``: one row per grouping (nation, region), group and
    index; ``drivers``: one row per index and source of change; ``changes``: one row per
    change of the scenario with the units it selects; ``flags``: the negative impacts;
    ``draws``: per index, the paired Monte Carlo changes in z (runs × units, float32)
    behind :meth:`conf_int`.
    """

    level: str
    description: str
    unit_label: str
    units: pd.DataFrame
    overall: pd.DataFrame
    groups: pd.DataFrame
    drivers: pd.DataFrame
    changes: pd.DataFrame
    noise: pd.DataFrame
    flags: tuple[Flag, ...]
    runs: int
    seed: int | None
    validation: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()
    draws: Mapping[str, np.ndarray] = field(default_factory=dict, repr=False)

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Monte Carlo interval of each unit's change in z (quantiles α/2 and 1 − α/2 of
        the paired runs), one row per row of :attr:`units`."""
        if not 0 < alpha < 1:
            raise InputError(f"alpha {alpha} is outside (0, 1)", expected="e.g. 0.05")
        rows = []
        for index in dict.fromkeys(self.units["index_code"]):
            d = np.asarray(self.draws[index], dtype=float)
            lo = np.quantile(d, alpha / 2, axis=0)
            hi = np.quantile(d, 1 - alpha / 2, axis=0)
            rows.append(pd.DataFrame({"lower": lo, "upper": hi}))
        return pd.concat(rows, ignore_index=True)

    def flags_frame(self) -> pd.DataFrame:
        return flags_frame(self.flags)

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows: measure ``index_z_change`` per unit and index (value = change in z,
        lci/uci = its 5%–95% interval, n = runs), every column of :attr:`units` after."""
        u = self.units
        base = pd.DataFrame({
            "measure": "index_z_change", "area_code": u["unit_code"], "area_name": u["unit_name"],
            "period": u["period"], "breakdown": "index", "group": u["index_code"],
            "value": u["z_change"], "lci": u["z_change_lower"], "uci": u["z_change_upper"],
            "n": float(self.runs), "unit": "z-score points (baseline scale)",
            "note": "paired Monte Carlo, 5%-95%"})
        extra = u.drop(columns=["unit_code", "unit_name", "period"]).reset_index(drop=True)
        return pd.concat([tidy(base), extra], axis=1)

    def summary(self) -> str:
        from socmob.assess.models import LEVEL_TITLES

        lines = [f"Place impact on {LEVEL_TITLES.get(self.level, self.level)}; "
                 f"{self.runs} paired Monte Carlo runs (seed {self.seed})"]
        for r in self.overall.itertuples(index=False):
            lines.append(
                f"{r.index_code} {r.index_title}: {r.units_targeted} targeted; score up "
                f"{r.score_up}, down {r.score_down}; rank up {r.rank_up}, down "
                f"{r.rank_down}; band up {r.band_up}, down {r.band_down}; fifth gap "
                f"{r.fifth_gap_baseline:.3f} → {r.fifth_gap_scenario:.3f}")
        lines.append(f"{len(self.flags)} negative impacts flagged")
        return "\n".join(lines)


# --------------------------------------------------------------------------- computing


def _quantiles(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    by_unit = np.ascontiguousarray(np.asarray(a, dtype=float).T)
    q = np.quantile(by_unit, [LOWER_Q, 0.5, UPPER_Q], axis=-1)
    return q[0], q[1], q[2]


def fifths(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the top and bottom fifth of units by ``z`` (k = round(n/5) each;
    ties broken by position)."""
    n = len(z)
    k = max(1, round(n / 5))
    order = np.argsort(-np.asarray(z, dtype=float), kind="stable")
    return order[:k], order[-k:]


def fifth_gap(z: np.ndarray, top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """Mean z of the ``top`` units minus that of the ``bottom`` units (last axis)."""
    z = np.asarray(z, dtype=float)
    return np.asarray(z[..., top].mean(axis=-1) - z[..., bottom].mean(axis=-1))


def _wrap_build(build: Any, where: Where) -> Coin:
    try:
        coin: Coin = build()
    except InputError as exc:
        raise scenario_error(f"the index cannot be built this way: {exc.message}", where,
                             expected=exc.expected) from None
    return coin


def _construction_where(resolved: ResolvedPlace, index: str) -> Where:
    for c in resolved.construction:
        if c.index in ("all", index):
            return c.where
    return Where(key="place")


def _se_frame(model: PlaceModel, codes: list[str]) -> pd.DataFrame:
    se = model.se[codes].copy()
    se.index = se.index.astype(str)
    return se


def _coin_replay() -> Any:
    """The vectorised replay of a coin's log in :mod:`socmob.place.uncertainty`
    (``CoinReplay``, formerly ``Engine``: either spelling, without a deprecation warning)."""
    from socmob.place import uncertainty

    return getattr(uncertainty, "CoinReplay", None) or uncertainty.Engine


def _paired_runs(model: PlaceModel, index: str, coin_b: Coin, coin_s: Coin, runs: int,
                 seed: np.random.SeedSequence) -> tuple[np.ndarray, np.ndarray]:
    """Scores (runs × units) of the baseline and scenario coins on the same noise."""
    from socmob.place.uncertainty import UncertainInputs

    replay = _coin_replay()
    codes = model.indicators_of(index)
    se = _se_frame(model, codes)
    inputs = UncertainInputs(se=se)
    eng_b = replay(coin_b, inputs)
    eng_s = eng_b if coin_s is coin_b else replay(coin_s, inputs)
    rng = np.random.default_rng(seed)
    n_units = len(eng_b.units)
    sb = np.empty((runs, n_units))
    ss = np.empty((runs, n_units))
    for start in range(0, runs, CHUNK):
        m = min(CHUNK, runs - start)
        noise = rng.standard_normal((m, *eng_b.raw.shape))
        sb[start:start + m] = eng_b.scores({}, noise=noise)
        ss[start:start + m] = (sb[start:start + m] if eng_s is eng_b
                               else eng_s.scores({}, noise=noise))
    return sb, ss


def _direction_loss(resolved: ResolvedPlace, index: str) -> np.ndarray:
    """Units whose own values of ``index``'s indicators moved the unfavourable way."""
    model = resolved.model
    out = np.zeros(len(model.units), dtype=bool)
    for code in model.indicators_of(index):
        d = float(model.meta(code)["direction"])
        delta = (resolved.values[code] - model.values[code]).to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            out |= np.nan_to_num(d * delta) < -TOLERANCE
    return out


def place_impact(resolved: ResolvedPlace, *, runs: int = 1000, seed: int | None = None
                 ) -> PlaceImpact:
    """The impact of a resolved place scenario (module docstring)."""
    if runs < 1:
        raise InputError(f"runs = {runs}", column="runs", expected="at least 1")
    model = resolved.model
    units = model.units
    ids = units.index.astype(str)
    changed = resolved.changed_indices()
    streams = dict(zip(model.indices, np.random.SeedSequence(seed).spawn(len(model.indices)),
                       strict=True))
    unit_frames, summaries, group_frames, driver_frames = [], [], [], []
    flags: list[Flag] = []
    draws: dict[str, np.ndarray] = {}
    for index, title in model.indices.items():
        coin_b = model.baseline_coin(index)
        if index in changed:
            where = _construction_where(resolved, index)
            coin_s = _wrap_build(lambda i=index: model.coin(i, resolved.values,
                                                            resolved.steps[i]), where)
        else:
            coin_s = coin_b
        nom_b = coin_b.results().scores[INDEX_CODE].reindex(ids).to_numpy(dtype=float)
        nom_s = coin_s.results().scores[INDEX_CODE].reindex(ids).to_numpy(dtype=float)
        if np.isnan(nom_s).any():
            raise scenario_error("the scenario leaves some units without an index score",
                                 _construction_where(resolved, index),
                                 expected="a construction that scores every unit")
        zb, zs = model.to_z(index, nom_b), model.to_z(index, nom_s)
        rb, rs = rank_min(-nom_b, axis=-1), rank_min(-nom_s, axis=-1)
        bb, bs = model.bands(index, nom_b), model.bands(index, nom_s)
        sb, ss = _paired_runs(model, index, coin_b, coin_s, runs, streams[index])
        zb_runs, zs_runs = model.to_z(index, sb), model.to_z(index, ss)
        dz_runs = zs_runs - zb_runs
        draws[index] = dz_runs.astype(np.float32)
        rank_b_runs = rank_min(-sb, axis=-1)
        rank_s_runs = rank_min(-ss, axis=-1)
        band_b_runs = model.bands(index, sb)
        band_s_runs = model.bands(index, ss)
        rb_lo, _, rb_hi = _quantiles(rank_b_runs)
        rs_lo, _, rs_hi = _quantiles(rank_s_runs)
        dr_lo, _, dr_hi = _quantiles(rank_s_runs - rank_b_runs)
        dz_lo, _, dz_hi = _quantiles(dz_runs)
        p_up = np.mean(band_s_runs > band_b_runs, axis=0)
        p_down = np.mean(band_s_runs < band_b_runs, axis=0)
        targeted = np.zeros(len(ids), dtype=bool)
        for rc in resolved.changes:
            if rc.index == index:
                targeted |= rc.mask
        direct = _direction_loss(resolved, index)
        rebuilt = resolved.steps[index] != model.steps
        dz = zs - zb
        loss = np.where(dz < -TOLERANCE, np.where(direct, "direct", np.where(
            rebuilt, "construction", "relative")), np.where(rs > rb, "relative", ""))
        frame = pd.DataFrame({
            "unit_id": ids, "unit_code": units["unit_code"].to_numpy(),
            "unit_name": units["unit_name"].to_numpy(), "region": units["region"].to_numpy(),
            "nation": units["nation"].to_numpy(), "index_code": index, "index_title": title,
            "period": model.periods.get(index), "targeted": targeted,
            "z_baseline": zb, "z_scenario": zs, "z_change": dz,
            "z_change_lower": dz_lo, "z_change_upper": dz_hi,
            "rank_baseline": rb, "rank_scenario": rs, "rank_change": rs - rb,
            "rank_baseline_lower": rb_lo, "rank_baseline_upper": rb_hi,
            "rank_scenario_lower": rs_lo, "rank_scenario_upper": rs_hi,
            "rank_change_lower": dr_lo, "rank_change_upper": dr_hi,
            "band_baseline": bb, "band_scenario": bs, "band_change": bs - bb,
            "p_band_up": p_up, "p_band_down": p_down, "loss": loss})
        unit_frames.append(frame[UNIT_COLUMNS])
        top, bottom = fifths(zb)
        gap_b, gap_s = fifth_gap(zb_runs, top, bottom), fifth_gap(zs_runs, top, bottom)
        sd_b, sd_s = zb_runs.std(axis=-1, ddof=1), zs_runs.std(axis=-1, ddof=1)
        nom_gap_b = float(fifth_gap(zb, top, bottom))
        nom_gap_s = float(fifth_gap(zs, top, bottom))
        nom_sd_b, nom_sd_s = float(np.std(zb, ddof=1)), float(np.std(zs, ddof=1))
        summaries.append({
            "index_code": index, "index_title": title, "period": model.periods.get(index),
            "units": len(ids), "units_targeted": int(targeted.sum()),
            "score_up": int((dz > TOLERANCE).sum()), "score_down": int((dz < -TOLERANCE).sum()),
            "rank_up": int((rs < rb).sum()), "rank_down": int((rs > rb).sum()),
            "band_up": int((bs > bb).sum()), "band_down": int((bs < bb).sum()),
            "band_down_risk": int((p_down >= BAND_RISK).sum()),
            "mean_change": float(np.mean(dz)),
            "fifth_gap_baseline": nom_gap_b, "fifth_gap_scenario": nom_gap_s,
            "fifth_gap_change": nom_gap_s - nom_gap_b,
            "fifth_gap_change_lower": float(np.quantile(gap_s - gap_b, LOWER_Q)),
            "fifth_gap_change_upper": float(np.quantile(gap_s - gap_b, UPPER_Q)),
            "spread_baseline": nom_sd_b, "spread_scenario": nom_sd_s,
            "spread_change": nom_sd_s - nom_sd_b,
            "spread_change_lower": float(np.quantile(sd_s - sd_b, LOWER_Q)),
            "spread_change_upper": float(np.quantile(sd_s - sd_b, UPPER_Q)),
        })
        group_frames.append(_groups(model, index, title, dz, dz_runs, rb, rs))
        driver_frames.append(_drivers(resolved, index, title, zb, zs, targeted))
        flags += _flags(model, frame, summaries[-1], group_frames[-1])
    notes = tuple(
        f"{rc.change.where.key} (line {rc.change.where.line}): {rc.skipped} "
        f"{model.unit_label}{'s' if rc.skipped > 1 else ''} selected have no published "
        f"{rc.code}, so the change does not reach them"
        for rc in resolved.changes if rc.skipped)
    return PlaceImpact(
        level=model.level, description=model.description, unit_label=model.unit_label,
        units=pd.concat(unit_frames, ignore_index=True),
        overall=pd.DataFrame(summaries), groups=pd.concat(group_frames, ignore_index=True),
        drivers=pd.concat(driver_frames, ignore_index=True),
        changes=_changes_frame(resolved), noise=model.noise.copy(), flags=tuple(flags),
        runs=runs, seed=seed, validation=model.validation(), notes=notes, draws=draws)


def _groups(model: PlaceModel, index: str, title: str, dz: np.ndarray, dz_runs: np.ndarray,
            rb: np.ndarray, rs: np.ndarray) -> pd.DataFrame:
    rows = []
    done: set[tuple[str, ...]] = set()
    for grouping in model.groupings:
        labels = model.units[grouping].astype(str).to_numpy()
        for g in sorted(set(labels)):
            sel = labels == g
            members = tuple(np.flatnonzero(sel))
            if (g, *map(str, members)) in done:  # Wales the region is Wales the nation
                continue
            done.add((g, *map(str, members)))
            runs_mean = dz_runs[:, sel].mean(axis=1)
            rows.append({
                "grouping": grouping, "group": g, "index_code": index, "index_title": title,
                "units": int(sel.sum()), "mean_change": float(dz[sel].mean()),
                "mean_change_lower": float(np.quantile(runs_mean, LOWER_Q)),
                "mean_change_upper": float(np.quantile(runs_mean, UPPER_Q)),
                "score_up": int((dz[sel] > TOLERANCE).sum()),
                "score_down": int((dz[sel] < -TOLERANCE).sum()),
                "rank_up": int((rs[sel] < rb[sel]).sum()),
                "rank_down": int((rs[sel] > rb[sel]).sum())})
    return pd.DataFrame(rows)


def _drivers(resolved: ResolvedPlace, index: str, title: str, zb: np.ndarray,
             zs: np.ndarray, targeted: np.ndarray) -> pd.DataFrame:
    model = resolved.model
    ids = model.units.index.astype(str)
    total = zs - zb
    rows = []
    parts = np.zeros(len(ids))

    def row(driver: str, kind: str, label: str, d: np.ndarray) -> dict[str, Any]:
        return {"index_code": index, "index_title": title, "driver": driver, "kind": kind,
                "title": label, "mean_change": float(d.mean()),
                "mean_change_targeted": float(d[targeted].mean()) if targeted.any() else 0.0,
                "largest_gain": float(d.max()), "largest_loss": float(d.min()),
                "units_moved": int((np.abs(d) > TOLERANCE).sum())}

    changed_codes = [c for c in model.indicators_of(index)
                     if not resolved.values[c].equals(model.values[c])]
    for code in changed_codes:
        only = model.values.copy()
        only[code] = resolved.values[code]
        coin = model.coin(index, only)
        z = model.to_z(index, coin.results().scores[INDEX_CODE].reindex(ids).to_numpy(float))
        d = z - zb
        parts += d
        rows.append(row(code, "indicator", str(model.indicators.loc[code, "title"]), d))
    if resolved.steps[index] != model.steps:
        coin = model.coin(index, None, resolved.steps[index])
        z = model.to_z(index, coin.results().scores[INDEX_CODE].reindex(ids).to_numpy(float))
        d = z - zb
        parts += d
        rows.append(row("construction", "construction", "; ".join(
            c.describe() for c in resolved.construction if c.index in ("all", index)), d))
    if rows:
        rows.append(row("interaction", "interaction", "what the parts do together beyond "
                        "their sum", total - parts))
    return pd.DataFrame(rows, columns=["index_code", "index_title", "driver", "kind", "title",
                                       "mean_change", "mean_change_targeted", "largest_gain",
                                       "largest_loss", "units_moved"])


def _flags(model: PlaceModel, frame: pd.DataFrame, summary: Mapping[str, Any],
           groups: pd.DataFrame) -> list[Flag]:
    index, title = str(summary["index_code"]), str(summary["index_title"])
    out: list[Flag] = []
    label = model.unit_label
    for r in frame.to_dict(orient="records"):
        name = str(r["unit_name"])
        dz, dr, db = float(r["z_change"]), float(r["rank_change"]), float(r["band_change"])
        if dz < -TOLERANCE:
            why = {"direct": "its own indicators move the unfavourable way",
                   "construction": "the index is built differently",
                   "relative": "its own values do not change, but the average and spread it "
                               "is measured against do"}[str(r["loss"])]
            out.append(Flag("place", f"score falls ({r['loss']})", name,
                            f"{name}: {title} falls by {-dz:.3f} z ({why}).", dz, index))
        if dr > 0:
            out.append(Flag("place", "rank falls", name,
                            f"{name}: falls {int(dr)} place{'s' if dr > 1 else ''} on {title} "
                            f"(rank {int(r['rank_baseline'])} → {int(r['rank_scenario'])}) as "
                            f"other {label}s gain.", dr, index))
        p_down = float(r["p_band_down"])
        if db < 0:
            out.append(Flag("place", "band falls", name,
                            f"{name}: drops from band {int(r['band_baseline'])} to "
                            f"{int(r['band_scenario'])} on {title}.", db, index))
        elif p_down >= BAND_RISK:
            out.append(Flag("place", "band risk", name,
                            f"{name}: drops a band on {title} in {p_down:.0%} of the runs.",
                            p_down, index))
    for g in groups.to_dict(orient="records"):
        mean = float(g["mean_change"])
        if mean < -TOLERANCE:
            n = int(g["units"])
            out.append(Flag("place", "group loses", str(g["group"]),
                            f"{g['group']} ({g['grouping']}): {title} falls by {-mean:.3f} z "
                            f"on average over its {n} {label}{'s' if n > 1 else ''}.", mean,
                            index))
    if summary["fifth_gap_change"] > TOLERANCE:
        out.append(Flag("place", "gap widens", "top and bottom fifth",
                        f"{title}: the gap between the top and bottom fifth of {label}s widens "
                        f"by {summary['fifth_gap_change']:.3f} z (5%–95%: "
                        f"{summary['fifth_gap_change_lower']:.3f} to "
                        f"{summary['fifth_gap_change_upper']:.3f}).",
                        float(summary["fifth_gap_change"]), index))
    if summary["spread_change"] > TOLERANCE:
        out.append(Flag("place", "gap widens", "spread",
                        f"{title}: the spread of {label}s (SD of z) grows by "
                        f"{summary['spread_change']:.3f}.", float(summary["spread_change"]),
                        index))
    return out


def _changes_frame(resolved: ResolvedPlace) -> pd.DataFrame:
    model = resolved.model
    rows = []
    for rc in resolved.changes:
        names = rc.units(model)
        rows.append({
            "key": rc.change.where.key, "line": rc.change.where.line,
            "label": rc.change.label, "indicator": rc.code, "index_code": rc.index,
            "change": rc.change.describe(), "op": rc.change.op, "amount": rc.change.amount,
            "unit": {"percent": "% of the value", "multiply": "factor"}.get(
                rc.change.op, str(model.meta(rc.code)["unit"])),
            "target": rc.change.target.describe(), "units": int(rc.mask.sum()),
            "unit_names": ", ".join(names[:12]) + (f" and {len(names) - 12} more"
                                                   if len(names) > 12 else ""),
            "skipped": rc.skipped})
    for c in resolved.construction:
        rows.append({"key": c.where.key, "line": c.where.line, "label": None,
                     "indicator": None, "index_code": c.index, "change": c.describe(),
                     "op": "construction", "amount": np.nan, "unit": None,
                     "target": "every unit", "units": len(model.units), "unit_names": "",
                     "skipped": 0})
    return pd.DataFrame(rows, columns=["key", "line", "label", "indicator", "index_code",
                                       "change", "op", "amount", "unit", "target", "units",
                                       "unit_names", "skipped"])


__all__ = ["UNIT_COLUMNS", "PlaceImpact", "ResolvedChange", "ResolvedPlace", "fifth_gap",
           "fifths", "place_impact", "resolve_place"]
