"""Survey design, weighting and design-based estimation (the barometer; employer survey
weighting).

- :func:`read_survey` — respondents from CSV, Parquet, SPSS or Stata, with value labels;
- :func:`survey_design` — weights, strata, PSUs, finite population correction, lonely-PSU
  treatment;
- :func:`rake`, :func:`poststratify` — calibration to population margins
  (:func:`read_margins`, :func:`margin`), trimming, Kish design effect;
- :func:`estimate`, :func:`estimate_items` — means, proportions (logit and Korn–Graubard
  intervals) and net agreement, overall or by group, with Taylor-linearised standard
  errors that honour strata, PSUs and calibration;
- :func:`compare_groups`, :func:`compare_waves` — differences with t tests and Holm or
  Benjamini–Hochberg adjustment.

Every estimate is checked against R's ``survey`` package (``tests/results/survey``).
"""

from socmob.survey.compare import (
    Comparison,
    adjust_pvalues,
    compare_groups,
    compare_waves,
)
from socmob.survey.design import (
    LONELY_PSU_OPTIONS,
    Calibration,
    SurveyDesign,
    survey_design,
)
from socmob.survey.estimate import (
    SurveyEstimate,
    estimate,
    estimate_items,
    korn_graubard,
)
from socmob.survey.margins import (
    Margin,
    margin,
    margins_from_frame,
    read_margin_files,
    read_margins,
)
from socmob.survey.read import SurveyData, read_survey, write_survey
from socmob.survey.weighting import (
    Raking,
    effective_sample_size,
    kish_design_effect,
    poststratify,
    rake,
)

__all__ = [
    "LONELY_PSU_OPTIONS",
    "Calibration",
    "Comparison",
    "Margin",
    "Raking",
    "SurveyData",
    "SurveyDesign",
    "SurveyEstimate",
    "adjust_pvalues",
    "compare_groups",
    "compare_waves",
    "effective_sample_size",
    "estimate",
    "estimate_items",
    "kish_design_effect",
    "korn_graubard",
    "margin",
    "margins_from_frame",
    "poststratify",
    "rake",
    "read_margin_files",
    "read_margins",
    "read_survey",
    "survey_design",
    "write_survey",
]
