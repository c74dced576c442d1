"""Adapters from ``socmob.place`` results to area-page panels.

One function per panel. Each takes the library's result for every area — the analyses
of the embedded data in :mod:`socmob.place.analyses` (rank uncertainty, Getis–Ord hot
spots, better/worse than expected, with the library's own choices of models,
permutations and seed), :func:`socmob.place.trends.trends` and
:func:`socmob.place.peers.peers_from_composites` — and turns the area's tidy rows into a
:class:`~socmob.report.panels.Panel` (tidy table, chart from the same rows). Where a panel
cannot exist for an edition or an area, the adapter raises
:class:`~socmob.errors.UnavailableError` naming the reason, and the page shows it; any
other error is a bug and propagates.

Results over every area are computed once per process and edition, then indexed by area
(:class:`AreaIndex`), so one area's rows are a dictionary look-up, not a scan of every
area's table; each caller gets its own copy of the rows. :func:`warm` computes them all.

The tidy tables keep the library's columns; ``index_code`` is added where the index a
row belongs to is not already the ``group`` (so the question rules can find it).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import pandas as pd

from socmob import data
from socmob.data import precomputed
from socmob.errors import NotFoundError, UnavailableError
from socmob.place import defaults
from socmob.report import charts
from socmob.report.panels import AreaRef, Panel, composites, index_titles

#: Editions whose bands are a rule on z, which the rank and band simulation replays
#: (``socmob.place.analyses.RANK_EDITIONS``: SoN 2025; the SoN 2024 groups are bespoke).
BANDED_EDITIONS = defaults.RANK_EDITIONS


def _panel(name: str, title: str, table: pd.DataFrame, chart: Any = None, note: str = "",
           columns: tuple[tuple[str, str], ...] = ()) -> Panel:
    return Panel(name, title, table.reset_index(drop=True), chart, note=note,
                 columns=columns)


# --------------------------------------------------------------------------- every area


class AreaIndex:
    """The rows of a result over every area, grouped by area once.

    ``rows(area)`` is the area's rows (by ``area_id`` where the table has it, else by
    ``area_code``) as a fresh copy; an area missing from a result over every area is a
    bug, not an unavailable panel: :class:`LookupError`.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.key = "area_id" if "area_id" in frame.columns else "area_code"
        self.columns = frame.columns
        frame = frame.reset_index(drop=True)
        self._groups: dict[str, pd.DataFrame] = {
            str(k): g.reset_index(drop=True) for k, g in frame.groupby(
                frame[self.key].astype(str), sort=False)}

    def rows(self, area: AreaRef) -> pd.DataFrame:
        found = self._groups.get(area.id if self.key == "area_id" else area.code)
        if found is None:
            raise LookupError(f"area {area.id!r} is missing from a result over every area")
        return found.copy()

    def __len__(self) -> int:
        return len(self._groups)


_LOCK = threading.Lock()
_INDEXES: dict[tuple[str, int], AreaIndex] = {}


def analysis_options() -> dict[str, Any]:
    """The analysis choices the every-area results are made with (the public values of
    :mod:`socmob.place.defaults`): part of the key of the shipped results."""
    return {name: getattr(defaults, name) for name in defaults.__all__}


def _shipped(name: str, edition: int) -> pd.DataFrame | None:
    return precomputed.load_analysis(name, edition,
                                     key=precomputed.analysis_key(analysis_options()))


def _every_area(name: str, edition: int) -> AreaIndex:
    """The every-area result ``name`` of ``edition``, indexed by area: the one shipped
    with the data when it was made from the same data and options
    (:mod:`socmob.data.precomputed`), else computed now by :data:`EVERY_AREA` — once
    per process either way."""
    key = (name, edition)
    found = _INDEXES.get(key)
    if found is not None:
        return found
    with _LOCK:  # one computation; the others wait for it
        found = _INDEXES.get(key)
        if found is None:
            frame = _shipped(name, edition)
            if frame is None:
                frame = EVERY_AREA[name](edition)
            found = _INDEXES[key] = AreaIndex(frame)
    return found


