"""Sections of a page or briefing, and when one may say "not available".

The dashboard and the briefings are assembled from library results (``socmob.data``,
``socmob.place``, ``socmob.tables``, ``socmob.models``, ``socmob.workforce``). Each piece is
computed by a library function and wrapped in a :class:`Section`: either it holds a value,
or it says why it cannot be produced here — figures not published for the edition, an
index with one period and so no trend. That reason comes from a
:class:`~socmob.errors.UnavailableError` raised on purpose, naming the case; it is the only
error a section absorbs. Every other exception propagates: input problems to the form or
error page that shows them, anything else — a bug — to a 500 page (and a failing test).

Nothing here computes a statistic.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from socmob.errors import UnavailableError

T = TypeVar("T")

log = logging.getLogger("socmob.report")

Unavailable = UnavailableError
"""The error a producer raises when its section cannot be produced here (its ``reason``
is shown); the same class as :class:`socmob.errors.UnavailableError`."""


@dataclass(frozen=True)
class Section(Generic[T]):
    """A named piece of a page: ``value`` when available, else ``reason``."""

    name: str
    value: T | None = None
    reason: str | None = None

    @property
    def available(self) -> bool:
        """Whether the section holds a value."""
        return self.reason is None and self.value is not None

    def get(self) -> T:
        """The value; raises :class:`~socmob.errors.UnavailableError` (with the section's
        reason) when the section has none."""
        if self.value is None:
            raise UnavailableError(self.reason or f"{self.name} is not available")
        return self.value


def attempt(name: str, producer: Callable[[], T]) -> Section[T]:
    """Run ``producer`` and wrap its value in a :class:`Section`.

    A :class:`~socmob.errors.UnavailableError` becomes an unavailable section carrying its
    reason. Everything else propagates unchanged — a
    :class:`~socmob.errors.NotFoundError` or :class:`~socmob.errors.InputError` to the page
    or form that shows it, any other exception as the bug it is. A producer returns a
    value or raises; returning ``None`` is a bug too (:class:`TypeError`).
    """
    try:
        value = producer()
    except UnavailableError as exc:
        log.info("section %s not available: %s", name, exc.reason)
        return Section(name, reason=exc.reason)
    if value is None:
        raise TypeError(f"section {name!r}: the producer returned None; return the value "
                        "or raise UnavailableError with the reason")
    return Section(name, value=value)
