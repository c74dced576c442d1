"""Fixtures for the association-model tests: reference tables in long form."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

MODELS_RESULTS = Path(__file__).resolve().parents[1] / "results" / "models"


@dataclass(frozen=True)
class LongTable:
    """A table read from a long CSV (categories in file order), duck-typed like
    ``socmob.tables.MobilityTable`` so that the tests do not depend on the reader."""

    counts: np.ndarray
    origin_labels: tuple[str, ...]
    destination_labels: tuple[str, ...]
    layer_labels: tuple[str, ...]
    structural_zeros: np.ndarray | None = None


def read_long(name: str) -> LongTable:
    frame = pd.read_csv(MODELS_RESULTS / f"{name}.csv")
    frame = frame.astype({"origin": str, "destination": str})
    if "layer" not in frame:
        frame["layer"] = "all"
    frame["layer"] = frame["layer"].astype(str)
    origin = list(dict.fromkeys(frame["origin"]))
    destination = list(dict.fromkeys(frame["destination"]))
    layers = list(dict.fromkeys(frame["layer"]))
    counts = np.zeros((len(layers), len(origin), len(destination)))
    for row in frame.itertuples(index=False):
        counts[layers.index(row.layer), origin.index(row.origin),
               destination.index(row.destination)] = row.count
    return LongTable(counts, tuple(origin), tuple(destination), tuple(layers))


@pytest.fixture(scope="session")
def long_table():
    """Loader of the long-form tables in ``tests/results/models``."""
    cache: dict[str, LongTable] = {}

    def load(name: str) -> LongTable:
        if name not in cache:
            cache[name] = read_long(name)
        return cache[name]

    return load


@pytest.fixture(scope="session")
def r_reference() -> pd.DataFrame:
    """Numbers produced by ``tests/results/models/r_reference.R`` (R 4.2.2, gnm 1.1.2)."""
    return pd.read_csv(MODELS_RESULTS / "r_reference.csv", keep_default_na=False)
