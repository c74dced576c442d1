"""``socmob mobility fit``: an association model (log-linear, RC, Unidiff) on a long table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from socmob.cli._common import (
    ConfigOption,
    Engine,
    EngineOption,
    FormatOption,
    OutputFormat,
    SparkConfOption,
    SparkMasterOption,
    SparkRemoteOption,
    console,
    print_frame,
    print_json,
    split_list,
    user_errors,
)
from socmob.cli.mobility import (
    CatalogTableOption,
    ColOrderOption,
    CountOption,
    DestinationOption,
    LayerOption,
    MicrodataOption,
    OrderOption,
    OriginOption,
    RowOrderOption,
    SquareOption,
    TableArgument,
    WeightOption,
    engine_choice,
    read_cli_table,
)


def register(group: typer.Typer) -> None:
    """Add the ``fit`` command to the ``mobility`` group."""

    @group.command("fit")
    def fit_command(
        table: str | None = TableArgument,
        model: str = typer.Option(
            ..., "--model", "-m",
            help="Model: independence, quasi-independence, uniform-association, "
            "quasi-uniform-association, row-effects, column-effects, row-column-effects, "
            "rc1, quasi-rc1, symmetry, quasi-symmetry, conditional-independence, "
            "constant-fluidity, unidiff, quasi-unidiff (and more: see docs/models.md). "
            "Several, comma-separated, or 'all' (every model that applies to the table): "
            "a comparison table (G², df, p, BIC', AIC', dissimilarity) with the "
            "preferred model by BIC'.",
        ),
        origin: str = OriginOption,
        destination: str = DestinationOption,
        count: str = CountOption,
        layer: str | None = LayerOption,
        order: str | None = OrderOption,
        row_order: str | None = RowOrderOption,
        col_order: str | None = ColOrderOption,
        square: bool = SquareOption,
        microdata: bool = MicrodataOption,
        catalog_table: str | None = CatalogTableOption,
        weight: str | None = WeightOption,
        engine: Engine | None = EngineOption,
        spark_master: str | None = SparkMasterOption,
        spark_remote: str | None = SparkRemoteOption,
        spark_conf: list[str] | None = SparkConfOption,
        config: Path | None = ConfigOption,
        starts: int | None = typer.Option(
            None, "--starts",
            help="Starts for log-multiplicative models (default: one data-driven start, "
            "and 5 random ones only if it fails a convergence check).",
        ),
        seed: int = typer.Option(0, "--seed", help="Seed of the random starts."),
        max_iter: int = typer.Option(200, "--max-iter", help="Iterations per start."),
        fmt: OutputFormat = FormatOption,
    ) -> None:
        """Fit an association model by Poisson maximum likelihood (matches R gnm):
        G², df, X², BIC', AIC', dissimilarity, parameters and, for Unidiff, the layer
        effects log φ with standard errors (first layer = reference). With several
        models (or 'all'), compare them."""
        from socmob.models import compare, fit

        names = split_list(model) or []
        several = len(names) > 1 or model.strip().lower() == "all"
        with user_errors():
            mobility_table = read_cli_table(
                table, origin=origin, destination=destination, count=count, layer=layer,
                order=order, row_order=row_order, col_order=col_order, square=square,
                microdata=microdata, table=catalog_table, weight=weight,
                engine=engine_choice(engine, spark_master, spark_remote, spark_conf, config),
            )
            if several:
                comparison = compare(mobility_table, "all" if model.strip().lower() == "all"
                                     else names, n_starts=starts, seed=seed,
                                     max_iter=max_iter)
            else:
                result = fit(mobility_table, model, n_starts=starts, seed=seed,
                             max_iter=max_iter)
        if several:
            _print_comparison(comparison, fmt)
        else:
            _print_fit(result, fmt)


def _print_comparison(comparison: Any, fmt: OutputFormat) -> None:
    if fmt is OutputFormat.json:
        print_json(comparison.to_dict())
        return
    if fmt is OutputFormat.csv:
        print_frame(comparison.to_frame(), fmt)
        return
    frame = comparison.statistics().drop(columns=["converged"])
    frame["preferred"] = ["*" if v else "" for v in frame["preferred"]]
    frame = frame.rename(columns={"deviance": "G²", "p_value": "p", "bic": "BIC'",
                                  "aic": "AIC'", "dissimilarity": "dissimilarity %"})
    print_frame(frame, fmt, title=f"Model comparison, N = {comparison.nobs:g} "
                                  "(* = lowest BIC')")
    for name, why in comparison.not_fitted.items():
        console.print(f"not fitted: {name}: {why}", highlight=False)


def _print_fit(result: Any, fmt: OutputFormat) -> None:
    import pandas as pd

    if fmt is OutputFormat.json:
        print_json(result.to_dict())
        return
    if fmt is OutputFormat.csv:
        print_frame(result.to_frame(), fmt)
        return
    stats = pd.DataFrame(
        {
            "statistic": ["G²", "df", "p", "X²", "BIC'", "AIC'", "dissimilarity %", "N"],
            "value": pd.Series(
                [result.deviance, int(result.df), result.p_value, result.pearson_chi2,
                 result.bic, result.aic, result.dissimilarity, result.nobs],
                dtype=object,
            ),
        }
    )
    print_frame(stats, fmt, title=f"Model: {result.model}")
    effects = result.layer_effects
    if effects is not None:
        print_frame(effects, fmt, title="Layer effects (first layer = reference)")
    ci = result.conf_int()
    params = pd.DataFrame(
        {
            "parameter": list(result.params.index),
            "estimate": result.params.to_numpy(),
            "std.err": result.bse.to_numpy(),
            "lower 95%": ci["lower"].to_numpy(),
            "upper 95%": ci["upper"].to_numpy(),
        }
    )
    print_frame(params, fmt, title="Parameters")
    if result.note:
        console.print(f"note: {result.note}", highlight=False)
    if not result.converged:  # pragma: no cover - fit() raises instead
        console.print("[yellow]warning: the fit did not converge[/]")
