"""``socmob place``: spatial hot/cold spots, better or worse than expected, peers, trends.

Each command runs one analysis of the embedded SoN 2025 composites (and the 205-area
map) — through :mod:`socmob.place.analyses` where the dashboard shows the same analysis,
so that both give the same numbers for the same options — and prints its result as a
table, CSV or JSON. The option defaults are socmob's analysis choices
(:mod:`socmob.place.defaults`).
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any

import typer

from socmob.cli._common import (
    FormatOption,
    OutputFormat,
    console,
    err_console,
    fail,
    print_frame,
    split_list,
    user_errors,
)
from socmob.place.defaults import (
    ALPHA,
    CONTIGUITY,
    EDITION,
    EXPECTED_MODELS,
    ISLAND_K,
    PERMUTATIONS,
    RANK_RUNS,
    SEED,
)

if TYPE_CHECKING:
    import pandas as pd

    from socmob.results import ByGroup

place_app = typer.Typer(
    help="Place analytics on the SMC's 205-area map: hot/cold spots, Moran's I, better or "
         "worse than expected, peers and trends.",
    no_args_is_help=True,
)


class Correction(StrEnum):
    """Multiple-testing corrections."""

    none = "none"
    bonferroni = "bonferroni"
    fdr = "fdr"


class Method(StrEnum):
    """Local statistics for hot/cold spots."""

    lisa = "lisa"
    gi = "gi"


class ContiguityKind(StrEnum):
    """Polygon contiguity rules."""

    queen = "queen"
    rook = "rook"


class Metric(StrEnum):
    """Peer distance metrics."""

    standardised = "standardised"
    mahalanobis = "mahalanobis"
    euclidean = "euclidean"


# --------------------------------------------------------------------------------------
# Data (loaded once per process)
# --------------------------------------------------------------------------------------

@cache
def _composites() -> pd.DataFrame:
    from socmob.data import composites

    return composites(edition=EDITION)


def _weights(kind: str, island_k: int) -> Any:
    from socmob.place.analyses import area_weights

    return area_weights(EDITION, contiguity=kind, island_k=island_k)  # type: ignore[arg-type]


def _one(by: ByGroup[Any]) -> Any:
    """The one result of a by-index or by-model answer asked for one group (or the
    reason it could not be estimated, as a one-line error)."""
    for group, reason in by.not_estimated.items():
        fail(f"{group}: {reason}")
    return next(iter(by.values()))


def _not_estimated(by: ByGroup[Any]) -> dict[str, str]:
    """Say on stderr which groups have no result and why; fail when none has one."""
    if not len(by):
        fail("; ".join(f"{g}: {r}" for g, r in by.not_estimated.items()))
    for group, reason in by.not_estimated.items():
        err_console.print(f"note: {group} not estimated: {reason}", highlight=False,
                          soft_wrap=True)
    return dict(by.not_estimated)


def _area_id(query: str) -> str:
    from socmob.place.areas import lookup

    return lookup(query, edition=EDITION).id


def _items(text: str) -> list[str]:
    return split_list(text) or []


def _narrow(frame: pd.DataFrame, fmt: OutputFormat, columns: list[str]) -> pd.DataFrame:
    """The columns to show in a terminal table (CSV and JSON keep every column)."""
    return frame[columns] if fmt is OutputFormat.table else frame


_CLUSTER_ORDER = ["hotspot (high-high)", "coldspot (low-low)", "high-low outlier",
                  "low-high outlier", "hot spot", "cold spot", "not significant"]


def _round(frame: pd.DataFrame, digits: int = 6) -> pd.DataFrame:
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(digits)
    return out


# --------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------

def hotspots(
    index: str = typer.Option("ci1", "--index", "-i", help="Index code: ci1, ci2, ci3 or ci4."),
    period: str | None = typer.Option(None, "--period", "-p",
                                      help='Period, e.g. "2018 to 2024" (default: latest).'),
    method: Method = typer.Option(Method.lisa, "--method",
                                  help="lisa (local Moran clusters) or gi (Getis–Ord Gi*)."),
    permutations: int = typer.Option(PERMUTATIONS, "--permutations", min=0,
                                     help="Random permutations for the pseudo p-values."),
    seed: int = typer.Option(SEED, "--seed", help="Seed of the permutations."),
    correction: Correction = typer.Option(Correction.none, "--correction",
                                          help="Multiple testing: none, bonferroni or fdr."),
    alpha: float = typer.Option(ALPHA, "--alpha", help="Significance level."),
    contiguity: ContiguityKind = typer.Option(ContiguityKind(CONTIGUITY), "--contiguity"),
    island_k: int = typer.Option(ISLAND_K, "--island-k", min=1,
                                 help="Nearest areas each island is linked to."),
    significant: bool = typer.Option(False, "--significant",
                                     help="List only areas in a significant cluster."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Hot and cold spots: clusters of favourable (high-high) and unfavourable (low-low)
    areas, and outliers, with permutation p-values."""
    import pandas as pd

    from socmob.place import analyses

    with user_errors():
        weights = _weights(contiguity.value, island_k)
        run_by_index = (analyses.local_moran_by_index if method is Method.lisa
                        else analyses.getis_ord_by_index)
        result = _one(run_by_index(
            EDITION, indices=[index], period=period, permutations=permutations, seed=seed,
            correction=correction.value, alpha=alpha,  # type: ignore[arg-type]
            contiguity=contiguity.value, island_k=island_k))  # type: ignore[arg-type]
        if method is Method.lisa:
            lm = result
            frame = pd.DataFrame({
                "area_id": list(lm.ids), "area_code": list(lm.codes or lm.ids),
                "area_name": list(lm.names), "z": lm.values, "spatial_lag": lm.lag,
                "local_i": lm.Is, "p_sim": lm.p_sim, "p_adjusted": lm.p_adjusted,
                "cluster": list(lm.cluster),
            })
            label, counts = "cluster", lm.counts()
        else:
            g = result
            frame = pd.DataFrame({
                "area_id": list(g.ids), "area_code": list(g.codes or g.ids),
                "area_name": list(g.names), "z": g.values, "gi_star_z": g.z,
                "p_norm": g.p_norm, "p_sim": g.p_sim, "p_adjusted": g.p_adjusted,
                "spot": list(g.spot),
            })
            label, counts = "spot", g.counts()
    order = frame[label].map({k: i for i, k in enumerate(_CLUSTER_ORDER)})
    frame = (frame.assign(_order=order)
             .sort_values(["_order", "z"], ascending=[True, False], kind="stable")
             .drop(columns="_order"))
    if significant:
        frame = frame[frame[label] != "not significant"]
    frame = _round(frame)
    meta = {"index": result.index, "period": result.period,
            "method": method.value, "contiguity": contiguity.value,
            "permutations": permutations, "seed": seed, "correction": correction.value,
            "alpha": alpha, "islands": list(weights.island_names), "counts": counts}
    title = (f"{'Local Moran clusters' if method is Method.lisa else 'Getis–Ord Gi*'} — "
             f"{meta['index']} {meta['period']} ("
             + ", ".join(f"{k}: {v}" for k, v in counts.items()) + ")")
    shown = _narrow(frame, fmt, ["area_name", "z", "spatial_lag" if label == "cluster"
                                 else "gi_star_z", "p_adjusted", label])
    print_frame(shown, fmt, title=title, json_obj={**meta, "areas": frame})


