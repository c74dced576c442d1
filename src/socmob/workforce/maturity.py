"""Maturity self-assessment over the six areas of the SMC employers' toolkit (data
collection, outreach, recruitment, progression, culture and leadership, advocacy).

Statements, scale, levels and next steps live in ``workforce/data/maturity.yaml``.
Each statement is scored on the scale (0–3); an area's score is

.. math:: S_a = 100 \\cdot \\frac{\\bar x_a}{x_{max}}

(the mean statement score as a share of the maximum), the overall score is the mean of
the area scores, and a level is the highest level whose threshold the score reaches.
Next steps are those of each area's current level, weakest areas first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import pandas as pd
import yaml

from socmob.errors import InputError
from socmob.results import Result, jsonable, tidy


def maturity_model() -> dict[str, Any]:
    """The packaged maturity model (parsed ``maturity.yaml``)."""
    text = resources.files("socmob.workforce.data").joinpath("maturity.yaml").read_text(
        encoding="utf-8")
    return dict(yaml.safe_load(text))


def _level(score: float, levels: list[dict[str, Any]]) -> str:
    name = levels[0]["name"]
    for lv in levels:
        if score >= lv["from"] - 1e-9:
            name = lv["name"]
    return str(name)


@dataclass(frozen=True)
class MaturityAssessment(Result):
    """Scores per area (0–100), overall score and level, and next steps."""

    areas: pd.DataFrame
    score: float
    level: str
    next_steps: tuple[tuple[str, str], ...]

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows, one per area: ``value`` its score (0–100), ``note`` its level; the
        columns of :attr:`areas` follow."""
        a = self.areas
        return tidy(a.assign(measure="maturity score", breakdown="area", group=a["area"],
                             value=a["score"], unit="score (0-100)", note=a["level"]))

    def to_dict(self) -> dict[str, Any]:
        return {"result": "MaturityAssessment", "score": float(self.score),
                "level": self.level,
                "areas": jsonable(self.areas),
                "next_steps": [{"area": a, "step": s} for a, s in self.next_steps]}


def maturity_questions() -> pd.DataFrame:
    """The statements to score: ``area, question_id, statement`` plus the scale."""
    model = maturity_model()
    scale = "; ".join(f"{s['score']} = {s['label']}" for s in model["scale"])
    rows = [{"area": a["title"], "question_id": q["id"], "statement": q["text"],
             "scale": scale} for a in model["areas"] for q in a["questions"]]
    return pd.DataFrame(rows)


def assess_maturity(answers: Mapping[str, Any], *, file: str | None = None
                    ) -> MaturityAssessment:
    """Score a self-assessment. ``answers`` maps question id → score (0–3); every
    statement must be scored."""
    model = maturity_model()
    scores = [int(s["score"]) for s in model["scale"]]
    top = max(scores)
    known = {q["id"] for a in model["areas"] for q in a["questions"]}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise InputError(f"unknown question id {unknown[0]!r}", file=file,
                         expected="one of " + ", ".join(sorted(known)))
    rows = []
    for area in model["areas"]:
        vals = []
        for q in area["questions"]:
            if q["id"] not in answers:
                raise InputError(f"no score for {q['id']!r} ({q['text']})", file=file,
                                 column=q["id"], expected=f"a score {min(scores)}-{top}")
            raw = answers[q["id"]]
            try:
                v = int(raw)
            except (TypeError, ValueError):
                v = -1
            if v not in scores or isinstance(raw, bool):
                raise InputError(f"score {raw!r} for {q['id']!r} is not on the scale",
                                 file=file, column=q["id"],
                                 expected=f"a whole number {min(scores)}-{top}")
            vals.append(v)
        s = 100.0 * (sum(vals) / len(vals)) / top
        rows.append({"area_id": area["id"], "area": area["title"], "score": s,
                     "level": _level(s, model["levels"])})
    table = pd.DataFrame(rows)
    overall = float(table["score"].mean())
    steps = []
    for r in table.sort_values("score", kind="stable").itertuples():
        area = next(a for a in model["areas"] if a["id"] == r.area_id)
        steps.append((str(r.area), str(area["next_steps"][r.level])))
    return MaturityAssessment(areas=table, score=overall,
                              level=_level(overall, model["levels"]), next_steps=tuple(steps))


__all__ = ["MaturityAssessment", "assess_maturity", "maturity_model", "maturity_questions"]
