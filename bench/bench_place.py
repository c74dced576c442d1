"""Permutation inference for Moran's I on the SMC's 205-area map.

The SoN 2025 ci4 (Promising Prospects, 2021 to 2024) z-scores and the queen-contiguity
weights with island links are prepared once per process (untimed). Each case returns
Moran's I and its permutation p-value, so a reader can see they agree on I (the p-values
differ only by random draws).

Cases (``SOCMOB_BENCH_PERMUTATIONS`` permutations, default 99,999):

* ``socmob_global_moran`` — :func:`socmob.place.spatial.global_moran`: seeded generator,
  permutations evaluated 10,000 at a time as one sparse matrix product;
* ``esda_moran`` (baseline) — :class:`esda.Moran`, which computes one permutation per
  Python-loop iteration.

A second benchmark times the local statistics (LISA and Gi*, 9,999 permutations) that
``socmob place hotspots`` runs, against the same calls made directly on esda.

A third, ``place_analyses``, times the every-area analyses the dashboard shows
(:mod:`socmob.place.analyses`: Gi* on each index, better/worse than expected, rank
uncertainty with 10,000 runs per index) computed from cold with :func:`~socmob.place.
analyses.warm` (``analyses_warm``), and the answers for one area page once they are
computed (``analyses_cached_page``, 100 pages: each hands out copies of the cached
results). The baseline (``direct_calls``) makes the same library calls without the
analyses layer, as the dashboard's adapters did.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

from bench.harness import Benchmark

PERMUTATIONS = int(os.environ.get("SOCMOB_BENCH_PERMUTATIONS", "99999"))
LOCAL_PERMUTATIONS = 9999


def setup() -> dict[str, Any]:
    from socmob.data import boundaries, composites
    from socmob.place.spatial import contiguity_weights, index_values

    weights = contiguity_weights(boundaries())
    values = index_values(composites(edition=2025), index="ci4", period="2021 to 2024")
    return {"weights": weights, "values": values,
            "y": values.reindex(list(weights.ids)).to_numpy()}


def socmob_global_moran(state: dict[str, Any]) -> dict[str, float]:
    from socmob.place.spatial import global_moran

    res = global_moran(state["values"], state["weights"], permutations=PERMUTATIONS, seed=1)
    return {"I": round(res.I, 12), "p_sim": res.p_sim or 0.0}


def esda_moran(state: dict[str, Any]) -> dict[str, float]:
    import esda

    res = esda.Moran(state["y"], state["weights"].to_w("r"), permutations=PERMUTATIONS)
    return {"I": round(float(res.I), 12), "p_sim": float(res.p_sim)}


def socmob_local(state: dict[str, Any]) -> dict[str, int]:
    from socmob.place.spatial import getis_ord, local_moran

    lm = local_moran(state["values"], state["weights"], permutations=LOCAL_PERMUTATIONS,
                     seed=1, correction="fdr")
    g = getis_ord(state["values"], state["weights"], permutations=LOCAL_PERMUTATIONS,
                  seed=1, correction="fdr")
    return {"lisa_significant": sum(c != "not significant" for c in lm.cluster),
            "gi_significant": sum(s != "not significant" for s in g.spot)}


def esda_local(state: dict[str, Any]) -> dict[str, int]:
    import esda
    import numpy as np
    from statsmodels.stats.multitest import multipletests

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lm = esda.Moran_Local(state["y"], state["weights"].to_w("r"),
                              permutations=LOCAL_PERMUTATIONS, seed=1, n_jobs=1)
        g = esda.G_Local(state["y"] - state["y"].min() + 1, state["weights"].to_w("b"),
                         transform="B", star=True, permutations=LOCAL_PERMUTATIONS, seed=1,
                         n_jobs=1)
    p_l = multipletests(lm.p_sim, method="fdr_bh")[1]
    p_g = multipletests(g.p_sim, method="fdr_bh")[1]
    return {"lisa_significant": int(np.sum(p_l < 0.05)),
            "gi_significant": int(np.sum(p_g < 0.05))}


def analyses_warm(state: Any) -> dict[str, Any]:
    from socmob.place import analyses

    analyses.clear_cache()
    analyses.warm(2025)
    by = analyses.getis_ord_by_index()
    return {"indices": len(by), "hot_spots_ci1": by["ci1"].counts().get("hot spot", 0)}


def analyses_cached_page(state: Any) -> dict[str, Any]:
    from socmob.place import analyses

    analyses.warm(2025)  # computed in the first repeat only
    rows = 0
    for _ in range(100):
        rows += len(analyses.getis_ord_by_index()["ci1"].to_frame())
        rows += len(analyses.expected_outcomes()["ci4 on ci1"].areas)
        rows += len(analyses.smc_rank_uncertainty(progress=False).area("blackpool"))
    return {"rows": rows}


def direct_calls(state: Any) -> dict[str, Any]:
    from socmob.data import boundaries, composites
    from socmob.place.expected import expected_from_composites
    from socmob.place.smc_uncertainty import rank_uncertainty_from_composites
    from socmob.place.spatial import contiguity_weights, getis_ord, index_values

    comp = composites(edition=2025)
    weights = contiguity_weights(boundaries("areas"))
    spots = {code: getis_ord(index_values(comp, index=code), weights, permutations=999,
                             seed=20250101)
             for code in sorted(comp["index_code"].unique())}
    for outcome, predictors in (("ci4", ("ci1",)), ("ci2", ("ci1",))):
        expected_from_composites(comp, outcome=outcome, predictors=predictors)
    rank_uncertainty_from_composites(comp, runs=10_000, seed=20250101, progress=False)
    return {"indices": len(spots), "hot_spots_ci1": spots["ci1"].counts().get("hot spot", 0)}


BENCHMARKS = [
    Benchmark(
        name="place_moran_permutations",
        description=f"Global Moran's I with {PERMUTATIONS:,} permutations on 205 areas "
                    "(SoN 2025 ci4): socmob (chunked sparse products) vs esda's loop",
        cases={"socmob_global_moran": socmob_global_moran, "esda_moran": esda_moran},
        baseline="esda_moran",
        setup=setup,
        repeat=3,
        params={"permutations": PERMUTATIONS, "areas": 205, "index": "ci4 2021 to 2024"},
    ),
    Benchmark(
        name="place_local_statistics",
        description=f"LISA + Gi* with {LOCAL_PERMUTATIONS:,} permutations and FDR on 205 "
                    "areas: socmob wrappers vs direct esda calls",
        cases={"socmob_local": socmob_local, "esda_local": esda_local},
        baseline="esda_local",
        setup=setup,
        repeat=3,
        params={"permutations": LOCAL_PERMUTATIONS, "areas": 205},
    ),
    Benchmark(
        name="place_analyses",
        description="The dashboard's every-area analyses of SoN 2025 (Gi* × 4 indices, "
                    "2 expected-outcome fits, rank uncertainty 4 × 10,000 runs): from cold, "
                    "and 100 area pages' answers once cached, vs the same library calls "
                    "made directly",
        cases={"analyses_warm": analyses_warm, "analyses_cached_page": analyses_cached_page,
               "direct_calls": direct_calls},
        baseline="direct_calls",
        repeat=3,
        params={"edition": 2025, "permutations": 999, "rank_runs": 10_000, "pages": 100},
    ),
]
