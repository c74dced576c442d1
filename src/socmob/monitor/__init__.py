"""The State of the Nation monitor: every SMC indicator by background, place and time,
with intervals, gaps, changes, trends and health checks (rules as data).

The framework runs from **drivers** (``dr…``) through **intermediate outcomes**
(``in…``) to **mobility outcomes** (``MO…``); ``indicators.yaml`` says what each one
means, which way is good, which series is its headline and which groups its gap
compares, and ``health.yaml`` holds the rules that turn the evidence into a status.

>>> from socmob import monitor
>>> monitor.overview().table()[["code", "status", "gap_status"]]       # doctest: +SKIP
>>> a = monitor.assess("dr32"); a.status.status, a.status.text         # doctest: +SKIP
>>> monitor.breakdown("in32", by="sex").gaps                           # doctest: +SKIP
>>> monitor.revisions("dr15").verdict                                  # doctest: +SKIP
>>> monitor.mobility_outcome("MO11").statement                         # doctest: +SKIP

Pure functions over the tidy schema of :func:`socmob.data.load`: nothing here reads
files other than the packaged data and YAML, prints or draws (see ``docs/monitor.md``).
"""

from socmob.monitor.analysis import (
    Assessment,
    Breakdown,
    Gap,
    Series,
    assess,
    breakdown,
    changes,
    headline,
    trend,
)
from socmob.monitor.editions import Revisions, revisions
from socmob.monitor.health import Rules, Status, judge, rules
from socmob.monitor.metadata import (
    LEVELS,
    Dimension,
    Indicator,
    dimension,
    dimensions,
    indicator,
    indicators,
)
from socmob.monitor.mobility import MobilityOutcome, mobility_outcome, mobility_outcomes
from socmob.monitor.overview import Overview, overview
from socmob.monitor.series import editions_of, published
from socmob.monitor.stats import Difference, Trend, adjust_p_values, difference, fit_trend

__all__ = [
    "LEVELS",
    "Assessment",
    "Breakdown",
    "Difference",
    "Dimension",
    "Gap",
    "Indicator",
    "MobilityOutcome",
    "Overview",
    "Revisions",
    "Rules",
    "Series",
    "Status",
    "Trend",
    "adjust_p_values",
    "assess",
    "breakdown",
    "changes",
    "difference",
    "dimension",
    "dimensions",
    "editions_of",
    "fit_trend",
    "headline",
    "indicator",
    "indicators",
    "judge",
    "mobility_outcome",
    "mobility_outcomes",
    "overview",
    "published",
    "revisions",
    "rules",
    "trend",
]
