"""NS-SEC analytic classes → the Social Mobility Commission's five classes.

The National Statistics Socio-economic Classification (ONS, *NS-SEC 2010 user manual*,
SOC2010 vol. 3, tables 3–4) has eight analytic classes, built from 17 operational
categories (L-codes):

======  ==================================================================  =============
class   label                                                               L-codes
======  ==================================================================  =============
1.1     Large employers and higher managerial and administrative occ.       L1, L2
1.2     Higher professional occupations                                     L3
2       Lower managerial, administrative and professional occupations       L4, L5, L6
3       Intermediate occupations                                            L7
4       Small employers and own account workers                             L8, L9
5       Lower supervisory and technical occupations                         L10, L11
6       Semi-routine occupations                                            L12
7       Routine occupations                                                 L13
8       Never worked and long-term unemployed                               L14
—       Full-time students                                                  L15
—       Not classified (not stated, inadequately described, other)          L16, L17
======  ==================================================================  =============

The SMC groups them into five classes (State of the Nation reports): **higher
professional** = 1 (1.1 and 1.2), **lower professional** = 2, **intermediate** = 3–4,
**higher working class** = 5–6, **lower working class** = 7–8.

What happens to the rest, and why:

* class 8 (never worked / long-term unemployed) is *lower working class* by default, as
  the SMC's key question also puts long-term unemployment in the lower background;
  ``never_worked="exclude"`` excludes it instead (for analyses of occupational class
  only);
* full-time students and "not classified" have no class position: they are **excluded**
  from the five classes (so from a mobility table built on them) but **counted** in the
  report, so that the share lost to non-classification can be published beside results;
* blanks are **missing** and counted too.

:func:`classify_nssec` accepts codes and labels as found in survey files: ``1``, ``1.0``,
``"1.1"``, ``1.2`` (float), ``"Class 3"``, ``"NS-SEC 5"``, ``"L2"``, ``"L14.2"``,
``"Higher professional occupations"``, value-labelled SPSS/Stata codes (with
``value_labels``, see :mod:`socmob.classify.labelled`), and reports every mapping it
made in a :class:`ClassificationReport`. Unknown values raise an
:class:`~socmob.errors.InputError` listing them (first row, close matches).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from socmob._text import describe_unknown, normalise
from socmob.errors import InputError
from socmob.results import Result, tidy

SMC_CLASSES: tuple[str, ...] = (
    "Higher professional",
    "Lower professional",
    "Intermediate",
    "Higher working class",
    "Lower working class",
)
"""The SMC's five classes, top first (use as the ``order`` of a mobility table)."""

EXCLUDED = "excluded"
"""Status of values that are counted but have no class (students, not classified)."""
MISSING = "missing"
"""Status of blank values."""

STUDENTS = "students"
NOT_CLASSIFIED = "not classified"

NSSEC_LABELS: dict[str, str] = {
    "1": "Higher managerial, administrative and professional occupations",
    "1.1": "Large employers and higher managerial and administrative occupations",
    "1.2": "Higher professional occupations",
    "2": "Lower managerial, administrative and professional occupations",
    "3": "Intermediate occupations",
    "4": "Small employers and own account workers",
    "5": "Lower supervisory and technical occupations",
    "6": "Semi-routine occupations",
    "7": "Routine occupations",
    "8": "Never worked and long-term unemployed",
    STUDENTS: "Full-time students",
    NOT_CLASSIFIED: "Not classified",
}
"""NS-SEC analytic classes (codes as used here) and their ONS labels."""

_SMC_OF: dict[str, str | None] = {
    "1": SMC_CLASSES[0],
    "1.1": SMC_CLASSES[0],
    "1.2": SMC_CLASSES[0],
    "2": SMC_CLASSES[1],
    "3": SMC_CLASSES[2],
    "4": SMC_CLASSES[2],
    "5": SMC_CLASSES[3],
    "6": SMC_CLASSES[3],
    "7": SMC_CLASSES[4],
    "8": SMC_CLASSES[4],
    STUDENTS: None,
    NOT_CLASSIFIED: None,
}

