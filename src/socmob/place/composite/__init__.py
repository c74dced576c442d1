"""Composite indicators built step by step, COINr-style (``socmob.place.composite``).

One module per construction step: :mod:`.meta` (iMeta/iData and the hierarchy),
:mod:`.denominate`, :mod:`.impute`, :mod:`.screen`, :mod:`.treat`, :mod:`.normalise`,
:mod:`.weights`, :mod:`.aggregate`, :mod:`.diagnostics`; :mod:`.coin` ties them into a
logged, replayable :class:`Coin`, and :mod:`.specs` parses construction choices written
as text (``minmax:1,100``) into its steps. Uncertainty and sensitivity analysis live in
:mod:`socmob.place.uncertainty` and :mod:`socmob.place.sensitivity`.
"""

from socmob.place.composite.aggregate import AGGREGATE_METHODS, aggregate_array, weighted_mean
from socmob.place.composite.coin import Coin, CompositeResult, Step
from socmob.place.composite.diagnostics import (
    PCAResult,
    correlations,
    cronbach_alpha,
    indicator_stats,
    pca,
)
from socmob.place.composite.impute import IMPUTE_METHODS, impute_array
from socmob.place.composite.meta import Hierarchy, IndicatorMeta, validate_meta
from socmob.place.composite.normalise import NORMALISE_METHODS, normalise_array
from socmob.place.composite.readers import read_coin, read_table
from socmob.place.composite.specs import CoinSpec
from socmob.place.composite.treat import TREAT_METHODS, kurtosis, skewness, treat_array

__all__ = [
    "AGGREGATE_METHODS",
    "IMPUTE_METHODS",
    "NORMALISE_METHODS",
    "TREAT_METHODS",
    "Coin",
    "CoinSpec",
    "CompositeResult",
    "Hierarchy",
    "IndicatorMeta",
    "PCAResult",
    "Step",
    "aggregate_array",
    "correlations",
    "cronbach_alpha",
    "impute_array",
    "indicator_stats",
    "kurtosis",
    "normalise_array",
    "pca",
    "read_coin",
    "read_table",
    "skewness",
    "treat_array",
    "validate_meta",
    "weighted_mean",
]
