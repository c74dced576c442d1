"""The socio-economic background questionnaire as data, its exports, response import,
and the ONS self-coded NS-SEC derivation from the optional follow-up questions.

The questions live in ``workforce/data/questionnaire.yaml``; the key question's nine
options come from :mod:`socmob.classify.seb`. :func:`load_questionnaire` returns a
:class:`Questionnaire` that exports to JSON (:meth:`Questionnaire.to_dict`), CSV
(:meth:`Questionnaire.to_frame`) and printable HTML
(:func:`socmob.report.workforce.questionnaire_html`); :func:`import_responses` reads the
answers back with validation.

Self-coded NS-SEC (ONS, *The National Statistics Socio-economic Classification:
self-coded method*): five classes — 1 managerial and professional, 2 intermediate,
3 small employers and own-account workers, 4 lower supervisory and technical,
5 semi-routine and routine — from the occupation type and an employment-status variable
(employer in an organisation of 25+ / 1–24, self-employed without employees, employee as
supervisor / other employee):

=====================  ========  ========  =========  ==========  ========
occupation type        emp 25+   emp 1-24  own acct.  supervisor  employee
=====================  ========  ========  =========  ==========  ========
professional           1         1         1          1           1
manager/administrator  1         3         3          1           1
clerical/intermediate  1         3         3          2           2
technical and craft    1         3         3          4           4
routine/semi-routine   1         3         3          4           5
=====================  ========  ========  =========  ==========  ========

The SMC key question merges the ONS occupation types (modern + traditional professional;
senior + middle/junior managers; routine + semi-routine) whose rows coincide in this
table, so the derivation is unaffected. "Small business owners" are class 3 (class 1 if
they employed 25 or more, which the option's wording excludes); long-term unemployed,
other and prefer-not-to-say are not classified (``None``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import pandas as pd
import yaml

from socmob._deprecated import renamed
from socmob._text import normalise
from socmob.classify.seb import KEY_QUESTION_OPTIONS, classify_key_question
from socmob.errors import InputError

NSSEC_SELF_CODED_CLASSES: dict[int, str] = {
    1: "Managerial and professional occupations",
    2: "Intermediate occupations",
    3: "Small employers and own account workers",
    4: "Lower supervisory and technical occupations",
    5: "Semi-routine and routine occupations",
}


@dataclass(frozen=True)
class Option:
    """One answer option."""

    code: str
    label: str


@dataclass(frozen=True)
class QuestionnaireItem:
    """One question of the employers' questionnaire with its answer options."""

    id: str
    text: str
    options: tuple[Option, ...]
    group: str = "core"
    hint: str = ""
    variant_of: str | None = None

    def match(self, answer: Any) -> Option | None:
        """The option an answer means (label, code or 1-based number), or ``None``."""
        key = normalise(answer)
        for i, opt in enumerate(self.options, start=1):
            if key in (normalise(opt.label), normalise(opt.code), str(i)):
                return opt
        return None


@dataclass(frozen=True)
class Questionnaire:
    """The questionnaire: title, version, intro and questions in order.

    A document, not a result: :meth:`to_frame` is its CSV form for survey tools."""

    title: str
    version: str
    intro: str
    questions: tuple[QuestionnaireItem, ...] = field(repr=False)

    def question(self, qid: str) -> QuestionnaireItem:
        """The question with this id."""
        for q in self.questions:
            if q.id == qid:
                return q
        raise InputError(f"no question {qid!r}",
                         expected=", ".join(q.id for q in self.questions))

    def to_dict(self) -> dict[str, Any]:
        """JSON form (importable into survey tools)."""
        return {
            "title": self.title, "version": self.version, "intro": self.intro,
            "questions": [
                {"id": q.id, "group": q.group, "text": q.text, "hint": q.hint,
                 "variant_of": q.variant_of,
                 "options": [{"code": o.code, "label": o.label} for o in q.options]}
                for q in self.questions
            ],
        }

    def to_frame(self) -> pd.DataFrame:
        """CSV form: one row per question option."""
        rows = []
        for qn, q in enumerate(self.questions, start=1):
            for on, o in enumerate(q.options, start=1):
                rows.append({"question_number": qn, "question_id": q.id, "group": q.group,
                             "question": q.text, "hint": q.hint,
                             "variant_of": q.variant_of or "", "option_number": on,
                             "option_code": o.code, "option_label": o.label})
        return pd.DataFrame(rows)


def load_questionnaire() -> Questionnaire:
    """The packaged questionnaire (``workforce/data/questionnaire.yaml``)."""
    text = resources.files("socmob.workforce.data").joinpath("questionnaire.yaml").read_text(
        encoding="utf-8")
    data = yaml.safe_load(text)
    questions = []
    for q in data["questions"]:
        if q.get("options_from") == "key_question":
            opts = tuple(Option(o.code, o.label) for o in KEY_QUESTION_OPTIONS)
        else:
            opts = tuple(Option(str(o["code"]), str(o["label"])) for o in q["options"])
        questions.append(QuestionnaireItem(id=q["id"], text=q["text"], options=opts,
                                  group=q.get("group", "core"),
                                  hint=" ".join(str(q.get("hint", "")).split()),
                                  variant_of=q.get("variant_of")))
    return Questionnaire(title=data["title"], version=str(data["version"]),
                         intro=" ".join(data["intro"].split()), questions=tuple(questions))


