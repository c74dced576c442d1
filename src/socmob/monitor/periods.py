"""Time in the State of the Nation release: the calendar years each published point covers.

The release writes time in many ways, and not always in the period column:

=====================  ===========================================  ==============
label                  meaning                                      years covered
=====================  ===========================================  ==============
``2014``               one year                                     2014
``2013/14``            an academic or financial year, dated by      2014
                       the year it ends (SoN 2025 writes it
                       ``2014``)
``2016/20``            pooled survey years                          2016–2020
``1990-99``            a birth decade                               1990–1999
``2018-22``,           a pooled span                                2018–2022,
``2014-2025``,                                                      2014–2025,
``2014 to 2016``                                                    2014–2016
``SoN 2023``           not a time                                   —
=====================  ===========================================  ==============

Where a series carries one fixed span in the period column (``dr32``: period
``"2014-2025"`` on every row) the year of each point is the ``year`` dimension of the
breakdown; where the note says ``"3-year moving average"`` a point dated ``2016``
covers 2014–2016 (:func:`moving_average_years`). Two points whose years overlap share
data; :func:`overlap_correlation` gives the correlation that sharing implies.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_SLASH = re.compile(r"^\s*(\d{4})\s*/\s*(\d{2}|\d{4})\s*$")
_RANGE = re.compile(r"^\s*(\d{4})\s*(?:-|–|to)\s*(\d{2}|\d{4})\s*$")
_MOVING = re.compile(r"(\d+)\s*-?\s*year moving average", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Span:
    """The calendar years ``start``–``end`` (inclusive) a published point covers."""

    start: int
    end: int

    @property
    def years(self) -> int:
        """How many calendar years the point covers."""
        return self.end - self.start + 1

    @property
    def midpoint(self) -> float:
        """The centre of the span, the point's position on a time axis."""
        return (self.start + self.end) / 2

    def overlap(self, other: Span) -> int:
        """Number of calendar years shared with ``other``."""
        return max(0, min(self.end, other.end) - max(self.start, other.start) + 1)

    def label(self) -> str:
        """``"2014"`` or ``"2014–2016"``."""
        return str(self.start) if self.start == self.end else f"{self.start}–{self.end}"


def _full_year(first: int, second: str) -> int:
    """The second year of ``first/second`` or ``first-second`` with a 2-digit ``second``
    in the century that makes it follow ``first``."""
    if len(second) == 4:
        return int(second)
    year = first // 100 * 100 + int(second)
    return year + 100 if year < first else year


def parse_span(label: object) -> Span | None:
    """The years a period label covers, or ``None`` when it is not a time (see the module
    docstring for the forms)."""
    if label is None or (isinstance(label, float) and math.isnan(label)):
        return None
    text = str(label)
    if m := _YEAR.match(text):
        year = int(m.group(1))
        return Span(year, year)
    if m := _SLASH.match(text):
        first = int(m.group(1))
        last = _full_year(first, m.group(2))
        if last == first + 1:  # an academic or financial year: dated by its end
            return Span(last, last)
        return Span(first, last) if last > first else None
    if m := _RANGE.match(text):
        first = int(m.group(1))
        last = _full_year(first, m.group(2))
        return Span(first, last) if last >= first else None
    return None


def moving_average_years(note: object) -> int | None:
    """``3`` for a note saying "3-year moving average", else ``None``."""
    if note is None or (isinstance(note, float) and math.isnan(note)):
        return None
    m = _MOVING.search(str(note))
    return int(m.group(1)) if m else None


def overlap_correlation(a: Span, b: Span) -> float:
    """Correlation between two estimates whose spans share years.

    Each estimate is taken as the mean of independent yearly estimates of equal variance
    ``σ²`` (the release's pooled windows and moving averages): then ``Var(A) = σ²/wA``,
    ``Cov(A, B) = kσ²/(wA·wB)`` for ``k`` shared years, so ``ρ = k / sqrt(wA·wB)``. Two
    adjacent points of a 3-year moving average have ``ρ = 2/3``; disjoint spans ``ρ = 0``.
    """
    shared = a.overlap(b)
    return shared / math.sqrt(a.years * b.years) if shared else 0.0


def non_overlapping(spans: list[Span]) -> list[int]:
    """Indices (in time order) of a largest set of mutually disjoint spans that keeps the
    latest point: walk back from the latest span, keeping each span that ends before the
    last one kept starts. For a 3-year moving average this keeps every third point,
    counting back from the latest."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i].end, spans[i].start), reverse=True)
    kept: list[int] = []
    for i in order:
        if not kept or spans[i].end < spans[kept[-1]].start:
            kept.append(i)
    return sorted(kept, key=lambda i: spans[i].midpoint)


__all__ = [
    "Span",
    "moving_average_years",
    "non_overlapping",
    "overlap_correlation",
    "parse_span",
]
