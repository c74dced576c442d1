"""Policy assessment: "what if?" scenarios replayed through the place indices, the
gaps by background and income mobility, with their impact by place and background and
the negative impacts flagged.

>>> from socmob.assess import assess, read_scenario
>>> a = assess(read_scenario("scenario.yaml"))                      # doctest: +SKIP
>>> a.summary()                                                     # doctest: +SKIP
>>> a.place.units; a.place.groups; a.place.drivers; a.flags_frame() # doctest: +SKIP

* :mod:`.scenario` — the scenario file (YAML; its JSON Schema), checked with one message
  per problem naming the key and line;
* :mod:`.models` — what a place scenario acts on: the published index scores of the 205
  areas, or the ITL2 index model of the component indicators;
* :mod:`.place` — the index build replayed with the scenario, uncertainty carried
  through in paired Monte Carlo runs;
* :mod:`.gaps` — gaps between backgrounds (:mod:`socmob.monitor`);
* :mod:`.income` — income-mobility measures on microdata, paired bootstrap, DuckDB or
  Spark;
* :mod:`.odds` — better or worse than expected for any units from a file;
* :mod:`.flags` — the negative impacts; :mod:`.assessment` — the whole assessment.

Method notes with formulas: ``docs/assess.md``.
"""

from socmob.assess.assessment import NO_MICRODATA, Assessment, assess
from socmob.assess.flags import Flag
from socmob.assess.gaps import GapImpact, gap_impacts
from socmob.assess.income import IncomeImpact, income_impact
from socmob.assess.models import PlaceModel, areas_model, itl2_model, place_model
from socmob.assess.odds import AgainstTheOdds, against_the_odds, odds_from_file
from socmob.assess.place import PlaceImpact, place_impact, resolve_place
from socmob.assess.scenario import (
    Scenario,
    ScenarioError,
    parse_scenario,
    read_scenario,
    scenario_schema,
)

__all__ = [
    "NO_MICRODATA",
    "AgainstTheOdds",
    "Assessment",
    "Flag",
    "GapImpact",
    "IncomeImpact",
    "PlaceImpact",
    "PlaceModel",
    "Scenario",
    "ScenarioError",
    "against_the_odds",
    "areas_model",
    "assess",
    "gap_impacts",
    "income_impact",
    "itl2_model",
    "odds_from_file",
    "parse_scenario",
    "place_impact",
    "place_model",
    "read_scenario",
    "resolve_place",
    "scenario_schema",
]
