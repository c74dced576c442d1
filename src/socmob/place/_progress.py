"""A progress bar for long Monte Carlo loops, shared by the uncertainty modules.

The one piece :mod:`socmob.place.uncertainty`, :mod:`socmob.place.sensitivity` and
:mod:`socmob.place.smc_uncertainty` all use, kept below them so that none has to import
another for it.
"""

from __future__ import annotations

from typing import Any


def progress_bar(enabled: bool, description: str) -> Any:
    """A rich progress bar on stderr (a no-op context when disabled).

    ``description`` names the loop; each caller adds its own tasks to the bar.
    """
    from rich.console import Console
    from rich.progress import Progress

    return Progress(console=Console(stderr=True), transient=True, disable=not enabled)


__all__ = ["progress_bar"]
