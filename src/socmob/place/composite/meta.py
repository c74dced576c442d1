"""Indicator metadata (COINr's ``iMeta``) and unit data (``iData``): validation and the
framework hierarchy.

The layout follows COINr (Becker et al., 2022, *COINr: An R package for developing
composite indicators*, JOSS 7(78), 4567) so that COINr users can bring their files:

``iMeta``
    one row per code: ``iCode, iName, Level, Parent, Direction (±1), Weight, Unit,
    Target, Denominator, Type``. ``Type`` is ``Indicator`` (level 1), ``Aggregate``
    (levels ≥ 2), ``Group`` (a grouping column of iData), ``Denominator`` (a column used
    to divide indicators) or ``Other``.
``iData``
    one row per unit: ``uCode`` (required, unique), ``uName``, group columns,
    denominator columns and one numeric column per indicator.

Everything here is pure: the dedicated CSV readers are in :mod:`.readers`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from socmob.checks import MAX_MAGNITUDE, finite
from socmob.errors import InputError

META_TYPES = ("Indicator", "Aggregate", "Group", "Denominator", "Other")
"""Values allowed in the ``Type`` column of iMeta."""

_REQUIRED_META = ("iCode", "Level", "Parent", "Direction", "Weight")


@dataclass(frozen=True)
class Hierarchy:
    """The framework as index arrays, for vectorised aggregation.

    ``codes`` lists indicators first (in iData order), then aggregates level by level;
    ``children[k]`` holds the positions in ``codes`` of the children of aggregate
    ``codes[k]`` (empty for indicators).
    """

    codes: tuple[str, ...]
    levels: tuple[int, ...]
    parents: tuple[str | None, ...]
    children: tuple[tuple[int, ...], ...]
    n_indicators: int

    @property
    def n_levels(self) -> int:
        """Number of levels (1 = indicators)."""
        return max(self.levels)

    def position(self, code: str) -> int:
        """Position of ``code`` in :attr:`codes`."""
        return self.codes.index(code)

    def codes_at(self, level: int) -> tuple[str, ...]:
        """Codes at ``level``."""
        return tuple(c for c, lv in zip(self.codes, self.levels, strict=True) if lv == level)

    def descendants(self, code: str, level: int = 1) -> tuple[str, ...]:
        """Codes at ``level`` below ``code`` (``code`` itself if it is at that level)."""
        k = self.position(code)
        if self.levels[k] == level:
            return (code,)
        out: list[str] = []
        for child in self.children[k]:
            out.extend(self.descendants(self.codes[child], level))
        return tuple(out)

    @property
    def top(self) -> tuple[str, ...]:
        """Codes with no parent at the highest level (normally one: the index)."""
        return self.codes_at(self.n_levels)


@dataclass(frozen=True, eq=False)
class IndicatorMeta:
    """Validated indicator metadata.

    Attributes
    ----------
    frame
        iMeta rows of the framework (indicators and aggregates), indexed by ``iCode``.
    hierarchy
        :class:`Hierarchy` built from ``Level`` and ``Parent``.
    groups, denominators
        Codes of iData columns of type ``Group`` and ``Denominator``.
    level_names
        Optional names of the levels (``Indicator``, ``Pillar`` …).
    """

    frame: pd.DataFrame
    hierarchy: Hierarchy
    groups: tuple[str, ...] = ()
    denominators: tuple[str, ...] = ()
    level_names: tuple[str, ...] = field(default=())

    @property
    def indicators(self) -> tuple[str, ...]:
        """Indicator codes (level 1) in data order."""
        return self.hierarchy.codes[: self.hierarchy.n_indicators]

    @property
    def directions(self) -> np.ndarray:
        """Direction (±1) of each indicator, in :attr:`indicators` order."""
        return self.frame.loc[list(self.indicators), "Direction"].to_numpy(dtype=float)

    @property
    def weights(self) -> pd.Series:
        """Nominal weights of every code in hierarchy order."""
        return self.frame.loc[list(self.hierarchy.codes), "Weight"].astype(float)

    def column(self, name: str) -> pd.Series:
        """A column of the metadata for the indicators (e.g. ``Target``), by iCode."""
        if name not in self.frame.columns:
            return pd.Series(np.nan, index=list(self.indicators), dtype=object)
        return self.frame.loc[list(self.indicators), name]


def _as_level(value: object, code: str, row: int, file: str | None) -> int | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(
            f"Level of {code!r} is not a number", file=file, row=row, column="Level",
            expected="a whole number ≥ 1",
        ) from None
    if not f.is_integer() or f < 1:
        raise InputError(
            f"Level of {code!r} is {value!r}", file=file, row=row, column="Level",
            expected="a whole number ≥ 1",
        )
    return int(f)


def validate_meta(
    imeta: pd.DataFrame,
    data_columns: Sequence[str],
    *,
    level_names: Sequence[str] | None = None,
    file: str | None = None,
) -> IndicatorMeta:
    """Check iMeta against the iData columns and build the hierarchy.

    Raises :class:`~socmob.errors.InputError` naming the code for: a missing required
    column, a duplicated iCode, an unknown ``Type``, an indicator that is not a column of
    iData, a parent that is not an aggregate, a cycle in the hierarchy, a parent not one
    level above its child, an aggregate without children, a direction other than ±1, or a
    negative or missing weight.
    """
    meta = imeta.copy()
    for col in _REQUIRED_META:
        if col not in meta.columns:
            raise InputError(f"iMeta has no {col!r} column", file=file, column=col,
                             expected="COINr iMeta columns " + ", ".join(_REQUIRED_META))
    if "Type" not in meta.columns:
        meta["Type"] = np.where(meta["Level"].astype(float) == 1, "Indicator", "Aggregate")
    meta["iCode"] = meta["iCode"].astype(str)
    dup = meta["iCode"][meta["iCode"].duplicated()]
    if len(dup):
        code = dup.iloc[0]
        raise InputError(f"iCode {code!r} appears more than once", file=file,
                         row=int(dup.index[0]) + 2, column="iCode", expected="unique codes")
    rows = {code: i + 2 for i, code in enumerate(meta["iCode"])}
    bad_type = meta.loc[~meta["Type"].isin(META_TYPES)]
    if len(bad_type):
        code = bad_type["iCode"].iloc[0]
        raise InputError(f"Type of {code!r} is {bad_type['Type'].iloc[0]!r}", file=file,
                         row=rows[code], column="Type", expected=" or ".join(META_TYPES))
    data_set = set(data_columns)
    for kind in ("Group", "Denominator"):
        for code in meta.loc[meta["Type"] == kind, "iCode"]:
            if code not in data_set:
                raise InputError(f"{kind.lower()} {code!r} in iMeta is not a column of iData",
                                 file=file, row=rows[code], column=code,
                                 expected="a column of iData")
    frame = meta.loc[meta["Type"].isin(["Indicator", "Aggregate"])].copy()
    levels: dict[str, int] = {}
    for code, lev in zip(frame["iCode"], frame["Level"], strict=True):
        parsed = _as_level(lev, code, rows[code], file)
        if parsed is None:
            raise InputError(f"{code!r} has no Level", file=file, row=rows[code],
                             column="Level", expected="a whole number ≥ 1")
        levels[code] = parsed
    indicator_codes = [c for c in frame["iCode"] if levels[c] == 1]
    for code, typ in zip(frame["iCode"], frame["Type"], strict=True):
        if (levels[code] == 1) != (typ == "Indicator"):
            raise InputError(f"{code!r} is of Type {typ!r} at Level {levels[code]}", file=file,
                             row=rows[code], column="Type",
                             expected="Indicator at Level 1 and Aggregate above")
    for code in indicator_codes:
        if code not in data_set:
            raise InputError(f"indicator {code!r} in iMeta is not a column of iData",
                             file=file, row=rows[code], column=code,
                             expected="every Level-1 iCode to be a column of iData")
    parents: dict[str, str | None] = {}
    for code, par in zip(frame["iCode"], frame["Parent"], strict=True):
        parents[code] = None if pd.isna(par) or str(par) in ("", "NA") else str(par)
    # cycles first, so that a loop is reported as such rather than as a level mismatch
    for start in parents:
        seen = [start]
        cur = parents[start]
        while cur is not None:
            if cur in seen:
                loop = [*seen[seen.index(cur):], cur]
                raise InputError("cycle in the hierarchy: " + " → ".join(loop), file=file,
                                 row=rows[start], column="Parent",
                                 expected="a tree from indicators up to the index")
            seen.append(cur)
            cur = parents.get(cur)
    for code, par in parents.items():
        if par is None:
            continue
        if par not in levels:
            raise InputError(f"parent {par!r} of {code!r} is not an aggregate in iMeta",
                             file=file, row=rows[code], column="Parent",
                             expected="the iCode of an Aggregate row")
        if levels[par] != levels[code] + 1:
            raise InputError(
                f"parent {par!r} (Level {levels[par]}) of {code!r} (Level {levels[code]}) "
                "is not one level up", file=file, row=rows[code], column="Parent",
                expected=f"a parent at Level {levels[code] + 1}")
    n_levels = max(levels.values())
    for code, lev in levels.items():
        if lev < n_levels and parents[code] is None:
            raise InputError(f"{code!r} at Level {lev} has no parent", file=file,
                             row=rows[code], column="Parent",
                             expected=f"a parent unless at the top level {n_levels}")
    for col in ("Direction", "Weight"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    for code in indicator_codes:
        d = frame.loc[frame["iCode"] == code, "Direction"].iloc[0]
        if d not in (1, -1):
            raise InputError(f"Direction of indicator {code!r} is {d!r}", file=file,
                             row=rows[code], column="Direction", expected="1 or -1")
    for code, w in zip(frame["iCode"], frame["Weight"], strict=True):
        if not np.isfinite(w) or w < 0 or w > MAX_MAGNITUDE:
            raise InputError(f"Weight of {code!r} is {w!r}", file=file, row=rows[code],
                             column="Weight", expected=f"a finite number ≥ 0 (at most "
                                                       f"{MAX_MAGNITUDE:g})")
    # order: indicators in data order, then aggregates level by level in iMeta order
    ordered = [c for c in data_columns if c in set(indicator_codes)]
    for lev in range(2, n_levels + 1):
        ordered.extend(c for c in frame["iCode"] if levels[c] == lev)
    pos = {c: i for i, c in enumerate(ordered)}
    children: list[tuple[int, ...]] = []
    for code in ordered:
        kids = tuple(pos[c] for c in ordered if parents[c] == code)
        if levels[code] > 1 and not kids:
            raise InputError(f"aggregate {code!r} has no children", file=file,
                             row=rows[code], column="iCode",
                             expected="at least one code naming it as Parent")
        children.append(kids)
    hierarchy = Hierarchy(
        codes=tuple(ordered),
        levels=tuple(levels[c] for c in ordered),
        parents=tuple(parents[c] for c in ordered),
        children=tuple(children),
        n_indicators=len(indicator_codes),
    )
    frame = frame.set_index("iCode").loc[ordered]
    frame["Level"] = [levels[c] for c in ordered]
    check_weights(hierarchy, frame["Weight"].to_numpy(dtype=float), file=file,
                  rows=[rows[c] for c in ordered])
    groups = tuple(meta.loc[meta["Type"] == "Group", "iCode"])
    denoms = tuple(meta.loc[meta["Type"] == "Denominator", "iCode"])
    names = tuple(level_names) if level_names is not None else ()
    if names and len(names) != n_levels:
        raise InputError(f"{len(names)} level names for {n_levels} levels",
                         expected=f"{n_levels} names")
    return IndicatorMeta(frame=frame, hierarchy=hierarchy, groups=groups,
                         denominators=denoms, level_names=names)


def validate_data(
    idata: pd.DataFrame, meta: IndicatorMeta, *, file: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split iData into (unit table, indicator frame), both indexed by ``uCode``.

    Raises :class:`~socmob.errors.InputError` for a missing or duplicated ``uCode``, an
    indicator column that is not numeric, or one with no data at all.
    """
    if "uCode" not in idata.columns:
        raise InputError("iData has no 'uCode' column", file=file, column="uCode",
                         expected="a column of unique unit codes")
    absent = idata["uCode"].isna().to_numpy()
    codes = idata["uCode"].astype(str)
    if absent.any() or codes.duplicated().any():
        bad = np.flatnonzero(absent | codes.duplicated().to_numpy())
        where = int(bad[0]) + 2
        raise InputError("uCode values must be present and unique", file=file, row=where,
                         column="uCode", expected="unique unit codes")
    values = {}
    for code in meta.indicators:
        num = _numeric_column(idata[code], code, "indicator", file)
        if num.isna().all():
            raise InputError(f"indicator {code!r} has no data (all values missing)",
                             file=file, column=code, expected="at least one value")
        values[code] = _finite_column(num.to_numpy(dtype=float), code, codes, file,
                                      "indicator")
    for code in meta.denominators:
        num = _numeric_column(idata[code], code, "denominator", file)
        _finite_column(num.to_numpy(dtype=float), code, codes, file, "denominator")
    data = pd.DataFrame(values, index=pd.Index(codes, name="uCode"))
    unit_cols = [c for c in idata.columns if c not in set(meta.indicators) and c != "uCode"]
    units = idata[unit_cols].copy()
    units.index = pd.Index(codes, name="uCode")
    if "uName" not in units.columns:
        units["uName"] = units.index
    return units, data


