"""``socmob mobility describe``: absolute and relative measures of a long mobility table."""

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
    print_frame,
    print_json,
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
    """Add the ``describe`` command to the ``mobility`` group."""

    @group.command("describe")
    def describe_command(
        table: str | None = TableArgument,
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
        confidence: float = typer.Option(0.95, "--confidence", help="Interval level."),
        zero_correction: float = typer.Option(
            0.0,
            "--zero-correction",
            help="Add this to the cells of odds ratios with a zero cell (0 = report them as "
            "missing; 0.5 = Haldane–Anscombe).",
        ),
        fmt: OutputFormat = FormatOption,
    ) -> None:
        """Absolute rates, outflow and inflow percentages, odds ratios and the Altham
        index of a mobility table, per layer and pooled."""
        from socmob.tables import describe

        with user_errors():
            mobility_table = read_cli_table(
                table, origin=origin, destination=destination, count=count, layer=layer,
                order=order, row_order=row_order, col_order=col_order, square=square,
                microdata=microdata, table=catalog_table, weight=weight,
                engine=engine_choice(engine, spark_master, spark_remote, spark_conf, config),
            )
            result = describe(
                mobility_table, alpha=1 - confidence, zero_correction=zero_correction
            )
        if fmt is OutputFormat.json:
            print_json(result.to_dict())
            return
        if fmt is OutputFormat.csv:
            print_frame(result.to_frame(), fmt)
            return
        _print_tables(result)


def _print_tables(result: Any) -> None:
    import pandas as pd

    from socmob.tables import MobilityDescription

    assert isinstance(result, MobilityDescription)
    t = result.table
    fmt = OutputFormat.table
    if result.absolute is not None:
        a = result.absolute
        n = a.n.astype("int64") if (a.n == a.n.round()).all() else a.n
        wide = pd.DataFrame({"group": list(a.groups), "n": n})
        for measure in (
            "immobility",
            "upward",
            "downward",
            "long_range_upward",
            "long_range_downward",
            "structural",
        ):
            wide[measure.replace("_", " ")] = 100 * a.rates[measure]
        print_frame(wide, fmt, title=f"Absolute mobility (%), N = {t.total:g}")
    else:
        print_frame(pd.DataFrame({"note": ["table is not square: no upward/downward rates"]}), fmt)
    groups = result.outflow.groups
    for kind, pct in (("Outflow (row %)", result.outflow), ("Inflow (column %)", result.inflow)):
        for group in groups:
            frame = pct.matrix(group).reset_index(names=t.origin_name)
            suffix = f" — {t.layer_name or 'layer'} {group}" if len(groups) > 1 else ""
            print_frame(frame, fmt, title=f"{kind}{suffix}")
    corner = result.corner_odds_ratio
    ci = corner.conf_int(corner.alpha)
    summary = pd.DataFrame(
        {
            "group": list(groups),
            "corner odds ratio": corner.odds_ratio[:, 0, 0],
            "lci": ci["lower"].to_numpy(),
            "uci": ci["upper"].to_numpy(),
            "altham index": result.altham.value,
        }
    )
    print_frame(summary, fmt, title="Relative mobility")
