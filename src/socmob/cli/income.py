"""``socmob income FILE …`` and ``socmob synth income …``: a thin shell over
:mod:`socmob.income` and :mod:`socmob.synth`."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from socmob.cli._common import (
    ConfigOption,
    Engine,
    EngineOption,
    FormatOption,
    OutputFormat,
    SparkConfOption,
    SparkMasterOption,
    SparkRemoteOption,
    TableOption,
    engine_config,
    fail,
    open_microdata,
    print_frame,
    print_json,
    source_name,
    synth_app,
    user_errors,
)

DataArgument = typer.Argument(
    None, metavar="FILE",
    help="Microdata: CSV, Parquet, Excel, SPSS or Stata; on --engine spark also a "
    "directory or cluster storage (hdfs://…, s3a://…). Or --table.", show_default=False)
"""A data source: typed ``str``, not ``Path``, so that a URL keeps its ``//``."""


class ZeroPolicyChoice(StrEnum):
    drop = "drop"
    floor = "floor"
    ppml = "ppml"


class SEChoice(StrEnum):
    robust = "robust"
    classic = "classic"


class WeightKindChoice(StrEnum):
    probability = "probability"
    frequency = "frequency"


_TABLE_COLUMNS = ["measure", "group", "value", "lci", "uci", "n", "unit", "note"]


MemoryLimitOption = typer.Option(
    None, "--memory-limit", help="DuckDB memory limit, e.g. 3GB (spills beyond it).")


def _output_and_engine(out: Path | None, **engine: Any) -> Any:
    """Check ``--out``'s file type, then read the engine options (one-line errors, exit
    2, before anything is read)."""
    with user_errors():
        if out is not None and out.suffix.lower() not in {".json", ".csv", ".parquet", ".pq"}:
            fail(f"--out {out}: unsupported file type (expected .json, .csv or .parquet)")
        return engine_config(**engine)


@contextmanager
def _naming(file: str | None, table: str | None = None) -> Iterator[None]:
    """Add the file (or table) name to input errors raised without one (e.g. found by
    the engine while scanning the file)."""
    from socmob.errors import InputError

    try:
        yield
    except InputError as exc:
        name = file if file is not None else table
        if exc.file is None and name is not None:
            raise dataclasses.replace(exc, file=str(name)) from exc
        raise


def _payload(result: Any, *, within: bool) -> dict[str, Any]:
    """The JSON answer: the issue's keys for one population; with ``--by`` the groups,
    how they were ranked, and the groups not estimated with the reason."""
    payload: dict[str, Any] = result.to_dict()
    if hasattr(result, "not_estimated"):
        payload["ranks"] = "within" if within else "national"
    return payload


def _note_not_estimated(result: Any) -> None:
    """One line on stderr naming the groups that could not be estimated, and why."""
    missing = getattr(result, "not_estimated", None)
    if missing:
        reasons = "; ".join(f"{g} ({why})" for g, why in missing.items())
        typer.echo(f"note: not estimated for {len(missing)} group"
                   f"{'s' if len(missing) != 1 else ''} of {result.by}: {reasons}", err=True)


def _write_output(out: Path, result: Any, *, within: bool) -> None:
    from socmob.results import atomic_write, dumps, export_frame

    if out.suffix.lower() == ".json":
        text = dumps(_payload(result, within=within))
        atomic_write(out, lambda h: h.write(text + "\n"), mode="w")
    else:
        export_frame(result.to_frame(), out)


