"""``socmob assess``: policy scenarios and "against the odds" from the command line.

``socmob assess SCENARIO.yaml [--format table|csv|json|html|pdf] [--out FILE]`` assesses a
scenario (:mod:`socmob.assess`) and prints or writes its report (:mod:`socmob.report.assess`);
``socmob assess odds FILE --outcome … --disadvantage …`` says which units do better or
worse than their disadvantage predicts; ``socmob assess schema`` prints the scenario
file's JSON Schema. A thin shell: heavy libraries are imported inside the commands, a
problem is one line on stderr with exit code 2, and nothing is written unless the whole
report could be made.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from socmob.cli._common import FormatOption, OutputFormat, console, fail, user_errors


class ReportFormat(StrEnum):
    """Outputs of ``socmob assess SCENARIO``."""

    table = "table"
    csv = "csv"
    json = "json"
    html = "html"
    pdf = "pdf"


class Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


class Correction(StrEnum):
    none = "none"
    bonferroni = "bonferroni"
    fdr = "fdr"


class _ScenarioFirst(TyperGroup):
    """``socmob assess FILE`` runs the ``run`` command; ``socmob assess odds …`` and
    ``socmob assess schema`` are subcommands."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args.insert(0, "run")
        return super().resolve_command(ctx, args)

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        formatter.write_usage("socmob assess", "SCENARIO.yaml [OPTIONS] | odds FILE … | "
                              "schema")


assess_app = typer.Typer(
    cls=_ScenarioFirst, no_args_is_help=True,
    help="Assess a policy scenario (place indices, gaps by background, incomes) and flag "
         "its negative impacts; or find the units that do better or worse than their "
         "disadvantage predicts (odds). 'socmob assess SCENARIO.yaml --help' lists the "
         "options of a scenario run.")


@assess_app.command("run", hidden=True)
def run_command(
    scenario: Path = typer.Argument(..., help="The scenario file (YAML or JSON).",
                                    show_default=False),
    fmt: ReportFormat = typer.Option(ReportFormat.table, "--format", "-f",
                                     help="table (a summary), csv (tidy rows), json, html "
                                          "or pdf (the report)."),
    out: Path | None = typer.Option(None, "--out", "-o",
                                    help="Write the report here (needed for pdf)."),
    runs: int | None = typer.Option(None, "--runs", min=1, max=20_000,
                                    help="Monte Carlo runs (default: the scenario's, 1000)."),
    seed: int | None = typer.Option(None, "--seed", help="Seed (default: the scenario's)."),
    microdata: Path | None = typer.Option(
        None, "--microdata", help="Parent–child incomes for the scenario's income part "
                                  "(CSV, Parquet, Excel, SPSS, Stata); default: the "
                                  "scenario's income.data, relative to the scenario file."),
    parent: str | None = typer.Option(None, "--parent", help="Parent income column."),
    child: str | None = typer.Option(None, "--child", help="Child income column."),
    weight: str | None = typer.Option(None, "--weight", help="Survey weight column."),
    engine: Engine = typer.Option(Engine.duckdb, "--engine", help="Engine of the microdata."),
) -> None:
    """Assess SCENARIO: the place impact with its uncertainty, the gaps by background, the
    income impact, the negative impacts flagged."""
    import dataclasses

    with user_errors():
        if fmt is ReportFormat.pdf and out is None:
            fail("--format pdf needs --out FILE (a PDF is not printed to the terminal)")
        if out is not None and fmt in (ReportFormat.table,):
            fail("--out needs --format csv, json, html or pdf")
        from socmob.assess import assess, read_scenario
        from socmob.report.assess import assessment_report, render

        s = read_scenario(scenario)
        table = None
        source = None
        if s.income is not None:
            path = microdata
            if path is None and s.income.data is not None:
                path = (scenario.parent / s.income.data)
            if path is not None:
                table, source = _read_microdata(path, engine.value)
            if parent or child or weight:
                s = dataclasses.replace(s, income=dataclasses.replace(
                    s.income, parent=parent or s.income.parent,
                    child=child or s.income.child,
                    weight=weight if weight is not None else s.income.weight))
        result = assess(s, microdata=table, microdata_source=source, runs=runs, seed=seed)
        if fmt is ReportFormat.table:
            _print_summary(result)
            return
        if fmt is ReportFormat.csv:
            from socmob.results import csv_text

            payload = csv_text(result.to_frame()).encode("utf-8")
        else:
            payload = render(assessment_report(result), fmt.value)
        if out is None:
            typer.echo(payload.decode("utf-8"), nl=False)
        else:
            from socmob.results import atomic_write

            atomic_write(out, lambda h: h.write(payload))
            typer.echo(f"wrote {out}", err=True)


