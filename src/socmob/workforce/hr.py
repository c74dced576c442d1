"""HR data import: an HR extract plus a YAML column mapping → a validated frame.

This is the dedicated reader of the employers' toolkit (the measures themselves never
read files). The mapping declares which column of the employer's extract holds each
canonical field, the ordered list of grades (lowest first) and optional settings::

    columns:
      employee_id: Staff number        # pseudonymous id (mandatory)
      grade: Grade                     # mandatory, one of `grades`
      ordinary_pay: Ordinary pay       # mandatory, in the pay period, >= 0
      period_days: Pay period days     # mandatory, > 0
      weekly_hours: Weekly hours       # mandatory, > 0
      full_pay_relevant: Full pay      # mandatory, yes/no
      seb_answer: Parent occupation    # mandatory, the SMC key question
      bonus_pay: Bonus in period       # optional (0)
      bonus_12m: Bonus 12 months       # optional (0)
      function: Department             # optional
      location: Site                   # optional
      snapshot_date: Snapshot          # optional
      hire_date: Start date            # optional (for time to promotion)
      promotion_date: Last promotion   # optional
      sex: Sex                         # optional
      ethnicity: Ethnicity             # optional
      school_type: School              # optional survey answers
      free_school_meals: FSM
      parental_degree: Parent degree
    grades: [A, B, C, D, E]            # ordered, lowest first
    senior_grades: [E]                 # optional (default: the top grade)
    sheet: HR                          # optional XLSX sheet
    answer_aliases: {Blue collar: manual}

The extract may be CSV, Excel, Parquet, SPSS or Stata (read by :mod:`socmob.io`, with
SPSS/Stata value labels applied). Every row is validated; problems name the file,
spreadsheet row (header = row 1) and column. A frame is returned only when the whole
file is valid.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from socmob.checks import MAX_MAGNITUDE
from socmob.classify.seb import classify_key_question
from socmob.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from socmob.io import FileData

MANDATORY: tuple[str, ...] = (
    "employee_id",
    "grade",
    "ordinary_pay",
    "period_days",
    "weekly_hours",
    "full_pay_relevant",
    "seb_answer",
)
"""Canonical fields every HR extract must map."""

OPTIONAL: tuple[str, ...] = (
    "bonus_pay",
    "bonus_12m",
    "function",
    "location",
    "snapshot_date",
    "hire_date",
    "promotion_date",
    "sex",
    "ethnicity",
    "school_type",
    "free_school_meals",
    "parental_degree",
    "data_label",
)
"""Canonical fields an HR extract may map (``data_label`` marks e.g. SYNTHETIC data)."""

_NUMERIC_NONNEG = ("ordinary_pay", "bonus_pay", "bonus_12m")
_NUMERIC_POS = ("period_days", "weekly_hours")
_DATES = ("snapshot_date", "hire_date", "promotion_date")
_TRUE = {"yes", "y", "true", "t", "1", "1.0"}
_FALSE = {"no", "n", "false", "f", "0", "0.0"}


@dataclass(frozen=True)
class HRMapping:
    """Declared column mapping of an HR extract (see the module docstring)."""

    columns: Mapping[str, str]
    grades: tuple[str, ...]
    senior_grades: tuple[str, ...] = ()
    sheet: str | None = None
    answer_aliases: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, file: str | None = None) -> HRMapping:
        """Build and check a mapping from parsed YAML."""
        if not isinstance(data, Mapping):
            raise InputError("the mapping must be a YAML mapping", file=file,
                             expected="keys columns, grades")
        cols = data.get("columns")
        if not isinstance(cols, Mapping):
            raise InputError("the mapping has no 'columns' section", file=file,
                             expected="columns: {employee_id: ..., grade: ..., ...}")
        unknown = [k for k in cols if k not in MANDATORY + OPTIONAL]
        if unknown:
            raise InputError(f"unknown canonical field {unknown[0]!r} in the mapping",
                             file=file, expected="one of " + ", ".join(MANDATORY + OPTIONAL))
        missing = [k for k in MANDATORY if k not in cols]
        if missing:
            raise InputError(f"the mapping does not declare mandatory field {missing[0]!r}",
                             file=file, expected="all of " + ", ".join(MANDATORY))
        grades = data.get("grades")
        if not isinstance(grades, Sequence) or isinstance(grades, str) or not grades:
            raise InputError("the mapping needs an ordered list 'grades' (lowest first)",
                             file=file, expected="grades: [A, B, C]")
        grades_t = tuple(str(g) for g in grades)
        if len(set(grades_t)) != len(grades_t):
            raise InputError("'grades' lists a grade twice", file=file)
        senior = tuple(str(g) for g in data.get("senior_grades") or (grades_t[-1],))
        bad = [g for g in senior if g not in grades_t]
        if bad:
            raise InputError(f"senior grade {bad[0]!r} is not in 'grades'", file=file)
        return cls(columns={str(k): str(v) for k, v in cols.items()}, grades=grades_t,
                   senior_grades=senior, sheet=data.get("sheet"),
                   answer_aliases=dict(data.get("answer_aliases") or {}))

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (for writing YAML)."""
        out: dict[str, Any] = {"columns": dict(self.columns), "grades": list(self.grades),
                               "senior_grades": list(self.senior_grades)}
        if self.sheet:
            out["sheet"] = self.sheet
        if self.answer_aliases:
            out["answer_aliases"] = dict(self.answer_aliases)
        return out


