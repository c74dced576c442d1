"""Spatial clusters of the Social Mobility Index on the area map (PySAL).

Four steps, each a small function returning a frozen result, one module per layer —
:mod:`.weights` (who neighbours whom), :mod:`.moran` (global and local Moran's I) and
:mod:`.getis_ord` (Gi*); this package exports them all under one name:

* :func:`contiguity_weights` — queen or rook contiguity between area polygons (invalid
  polygons repaired first), with a nearest-neighbour fallback for areas that touch no
  other area (Northern Ireland, Orkney, Shetland, the Western Isles, Anglesey and the
  Isle of Wight on the SMC's 205-area map).
* :func:`global_moran` — global Moran's I with a seeded permutation p-value.
* :func:`local_moran` — local Moran (LISA) clusters: high-high (hotspot), low-low
  (coldspot), high-low and low-high outliers, with permutation p-values and an optional
  multiple-testing correction (Bonferroni or Benjamini–Hochberg).
* :func:`getis_ord` — the Getis–Ord Gi* hot/cold-spot statistic.

On the SMC indices a higher z-score is the more favourable side, so a *hotspot* is a
cluster of favourable areas and a *coldspot* a cluster of unfavourable ones.

References
----------
Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. *Biometrika* 37, 17–23.
Cliff, A. D. & Ord, J. K. (1981). *Spatial Processes: Models and Applications*. Pion.
Anselin, L. (1995). Local indicators of spatial association — LISA. *Geographical
Analysis* 27, 93–115.
Ord, J. K. & Getis, A. (1995). Local spatial autocorrelation statistics: distributional
issues and an application. *Geographical Analysis* 27, 286–306.
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57,
289–300.
Rey, S. J. & Anselin, L. (2007). PySAL: a Python library of spatial analytical methods.
"""

from socmob.place.selection import index_values, latest_period, period_key
from socmob.place.spatial._shared import NOT_SIGNIFICANT, Correction, adjust_pvalues
from socmob.place.spatial.getis_ord import GetisOrd, getis_ord
from socmob.place.spatial.moran import (
    CLUSTER_LABELS,
    GlobalMoran,
    LocalMoran,
    global_moran,
    local_moran,
)
from socmob.place.spatial.weights import (
    AreaWeights,
    Contiguity,
    contiguity_weights,
    weights_from_neighbours,
)

__all__ = [
    "CLUSTER_LABELS",
    "NOT_SIGNIFICANT",
    "AreaWeights",
    "Contiguity",
    "Correction",
    "GetisOrd",
    "GlobalMoran",
    "LocalMoran",
    "adjust_pvalues",
    "contiguity_weights",
    "getis_ord",
    "global_moran",
    "index_values",
    "latest_period",
    "local_moran",
    "period_key",
    "weights_from_neighbours",
]

