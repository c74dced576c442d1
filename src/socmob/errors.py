"""Exceptions raised by socmob.

Every error the library raises on purpose derives from :class:`SocmobError`, so callers
(and the CLI, which turns them into one-line messages and exit code 2) can tell an input
or usage problem from a bug.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WHITESPACE = re.compile(r"\s+")


def one_line(text: object) -> str:
    """``text`` on one line: every run of white space (newlines, tabs) becomes one space.

    Error messages end up in terminals, logs and web pages, one message per line; a
    library's multi-line message (a CSV parser's, a Parquet reader's) is folded here.
    """
    return _WHITESPACE.sub(" ", str(text)).strip()


class SocmobError(Exception):
    """Base class for every error socmob raises deliberately.

    ``str(error)`` is always one line (see :func:`one_line`).
    """

    def __str__(self) -> str:
        return one_line(super().__str__())


@dataclass
class InputError(SocmobError, ValueError):
    """Bad input data: says which file, row and column, and what was expected.

    Rows are reported 1-based as a person counts them in a spreadsheet (header = row 1
    where the source has a header), so ``row=2`` is the first data row.
    """

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    expected: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(f"file {self.file}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = self.message
        if where:
            text = f"{', '.join(where)}: {text}"
        if self.expected:
            text = f"{text} (expected {self.expected})"
        return one_line(text)


class NotFoundError(SocmobError, LookupError):
    """A named thing (area, measure, model, category) does not exist.

    ``suggestions`` carries close matches for a "did you mean" hint.
    """

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        self.suggestions = list(suggestions or [])
        text = message
        if self.suggestions:
            text += "; did you mean " + " or ".join(repr(s) for s in self.suggestions[:3]) + "?"
        super().__init__(text)


class UnavailableError(SocmobError):
    """A result that cannot be produced here, for a reason that is not a fault: figures
    not published for an edition, an index with a single period (so no trend), an area
    outside the published boundaries.

    ``reason`` says why, in words a page can show after "not available:". Presentation
    (``socmob.report``, ``socmob.web``) shows this error as an unavailable section; it
    never treats any other exception that way.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = one_line(reason)


class ConvergenceError(SocmobError, RuntimeError):
    """An iterative estimator did not converge."""


class ModelSpecError(SocmobError, ValueError):
    """A model cannot be fitted to the data it was given (e.g. a diagonal model on a
    non-square table)."""


class DisclosureError(SocmobError):
    """Publishing would risk identifying individuals (too few respondents)."""


class EngineError(SocmobError, RuntimeError):
    """A compute engine is unavailable or misconfigured (e.g. Spark without Java)."""
