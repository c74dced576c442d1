"""A whole assessment: a scenario's place, background and income impacts, the negative
impacts flagged, and the assumptions behind them, in one result.

>>> from socmob.assess import assess, read_scenario
>>> a = assess(read_scenario("scenario.yaml"))                      # doctest: +SKIP
>>> a.summary(); a.flags_frame(); a.to_frame()                      # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from socmob.assess.flags import Flag, flags_frame, ordered
from socmob.assess.gaps import GapImpact, gap_flags, gap_impacts, gap_table
from socmob.assess.income import IncomeImpact, income_impact
from socmob.assess.models import LEVEL_TITLES, place_model
from socmob.assess.place import PlaceImpact, place_impact, resolve_place
from socmob.assess.scenario import Scenario
from socmob.results import ByGroup, Result, jsonable, tidy

NO_MICRODATA = ("the scenario changes incomes, but no microdata was given: run it with "
                "'socmob assess SCENARIO --microdata FILE' (parent and child incomes, one "
                "row per child)")


@dataclass(frozen=True, eq=False)
class Assessment(Result):
    """The impacts of one scenario (see :func:`assess`).

    ``place``: :class:`~socmob.assess.place.PlaceImpact` (or ``None``); ``background``:
    a :class:`~socmob.results.ByGroup` of :class:`~socmob.assess.gaps.GapImpact` by
    indicator (or ``None``); ``income``: :class:`~socmob.assess.income.IncomeImpact` (or
    ``None``, with ``income_reason`` saying why when the scenario has an income part);
    ``flags``: every negative impact found.
    """

    scenario: Scenario
    place: PlaceImpact | None
    background: ByGroup[GapImpact] | None
    income: IncomeImpact | None
    flags: tuple[Flag, ...]
    income_reason: str | None = None

    def flags_frame(self) -> pd.DataFrame:
        """The negative impacts as a table."""
        return flags_frame(self.flags)

    def headlines(self) -> list[str]:
        """The assessment in a few sentences."""
        out: list[str] = []
        s = self.scenario
        if s.empty:
            return ["The scenario changes nothing: every index, gap and mobility measure is "
                    "as at baseline."]
        if self.place is not None:
            p = self.place
            for r in p.overall.to_dict(orient="records"):
                if not (r["units_targeted"] or r["score_up"] or r["score_down"]):
                    continue
                change = float(r["fifth_gap_change"])
                gap = ("narrows" if change < 0 else "widens" if change > 0
                       else "is unchanged")
                # an index whose scores move with no value targeted is built differently
                who = (f"{r['units_targeted']} {p.unit_label}s targeted"
                       if r["units_targeted"] else "built differently, no value changed")
                out.append(
                    f"{r['index_title']}: {who}; "
                    f"{r['score_up']} rise and {r['score_down']} fall in score; "
                    f"{r['rank_down']} fall in the ranking and {r['band_down']} drop a band; "
                    f"the gap between the top and bottom fifth {gap} "
                    f"({r['fifth_gap_baseline']:.2f} → {r['fifth_gap_scenario']:.2f} z).")
        if self.background is not None:
            for code, g in self.background.items():
                out.append(f"{g.title} ({code}): the gap between {g.most_advantaged} and "
                           f"{g.least_advantaged} {g.verdict} ({g.signed_baseline:.3g} → "
                           f"{g.signed_scenario:.3g} {g.unit} in favour of "
                           f"{g.most_advantaged}).")
        if self.income is not None:
            parts = [f"{str(r['measure']).replace('_', ' ')} {r['baseline']:.3f} → "
                     f"{r['scenario']:.3f}"
                     for r in self.income.table.to_dict(orient="records")
                     if r["measure"] != "expected_rank_p25"]
            out.append("Income mobility: " + "; ".join(parts) + ".")
        elif self.income_reason:
            out.append(f"Income impact not assessed: {self.income_reason}.")
        n = len(self.flags)
        out.append(f"{n} negative impact{'s' if n != 1 else ''} flagged." if n
                   else "No negative impact found.")
        return out

    def assumptions(self) -> list[str]:
        """What the numbers rest on, in plain words."""
        out = []
        if self.place is not None:
            out.append(self.place.description)
            out.append(
                f"Uncertainty: {self.place.runs:,} Monte Carlo runs (seed {self.place.seed}); "
                "baseline and scenario share each run's noise (paired), so the intervals "
                "(5%–95%) are those of the scenario's effect.")
            if self.place.level == "areas":
                out.append("Bands are the SMC's 2025 rule on each run's scores "
                           "re-standardised across areas, as the SMC standardises each "
                           "period: an area's band can fall when others gain.")
            else:
                out.append("The index model's indicators are z-scored across regions: a "
                           "region's score is relative to the others, so gains for some are "
                           "relative losses for the rest.")
                v = self.place.validation
                if v is not None:
                    out.append("Index model against the published composites (mean z of each "
                               "region's areas): Pearson r " + ", ".join(
                                   f"{r.index_code} {r.pearson:.2f}" for r in
                                   v.itertuples(index=False)) + ".")
            out.extend(self.place.notes)
        if self.background is not None:
            out.append("Background gaps: the published values and standard errors of the "
                       "latest period; a change is taken as exact and as leaving the "
                       "standard errors as published.")
        if self.income is not None:
            out.append("Income: measures as socmob.income computes them, on the incomes "
                       "after the transfer; parents are chosen by their rank before it. "
                       f"Intervals: {self.income.bootstrap} paired Poisson-bootstrap "
                       "replicates (the same re-weighting for baseline and scenario; ranks "
                       "held fixed).")
            out.extend(self.income.notes)
        out.append("Everything else is held as it is: the scenario says what changes, not "
                   "how, nor how people respond to it.")
        return out

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows of every part, with a ``section`` column (place, background, income)."""
        frames = []
        if self.place is not None:
            frames.append(self.place.to_frame().assign(section="place"))
        if self.background is not None and len(self.background):
            frames.append(self.background.to_frame().assign(section="background"))
        if self.income is not None:
            frames.append(self.income.to_frame().assign(section="income"))
        if not frames:
            return tidy(pd.DataFrame({"section": []}))
        return tidy(pd.concat(frames, ignore_index=True))

    def to_dict(self) -> dict[str, Any]:
        """The whole assessment as JSON-ready data (numbers unrounded)."""
        from socmob import ATTRIBUTION

        s = self.scenario
        out: dict[str, Any] = {
            "result": "Assessment",
            "scenario": {"name": s.name, "description": s.description, "file": s.file,
                         "empty": s.empty},
            "summary": self.headlines(),
            "flags": [f.to_dict() for f in self.flags],
            "assumptions": self.assumptions(),
            "attribution": ATTRIBUTION,
        }
        if self.place is not None:
            p = self.place
            out["place"] = {
                "level": p.level, "units_are": LEVEL_TITLES.get(p.level, p.level),
                "description": p.description, "runs": p.runs, "seed": p.seed,
                "overall": p.overall, "changes": p.changes, "units": p.units,
                "groups": p.groups, "drivers": p.drivers, "noise": p.noise,
                "validation": p.validation, "notes": list(p.notes)}
        if self.background is not None:
            out["background"] = {"gaps": gap_table(self.background)}
        if self.income is not None:
            i = self.income
            out["income"] = {"scenario": i.scenario, "nobs": i.nobs, "n_missing": i.n_missing,
                             "recipients": i.recipients, "recipient_share": i.recipient_share,
                             "transfer_per_person": i.transfer_per_person,
                             "bootstrap": i.bootstrap, "buckets": i.buckets, "seed": i.seed,
                             "alpha": i.alpha, "measures": i.table, "source": i.source,
                             "notes": list(i.notes)}
        elif self.income_reason:
            out["income"] = {"available": False, "reason": self.income_reason}
        return dict(jsonable(out))

    def summary(self) -> str:
        lines = [f"Assessment: {self.scenario.name}"]
        lines += [f"- {h}" for h in self.headlines()]
        return "\n".join(lines)


