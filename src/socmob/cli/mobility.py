"""``socmob mobility``: mobility tables (describe) and association models (fit)."""

from __future__ import annotations

import importlib

import typer

mobility_app = typer.Typer(
    help="Origin-destination mobility tables: absolute and relative measures, model fits.",
    no_args_is_help=True,
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
