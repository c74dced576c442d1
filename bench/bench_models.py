"""Association-model benchmark: Unidiff on a 7×7×20 table, socmob vs R gnm.

The table is drawn (seeded) from a Unidiff model with known layer effects, so every case
must recover the same deviance (recorded as the check value). The R baseline runs
``Rscript`` on the same table in the same run; its time includes starting R and loading
gnm (about a second), so the in-R fitting time is recorded in the check value too.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.harness import Benchmark

N_CLASSES, N_LAYERS, SEED = 7, 20, 20261123

R_SCRIPT = r"""
suppressPackageStartupMessages(library(gnm))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = c("character", "character", "character", "numeric"))
d$origin <- factor(d$origin, levels = unique(d$origin))
d$destination <- factor(d$destination, levels = unique(d$destination))
d$layer <- factor(d$layer, levels = unique(d$layer))
t0 <- proc.time()[["elapsed"]]
set.seed(1)
f <- gnm(count ~ layer * origin + layer * destination + Mult(Exp(layer), origin:destination),
         family = poisson, data = d, verbose = FALSE, tolerance = 1e-10)
ct <- getContrasts(f, pickCoef(f, "[.]layer"), ref = "first", scaleRef = "first")
elapsed <- proc.time()[["elapsed"]] - t0
cat(sprintf("%.10f %.6f %.10f\n", deviance(f), elapsed, ct$qvframe[[1]][2]))
"""


def make_table(seed: int = SEED) -> np.ndarray:
    """Counts (layers, origin, destination) from a Unidiff model with phi_k spread over
    [0.6, 1.4] and realistic margins (about 1,000 people per layer)."""
    rng = np.random.default_rng(seed)
    scores = np.linspace(1.0, -1.0, N_CLASSES)
    g = 1.5 * np.outer(scores, scores) + 0.8 * np.eye(N_CLASSES)
    out = []
    for phi in np.linspace(0.6, 1.4, N_LAYERS):
        a = rng.normal(0.0, 0.4, N_CLASSES)
        b = rng.normal(0.0, 0.4, N_CLASSES)
        lam = np.exp(a[:, None] + b[None, :] + phi * g)
        out.append(rng.poisson(1000.0 * lam / lam.sum()))
    return np.stack(out).astype(float)


def setup() -> dict[str, Any]:
    counts = make_table()
    folder = Path(tempfile.mkdtemp(prefix="socmob-bench-models-"))
    k, i, j = np.indices(counts.shape)
    frame = pd.DataFrame({
        "origin": [f"C{v + 1}" for v in i.ravel()],
        "destination": [f"C{v + 1}" for v in j.ravel()],
        "layer": [f"L{v + 1:02d}" for v in k.ravel()],
        "count": counts.ravel(),
    })
    csv = folder / "unidiff_7x7x20.csv"
    frame.to_csv(csv, index=False)
    script = folder / "unidiff.R"
    script.write_text(R_SCRIPT)
    return {"counts": counts, "csv": csv, "script": script}


def socmob_unidiff(state: dict[str, Any], n_starts: int) -> dict[str, float]:
    from socmob.models import fit

    res = fit(state["counts"], "unidiff", n_starts=n_starts, seed=0)
    return {"deviance": round(res.deviance, 6), "log_phi_2": round(float(res.log_phi[1]), 6)}


def r_gnm_unidiff(state: dict[str, Any]) -> dict[str, float]:
    run = subprocess.run(["Rscript", str(state["script"]), str(state["csv"])],
                         capture_output=True, text=True, check=True, timeout=600)
    dev, elapsed, log_phi_2 = (float(v) for v in run.stdout.split())
    return {"deviance": round(dev, 6), "log_phi_2": round(log_phi_2, 6),
            "r_fit_seconds": elapsed}


def r_missing() -> str | None:
    if shutil.which("Rscript") is None:
        return "Rscript is not installed"
    probe = subprocess.run(["Rscript", "-e", "suppressMessages(library(gnm))"],
                           capture_output=True, check=False, timeout=120)
    return None if probe.returncode == 0 else "R package gnm is not installed"


BENCHMARKS = [
    Benchmark(
        name="models_unidiff_7x7x20",
        description="Unidiff (log-multiplicative layer effect) on a 7x7x20 table: socmob "
        "(1 start, 6 starts) vs R gnm via Rscript (includes R start-up; in-R fit time in "
        "the check value)",
        cases={
            "socmob_1_start": lambda s: socmob_unidiff(s, 1),
            "socmob_6_starts": lambda s: socmob_unidiff(s, 6),
            "r_gnm": r_gnm_unidiff,
        },
        baseline="r_gnm",
        setup=setup,
        repeat=3,
        params={"classes": N_CLASSES, "layers": N_LAYERS, "seed": SEED,
                "cells": N_CLASSES * N_CLASSES * N_LAYERS},
        skip_reason=r_missing,
    )
]
