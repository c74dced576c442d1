"""Data files of the employers' toolkit (benchmarks, questionnaire, maturity questions)."""
