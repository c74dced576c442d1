"""``socmob workforce``: the employers' toolkit (report, questionnaire, responses,
maturity self-assessment) and ``socmob synth workforce``."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from socmob.cli._common import (
    FormatOption,
    OutputFormat,
    fail,
    print_frame,
    print_json,
    synth_app,
    user_errors,
)

workforce_app = typer.Typer(
    help="Employers' toolkit: socio-economic background of a workforce, class ceiling and "
    "class pay gap, with disclosure control.",
    no_args_is_help=True,
)


class ReportFormat(StrEnum):
    """Formats of the employer report."""

    json = "json"
    html = "html"
    pdf = "pdf"


class QuestionnaireFormat(StrEnum):
    """Formats of the questionnaire export."""

    html = "html"
    json = "json"
    csv = "csv"


class View(StrEnum):
    """Report views."""

    publishable = "publishable"
    internal = "internal"


def _emit(content: str | bytes, out: Path | None) -> None:
    if out is None:
        if isinstance(content, bytes):
            fail("binary output (PDF) needs --out FILE")
        sys.stdout.write(content if content.endswith("\n") else content + "\n")
        return
    from socmob.results import atomic_write

    if isinstance(content, bytes):
        atomic_write(out, lambda h: h.write(content))
    else:
        atomic_write(out, lambda h: h.write(content), mode="w")
    typer.echo(f"wrote {out}", err=True)


@workforce_app.command("report")
def report_cmd(
    hr_file: Path = typer.Argument(..., help="HR extract (CSV or XLSX)."),
    mapping: Path = typer.Option(..., "--mapping", "-m", help="Column mapping (YAML)."),
    fmt: ReportFormat = typer.Option(ReportFormat.html, "--format", "-f",
                                     help="json, html or pdf."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file."),
    view: View = typer.Option(View.publishable, "--view",
                              help="publishable (disclosure-controlled) or internal."),
    threshold: int = typer.Option(10, help="Smallest count published."),
    min_respondents: int = typer.Option(50, help="Refuse below this many classifiable "
                                                  "respondents."),
    round_to: int | None = typer.Option(None, help="Round published counts to this base."),
    reference: str = typer.Option("professional", help="Reference background for gaps."),
    organisation: str = typer.Option("", help="Organisation name for the title."),
    n_boot: int = typer.Option(1000, help="Bootstrap replicates for gap intervals."),
    seed: int = typer.Option(0, help="Random seed of the bootstrap."),
    progress: bool = typer.Option(True, "--progress/--no-progress",
                                  help="Show a progress bar."),
    weight_by_grade: bool = typer.Option(
        False, "--weight-by-grade/--no-weight",
        help="Also give the background shares weighted for non-response: respondents "
             "raked to the headcount of each grade (marked as weighted, with the design "
             "effect)."),
) -> None:
    """Class pay gap and representation report from an HR extract.

    Nothing is written unless the whole file is valid and the report can be published.
    """
    with user_errors():
        from socmob.report.workforce import report_html, report_json, report_pdf
        from socmob.workforce.disclosure import DisclosurePolicy
        from socmob.workforce.hr import read_hr
        from socmob.workforce.summary import workforce_summary

        if fmt is ReportFormat.pdf and out is None:
            fail("--format pdf needs --out FILE")
        policy = DisclosurePolicy(threshold=threshold, min_respondents=min_respondents,
                                  round_to=round_to)
        hr = read_hr(hr_file, mapping)
        summary = workforce_summary(hr, view=view.value, policy=policy, reference=reference,
                                    organisation=organisation, n_boot=n_boot, seed=seed,
                                    progress=progress, weight_by_grade=weight_by_grade)
        content: str | bytes
        if fmt is ReportFormat.json:
            content = report_json(summary)
        elif fmt is ReportFormat.html:
            content = report_html(summary)
        else:
            content = report_pdf(summary)
        _emit(content, out)


@workforce_app.command("questionnaire")
def questionnaire_cmd(
    fmt: QuestionnaireFormat = typer.Option(QuestionnaireFormat.html, "--format", "-f",
                                            help="html, json or csv."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file."),
) -> None:
    """Export the socio-economic background questionnaire for your survey tool."""
    with user_errors():
        from socmob.report.workforce import questionnaire_html
        from socmob.results import csv_text, dumps
        from socmob.workforce.survey import load_questionnaire

        q = load_questionnaire()
        if fmt is QuestionnaireFormat.json:
            content = dumps(q.to_dict())
        elif fmt is QuestionnaireFormat.csv:
            content = csv_text(q.to_frame())
        else:
            content = questionnaire_html(q)
        _emit(content, out)


@workforce_app.command("responses")
def responses_cmd(
    file: Path = typer.Argument(..., help="Survey export (CSV or XLSX), one column per "
                                          "question id."),
    fmt: OutputFormat = FormatOption,
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the coded answers "
                                                            "(CSV)."),
) -> None:
    """Import survey responses: validate and code every answer.

    Adds the background and, where the follow-ups were asked, the self-coded NS-SEC.
    """
    with user_errors():
        from socmob.results import csv_text
        from socmob.workforce.survey import read_responses

        res = read_responses(file)
        if out is not None:
            _emit(csv_text(res.frame), out)
            return
        print_frame(res.seb_report, fmt, title="Key-question answers and their mapping")


def _read_answers(path: Path) -> dict[str, Any]:
    from socmob.errors import InputError
    from socmob.io import read_document

    data = read_document(path, what="answers file")
    if not isinstance(data, dict):
        raise InputError("answers must map question ids to scores", file=str(path),
                         expected="question_id: score")
    return data


@workforce_app.command("assess")
def assess_cmd(
    answers: Path | None = typer.Argument(None, help="YAML/JSON: question id → score "
                                                     "(0-3). Omit to list the statements."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv, json or html."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file."),
) -> None:
    """Maturity self-assessment: score → level and next steps."""
    with user_errors():
        from socmob.report.workforce import maturity_html
        from socmob.results import dumps
        from socmob.workforce.maturity import assess_maturity, maturity_questions

        if fmt not in ("table", "csv", "json", "html"):
            fail(f"unknown format {fmt!r} (expected table, csv, json or html)")
        if answers is None:
            if fmt == "html":
                fail("html needs an answers file")
            print_frame(maturity_questions(), fmt, title="Maturity statements")
            return
        result = assess_maturity(_read_answers(answers), file=str(answers))
        if fmt == "html":
            _emit(maturity_html(result), out)
        elif fmt == "json":
            if out:
                _emit(dumps(result.to_dict()), out)
            else:
                print_json(result.to_dict())
        else:
            print_frame(result.areas, fmt,
                        title=f"Overall {result.score:.0f}/100: {result.level}")
            if fmt == "table":
                for area, step in result.next_steps:
                    typer.echo(f"- {area}: {step}")


def synth_workforce_cmd(
    employees: int = typer.Option(1000, "--employees", "-n", help="Number of employees."),
    out: Path = typer.Option(..., "--out", "-o", help="HR extract to write (.csv or .xlsx)."),
    mapping_out: Path | None = typer.Option(None, "--mapping-out",
                                            help="Mapping YAML (default: next to --out)."),
    seed: int = typer.Option(0, help="Random seed."),
) -> None:
    """A labelled SYNTHETIC HR extract and its column mapping (for demos)."""
    with user_errors():
        import yaml

        from socmob.results import atomic_write, csv_text, neutralise_formulas
        from socmob.synth.workforce import synthetic_workforce

        suffix = out.suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            fail(f"unsupported output {out.name!r} (expected .csv or .xlsx)")
        if employees < 1:
            fail("--employees must be at least 1")
        sw = synthetic_workforce(employees, seed=seed)
        map_path = mapping_out or out.with_name(out.stem + ".mapping.yaml")
        header = ("# SYNTHETIC demo data generated by socmob (synth workforce); "
                  f"seed {seed}, {employees} employees\n")
        text = header + yaml.safe_dump(sw.mapping.to_dict(), sort_keys=False,
                                       allow_unicode=True)
        if suffix == ".csv":
            data = csv_text(sw.frame)
            atomic_write(out, lambda h: h.write(data), mode="w")
        else:
            safe = neutralise_formulas(sw.frame)
            atomic_write(out, lambda h: safe.to_excel(h, index=False,
                                                      sheet_name="SYNTHETIC HR"))
        atomic_write(map_path, lambda h: h.write(text), mode="w")
        typer.echo(f"wrote {out} and {map_path} (SYNTHETIC)", err=True)


def register(app: typer.Typer) -> None:
    """Add the ``workforce`` group and ``synth workforce``."""
    app.add_typer(workforce_app, name="workforce")
    synth_app.command("workforce")(synth_workforce_cmd)


__all__ = ["register", "workforce_app"]
