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
data; :func:`overlap_correlation` gives the correlation that sharing implies. Labels are
read, and :class:`Span` defined, once for the whole package in :mod:`socmob.periods`.
"""

from __future__ import annotations

import math
import re

from socmob.periods import Span

_MOVING = re.compile(r"(\d+)\s*-?\s*year moving average", re.IGNORECASE)


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
]
