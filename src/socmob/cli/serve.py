"""``socmob serve`` (the dashboard) and ``socmob briefing`` (an area briefing file, or
the national health check with ``socmob briefing national``).

Heavy libraries (uvicorn, the report and its PDF machinery) are imported inside the
commands, so ``socmob --help`` stays fast.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from socmob.cli._common import console, fail, user_errors


class BriefingFormat(StrEnum):
    """Formats of an area briefing."""

    html = "html"
    pdf = "pdf"


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``briefing`` to the command line."""

    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
        port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
        workers: int = typer.Option(
            1, "--workers", min=1, max=32,
            help="Worker processes. Each computes the analyses and keeps its own cache "
                 "(about N times the start-up CPU and memory); they share one CSRF secret "
                 "(SOCMOB_SECRET_KEY, made up for the run when unset)."),
    ) -> None:
        """Start the web dashboard on the embedded data and print its address.

        The pages are ready when /readyz answers 200 (every analysis of the embedded data
        computed, a few seconds after start); answers are then served from memory."""
        import os
        import secrets

        import uvicorn

        if workers > 1 and not os.environ.get("SOCMOB_SECRET_KEY"):
            # the workers inherit it, so a form served by one is accepted by another
            os.environ["SOCMOB_SECRET_KEY"] = secrets.token_urlsafe(32)
        shown = "localhost" if host in {"127.0.0.1", "0.0.0.0", "::"} else host
        console.print(f"socmob dashboard: [bold]http://{shown}:{port}/[/] (Ctrl+C to stop; "
                      f"ready when /readyz answers)", highlight=False, soft_wrap=True)
        uvicorn.run("socmob.web.app:create_app", factory=True, host=host, port=port,
                    workers=workers, log_level="warning", access_log=False,
                    proxy_headers=False)

    @app.command("briefing")
    def briefing(
        area: str = typer.Argument(..., help="Area name, id or GSS code, e.g. 'Blackpool'; "
                                             "or 'national' for the national health check "
                                             "of the State of the Nation indicators."),
        fmt: BriefingFormat = typer.Option(BriefingFormat.pdf, "--format", "-f",
                                           help="html or pdf."),
        out: Path = typer.Option(..., "--out", "-o", help="File to write."),
        edition: int = typer.Option(2025, "--edition", help="SoN edition of the indices "
                                                            "(area briefings)."),
    ) -> None:
        """Write a 2–4 page briefing (HTML or PDF) for a meeting: one area's, or with
        'national' the national health check of the State of the Nation indicators."""
        from socmob._text import normalise
        from socmob.results import atomic_write

        if normalise(area) == "national":
            from socmob.report import national

            with user_errors():
                if fmt is BriefingFormat.pdf:
                    data = national.briefing_pdf()
                    atomic_write(out, lambda h: h.write(data))
                else:
                    text = national.briefing_html()
                    atomic_write(out, lambda h: h.write(text), mode="w")
            console.print(f"wrote {out} (national health check, {fmt.value})", highlight=False)
            return

        from socmob.report import briefing as briefings
        from socmob.report import views
        from socmob.report.sections import Unavailable

        with user_errors():
            try:
                profile = views.area_profile(area, edition)
            except Unavailable as exc:
                fail(f"area briefings are {exc.reason}")
            if fmt is BriefingFormat.pdf:
                pdf = briefings.briefing_pdf(profile)
                atomic_write(out, lambda h: h.write(pdf))
            else:
                html = briefings.briefing_html(profile)
                atomic_write(out, lambda h: h.write(html), mode="w")
        console.print(f"wrote {out} ({profile.area.name}, {fmt.value})", highlight=False)
