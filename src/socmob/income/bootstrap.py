"""The Poisson bootstrap of the income estimators.

Replicate b re-runs the estimation (ranks included) with weights ``w·mᵢ``,
``mᵢ ~ Poisson(1)`` independent across rows (Hanley & MacGibbon 2006; Chamandy et al.
2012), which approximates resampling rows with replacement without materialising a
resample.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import ibis
import pandas as pd
from ibis.expr import types as ir

from socmob.errors import InputError
from socmob.income._data import Prepared
from socmob.income.indices import INDEX_NAMES
from socmob.income.plan import Cells, Spec, finish, run_main
from socmob.income.results import RankRankResult, TransitionMatrix


def _replicate_statistics(parts: Mapping[str, Any]) -> dict[str, float]:
    stats_out: dict[str, float] = {}
    if "rank" in parts:
        r: RankRankResult = parts["rank"]
        stats_out.update(rank_slope=r.slope, rank_intercept=r.intercept,
                         expected_rank_p25=r.expected_rank(25.0)[0])
    if "ige" in parts:
        stats_out["ige"] = parts["ige"].slope
    if "transition" in parts:
        stats_out["p_top_given_bottom"] = parts["quintiles"].p_top_given_bottom
        tm: TransitionMatrix = parts["transition"]
        try:
            idx = tm.indices().as_dict()
        except InputError:
            idx = {n: math.nan for n in INDEX_NAMES}
        stats_out.update({f"index_{k}": v for k, v in idx.items()})
    if "absolute" in parts:
        stats_out["absolute_mobility"] = parts["absolute"].share
    return stats_out


_POISSON1_CDF = tuple(
    math.exp(-1.0) * sum(1.0 / math.factorial(i) for i in range(k + 1)) for k in range(12)
)
_HASH_MOD = 2_147_483_647


def poisson_multiplier(t: ir.Table, seed: int, replicate: int,
                       order_by: list[str]) -> ir.IntegerValue:
    """A Poisson(1) multiplier per row, reproducible for (data, seed, replicate) on one
    engine: the row number in a deterministic order is hashed with the seed and the
    replicate by the engine and mapped to a uniform, whose Poisson(1) quantile is taken."""
    rn = ibis.row_number().over(order_by=[t[c] for c in order_by]).cast("int64")
    offset = (int(seed) * 7_919 + int(replicate) * 104_729 + 1) % 1_000_000_007
    h = (rn * 1_000_003 + offset).hash().cast("int64")
    u = (((h % _HASH_MOD) + _HASH_MOD) % _HASH_MOD).cast("float64") / float(_HASH_MOD)
    m: Any = ibis.literal(0)
    for threshold in _POISSON1_CDF:
        m = m + ibis.ifelse(u > threshold, 1, 0)
    return m


def bootstrap_replicates(prep: Prepared, spec: Spec, shift: Mapping[str, Any] | None,
                         replicates: int, seed: int | None, progress: bool, *,
                         groups: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    from rich.console import Console
    from rich.progress import Progress

    seed_value = 0 if seed is None else int(seed)
    # replicate weights w·m are not 0/1, but replicates use point estimates only, which
    # never need the w² sums: keep ``weighted`` as it is
    boot_spec = Spec(**{**spec.__dict__, "want": frozenset(
        spec.want - ({"ige"} if spec.zero_policy == "ppml" else set()))})
    records: dict[str, list[dict[str, float]]] = {g: [] for g in groups}
    base = prep.table
    with Progress(console=Console(stderr=True), disable=not progress, transient=True) as bar:
        task = bar.add_task("bootstrap", total=replicates)
        for b in range(replicates):
            m = poisson_multiplier(base, seed_value, b, ["_g", "_x", "_y", "_w"])
            table = base.mutate(_w=base._w * m.cast("float64"))
            rows, cells = run_main(prep, table, boot_spec, shift, unit_weights=False)
            for g in groups:
                if g not in rows:
                    records[g].append({})
                    continue
                try:
                    parts = _finish_one(prep, g, rows[g], cells, boot_spec, shift)
                except InputError:
                    parts = None
                records[g].append(_replicate_statistics(parts) if parts else {})
            bar.advance(task)
    return {g: pd.DataFrame(r) for g, r in records.items()}


def _finish_one(prep: Prepared, g: str, row: Mapping[str, Any], cells: Cells,
                spec: Spec, shift: Mapping[str, Any] | None) -> dict[str, Any] | None:
    sub = Prepared(table=prep.table, parent=prep.parent, child=prep.child, weight=prep.weight,
                   by=prep.by, source=prep.source, n_rows=prep.n_rows, n_missing=prep.n_missing,
                   groups=(g,), group_rows=prep.group_rows)
    return finish(sub, {g: row}, cells, spec, shift, None).parts.get(g)

