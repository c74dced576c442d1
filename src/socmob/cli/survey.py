"""``socmob survey``: weight a survey to population margins, estimate items by group with
design-based intervals, compare groups and waves; and ``socmob synth barometer``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from socmob.cli._common import (
    FormatOption,
    OutputFormat,
    fail,
    print_frame,
    print_json,
    split_list,
    synth_app,
    user_errors,
)

survey_app = typer.Typer(
    help="Surveys such as the social mobility barometer: raking to population margins, "
    "weighted estimates by group and wave with design-based intervals, comparisons.",
    no_args_is_help=True,
)

DataArgument = typer.Argument(..., help="Respondents: CSV, Parquet, SPSS .sav or Stata .dta.")
WeightOption = typer.Option(None, "--weight", help="Weight column (default: every weight 1).")
StrataOption = typer.Option(None, "--strata", help="Stratum column.")
PsuOption = typer.Option(None, "--psu", help="Primary sampling unit (cluster) column.")
FpcOption = typer.Option(None, "--fpc", help="Finite population correction column "
                         "(population PSUs per stratum, or the sampling fraction).")
LonelyOption = typer.Option("fail", "--lonely-psu",
                            help="Strata with one PSU: fail, certainty, remove or adjust.")
MarginsOption = typer.Option(None, "--margins",
                             help="Population margins CSV to rake to first (repeatable); "
                             "standard errors then allow for the raking.")
RakeByOption = typer.Option(None, "--rake-by",
                            help="Rake separately within each group of this column "
                            "(e.g. the wave).")
ReplicatesOption = typer.Option(None, "--replicate-weights",
                                help="Replicate weight columns, comma-separated, or a "
                                "prefix ending in * (e.g. rep_*): variances from replicates.")
ReplicateTypeOption = typer.Option("JK1", "--replicate-type",
                                   help="JK1, BRR, Fay, bootstrap or other.")
ReplicateScaleOption = typer.Option(None, "--replicate-scale",
                                    help="Overall replicate variance multiplier (default by "
                                    "type).")
MissingOption = typer.Option(None, "--missing",
                             help="Answer codes meaning no answer, comma-separated (e.g. 8,9).")


def _parse_trim(text: str | None) -> tuple[float | None, float | None] | None:
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    try:
        if len(parts) == 1:
            return (None, float(parts[0]))
        if len(parts) == 2:
            return (float(parts[0]) if parts[0] else None,
                    float(parts[1]) if parts[1] else None)
    except ValueError:
        pass
    fail(f"--trim {text!r}: expected UPPER or LOWER,UPPER as multiples of the mean weight "
         "(e.g. 5 or 0.2,5)")


def _codes(text: str | None) -> list[Any] | None:
    items = split_list(text)
    if items is None:
        return None
    out: list[Any] = []
    for item in items:
        try:
            number = float(item)
            out.append(int(number) if number.is_integer() else number)
        except ValueError:
            out.append(item)
    return out


def _replicate_columns(text: str | None, columns: list[str]) -> list[str] | None:
    if text is None:
        return None
    if text.strip().endswith("*"):
        prefix = text.strip()[:-1]
        chosen = [c for c in columns if c.startswith(prefix)]
        if not chosen:
            fail(f"--replicate-weights {text!r}: no column starts with {prefix!r}")
        return chosen
    return split_list(text)


def _design(data: Path, *, weight: str | None, strata: str | None, psu: str | None,
            fpc: str | None, lonely_psu: str, margins: list[Path] | None,
            rake_by: str | None, replicates: str | None = None,
            replicate_type: str = "JK1", replicate_scale: float | None = None) -> Any:
    from socmob.survey import rake, read_margin_files, read_survey, survey_design

    survey = read_survey(data)
    design = survey_design(survey.frame, weights=weight, strata=strata, psu=psu, fpc=fpc,
                           lonely_psu=lonely_psu,  # type: ignore[arg-type]
                           value_labels=survey.value_labels,
                           variable_labels=survey.variable_labels, source=survey.source,
                           replicate_weights=_replicate_columns(
                               replicates, [str(c) for c in survey.frame.columns]),
                           replicate_type=replicate_type,  # type: ignore[arg-type]
                           replicate_scale=replicate_scale)
    if margins:
        design = rake(design, read_margin_files(margins), by=rake_by).design
    return design


def weight_command(
    data: Path = DataArgument,
    margins: list[Path] = typer.Option(..., "--margins",
                                       help="Population margins CSV (repeatable)."),
    out: Path = typer.Option(..., "--out", help="CSV or Parquet file for the weighted data."),
    weight: str | None = WeightOption,
    by: str | None = typer.Option(None, "--by", help="Rake within each group of this column "
                                  "(e.g. the wave)."),
    trim: str | None = typer.Option(None, "--trim", help="Trim weights to UPPER or "
                                    "LOWER,UPPER × the mean weight, re-raking (e.g. 0.2,5)."),
    name: str = typer.Option("raked_weight", "--name", help="Name of the new weight column."),
    max_iter: int = typer.Option(1000, "--max-iter", min=1, help="Sweeps allowed."),
    tol: float = typer.Option(1e-10, "--tol", help="Largest margin error allowed, relative "
                              "to the population total."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Rake survey weights to population margins (iterative proportional fitting) and
    write the data with the new weight column; prints convergence and weight diagnostics
    (Kish design effect, effective sample size) and every margin cell's target and
    achieved total."""
    from socmob.survey import rake, read_margin_files, read_survey, survey_design, write_survey

    with user_errors():
        bounds = _parse_trim(trim)
        if out.suffix.lower() not in {".csv", ".parquet", ".pq"}:
            fail(f"--out {out}: unsupported file type (expected .csv or .parquet)")
        survey = read_survey(data)
        if name in survey.frame.columns:
            fail(f"--name {name!r}: the data already has a column of that name")
        design = survey_design(survey.frame, weights=weight,
                               value_labels=survey.value_labels, source=survey.source)
        result = rake(design, read_margin_files(margins), by=by, trim=bounds,
                      max_iter=max_iter, tol=tol)
        frame = survey.frame.copy()
        frame[name] = result.weights
        path = write_survey(frame, out, value_labels=survey.value_labels,
                            variable_labels=survey.variable_labels,
                            synthetic=survey.synthetic)
    diagnostics = result.diagnostics()
    if fmt is OutputFormat.json:
        print_json({"out": str(path), "weight_column": name, "diagnostics": diagnostics,
                    "cells": result.cells})
        return
    title = (f"Raked to {len(result.margins)} margins in {result.iterations} sweeps "
             f"(largest error {result.max_error:.1e} of the total); Kish design effect "
             f"{result.design_effect:.3f}, effective n {result.effective_n:.0f} of "
             f"{len(result.weights)} → {path}")
    print_frame(result.cells, fmt, title=title)


