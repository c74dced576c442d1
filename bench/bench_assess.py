"""Policy scenarios: the place impact on the 205 areas with 1,000 paired Monte Carlo runs,
and an income scenario on 10M synthetic parent–child pairs — each against the plain run
of the same library on the same data, in the same run.

``assess_place_205``:

* ``scenario`` — :func:`socmob.assess.place_impact` of the example "early years" scenario
  (ci1 +0.25 in bands 1–2, +0.125 in the rest of the North East): the changes resolved,
  every index replayed, and 1,000 runs of *both* baseline and scenario on the same noise,
  summarised per area (z, rank and band with intervals), overall, by nation and region,
  by driver, with the negative impacts flagged.
* ``plain_uncertainty`` — the baseline: :func:`socmob.place.uncertainty.uncertainty` on the
  same four coins (the published z with σ = √(1 − r)), 1,000 runs each: what the rank
  intervals alone cost.
* ``smc_rank_uncertainty`` — :func:`socmob.place.smc_uncertainty.rank_uncertainty_from_composites`
  with 1,000 runs (the dashboard's rank analysis), for scale.

``assess_income_10m`` (and ``…_point``, without the bootstrap):

* ``scenario`` — :func:`socmob.assess.income_impact`: £1,500 to the bottom fifth of parents,
  30% passed through, with 200 paired bootstrap replicates: parent and child ranks before
  *and* after the transfer and every measure of both worlds from one aggregation by
  bucket.
* ``plain_income`` — the baseline: :func:`socmob.income.income_mobility` on the same file
  with 200 bootstrap replicates (its point estimates, then its bootstrap scan).

The goal is a scenario within 1.5× the plain run. The 10M file is the one
``bench/bench_income.py`` uses (seeded, cached in the temporary directory).
"""

from __future__ import annotations

from typing import Any

from bench.harness import Benchmark

RUNS = 1000
SEED = 20250101
REPLICATES = 200


# --------------------------------------------------------------------------- place


def _place_setup() -> dict[str, Any]:
    from importlib import resources

    from socmob.assess import areas_model, read_scenario

    path = resources.files("socmob.assess") / "examples" / "early_years.yaml"
    model = areas_model()
    for index in model.indices:  # the baseline coins are built once per process
        model.baseline_coin(index)
    return {"scenario": read_scenario(str(path)), "model": model}


def case_place_scenario(state: dict[str, Any]) -> list[float]:
    from socmob.assess import place_impact, resolve_place

    res = place_impact(resolve_place(state["scenario"].place, state["model"]), runs=RUNS,
                       seed=SEED)
    u = res.units[res.units["index_code"] == "ci1"]
    return [round(float((u["rank_scenario_upper"] - u["rank_scenario_lower"]).mean()), 2),
            int(res.overall["rank_down"].sum()), len(res.flags)]


def case_plain_uncertainty(state: dict[str, Any]) -> list[float]:
    from socmob.place.uncertainty import UncertainInputs, uncertainty

    model = state["model"]
    widths = []
    for index in model.indices:
        se = model.se[model.indicators_of(index)].copy()
        se.index = se.index.astype(str)
        res = uncertainty(model.baseline_coin(index), UncertainInputs(se=se), runs=RUNS,
                          seed=SEED, progress=False, workers=1)
        widths.append(float((res.q95 - res.q05).mean()))
    return [round(widths[0], 2)]


def case_smc_rank_uncertainty(state: dict[str, Any]) -> list[float]:
    from socmob.data import composites
    from socmob.place.smc_uncertainty import rank_uncertainty_from_composites

    res = rank_uncertainty_from_composites(composites(edition=2025), runs=RUNS, seed=SEED,
                                           progress=False)
    t = res.table[res.table["index_code"] == "ci1"]
    return [round(float((t["q95"] - t["q05"]).mean()), 2)]


# --------------------------------------------------------------------------- income


def _income_setup() -> dict[str, Any]:
    from bench.bench_income import _setup

    return _setup(10_000_000)


def _table(state: dict[str, Any]) -> Any:
    from bench.bench_income import _connect
    from socmob.engine.readers import read_table

    return read_table(state["path"], con=_connect(state))


def _income_scenario(replicates: int) -> Any:
    from socmob.assess import parse_scenario

    return parse_scenario({"income": {"transfer": {"add": 1500}, "quintiles": [1],
                                      "pass_through": 0.3, "bootstrap": replicates,
                                      "seed": 1}}).income


def _case_income_scenario(state: dict[str, Any], replicates: int) -> list[float]:
    from socmob.assess import income_impact

    res = income_impact(_table(state), _income_scenario(replicates))
    t = res.table.set_index("measure")
    out = [round(float(t.loc["rank_slope", "baseline"]), 6),
           round(float(t.loc["rank_slope", "change"]), 6),
           round(float(t.loc["ige", "change"]), 6)]
    if replicates:
        out.append(round(float(res.replicates["rank_slope_b"].std()), 6))
    return out


def _case_plain_income(state: dict[str, Any], replicates: int) -> list[float]:
    from socmob.income import income_mobility

    res = income_mobility(_table(state), parent="parent_income", child="child_income",
                          bootstrap=replicates, seed=1, progress=False)
    out = [round(res.rank_slope, 6)]
    if replicates:
        out.append(round(float(res.bootstrap.replicates["rank_slope"].std()), 6))
    return out


BENCHMARKS = [
    Benchmark(
        name="assess_place_205",
        description="place scenario on the 205 areas, 1,000 paired runs, vs the plain "
                    "uncertainty run of the same coins",
        cases={"scenario": case_place_scenario, "plain_uncertainty": case_plain_uncertainty,
               "smc_rank_uncertainty": case_smc_rank_uncertainty},
        baseline="plain_uncertainty", setup=_place_setup, repeat=3,
        params={"areas": 205, "indices": 4, "runs": RUNS, "seed": SEED}),
    Benchmark(
        name="assess_income_10m",
        description="income scenario on 10M pairs with 200 paired bootstrap replicates, vs "
                    "income_mobility with 200 replicates",
        cases={"scenario": lambda s: _case_income_scenario(s, REPLICATES),
               "plain_income": lambda s: _case_plain_income(s, REPLICATES)},
        baseline="plain_income", setup=_income_setup, repeat=2,
        params={"rows": 10_000_000, "replicates": REPLICATES, "threads": 2}),
    Benchmark(
        name="assess_income_10m_point",
        description="income scenario on 10M pairs, point estimates only, vs income_mobility",
        cases={"scenario": lambda s: _case_income_scenario(s, 0),
               "plain_income": lambda s: _case_plain_income(s, 0)},
        baseline="plain_income", setup=_income_setup, repeat=2,
        params={"rows": 10_000_000, "replicates": 0, "threads": 2}),
]
