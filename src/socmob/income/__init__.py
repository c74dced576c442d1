"""Intergenerational income mobility: ranks, IGE, rank-rank slope, transition matrices,
absolute income mobility, mobility indices and area outcomes — as Ibis expressions that run
unchanged on DuckDB and PySpark.

>>> from socmob.engine import connect
>>> from socmob.engine.readers import read_table
>>> from socmob.income import income_mobility
>>> t = read_table("pairs.parquet", con=connect())          # doctest: +SKIP
>>> income_mobility(t, parent="parent_income", child="child_income").to_dict()  # doctest: +SKIP

Method notes with formulas and references: ``docs/income.md``.
"""

from socmob._deprecated import renamed as _renamed
from socmob.income.api import (
    absolute_income_mobility,
    ige,
    income_mobility,
    rank_rank,
    transition_matrix,
)
from socmob.income.areas import AreaOutcomes, area_outcomes
from socmob.income.indices import MobilityIndices, mobility_indices
from socmob.income.ranks import percentile_ranks
from socmob.income.regression import LinearFit
from socmob.income.results import (
    AbsoluteIncomeMobility,
    BootstrapSummary,
    IGEResult,
    IncomeMobilityByGroup,
    IncomeMobilityResult,
    RankRankResult,
    TransitionMatrix,
)

__all__ = [
    "AbsoluteIncomeMobility",
    "AreaOutcomes",
    "BootstrapSummary",
    "IGEResult",
    "IncomeMobilityByGroup",
    "IncomeMobilityResult",
    "LinearFit",
    "MobilityIndices",
    "RankRankResult",
    "TransitionMatrix",
    "absolute_income_mobility",
    "area_outcomes",
    "ige",
    "income_mobility",
    "mobility_indices",
    "percentile_ranks",
    "rank_rank",
    "transition_matrix",
]

__getattr__ = _renamed(__name__, {"absolute_mobility": "absolute_income_mobility",
                                 "AbsoluteMobilityResult": "AbsoluteIncomeMobility"},
                      globals())