def clear_cache() -> None:
    """Forget the indexed every-area results (recomputed, identically, on next use)."""
    with _LOCK:
        _INDEXES.clear()
        _PEERS.clear()


# --------------------------------------------------------------------------- uncertainty


UNCERTAINTY_NOTE = (
    "No margins of error are published: the noise is estimated from how well each index "
    "agrees between its two latest periods. Part of that is real change, so the ranges are "
    "if anything too wide.")


def _smc_uncertainty(area: AreaRef, edition: int) -> pd.DataFrame:
    return uncertainty_all(edition).rows(area)


def _rank_frame(edition: int) -> pd.DataFrame:
    if edition not in BANDED_EDITIONS:
        raise UnavailableError(
            f"the SoN {edition} groups are not a rule on the z-score, so there is no band "
            "rule to simulate (rank intervals and band probabilities are given for the "
            + " and ".join(f"SoN {e}" for e in BANDED_EDITIONS) + " edition)")
    from socmob.place import analyses

    return analyses.smc_rank_uncertainty(edition, progress=False).to_frame()


def uncertainty_all(edition: int) -> AreaIndex:
    """Rank intervals and band probabilities of every area on each index
    (:func:`socmob.place.analyses.smc_rank_uncertainty`), indexed by area."""
    return _every_area("rank_uncertainty", edition)


def rank_interval_panel(area: AreaRef, edition: int) -> Panel:
    """The area's published rank on each index with its 90% (5%–95%) Monte Carlo rank
    interval (``socmob.place.analyses.smc_rank_uncertainty``)."""
    frame = _smc_uncertainty(area, edition)
    frame = frame[frame["measure"] == "rank"].reset_index(drop=True)
    frame["published_rank"] = frame["published_rank"].round().astype("Int64")
    frame["index_title"] = frame["index_title"].fillna(frame["index_code"])
    label = frame["index_title"].astype(str) + ": " + frame["period"].astype(str)
    # the dot is the published rank, the line the 5%–95% interval of the simulated ranks
    chart = charts.interval_chart(
        frame.assign(label=label, value=frame["published_rank"].astype(float)),
        name="uncertainty",
        title=f"{area.name}: rank on each index with its 90% interval", label="label",
        x_title="Rank among the areas (1 = most favourable)",
        description="The dot is the area's published rank on each index; the line is the "
                    "range holding 90% of its ranks when the scores are redrawn with the "
                    "estimated noise.")
    return _panel("uncertainty", "Rank and its uncertainty", frame, chart,
                  note=UNCERTAINTY_NOTE,
                  columns=(("index_title", "Index"), ("published_rank", "Published rank"),
                           ("value", "Median simulated rank"), ("lci", "5% (lower)"),
                           ("uci", "95% (upper)")))


def band_probability_panel(area: AreaRef, edition: int) -> Panel:
    """The probability of each band on each index, one row per index; ``probability`` is
    that of the published band (``socmob.place.analyses.smc_rank_uncertainty``)."""
    frame = _smc_uncertainty(area, edition)
    probs = frame[frame["measure"] == "band_probability"]
    wide = probs.pivot_table(index="index_code", columns="band", values="probability",
                             aggfunc="first")
    wide.columns = [f"p_band_{int(k)}" for k in wide.columns]
    rows = frame[frame["measure"] == "rank"].set_index("index_code")
    table = pd.DataFrame({
        "measure": "band_probability", "area_code": rows["area_code"],
        "area_name": rows["area_name"], "period": rows["period"], "breakdown": "index",
        "group": rows.index, "value": rows["probability"], "n": rows["n"],
        "unit": "probability", "note": rows["note"], "area_id": rows["area_id"],
        "index_code": rows.index, "index_title": rows["index_title"].fillna(
            pd.Series(rows.index, index=rows.index)),
        "band": rows["band"], "band_label": rows["band_label"],
        "probability": rows["probability"], "sigma": rows["sigma"],
    }).join(wide).reset_index(drop=True)
    labels = probs.drop_duplicates("band").sort_values("band")
    band_columns = tuple((f"p_band_{int(k)}", f"Chance: {label}")
                         for k, label in zip(labels["band"], labels["band_label"], strict=True))
    return _panel("band_probabilities", "How sure is the band?", table,
                  note="The chance of each band, from the least to the most favourable; "
                       "each row adds up to 1.",
                  columns=(("index_title", "Index"), ("band_label", "Published band"),
                           ("probability", "Its chance"),
                           *band_columns))