def moran(
    index: str = typer.Option("ci1,ci2,ci3,ci4", "--index", "-i",
                              help="Index code(s), comma-separated."),
    period: str | None = typer.Option(None, "--period", "-p",
                                      help="Period (default: each index's latest)."),
    permutations: int = typer.Option(PERMUTATIONS, "--permutations", min=0),
    seed: int = typer.Option(SEED, "--seed"),
    contiguity: ContiguityKind = typer.Option(ContiguityKind(CONTIGUITY), "--contiguity"),
    island_k: int = typer.Option(ISLAND_K, "--island-k", min=1),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Global Moran's I: how strongly similar values cluster on the map."""
    import pandas as pd

    from socmob.place.analyses import global_moran_by_index

    if not _items(index):
        fail("no index given (expected e.g. --index ci1)")
    with user_errors():
        by = global_moran_by_index(EDITION, indices=_items(index), period=period,
                                   permutations=permutations, seed=seed,
                                   contiguity=contiguity.value,  # type: ignore[arg-type]
                                   island_k=island_k)
    _not_estimated(by)
    rows = [{"index": res.index, "period": res.period, "n": res.n, "moran_i": res.I,
             "expected": res.expected, "z_norm": res.z_norm, "p_norm": res.p_norm,
             "p_sim": res.p_sim, "permutations": res.permutations, "seed": res.seed}
            for res in by.values()]
    frame = _round(pd.DataFrame(rows))
    print_frame(frame, fmt, title=f"Global Moran's I ({contiguity.value} contiguity, "
                                  f"row-standardised; islands linked to nearest areas)")


def expected(
    outcome: str = typer.Option(EXPECTED_MODELS[0][0], "--outcome", help="Outcome index."),
    predictors: str = typer.Option(",".join(EXPECTED_MODELS[0][1]), "--predictors",
                                   help="Condition indices, comma-separated."),
    period: str | None = typer.Option(None, "--period", "-p",
                                      help="Outcome period (default: latest)."),
    alpha: float = typer.Option(ALPHA, "--alpha", help="1 − level of the intervals."),
    correction: Correction = typer.Option(Correction.none, "--correction"),
    notable: bool = typer.Option(False, "--notable",
                                 help="List only areas better or worse than expected."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Better or worse than expected: each area's outcome against the prediction from its
    conditions (OLS, leave-one-out prediction intervals)."""
    from socmob.place.analyses import expected_outcomes
    from socmob.place.expected import AS_EXPECTED
    from socmob.results import jsonable

    with user_errors():
        fit = _one(expected_outcomes(
            EDITION, models=[(outcome, _items(predictors))], period=period, alpha=alpha,
            correction=correction.value,  # type: ignore[arg-type]
        ))
    a = fit.areas
    frame = a[["area_id", "area_code", "area_name", "observed", "expected_loo", "pi_lower",
               "pi_upper", "residual", "studentised_residual", "p_value", "verdict"]]
    frame = frame.sort_values("studentised_residual", ascending=False, kind="stable")
    if notable:
        frame = frame[frame["verdict"] != AS_EXPECTED]
    frame = _round(frame)
    ci = fit.conf_int(alpha)
    model = {"outcome": fit.outcome, "predictors": list(fit.predictors),
             "periods": dict(fit.periods), "nobs": fit.nobs, "df_resid": fit.df_resid,
             "rsquared": fit.rsquared, "aic": fit.aic, "bic": fit.bic,
             "params": fit.params.to_dict(), "bse": fit.bse.to_dict(),
             "conf_int": {k: [ci.loc[k, "lower"], ci.loc[k, "upper"]] for k in ci.index},
             "alpha": alpha, "correction": correction.value, "verdicts": fit.verdicts(),
             "dropped": list(fit.dropped)}
    if fmt is OutputFormat.table:
        console.print(fit.summary().split("verdicts")[0].rstrip(), highlight=False)
    shown = _narrow(frame, fmt, ["area_name", "observed", "expected_loo", "pi_lower",
                                 "pi_upper", "verdict"])
    print_frame(shown, fmt, title="Better or worse than expected ("
                + ", ".join(f"{k}: {v}" for k, v in fit.verdicts().items()) + ")",
                json_obj={"model": jsonable(model), "areas": frame})


def peers(
    area: str = typer.Argument(..., help="Area name, GSS code or id, e.g. Bradford."),
    k: int = typer.Option(15, "--k", "-k", min=1, help="Number of peers."),
    on: str = typer.Option("ci1,ci2,ci3", "--on",
                           help="Indices that define similarity, comma-separated."),
    compare: str = typer.Option("ci1,ci2,ci3,ci4", "--compare",
                                help="Indices to compare the area with its peers on."),
    period: str | None = typer.Option(None, "--period", "-p",
                                      help="Period of the indices (default: latest)."),
    metric: Metric = typer.Option(Metric.standardised, "--metric"),
    fmt: OutputFormat = FormatOption,
) -> None:
    """The areas most like AREA on chosen indices, and how AREA compares with them."""
    from socmob.place.peers import peers_from_composites

    with user_errors():
        area_id = _area_id(area)
        res = peers_from_composites(
            _composites(), area_id, on=_items(on), compare=_items(compare), period=period,
            k=k, metric=metric.value,  # type: ignore[arg-type]
        )
    p = res.peers
    members = p.peers
    members = _round(members[["rank", "area_id", "area_code", "area_name", "distance"]])
    comparison = _round(res.table.copy())
    comparison.insert(0, "area_name", p.area_name)
    meta = {"area_id": p.area_id, "area_name": p.area_name, "area_code": p.area_code,
            "on": list(p.on), "periods": dict(p.periods), "metric": p.metric, "k": p.k}
    if fmt is OutputFormat.table:
        print_frame(members[["rank", "area_name", "distance"]], fmt,
                    title=f"{p.k} nearest peers of {p.area_name} on {', '.join(p.on)} "
                          f"({p.metric} distance)")
        print_frame(comparison.drop(columns=["area_name", "difference"]), fmt,
                    title=f"{p.area_name} compared with its peers "
                                           "(rank 1 = highest z of the group)")
    elif fmt is OutputFormat.csv:
        comparison["peers"] = "; ".join(p.peers["area_name"])
        print_frame(comparison, fmt)
    else:
        print_frame(comparison, fmt, json_obj={**meta, "peers": members,
                                               "comparison": comparison})


def trends_command(
    area: str | None = typer.Argument(None, help="Area name, GSS code or id."),
    all_areas: bool = typer.Option(False, "--all", help="Every area."),
    index: str | None = typer.Option(None, "--index", "-i",
                                     help="Index code(s), comma-separated (default all)."),
    period_from: str | None = typer.Option(None, "--from", help="Compare from this period."),
    period_to: str | None = typer.Option(None, "--to", help="… to this period."),
    level: float = typer.Option(0.95, "--level", help="Level of the reliable-change rule."),
    jumps: int | None = typer.Option(None, "--jumps", min=1,
                                     help="Only rows whose band moved by at least this many."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Change between periods in z and band, flagged where it is within the noise."""
    from socmob.place.trends import trends

    if (area is None) == (not all_areas):
        fail("give an AREA or --all (not both)")
    if not 0 < level < 1:
        fail(f"--level {level} is not between 0 and 1 (e.g. 0.95)")
    with user_errors():
        area_id = _area_id(area) if area is not None else None
        res = trends(_composites(), index=split_list(index), area=area_id,
                     period_from=period_from, period_to=period_to, alpha=1 - level)
    table = res.jumps(jumps) if jumps else res.table
    frame = _round(table[["index", "area_id", "area_code", "area_name", "period_from",
                          "period_to", "z_from", "z_to", "change", "band_from", "band_to",
                          "band_change", "critical", "rci", "verdict"]])
    shown = _narrow(frame, fmt, ([] if area_id else ["area_name"])
                    + ["index", "period_from", "period_to", "z_from", "z_to", "change",
                       "band_from", "band_to", "verdict"])
    noise = _round(res.noise)
    if fmt is OutputFormat.table:
        print_frame(noise, fmt, title="Noise scale per index and pair of periods "
                    "(SE_diff = √((s₁² + s₂²)(1 − r)); critical = z·SE_diff)")
    title = (f"Trends for {frame['area_name'].iloc[0]}" if area_id and len(frame)
             else "Trends")
    print_frame(shown, fmt, title=title, json_obj={"level": level, "noise": noise,
                                                   "changes": frame})


def uncertainty_command(
    area: str = typer.Argument(..., help="Area name, GSS code or id, e.g. Blackpool."),
    runs: int = typer.Option(RANK_RUNS, "--runs", min=1, help="Monte Carlo runs."),
    seed: int = typer.Option(SEED, "--seed", help="Seed of the Monte Carlo draws."),
    index: str | None = typer.Option(None, "--index", "-i",
                                     help="Index code(s), comma-separated (default all)."),
    period: str | None = typer.Option(None, "--period", "-p",
                                      help="Period (default: each index's latest)."),
    sigma: float | None = typer.Option(None, "--sigma", min=0.0,
                                       help="Noise SD on the z scale for every index "
                                            "(default: √(1 − r) per index)."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Rank on each index with its 90% interval, and the probability of each band, for
    AREA (Monte Carlo with noise σ = √(1 − r) from the index's period-to-period
    correlation; conservative)."""
    import sys

    from socmob.place.analyses import smc_rank_uncertainty

    with user_errors():
        area_id = _area_id(area)
        res = smc_rank_uncertainty(
            EDITION, runs=runs, seed=seed, sigma=sigma, indices=split_list(index),
            period=period, progress=fmt is OutputFormat.table and sys.stderr.isatty())
    rows = res.area(area_id)
    frame = _round(rows[["index_code", "index_title", "area_id", "area_code", "area_name",
                         "period", "z", "published_rank", "median_rank", "q05", "q95",
                         "published_band", "published_band_label", "p_published_band",
                         "p_band_1", "p_band_2", "p_band_3", "p_band_4", "p_band_5",
                         "p_band_6", "p_band_7", "reliability", "sigma"]])
    noise = _round(res.noise)
    name = str(frame["area_name"].iloc[0]) if len(frame) else area
    frame["published_rank"] = frame["published_rank"].astype("Int64")
    if fmt is OutputFormat.table:
        print_frame(noise[["index_code", "period", "reliability_period", "reliability",
                           "sigma"]].rename(columns={"index_code": "index",
                                                     "reliability_period": "r between",
                                                     "reliability": "r", "sigma": "σ"}),
                    fmt, title=f"Noise per index ({runs} runs, seed {seed}; σ = √(1 − r) is "
                               "an upper bound, so the intervals are conservative)")
        print_frame(frame[["index_code", "period", "z", "published_rank", "median_rank",
                           "q05", "q95"]].rename(columns={
                               "index_code": "index", "published_rank": "rank",
                               "median_rank": "median", "q05": "5%", "q95": "95%"}), fmt,
                    title=f"{name}: rank (1 = most favourable) with its 90% interval")
        bands = {f"p_band_{k}": f"P{k}" for k in range(1, 8)}
        print_frame(frame[["index_code", "published_band", "p_published_band",
                           *bands]].rename(columns={"index_code": "index",
                                                    "published_band": "band",
                                                    "p_published_band": "P(band)",
                                                    **bands}), fmt,
                    title=f"{name}: probability of each band (P1 = Least Favourable … "
                          "P7 = Most Favourable)")
        return
    print_frame(frame, fmt, json_obj={"area_id": area_id, "area_name": name, "runs": runs,
                                      "seed": seed, "noise": noise, "areas": frame})


def weights_command(
    contiguity: ContiguityKind = typer.Option(ContiguityKind(CONTIGUITY), "--contiguity"),
    island_k: int = typer.Option(ISLAND_K, "--island-k", min=1),
    fmt: OutputFormat = FormatOption,
) -> None:
    """The neighbour links of the 205-area map, with the islands and their links."""
    with user_errors():
        w = _weights(contiguity.value, island_k)
    if fmt is OutputFormat.table:
        console.print(w.summary(), highlight=False)
        return
    frame = w.links()
    print_frame(frame, fmt, json_obj={"contiguity": w.kind, "areas": w.n,
                                      "islands": list(w.island_names),
                                      "island_links": {w.names[a]: [w.names[b] for b in v]
                                                       for a, v in w.island_links.items()},
                                      "links": frame})


def register(app: typer.Typer) -> None:
    """Add the ``place`` group and its commands to ``app``."""
    place_app.command("hotspots")(hotspots)
    place_app.command("moran")(moran)
    place_app.command("expected")(expected)
    place_app.command("peers")(peers)
    place_app.command("trends")(trends_command)
    place_app.command("weights")(weights_command)
    place_app.command("uncertainty")(uncertainty_command)
    app.add_typer(place_app, name="place")
