"""Survey benchmark: raking plus 21 estimates by 10 groups on 1M respondents, socmob vs R
``survey`` in the same run.

The data are the SYNTHETIC barometer (one wave of 1,000,000 respondents, 12 strata,
50,000 PSUs), with a 10-group breakdown (``area``, cutting across strata). Each case
rakes the design weights to the population margins (age × sex, region, background) and
then estimates, by area, the mean and the net agreement of the three questions and the
full five-answer distribution of each (3 + 3 + 15 = 21 estimates × 10 groups), with
linearised standard errors that allow for the raking. The check value is the first
group's raked mean of ``q_parents`` and its standard error (every case must agree), plus
the in-R time of raking and estimation (R's wall time also includes starting R and
reading the CSV).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.harness import Benchmark

#: Respondents (``SOCMOB_BENCH_SURVEY_N`` overrides, for a quick run; results are then
#: written under the name with the size).
N = int(os.environ.get("SOCMOB_BENCH_SURVEY_N", "1000000"))
SEED, GROUPS = 20261116, 10
ITEMS = ("q_parents", "q_equal_opportunities", "q_class_gap")

R_SCRIPT = r"""
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
mar <- read.csv(args[2], stringsAsFactors = FALSE, colClasses = "character")
mar$target <- as.numeric(mar$target)
pop <- function(name, vars) {
  m <- mar[mar$margin == name, c(vars, "target")]
  names(m)[names(m) == "target"] <- "Freq"
  m
}
t0 <- proc.time()[["elapsed"]]
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~design_weight, data = d,
                 nest = TRUE)
raked <- rake(des, list(~age_group + sex, ~region, ~background),
              list(pop("age_sex", c("age_group", "sex")), pop("region", "region"),
                   pop("background", "background")),
              control = list(maxit = 100, epsilon = 1e-10))
first <- NULL
for (q in c("q_parents", "q_equal_opportunities", "q_class_gap")) {
  a <- subset(raked, !is.na(get(q)))
  m <- svyby(as.formula(paste0("~", q)), ~area, a, svymean, na.rm = TRUE)
  if (is.null(first)) first <- c(coef(m)[1], SE(m)[1])
  svyby(as.formula(paste0("~I(1 * (", q, " >= 4) - 1 * (", q, " <= 2))")), ~area, a,
        svymean, na.rm = TRUE)
  svyby(as.formula(paste0("~factor(", q, ")")), ~area, a, svymean, na.rm = TRUE)
}
elapsed <- proc.time()[["elapsed"]] - t0
cat(sprintf("%.12f %.12f %.3f\n", first[1], first[2], elapsed))
"""


def setup() -> dict[str, Any]:
    import numpy as np

    from socmob.synth.barometer import synth_barometer

    made = synth_barometer(N, waves=1, seed=SEED, cluster_size=20)
    frame = made.frame.drop(columns=["synthetic", "respondent_id"])
    _, psu_code = np.unique(frame["psu"].to_numpy(), return_inverse=True)
    frame["area"] = [f"A{(c * 7919) % GROUPS + 1:02d}" for c in psu_code]
    folder = Path(tempfile.mkdtemp(prefix="socmob-bench-survey-"))
    csv = folder / "barometer_1m.csv"
    margins = folder / "margins.csv"
    script = folder / "survey.R"
    return {"frame": frame, "margins_frame": made.margins, "csv": csv, "margins": margins,
            "script": script, "value_labels": made.value_labels}


def _write_files(state: dict[str, Any]) -> None:
    if not state["csv"].exists():
        state["frame"].to_csv(state["csv"], index=False)
        state["margins_frame"].to_csv(state["margins"], index=False)
        state["script"].write_text(R_SCRIPT)


def socmob_survey(state: dict[str, Any]) -> dict[str, float]:
    from socmob.survey import estimate, margins_from_frame, rake, survey_design

    design = survey_design(state["frame"], weights="design_weight", strata="stratum",
                           psu="psu", value_labels=state["value_labels"])
    raked = rake(design, margins_from_frame(state["margins_frame"]), tol=1e-10).design
    first: Any = None
    for item in ITEMS:
        mean = estimate(raked, item, by="area")
        if first is None:
            top = mean[next(iter(mean))]
            first = (float(top.estimate[0]), float(top.se[0]))
        estimate(raked, item, statistic="net", by="area")
        estimate(raked, item, statistic="proportion", by="area")
    return {"mean": round(first[0], 9), "se": round(first[1], 9)}


def r_survey(state: dict[str, Any]) -> dict[str, float]:
    _write_files(state)
    run = subprocess.run(["Rscript", str(state["script"]), str(state["csv"]),
                          str(state["margins"])],
                         capture_output=True, text=True, check=True, timeout=7200)
    mean, se, elapsed = (float(v) for v in run.stdout.split())
    return {"mean": round(mean, 9), "se": round(se, 9), "r_in_process_seconds": elapsed}


def r_missing() -> str | None:
    if shutil.which("Rscript") is None:
        return "Rscript is not installed"
    probe = subprocess.run(["Rscript", "-e", "suppressMessages(library(survey))"],
                           capture_output=True, check=False, timeout=120)
    return None if probe.returncode == 0 else "R package survey is not installed"


BENCHMARKS = [
    Benchmark(
        name="survey_rake_21x10_1m" if N == 1_000_000 else f"survey_rake_21x10_{N}",
        description="Raking (3 margins) plus 21 estimates (3 means, 3 net agreement scores, "
        "3 five-answer distributions) by 10 groups with calibration-aware linearised SEs on "
        f"{N:,} SYNTHETIC barometer respondents (12 strata, ~50k PSUs): socmob vs R survey "
        "(rake + svyby) via Rscript, whose time includes starting R and reading the CSV "
        "(in-R time in the check value)",
        cases={"socmob": socmob_survey, "r_survey": r_survey},
        baseline="r_survey",
        setup=setup,
        repeat=1,
        params={"respondents": N, "groups": GROUPS, "estimates": 21, "seed": SEED},
        skip_reason=r_missing,
    )
]
