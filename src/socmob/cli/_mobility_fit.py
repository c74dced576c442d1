"""``socmob mobility fit``: an association model (log-linear, RC, Unidiff) on a long table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer

from socmob.cli._common import (
    FormatOption,
    OutputFormat,
    console,
    print_frame,
    print_json,
    user_errors,
)
from socmob.cli.mobility import (
    CountOption,
    DestinationOption,
    LayerOption,
    OrderOption,
    OriginOption,
    TableArgument,
    read_cli_table,
)


def register(group: typer.Typer) -> None:
    """Add the ``fit`` command to the ``mobility`` group."""

    @group.command("fit")
    def fit_command(
        table: Path = TableArgument,
        model: str = typer.Option(
            ..., "--model", "-m",
            help="Model: independence, quasi-independence, uniform-association, "
            "quasi-uniform-association, row-effects, column-effects, row-column-effects, "
            "rc1, quasi-rc1, symmetry, quasi-symmetry, conditional-independence, "
            "constant-fluidity, unidiff, quasi-unidiff (and more: see docs/models.md).",
        ),
        origin: str = OriginOption,
        destination: str = DestinationOption,
        count: str = CountOption,
        layer: str | None = LayerOption,
        order: str | None = OrderOption,
        starts: int | None = typer.Option(
            None, "--starts", help="Starts for log-multiplicative models (default 6)."
        ),
        seed: int = typer.Option(0, "--seed", help="Seed of the random starts."),
        max_iter: int = typer.Option(200, "--max-iter", help="Iterations per start."),
        fmt: OutputFormat = FormatOption,
    ) -> None:
        """Fit an association model by Poisson maximum likelihood (matches R gnm):
        G², df, X², BIC', AIC', dissimilarity, parameters and, for Unidiff, the layer
        effects log φ with standard errors (first layer = reference)."""
        from socmob.models import fit

        with user_errors():
            mobility_table = read_cli_table(
                table, origin=origin, destination=destination, count=count, layer=layer,
                order=order,
            )
            result = fit(mobility_table, model, n_starts=starts, seed=seed,
                         max_iter=max_iter)
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