# --------------------------------------------------------------------------- trend


_YEARS = re.compile(r"\b(\d{2})(\d{2}) to \1(\d{2})\b")


def short_periods(text: str) -> str:
    """Periods written short for a chart label: "2012 to 2017 → 2018 to 2024" becomes
    "2012–17 → 2018–24" (the tables keep the published wording)."""
    return _YEARS.sub(lambda m: f"{m.group(1)}{m.group(2)}–{m.group(3)}", text)


def _trends_frame(edition: int) -> pd.DataFrame:
    comp = composites(edition)
    periods = comp.groupby("index_code")["period"].nunique()
    if (periods < 2).all():
        raise UnavailableError(f"the SoN {edition} edition publishes one period of each "
                               "index, so there is no change to show")
    from socmob.place import trends

    return trends.trends(comp).to_frame()


def trends_all(edition: int) -> AreaIndex:
    """Change in z and band of every area between consecutive periods of each index
    (:func:`socmob.place.trends.trends`), indexed by area."""
    return _every_area("trends", edition)


def trend_panel(area: AreaRef, edition: int) -> Panel:
    """Change in z and band between consecutive periods, judged against the noise
    (``socmob.place.trends.trends``: reliable-change rule)."""
    frame = trends_all(edition).rows(area)
    titles = index_titles(edition)
    frame["index_code"] = frame["group"].astype(str)
    frame["index_title"] = frame["index_code"].map(titles)
    label = (frame["index_title"].fillna(frame["index_code"]) + ": "
             + frame["period"].astype(str).map(short_periods))
    chart = charts.interval_chart(
        frame.assign(label=label), name="trend",
        title=f"{area.name}: change in z-score between periods", label="label",
        x_title="Change in z-score (interval: the change needed to beat the noise)",
        description="Each line is the change in the area's z-score between two periods; "
                    "a change is reliable when its interval does not cross zero.")
    return _panel("trend", "Trend", frame, chart,
                  note="A change counts as real only when it is larger than the noise in "
                       "the index (the reliable-change rule; see the glossary).",
                  columns=(("index_title", "Index"), ("period", "Periods"),
                           ("value", "Change in z"), ("lci", "Lower"), ("uci", "Upper"),
                           ("band_from", "Band before"), ("band_to", "Band after"),
                           ("verdict", "Verdict")))


# --------------------------------------------------------------------------- spatial


def _getis_ord_frame(edition: int) -> pd.DataFrame:
    if edition not in defaults.MAP_EDITIONS:
        raise UnavailableError(
            f"the packaged boundaries are not those of the SoN {edition} areas (the map "
            "holds the " + " and ".join(f"SoN {e}" for e in defaults.MAP_EDITIONS)
            + " areas), so neighbours are unknown")
    from socmob.place import analyses

    return analyses.getis_ord_by_index(edition).to_frame()


def spatial_all(edition: int) -> AreaIndex:
    """Getis–Ord Gi* hot and cold spots of every area on every index, latest period
    (:func:`socmob.place.analyses.getis_ord_by_index`), indexed by area."""
    return _every_area("getis_ord", edition)


def spatial_panel(area: AreaRef, edition: int) -> Panel:
    """Hot/cold-spot status on each index (``socmob.place.spatial.getis_ord``)."""
    frame = spatial_all(edition).rows(area)
    titles = index_titles(edition)
    frame["index_code"] = frame["group"].astype(str)
    frame["index_title"] = frame["index_code"].map(titles)
    return _panel("spatial", "Clusters of similar areas", frame,
                  note="A hot spot is an area whose neighbours, with it, score high; a cold "
                       "spot, low. Cluster strength is in standard deviations; the chance is "
                       f"from {defaults.PERMUTATIONS} random reshuffles of the map (see the "
                       "glossary: hot and cold spots).",
                  columns=(("index_title", "Index"), ("period", "Period"),
                           ("spot", "Status"), ("value", "Cluster strength"),
                           ("p_sim", "Chance of a cluster this strong by luck")))


