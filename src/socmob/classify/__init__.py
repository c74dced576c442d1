"""Socio-economic background classification.

- :func:`classify_nssec` — NS-SEC analytic classes (codes or labels) → the SMC's five
  classes, with a report of every mapping made (:mod:`socmob.classify.nssec`);
- :func:`classify_key_question` — the SMC key question ("What was the occupation of your
  main household earner when you were about aged 14?") → professional / intermediate /
  lower background (:mod:`socmob.classify.seb`);
- :func:`read_labelled` — value-labelled SPSS/Stata columns (:mod:`socmob.classify.labelled`).
"""

from socmob.classify.labelled import LabelledData, apply_value_labels, read_labelled
from socmob.classify.nssec import (
    SMC_CLASSES,
    ClassificationReport,
    NssecClassification,
    classify_nssec,
    nssec_to_smc,
    parse_nssec,
)
from socmob.classify.seb import (
    KEY_QUESTION,
    KEY_QUESTION_OPTIONS,
    SEB_GROUPS,
    KeyQuestionOption,
    SebClassification,
    classify_key_question,
    match_option,
)

__all__ = [
    "KEY_QUESTION",
    "KEY_QUESTION_OPTIONS",
    "SEB_GROUPS",
    "SMC_CLASSES",
    "ClassificationReport",
    "KeyQuestionOption",
    "LabelledData",
    "NssecClassification",
    "SebClassification",
    "apply_value_labels",
    "classify_key_question",
    "classify_nssec",
    "match_option",
    "nssec_to_smc",
    "parse_nssec",
    "read_labelled",
]
