"""Screening units by data availability (COINr's ``Screen``).

A unit's availability is the fraction of its indicators that are observed; its non-zero
fraction is the fraction that are observed and non-zero. ``byNA`` keeps units with
availability ≥ ``dat_thresh``; ``byNZ`` keeps units with non-zero fraction ≥
``nz_thresh``; ``byNAandNZ`` requires both. ``force_include`` / ``force_exclude`` override.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from socmob.errors import InputError

SCREEN_METHODS = ("byNA", "byNZ", "byNAandNZ", "none")


@dataclass(frozen=True, eq=False)
class Screening:
    """Kept data, and a table of every unit's availability and whether it was kept."""

    data: pd.DataFrame
    table: pd.DataFrame

    @property
    def removed(self) -> list[str]:
        """Codes of the units removed."""
        return list(self.table.index[~self.table["kept"]])


def screen_units(
    data: pd.DataFrame,
    *,
    method: str = "byNA",
    dat_thresh: float = 0.66,
    nz_thresh: float = 0.0,
    force_include: Sequence[str] = (),
    force_exclude: Sequence[str] = (),
) -> Screening:
    """Remove units with too little data (see the module docstring)."""
    if method not in SCREEN_METHODS:
        raise InputError(f"unknown screening {method!r}", column="method",
                         expected=" or ".join(SCREEN_METHODS))
    for name, t in (("dat_thresh", dat_thresh), ("nz_thresh", nz_thresh)):
        if not 0 <= t <= 1:
            raise InputError(f"{name} is {t}", column=name, expected="a fraction in [0, 1]")
    x = data.to_numpy(dtype=float)
    avail = np.mean(~np.isnan(x), axis=1)
    nonzero = np.mean(~np.isnan(x) & (x != 0), axis=1)
    keep = np.ones(len(data), dtype=bool)
    if method in ("byNA", "byNAandNZ"):
        keep &= avail >= dat_thresh
    if method in ("byNZ", "byNAandNZ"):
        keep &= nonzero >= nz_thresh
    for codes, value in ((force_include, True), (force_exclude, False)):
        for code in codes:
            if code not in data.index:
                raise InputError(f"unknown unit {code!r}", column="uCode",
                                 expected="a uCode of iData")
            keep[data.index.get_loc(code)] = value
    table = pd.DataFrame({"availability": avail, "nonzero": nonzero, "kept": keep},
                         index=data.index)
    return Screening(data=data.loc[keep].copy(), table=table)
