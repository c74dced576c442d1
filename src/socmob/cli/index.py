"""``socmob index``: build composite indices from COINr-style files, and analyse their
uncertainty and sensitivity.

Method options take a name and optional parameters after a colon (``minmax:1,100``);
alternatives for the uncertainty and sensitivity analyses are separated by ``;``
(``--normalise-set "minmax:1,100;zscore:10,2"``). The grammar and its errors are the
measure layer's (:mod:`socmob.place.composite.specs`); this module only passes the text
on. Heavy libraries are imported inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from socmob.cli._common import (
    FormatOption,
    OutputFormat,
    fail,
    print_frame,
    print_json,
    user_errors,
)

if TYPE_CHECKING:
    import pandas as pd

index_app = typer.Typer(
    help="Composite indices (COINr-style): build, uncertainty, sensitivity.",
    no_args_is_help=True,
)

DATA = typer.Option(..., "--data", help="iData CSV/XLSX (COINr layout: uCode, uName, …).")
META = typer.Option(..., "--meta", help="iMeta CSV/XLSX (COINr layout: iCode, Level, …).")
DENOM = typer.Option(True, "--denominate/--no-denominate",
                     help="Divide by the iMeta Denominator columns first.")
IMPUTE = typer.Option("mean", "--impute", help="mean, median, group_mean:GROUP, … or none.")
SCREEN = typer.Option(0.0, "--screen", help="Drop units with less than this data fraction.")
TREAT = typer.Option("winsorise_log", "--treat", help="winsorise_log, winsorise, log, none.")
WINMAX = typer.Option(5, "--winmax", help="Most points to winsorise per indicator.")
NORMALISE = typer.Option("minmax:0,100", "--normalise", help="e.g. minmax:0,100, zscore, rank.")
AGGREGATE = typer.Option("amean", "--aggregate", help="amean, gmean[:offset], hmean, genmean:p, "
                                                     "copeland.")


def _spec(denominate: bool, impute: str, screen: float, treat: str, winmax: int,
          normalise: str, aggregate: str) -> Any:
    from socmob.place.composite.specs import CoinSpec

    return CoinSpec.parse(denominate=denominate, impute=impute, screen=screen, treat=treat,
                          winmax=winmax, normalise=normalise, aggregate=aggregate)


def _build(data: Path, meta: Path, denominate: bool, impute: str, screen: float, treat: str,
           winmax: int, normalise: str, aggregate: str) -> Any:
    from socmob.place.composite import read_coin

    spec = _spec(denominate, impute, screen, treat, winmax, normalise, aggregate)
    return spec.build(read_coin(data, meta))


def _write(frame: pd.DataFrame, out: Path | None) -> None:
    if out is not None:
        from socmob.results import export_frame

        export_frame(frame, out)


def register(app: typer.Typer) -> None:
    """Add the ``index`` group and its commands to ``app``."""

    @index_app.command("build")
    def build_command(
        data: Path = DATA,
        meta: Path = META,
        denominate: bool = DENOM,
        impute: str = IMPUTE,
        screen: float = SCREEN,
        treat: str = TREAT,
        winmax: int = WINMAX,
        normalise: str = NORMALISE,
        aggregate: str = AGGREGATE,
        level: int | None = typer.Option(None, "--level",
                                         help="Show one level (default: all aggregates)."),
        out: Path | None = typer.Option(None, "--out",
                                        help="Write tidy results (.csv, .parquet, .json)."),
        fmt: OutputFormat = FormatOption,
    ) -> None:
        """Build a composite index step by step (COINr-style) and show scores and ranks."""
        with user_errors():
            coin = _build(data, meta, denominate, impute, screen, treat, winmax, normalise,
                          aggregate)
            result = coin.results()
            table = result.table(level=level)
            _write(result.to_frame(), out)
        if fmt is OutputFormat.json:
            print_json({"results": table, "log": [s.to_dict() for s in coin.log]})
        else:
            print_frame(table, fmt, title=f"Composite index {result.index}")

    def _inputs(winmax_set: str | None, normalise_set: str | None, aggregate_set: str | None,
                impute_set: str | None, weight_noise: float, noise_levels: str,
                se: Path | None, ci: tuple[Path | None, Path | None, float] = (None, None, 0.95)
                ) -> Any:
        from socmob.place.composite import read_table
        from socmob.place.composite.specs import (
            parse_aggregate,
            parse_alternatives,
            parse_impute,
            parse_normalise,
            parse_numbers,
            parse_weight_noise,
        )
        from socmob.place.uncertainty import UncertainInputs

        wm = ([int(v) for v in parse_numbers(winmax_set, option="--winmax-set",
                                             integer=True)] if winmax_set else [])
        noise = parse_weight_noise(weight_noise, noise_levels)

        def by_unit(path: Path, option: str) -> pd.DataFrame:
            frame = read_table(path)
            if "uCode" not in frame.columns:
                fail(f"{option} {path}: expected a uCode column and one column per indicator")
            return frame.set_index("uCode")

        se_frame = None
        lci, uci, level = ci
        if not 0 < level < 1:
            fail(f"--ci-level {level} is not between 0 and 1 (e.g. 0.95)")
        if se is not None and (lci is not None or uci is not None):
            fail("give either --se or --lci/--uci, not both")
        if se is not None:
            se_frame = by_unit(se, "--se")
        elif lci is not None or uci is not None:
            if lci is None or uci is None:
                fail("--lci and --uci go together")
            from socmob.place.uncertainty import se_from_ci

            low, high = by_unit(lci, "--lci"), by_unit(uci, "--uci")
            if not (low.index.equals(high.index) and low.columns.equals(high.columns)):
                fail("--lci and --uci must have the same units and indicators")
            se_frame = se_from_ci(low, high, alpha=1 - level)
        return UncertainInputs(
            impute=parse_alternatives(impute_set, parse_impute, option="--impute-set"),
            winmax=wm,
            normalise=parse_alternatives(normalise_set, parse_normalise,
                                         option="--normalise-set"),
            aggregate=parse_alternatives(aggregate_set, parse_aggregate,
                                         option="--aggregate-set"),
            weight_noise=noise, se=se_frame)

    WM_SET = typer.Option(None, "--winmax-set", help='Alternative winmax values, e.g. "1,2,3".')
    N_SET = typer.Option(None, "--normalise-set", help='e.g. "minmax:1,100;zscore:10,2".')
    A_SET = typer.Option(None, "--aggregate-set", help='e.g. "amean;gmean".')
    I_SET = typer.Option(None, "--impute-set", help='e.g. "mean;median".')
    W_NOISE = typer.Option(0.0, "--weight-noise", help="± fraction of weight noise (0 = none).")
    N_LEVELS = typer.Option("2,3", "--noise-levels", help="Levels whose weights get noise.")
    SE = typer.Option(None, "--se", help="Standard errors of the raw indicators (uCode + one "
                                         "column per indicator) for sampling error.")
    LCI = typer.Option(None, "--lci", help="Lower confidence limits (layout as --se).")
    UCI = typer.Option(None, "--uci", help="Upper confidence limits (layout as --se).")
    CI_LEVEL = typer.Option(0.95, "--ci-level", help="Level of --lci/--uci.")
    SEED = typer.Option(None, "--seed", help="Random seed (reproducible runs).")
    BANDS = typer.Option("-1.5,-1,-0.5,0.5,1,1.5", "--bands",
                         help="Cut points on re-standardised z for band probabilities.")

    @index_app.command("uncertainty")
    def uncertainty_command(
        data: Path = DATA,
        meta: Path = META,
        denominate: bool = DENOM,
        impute: str = IMPUTE,
        screen: float = SCREEN,
        treat: str = TREAT,
        winmax: int = WINMAX,
        normalise: str = NORMALISE,
        aggregate: str = AGGREGATE,
        runs: int = typer.Option(1000, "--runs", help="Monte Carlo runs."),
        seed: int | None = SEED,
        winmax_set: str | None = WM_SET,
        normalise_set: str | None = N_SET,
        aggregate_set: str | None = A_SET,
        impute_set: str | None = I_SET,
        weight_noise: float = W_NOISE,
        noise_levels: str = N_LEVELS,
        se: Path | None = SE,
        lci: Path | None = LCI,
        uci: Path | None = UCI,
        ci_level: float = CI_LEVEL,
        bands: str = BANDS,
        progress: bool = typer.Option(True, "--progress/--no-progress"),
        out: Path | None = typer.Option(None, "--out", help="Write the tidy table."),
        fmt: OutputFormat = FormatOption,
    ) -> None:
        """Monte Carlo: median rank, 5–95% rank interval and band probabilities per unit."""
        from socmob.place.composite.specs import parse_numbers
        from socmob.place.uncertainty import uncertainty

        with user_errors():
            cuts = parse_numbers(bands, option="--bands")
            coin = _build(data, meta, denominate, impute, screen, treat, winmax, normalise,
                          aggregate)
            inputs = _inputs(winmax_set, normalise_set, aggregate_set, impute_set,
                             weight_noise, noise_levels, se, (lci, uci, ci_level))
            result = uncertainty(coin, inputs, runs=runs, seed=seed, bands=cuts,
                                 progress=progress)
            table = result.table()
            _write(result.to_frame(), out)
        if fmt is OutputFormat.json:
            print_json({"runs": result.runs, "seed": seed, "varied": list(result.varied),
                        "units": table})
        else:
            print_frame(table, fmt, title=f"Rank uncertainty of {result.code} "
                                          f"({result.runs} runs)")

    @index_app.command("sensitivity")
    def sensitivity_command(
        data: Path = DATA,
        meta: Path = META,
        denominate: bool = DENOM,
        impute: str = IMPUTE,
        screen: float = SCREEN,
        treat: str = TREAT,
        winmax: int = WINMAX,
        normalise: str = NORMALISE,
        aggregate: str = AGGREGATE,
        n: int = typer.Option(256, "--n", help="Base sample size N (runs = N (k + 2))."),
        seed: int | None = SEED,
        winmax_set: str | None = WM_SET,
        normalise_set: str | None = N_SET,
        aggregate_set: str | None = A_SET,
        impute_set: str | None = I_SET,
        weight_noise: float = W_NOISE,
        noise_levels: str = N_LEVELS,
        se: Path | None = SE,
        lci: Path | None = LCI,
        uci: Path | None = UCI,
        ci_level: float = CI_LEVEL,
        bootstrap: int = typer.Option(1000, "--bootstrap", help="Bootstrap resamples for CIs."),
        progress: bool = typer.Option(True, "--progress/--no-progress"),
        out: Path | None = typer.Option(None, "--out", help="Write the indices table."),
        fmt: OutputFormat = FormatOption,
    ) -> None:
        """Sobol indices (first-order, total) of the mean absolute rank shift per input."""
        from socmob.place.sensitivity import composite_sensitivity

        with user_errors():
            coin = _build(data, meta, denominate, impute, screen, treat, winmax, normalise,
                          aggregate)
            inputs = _inputs(winmax_set, normalise_set, aggregate_set, impute_set,
                             weight_noise, noise_levels, se, (lci, uci, ci_level))
            result = composite_sensitivity(coin, inputs, N=n, seed=seed, bootstrap=bootstrap,
                                           progress=progress)
            _write(result.to_frame(), out)
            table = result.indices.table()
        if fmt is OutputFormat.json:
            print_json({"N": n, "runs": result.runs, "seed": seed, "indices": table})
        else:
            print_frame(table, fmt, title=f"Sobol indices ({result.runs} runs)")

    app.add_typer(index_app, name="index")
