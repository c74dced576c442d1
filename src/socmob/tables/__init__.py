"""Mobility tables: origin × destination [× layer] counts with ordered categories.

:class:`MobilityTable` is the input of every absolute and relative measure here and of
the association models in :mod:`socmob.models`.
"""

from socmob.tables.absolute import (
    AbsoluteMobility,
    PercentageTable,
    absolute_mobility,
    inflow_table,
    outflow_table,
)
from socmob.tables.describe import MobilityDescription, describe
from socmob.tables.io import read_long_table
from socmob.tables.relative import (
    AlthamIndex,
    OddsRatios,
    altham_index,
    corner_odds_ratio,
    local_odds_ratios,
    odds_ratio,
)
from socmob.tables.table import UNLAYERED, MobilityTable, label_text, require_square

__all__ = [
    "UNLAYERED",
    "AbsoluteMobility",
    "AlthamIndex",
    "MobilityDescription",
    "MobilityTable",
    "OddsRatios",
    "PercentageTable",
    "absolute_mobility",
    "altham_index",
    "corner_odds_ratio",
    "describe",
    "inflow_table",
    "label_text",
    "local_odds_ratios",
    "odds_ratio",
    "outflow_table",
    "read_long_table",
    "require_square",
]