def income_command(
    file: str | None = DataArgument,
    parent: str = typer.Option(..., "--parent", help="Parent income column."),
    child: str = typer.Option(..., "--child", help="Child income column."),
    weight: str | None = typer.Option(None, "--weight", help="Survey weight column."),
    by: str | None = typer.Option(None, "--by", help="Estimate per group of this column."),
    within: bool = typer.Option(False, "--within",
                                help="Rank within groups (default: national ranks)."),
    quantiles: int = typer.Option(5, "--quantiles", help="k of the k×k transition matrix."),
    zero_policy: ZeroPolicyChoice = typer.Option(
        ZeroPolicyChoice.drop, "--zero-policy",
        help="Zero/negative incomes in the IGE: drop (and count), floor, or ppml."),
    floor: float | None = typer.Option(None, "--floor", help="Floor for --zero-policy floor."),
    parent_factor: float = typer.Option(
        1.0, "--parent-factor", help="Absolute mobility: multiply parent income (prices/age)."),
    child_factor: float = typer.Option(1.0, "--child-factor",
                                       help="Absolute mobility: multiply child income."),
    se: SEChoice = typer.Option(SEChoice.robust, "--se", help="Regression standard errors."),
    weight_kind: WeightKindChoice = typer.Option(
        WeightKindChoice.probability, "--weight-kind",
        help="Weights are survey (probability) or frequency weights."),
    bootstrap: int = typer.Option(
        0, "--bootstrap", min=0,
        help="Poisson-bootstrap replicates for the intervals of P(Q5|Q1) and the indices "
        "(all from one scan; ranks held at their full-sample values)."),
    seed: int | None = typer.Option(
        None, "--seed", help="Seed of the bootstrap (the same replicates on every engine)."),
    table: str | None = TableOption,
    engine: Engine | None = EngineOption,
    spark_master: str | None = SparkMasterOption,
    spark_remote: str | None = SparkRemoteOption,
    spark_conf: list[str] | None = SparkConfOption,
    config: Path | None = ConfigOption,
    memory_limit: str | None = MemoryLimitOption,
    sheet: str | None = typer.Option(None, "--sheet", help="Excel sheet name."),
    out: Path | None = typer.Option(
        None, "--out", help="Also write the result: .json (the JSON keys) or .csv/.parquet "
        "(tidy rows with intervals)."),
    progress: bool = typer.Option(True, "--progress/--no-progress",
                                  help="Show a progress bar while bootstrapping."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Income mobility of parent–child pairs: IGE, rank-rank slope, expected rank at p25,
    P(top quintile | bottom quintile), the transition matrix, absolute mobility and
    mobility indices. With --by, every group that can be estimated; the others are named
    with the reason on stderr (and under not_estimated in JSON). The engine aggregates
    the rows where they are (--engine spark: a cluster, by --spark-master or
    --spark-remote); only the sums come back."""
    settings = _output_and_engine(out, engine=engine, spark_master=spark_master,
                                  spark_remote=spark_remote, spark_conf=spark_conf,
                                  config=config, memory_limit=memory_limit)
    from socmob.income import income_mobility

    with user_errors(), _naming(file, table):
        _, data = open_microdata(file, table, settings, sheet=sheet)
        result = income_mobility(
            data.table, parent=parent, child=child, weight=weight, by=by, within=within,
            quantiles=quantiles, zero_policy=zero_policy.value, floor=floor,
            parent_factor=parent_factor, child_factor=child_factor, se=se.value,
            weight_kind=weight_kind.value, bootstrap=bootstrap, seed=seed,
            progress=progress, source=data.source)
        if out is not None:
            _write_output(out, result, within=within)
    _note_not_estimated(result)
    if fmt is OutputFormat.json:
        print_json(_payload(result, within=within))
        return
    frame = result.to_frame()
    if fmt is OutputFormat.table:
        frame = frame[[c for c in _TABLE_COLUMNS if c in frame.columns]].copy()
        frame["n"] = frame["n"].round().astype("Int64")
        if by is None:
            frame = frame.drop(columns="group")
    print_frame(frame, fmt, title=f"Income mobility — {source_name(file, table)}")


class TransformChoice(StrEnum):
    none = "none"
    log = "log"
    rank = "rank"


def income_areas_command(
    file: str | None = DataArgument,
    area: str = typer.Option(..., "--area", help="Area the child grew up in."),
    outcome: str = typer.Option(..., "--outcome", help="Adult outcome (e.g. earnings)."),
    disadvantaged: str = typer.Option(..., "--disadvantaged",
                                      help="0/1 or true/false column marking disadvantage."),
    weight: str | None = typer.Option(None, "--weight", help="Survey weight column."),
    transform: TransformChoice = typer.Option(
        TransformChoice.none, "--transform", help="Outcome as is, its log, or national rank."),
    table: str | None = TableOption,
    engine: Engine | None = EngineOption,
    spark_master: str | None = SparkMasterOption,
    spark_remote: str | None = SparkRemoteOption,
    spark_conf: list[str] | None = SparkConfOption,
    config: Path | None = ConfigOption,
    memory_limit: str | None = MemoryLimitOption,
    out: Path | None = typer.Option(None, "--out", help="Also write the tidy rows "
                                    "(.csv, .parquet or .json)."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Long Shadow-style area outcomes: the disadvantaged group's mean outcome by area,
    the advantaged − disadvantaged gap, and empirical-Bayes estimates for small areas."""
    settings = _output_and_engine(out, engine=engine, spark_master=spark_master,
                                  spark_remote=spark_remote, spark_conf=spark_conf,
                                  config=config, memory_limit=memory_limit)
    from socmob.income import area_outcomes
    from socmob.results import export_frame

    with user_errors(), _naming(file, table):
        _, data = open_microdata(file, table, settings)
        result = area_outcomes(data.table, area=area, outcome=outcome,
                               disadvantaged=disadvantaged, weight=weight,
                               transform=transform.value, source=data.source)
        frame = result.to_frame()
        if out is not None:
            export_frame(frame, out)
    if fmt is OutputFormat.table:
        frame = frame[["measure", "area_code", "value", "lci", "uci", "n", "note"]].copy()
        frame["n"] = frame["n"].round().astype("Int64")
    print_frame(frame, fmt, title=f"Area outcomes — {source_name(file, table)}")


def synth_income_command(
    rows: int = typer.Option(..., "--rows", min=1, help="Number of parent–child pairs."),
    rank_corr: float = typer.Option(..., "--rank-corr",
                                    help="Spearman rank correlation, in (−1, 1)."),
    out: Path = typer.Option(..., "--out", help="Parquet file to write."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    areas: int = typer.Option(0, "--areas", min=0, help="Number of areas (0: none)."),
    area_sd: float = typer.Option(0.0, "--area-sd", min=0.0,
                                  help="SD of the areas' effects on log child income."),
    weights: bool = typer.Option(False, "--weights/--no-weights",
                                 help="Add a survey-weight column."),
    chunk_rows: int = typer.Option(1_000_000, "--chunk-rows", min=1,
                                   help="Rows generated per chunk (memory)."),
    progress: bool = typer.Option(True, "--progress/--no-progress"),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Write SYNTHETIC parent–child income pairs (Gaussian copula, log-normal margins)
    with known true mobility parameters to Parquet."""
    from socmob.synth import synth_income

    with user_errors():
        if out.suffix.lower() not in {".parquet", ".pq"}:
            fail(f"--out {out}: synthetic populations are written as Parquet "
                 "(expected a .parquet file)")
        made = synth_income(out, rows=rows, rank_corr=rank_corr, seed=seed, areas=areas,
                            area_sd=area_sd, weights=weights, chunk_rows=chunk_rows,
                            progress=progress)
    truth = json.loads(made.truth.to_json())
    payload = {"synthetic": True, "path": str(made.path), "rows": made.rows,
               "seed": made.seed, "truth": truth}
    if fmt is OutputFormat.json:
        print_json(payload)
        return
    import pandas as pd

    keys = ["rank_corr", "pearson_rho", "ige", "rank_slope", "p_top_given_bottom",
            "absolute_mobility"]
    frame = pd.DataFrame({"parameter": keys, "true_value": [truth[k] for k in keys]})
    print_frame(frame, fmt, title=f"SYNTHETIC: {made.rows:,} pairs → {made.path}")


def synth_mobility_command(
    out: Path = typer.Option(..., "--out", help="CSV or Parquet file to write."),
    phi: str = typer.Option("1,0.8,0.6", "--phi",
                            help="Unidiff layer multipliers φ, comma-separated (one per layer)."),
    classes: int = typer.Option(5, "--classes", min=2, help="Number of classes."),
    n_per_layer: int = typer.Option(10_000, "--n-per-layer", min=1, help="People per layer."),
    scale: float = typer.Option(4.0, "--scale", help="Strength of the distance pattern ψ."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Write a SYNTHETIC layered origin × destination table drawn from a Unidiff model
    with known φ (per layer) and ψ (distance pattern)."""
    from socmob.synth import synth_unidiff_table

    with user_errors():
        try:
            phis = [float(v) for v in phi.split(",") if v.strip()]
        except ValueError:
            fail(f"--phi {phi!r}: expected comma-separated numbers such as 1,0.8,0.6")
        if out.suffix.lower() not in {".csv", ".parquet", ".pq"}:
            fail(f"--out {out}: unsupported file type (expected .csv or .parquet)")
        table = synth_unidiff_table(phi=phis, classes=classes, n_per_layer=n_per_layer,
                                    scale=scale, seed=seed)
        path = table.write(out)
    payload = {"synthetic": True, "path": str(path), "layers": list(table.layer_labels),
               "phi": table.phi.tolist(), "psi": table.psi.tolist(),
               "rows": len(table.counts)}
    if fmt is OutputFormat.json:
        print_json(payload)
        return
    import pandas as pd

    frame = pd.DataFrame({"layer": table.layer_labels, "phi": table.phi,
                          "n": table.counts.groupby("layer")["count"].sum().to_numpy()})
    print_frame(frame, fmt, title=f"SYNTHETIC Unidiff table → {path}")


def register(app: typer.Typer) -> None:
    """Add ``income``, ``income-areas``, ``synth income`` and ``synth mobility``."""
    app.command("income")(income_command)
    app.command("income-areas")(income_areas_command)
    synth_app.command("income")(synth_income_command)
    synth_app.command("mobility")(synth_mobility_command)