# --------------------------------------------------------------------------- expected


def _expected_frame(edition: int) -> pd.DataFrame:
    from socmob.place import analyses

    result = analyses.expected_outcomes(edition)
    frames = []
    for label, fit in result.results.items():
        frame = fit.to_frame()
        frame["breakdown"], frame["group"] = result.by, label
        frame["index_code"] = fit.outcome
        frames.append(frame)
    if not frames:
        raise UnavailableError("no better/worse-than-expected model could be fitted: "
                               + "; ".join(result.not_estimated.values()))
    return pd.concat(frames, ignore_index=True)


def expected_all(edition: int) -> AreaIndex:
    """Better/worse than expected for every area, for each of the library's models
    (:func:`socmob.place.analyses.expected_outcomes`), indexed by area."""
    return _every_area("expected", edition)


_MODEL = re.compile(r"^(ci\d+) on (ci\d+(?:\s*\+\s*ci\d+)*)$")


def model_words(label: str, titles: dict[str, str]) -> str:
    """A better/worse-than-expected model in words: "ci4 on ci1" → "Conditions of
    Childhood" (what the index is predicted from); other labels are kept."""
    found = _MODEL.match(label.strip())
    if not found:
        return label
    predictors = [titles.get(c.strip(), c.strip()) for c in found.group(2).split("+")]
    return " and ".join(predictors)


def expected_panel(area: AreaRef, edition: int) -> Panel:
    """Better or worse than expected (``socmob.place.expected``)."""
    frame = expected_all(edition).rows(area)
    titles = index_titles(edition)
    frame["index_title"] = frame["index_code"].map(titles)
    frame["model"] = frame["group"].astype(str).map(lambda g: model_words(g, titles))
    label = frame["index_title"].fillna(frame["index_code"])
    chart = charts.interval_chart(
        frame.assign(label=label), name="expected",
        title=f"{area.name}: observed minus expected z-score", label="label",
        x_title="Residual (z-score points; 0 = as expected)",
        description="How far the area's score is from what its conditions of childhood "
                    "predict, with the interval of that difference.")
    return _panel("expected", "Better or worse than expected", frame, chart,
                  note="The expected score comes from a regression across all areas of "
                       "each index on Conditions of Childhood (see the glossary: better or "
                       "worse than expected).",
                  columns=(("index_title", "Index"), ("model", "Predicted from"),
                           ("observed", "Observed z"), ("expected", "Expected z"),
                           ("value", "Difference"), ("lci", "Lower"), ("uci", "Upper"),
                           ("verdict", "Verdict")))


# --------------------------------------------------------------------------- peers


PEER_NAMES = "peer_names"
"""Column of the shipped peers results: the area's peers, nearest first, ``", "``-joined
(the panel's note; not part of the panel's table)."""


def _area_peers(edition: int, area_id: str) -> pd.DataFrame:
    from socmob.place import peers

    comparison = peers.peers_from_composites(composites(edition), area_id)
    frame = comparison.to_frame()
    frame[PEER_NAMES] = ", ".join(comparison.peers.peers["area_name"].astype(str).head(15))
    return frame


def _peers_frame(edition: int) -> pd.DataFrame:
    """Every area's peers and comparison (:func:`_area_peers`), for the data build."""
    ids = sorted(composites(edition)["area_id"].astype(str).unique())
    return pd.concat([_area_peers(edition, a) for a in ids], ignore_index=True)


_PEERS: dict[int, AreaIndex | None] = {}


def _shipped_peers(edition: int) -> AreaIndex | None:
    """Every area's peers as shipped with the data (``None`` when none match): each area
    page computes its own otherwise, as it takes a tenth of a second."""
    if edition not in _PEERS:
        frame = _shipped("peers", edition)
        _PEERS[edition] = None if frame is None else AreaIndex(frame)
    return _PEERS[edition]


