"""The Social Mobility Commission's key question on socio-economic background (SEB).

The SMC asks employers to measure SEB with one key question:

    *What was the occupation of your main household earner when you were about aged 14?*

with nine published answer options. They are grouped into three backgrounds
(SMC employers' toolkit, "Measurement"; socialmobilityworks.org/toolkit/measurement):

* **professional** — modern & traditional professional; senior, middle or junior
  managers or administrators (NS-SEC 1–2);
* **intermediate** — clerical and intermediate; small business owners (NS-SEC 3–4);
* **lower** — technical and craft; routine, semi-routine manual and service;
  long-term unemployed (NS-SEC 5–8);

"Other" (retired, does not apply, don't know) and "I prefer not to say" are *excluded*
from the shares but counted, so that disclosure rates can be reported.

:func:`classify_key_question` maps real-world answer strings to the options. It tolerates
case, punctuation, curly quotes, the option heading without its examples, short codes,
option numbers, common variants ("I don't wish to answer", "PNTS", "don't know") and
labels cut off by a length limit (SPSS value labels stop at 120 bytes), and
it reports every mapping it made; any answer it cannot place is rejected with the list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from socmob._text import describe_unknown, normalise
from socmob.errors import InputError
from socmob.results import Result, tidy

KEY_QUESTION = (
    "What was the occupation of your main household earner when you were about aged 14?"
)
"""The SMC key question, as published."""

SEB_GROUPS: tuple[str, ...] = ("professional", "intermediate", "lower")
"""The three socio-economic backgrounds, most advantaged first."""

EXCLUDED = "excluded"
"""Group of the answers that are counted but not classified (other, prefer not to say)."""


@dataclass(frozen=True)
class KeyQuestionOption:
    """One published answer option of the key question."""

    order: int
    code: str
    label: str
    group: str

    @property
    def heading(self) -> str:
        """The option text before its examples ("such as: …")."""
        return self.label.split(" such as", 1)[0].rstrip(" .:")


KEY_QUESTION_OPTIONS: tuple[KeyQuestionOption, ...] = (
    KeyQuestionOption(
        1,
        "professional",
        "Modern professional & traditional professional occupations such as: teacher, "
        "nurse, physiotherapist, social worker, musician, police officer (sergeant or "
        "above), software designer, accountant, solicitor, medical practitioner, "
        "scientist, civil / mechanical engineer.",
        "professional",
    ),
    KeyQuestionOption(
        2,
        "manager",
        "Senior, middle or junior managers or administrators such as: finance manager, "
        "chief executive, large business owner, office manager, retail manager, bank "
        "manager, restaurant manager, warehouse manager.",
        "professional",
    ),
    KeyQuestionOption(
        3,
        "clerical",
        "Clerical and intermediate occupations such as: secretary, personal assistant, "
        "call centre agent, clerical worker, nursery nurse.",
        "intermediate",
    ),
    KeyQuestionOption(
        4,
        "technical",
        "Technical and craft occupations such as: motor mechanic, plumber, printer, "
        "electrician, gardener, train driver.",
        "lower",
    ),
    KeyQuestionOption(
        5,
        "manual",
        "Routine, semi-routine manual and service occupations such as: postal worker, "
        "machine operative, security guard, caretaker, farm worker, catering assistant, "
        "sales assistant, HGV driver, cleaner, porter, packer, labourer, waiter/waitress, "
        "bar staff.",
        "lower",
    ),
    KeyQuestionOption(
        6,
        "unemployed",
        "Long-term unemployed (claimed Jobseeker's Allowance or earlier unemployment "
        "benefit for more than a year).",
        "lower",
    ),
    KeyQuestionOption(
        7,
        "small-business-owner",
        "Small business owners who employed less than 25 people such as: corner shop "
        "owners, small plumbing companies, retail shop owner, single restaurant or cafe "
        "owner, taxi owner, garage owner.",
        "intermediate",
    ),
    KeyQuestionOption(
        8,
        "other",
        "Other such as: retired, this question does not apply to me, I don't know.",
        EXCLUDED,
    ),
    KeyQuestionOption(9, "prefer-not-to-say", "I prefer not to say.", EXCLUDED),
)
"""The nine published options in their published order."""

_BY_CODE = {o.code: o for o in KEY_QUESTION_OPTIONS}

# Variants seen in real survey exports, keyed by normalised text → option code.
_ALIASES: dict[str, str] = {
    # professional
    "modern professional": "professional",
    "traditional professional": "professional",
    "modern professional occupations": "professional",
    "traditional professional occupations": "professional",
    "professional occupations": "professional",
    "modern and traditional professional": "professional",
    "modern and traditional professional occupations": "professional",
    "professional": "professional",
    # managers
    "senior managers or administrators": "manager",
    "middle or junior managers": "manager",
    "senior middle or junior managers": "manager",
    "senior middle or junior managers or administrators": "manager",
    "managers or administrators": "manager",
    "managerial": "manager",
    "managers": "manager",
    "manager": "manager",
    # clerical
    "clerical and intermediate": "clerical",
    "clerical and intermediate occupations": "clerical",
    "clerical": "clerical",
    "intermediate occupations": "clerical",
    # technical
    "technical and craft": "technical",
    "technical and craft occupations": "technical",
    "technical": "technical",
    # routine and semi-routine
    "routine semi routine manual and service occupations": "manual",
    "routine semi routine manual and service": "manual",
    "routine and semi routine manual and service occupations": "manual",
    "routine manual and service occupations": "manual",
    "semi routine manual and service occupations": "manual",
    "routine or semi routine": "manual",
    "routine": "manual",
    "semi routine": "manual",
    # long-term unemployed
    "long term unemployed": "unemployed",
    "longterm unemployed": "unemployed",
    "unemployed": "unemployed",
    # small business owners
    "small business owners": "small-business-owner",
    "small business owner": "small-business-owner",
    "small business owners who employed less than 25 people": "small-business-owner",
    "small business owners who employed fewer than 25 people": "small-business-owner",
    # other
    "other": "other",
    "retired": "other",
    "this question does not apply to me": "other",
    "does not apply": "other",
    "not applicable": "other",
    "n a": "other",
    "na": "other",
    "i dont know": "other",
    "dont know": "other",
    "do not know": "other",
    "unknown": "other",
    "dk": "other",
    # prefer not to say
    "i prefer not to say": "prefer-not-to-say",
    "prefer not to say": "prefer-not-to-say",
    "i would prefer not to say": "prefer-not-to-say",
    "id prefer not to say": "prefer-not-to-say",
    "rather not say": "prefer-not-to-say",
    "i dont wish to answer": "prefer-not-to-say",
    "i do not wish to answer": "prefer-not-to-say",
    "dont wish to answer": "prefer-not-to-say",
    "do not wish to answer": "prefer-not-to-say",
    "prefer not to answer": "prefer-not-to-say",
    "pnts": "prefer-not-to-say",
    "refused": "prefer-not-to-say",
}


def _lookup_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for opt in KEY_QUESTION_OPTIONS:
        table[normalise(opt.label)] = opt.code
        table[normalise(opt.heading)] = opt.code
        table[normalise(opt.code)] = opt.code
        table[str(opt.order)] = opt.code
    for alias, code in _ALIASES.items():
        table.setdefault(normalise(alias), code)
    return table


_LOOKUP = _lookup_table()


@dataclass(frozen=True)
class SebClassification(Result):
    """Result of :func:`classify_key_question`.

    Attributes
    ----------
    option : the option code of each answer (``None`` for a blank answer), aligned with
        the input.
    group : the background of each answer: ``professional``, ``intermediate``, ``lower``,
        ``excluded`` (other / prefer not to say) or ``missing`` (blank).
    mapping : one row per distinct raw answer: ``raw, normalised, option_code,
        option_label, seb_group, count``.
    """

    option: pd.Series
    group: pd.Series
    mapping: pd.DataFrame = field(repr=False)

    @property
    def counts(self) -> pd.Series:
        """Number of answers per group (including ``excluded`` and ``missing``)."""
        order = [*SEB_GROUPS, EXCLUDED, "missing"]
        return self.group.value_counts().reindex(order, fill_value=0).astype("int64")

    @property
    def n_classified(self) -> int:
        """Answers placed in one of the three backgrounds."""
        return int(self.group.isin(SEB_GROUPS).sum())

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows, one per distinct raw answer: ``value`` how many gave it,
        ``group`` the background it was mapped to; the columns of :attr:`mapping`
        follow."""
        m = self.mapping
        return tidy(m.assign(measure="answers classified", breakdown="background",
                             group=m["seb_group"], value=m["count"], unit="answers",
                             note="option " + m["option_code"].fillna("-").astype(str)))


