"""``socmob mobility``: mobility tables (describe) and association models (fit)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from socmob.cli._common import split_list

if TYPE_CHECKING:
    from socmob.cli._common import Engine
    from socmob.tables import MobilityTable

mobility_app = typer.Typer(
    help="Origin-destination mobility tables: absolute and relative measures, model fits.",
    no_args_is_help=True,
)

TableArgument = typer.Argument(
    None, metavar="FILE",
    help="Long table (CSV, Parquet or XLSX): one row per origin × destination cell; "
    "with --microdata, one row per person (on --engine spark also a directory or cluster "
    "storage: hdfs://…, s3a://…).", show_default=False,
)
MicrodataOption = typer.Option(
    False, "--microdata",
    help="The file holds one row per person (origin and destination columns, optional "
    "--weight and --layer): the engine cross-tabulates it, only the cells come back.",
)
CatalogTableOption = typer.Option(
    None, "--table", help="Microdata in a table of the engine's catalogue "
    "(DATABASE.TABLE) instead of a file (implies --microdata).", show_default=False)
WeightOption = typer.Option(None, "--weight",
                            help="With --microdata: survey weight column (default: count "
                            "people).", show_default=False)
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


@dataclass(frozen=True)
class EngineChoice:
    """The engine options of a ``mobility`` command, used with ``--microdata``."""

    engine: Engine | None = None
    spark_master: str | None = None
    spark_remote: str | None = None
    spark_conf: list[str] | None = None
    config: Path | None = None

    @property
    def given(self) -> bool:
        return any(v is not None for v in (self.engine, self.spark_master, self.spark_remote,
                                            self.spark_conf, self.config))


def read_cli_table(
    path: Path | str | None, *, origin: str, destination: str, count: str, layer: str | None,
    order: str | None, row_order: str | None = None, col_order: str | None = None,
    square: bool = False, microdata: bool = False, table: str | None = None,
    weight: str | None = None, engine: EngineChoice | None = None,
) -> MobilityTable:
    """Read the table a ``mobility`` command was given (orders as "A,B,C"): a long table
    of cells, or — with ``microdata`` or a catalogue ``table`` — person-level rows
    cross-tabulated by the configured engine (:meth:`MobilityTable.from_microdata`)."""
    from socmob.cli._common import engine_config, fail, open_microdata

    engine = engine or EngineChoice()
    if not (microdata or table is not None):
        if path is None:
            fail("give a table FILE (or --microdata FILE, or --table DATABASE.TABLE)")
        if weight is not None or engine.given:
            fail("--weight and the engine options apply to person-level data: add "
                 "--microdata")
        from socmob.tables import read_long_table

        return read_long_table(
            Path(path), origin=origin, destination=destination, count=count, layer=layer,
            order=split_list(order), row_order=split_list(row_order),
            col_order=split_list(col_order), square=square,
        )
    from socmob.tables import MobilityTable

    settings = engine_config(engine=engine.engine, spark_master=engine.spark_master,
                             spark_remote=engine.spark_remote, spark_conf=engine.spark_conf,
                             config=engine.config)
    _, data = open_microdata(None if path is None else str(path), table, settings)
    return MobilityTable.from_microdata(
        data.table, origin=origin, destination=destination, weight=weight, layer=layer,
        order=split_list(order), row_order=split_list(row_order),
        col_order=split_list(col_order), square=square,
    )


def engine_choice(engine: Engine | None, spark_master: str | None, spark_remote: str | None,
                  spark_conf: list[str] | None, config: Path | None) -> EngineChoice:
    """The engine options of a command, bundled."""
    return EngineChoice(engine, spark_master, spark_remote, spark_conf, config)



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
