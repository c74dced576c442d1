"""Association-model benchmarks on a 7×7×20 table: socmob vs R gnm, time per fit.

The table is drawn (seeded) from a Unidiff model with known layer effects. Two models,
each with default settings on both sides:

* ``models_unidiff_7x7x20`` — Unidiff, ``log m = layer × origin + layer × destination +
  φ_k g_ij`` (gnm: ``Mult(Exp(layer), origin:destination)``);
* ``models_rc1_layered_7x7x20`` — RC(1) with layer-specific association and common
  scores, ``… + φ_k μ_i ν_j`` (socmob ``rc-layered``; gnm: ``Mult(layer, origin,
  destination)``).

The R baseline is timed *inside R*: each benchmark process starts one R session (in the
untimed setup), which loads gnm and the table and then waits; every timed call asks it
for one more fit and waits for the answer, so R's start-up is excluded and what is
timed is gnm's fit (plus a pipe round trip of well under a millisecond). The fit is
also timed in R with ``system.time`` (``r_fit_seconds`` in the check value). gnm draws
random starting values for the multiplicative terms and can fail to converge; a failed
fit is repeated, as a user would, and the attempts are counted in the time. Both sides
report the deviance, which must agree to 1e-6.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from bench.harness import Benchmark

N_CLASSES, N_LAYERS, SEED = 7, 20, 20261123

R_SERVER = r"""
suppressPackageStartupMessages(library(gnm))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = c("character", "character", "character", "numeric"))
d$origin <- factor(d$origin, levels = unique(d$origin))
d$destination <- factor(d$destination, levels = unique(d$destination))
d$layer <- factor(d$layer, levels = unique(d$layer))
form <- if (args[2] == "unidiff") {
  count ~ layer * origin + layer * destination + Mult(Exp(layer), origin:destination)
} else {
  count ~ layer * origin + layer * destination + Mult(layer, origin, destination)
}
set.seed(1)
input <- file("stdin")
open(input)
cat("ready\n")
while (length(line <- readLines(input, n = 1)) > 0) {
  attempts <- 0
  f <- NULL
  elapsed <- system.time(while (is.null(f)) {
    attempts <- attempts + 1
    f <- suppressWarnings(gnm(form, family = poisson, data = d, verbose = FALSE))
  })[["elapsed"]]
  cat(sprintf("%.10f %.6f %d\n", deviance(f), elapsed, attempts))
  flush(stdout())
}
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


def _write_csv(counts: np.ndarray, folder: Path) -> Path:
    k, i, j = np.indices(counts.shape)
    lines = ["origin,destination,layer,count"]
    lines += [f"C{a + 1},C{b + 1},L{c + 1:02d},{n:g}"
              for a, b, c, n in zip(i.ravel(), j.ravel(), k.ravel(), counts.ravel(),
                                    strict=True)]
    path = folder / "table_7x7x20.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _setup(model: str) -> dict[str, Any]:
    counts = make_table()
    state: dict[str, Any] = {"counts": counts, "model": model}
    if shutil.which("Rscript") is None:
        return state
    folder = Path(tempfile.mkdtemp(prefix="socmob-bench-models-"))
    script = folder / "gnm_server.R"
    script.write_text(R_SERVER)
    proc = subprocess.Popen(
        ["Rscript", str(script), str(_write_csv(counts, folder)), model],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    state["r"] = proc
    return state


def socmob_fit(state: dict[str, Any]) -> dict[str, Any]:
    from socmob.models import fit

    model = "unidiff" if state["model"] == "unidiff" else "rc-layered"
    res = fit(state["counts"], model)
    return {"deviance": round(res.deviance, 6), "df": res.df, "starts": res.starts,
            "iterations": res.iterations}


def r_gnm_fit(state: dict[str, Any]) -> dict[str, Any]:
    proc = state["r"]
    proc.stdin.write("fit\n")
    proc.stdin.flush()
    dev, elapsed, attempts = proc.stdout.readline().split()
    return {"deviance": round(float(dev), 6), "r_fit_seconds": float(elapsed),
            "attempts": int(attempts)}


def r_missing() -> str | None:
    if shutil.which("Rscript") is None:
        return "Rscript is not installed"
    probe = subprocess.run(["Rscript", "-e", "suppressMessages(library(gnm))"],
                           capture_output=True, check=False, timeout=120)
    return None if probe.returncode == 0 else "R package gnm is not installed"


def _benchmark(name: str, model: str, label: str) -> Benchmark:
    return Benchmark(
        name=name,
        description=f"{label} on a 7x7x20 table, default settings: socmob vs R gnm, time "
        "per fit (R timed inside a running R session: start-up excluded)",
        cases={"socmob": socmob_fit, "r_gnm": r_gnm_fit},
        baseline="r_gnm",
        setup=lambda: _setup(model),
        repeat=7,
        params={"classes": N_CLASSES, "layers": N_LAYERS, "seed": SEED,
                "cells": N_CLASSES * N_CLASSES * N_LAYERS, "model": model,
                # the machine is shared: its load when the run began, for the reader
                "load_average_1_5_15_min": [round(v, 2) for v in os.getloadavg()]},
        skip_reason=r_missing,
    )


BENCHMARKS = [
    _benchmark("models_unidiff_7x7x20", "unidiff", "Unidiff (log-multiplicative layer effect)"),
    _benchmark("models_rc1_layered_7x7x20", "rc-layered",
               "RC(1) with layer-specific association (RC(1)-L)"),
]
