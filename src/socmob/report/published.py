"""Published mobility tables for the dashboard's mobility explorer (a dedicated reader).

The tables are long CSVs shipped beside this module in ``tables/`` (origin, destination,
layer, count), listed with their sources in ``tables/tables.yaml``.
"""

from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd
import yaml

from socmob.errors import NotFoundError


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, Any]]:
    """Name → entry (title, source, layer column) of every published table."""
    text = resources.files("socmob.report").joinpath("tables/tables.yaml").read_text("utf-8")
    return {str(t["name"]): dict(t) for t in yaml.safe_load(text)["tables"]}


def published_tables() -> dict[str, str]:
    """Name → title of the published tables."""
    return {name: str(entry["title"]) for name, entry in catalogue().items()}


def published_frame(name: str) -> pd.DataFrame:
    """The long table ``name`` (origin, destination[, layer], count)."""
    entries = catalogue()
    if name not in entries:
        raise NotFoundError(f"no published table {name!r}", suggestions=sorted(entries))
    raw = resources.files("socmob.report").joinpath(f"tables/{name}.csv").read_bytes()
    return pd.read_csv(io.BytesIO(raw), dtype={"origin": str, "destination": str,
                                               "layer": str})


def published_table(name: str) -> Any:
    """The published table ``name`` as a :class:`socmob.tables.MobilityTable`
    (categories in file order)."""
    from socmob.tables import MobilityTable

    entry = catalogue().get(name, {})
    frame = published_frame(name)
    layer = entry.get("layer") if entry.get("layer") in frame.columns else None
    return MobilityTable.from_long(frame, layer=layer, source=f"{name}.csv")