# Operational categories (L-codes) → analytic class.
_L_CODES: dict[int, str] = {
    1: "1.1",
    2: "1.1",
    3: "1.2",
    4: "2",
    5: "2",
    6: "2",
    7: "3",
    8: "4",
    9: "4",
    10: "5",
    11: "5",
    12: "6",
    13: "7",
    14: "8",
    15: STUDENTS,
    16: NOT_CLASSIFIED,
    17: NOT_CLASSIFIED,
}
# Highest sub-category number of each L-code with sub-categories (NS-SEC 2010, table 3).
_L_SUB: dict[int, int] = {3: 4, 4: 4, 7: 4, 8: 2, 9: 2, 11: 2, 12: 7, 13: 5, 14: 2}

_ALIASES: dict[str, str] = {
    # class 1 and its sub-classes
    "higher managerial administrative and professional occupations": "1",
    "higher managerial administrative and professional": "1",
    "higher managerial and professional occupations": "1",
    "higher managerial and professional": "1",
    "large employers and higher managerial and administrative occupations": "1.1",
    "large employers and higher managerial": "1.1",
    "large employers and higher managers": "1.1",
    "higher managerial and administrative occupations": "1.1",
    "higher professional occupations": "1.2",
    "higher professional": "1.2",
    # 2
    "lower managerial administrative and professional occupations": "2",
    "lower managerial administrative and professional": "2",
    "lower managerial and professional occupations": "2",
    "lower managerial and professional": "2",
    "lower professional": "2",
    # 3
    "intermediate occupations": "3",
    "intermediate": "3",
    # 4
    "small employers and own account workers": "4",
    "small employers and own account": "4",
    "small employers": "4",
    "own account workers": "4",
    # 5
    "lower supervisory and technical occupations": "5",
    "lower supervisory and technical": "5",
    # 6
    "semi routine occupations": "6",
    "semi routine": "6",
    "semiroutine occupations": "6",
    # 7
    "routine occupations": "7",
    "routine": "7",
    # 8
    "never worked and long term unemployed": "8",
    "never worked and longterm unemployed": "8",
    "never worked unemployed and nec": "8",
    "never worked": "8",
    "long term unemployed": "8",
    # students / not classified
    "full time students": STUDENTS,
    "fulltime students": STUDENTS,
    "full time student": STUDENTS,
    "students": STUDENTS,
    "student": STUDENTS,
    "not classified": NOT_CLASSIFIED,
    "not classifiable": NOT_CLASSIFIED,
    "not classifiable for other reasons": NOT_CLASSIFIED,
    "occupations not stated or inadequately described": NOT_CLASSIFIED,
    "occupation not stated or inadequately described": NOT_CLASSIFIED,
    "not stated": NOT_CLASSIFIED,
    "inadequately described": NOT_CLASSIFIED,
    "unclassified": NOT_CLASSIFIED,
}

_PREFIX = re.compile(r"^(?:ns ?sec(?: 2010)?|nssec|analytic class|class|category)\s+")
_CLASS = re.compile(r"^([1-8])(?: ([12]))?$")
_L_CODE = re.compile(r"^l ?(\d{1,2})(?: (\d))?$")
_CODE_THEN_TEXT = re.compile(r"^(l ?\d{1,2}(?: \d)?|[1-8](?: [12])?) ([a-z].*)$")


def parse_nssec(value: Any) -> str | None:
    """The analytic class code (``"1.1"``, ``"2"``, …, ``"students"``, ``"not
    classified"``) a single value means, or ``None`` when it is not recognised.

    Integral floats are read as integers and ``1.1``/``1.2`` as sub-classes.
    """
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        text = str(int(value))
    elif isinstance(value, (float, np.floating)):
        f = float(value)
        text = str(int(f)) if f.is_integer() else f"{f:.1f}"
    else:
        text = str(value)
    norm = normalise(text)
    norm = _PREFIX.sub("", norm).strip()
    if norm in _ALIASES:
        return _ALIASES[norm]
    m = _CLASS.match(norm)
    if m:
        main, sub = m.groups()
        if sub is None:
            return main
        return f"{main}.{sub}" if main == "1" else None
    m = _L_CODE.match(norm)
    if m:
        code, sub = int(m.group(1)), m.group(2)
        if code not in _L_CODES:
            return None
        if sub is not None and not 1 <= int(sub) <= _L_SUB.get(code, 0):
            return None
        return _L_CODES[code]
    m = _CODE_THEN_TEXT.match(norm)
    if m:  # a value label with its code in front: "1.1 Large employers and ..."
        return parse_nssec(m.group(1))
    return None


