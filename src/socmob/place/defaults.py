"""The analysis choices socmob makes on the embedded SMC data, each defined once.

:mod:`socmob.place.analyses` runs the every-area analyses with these values (and
re-exports them); the measure functions use them as their defaults, and the dashboard and
the command line take them from there, so a page, an API answer and a command given the
same options print the same numbers. They live in this small module, below every measure,
so that a measure can use them without importing the analyses built on it.
"""

from __future__ import annotations

from typing import Literal

EDITION = 2025
"""The State of the Nation edition analysed when none is named (SoN 2025: 205 areas)."""

MAP_EDITIONS: tuple[int, ...] = (2025,)
"""Editions whose areas are those of the embedded map (:func:`socmob.data.boundaries`,
the 205 SoN 2025 areas), so that spatial analyses can be run on them."""

RANK_EDITIONS: tuple[int, ...] = (2025,)
"""Editions whose bands follow the SoN 2025 seven-band rule on z, which the rank
uncertainty of :mod:`socmob.place.smc_uncertainty` reproduces."""

SEED = 20250101
"""Seed of every random stream of the analyses (permutations, Monte Carlo draws), so
that each result is reproducible and the same wherever it is shown."""

PERMUTATIONS = 999
"""Random permutations behind the pseudo p-values of the spatial statistics (Moran's I,
local Moran, Getis–Ord Gi*): the smallest attainable p-value is 1/(999 + 1) = 0.001."""

RANK_RUNS = 10_000
"""Monte Carlo runs behind each area's rank interval and band probabilities."""

CONTIGUITY: Literal["queen", "rook"] = "queen"
"""Neighbours share at least one boundary point (``"rook"``: a boundary edge)."""

ISLAND_K = 1
"""Nearest areas (by centroid) linked to each area that has no land neighbour."""

EXPECTED_MODELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ci4", ("ci1",)),
    ("ci2", ("ci1",)),
)
"""Better/worse than expected: (outcome, predictors) pairs. Promising prospects and
labour market opportunities for young people, each given the conditions of childhood.
The first pair is the default of :func:`socmob.place.expected.expected_from_composites`."""

ALPHA = 0.05
"""Significance level of the spatial clusters and of the better/worse-than-expected
verdicts (1 − the level of their intervals)."""

__all__ = ["ALPHA", "CONTIGUITY", "EDITION", "EXPECTED_MODELS", "ISLAND_K", "MAP_EDITIONS",
           "PERMUTATIONS", "RANK_EDITIONS", "RANK_RUNS", "SEED"]
