"""socmob.workforce — the employers' toolkit.

Modules (import them directly; nothing heavy is loaded here):

* :mod:`~socmob.workforce.survey` — the SEB questionnaire as data, exports, response
  import, ONS self-coded NS-SEC;
* :mod:`~socmob.workforce.hr` — HR extract (CSV/XLSX) + YAML mapping → validated frame;
* :mod:`~socmob.workforce.measures` — response rates, representation against the national
  benchmark, class ceiling (seniority gradient, odds of a senior role, promotion),
  targets;
* :mod:`~socmob.workforce.paygap` — class pay gap built like the statutory gender pay gap
  (SI 2017/172), quartile tie rule for k groups, non-statutory adjusted gap;
* :mod:`~socmob.workforce.disclosure` — threshold, complementary suppression with an LP
  audit, refusal under 50 respondents, rounding;
* :mod:`~socmob.workforce.summary` — the publishable and internal report as data;
* :mod:`~socmob.workforce.maturity` — maturity self-assessment.

The SMC key-question classifier is :mod:`socmob.classify.seb`.
"""
