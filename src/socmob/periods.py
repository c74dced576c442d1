"""Period labels in time order, and the one rule for "the latest period".

The State of the Nation release writes time in several ways; each label is read as the
calendar years it covers (:class:`Span`):

=====================  ===========================================  ==============
label                  meaning                                      years covered
=====================  ===========================================  ==============
``2014``               one year                                     2014
``2013/14``            an academic or financial year, dated by      2014
                       the year it ends
``2016/20``            pooled survey years                          2016–2020
``1990-99``            a birth decade                               1990–1999
``2018-22``,           a pooled span (hyphen, en dash or "to"; a    2018–2022,
``2014-2025``,         two-digit end takes the century that makes   2014–2025,
``2014 to 2016``       it follow the start: ``1999/00`` ends 2000)  2014–2016
``SoN 2023``           not a time                                   —
=====================  ===========================================  ==============

**The rule.** Periods are ordered by the year they end, then by the year they start (of
two windows ending together, the one starting later — the more recent data — comes
later), then by the label's text (two spellings of the same years). Labels that are not
a time come before every time, in text order. :func:`latest_period` is the last label in
this order: the one whose data reach furthest forward. So ``"2018 to 2024"`` is later
than ``"2018 to 2020"``, ``"2021 to 2024"`` later than ``"2018 to 2024"``, ``"2014/15"``
(2015) later than ``"2014"``, and ``"2010 to 2020"`` later than ``"2015 to 2017"``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from socmob.errors import InputError

_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_SLASH = re.compile(r"^\s*(\d{4})\s*/\s*(\d{2}|\d{4})\s*$")
_RANGE = re.compile(r"^\s*(\d{4})\s*(?:-|–|to)\s*(\d{2}|\d{4})\s*$")

PeriodKey = tuple[int, int, int, str]
"""Sort key of a period label: ``(is a time, end year, start year, text)``."""


@dataclass(frozen=True, order=True)
class Span:
    """The calendar years ``start``–``end`` (inclusive) a period label covers."""

    start: int
    end: int

    @property
    def years(self) -> int:
        """How many calendar years the span covers."""
        return self.end - self.start + 1

    @property
    def midpoint(self) -> float:
        """The centre of the span, its position on a time axis."""
        return (self.start + self.end) / 2

    def overlap(self, other: Span) -> int:
        """Number of calendar years shared with ``other``."""
        return max(0, min(self.end, other.end) - max(self.start, other.start) + 1)

    def label(self) -> str:
        """``"2014"`` or ``"2014–2016"``."""
        return str(self.start) if self.start == self.end else f"{self.start}–{self.end}"


def _missing(label: Any) -> bool:
    """``None``, NaN, ``pd.NA`` or ``NaT``."""
    return label is None or (pd.api.types.is_scalar(label) and bool(pd.isna(label)))


def _full_year(first: int, second: str) -> int:
    """The second year of ``first/second`` or ``first-second``: a 2-digit ``second`` in
    the century that makes it follow ``first``."""
    if len(second) == 4:
        return int(second)
    year = first // 100 * 100 + int(second)
    return year + 100 if year < first else year


def parse_period(label: object) -> Span | None:
    """The years a period label covers, or ``None`` when it is not a time (see the
    module docstring for the forms).

    >>> parse_period("2013/14"), parse_period("1990-99"), parse_period("SoN 2023")
    (Span(start=2014, end=2014), Span(start=1990, end=1999), None)
    """
    if _missing(label):
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


def period_key(label: object) -> PeriodKey:
    """Sort key of a period label under the module's rule: ``(1, end, start, text)`` for
    a time, ``(0, 0, 0, text)`` for a label that is not one.

    >>> sorted(["2018 to 2024", "2014/15", "SoN 2023", "2014"], key=period_key)
    ['SoN 2023', '2014', '2014/15', '2018 to 2024']
    """
    text = str(label)
    span = parse_period(label)
    if span is None:
        return (0, 0, 0, text)
    return (1, span.end, span.start, text)


def sort_periods(labels: Iterable[Any]) -> list[str]:
    """The distinct labels (as text, missing values left out), earliest first."""
    return sorted({str(p) for p in labels if not _missing(p)}, key=period_key)


def latest_period(labels: Iterable[Any]) -> str:
    """The latest of ``labels`` (as text) under the module's rule; missing values are
    ignored.

    Raises
    ------
    InputError
        When there is no label to choose from.
    """
    ordered = sort_periods(labels)
    if not ordered:
        raise InputError("no periods to choose from", column="period",
                         expected="at least one period label")
    return ordered[-1]


def _order(labels: pd.Series) -> pd.Series:
    """Each label's position in time order (``-1`` for a missing label)."""
    rank = {label: k for k, label in enumerate(sort_periods(labels))}
    return labels.map(lambda p: -1 if _missing(p) else rank[str(p)])


def sort_by_period(frame: pd.DataFrame, column: str = "period",
                   by: str | list[str] | None = None) -> pd.DataFrame:
    """``frame``'s rows in time order of ``column`` under the module's rule (within
    ``by`` first, where given); rows of the same period keep their order.

    >>> f = pd.DataFrame({"period": ["2021 to 2024", "2014/15", "2018 to 2024"]})
    >>> sort_by_period(f)["period"].tolist()
    ['2014/15', '2018 to 2024', '2021 to 2024']
    """
    keys = [by] if isinstance(by, str) else list(by or [])
    order = _order(frame[column])
    tmp = "__socmob_period_order__"
    return (frame.assign(**{tmp: order})
            .sort_values([*keys, tmp], kind="stable").drop(columns=tmp))


def is_latest(frame: pd.DataFrame, by: str | list[str], column: str = "period") -> pd.Series:
    """Whether each row's ``column`` is the latest period (under the module's rule) of its
    group ``by``; rows without a period are never the latest.

    >>> f = pd.DataFrame({"index": ["a", "a", "b"],
    ...                   "period": ["2018 to 2020", "2018 to 2024", "2014"]})
    >>> is_latest(f, "index").tolist()
    [False, True, True]
    """
    order = _order(frame[column])
    latest = order.groupby([frame[b] for b in ([by] if isinstance(by, str) else by)]
                           ).transform("max")
    return (order == latest) & (order >= 0)


__all__ = ["PeriodKey", "Span", "is_latest", "latest_period", "parse_period",
           "period_key", "sort_by_period", "sort_periods"]
