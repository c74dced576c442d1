"""Synthetic populations with known true parameters, for demos, tests and benchmarks.

Everything generated here is labelled synthetic (a ``synthetic`` column and file metadata).
"""

from socmob.synth.classes import UnidiffTable, synth_unidiff_table
from socmob.synth.income import (
    IncomeTruth,
    SynthFile,
    is_synthetic,
    pearson_from_spearman,
    read_truth,
    synth_income,
)

__all__ = [
    "IncomeTruth",
    "SynthFile",
    "UnidiffTable",
    "is_synthetic",
    "pearson_from_spearman",
    "read_truth",
    "synth_income",
    "synth_unidiff_table",
]