def estimate_command(
    data: Path = DataArgument,
    items: str = typer.Option(..., "--items", help="Item columns, comma-separated."),
    by: str | None = typer.Option(None, "--by", help="Group column(s), comma-separated "
                                  "(crossed)."),
    wave: str | None = typer.Option(None, "--wave", help="Wave column: estimates per wave."),
    statistic: str = typer.Option("mean", "--statistic",
                                  help="mean, proportion (every answer) or net (agree − "
                                  "disagree)."),
    interval: str | None = typer.Option(None, "--interval", help="Interval for proportions: "
                                        "logit (default), korn-graubard or t."),
    alpha: float = typer.Option(0.05, "--alpha", help="1 − confidence level."),
    weight: str | None = WeightOption,
    strata: str | None = StrataOption,
    psu: str | None = PsuOption,
    fpc: str | None = FpcOption,
    lonely_psu: str = LonelyOption,
    margins: list[Path] | None = MarginsOption,
    rake_by: str | None = RakeByOption,
    replicates: str | None = ReplicatesOption,
    replicate_type: str = ReplicateTypeOption,
    replicate_scale: float | None = ReplicateScaleOption,
    missing: str | None = MissingOption,
    agree: str | None = typer.Option(None, "--agree", help="Answers counted as agreeing "
                                     "(default: the top two)."),
    disagree: str | None = typer.Option(None, "--disagree", help="Answers counted as "
                                        "disagreeing (default: the bottom two)."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Weighted means, proportions or net agreement of survey items, overall or by group
    and wave, with Taylor-linearised standard errors (strata, PSUs and raking honoured)
    and intervals; one tidy row per item, group and answer."""
    from socmob.survey import estimate_items

    with user_errors():
        design = _design(data, weight=weight, strata=strata, psu=psu, fpc=fpc,
                         lonely_psu=lonely_psu, margins=margins, rake_by=rake_by,
                         replicates=replicates, replicate_type=replicate_type,
                         replicate_scale=replicate_scale)
        frame = estimate_items(design, split_list(items) or [],
                               statistic=statistic,  # type: ignore[arg-type]
                               by=split_list(by), wave=wave,
                               method=interval,  # type: ignore[arg-type]
                               alpha=alpha, missing=_codes(missing), agree=_codes(agree),
                               disagree=_codes(disagree))
    if fmt is OutputFormat.table:
        keep = ["item", "period", "group", "level", "value", "lci", "uci", "se", "n", "note"]
        frame = frame[[c for c in keep if c in frame.columns
                       and (c != "period" or frame[c].notna().any())]]
        frame = frame.dropna(axis=1, how="all")
        if "n" in frame.columns:
            frame["n"] = frame["n"].astype("Int64")
    print_frame(frame, fmt, title=f"{statistic} of {items} ({1 - alpha:.0%} intervals)")


def compare_command(
    data: Path = DataArgument,
    item: str = typer.Option(..., "--item", help="The item to compare."),
    by: str | None = typer.Option(None, "--by", help="Compare the groups of this column "
                                  "(with --wave: compare waves within each group)."),
    wave: str | None = typer.Option(None, "--wave", help="Compare waves of this column."),
    statistic: str = typer.Option("mean", "--statistic", help="mean, proportion or net."),
    level: str | None = typer.Option(None, "--level", help="For proportions: the answer(s) "
                                     "to compare, comma-separated (e.g. 4,5)."),
    reference: str | None = typer.Option(None, "--reference", help="Compare every group "
                                         "with this one (default: all pairs)."),
    adjust: str = typer.Option("holm", "--adjust", help="Multiple comparisons: holm, bh or "
                               "none."),
    baseline: str = typer.Option("previous", "--baseline", help="Waves: against the "
                                 "previous or the first wave."),
    alpha: float = typer.Option(0.05, "--alpha", help="1 − confidence level."),
    weight: str | None = WeightOption,
    strata: str | None = StrataOption,
    psu: str | None = PsuOption,
    fpc: str | None = FpcOption,
    lonely_psu: str = LonelyOption,
    margins: list[Path] | None = MarginsOption,
    rake_by: str | None = RakeByOption,
    replicates: str | None = ReplicatesOption,
    replicate_type: str = ReplicateTypeOption,
    replicate_scale: float | None = ReplicateScaleOption,
    missing: str | None = MissingOption,
    fmt: OutputFormat = FormatOption,
) -> None:
    """Differences of an item between groups or between waves, with t tests on the
    design degrees of freedom and Holm or Benjamini–Hochberg adjusted p-values."""
    from socmob.survey import compare_groups, compare_waves

    with user_errors():
        if by is None and wave is None:
            fail("give --by (compare groups), --wave (compare waves) or both")
        design = _design(data, weight=weight, strata=strata, psu=psu, fpc=fpc,
                         lonely_psu=lonely_psu, margins=margins, rake_by=rake_by,
                         replicates=replicates, replicate_type=replicate_type,
                         replicate_scale=replicate_scale)
        levels = _codes(level)
        if wave is not None:
            result = compare_waves(design, item, wave=wave, by=by,
                                   statistic=statistic,  # type: ignore[arg-type]
                                   level=levels, baseline=baseline,  # type: ignore[arg-type]
                                   adjust=adjust,  # type: ignore[arg-type]
                                   missing=_codes(missing))
        else:
            assert by is not None
            result = compare_groups(design, item, by=by,
                                    statistic=statistic,  # type: ignore[arg-type]
                                    level=levels, reference=reference,
                                    adjust=adjust,  # type: ignore[arg-type]
                                    missing=_codes(missing))
        frame = result.to_frame(alpha)
    if fmt is OutputFormat.table:
        frame = frame[["group", "value", "lci", "uci", "se", "t", "p_value", "p_adjusted"]]
    print_frame(frame, fmt, title=f"{item}: differences in {statistic} ({adjust} adjusted)")


def synth_barometer_command(
    out: Path = typer.Option(..., "--out", help="CSV, Parquet, SPSS .sav or Stata .dta file."),
    n: int = typer.Option(2000, "--n", min=24, help="Respondents per wave."),
    waves: int = typer.Option(1, "--waves", min=1, help="Number of annual waves."),
    first_wave: int = typer.Option(2022, "--first-wave", help="Label of the first wave."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    cluster_size: int = typer.Option(20, "--cluster-size", min=1,
                                     help="Respondents per sampling point (PSU), about."),
    margins_out: Path | None = typer.Option(None, "--margins-out", help="Population margins "
                                            "CSV (default: OUT's name + .margins.csv)."),
    truth_out: Path | None = typer.Option(None, "--truth-out", help="Truth JSON (default: "
                                          "OUT's name + .truth.json)."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Write a SYNTHETIC social mobility barometer with known truth: three questions
    modelled on the barometer's, varying by age, region and background, with strata,
    clusters and non-response; plus its population margins (for raking) and the truth."""
    from socmob.synth.barometer import synth_barometer

    with user_errors():
        if out.suffix.lower() not in {".csv", ".parquet", ".pq", ".sav", ".dta"}:
            fail(f"--out {out}: unsupported file type (expected .csv, .parquet, .sav or .dta)")
        made = synth_barometer(n, waves=waves, first_wave=first_wave, seed=seed,
                               cluster_size=cluster_size)
        stem = out.with_suffix("")
        margins_path = margins_out or stem.with_name(stem.name + ".margins.csv")
        truth_path = truth_out or stem.with_name(stem.name + ".truth.json")
        path = made.write(out)
        made.write_margins(margins_path)
        made.write_truth(truth_path)
    payload = {"synthetic": True, "path": str(path), "margins": str(margins_path),
               "truth": str(truth_path), "rows": len(made.frame), "waves": made.params["waves"],
               "design": {"weight": "design_weight", "strata": "stratum", "psu": "psu"}}
    if fmt is OutputFormat.json:
        print_json(payload)
        return
    import pandas as pd

    rows = []
    for question, by_wave in made.truth.items():
        for wave, entry in by_wave.items():
            rows.append({"question": question, "wave": wave,
                         "true_mean": entry["overall"]["mean"],
                         "true_net_agreement": entry["overall"]["net_agreement"]})
    print_frame(pd.DataFrame(rows), fmt,
                title=f"SYNTHETIC barometer: {len(made.frame):,} respondents → {path} "
                f"(margins {margins_path}, truth {truth_path})")


def register(app: typer.Typer) -> None:
    """Add ``survey weight|estimate|compare`` and ``synth barometer``."""
    survey_app.command("weight")(weight_command)
    survey_app.command("estimate")(estimate_command)
    survey_app.command("compare")(compare_command)
    app.add_typer(survey_app, name="survey")
    synth_app.command("barometer")(synth_barometer_command)