def _as_text(value: Any, value_labels: Mapping[Any, str] | None) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if value_labels is not None and value in value_labels:
        return str(value_labels[value])
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


_MIN_PREFIX = 30


def _truncated_label(answer: str) -> str | None:
    """Option code of an answer that is a cut-off full label (SPSS value labels, for one,
    are limited to 120 bytes): a normalised prefix of at least 30 characters matching
    exactly one option's label."""
    key = normalise(answer)
    if len(key) < _MIN_PREFIX:
        return None
    hits = {o.code for o in KEY_QUESTION_OPTIONS if normalise(o.label).startswith(key)}
    return hits.pop() if len(hits) == 1 else None


def match_option(answer: str) -> KeyQuestionOption | None:
    """The key-question option an answer string means, or ``None`` if it is unknown."""
    code = _LOOKUP.get(normalise(answer)) or _truncated_label(answer)
    return _BY_CODE[code] if code else None


def classify_key_question(
    answers: Iterable[Any] | pd.Series,
    *,
    value_labels: Mapping[Any, str] | None = None,
    aliases: Mapping[str, str] | None = None,
    column: str | None = None,
    file: str | None = None,
    rows: Iterable[int] | None = None,
) -> SebClassification:
    """Map key-question answers to the nine options and the three backgrounds.

    Parameters
    ----------
    answers : raw answers (strings, option numbers 1–9, option codes, or value-labelled
        codes with ``value_labels``); blanks are kept as ``missing``. A pandas
        ``Categorical`` is read through its labels.
    value_labels : code → label mapping of a value-labelled (SPSS/Stata) column.
    aliases : extra answer text → option code (or option label) pairs an employer's
        survey tool uses.
    column, file : where the answers came from, for error messages.
    rows : the file row of each answer (default: position + 2, a file with a header row).

    Raises
    ------
    InputError
        If any answer matches no option; the message lists every unknown answer (with
        its first row, 1-based with a header row, i.e. spreadsheet numbering) and close
        matches.
    """
    series = answers if isinstance(answers, pd.Series) else pd.Series(list(answers))
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    lookup = dict(_LOOKUP)
    for alias, target in (aliases or {}).items():
        opt = _BY_CODE.get(target) or match_option(target)
        if opt is None:
            raise InputError(
                f"alias {alias!r} points to an unknown option {target!r}",
                expected="one of " + ", ".join(_BY_CODE),
            )
        lookup[normalise(alias)] = opt.code

    raws = [_as_text(v, value_labels) for v in series.tolist()]
    line = [int(r) for r in rows] if rows is not None else None
    codes: list[str | None] = []
    unknown: dict[str, int] = {}
    for pos, raw in enumerate(raws):
        if raw is None:
            codes.append(None)
            continue
        code = lookup.get(normalise(raw)) or _truncated_label(raw)
        if code is None:
            unknown.setdefault(raw, line[pos] if line is not None else pos + 2)
        codes.append(code)
    if unknown:
        labels = [o.label for o in KEY_QUESTION_OPTIONS]
        listed = describe_unknown(unknown, labels + list(_ALIASES), cutoff=0.5)
        raise InputError(
            f"{len(unknown)} unrecognised key-question answer(s): {listed}",
            file=file,
            column=column,
            expected="one of the nine SMC options (text, heading, code or number 1-9)",
        )

    option = pd.Series(codes, index=series.index, dtype=object, name="seb_option")
    group = pd.Series(
        [_BY_CODE[c].group if c else "missing" for c in codes],
        index=series.index,
        dtype=object,
        name="seb",
    )
    report_rows: dict[str, list[Any]] = {}
    for raw, code in zip(raws, codes, strict=True):
        key = "" if raw is None else raw
        if key in report_rows:
            report_rows[key][-1] += 1
            continue
        opt = _BY_CODE[code] if code else None
        report_rows[key] = [
            raw,
            normalise(raw) if raw is not None else None,
            opt.code if opt else None,
            opt.label if opt else None,
            opt.group if opt else "missing",
            1,
        ]
    mapping = pd.DataFrame(
        list(report_rows.values()),
        columns=["raw", "normalised", "option_code", "option_label", "seb_group", "count"],
    )
    order = {o.code: o.order for o in KEY_QUESTION_OPTIONS}
    mapping["_o"] = mapping["option_code"].map(order).fillna(99)
    mapping = mapping.sort_values(["_o", "raw"], na_position="last", kind="stable")
    mapping = mapping.drop(columns="_o").reset_index(drop=True)
    mapping["count"] = mapping["count"].astype("int64")
    return SebClassification(option=option, group=group, mapping=mapping)


def seb_group_of(codes: Sequence[str | None]) -> list[str]:
    """The background of each option code (``missing`` for ``None``)."""
    return [_BY_CODE[c].group if c else "missing" for c in codes]


__all__ = [
    "EXCLUDED",
    "KEY_QUESTION",
    "KEY_QUESTION_OPTIONS",
    "SEB_GROUPS",
    "KeyQuestionOption",
    "SebClassification",
    "classify_key_question",
    "match_option",
    "seb_group_of",
]
