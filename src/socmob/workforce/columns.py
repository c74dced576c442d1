"""Help to map an HR extract's columns without writing YAML: plain names for the
canonical fields, best guesses of which column holds each (by name similarity), a best
guess of the grade order, and a template extract.

The guesses are suggestions for a person to confirm (the web app's column picker shows
them as the pre-selected choices); nothing here decides a mapping on its own. The
validated mapping is an :class:`~socmob.workforce.hr.HRMapping` as from YAML.

Name similarity: headers and field names are normalised (:func:`socmob._text.normalise`:
case, accents, punctuation) and compared with :class:`difflib.SequenceMatcher`'s ratio
``2M / (|a| + |b|)`` (M matched characters) against every known spelling of a field; a
whole-word containment (``"Grade"`` in ``"Job grade"``) counts 0.9. Columns are given to
fields greedily, best score first, each column at most once, and only above
:data:`MIN_SIMILARITY`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher
from typing import Any

import numpy as np
import pandas as pd

from socmob._text import normalise
from socmob.workforce.hr import MANDATORY, OPTIONAL

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "employee_id": ("Employee id", "A pseudonymous staff number, unique per row."),
    "grade": ("Grade", "The employee's grade or band (you put the grades in order next)."),
    "ordinary_pay": ("Ordinary pay in the pay period", "Gross ordinary pay, e.g. £2,450."),
    "period_days": ("Days in the pay period", "E.g. 30 for a monthly pay period."),
    "weekly_hours": ("Weekly hours", "Normal working hours a week."),
    "full_pay_relevant": ("Full-pay relevant employee", "Yes or no (as for gender pay "
                                                        "gap reporting)."),
    "seb_answer": ("Answer to the key question", "Occupation of the main household earner "
                                                 "at about 14."),
    "bonus_pay": ("Bonus pay in the pay period", "Optional; blank counts as 0."),
    "bonus_12m": ("Bonus paid in the last 12 months", "Optional; blank counts as 0."),
    "function": ("Function or department", "Optional."),
    "location": ("Location or site", "Optional."),
    "snapshot_date": ("Snapshot date", "Optional, e.g. 2025-04-05."),
    "hire_date": ("Start date", "Optional (for time to promotion)."),
    "promotion_date": ("Date of first promotion", "Optional."),
    "sex": ("Sex", "Optional."),
    "ethnicity": ("Ethnicity", "Optional."),
    "school_type": ("Type of school attended", "Optional survey answer."),
    "free_school_meals": ("Free school meals", "Optional survey answer."),
    "parental_degree": ("Parent with a degree", "Optional survey answer."),
    "data_label": ("Data label", "Optional, e.g. SYNTHETIC for made-up data."),
}
"""Each canonical field's plain name and a hint, in the order a form shows them."""

SPELLINGS: dict[str, tuple[str, ...]] = {
    "employee_id": ("employee id", "staff id", "staff number", "employee number", "id",
                    "person id", "payroll number", "employee ref"),
    "grade": ("grade", "band", "job grade", "pay band", "level", "job level", "pay grade"),
    "ordinary_pay": ("ordinary pay", "ordinary pay period", "basic pay", "gross pay", "pay",
                     "salary period", "ordinary pay in period"),
    "period_days": ("pay period days", "days in pay period", "period days", "pay period"),
    "weekly_hours": ("weekly hours", "hours per week", "contracted hours", "hours",
                     "working hours"),
    "full_pay_relevant": ("full pay relevant", "full pay relevant employee", "full pay",
                          "relevant employee", "fpre"),
    "seb_answer": ("main household earner occupation at 14", "parental occupation",
                   "parent occupation", "key question", "socio economic background",
                   "seb", "household earner occupation", "occupation at 14"),
    "bonus_pay": ("bonus pay", "bonus pay period", "bonus in period", "bonus"),
    "bonus_12m": ("bonus paid in 12 months", "bonus 12 months", "bonus last 12 months",
                  "annual bonus", "bonus year"),
    "function": ("function", "department", "business unit", "division", "directorate"),
    "location": ("location", "site", "office", "region", "workplace"),
    "snapshot_date": ("snapshot date", "snapshot", "reporting date"),
    "hire_date": ("start date", "hire date", "date joined", "joined", "start"),
    "promotion_date": ("first promotion", "promotion date", "last promotion",
                       "date of promotion"),
    "sex": ("sex", "gender"),
    "ethnicity": ("ethnicity", "ethnic group"),
    "school_type": ("school type", "type of school", "school"),
    "free_school_meals": ("free school meals", "fsm"),
    "parental_degree": ("parental degree", "parent degree", "parents degree"),
    "data_label": ("data", "data label", "label"),
}
"""Known spellings of each canonical field's column header."""