def load_mapping(path: str | os.PathLike[str]) -> HRMapping:
    """Read a YAML mapping file (UTF-8; see :func:`socmob.io.read_yaml`)."""
    from socmob.io import read_yaml

    p = Path(path)
    if not p.is_file():
        raise InputError("mapping file not found", file=str(p))
    data = read_yaml(p, what="mapping file")
    return HRMapping.from_dict(data, file=str(p))


@dataclass(frozen=True)
class Problem:
    """One validation problem (spreadsheet row numbering: header = 1)."""

    message: str
    row: int | None = None
    column: str | None = None
    expected: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = (", ".join(where) + ": " if where else "") + self.message
        return text + (f" (expected {self.expected})" if self.expected else "")


@dataclass
class HRValidationError(InputError):
    """An HR extract failed validation; ``problems`` lists every problem found."""

    problems: tuple[Problem, ...] = ()

    def __str__(self) -> str:
        text = super().__str__()
        extra = len(self.problems) - 1
        if extra > 0:
            shown = "; ".join(str(p) for p in self.problems[1:4])
            text += f"; {extra} more problem(s): {shown}" + ("; ..." if extra > 3 else "")
        return text


@dataclass(frozen=True)
class HRData:
    """A validated HR extract in canonical columns.

    Input data, not a result: :meth:`to_frame` is the extract itself.

    ``frame`` has the canonical fields plus ``seb_option`` and ``seb`` (background:
    professional / intermediate / lower / excluded / missing) and ``grade`` as an ordered
    categorical. ``seb_report`` is the key-question mapping report.
    """

    frame: pd.DataFrame
    mapping: HRMapping
    seb_report: pd.DataFrame
    source: str | None = None

    @property
    def n(self) -> int:
        """Number of employees."""
        return len(self.frame)

    def to_frame(self) -> pd.DataFrame:
        """A copy of the validated extract."""
        return self.frame.copy()


def _check_merged_header(path: Path, sheet: str | None, problems: list[Problem]) -> None:
    from socmob.io import FRAME_LIMITS
    from socmob.io._excel import close, open_workbook, worksheet

    wb = open_workbook(path, file=str(path), limits=FRAME_LIMITS, read_only=False)
    try:
        ws = worksheet(wb, sheet, file=str(path))
        for rng in ws.merged_cells.ranges:
            if rng.min_row <= 1:
                problems.append(Problem(
                    f"merged header cells {rng.coord}: every column needs its own header "
                    "cell", row=1,
                    column=str(ws.cell(row=rng.min_row, column=rng.min_col).value
                               or rng.coord),
                    expected="one header per column, no merged cells"))
    finally:
        close(wb)


HR_FORMATS: tuple[str, ...] = ("csv", "excel", "parquet", "spss", "stata")
"""Formats an HR extract or a survey export may come in."""


