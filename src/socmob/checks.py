"""Finite numbers only: the checks every measure applies where numbers enter it.

A value of ``inf``, ``-inf`` or one so large that arithmetic on it overflows (``1e308``)
never enters a measure silently: :func:`finite` and :func:`finite_columns` refuse it with
an :class:`~socmob.errors.InputError` that names the file, row and column;
:func:`no_overflow` turns a floating-point overflow *during* a computation into the same
kind of error instead of a published ``inf``; :func:`not_degenerate` refuses inputs that
leave nothing to estimate (all-zero tables or weights) with the reason;
:func:`check_alpha` refuses an interval level outside (0, 1).

NaN is a missing value, not an error: callers decide whether missing values are allowed
(``allow_missing``).

>>> finite([1.0, 2.0], name="weight")
array([1., 2.])
>>> finite([1.0, float("inf")], name="weight")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
socmob.errors.InputError: row 2, column 'weight': value inf is not a finite number (...)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from socmob.errors import InputError

#: Largest magnitude accepted at input. Values beyond it are finite but leave no
#: head-room: a sum of squares of 1e200 already overflows a double.
MAX_MAGNITUDE = 1e150


def _bad_positions(values: np.ndarray, *, allow_missing: bool,
                   max_magnitude: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        bad = np.isinf(values) | (np.abs(values) > max_magnitude)
    if not allow_missing:
        bad |= np.isnan(values)
    return np.flatnonzero(bad)


def finite(values: Any, *, name: str, file: str | None = None, row_offset: int = 1,
           allow_missing: bool = False, max_magnitude: float = MAX_MAGNITUDE,
           nonnegative: bool = False) -> np.ndarray:
    """Return ``values`` as a float array after checking every value is finite.

    Parameters
    ----------
    values:
        Anything ``np.asarray(..., dtype=float)`` accepts (a list, array, Series).
    name:
        The column or argument name, for the error message.
    file:
        The file the values came from, if any.
    row_offset:
        Added to the 0-based position to give the row a person would count: 1 for a
        plain sequence, 2 for data read from a file with a header row.
    allow_missing:
        Whether NaN (a missing value) is allowed.
    max_magnitude:
        Values with ``|x|`` above this are refused as overflow risks.
    nonnegative:
        Also refuse negative values (counts, weights).

    Raises
    ------
    InputError
        Naming the first offending row and the value.
    """
    try:
        arr = np.asarray(values, dtype="float64")
    except (TypeError, ValueError) as exc:
        raise InputError(f"not numeric: {exc}", file=file, column=name,
                         expected="numbers") from None
    flat = arr.ravel()
    bad = _bad_positions(flat, allow_missing=allow_missing, max_magnitude=max_magnitude)
    if bad.size:
        i = int(bad[0])
        value = flat[i]
        what = "missing" if np.isnan(value) else f"value {value:g} is not a finite number"
        if np.isfinite(value):
            what = f"value {value:g} is too large (|x| > {max_magnitude:g})"
        more = f" ({bad.size - 1} more such values)" if bad.size > 1 else ""
        raise InputError(what + more, file=file, row=i + row_offset if arr.ndim == 1 else None,
                         column=name, expected="a finite number")
    if nonnegative:
        with np.errstate(invalid="ignore"):
            neg = np.flatnonzero(flat < 0)
        if neg.size:
            i = int(neg[0])
            raise InputError(f"value {flat[i]:g} is negative", file=file,
                             row=i + row_offset if arr.ndim == 1 else None, column=name,
                             expected="a number ≥ 0")
    return arr


def finite_columns(frame: pd.DataFrame, columns: Iterable[str], *, file: str | None = None,
                   row_offset: int = 2, allow_missing: bool = True,
                   max_magnitude: float = MAX_MAGNITUDE) -> None:
    """Check the numeric ``columns`` of ``frame`` with :func:`finite` (rows counted as in a
    file with a header row: the first data row is row 2)."""
    for column in columns:
        if column in frame.columns and pd.api.types.is_numeric_dtype(frame[column]):
            finite(frame[column].to_numpy(dtype="float64", na_value=np.nan), name=column,
                   file=file, row_offset=row_offset, allow_missing=allow_missing,
                   max_magnitude=max_magnitude)


@contextmanager
def no_overflow(what: str) -> Iterator[None]:
    """Raise :class:`InputError` ("… overflows") instead of letting a floating-point
    overflow inside the block turn into ``inf`` in the result.

    >>> with no_overflow("the sum of weights"):  # doctest: +ELLIPSIS
    ...     np.array([1e308]) * 10
    Traceback (most recent call last):
    ...
    socmob.errors.InputError: the sum of weights overflows: the input values are too large (...)
    """
    try:
        with np.errstate(over="raise"):
            yield
    except FloatingPointError:
        raise InputError(f"{what} overflows: the input values are too large",
                         expected="values that a double can hold when summed") from None


def not_degenerate(total: float, *, what: str, reason: str) -> None:
    """Refuse an input with nothing to estimate: ``total`` (e.g. the sum of a table's
    counts or of the weights) must be finite and greater than zero.

    >>> not_degenerate(0.0, what="the table", reason="every count is zero")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    socmob.errors.InputError: the table cannot be analysed: every count is zero (...)
    """
    if not np.isfinite(total) or total <= 0:
        raise InputError(f"{what} cannot be analysed: {reason}", expected="a positive total")


def check_alpha(alpha: float, *, name: str = "alpha") -> float:
    """``alpha`` as a float after checking it is a valid interval level: strictly
    between 0 and 1 (0.05 asks for a 95% interval). The one check behind every
    ``alpha=`` argument.

    >>> check_alpha(0.05)
    0.05
    >>> check_alpha(95)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    socmob.errors.InputError: column 'alpha': alpha 95 is not between 0 and 1 (...)
    """
    try:
        value = float(alpha)
    except (TypeError, ValueError):
        raise InputError(f"{name} {alpha!r} is not a number", column=name,
                         expected="e.g. 0.05 for a 95% interval") from None
    if not 0 < value < 1:
        raise InputError(f"{name} {alpha!r} is not between 0 and 1", column=name,
                         expected="e.g. 0.05 for a 95% interval")
    return value


__all__ = ["MAX_MAGNITUDE", "check_alpha", "finite", "finite_columns", "no_overflow",
           "not_degenerate"]
