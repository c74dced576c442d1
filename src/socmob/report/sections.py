"""Sections of a page or briefing that may not be available yet.

The dashboard and the briefings are assembled from library results (``socmob.data``,
``socmob.place``, ``socmob.tables``, ``socmob.models``, ``socmob.workforce``). Each piece is
computed by a library function and wrapped in a :class:`Section`: either it holds a value,
or it says why it is not available (a module not installed yet, data not built yet), so a
page degrades to "not available yet" instead of failing.

Nothing here computes a statistic.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from socmob.errors import NotFoundError, SocmobError

T = TypeVar("T")

log = logging.getLogger("socmob.report")

#: Errors that mean "this part of socmob is not available here yet" rather than a bug in
#: the caller's input: a module or function that has not landed, an interface still
#: shifting, or packaged data that has not been built.
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    ImportError,
    AttributeError,
    NotImplementedError,
    FileNotFoundError,
    TypeError,
    KeyError,
    LookupError,
    ValueError,
)


class Unavailable(Exception):  # noqa: N818 - reads better at call sites
    """Raised when a section cannot be produced; ``reason`` is shown to the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
        """The value; raises :class:`Unavailable` when the section has none."""
        if self.value is None:
            raise Unavailable(self.reason or "not available yet")
        return self.value


def attempt(name: str, producer: Callable[[], T], *, raise_input: bool = False
            ) -> Section[T]:
    """Run ``producer`` and wrap its value in a :class:`Section`.

    :class:`Unavailable` and :data:`UNAVAILABLE_ERRORS` become an unavailable section
    ("not available yet"; the detail goes to the log, never to the page); another
    :class:`~socmob.errors.SocmobError` becomes a section whose reason is the library's
    own message; :class:`~socmob.errors.NotFoundError` propagates (the caller asked for
    something that does not exist), and so does every other
    :class:`~socmob.errors.SocmobError` when ``raise_input`` is true (the caller shows
    it next to the form that caused it).
    """
    try:
        value = producer()
    except NotFoundError:
        raise
    except Unavailable as exc:
        return Section(name, reason=exc.reason)
    except SocmobError as exc:
        if raise_input:
            raise
        return Section(name, reason=str(exc))
    except UNAVAILABLE_ERRORS as exc:
        log.info("section %s not available: %s: %s", name, type(exc).__name__, exc)
        return Section(name, reason="not available yet")
    if value is None:
        return Section(name, reason="not available yet")
    return Section(name, value=value)


def require(module: str, attr: str | None = None) -> Any:
    """Import ``module`` (and return ``attr`` of it) or raise :class:`Unavailable`."""
    import importlib

    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise Unavailable("not available yet") from exc
    if attr is None:
        return mod
    try:
        return getattr(mod, attr)
    except AttributeError as exc:
        raise Unavailable("not available yet") from exc