def assess(scenario: Scenario, *, microdata: Any = None, microdata_source: str | None = None,
           runs: int | None = None, seed: int | None = None,
           income_unavailable: str | None = None, progress: bool = False) -> Assessment:
    """Assess a scenario: its place impact (:mod:`socmob.assess.place`), its background
    gaps (:mod:`socmob.assess.gaps`) and, given ``microdata`` (an Ibis table on any
    backend, or a pandas DataFrame), its income impact (:mod:`socmob.assess.income`).

    ``runs`` and ``seed`` override the scenario's Monte Carlo settings;
    ``income_unavailable`` says why there is no microdata (e.g. on the web) — else the
    reason is :data:`NO_MICRODATA`.

    Raises
    ------
    ScenarioError
        A name that does not exist, a target that selects nothing, an impossible value —
        each naming the key and line of the scenario.
    """
    flags: list[Flag] = []
    place = None
    if scenario.place is not None:
        model = place_model(scenario.place.level)
        resolved = resolve_place(scenario.place, model)
        place = place_impact(resolved, runs=runs or scenario.runs,
                             seed=scenario.seed if seed is None else seed)
        flags += place.flags
    background = None
    if scenario.background:
        background = gap_impacts(scenario.background)
        flags += gap_flags(background)
    income = None
    reason = None
    if scenario.income is not None:
        if microdata is None:
            reason = income_unavailable or NO_MICRODATA
        else:
            income = income_impact(microdata, scenario.income, source=microdata_source,
                                   progress=progress)
            flags += income.flags()
    return Assessment(scenario=scenario, place=place, background=background, income=income,
                      flags=ordered(flags), income_reason=reason)


__all__ = ["NO_MICRODATA", "Assessment", "assess"]
