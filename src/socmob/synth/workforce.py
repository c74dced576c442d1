"""A labelled SYNTHETIC workforce for demos and tests of the employers' toolkit.

The generator draws employees over ordered grades with a known socio-economic gradient
(the professional-background share rises with grade) and a known within-grade pay
penalty by background, answers the SMC key question with realistic messy strings and
non-response, and returns the raw extract with employer-style column names together with
the matching :class:`~socmob.workforce.hr.HRMapping`. Every row carries
``Data = SYNTHETIC``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from socmob.classify.seb import KEY_QUESTION_OPTIONS
from socmob.errors import InputError
from socmob.workforce.hr import HRMapping

SYNTHETIC_LABEL = "SYNTHETIC"

_GRADES = ("Associate", "Analyst", "Senior analyst", "Manager", "Director", "Executive")
_GRADE_SHARE = (0.30, 0.26, 0.20, 0.13, 0.08, 0.03)
_BASE_HOURLY = (13.0, 17.0, 23.0, 31.0, 45.0, 75.0)
_FUNCTIONS = ("Operations", "Finance", "Technology", "People")
_LOCATIONS = ("London", "Leeds", "Glasgow")

# True background shares by grade, lowest grade first (professional, intermediate, lower).
_SEB_BY_GRADE = (
    (0.28, 0.27, 0.45),
    (0.35, 0.26, 0.39),
    (0.43, 0.25, 0.32),
    (0.52, 0.23, 0.25),
    (0.60, 0.20, 0.20),
    (0.68, 0.17, 0.15),
)
_OPTIONS_BY_GROUP = {
    "professional": ["professional", "manager"],
    "intermediate": ["clerical", "small-business-owner"],
    "lower": ["technical", "manual", "unemployed"],
}


@dataclass(frozen=True)
class SyntheticWorkforce:
    """The generated extract, its mapping and the true parameters used."""

    frame: pd.DataFrame
    mapping: HRMapping
    truth: dict[str, object] = field(default_factory=dict)


def _messy(code: str, rng: np.random.Generator) -> str:
    opt = next(o for o in KEY_QUESTION_OPTIONS if o.code == code)
    style = rng.random()
    if style < 0.6:
        return opt.label
    if style < 0.8:
        return opt.heading
    if style < 0.9:
        return opt.heading.upper()
    return opt.label.replace("'", "\u2019").lower()


def synthetic_workforce(
    n_employees: int = 1000,
    *,
    seed: int | None = 0,
    lower_penalty: float = 0.05,
    intermediate_penalty: float = 0.025,
    response_rate: float = 0.8,
) -> SyntheticWorkforce:
    """Generate a SYNTHETIC HR extract.

    Hourly pay = grade base × exp(N(0, 0.12)) × (1 − penalty of the background), so the
    true within-grade (adjusted) gaps are ``lower_penalty`` and ``intermediate_penalty``.
    A share ``1 − response_rate`` leaves the key question blank; of those who answer,
    4 % prefer not to say and 3 % answer "other".
    """
    if n_employees < 1:
        raise InputError("the number of employees must be positive", expected=">= 1")
    rng = np.random.default_rng(seed)
    n = int(n_employees)
    gi = rng.choice(len(_GRADES), size=n, p=_GRADE_SHARE)
    groups = np.array(["professional", "intermediate", "lower"])
    seb = np.array([rng.choice(groups, p=_SEB_BY_GRADE[g]) for g in gi])
    penalty = np.select([seb == "lower", seb == "intermediate"],
                        [lower_penalty, intermediate_penalty], 0.0)
    hourly = np.asarray(_BASE_HOURLY)[gi] * np.exp(rng.normal(0, 0.12, n)) * (1 - penalty)
    part_time = rng.random(n) < 0.18
    hours = np.where(part_time, rng.choice([15.0, 18.75, 22.5, 30.0], size=n), 37.5)
    days = rng.choice([30.0, 31.0], size=n)
    bonus_period = np.where(rng.random(n) < 0.1, np.round(hourly * hours * 0.5, 2), 0.0)
    ordinary = np.round(hourly * hours * days / 7.0 - bonus_period, 2)
    bonus_p = np.clip(0.25 + 0.1 * gi - 0.05 * (seb == "lower"), 0, 0.95)
    has_bonus = rng.random(n) < bonus_p
    bonus_12m = np.where(has_bonus, np.round(hourly * 1950 * rng.uniform(0.02, 0.15, n), 2),
                         0.0)
    full_pay = rng.random(n) > 0.05

    answers: list[str | None] = []
    for g in seb:
        u = rng.random()
        if u > response_rate:
            answers.append(None)
            continue
        v = rng.random()
        if v < 0.04:
            answers.append(str(rng.choice(["I prefer not to say", "Prefer not to say",
                                           "I don\u2019t wish to answer"])))
        elif v < 0.07:
            answers.append(str(rng.choice(["Other", "Don't know", "Retired"])))
        else:
            answers.append(_messy(str(rng.choice(_OPTIONS_BY_GROUP[g])), rng))
    snapshot = pd.Timestamp("2025-04-05")
    tenure_days = rng.integers(60, 365 * 15, n)
    hire = snapshot - pd.to_timedelta(tenure_days, unit="D")
    promoted = rng.random(n) < 0.45
    promo_after = (tenure_days * rng.uniform(0.2, 0.9, n)).astype(int)
    promotion = [
        (h + pd.Timedelta(days=int(d))).date().isoformat() if p else None
        for h, d, p in zip(hire, promo_after, promoted, strict=True)
    ]
    frame = pd.DataFrame(
        {
            "Staff ID": [f"E{100000 + i}" for i in range(n)],
            "Grade": np.asarray(_GRADES)[gi],
            "Department": rng.choice(_FUNCTIONS, size=n),
            "Site": rng.choice(_LOCATIONS, size=n, p=[0.5, 0.3, 0.2]),
            "Snapshot date": snapshot.date().isoformat(),
            "Ordinary pay (period)": ordinary,
            "Bonus pay (period)": bonus_period,
            "Pay period days": days,
            "Weekly hours": hours,
            "Full-pay relevant": np.where(full_pay, "Yes", "No"),
            "Bonus paid in 12 months": bonus_12m,
            "Start date": [h.date().isoformat() for h in hire],
            "First promotion": promotion,
            "Sex": rng.choice(["Female", "Male"], size=n),
            "Main household earner occupation at 14": answers,
            "Data": SYNTHETIC_LABEL,
        }
    )
    mapping = HRMapping(
        columns={
            "employee_id": "Staff ID",
            "grade": "Grade",
            "function": "Department",
            "location": "Site",
            "snapshot_date": "Snapshot date",
            "ordinary_pay": "Ordinary pay (period)",
            "bonus_pay": "Bonus pay (period)",
            "period_days": "Pay period days",
            "weekly_hours": "Weekly hours",
            "full_pay_relevant": "Full-pay relevant",
            "bonus_12m": "Bonus paid in 12 months",
            "hire_date": "Start date",
            "promotion_date": "First promotion",
            "sex": "Sex",
            "seb_answer": "Main household earner occupation at 14",
            "data_label": "Data",
        },
        grades=_GRADES,
        senior_grades=_GRADES[-2:],
    )
    truth: dict[str, object] = {
        "seb_share_by_grade": dict(zip(_GRADES, _SEB_BY_GRADE, strict=True)),
        "adjusted_gap_lower_pct": 100 * lower_penalty,
        "adjusted_gap_intermediate_pct": 100 * intermediate_penalty,
        "response_rate": response_rate,
        "seed": seed,
        "label": SYNTHETIC_LABEL,
    }
    return SyntheticWorkforce(frame=frame, mapping=mapping, truth=truth)


__all__ = ["SYNTHETIC_LABEL", "SyntheticWorkforce", "synthetic_workforce"]
