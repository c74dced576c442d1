"""``socmob monitor``: the State of the Nation indicators from the command line.

``socmob monitor`` lists every indicator (latest value, gap, trend verdict, status);
``socmob monitor CODE [--by BREAKDOWN] [--geography country|itl2]`` shows one indicator
by a breakdown. A thin shell: every number comes from :mod:`socmob.monitor`, every
formatted one from :mod:`socmob.report.national`; heavy libraries are imported inside
the command.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import typer

from socmob.cli._common import FormatOption, OutputFormat, console, fail, user_errors


class Adjustment(StrEnum):
    """Multiple-comparison adjustments of the scan."""

    holm = "holm"
    bh = "bh"
    none = "none"


_STATUS_STYLE = {"good": "bold green", "bad": "bold red", "neutral": "bold blue", "none": ""}


def register(app: typer.Typer) -> None:
    """Add ``monitor`` to the command line."""

    @app.command("monitor")
    def monitor(
        code: str | None = typer.Argument(
            None, help="Indicator code or title, e.g. dr32 or 'youth unemployment'; "
                       "leave out for every indicator."),
        by: str | None = typer.Option(
            None, "--by", "-b", help="Breakdown: a dimension (seb, sex, ethnicity, "
                                     "disability, itl2_current_geo …) or a published "
                                     "breakdown such as 'neet; seb; sex'."),
        geography: str | None = typer.Option(
            None, "--geography", "-g", help="country, itl1, itl2, international or other."),
        edition: str | None = typer.Option(
            None, "--edition", "-e", help="son25 or son26 (default: the latest with the "
                                          "indicator)."),
        adjust: Adjustment | None = typer.Option(
            None, "--adjust", help="Multiple-comparison adjustment of the scan of every "
                                   "indicator: holm (default), bh or none."),
        fmt: OutputFormat = FormatOption,
    ) -> None:
        """The State of the Nation indicators: latest value, gap between the most and
        least advantaged groups, trend and health-check status (every indicator), or one
        indicator by a breakdown."""
        with user_errors():
            if code is None:
                if by is not None or geography is not None or edition is not None:
                    fail("--by, --geography and --edition need an indicator CODE")
                _overview(fmt, adjust.value if adjust is not None else None)
            else:
                _indicator(code, by=by, geography=geography, edition=edition, fmt=fmt,
                           adjust=adjust.value if adjust is not None else None)


def _styled(text: str, status: str) -> Any:
    from rich.text import Text

    from socmob.report.national import status_class

    return Text(text, style=_STATUS_STYLE[status_class(status)])


def _overview(fmt: OutputFormat, adjust: str | None) -> None:
    from rich.table import Table
    from rich.text import Text

    from socmob import ATTRIBUTION
    from socmob.cli._common import print_frame, print_json
    from socmob.monitor import overview
    from socmob.report.national import LEVEL_TITLES, overview_view

    scan = overview(adjustment=adjust)
    if fmt is OutputFormat.json:
        print_json(scan.to_dict())
        return
    if fmt is OutputFormat.csv:
        print_frame(scan.table(), fmt)
        return
    view = overview_view(scan)
    for level, rows in view.levels.items():
        table = Table(title=LEVEL_TITLES[level], title_justify="left", show_lines=False)
        for key, label in view.columns:
            numeric = key in {"value", "interval", "trend", "gap"}
            table.add_column(label, justify="right" if numeric else "left",
                             overflow="fold", no_wrap=key in {"code", "status"})
        for r in rows:
            cells: list[Any] = [str(r[key]) for key, _ in view.columns]
            cells[[k for k, _ in view.columns].index("status")] = _styled(r["status"],
                                                                         r["status"])
            cells[[k for k, _ in view.columns].index("gap_status")] = _styled(
                r["gap_status"], r["gap_status"])
            table.add_row(*cells)
        console.print(table)
    console.print(Text(view.adjustment_note, style="dim"), soft_wrap=True)
    console.print("One indicator: socmob monitor CODE [--by BREAKDOWN] [--geography itl2]",
                  style="dim")
    console.print(Text(ATTRIBUTION, style="dim"), soft_wrap=True)


def _indicator(code: str, *, by: str | None, geography: str | None, edition: str | None,
               fmt: OutputFormat, adjust: str | None) -> None:
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    from socmob import ATTRIBUTION
    from socmob.cli._common import print_frame, print_json
    from socmob.monitor import assess, breakdown, indicator, overview
    from socmob.monitor import display as fmt_
    from socmob.monitor.analysis import series_frame
    from socmob.monitor.series import records
    from socmob.results import jsonable

    entry = indicator(code)
    view = breakdown(entry.code, by=by, geography=geography, edition=edition)
    if edition is None and adjust != "none":
        a = overview(adjustment=adjust)[entry.code]
    else:
        a = assess(entry.code, edition=view.edition)
    if fmt is OutputFormat.csv:
        print_frame(series_frame(view.rows), fmt)
        return
    if fmt is OutputFormat.json:
        print_json({"indicator": entry.to_dict(), "edition": view.edition, "by": view.by,
                    "geography": view.geography, "breakdowns": list(view.breakdowns),
                    "assessment": a.to_dict()["summary"],
                    "status": {"status": a.status.status, "rule": a.status.rule,
                               "evidence": jsonable(dict(a.status.evidence))},
                    "gap_status": {"status": a.gap_status.status, "rule": a.gap_status.rule,
                                   "evidence": jsonable(dict(a.gap_status.evidence))},
                    "rows": jsonable(series_frame(view.rows)),
                    "gaps": jsonable(view.gaps), "series": jsonable(view.series)})
        return
    unit = a.series.display_unit if a.series is not None else "number"
    head = Text()
    head.append(f"{entry.code} {entry.title}", style="bold")
    head.append(f"  ({entry.level}; {entry.good} is better)\n" if entry.good != "neither"
                else f"  ({entry.level})\n")
    head.append(f"{entry.definition}\n{entry.population}. Source: {entry.source}.\n")
    head.append("Status: ")
    head.append_text(_styled(a.status.status, a.status.status))
    head.append(f". {a.status.text}\n")
    head.append("Gap: ")
    head.append_text(_styled(a.gap_status.status, a.gap_status.status))
    head.append(f". {a.gap_status.text or a.gap_reason}")
    if entry.caveats:
        head.append(f"\nNote: {entry.caveats}", style="dim")
    console.print(Panel(head, expand=False))
    where = "all geographies" if view.geography == "all" else view.geography
    table = Table(title=f"{entry.code} by {view.by} ({where}, {view.edition})",
                  title_justify="left")
    for label, justify in (("Place", "left"), ("Group", "left"), ("Time", "left"),
                           ("Value", "right"), ("95% interval", "right"), ("Interval", "left"),
                           ("n", "right")):
        table.add_column(label, justify=justify, overflow="fold")  # type: ignore[arg-type]
    rows = view.rows.sort_values(["breakdown", "series", "x"], kind="mergesort")
    for r in records(rows):
        group = "; ".join(str(v) for v in r.dims.values()) or "Total"
        shown_unit = unit if r.scale == (a.series.scale if a.series else r.scale) \
            else fmt_.default_unit(r.unit, r.scale)
        value = fmt_.value(r.value, shown_unit) if r.usable else f"({r.unusable})"
        table.add_row(str(r.place), group, str(r.time),
                      value, fmt_.interval(r.lower, r.upper, shown_unit, compact=True),
                      str(r.interval), "" if r.n != r.n else f"{r.n:,.0f}")
    console.print(table)
    if len(view.gaps):
        gaps = Table(title="Most against least advantaged group", title_justify="left")
        for label in ("Breakdown", "Other dimensions", "Time", "Most advantaged",
                      "Least advantaged", "Difference (95% CI)", "Ratio"):
            gaps.add_column(label, overflow="fold")
        for g in records(view.gaps):
            gaps.add_row(g.dimension, g.others, g.time,
                         f"{g.most_advantaged}: {fmt_.significant(g.most_value)}",
                         f"{g.least_advantaged}: {fmt_.significant(g.least_value)}",
                         f"{fmt_.significant(g.difference)} ({fmt_.significant(g.lower)} to "
                         f"{fmt_.significant(g.upper)})" if g.lower == g.lower
                         else fmt_.significant(g.difference),
                         fmt_.significant(g.ratio))
        console.print(gaps)
    console.print("Published values unchanged; intervals: published, derived (Wilson, n) or "
                  "none published. Full precision: --format csv.", style="dim")
    console.print(Text(ATTRIBUTION, style="dim"), soft_wrap=True)
