"""Loaders for the reference tables in tests/results/tables (see its README)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from socmob.tables import MobilityTable, read_long_table

HERE = Path(__file__).resolve().parents[1] / "results" / "tables"
CLASSIC_LONG = HERE / "classic_tables_long.csv"
CLASSIC_REF = HERE / "classic_tables_reference.csv"
HG_CSV = HERE / "hazelrigg_garnier1976_16c_3x3x16.csv"
HG_JSON = HERE / "hazelrigg_garnier1976_descriptives.json"


def classic_table(name: str) -> MobilityTable:
    """Glass, Hauser or Yamaguchi table (origin order as in the file = top class first)."""
    frame = pd.read_csv(CLASSIC_LONG)
    sub = frame[frame["table"] == name].drop(columns="table")
    layered = name == "yamaguchi"
    if not layered:
        sub = sub.drop(columns="layer")
    return MobilityTable.from_long(sub, layer="layer" if layered else None)


def classic_reference(name: str) -> pd.DataFrame:
    frame = pd.read_csv(CLASSIC_REF, keep_default_na=True)
    return frame[frame["table"] == name]


def ref_value(ref: pd.DataFrame, layer: str, measure: str) -> float:
    row = ref[(ref["layer"] == layer) & (ref["measure"] == measure)]
    assert len(row) == 1, (layer, measure)
    return float(row["value"].iloc[0])


def ref_matrix(ref: pd.DataFrame, layer: str, measure: str, k: int) -> np.ndarray:
    rows = ref[(ref["layer"] == layer) & (ref["measure"] == measure)]
    out = np.full((k, k), np.nan)
    for _, r in rows.iterrows():
        out[int(r["i"]) - 1, int(r["j"]) - 1] = float(r["value"])
    return out


def hg_table() -> MobilityTable:
    return read_long_table(HG_CSV)


def hg_reference() -> dict:
    return json.loads(HG_JSON.read_text())


WONG_CSV = HERE / "wong2010_gss_educ_occ_4x5x4.csv"
WONG_JSON = HERE / "wong2010_descriptives.json"


def wong_table() -> MobilityTable:
    return read_long_table(WONG_CSV)


def wong_reference() -> dict:
    return json.loads(WONG_JSON.read_text())