def read_extract(path: str | os.PathLike[str], *, sheet: str | None = None) -> FileData:
    """Read an extract as raw values (:class:`socmob.io.FileData`: text kept, blanks as
    ``None``, SPSS/Stata labels applied, each row's file row number); Excel files with
    merged header cells are rejected."""
    from socmob.io import detect_format, read_file

    p = Path(path)
    if not p.is_file():
        raise InputError("HR file not found", file=str(p))
    fmt = detect_format(p)
    if fmt == "excel":
        problems: list[Problem] = []
        _check_merged_header(p, sheet, problems)
        if problems:
            first = problems[0]
            raise HRValidationError(first.message, file=str(p), row=first.row,
                                    column=first.column, expected=first.expected,
                                    problems=tuple(problems))
    data = read_file(p, sheet=sheet, types="raw", apply_labels=True, allowed=HR_FORMATS)
    frame = data.frame.astype(object)
    return dataclasses.replace(data, frame=frame.where(frame.notna(), None))


def read_table(path: str | os.PathLike[str], *, sheet: str | None = None) -> pd.DataFrame:
    """Read an extract as raw values (strings kept, blanks as ``None``); see
    :func:`read_extract`."""
    frame: pd.DataFrame = read_extract(path, sheet=sheet).frame
    return frame


