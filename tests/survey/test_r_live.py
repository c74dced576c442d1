"""Live cross-check: re-run ``tests/results/survey/r_reference.R`` with R's survey package
and compare with the stored reference and with socmob. Skips cleanly where ``Rscript``
or the survey package is absent."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from socmob.survey import estimate

from .conftest import ITEMS, RESULTS, load_reference


def _r_ready() -> str | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return "Rscript is not installed"
    probe = subprocess.run([rscript, "-e", "suppressMessages(library(survey))"],
                           capture_output=True, text=True, timeout=120, check=False)
    return None if probe.returncode == 0 else "R package survey is not installed"


@pytest.mark.r
def test_live_r_matches_stored_and_socmob(tmp_path, designs):
    reason = _r_ready()
    if reason:
        pytest.skip(reason)
    run = subprocess.run(["Rscript", str(RESULTS / "r_reference.R"), str(RESULTS),
                          str(tmp_path)], capture_output=True, text=True, timeout=600,
                         check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    live = load_reference(tmp_path / "r_reference.csv")
    stored = load_reference(RESULTS / "r_reference.csv")
    key = ["design", "statistic", "item", "by", "group", "level", "quantity"]
    merged = stored.merge(live, on=key, suffixes=("_stored", "_live"))
    assert len(merged) == len(stored) == len(live)
    np.testing.assert_allclose(merged["value_live"], merged["value_stored"], rtol=1e-9,
                               atol=1e-12)
    raked = live[live["design"] == "raked"]
    for q in ITEMS:
        m = estimate(designs["raked"], q)
        row = raked[(raked["statistic"] == "mean") & (raked["item"] == q)
                    & (raked["group"] == "all")].set_index("quantity")["value"]
        assert m.estimate[0] == pytest.approx(row["estimate"], rel=1e-8)
        assert m.se[0] == pytest.approx(row["se"], rel=1e-8)
