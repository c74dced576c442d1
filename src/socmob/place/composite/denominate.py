"""Denomination: divide extensive indicators by a size measure (COINr's ``Denominate``).

:math:`y_{ij} = s_j\\,x_{ij} / d_{i,k(j)}`, where :math:`k(j)` is the denominator named in
iMeta's ``Denominator`` column for indicator *j* (indicators with none are unchanged) and
:math:`s_j` an optional scale factor (default 1). A zero denominator gives a missing value.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from socmob.errors import InputError


def denominate_frame(
    data: pd.DataFrame,
    denominators: pd.DataFrame,
    by: Mapping[str, str | None],
    *,
    scale: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Divide each indicator in ``by`` (iCode → denominator column) by that column of
    ``denominators`` (indexed like ``data``).

    Raises :class:`~socmob.errors.InputError` naming the indicator when its denominator
    column is absent or not numeric.
    """
    out = data.copy()
    scale = dict(scale or {})
    for code, den in by.items():
        if den is None or (isinstance(den, float) and np.isnan(den)) or den == "":
            continue
        if code not in out.columns:
            raise InputError(f"cannot denominate unknown indicator {code!r}", column=code,
                             expected="an indicator of the coin")
        if den not in denominators.columns:
            raise InputError(f"denominator {den!r} of indicator {code!r} is not a column of "
                             "iData", column=str(den), expected="a Denominator column")
        d = pd.to_numeric(denominators[den], errors="coerce").to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            y = out[code].to_numpy(dtype=float) / np.where(d == 0, np.nan, d)
        out[code] = y * float(scale.get(code, 1.0))
    return out