@dataclass(frozen=True)
class ClassificationReport(Result):
    """Every mapping a classifier made: one row per distinct input value.

    ``mapping`` columns: ``input`` (the value as text), ``normalised``, ``nssec`` (the
    analytic class code, e.g. ``"1.2"``), ``nssec_label``, ``mapped`` (the SMC class, or
    ``excluded`` / ``missing``), ``count``.
    """

    mapping: pd.DataFrame = field(repr=False)
    scheme: str = "NS-SEC analytic classes → SMC 5 classes"

    @property
    def counts(self) -> pd.Series:
        """Number of values per SMC class, then ``excluded`` and ``missing``."""
        order = [*SMC_CLASSES, EXCLUDED, MISSING]
        return (self.mapping.groupby("mapped")["count"].sum().reindex(order, fill_value=0)).astype(
            "int64"
        )

    @property
    def n_excluded(self) -> int:
        """Values counted but given no class (students, not classified, and class 8
        when it is excluded)."""
        return int(self.counts[EXCLUDED])

    @property
    def n_missing(self) -> int:
        """Blank values."""
        return int(self.counts[MISSING])

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows, one per distinct input value: ``value`` how many values it had,
        ``group`` the SMC class (or ``excluded`` / ``missing``) it was mapped to; the
        columns of :attr:`mapping` follow."""
        m = self.mapping
        return tidy(m.assign(measure="values classified", breakdown="SMC class",
                             group=m["mapped"], value=m["count"], unit="values",
                             note="NS-SEC " + m["nssec"].fillna("-").astype(str)))


@dataclass(frozen=True)
class NssecClassification(Result):
    """Result of :func:`classify_nssec`, aligned with the input.

    Attributes
    ----------
    nssec:
        analytic class code of each value (``None`` for blanks).
    smc_class:
        ordered categorical over :data:`SMC_CLASSES`; excluded and missing values are
        NaN, so a mobility table built from it leaves them out
        (:meth:`MobilityTable.from_microdata` uses the categorical order).
    status:
        ``classified``, ``excluded`` or ``missing`` per value.
    report:
        every mapping made, with counts.
    """

    nssec: pd.Series = field(repr=False)
    smc_class: pd.Series = field(repr=False)
    status: pd.Series = field(repr=False)
    report: ClassificationReport

    def to_frame(self) -> pd.DataFrame:
        """The mapping report, tidy (:meth:`ClassificationReport.to_frame`)."""
        return self.report.to_frame()


def _as_value(value: Any, value_labels: Mapping[Any, str] | None) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)) and np.isnan(value):
        return None
    if value_labels is not None:
        if value in value_labels:
            return value_labels[value]
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            key = int(value)
            if key in value_labels:
                return value_labels[key]
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _text(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return str(int(f)) if f.is_integer() else f"{f:g}"
    return str(value).strip()


def classify_nssec(
    values: Iterable[Any] | pd.Series,
    *,
    value_labels: Mapping[Any, str] | None = None,
    aliases: Mapping[Any, str] | None = None,
    never_worked: Literal["lower working class", "exclude"] = "lower working class",
    column: str | None = None,
    file: str | None = None,
) -> NssecClassification:
    """Map NS-SEC values to the SMC's five classes, reporting every mapping.

    Parameters
    ----------
    values:
        NS-SEC codes or labels (see the module docstring for accepted forms); blanks are
        kept as missing. A pandas ``Categorical`` is read through its labels.
    value_labels:
        code → label mapping of a value-labelled SPSS/Stata column (codes are mapped to
        their labels first; see :func:`socmob.classify.labelled.read_labelled`).
    aliases:
        extra value → analytic class code pairs (e.g. ``{9: "not classified"}`` for a
        survey that codes "not classified" as 9).
    never_worked:
        where class 8 goes: ``"lower working class"`` (default, SMC) or ``"exclude"``.
    column, file:
        where the values came from, for error messages.

    Raises
    ------
    InputError
        listing every unrecognised value with its first row (spreadsheet numbering) and
        close matches.
    """
    if never_worked not in ("lower working class", "exclude"):
        raise InputError(
            f"never_worked={never_worked!r} is not an option",
            expected="'lower working class' or 'exclude'",
        )
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    extra: dict[str, str] = {}
    for key, target in (aliases or {}).items():
        code = target if target in _SMC_OF else parse_nssec(target)
        if code is None:
            raise InputError(
                f"alias {key!r} points to an unknown NS-SEC class {target!r}",
                expected="one of " + ", ".join(repr(c) for c in NSSEC_LABELS),
            )
        extra[normalise(_text(key))] = code

    smc_of = dict(_SMC_OF)
    if never_worked == "exclude":
        smc_of["8"] = None

    inputs: list[Any] = [_as_value(v, value_labels) for v in series.tolist()]
    codes: list[str | None] = []
    unknown: dict[str, int] = {}
    cache: dict[str, str | None] = {}
    for pos, value in enumerate(inputs):
        if value is None:
            codes.append(None)
            continue
        text = _text(value)
        key = f"{type(value).__name__}:{text}"
        if key not in cache:
            code = extra.get(normalise(text))
            cache[key] = code if code is not None else parse_nssec(value)
        code = cache[key]
        if code is None:
            unknown.setdefault(text, pos + 2)
        codes.append(code)
    if unknown:
        choices = list(NSSEC_LABELS.values()) + list(_ALIASES)
        raise InputError(
            f"{len(unknown)} unrecognised NS-SEC value(s): "
            + describe_unknown(unknown, choices, cutoff=0.6),
            file=file,
            column=column,
            expected="an NS-SEC analytic class (1-8, 1.1, 1.2), an L-code (L1-L17) or a "
            "class label",
        )

    mapped = [
        MISSING if c is None else (smc_of[c] if smc_of[c] is not None else EXCLUDED) for c in codes
    ]
    smc = pd.Series(
        pd.Categorical(
            [m if m in SMC_CLASSES else None for m in mapped],
            categories=list(SMC_CLASSES),
            ordered=True,
        ),
        index=series.index,
        name="smc_class",
    )
    status = pd.Series(
        [m if m in (EXCLUDED, MISSING) else "classified" for m in mapped],
        index=series.index,
        dtype=object,
        name="nssec_status",
    )
    nssec = pd.Series(codes, index=series.index, dtype=object, name="nssec")

    rows: dict[tuple[bool, str], list[Any]] = {}
    for value, found, smc_target in zip(inputs, codes, mapped, strict=True):
        text = "" if value is None else _text(value)
        row_key = (value is None, text)
        if row_key in rows:
            rows[row_key][-1] += 1
            continue
        rows[row_key] = [
            None if value is None else text,
            None if value is None else normalise(text),
            found,
            NSSEC_LABELS.get(found) if found else None,
            smc_target,
            1,
        ]
    mapping = pd.DataFrame(
        list(rows.values()),
        columns=["input", "normalised", "nssec", "nssec_label", "mapped", "count"],
    )
    rank = {c: n for n, c in enumerate(NSSEC_LABELS)}
    mapping["_r"] = mapping["nssec"].map(rank).fillna(len(rank))
    mapping = mapping.sort_values(["_r", "input"], na_position="last", kind="stable")
    mapping = mapping.drop(columns="_r").reset_index(drop=True)
    mapping["count"] = mapping["count"].astype("int64")
    return NssecClassification(
        nssec=nssec, smc_class=smc, status=status, report=ClassificationReport(mapping=mapping)
    )


def nssec_to_smc(values: Iterable[Any] | pd.Series, **kwargs: Any) -> pd.Series:
    """Shortcut: the SMC class of each value (ordered categorical; excluded and missing
    as NaN). Keyword arguments are those of :func:`classify_nssec`."""
    return classify_nssec(values, **kwargs).smc_class


__all__ = [
    "EXCLUDED",
    "MISSING",
    "NOT_CLASSIFIED",
    "NSSEC_LABELS",
    "SMC_CLASSES",
    "STUDENTS",
    "ClassificationReport",
    "NssecClassification",
    "classify_nssec",
    "nssec_to_smc",
    "parse_nssec",
]
