"""How the Social Mobility Commission turns composite scores into bands.

SoN 2025 (205 areas): each composite index is a z-score across areas within one period,
:math:`z_a = (x_a - \\bar x) / s` with :math:`s` the sample standard deviation
(:func:`restandardise`), and areas are put in 7 bands by cut-points at ±0.5, ±1.0 and
±1.5 standard deviations (:func:`band_2025`):

=====  =====================  ======================
band   label                  z
=====  =====================  ======================
1      Least Favourable       z ≤ −1.5
2      Unfavourable           −1.5 < z ≤ −1.0
3      Lower Middling         −1.0 < z ≤ −0.5
4      Middling               −0.5 < z < 0.5
5      Upper Middling         0.5 ≤ z < 1.0
6      Favourable             1.0 ≤ z < 1.5
7      Most Favourable        z ≥ 1.5
=====  =====================  ======================

Which side of a cut-point is closed: **each cut-point belongs to the band farther from
zero**. The published data decide it at ±0.5 — areas published with z = −0.500 are in
band 3 and with z = 0.500 in band 5 (SoN 2025 ci1 2000 to 2005 and ci3 2012 to 2017;
ci3 2000 to 2005) — and the rule is taken to be symmetric at ±1.0 and ±1.5, where no
published z falls exactly on the cut-point. Every one of the 2,870 published SoN 2025
rows agrees with this rule (tested in ``tests/data/test_banding.py``).

SoN 2024 (203 areas): 5 groups "Least Favourable", "Unfavourable", "Middle Group",
"Favourable", "Most Favourable". The SMC says "Groupings are bespoke groups produced by
our supplier. They are not quintiles": they are not a rule on z (the published z ranges
of neighbouring groups overlap), so socmob reports them as published and offers no rule.

SoN 2023 (41 ITL2 regions, :func:`minmax_composite`): each composite measure "combines
data from 3 indicators into a single 'composite' score" (SMC data explorer, *Social
mobility by area*, SoN 2023): every indicator is min–max rescaled across the regions,

.. math:: m_{ia} = \\frac{x_{ia} - \\min_b x_{ib}}{\\max_b x_{ib} - \\min_b x_{ib}}

(reversed, :math:`1 - m_{ia}`, for an indicator where a higher value is less favourable),
and the composite is the unweighted mean :math:`c_a = \\frac1k \\sum_i m_{ia}`, a score in
[0, 1]; regions were then grouped in quintiles 1 (lowest) to 5 (highest). The published
SoN 2023 scores (measures ``son23_ci1``–``son23_ci5`` in :func:`socmob.data.load`) lie
in [0, 1] as this method implies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from socmob.errors import InputError

#: The SoN 2025 cut-points on z.
CUT_POINTS_2025: tuple[float, ...] = (-1.5, -1.0, -0.5, 0.5, 1.0, 1.5)

#: The SoN 2025 band labels, band 1 first.
BAND_LABELS_2025: tuple[str, ...] = (
    "Least Favourable",
    "Unfavourable",
    "Lower Middling",
    "Middling",
    "Upper Middling",
    "Favourable",
    "Most Favourable",
)

#: The SoN 2024 group labels, group 1 first (bespoke groups, not a rule on z).
GROUP_LABELS_2024: tuple[str, ...] = (
    "Least Favourable",
    "Unfavourable",
    "Middle Group",
    "Favourable",
    "Most Favourable",
)


def band_2025(z: float | Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    """The SoN 2025 band (1–7) of each z-score.

    ``band = 4 + sign(z) · #{c ∈ (0.5, 1.0, 1.5) : |z| ≥ c}``: 4 for
    −0.5 < z < 0.5, and each cut-point belongs to the band farther from zero (see the
    module docstring). Missing z gives band 0.

    >>> band_2025([-1.5, -0.5, 0.0, 0.499, 0.5, 2.0]).tolist()
    [1, 3, 4, 4, 5, 7]
    """
    values = np.atleast_1d(np.asarray(z, dtype="float64"))
    missing = np.isnan(values)
    filled = np.where(missing, 0.0, values)
    magnitude = np.abs(filled)
    steps = sum((magnitude >= c).astype("int64") for c in (0.5, 1.0, 1.5))
    bands = 4 + np.sign(filled).astype("int64") * steps
    return np.where(missing, 0, bands).astype("int64")


def band_label_2025(band: int | Sequence[int] | np.ndarray | pd.Series) -> np.ndarray:
    """Labels of SoN 2025 bands (1 = "Least Favourable" … 7 = "Most Favourable")."""
    bands = np.atleast_1d(np.asarray(band, dtype="int64"))
    if ((bands < 1) | (bands > 7)).any():
        raise InputError("band out of range", column="band", expected="integers 1 to 7")
    return np.array([BAND_LABELS_2025[b - 1] for b in bands], dtype=object)


def restandardise(frame: pd.DataFrame, *, by: Sequence[str] = ("index_code", "period"),
                  value: str = "z", out: str = "z") -> pd.DataFrame:
    """Z-scores within groups: ``(x − mean) / sample SD`` per ``by`` group.

    This is how the SMC standardises each composite index across areas within a period
    (n − 1 in the SD). Returns a copy with column ``out`` (replacing ``value`` by
    default). A group with fewer than two rows or no spread gets NaN.
    """
    missing = [c for c in (*by, value) if c not in frame.columns]
    if missing:
        raise InputError("column not found", column=missing[0],
                         expected=f"a frame with columns {[*by, value]}")
    x = pd.to_numeric(frame[value], errors="coerce").astype("float64")
    if by:
        groups = x.groupby([frame[c] for c in by], sort=False, dropna=False)
        mean = groups.transform("mean")
        sd = groups.transform(lambda s: s.std(ddof=1))
    else:
        mean = pd.Series(x.mean(), index=x.index)
        sd = pd.Series(x.std(ddof=1), index=x.index)
    result = frame.copy()
    result[out] = ((x - mean) / sd.where(sd > 0)).astype("float64")
    return result


def minmax_composite(frame: pd.DataFrame, *, indicators: Sequence[str],
                     higher_is_better: Mapping[str, bool] | None = None) -> pd.Series:
    """The SoN 2023 composite: min–max rescale each indicator column to [0, 1], reverse
    the ones where higher is worse, and average them (unweighted).

    Parameters
    ----------
    frame:
        One row per area, one column per indicator.
    indicators:
        The indicator columns.
    higher_is_better:
        Direction of each indicator (default: all True). False → ``1 − m``.

    Returns the composite score per row (NaN where an indicator is missing). An indicator
    with no spread (max = min) cannot be rescaled: :class:`~socmob.errors.InputError`.
    """
    if not indicators:
        raise InputError("no indicators given", expected="at least one column")
    direction = dict(higher_is_better or {})
    scaled = []
    for col in indicators:
        if col not in frame.columns:
            raise InputError("indicator column not found", column=col)
        x = pd.to_numeric(frame[col], errors="coerce").astype("float64")
        lo, hi = x.min(), x.max()
        if not np.isfinite(hi - lo) or hi == lo:
            raise InputError("indicator has no spread; min–max rescaling is undefined",
                             column=col, expected="at least two distinct values")
        m = (x - lo) / (hi - lo)
        scaled.append(m if direction.get(col, True) else 1.0 - m)
    return pd.concat(scaled, axis=1).mean(axis=1, skipna=False).rename("composite")


__all__ = [
    "BAND_LABELS_2025",
    "CUT_POINTS_2025",
    "GROUP_LABELS_2024",
    "band_2025",
    "band_label_2025",
    "minmax_composite",
    "restandardise",
]