def peers_panel(area: AreaRef, edition: int) -> Panel:
    """The area's statistical peers and how it compares with them
    (``socmob.place.peers.peers_from_composites``)."""
    shipped = _shipped_peers(edition)
    frame = shipped.rows(area) if shipped is not None else _area_peers(edition, area.id)
    names = str(frame.pop(PEER_NAMES).iloc[0]) if len(frame) else ""
    titles = index_titles(edition)
    frame["index_code"] = frame["group"].astype(str)
    frame["index_title"] = frame["index_code"].map(titles)
    chart = charts.interval_chart(
        frame.assign(label=frame["index_title"].fillna(frame["index_code"])),
        name="peers", title=f"{area.name} against its peers", label="label",
        x_title="z-score (dot: this area; line: range of its peers)",
        description="The area's z-score on each index (dot) and the range of its "
                    "peers' scores (line).")
    return _panel("peers", "Peers", frame, chart,
                  note=f"Peers: {names}." if names else "",
                  columns=(("index_title", "Index"), ("period", "Period"),
                           ("value", "This area"), ("peer_median", "Peer median"),
                           ("lci", "Peer lowest"), ("uci", "Peer highest"),
                           ("rank_among_peers", "Rank among peers"), ("n", "Group size")))


# --------------------------------------------------------------------------- indicators


@lru_cache(maxsize=1)
def indicator_groups() -> dict[str, Any]:
    """The index → regional indicator grouping (``indicators.yaml``)."""
    from importlib import resources

    import yaml

    text = resources.files("socmob.report").joinpath("indicators.yaml").read_text("utf-8")
    return dict(yaml.safe_load(text))