def _numeric_column(col: pd.Series, code: str, role: str, file: str | None) -> pd.Series:
    """``col`` as numbers (missing stays missing); an :class:`InputError` naming the first
    row (counted as in the file: the header is row 1) whose value is not a number."""
    num = pd.to_numeric(col, errors="coerce")
    nonnumeric = num.isna() & col.notna()
    if nonnumeric.any():
        i = int(np.flatnonzero(nonnumeric.to_numpy())[0])
        raise InputError(f"{role} {code!r} has a non-numeric value {col.iloc[i]!r}",
                         file=file, row=i + 2, column=code, expected="a number or NA")
    return num


def _finite_column(values: np.ndarray, code: str, units: pd.Series, file: str | None,
                   what: str) -> np.ndarray:
    """``values`` after :func:`socmob.checks.finite` (missing allowed); the error names
    the unit (its uCode and row) and the column."""
    try:
        return finite(values, name=code, file=file, row_offset=2, allow_missing=True)
    except InputError as exc:
        unit = units.iloc[exc.row - 2] if exc.row is not None else None
        raise InputError(f"unit {unit!r}, {what} {code!r}: {exc.message}", file=file,
                         row=exc.row, column=code, expected=exc.expected) from None


def weight_vector(meta: IndicatorMeta, weights: Mapping[str, float] | pd.Series | None
                  ) -> np.ndarray:
    """Weights of every code in hierarchy order: ``weights`` overrides the iMeta ones.

    Raises :class:`~socmob.errors.InputError` for an unknown code or a negative weight.
    """
    out = meta.weights.copy()
    if weights is not None:
        for code, w in dict(weights).items():
            if code not in out.index:
                raise InputError(f"weight given for unknown code {code!r}", column=str(code),
                                 expected="an iCode of the framework")
            if not np.isfinite(float(w)) or float(w) < 0 or float(w) > MAX_MAGNITUDE:
                raise InputError(f"weight of {code!r} is {w!r}", column=str(code),
                                 expected=f"a finite number ≥ 0 (at most {MAX_MAGNITUDE:g})")
            out[code] = float(w)
    vector = out.to_numpy(dtype=float)
    check_weights(meta.hierarchy, vector)
    return vector


def check_weights(hierarchy: Hierarchy, weights: np.ndarray, *, file: str | None = None,
                  rows: Sequence[int] | None = None) -> None:
    """Refuse weights that leave an aggregate without a score: the weights of an
    aggregate's children (``weights`` in hierarchy order, ``(..., codes)``) must not all
    be zero, or its scores would be blank.

    Raises :class:`~socmob.errors.InputError` naming the aggregate (and its row in iMeta
    when ``rows`` gives them).
    """
    w = np.asarray(weights, dtype=float)
    for k, kids in enumerate(hierarchy.children):
        if not kids:
            continue
        total = w[..., list(kids)].sum(axis=-1)
        if np.all(total > 0):
            continue
        code = hierarchy.codes[k]
        names = ", ".join(hierarchy.codes[c] for c in kids)
        raise InputError(
            f"the weights of the children of {code!r} ({names}) are all zero, so its "
            "scores would be blank", file=file,
            row=None if rows is None else rows[kids[0]], column="Weight",
            expected="at least one positive weight among the children of each aggregate")
