"""Live cross-check: re-run the R reference script and compare with the stored numbers
and with socmob. Skips cleanly where ``Rscript``, gnm or vcdExtra is absent."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from socmob.models import fit

RESULTS = Path(__file__).resolve().parents[1] / "results" / "models"


def _r_ready() -> str | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return "Rscript is not installed"
    probe = subprocess.run(
        [rscript, "-e", "suppressMessages({library(gnm); library(vcdExtra)})"],
        capture_output=True, text=True, timeout=120, check=False)
    if probe.returncode != 0:
        return "R packages gnm / vcdExtra are not installed"
    return None


@pytest.mark.r
def test_live_r_matches_stored_and_socmob(tmp_path, long_table):
    reason = _r_ready()
    if reason:
        pytest.skip(reason)
    run = subprocess.run(["Rscript", str(RESULTS / "r_reference.R"), str(tmp_path)],
                         capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    live = pd.read_csv(tmp_path / "r_reference.csv", keep_default_na=False)
    stored = pd.read_csv(RESULTS / "r_reference.csv", keep_default_na=False)
    key = ["table", "model", "quantity", "name"]
    merged = stored.merge(live, on=key, suffixes=("_stored", "_live"))
    assert len(merged) == len(stored)
    a = merged["value_stored"].astype(float).to_numpy()
    b = merged["value_live"].astype(float).to_numpy()
    np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-9)
    # and socmob against the live run on a layered log-multiplicative model
    part = live[(live.table == "erikson7") & (live.model == "unidiff")]
    res = fit(long_table("erikson7"), "unidiff")
    dev = float(part[part.quantity == "deviance"].value.iloc[0])
    assert res.deviance == pytest.approx(dev, rel=1e-8)
    log_phi = part[part.quantity == "param"].value.astype(float).to_numpy()
    np.testing.assert_allclose(res.log_phi, log_phi, atol=1e-7)


@pytest.mark.r
def test_live_r_zero_margins_and_eye_hair(tmp_path):
    """Re-run ``r_zero_margins.R`` (df with structural zeros; a non-square table with
    shared labels) and compare with the stored numbers and with socmob."""
    reason = _r_ready()
    if reason:
        pytest.skip(reason)
    probe = subprocess.run(["Rscript", "-e", "suppressMessages(library(MASS))"],
                           capture_output=True, text=True, timeout=120, check=False)
    if probe.returncode != 0:
        pytest.skip("R package MASS is not installed")
    run = subprocess.run(["Rscript", str(RESULTS / "r_zero_margins.R"), str(tmp_path)],
                         capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    live = pd.read_csv(tmp_path / "r_zero_margins.csv", keep_default_na=False)
    stored = pd.read_csv(RESULTS / "r_zero_margins.csv", keep_default_na=False)
    merged = stored.merge(live, on=["table", "model", "quantity", "name"],
                          suffixes=("_stored", "_live"))
    assert len(merged) == len(stored) == len(live)
    np.testing.assert_allclose(merged["value_live"].astype(float),
                               merged["value_stored"].astype(float), rtol=1e-6, atol=1e-9)
    for name in ("absent_destination_7x7x6.csv", "caithness_eye_hair_4x5.csv"):
        assert (tmp_path / name).read_text() == (RESULTS / name).read_text()
    from socmob.tables import read_long_table

    table = read_long_table(tmp_path / "absent_destination_7x7x6.csv")
    res = fit(table, "constant-fluidity")
    part = live[(live.table == "absent_destination_7x7x6")
                & (live.model == "constant-fluidity")]
    assert res.df == int(float(part[part.quantity == "df"].value.iloc[0])) == 150
    dev = float(part[part.quantity == "deviance"].value.iloc[0])
    assert res.deviance == pytest.approx(dev, rel=1e-8)