@dataclass(frozen=True)
class SurveyResponses:
    """Validated survey responses: one column of option codes per answered question,
    ``seb`` (background) and ``nssec_self_coded`` where the follow-ups were asked.

    Input data, not a result: :meth:`to_frame` is the responses themselves."""

    frame: pd.DataFrame
    seb_report: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """A copy of the validated responses."""
        return self.frame.copy()


def import_responses(
    responses: pd.DataFrame,
    *,
    questionnaire: Questionnaire | None = None,
    columns: Mapping[str, str] | None = None,
    file: str | None = None,
    rows: Iterable[int] | None = None,
) -> SurveyResponses:
    """Read survey answers back, validating each against its question's options.

    ``columns`` maps question id → column of ``responses`` (default: columns named by
    question id). Answers may be option labels, codes or 1-based option numbers; blanks
    are kept as missing. Unknown answers raise :class:`~socmob.errors.InputError` naming
    the row (spreadsheet numbering, header = row 1; ``rows`` gives each row's number in
    the file, default: the position + 2) and column.
    """
    q = questionnaire or load_questionnaire()
    cols = dict(columns) if columns else {x.id: x.id for x in q.questions
                                          if x.id in responses.columns}
    if not cols:
        raise InputError("no question columns found", file=file,
                         expected="columns named " + ", ".join(x.id for x in q.questions))
    if len(responses) == 0:
        raise InputError("the survey export has a header but no answers", file=file, row=2,
                         expected="one row per respondent")
    line = ([int(r) for r in rows] if rows is not None
            else [pos + 2 for pos in range(len(responses))])
    out = pd.DataFrame(index=responses.index)
    seb_report = pd.DataFrame()
    for qid, col in cols.items():
        question = q.question(qid)
        if col not in responses.columns:
            raise InputError("missing column", file=file, row=1, column=col,
                             expected=f"answers to {qid}")
        values = responses[col]
        if qid == "seb_key_question":
            res = classify_key_question(values, column=col, file=file, rows=line)
            out[qid] = res.option
            out["seb"] = res.group
            seb_report = res.mapping
            continue
        codes: list[str | None] = []
        for pos, v in enumerate(values.tolist()):
            if v is None or (isinstance(v, float) and pd.isna(v)) or not str(v).strip():
                codes.append(None)
                continue
            opt = question.match(v)
            if opt is None:
                raise InputError(f"unknown answer {v!r} to {qid}", file=file, row=line[pos],
                                 column=col,
                                 expected="one of " + "; ".join(o.label for o in
                                                                question.options))
            codes.append(opt.code)
        out[qid] = codes
    follow = ("seb_key_question", "earner_employment_status", "earner_workplace_size",
              "earner_supervisor")
    if all(f in out.columns for f in follow):
        out["nssec_self_coded"] = [
            self_coded_nssec(o, e, s, p) for o, e, s, p in
            zip(*(out[f].tolist() for f in follow), strict=True)
        ]
    return SurveyResponses(frame=out.reset_index(drop=True), seb_report=seb_report)


def read_responses(path: str | os.PathLike[str], *, questionnaire: Questionnaire | None = None,
                   columns: Mapping[str, str] | None = None,
                   sheet: str | None = None) -> SurveyResponses:
    """Read a survey tool's export (CSV, Excel, Parquet, SPSS or Stata; SPSS/Stata value
    labels applied) with :mod:`socmob.io` and validate it with :func:`import_responses`."""
    from socmob.io import read_file
    from socmob.workforce.hr import HR_FORMATS

    data = read_file(path, sheet=sheet, types="raw", apply_labels=True, allowed=HR_FORMATS)
    frame = data.frame.astype(object)
    return import_responses(frame.where(frame.notna(), None), questionnaire=questionnaire,
                            columns=columns, file=data.source, rows=data.rows)


_PROF = {"professional"}
_MANAGER = {"manager"}
_CLERICAL = {"clerical"}
_TECH = {"technical"}
_ROUTINE = {"manual"}


def self_coded_nssec(
    occupation: str | None,
    employment_status: str | None,
    workplace_size: str | None,
    supervisor: str | None,
) -> int | None:
    """Five-class self-coded NS-SEC of the main household earner (see module docstring).

    Inputs are option codes: ``occupation`` a key-question code; ``employment_status``
    one of ``employee``, ``self-employed-with-employees``, ``self-employed-no-employees``;
    ``workplace_size`` ``1-24`` / ``25+``; ``supervisor`` ``yes`` / ``no``. Returns
    ``None`` where the answers cannot be classified.
    """
    if occupation is None or occupation in ("other", "prefer-not-to-say", "unemployed"):
        return None
    if occupation == "small-business-owner":
        return 3
    if employment_status == "self-employed-with-employees":
        if workplace_size == "25+":
            return 1
        if workplace_size == "1-24":
            return 1 if occupation in _PROF else 3
        return None
    if employment_status == "self-employed-no-employees":
        return 1 if occupation in _PROF else 3
    if employment_status == "employee":
        if occupation in _PROF | _MANAGER:
            return 1
        if occupation in _CLERICAL:
            return 2
        if occupation in _TECH:
            return 4
        if occupation in _ROUTINE:
            if supervisor == "yes":
                return 4
            if supervisor == "no":
                return 5
        return None
    return None


__all__ = [
    "NSSEC_SELF_CODED_CLASSES",
    "Option",
    "Questionnaire",
    "QuestionnaireItem",
    "SurveyResponses",
    "import_responses",
    "load_questionnaire",
    "read_responses",
    "self_coded_nssec",
]

__getattr__ = renamed(__name__, {"Question": "QuestionnaireItem"}, globals())
