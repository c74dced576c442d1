"""The dashboard's Jinja2 templates: loaders, filters and the globals every page uses."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from socmob import ATTRIBUTION, __version__
from socmob.report import charts
from socmob.report.formatting import fmt
from socmob.report.panels import Panel
from socmob.results import csv_text
from socmob.web.security import CSRF_FIELD

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
BUILD = STATIC / "build"


def csv_uri(panel: Panel) -> str:
    """The panel's tidy table as a ``data:`` URI, for CSV downloads of results that are
    not kept on the server (uploads are discarded after the request); written by
    :func:`socmob.results.csv_text` (formula-like text neutralised)."""
    text = csv_text(panel.table)
    return "data:text/csv;charset=utf-8;base64," + base64.b64encode(text.encode()).decode()


def is_number(value: Any) -> bool:
    """Whether ``value`` is a number (not a boolean): numeric table cells align right."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def make_templates(navigation: Sequence[tuple[str, str, str]] = ()) -> Jinja2Templates:
    """Jinja2 templates: the app's, the report's, and the govuk-frontend-jinja macros.

    ``navigation`` is the main menu, ``(key, address, label)`` in order; a page marks its
    own entry as current by passing ``active=key`` to ``render``.
    """
    loader = ChoiceLoader([
        FileSystemLoader(str(HERE / "templates")),
        PackageLoader("socmob.report", "templates"),
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja",
                                                            "templates")}),
    ])
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.loader = loader
    templates.env.filters["fmt"] = fmt
    templates.env.filters["csv_uri"] = csv_uri
    templates.env.tests["number"] = is_number
    templates.env.globals.update(
        attribution=ATTRIBUTION,
        version=__version__,
        navigation=tuple(navigation),
        band_legend=charts.band_legend(),
        assets_built=(BUILD / "socmob.css").exists(),
        csrf_field=CSRF_FIELD,
    )
    return templates
