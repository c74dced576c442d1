"""``socmob data``, ``socmob areas``, ``socmob area`` and ``socmob summary``: the embedded
State of the Nation dataset from the command line.

A thin shell: every number comes from :mod:`socmob.data`, :mod:`socmob.data.summary` or
:mod:`socmob.place.areas`; this module only formats it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from socmob import ATTRIBUTION
from socmob.cli._common import (
    FormatOption,
    OutputFormat,
    console,
    print_frame,
    print_json,
    user_errors,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

data_app = typer.Typer(
    help="The embedded SMC State of the Nation dataset: catalogue and published figures.",
    no_args_is_help=True,
)

#: Rich styles of the SoN 2025 bands (1 = Least Favourable … 7 = Most Favourable) and of
#: the SoN 2024 groups (1 … 5).
_BAND_STYLE_2025 = {1: "bold red", 2: "red", 3: "yellow", 4: "", 5: "cyan", 6: "green",
                    7: "bold green"}
_BAND_STYLE_2024 = {1: "bold red", 2: "red", 3: "", 4: "green", 5: "bold green"}

EditionOption = typer.Option(2025, "--edition", "-e", help="State of the Nation edition: "
                             "2025 (205 areas) or 2024 (203 areas).")


def _attribution() -> None:
    console.print(Text(ATTRIBUTION, style="dim"), soft_wrap=True)


def _band_text(band: int, label: str, edition: int) -> Text:
    styles = _BAND_STYLE_2025 if edition == 2025 else _BAND_STYLE_2024
    return Text(str(label), style=styles.get(int(band), ""))


@data_app.command("list")
def data_list(
    kind: str | None = typer.Option(None, "--kind", "-k", help="Only one kind: composite, "
                                    "driver, intermediate outcome, mobility outcome."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """List the measures in the embedded dataset (the catalogue)."""
    from socmob import data

    with user_errors():
        cat = data.catalog()
        if kind is not None:
            kinds = sorted(cat["kind"].unique())
            if kind not in kinds:
                from socmob.errors import NotFoundError

                raise NotFoundError(f"unknown kind {kind!r}", kinds)
            cat = cat[cat["kind"] == kind]
    if fmt is OutputFormat.table:
        shown = cat[["code", "edition", "kind", "title", "unit", "geographies", "rows"]]
        print_frame(shown, fmt, title="socmob default dataset: State of the Nation measures")
        console.print("Show one with: socmob data show CODE  (composites: socmob area NAME)",
                      style="dim")
        _attribution()
    else:
        print_frame(cat, fmt)


@data_app.command("show")
def data_show(
    measure: str = typer.Argument(..., help="Measure code, e.g. dr32, in23, MO12."),
    area: str | None = typer.Option(None, "--area", "-a", help="Area name or code."),
    period: str | None = typer.Option(None, "--period", "-p", help="Period as published."),
    area_type: str | None = typer.Option(None, "--area-type", help="country, itl1, itl2, "
                                         "itl2_2025 or international."),
    edition: str | None = typer.Option(None, "--edition", "-e",
                                       help="son25 or son26 (default: the latest)."),
    limit: int = typer.Option(50, "--limit", "-n", min=0,
                              help="Table format: show at most this many rows (0 = all)."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Show the published figures of one measure (tidy rows)."""
    from socmob import data

    with user_errors():
        frame = data.load(measure, area=area, period=period, area_type=area_type,
                          edition=edition)
    if fmt is OutputFormat.table:
        title = f"{frame['measure'].iloc[0]} {frame['title'].iloc[0]} ({frame['edition'].iloc[0]})"
        columns = ["area_name", "period", "breakdown", "group", "value", "lci", "uci", "n",
                   "unit"]
        shown = frame[columns] if not limit else frame[columns].head(limit)
        print_frame(shown, fmt, title=title)
        if limit and len(frame) > limit:
            console.print(f"{limit} of {len(frame)} rows; --limit 0 or --format csv for all",
                          style="dim")
        _attribution()
    else:
        print_frame(frame, fmt)


def _areas_frame(edition: int, region: str | None) -> pd.DataFrame:
    import pandas as pd

    from socmob.place import areas

    chosen = areas.all_areas(edition=edition, region=region)
    return pd.DataFrame({
        "area_id": [a.id for a in chosen],
        "area_name": [a.name for a in chosen],
        "area_code": [a.code for a in chosen],
        "codes": [";".join(a.codes) for a in chosen],
        "region": [a.region for a in chosen],
        "nation": [a.nation for a in chosen],
    })


def areas_command(
    region: str | None = typer.Option(None, "--region", "-r", help="Only one region, "
                                      "e.g. 'North West' or Scotland."),
    edition: int = EditionOption,
    fmt: OutputFormat = FormatOption,
) -> None:
    """List the State of the Nation areas (205 in 2025, 203 in 2024)."""
    with user_errors():
        frame = _areas_frame(_edition(edition), region)
    if fmt is OutputFormat.table:
        shown = frame.assign(codes=frame["codes"].str.split(";").map(len))
        shown = shown.rename(columns={"codes": "gss_codes"})
        print_frame(shown[["area_name", "area_id", "area_code", "gss_codes", "region"]], fmt,
                    title=f"State of the Nation {edition}: {len(frame)} areas")
        _attribution()
    elif fmt is OutputFormat.json:
        print_json(frame.assign(codes=frame["codes"].str.split(";")))
    else:
        print_frame(frame, fmt)