def _read_microdata(path: Path, engine: str) -> tuple[Any, str]:
    from socmob.engine import connect
    from socmob.engine.readers import read_microdata

    con = connect(engine)
    return read_microdata(path, con=con).table, str(path)


def _print_summary(result: Any) -> None:
    from socmob import ATTRIBUTION
    from socmob.cli._common import print_frame

    console.print(f"[bold]{result.scenario.name}[/]")
    for line in result.headlines():
        console.print(f"• {line}", highlight=False)
    if result.place is not None:
        cols = {"index_code": "index", "units_targeted": "targeted", "score_up": "up",
                "score_down": "down", "rank_up": "rank up", "rank_down": "rank down",
                "band_up": "band up", "band_down": "band down",
                "fifth_gap_baseline": "gap before", "fifth_gap_scenario": "gap after"}
        frame = result.place.overall[list(cols)].rename(columns=cols)
        print_frame(frame, OutputFormat.table,
                    title=f"Place impact ({result.place.unit_label}s; gap: top minus bottom "
                          "fifth)")
    if result.flags:
        frame = result.flags_frame()
        counts = frame.groupby("kind", sort=False).size().rename("flags").reset_index()
        print_frame(counts, OutputFormat.table, title="Negative impacts flagged")
    console.print(ATTRIBUTION, style="dim", highlight=False)


@assess_app.command("odds")
def odds_command(
    file: Path = typer.Argument(..., help="Units: CSV, Excel, Parquet, SPSS or Stata, one row "
                                          "per unit.", show_default=False),
    outcome: str = typer.Option(..., "--outcome", help="Outcome column."),
    disadvantage: str = typer.Option(..., "--disadvantage",
                                     help="Disadvantage column(s), comma-separated."),
    unit_id: str | None = typer.Option(None, "--id", help="Unit id column (default: the "
                                                          "first column)."),
    name: str | None = typer.Option(None, "--name", help="Column of display names."),
    alpha: float = typer.Option(0.05, "--alpha", min=1e-6, max=0.5,
                                help="Level of the prediction intervals (0.05: 95%)."),
    correction: Correction = typer.Option(Correction.none, "--correction",
                                          help="Over the units: none, bonferroni or fdr."),
    notable: bool = typer.Option(False, "--notable",
                                 help="Only the units better or worse than expected."),
    out: Path | None = typer.Option(None, "--out", help="Also write the tidy rows (.csv, "
                                                        ".parquet or .json)."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Better or worse than expected: each unit's outcome against its leave-one-out
    prediction interval from the outcome ~ disadvantage regression."""
    from socmob.cli._common import print_frame, print_json, split_list

    with user_errors():
        from socmob.assess import odds_from_file

        res = odds_from_file(file, outcome=outcome, disadvantage=split_list(disadvantage) or [],
                             name=name, unit_id=unit_id, alpha=alpha,
                             correction=correction.value)
        if out is not None:
            res.export(out)
    if fmt is OutputFormat.json:
        print_json({"model": {"outcome": res.outcome, "disadvantage": list(res.disadvantage),
                              "nobs": res.fit.nobs, "rsquared": res.fit.rsquared,
                              "params": res.fit.params.to_dict(),
                              "bse": res.fit.bse.to_dict(), "alpha": alpha,
                              "correction": correction.value},
                    "verdicts": res.verdicts(), "units": res.units,
                    "dropped": res.dropped})
        return
    units = res.units
    if notable:
        from socmob.place.expected import AS_EXPECTED

        units = units[units["verdict"] != AS_EXPECTED]
    if fmt is OutputFormat.csv:
        print_frame(units, fmt)
        return
    console.print(res.summary(), highlight=False)
    print_frame(units[["unit_id", "unit_name", "observed", "expected", "pi_lower", "pi_upper",
                       "verdict"]], fmt, title="Against the odds")


@assess_app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of a scenario file."""
    from socmob.cli._common import print_json

    with user_errors():
        from socmob.assess import scenario_schema

        print_json(scenario_schema())


def register(app: typer.Typer) -> None:
    """Add ``assess`` (a scenario, ``odds``, ``schema``) to the command line."""
    app.add_typer(assess_app, name="assess")


__all__ = ["register"]
