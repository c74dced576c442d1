"""Choosing one index and period from the SMC composites table.

The small shared vocabulary of the place analyses: period labels in time order
(:func:`period_key`, :func:`latest_period` and :func:`sort_periods`, the one rule of
:mod:`socmob.periods`), one index's values per area (:func:`index_values`), a "did you
mean" choice among known codes (:func:`choose`),
area names and codes by id (:func:`area_labels`) and the composites layout check
(:func:`require_columns`). Every module under :mod:`socmob.place` that reads the
:func:`socmob.data.composites` layout uses these, so they sit below all of them.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import pandas as pd

from socmob.errors import InputError, NotFoundError
from socmob.periods import latest_period, period_key, sort_periods

__all__ = ["area_labels", "choose", "index_values", "latest_period", "period_key",
           "require_columns", "sort_periods"]


def require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"{what} lacks column(s) {', '.join(missing)}",
            column=missing[0],
            expected="the socmob.data.composites() layout: index_code, area_id, "
            "area_name, period, z",
        )


def choose(value: str, options: Sequence[str], what: str, where: str = "") -> str:
    options = [str(o) for o in options]
    if value in options:
        return value
    folded = {o.casefold(): o for o in options}
    if value.casefold() in folded:
        return folded[value.casefold()]
    close = difflib.get_close_matches(value, options, n=3, cutoff=0.4)
    raise NotFoundError(
        f"unknown {what} {value!r}{where} (available: {', '.join(options)})",
        suggestions=close
    )


def area_labels(composites: pd.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    """``({id: name}, {id: GSS code})`` from a composites table (empty where absent)."""
    first = composites.drop_duplicates("area_id")
    ids = first["area_id"].astype(str)
    out: list[dict[str, str]] = []
    for col in ("area_name", "area_code"):
        out.append(dict(zip(ids, first[col].astype(str), strict=True))
                   if col in first.columns else {})
    return out[0], out[1]


def index_values(
    composites: pd.DataFrame,
    *,
    index: str,
    period: str | None = None,
    value: str = "z",
    id_column: str = "area_id",
) -> pd.Series:
    """One index's values per area for one period, as a Series indexed by area id.

    Parameters
    ----------
    composites
        Long table in the :func:`socmob.data.composites` layout (``index_code``,
        ``area_id``, ``period``, ``z``, …).
    index
        Index code, e.g. ``"ci1"`` (Conditions of Childhood).
    period
        Period label, e.g. ``"2018 to 2024"``; default the latest period of that index.
    value
        Column holding the value (default ``"z"``).

    Raises
    ------
    NotFoundError
        Unknown index or period (with close matches as suggestions).
    """
    require_columns(composites, ["index_code", id_column, "period", value], "composites")
    index = choose(index, sorted(composites["index_code"].astype(str).unique()), "index")
    rows = composites[composites["index_code"].astype(str) == index]
    periods = sort_periods(rows["period"])
    chosen = (latest_period(periods) if period is None
              else choose(period, periods, "period", f" for {index}"))
    rows = rows[rows["period"].astype(str) == chosen]
    if rows[id_column].duplicated().any():
        dup = rows.loc[rows[id_column].duplicated(), id_column].iloc[0]
        raise InputError(f"area {dup!r} appears twice for {index} {chosen}", column=id_column)
    series = pd.to_numeric(rows.set_index(id_column)[value], errors="coerce").astype(float)
    series.index = series.index.astype(str)
    series.name = f"{index} {chosen}"
    series.attrs.update(index=index, period=chosen)
    return series