MIN_SIMILARITY = 0.72
"""Least name similarity for a column to be suggested for a field."""

MAX_GRADES = 40
"""Most distinct values a grade column may have for the form to list them."""


def similarity(header: str, spelling: str) -> float:
    """Similarity of a column header and a field spelling in [0, 1] (module docstring)."""
    a, b = normalise(header), normalise(spelling)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if len(b) > 3 and f" {b} " in f" {a} ":
        return 0.9
    return SequenceMatcher(None, a, b).ratio()


def guess_columns(headers: Sequence[str]) -> dict[str, str]:
    """Best guess of the column holding each canonical field: ``{field: header}`` for the
    fields whose best match reaches :data:`MIN_SIMILARITY`, each header used once."""
    scored = []
    for fld in (*MANDATORY, *OPTIONAL):
        for h in headers:
            score = max(similarity(str(h), s) for s in SPELLINGS[fld])
            if score >= MIN_SIMILARITY:
                # mandatory fields win ties, so an id column is not taken by an option
                scored.append((score, fld in MANDATORY, fld, str(h)))
    scored.sort(key=lambda t: (-t[0], not t[1]))
    out: dict[str, str] = {}
    used: set[str] = set()
    for _score, _mandatory, fld, h in scored:
        if fld not in out and h not in used:
            out[fld] = h
            used.add(h)
    return {f: out[f] for f in (*MANDATORY, *OPTIONAL) if f in out}


def _numbers(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.replace(r"[£,\s]", "", regex=True)
    return pd.to_numeric(text, errors="coerce")


def grade_values(raw: pd.DataFrame, column: str) -> list[str]:
    """The distinct non-blank values of a grade column, as text, in first-seen order."""
    seen = [str(v).strip() for v in raw[column].tolist()
            if v is not None and not (isinstance(v, float) and np.isnan(v)) and str(v).strip()]
    return list(dict.fromkeys(seen))


def guess_grade_order(raw: pd.DataFrame, column: str,
                      pay: Mapping[str, str] | None = None) -> list[str]:
    """The grades of ``column``, lowest first: by the median hourly pay of each grade
    when ``pay`` names readable ``ordinary_pay``, ``period_days`` and ``weekly_hours``
    columns (hourly = pay × 7 ÷ days ÷ hours, as reg. 6), else by ordinary pay alone,
    else in natural order of the names (numbers within names compared as numbers)."""
    grades = grade_values(raw, column)
    key = raw[column].astype("string").str.strip()
    pay = dict(pay or {})
    hourly: pd.Series | None = None
    if pay.get("ordinary_pay") in raw.columns:
        hourly = _numbers(raw[pay["ordinary_pay"]])
        if pay.get("period_days") in raw.columns and pay.get("weekly_hours") in raw.columns:
            days, hours = _numbers(raw[pay["period_days"]]), _numbers(raw[pay["weekly_hours"]])
            with np.errstate(divide="ignore", invalid="ignore"):
                hourly = hourly * 7 / days / hours
        hourly = hourly.where(np.isfinite(hourly.astype("float64")))
    if hourly is not None and hourly.notna().any():
        medians = hourly.groupby(key).median()
        return sorted(grades, key=lambda g: (np.isnan(medians.get(g, np.nan)),
                                             medians.get(g, np.nan), _natural(g)))
    return sorted(grades, key=_natural)


def _natural(text: str) -> tuple[Any, ...]:
    import re

    return tuple(int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", text))


def template_frame() -> pd.DataFrame:
    """A template extract: one column per field (mandatory first) with the header the
    guesses recognise, and two illustrative rows."""
    columns = {
        "Staff ID": ["E0001", "E0002"],
        "Grade": ["Analyst", "Manager"],
        "Ordinary pay (period)": [2450.00, 4100.00],
        "Pay period days": [30, 30],
        "Weekly hours": [37.5, 37.5],
        "Full-pay relevant": ["Yes", "Yes"],
        "Main household earner occupation at 14": [
            "Technical and craft occupations",
            "Modern professional & traditional professional occupations"],
        "Bonus pay (period)": [0, 250.00],
        "Bonus paid in 12 months": [0, 1200.00],
        "Department": ["Finance", "Operations"],
        "Site": ["Leeds", "London"],
        "Snapshot date": ["2025-04-05", "2025-04-05"],
        "Start date": ["2021-09-01", "2015-03-16"],
        "First promotion": ["", "2018-06-01"],
        "Sex": ["Female", "Male"],
    }
    return pd.DataFrame(columns)


__all__ = [
    "FIELD_LABELS",
    "MAX_GRADES",
    "MIN_SIMILARITY",
    "SPELLINGS",
    "grade_values",
    "guess_columns",
    "guess_grade_order",
    "similarity",
    "template_frame",
]
