"""One call that describes a mobility table: absolute rates, outflow and inflow
percentages, odds ratios and the Altham index, per layer and pooled."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from socmob._deprecated import coverage_keyword
from socmob.results import Result, jsonable
from socmob.tables.absolute import (
    AbsoluteMobility,
    PercentageTable,
    absolute_mobility,
    inflow_table,
    outflow_table,
)
from socmob.tables.relative import (
    AlthamIndex,
    OddsRatios,
    altham_index,
    corner_odds_ratio,
    local_odds_ratios,
)
from socmob.tables.table import MobilityTable


@dataclass(frozen=True, eq=False)
class MobilityDescription(Result):
    """Descriptive measures of a mobility table.

    ``absolute`` is ``None`` for a non-square table (upward and downward need the same
    classes on both sides); every other part is always present. Groups are the layers
    followed by ``"all"`` (the pooled table) when the table is layered.
    """

    table: MobilityTable
    absolute: AbsoluteMobility | None
    outflow: PercentageTable
    inflow: PercentageTable
    local_odds_ratios: OddsRatios
    corner_odds_ratio: OddsRatios
    altham: AlthamIndex

    def to_frame(self) -> pd.DataFrame:
        """All measures in one tidy frame (outflow/inflow carry ``origin`` and
        ``destination``; odds ratios their category pairs)."""
        parts = [
            p.to_frame()
            for p in (
                self.absolute,
                self.outflow,
                self.inflow,
                self.corner_odds_ratio,
                self.local_odds_ratios,
                self.altham,
            )
            if p is not None
        ]
        return pd.concat(parts, ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready nested description (what ``socmob mobility describe --format json``
        prints): table facts, then for each group its absolute rates (proportions),
        outflow and inflow percentages, corner and local odds ratios and Altham index."""
        t = self.table
        groups = self.outflow.groups
        out: dict[str, Any] = {
            "table": {
                "origin_name": t.origin_name,
                "destination_name": t.destination_name,
                "layer_name": t.layer_name,
                "origin_labels": list(t.origin_labels),
                "destination_labels": list(t.destination_labels),
                "layer_labels": list(t.layer_labels),
                "n": t.total,
                "weighted": t.is_weighted,
            },
            "groups": {},
        }
        corner, local = self.corner_odds_ratio, self.local_odds_ratios
        c_lo, c_hi = (corner.conf_int(corner.alpha)[c].to_numpy().reshape(corner.se.shape)
                      for c in ("lower", "upper"))
        l_lo, l_hi = (local.conf_int(local.alpha)[c].to_numpy().reshape(local.se.shape)
                      for c in ("lower", "upper"))
        for g, group in enumerate(groups):
            entry: dict[str, Any] = {"n": float(self.outflow.base[g].sum())}
            if self.absolute is not None:
                a = self.absolute
                entry["absolute"] = {
                    m: {
                        "value": a.rates[m][g],
                        "lci": a.lci[m][g] if m in a.lci else None,
                        "uci": a.uci[m][g] if m in a.uci else None,
                    }
                    for m in a.rates
                }
                entry["rate_by_distance"] = {
                    f"{d:+d}": a.by_distance[g, k] for k, d in enumerate(a.distances)
                }
            entry["outflow_percent"] = self.outflow.percent[g]
            entry["inflow_percent"] = self.inflow.percent[g]
            entry["corner_odds_ratio"] = {
                "value": self.corner_odds_ratio.odds_ratio[g, 0, 0],
                "log": self.corner_odds_ratio.log_odds_ratio[g, 0, 0],
                "se_log": self.corner_odds_ratio.se[g, 0, 0],
                "lci": c_lo[g, 0, 0],
                "uci": c_hi[g, 0, 0],
            }
            entry["local_odds_ratios"] = {
                "value": self.local_odds_ratios.odds_ratio[g],
                "log": self.local_odds_ratios.log_odds_ratio[g],
                "se_log": self.local_odds_ratios.se[g],
                "lci": l_lo[g],
                "uci": l_hi[g],
            }
            entry["altham_index"] = self.altham.value[g]
            out["groups"][group] = entry
        return jsonable(out)  # type: ignore[no-any-return]


@coverage_keyword("confidence")
def describe(
    table: MobilityTable,
    *,
    alpha: float = 0.05,
    design_effect: float = 1.0,
    zero_correction: float = 0.0,
) -> MobilityDescription:
    """Describe ``table``: absolute rates (square tables), outflow and inflow
    percentages, corner and local odds ratios, Altham index — per layer and pooled.

    Every interval is at level ``1 − alpha``; ``design_effect`` applies to the rate
    intervals (:func:`~socmob.tables.absolute.absolute_mobility`), ``zero_correction``
    to the odds ratios and Altham index (:mod:`socmob.tables.relative`).
    """
    absolute = (
        absolute_mobility(table, alpha=alpha, design_effect=design_effect)
        if table.is_square
        else None
    )
    return MobilityDescription(
        table=table,
        absolute=absolute,
        outflow=outflow_table(table, alpha=alpha, design_effect=design_effect),
        inflow=inflow_table(table, alpha=alpha, design_effect=design_effect),
        local_odds_ratios=local_odds_ratios(table, alpha=alpha, zero_correction=zero_correction),
        corner_odds_ratio=corner_odds_ratio(table, alpha=alpha, zero_correction=zero_correction),
        altham=altham_index(table, zero_correction=zero_correction),
    )


__all__ = ["MobilityDescription", "describe"]