@lru_cache(maxsize=4)
def _itl2_of(edition: int) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Area id → (its ITL2 region id, or "" when unknown; its GSS codes)."""
    registry = data.registry(edition=edition)
    lookup = data.gss_lookup()
    lads = lookup[(lookup["role"] == "lad") & (lookup["area_type"] == "itl2")]
    region_of_lad = dict(zip(lads["gss_code"], lads["area_id"], strict=False))
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for area_id, codes_text in zip(registry["area_id"], registry["codes"], strict=True):
        codes = tuple(str(codes_text).split(";"))
        regions = pd.Series([region_of_lad[c] for c in codes if c in region_of_lad],
                            dtype=object)
        out[str(area_id)] = (str(regions.value_counts().index[0]) if len(regions) else "",
                             codes)
    return out


def itl2_region(area: AreaRef, edition: int = 2025) -> str:
    """The ITL2 region holding most of the area's local authority districts
    (``socmob.data.gss_lookup``; a lookup, not an estimate)."""
    found = _itl2_of(edition).get(area.id)
    if found is None:
        raise LookupError(f"area {area.id!r} is not in the SoN {edition} registry")
    region, codes = found
    if not region:  # e.g. a unitary authority created after the ITL 2021 districts
        raise UnavailableError(
            f"the ITL2 lookup lists the 2021 local authority districts, and none of "
            f"{area.name}'s codes ({', '.join(codes)}) is among them, so its region is "
            "unknown")
    return region


def _region_name(region: str) -> str:
    registry = data.registry(area_type=None)
    names = registry.loc[registry["area_id"] == region, "area_name"].astype(str)
    if names.empty:
        raise LookupError(f"ITL2 region {region!r} is not in the registry")
    return str(names.iloc[0])


def indicators_panel(area: AreaRef, edition: int) -> Panel:
    """The indicators published for the area's ITL2 region beside the UK, with which way
    is good and whether the two may be compared
    (:func:`socmob.report.national.regional_indicators`), grouped under the index whose
    topic each measures (``indicators.yaml``; others last)."""
    from socmob.report import national

    region = itl2_region(area, edition)
    name = _region_name(region)
    try:
        found = national.regional_indicators(name, scan=national.shared_overview())
    except NotFoundError as exc:
        raise UnavailableError(f"no regional indicators are published for {name}") from exc
    if found.empty:
        raise UnavailableError(f"no regional indicators are published for {name}")
    titles = index_titles(edition)
    index_of = {m: c for c, ms in indicator_groups()["indices"].items() for m in ms}
    order = {m: k for k, m in enumerate(index_of)}
    good_words = {"higher": "Higher is better", "lower": "Lower is better"}
    frame = pd.DataFrame({
        "measure": found["code"], "area_code": "", "area_name": found["region"],
        "period": found["time"].astype(str), "breakdown": "itl2", "group": "",
        "value": found["value"], "lci": found["lower"], "uci": found["upper"],
        "n": float("nan"), "unit": found["unit"].astype(str),
        "note": found["comparison"].astype(str).map(lambda t: t[:1].upper() + t[1:]),
        "title": found["title"], "good": found["good"].map(
            lambda g: good_words.get(str(g), "Neither")),
        "index_code": found["code"].map(lambda c: index_of.get(str(c), "")),
        "region_text": found["value_text"] + " (" + found["time"].astype(str) + ")",
        "interval_text": found["interval_text"], "uk_value": found["uk_value"],
        "uk_period": found["uk_time"].astype(str), "uk_text": found["uk_text"],
        "comparable": found["comparable"],
    })
    frame["index_title"] = frame["index_code"].map(lambda c: titles.get(c, "Other indicators"))
    frame = frame.assign(_o=frame["measure"].map(lambda m: order.get(str(m), len(order))))
    frame = frame.sort_values("_o", kind="stable").drop(columns="_o")
    return _panel("indicators", f"{name}: the region's indicators beside the UK", frame,
                  note=f"{area.name} is in the {name} region (ITL2). Figures are the "
                       "latest the Social Mobility Commission publishes for the region, "
                       "with their 95% intervals; the UK's figure is for the same years "
                       "where one is published. A comparison is made only where the two "
                       "measure the same thing over the same years.",
                  columns=(("index_title", "Index"), ("title", "Indicator"),
                           ("good", "Which way is good"), ("region_text", name),
                           ("interval_text", "95% interval"), ("uk_text", "UK"),
                           ("note", "Compared with the UK")))


#: The every-area results behind the area pages: name → the library call that makes it
#: for an edition (raising UnavailableError where it cannot exist). The data build
#: ships their results (``scripts/build_default_data.py --analyses-only``).
EVERY_AREA: dict[str, Callable[[int], pd.DataFrame]] = {
    "rank_uncertainty": _rank_frame,
    "getis_ord": _getis_ord_frame,
    "expected": _expected_frame,
    "trends": _trends_frame,
}


#: Shipped with the data, but computed per area page where no shipped result matches.
PER_AREA: dict[str, Callable[[int], pd.DataFrame]] = {"peers": _peers_frame}


def every_area_frames(edition: int, names: Iterable[str] | None = None
                      ) -> dict[str, pd.DataFrame]:
    """Every result of :data:`EVERY_AREA` and :data:`PER_AREA` (or those ``names``) that
    exists for ``edition``, computed now by the library (never read from the shipped
    files): what the data build ships."""
    makers = {**EVERY_AREA, **PER_AREA}
    out: dict[str, pd.DataFrame] = {}
    for name in names or makers:
        try:
            out[name] = makers[name](edition)
        except UnavailableError:
            continue
    return out


def warm(edition: int) -> None:
    """Make every all-area result of ``edition`` ready once — read from the shipped
    files, or computed by the library where none matches — with the indexes by area and
    the regional indicators, so that no area page waits for them.

    A panel that is unavailable for the edition is skipped here (its page says why);
    any other error propagates — the caller logs it, and the page raises it again."""
    for fn in (spatial_all, expected_all, uncertainty_all, trends_all):
        try:
            fn(edition)
        except UnavailableError:
            continue
    _itl2_of(edition)
    from socmob.report import national

    national.regional_indicators(_region_name(next(iter(
        r for r, _ in _itl2_of(edition).values() if r))), scan=national.shared_overview())
    if _shipped_peers(edition) is None:
        from socmob.place import peers  # noqa: F401  (every area page computes its peers)
