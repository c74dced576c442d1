"""The dashboard's page routers, one module per page group.

Each module defines ``router`` (a FastAPI ``APIRouter``) and ``page``, a
:class:`~socmob.web.routes.base.Page` pairing the router with its main-menu entry.
:data:`PAGES` lists them in the order of the main menu; the app includes every router and
builds the menu from it. Adding a page group is two lines here — import its module, add
its ``page`` — see docs/architecture.md.
"""

from __future__ import annotations

from socmob.web.routes import (
    areas,
    assess,
    barometer,
    briefings,
    compare,
    employers,
    explorer,
    home,
    indicators,
    maps,
    pages,
)
from socmob.web.routes.base import MenuEntry, Page

#: Every page router, in main-menu order (pages without an entry anywhere).
PAGES: tuple[Page, ...] = (
    home.page,
    maps.page,
    areas.page,
    indicators.page,
    briefings.page,
    compare.page,
    explorer.page,
    barometer.page,
    employers.page,
    assess.page,
    pages.page,
)

__all__ = ["PAGES", "MenuEntry", "Page"]
