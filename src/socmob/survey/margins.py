"""Population margins for raking and post-stratification.

A margin gives the population total of every category of one variable (``region``) or
of a cross-classification of several (``age_group × sex``). A margins file is a CSV with
a ``target`` column (the population totals), an optional ``margin`` column naming the
margin each row belongs to, and one column per variable; a margin's variables are the
columns filled in on its rows (blank elsewhere)::

    margin,age_group,sex,region,target
    age_sex,18-24,Female,,2973300
    age_sex,18-24,Male,,2856700
    ...
    region,,,North East,2109453
    ...

Without a ``margin`` column the whole file is one margin over all its other columns.
Labels are matched exactly (after trimming spaces) to the data's categories — value
labels where the data has them (SPSS/Stata), else the values themselves.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from socmob._text import closest
from socmob.checks import finite
from socmob.errors import InputError, NotFoundError

TARGET_COLUMN = "target"
MARGIN_COLUMN = "margin"


@dataclass(frozen=True, eq=False)
class Margin:
    """Population totals of the categories of one variable or cross-classification.

    Attributes
    ----------
    name:
        The margin's name (``"age_sex"``).
    variables:
        The data columns it classifies by (``("age_group", "sex")``).
    categories:
        One tuple of category names per cell, aligned with ``variables``.
    targets:
        The population total of each cell (finite, ≥ 0).
    source:
        The file it came from, for messages.
    rows:
        The file row of each cell (header = row 1), for messages.
    """

    name: str
    variables: tuple[str, ...]
    categories: tuple[tuple[str, ...], ...]
    targets: np.ndarray
    source: str | None = None
    rows: tuple[int, ...] | None = None

    @property
    def total(self) -> float:
        """The population total of the margin."""
        return float(self.targets.sum())

    def row_of(self, cell: int) -> int | None:
        """The file row of ``cell`` (``None`` when not from a file)."""
        return self.rows[cell] if self.rows is not None else None

    def to_frame(self) -> pd.DataFrame:
        """The margin as a frame: one column per variable and ``target``."""
        frame = pd.DataFrame(list(self.categories), columns=list(self.variables))
        frame[TARGET_COLUMN] = self.targets
        return frame


def margin(variables: str | Sequence[str], targets: Mapping[object, float], *,
           name: str | None = None) -> Margin:
    """A margin from a mapping ``category → population total``.

    For a cross-classification give the variables as a sequence and the categories as
    tuples::

        margin("grade", {"Analyst": 120, "Manager": 40})
        margin(["age_group", "sex"], {("18-24", "Female"): 2.97e6, ...}, name="age_sex")
    """
    names = (variables,) if isinstance(variables, str) else tuple(variables)
    if not names:
        raise InputError("a margin needs at least one variable")
    cats: list[tuple[str, ...]] = []
    for key in targets:
        parts = key if isinstance(key, tuple) else (key,)
        if len(parts) != len(names):
            raise InputError(f"category {key!r} of margin {name or ' × '.join(names)!r} has "
                             f"{len(parts)} parts", expected=f"{len(names)} (one per variable)")
        cats.append(tuple(_text(p) for p in parts))
    values = finite(list(targets.values()), name=name or "target", nonnegative=True)
    return Margin(name=name or "_".join(names), variables=names, categories=tuple(cats),
                  targets=values)


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def margins_from_frame(frame: pd.DataFrame, *, source: str | None = None,
                       row_offset: int = 2) -> tuple[Margin, ...]:
    """Margins from a frame in the margins-file layout (module docstring)."""
    columns = [str(c) for c in frame.columns]
    if TARGET_COLUMN not in columns:
        raise NotFoundError(
            f"margins{f' file {source}' if source else ''} has no {TARGET_COLUMN!r} column "
            "(the population totals)", closest(TARGET_COLUMN, columns))
    text = frame.astype("string").fillna("")
    for col in text.columns:
        text[col] = text[col].str.strip()
    raw_target = text[TARGET_COLUMN]
    blank = np.flatnonzero((raw_target == "").to_numpy())
    if blank.size:
        raise InputError("blank target", file=source, row=int(blank[0]) + row_offset,
                         column=TARGET_COLUMN, expected="a population total ≥ 0")
    numbers = pd.to_numeric(raw_target, errors="coerce")
    bad = np.flatnonzero(numbers.isna().to_numpy())
    if bad.size:
        i = int(bad[0])
        raise InputError(f"{raw_target.iloc[i]!r} is not a number", file=source,
                         row=i + row_offset, column=TARGET_COLUMN,
                         expected="a population total ≥ 0")
    targets = finite(numbers.to_numpy(dtype="float64"), name=TARGET_COLUMN, file=source,
                     row_offset=row_offset, nonnegative=True)
    variables = [c for c in columns if c not in (TARGET_COLUMN, MARGIN_COLUMN)]
    if not variables:
        raise InputError("margins file has no variable columns", file=source,
                         expected="a column per raking variable besides 'target'")
    if MARGIN_COLUMN in columns:
        names = text[MARGIN_COLUMN]
        empty = np.flatnonzero((names == "").to_numpy())
        if empty.size:
            raise InputError("blank margin name", file=source,
                             row=int(empty[0]) + row_offset, column=MARGIN_COLUMN,
                             expected="the name of the margin this row belongs to")
        groups = list(dict.fromkeys(names))
    else:
        names = pd.Series([""] * len(text))
        groups = [""]
    out: list[Margin] = []
    for group in groups:
        idx = np.flatnonzero((names == group).to_numpy())
        part = text.iloc[idx]
        used = tuple(v for v in variables if (part[v] != "").any())
        label = group or "_".join(used)
        if not used:
            raise InputError(f"margin {label!r} names no variable", file=source,
                             row=int(idx[0]) + row_offset,
                             expected="a category in at least one variable column")
        for v in used:
            gaps = np.flatnonzero((part[v] == "").to_numpy())
            if gaps.size:
                raise InputError(f"margin {label!r} leaves {v!r} blank on this row while "
                                 "other rows of the margin fill it in", file=source,
                                 row=int(idx[gaps[0]]) + row_offset, column=v,
                                 expected="every row of a margin to fill the same variables")
        cats = [tuple(row) for row in part[list(used)].itertuples(index=False, name=None)]
        seen: dict[tuple[str, ...], int] = {}
        for i, cat in enumerate(cats):
            if cat in seen:
                raise InputError(f"margin {label!r} lists category {_show(cat)} twice "
                                 f"(also row {seen[cat]})", file=source,
                                 row=int(idx[i]) + row_offset, expected="one row per category")
            seen[cat] = int(idx[i]) + row_offset
        out.append(Margin(name=label, variables=used, categories=tuple(cats),
                          targets=targets[idx], source=source,
                          rows=tuple(int(i) + row_offset for i in idx)))
    return tuple(out)


def _show(cat: tuple[str, ...]) -> str:
    return repr(cat[0]) if len(cat) == 1 else "(" + ", ".join(repr(c) for c in cat) + ")"


def read_margins(path: str | os.PathLike[str]) -> tuple[Margin, ...]:
    """Read a margins CSV (module docstring)."""
    from socmob.io import read_file

    source = str(path)
    frame = read_file(path, types="raw").frame
    if frame.empty:
        raise InputError("margins file has no rows", file=source)
    return margins_from_frame(frame, source=source)


def read_margin_files(paths: Iterable[str | os.PathLike[str]]) -> tuple[Margin, ...]:
    """Margins from several files, in order; margin names must not repeat."""
    out: list[Margin] = []
    for path in paths:
        for m in read_margins(path):
            if any(m.name == o.name for o in out):
                raise InputError(f"margin {m.name!r} is given twice", file=str(path),
                                 column=MARGIN_COLUMN, expected="distinct margin names")
            out.append(m)
    return tuple(out)


__all__ = ["MARGIN_COLUMN", "TARGET_COLUMN", "Margin", "margin", "margins_from_frame",
           "read_margin_files", "read_margins"]
