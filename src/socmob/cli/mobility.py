"""``socmob mobility``: mobility tables (describe) and association models (fit)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from socmob.cli._common import split_list

if TYPE_CHECKING:
    from socmob.tables import MobilityTable

mobility_app = typer.Typer(
    help="Origin-destination mobility tables: absolute and relative measures, model fits.",
    no_args_is_help=True,
)

TableArgument = typer.Argument(
    ..., help="Long table (CSV, Parquet or XLSX): one row per origin × destination cell."
)
OriginOption = typer.Option("origin", "--origin", help="Origin (parent class) column.")
DestinationOption = typer.Option(
    "destination", "--destination", help="Destination (own class) column."
)
CountOption = typer.Option("count", "--count", help="Count column.")
LayerOption = typer.Option(None, "--layer", help="Layer column (default: 'layer' when present).")
OrderOption = typer.Option(
    None,
    "--order",
    help='Class order, top first, when origin and destination are the same classes: "A,B,C" '
    "(both axes; declares the table square).",
)
RowOrderOption = typer.Option(
    None,
    "--row-order",
    help='Origin (row) categories in order: "A,B,C" (default: order of first appearance).',
)
ColOrderOption = typer.Option(
    None,
    "--col-order",
    help='Destination (column) categories in order: "X,Y,Z" (default: order of first '
    "appearance).",
)
SquareOption = typer.Option(
    False,
    "--square",
    help="Origin and destination are the same classes: make the table square, a class "
    "missing on one side becoming a row or column of zeros (default: each side keeps "
    "its own categories).",
)


def read_cli_table(
    path: Path, *, origin: str, destination: str, count: str, layer: str | None,
    order: str | None, row_order: str | None = None, col_order: str | None = None,
    square: bool = False,
) -> MobilityTable:
    """Read the long table a ``mobility`` command was given (orders as "A,B,C")."""
    from socmob.tables import read_long_table

    return read_long_table(
        path, origin=origin, destination=destination, count=count, layer=layer,
        order=split_list(order), row_order=split_list(row_order),
        col_order=split_list(col_order), square=square,
    )


_PARTS = ("socmob.cli._mobility_describe", "socmob.cli._mobility_fit")


def register(app: typer.Typer) -> None:
    """Add the ``mobility`` group and its commands to ``app``."""
    for name in _PARTS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(mobility_app)
    app.add_typer(mobility_app, name="mobility")