def _is_blank(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _num(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip().replace(",", "").replace("£", "")
    try:
        return float(text)
    except ValueError:
        return None


def _date(value: Any) -> pd.Timestamp | None:
    """A date from an ISO string, a UK day-first string or a spreadsheet date."""
    if value is None:
        return None
    if isinstance(value, (pd.Timestamp, np.datetime64)) or hasattr(value, "year"):
        ts = pd.Timestamp(value)
        return None if pd.isna(ts) else ts.normalize()
    text = str(value).strip()
    for fmt in ("ISO8601", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y"):
        try:
            ts = pd.to_datetime(text, format=fmt)
        except (ValueError, TypeError):
            continue
        if not pd.isna(ts):
            return pd.Timestamp(ts).normalize()
    return None


def validate_hr(raw: pd.DataFrame, mapping: HRMapping, *,
                file: str | None = None, rows: Iterable[int] | None = None) -> HRData:
    """Validate a raw extract against ``mapping``; return :class:`HRData` or raise
    :class:`HRValidationError` listing every problem (row numbers as in a spreadsheet,
    header = row 1; ``rows`` gives each row's number in the file, default: the position
    + 2). Pay, bonus and hours must be finite numbers no larger than 1e150
    (:data:`socmob.checks.MAX_MAGNITUDE`)."""
    problems: list[Problem] = []
    cols = mapping.columns
    absent = [(k, v) for k, v in cols.items() if v not in raw.columns]
    for canon, col in absent:
        kind = "mandatory" if canon in MANDATORY else "mapped"
        problems.append(Problem(f"missing {kind} column {col!r} (field {canon})", row=1,
                                column=col, expected="a header cell with this name"))
    if problems:
        first = problems[0]
        raise HRValidationError(first.message, file=file, row=first.row, column=first.column,
                                expected=first.expected, problems=tuple(problems))

    if len(raw) == 0:
        raise HRValidationError("the extract has a header but no data rows", file=file,
                                row=2, expected="one row per employee")
    out = pd.DataFrame(index=raw.index)
    line = (np.fromiter(rows, dtype=np.int64) if rows is not None
            else np.arange(len(raw)) + 2)
    if len(line) != len(raw):
        raise ValueError("rows must give one row number per row of the extract")
    for canon, col in cols.items():
        values = [None if _is_blank(v) else v for v in raw[col].tolist()]
        if canon in _NUMERIC_NONNEG + _NUMERIC_POS:
            parsed = []
            for r, v in zip(line, values, strict=True):
                x = _num(v)
                if v is None and canon in ("bonus_pay", "bonus_12m"):
                    x = 0.0
                if x is None or not np.isfinite(x):
                    problems.append(Problem("not a number" if v is not None else "blank",
                                            row=int(r), column=col, expected="a number"))
                elif abs(x) > MAX_MAGNITUDE:
                    problems.append(Problem(f"value {x:g} is too large", row=int(r),
                                            column=col,
                                            expected=f"a number no larger than "
                                                     f"{MAX_MAGNITUDE:g}"))
                elif canon in _NUMERIC_NONNEG and x < 0:
                    problems.append(Problem(f"negative pay {x:g}", row=int(r), column=col,
                                            expected="pay >= 0"))
                elif canon in _NUMERIC_POS and x <= 0:
                    what = "weekly hours" if canon == "weekly_hours" else "pay-period days"
                    problems.append(Problem(f"{what} of {x:g}", row=int(r), column=col,
                                            expected="a positive number"))
                elif canon == "weekly_hours" and x > 168:
                    problems.append(Problem(f"weekly hours of {x:g} (a week has 168)",
                                            row=int(r), column=col, expected="at most 168"))
                elif canon == "period_days" and x > 366:
                    problems.append(Problem(f"pay period of {x:g} days", row=int(r),
                                            column=col, expected="at most 366 days"))
                parsed.append(x)
            out[canon] = pd.Series(parsed, index=raw.index, dtype="float64")
        elif canon == "full_pay_relevant":
            flags = []
            for r, v in zip(line, values, strict=True):
                t = str(v).strip().lower() if v is not None else ""
                if t in _TRUE:
                    flags.append(True)
                elif t in _FALSE:
                    flags.append(False)
                else:
                    problems.append(Problem(f"cannot read {v!r} as yes/no", row=int(r),
                                            column=col, expected="yes or no"))
                    flags.append(False)
            out[canon] = flags
        elif canon in _DATES:
            parsed_dates = pd.Series([_date(v) for v in values], index=raw.index,
                                     dtype="datetime64[ns]")
            for r, v, d in zip(line, values, parsed_dates, strict=True):
                if v is not None and pd.isna(d):
                    problems.append(Problem(f"cannot read {v!r} as a date", row=int(r),
                                            column=col, expected="a date, e.g. 2025-04-05"))
            out[canon] = parsed_dates
        else:
            out[canon] = [None if v is None else str(v).strip() for v in values]
            if canon != "seb_answer" and canon not in ("employee_id", "grade"):
                continue
            if canon in ("employee_id", "grade"):
                for r, v in zip(line, values, strict=True):
                    if v is None:
                        problems.append(Problem("blank", row=int(r), column=col,
                                                expected=f"a {canon.replace('_', ' ')}"))

    # grades
    gcol = cols["grade"]
    known = set(mapping.grades)
    for r, g in zip(line, out["grade"], strict=True):
        if g is not None and g not in known:
            problems.append(Problem(f"unknown grade {g!r}", row=int(r), column=gcol,
                                    expected="one of " + ", ".join(mapping.grades)))
    # duplicate ids
    icol = cols["employee_id"]
    first_row: dict[str, int] = {}
    for r, e in zip(line, out["employee_id"], strict=True):
        if e is None:
            continue
        if e in first_row:
            problems.append(Problem(f"duplicate employee id {e!r} (first at row "
                                    f"{first_row[e]})", row=int(r), column=icol,
                                    expected="unique ids"))
        else:
            first_row[e] = int(r)
    # SEB answers
    scol = cols["seb_answer"]
    seb_report = pd.DataFrame()
    try:
        seb = classify_key_question(out["seb_answer"], aliases=mapping.answer_aliases,
                                    column=scol, file=file, rows=line)
        out["seb_option"] = seb.option
        out["seb"] = seb.group
        seb_report = seb.mapping
    except InputError as exc:
        problems.append(Problem(exc.message, column=scol, expected=exc.expected))

    if problems:
        problems.sort(key=lambda p: (p.row is None, p.row or 0))
        first = problems[0]
        raise HRValidationError(first.message, file=file, row=first.row, column=first.column,
                                expected=first.expected, problems=tuple(problems))
    for opt in ("bonus_pay", "bonus_12m"):
        if opt not in out.columns:
            out[opt] = 0.0
    out["grade"] = pd.Categorical(out["grade"], categories=list(mapping.grades), ordered=True)
    out["senior"] = out["grade"].isin(mapping.senior_grades)
    return HRData(frame=out.reset_index(drop=True), mapping=mapping, seb_report=seb_report,
                  source=file)


def read_hr(path: str | os.PathLike[str],
            mapping: HRMapping | str | os.PathLike[str]) -> HRData:
    """Read and validate an HR extract (CSV or XLSX) with its column mapping."""
    m = mapping if isinstance(mapping, HRMapping) else load_mapping(mapping)
    data = read_extract(path, sheet=m.sheet)
    return validate_hr(data.frame, m, file=str(path), rows=data.rows)


__all__ = [
    "HR_FORMATS",
    "MANDATORY",
    "OPTIONAL",
    "HRData",
    "HRMapping",
    "HRValidationError",
    "Problem",
    "load_mapping",
    "read_extract",
    "read_hr",
    "read_table",
    "validate_hr",
]