def _edition(edition: int) -> int:
    from socmob.errors import NotFoundError

    if edition not in (2025, 2024):
        raise NotFoundError(f"no State of the Nation areas for edition {edition}",
                            ["2025", "2024"])
    return edition


def area_command(
    name: str = typer.Argument(..., help="Area name, slug, any GSS code it covers, or "
                               "the name of a district in it (e.g. Fenland)."),
    edition: int = EditionOption,
    fmt: OutputFormat = FormatOption,
) -> None:
    """The area profile: codes, region, and the four indices with z-score, band and
    national rank (1 = most favourable) for every period. A district's name or code
    leads to the county area that covers it, and says so."""
    from socmob.place import areas

    with user_errors():
        prof = areas.profile(name, edition=_edition(edition))
        found = areas.search(name, edition=_edition(edition))
    if fmt is OutputFormat.table and found and found[0].leads_to_covering_area:
        console.print(Text(found[0].reason, style="bold"), soft_wrap=True)
    if fmt is OutputFormat.json:
        print_json(prof.to_dict())
        return
    if fmt is OutputFormat.csv:
        frame = prof.indices.copy()
        frame.insert(0, "area_id", prof.area.id)
        frame.insert(1, "area_name", prof.area.name)
        frame.insert(2, "area_code", prof.area.code)
        print_frame(frame, fmt)
        return
    _print_profile(prof)


def _print_profile(prof: Any) -> None:
    area = prof.area
    codes = ", ".join(area.codes) if len(area.codes) <= 6 else (
        ", ".join(area.codes[:6]) + f" … ({len(area.codes)} codes)")
    head = Text.assemble(
        (area.name, "bold"), f"  ({area.id})\n",
        ("GSS code  ", "dim"), area.code, "\n",
        ("covers    ", "dim"), codes, "\n",
        ("region    ", "dim"), area.region, ("   nation  ", "dim"), area.nation,
    )
    console.print(Panel(head, title=f"State of the Nation {area.edition}", expand=False))
    table = Table(title="Composite indices (z-score: 0 = UK average; rank 1 = most favourable)",
                  title_justify="left")
    table.add_column("index")
    table.add_column("period")
    table.add_column("z", justify="right")
    table.add_column("band")
    table.add_column("rank", justify="right")
    previous = None
    for row in prof.indices.itertuples(index=False):
        title = "" if row.index_title == previous else f"{row.index_title} ({row.index_code})"
        previous = row.index_title
        table.add_row(title, str(row.period), f"{row.z:+.2f}",
                      _band_text(row.band, row.band_label, area.edition),
                      f"{row.rank} / {row.of}")
    console.print(table)
    _attribution()


def summary_command(
    edition: int = EditionOption,
    fmt: OutputFormat = FormatOption,
) -> None:
    """The national picture: areas per band of each composite index (latest period) and
    the headline national mobility outcomes."""
    import pandas as pd

    from socmob.data.summary import national_summary

    with user_errors():
        summ = national_summary(edition=_edition(edition))
    if fmt is OutputFormat.json:
        print_json(summ.to_dict())
        return
    if fmt is OutputFormat.csv:
        print_frame(summ.to_frame(), fmt)
        return
    wide = summ.band_table()
    table = Table(title=f"State of the Nation {edition}: areas in each band (latest period)",
                  title_justify="left")
    table.add_column("index", ratio=1)
    table.add_column("period", no_wrap=True)
    band_cols = [c for c in wide.columns if c not in ("index_code", "index_title", "period")]
    styles = _BAND_STYLE_2025 if edition == 2025 else _BAND_STYLE_2024
    for i in range(1, len(band_cols) + 1):
        table.add_column(Text(str(i), style=styles.get(i, "")), justify="right", no_wrap=True,
                         min_width=3)
    for rec in wide.to_dict(orient="records"):
        table.add_row(f"{rec['index_title']} ({rec['index_code']})", str(rec["period"]),
                      *[str(int(rec[c])) for c in band_cols])
    console.print(table)
    console.print("Bands: " + " · ".join(f"{i} {c}" for i, c in enumerate(band_cols, start=1)),
                  style="dim")
    out = Table(title="Headline national mobility outcomes (latest published values)",
                title_justify="left")
    out.add_column("measure")
    out.add_column("figure (UK)", ratio=1)
    out.add_column("period", no_wrap=True)
    out.add_column("value", justify="right", no_wrap=True)
    out.add_column("95% CI", justify="right", no_wrap=True)
    for rec in summ.outcomes.to_dict(orient="records"):
        ci = "" if pd.isna(rec["lci"]) else f"{float(rec['lci']):.3g} to {float(rec['uci']):.3g}"
        out.add_row(str(rec["measure"]), str(rec["label"]), str(rec["period"]),
                    f"{float(rec['value']):.3g}", ci)
    console.print(out)
    console.print("Explore an area with: socmob area NAME   ·   all measures: socmob data list",
                  style="dim")
    _attribution()


def register(app: typer.Typer) -> None:
    """Add ``data`` (list, show), ``areas``, ``area`` and ``summary`` to ``app``."""
    app.add_typer(data_app, name="data")
    app.command("areas")(areas_command)
    app.command("area")(area_command)
    app.command("summary")(summary_command)


__all__ = ["data_app", "register"]
