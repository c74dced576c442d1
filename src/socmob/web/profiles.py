"""Area profiles and briefings of the embedded data, computed once per app and edition.

The analyses behind an area page are deterministic (seeded) functions of the packaged
data, so one app keeps each profile, HTML briefing and PDF briefing it has made and
serves it again. Nothing derived from an upload passes through here.
"""

from __future__ import annotations

from functools import lru_cache

from socmob.errors import NotFoundError
from socmob.report import briefing, views

MAX_AREA_QUERY = 100


class AreaProfiles:
    """The area profiles (and briefings) of one edition, each made at most once."""

    def __init__(self, edition: int) -> None:
        self.edition = edition
        self._profile = lru_cache(maxsize=256)(self._make_profile)
        self._html = lru_cache(maxsize=64)(self._make_html)
        self._pdf = lru_cache(maxsize=32)(self._make_pdf)

    def find(self, query: str) -> views.AreaRef:
        """The area named by an id, GSS code or name; :class:`NotFoundError` if none."""
        if len(query) > MAX_AREA_QUERY:
            raise NotFoundError("no such area")
        return views.find_area(query, self.edition)

    def profile(self, query: str) -> views.AreaProfile:
        """The profile of the area named by ``query`` (see :meth:`find`)."""
        return self._profile(self.find(query).id)

    def briefing_html(self, area_id: str) -> str:
        """The area's briefing as a self-contained HTML document."""
        return self._html(self.find(area_id).id)

    def briefing_pdf(self, area_id: str) -> bytes:
        """The area's briefing as PDF."""
        return self._pdf(self.find(area_id).id)

    def _make_profile(self, area_id: str) -> views.AreaProfile:
        return views.area_profile(area_id, self.edition)

    def _make_html(self, area_id: str) -> str:
        return briefing.briefing_html(self._profile(area_id))

    def _make_pdf(self, area_id: str) -> bytes:
        return briefing.briefing_pdf(self._profile(area_id))
