"""The ``socmob`` command line (Typer): a thin shell over the library.

Each pillar registers its commands from its own module (``register(app)``), so the
command tree is assembled here in one place. Building the command tree imports no heavy
library (pandas, numpy, scipy, ibis, duckdb): commands import what they use when they
run, so ``socmob --help`` starts fast.
"""

from __future__ import annotations

import importlib

import typer

from socmob import ATTRIBUTION, __version__
from socmob.cli._common import err_console, synth_app

app = typer.Typer(
    name="socmob",
    help=(
        "Measure social mobility the way the UK Social Mobility Commission does.\n\n"
        + ATTRIBUTION
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    add_completion=False,
)

#: Modules under ``socmob.cli`` that contribute commands, in help order.
COMMAND_MODULES: tuple[str, ...] = (
    "data",
    "mobility",
    "income",
    "index",
    "place",
    "monitor",
    "assess",
    "survey",
    "workforce",
    "serve",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"socmob {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """socmob command line."""
    from socmob.io.scratch import sweep_stale

    sweep_stale()  # temp files of a socmob process that was killed mid-write


def _assemble() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"socmob.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"socmob.cli.{name}":
                continue  # pillar not built yet
            raise
        module.register(app)
    app.add_typer(synth_app, name="synth")


_assemble()


def main() -> None:
    """Entry point of the ``socmob`` script (removes the temp files of socmob processes
    that were killed mid-write, then runs the command)."""
    from socmob.io.scratch import sweep_stale

    sweep_stale()
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive
        err_console.print("interrupted")
        raise SystemExit(130) from None


__all__ = ["app", "main"]
