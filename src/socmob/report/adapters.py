"""Adapters from ``socmob.place`` results to area-page panels.

One function per panel. Each calls the place function that computes the statistic on
the SMC composites (``socmob.data.composites``) and turns its tidy result into a
:class:`~socmob.report.panels.Panel` (tidy table, chart from the same rows). Results that
cover every area at once (spatial clusters, better/worse than expected) are computed
once per process and cached. Where a panel cannot exist for an edition or an area, the
adapter raises :class:`~socmob.errors.UnavailableError` naming the reason, and the page
shows it; any other error is a bug and propagates.

The tidy tables keep the library's columns; ``index_code`` is added where the index a
row belongs to is not already the ``group`` (so the question rules can find it).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

import pandas as pd

from socmob import data
from socmob.errors import NotFoundError, UnavailableError
from socmob.place import expected, peers, spatial, trends
from socmob.place.analyses import smc_rank_uncertainty
from socmob.report import charts
from socmob.report.panels import AreaRef, Panel, composites, index_titles, rows_for

_LOCK = threading.Lock()

#: Better/worse than expected: (outcome, predictors) pairs fitted by
#: ``socmob.place.expected.expected_from_composites``. Promising prospects and labour
#: market outcomes, each given the conditions of childhood.
EXPECTED_MODELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ci4", ("ci1",)),
    ("ci2", ("ci1",)),
)

SPATIAL_PERMUTATIONS = 999
SPATIAL_SEED = 20250101

#: Editions whose bands are a rule on z, which the rank and band simulation replays
#: (``socmob.place.banding``: SoN 2025; the SoN 2024 groups are bespoke, not a rule).
BANDED_EDITIONS = (2025,)


def _panel(name: str, title: str, table: pd.DataFrame, chart: Any = None, note: str = "",
           columns: tuple[tuple[str, str], ...] = ()) -> Panel:
    return Panel(name, title, table.reset_index(drop=True), chart, note=note,
                 columns=columns)


# --------------------------------------------------------------------------- uncertainty


UNCERTAINTY_NOTE = (
    "No margins of error are published: the noise is estimated from how well each index "
    "agrees between its two latest periods. Part of that is real change, so the ranges are "
    "if anything too wide (socmob.place.uncertainty).")


def _smc_uncertainty(area: AreaRef, edition: int) -> pd.DataFrame:
    if edition not in BANDED_EDITIONS:
        raise UnavailableError(
            f"the SoN {edition} groups are not a rule on the z-score, so there is no band "
            "rule to simulate (rank intervals and band probabilities are given for the "
            + " and ".join(f"SoN {e}" for e in BANDED_EDITIONS) + " edition)")
    with _LOCK:
        result = smc_rank_uncertainty(edition=edition, progress=False)
    return rows_for(result.to_frame(), area)


def rank_interval_panel(area: AreaRef, edition: int) -> Panel:
    """The area's published rank on each index with its 90% (5%–95%) Monte Carlo rank
    interval (``socmob.place.analyses.smc_rank_uncertainty``)."""
    frame = _smc_uncertainty(area, edition)
    frame = frame[frame["measure"] == "rank"].reset_index(drop=True)
    frame["published_rank"] = frame["published_rank"].round().astype("Int64")
    frame["index_title"] = frame["index_title"].fillna(frame["index_code"])
    label = frame["index_title"].astype(str) + " (" + frame["period"].astype(str) + ")"
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
    band_columns = tuple((f"p_band_{int(k)}", f"P({int(k)})")
                         for k, label in zip(labels["band"], labels["band_label"], strict=True))
    return _panel("band_probabilities", "How sure is the band?", table,
                  note="P(k): chance of band k, 1 (Least) to 7 (Most Favourable); rows add "
                       "up to 1.",
                  columns=(("index_title", "Index"), ("band_label", "Published band"),
                           ("probability", "Its chance"),
                           *band_columns))


# --------------------------------------------------------------------------- trend


def trend_panel(area: AreaRef, edition: int) -> Panel:
    """Change in z and band between consecutive periods, judged against the noise
    (``socmob.place.trends.trends``: reliable-change rule)."""
    comp = composites(edition)
    periods = comp.groupby("index_code")["period"].nunique()
    if (periods < 2).all():
        raise UnavailableError(f"the SoN {edition} edition publishes one period of each "
                               "index, so there is no change to show")
    frame = rows_for(trends.trends(comp, area=area.id).to_frame(), area)
    titles = index_titles(edition)
    frame["index_code"] = frame["group"].astype(str)
    frame["index_title"] = frame["index_code"].map(titles)
    label = frame["index_title"].fillna(frame["index_code"]) + ": " + frame["period"].astype(str)
    chart = charts.interval_chart(
        frame.assign(label=label), name="trend",
        title=f"{area.name}: change in z-score between periods", label="label",
        x_title="Change in z-score (interval: the change needed to beat the noise)",
        description="Each line is the change in the area's z-score between two periods; "
                    "a change is reliable when its interval does not cross zero.")
    return _panel("trend", "Trend", frame, chart,
                  note="Reliable-change rule: a change counts only when it is larger than "
                       "the noise in the index (socmob.place.trends).",
                  columns=(("index_title", "Index"), ("period", "Periods"),
                           ("value", "Change in z"), ("lci", "Lower"), ("uci", "Upper"),
                           ("band_from", "Band before"), ("band_to", "Band after"),
                           ("verdict", "Verdict")))


# --------------------------------------------------------------------------- spatial


@lru_cache(maxsize=2)
def _spatial_all(edition: int) -> pd.DataFrame:
    boundaries = data.boundaries("areas")
    comp = composites(edition)
    differ = sorted(set(comp["area_id"]) ^ set(boundaries["area_id"]))
    if differ:
        raise UnavailableError(
            f"the packaged boundaries are not those of the SoN {edition} areas ("
            f"{len(differ)} areas differ, e.g. {differ[0]}), so neighbours are unknown")
    weights = spatial.contiguity_weights(boundaries)
    frames = []
    for code in sorted(comp["index_code"].unique()):
        values = spatial.index_values(comp, index=str(code))
        result = spatial.getis_ord(values, weights, permutations=SPATIAL_PERMUTATIONS,
                                   seed=SPATIAL_SEED)
        frames.append(result.to_frame())
    return pd.concat(frames, ignore_index=True)


def spatial_all(edition: int) -> pd.DataFrame:
    """Getis–Ord Gi* hot/cold spots of every area on every index (latest period)."""
    with _LOCK:
        return _spatial_all(edition)


def spatial_panel(area: AreaRef, edition: int) -> Panel:
    """Hot/cold-spot status on each index (``socmob.place.spatial.getis_ord``)."""
    frame = rows_for(spatial_all(edition), area)
    titles = index_titles(edition)
    frame["index_code"] = frame["group"].astype(str)
    frame["index_title"] = frame["index_code"].map(titles)
    return _panel("spatial", "Spatial clusters", frame,
                  note=f"Getis–Ord Gi* on contiguity neighbours, {SPATIAL_PERMUTATIONS} "
                       "permutations; a hot spot is a cluster of favourable areas, a cold "
                       "spot a cluster of unfavourable ones.",
                  columns=(("index_title", "Index"), ("period", "Period"),
                           ("value", "Gi* z-score"), ("p_sim", "Permutation p-value"),
                           ("spot", "Status")))


# --------------------------------------------------------------------------- expected


@lru_cache(maxsize=2)
def _expected_all(edition: int) -> pd.DataFrame:
    comp = composites(edition)
    frames = []
    for outcome, predictors in EXPECTED_MODELS:
        frame = expected.expected_from_composites(
            comp, outcome=outcome, predictors=predictors).to_frame()
        frame["index_code"] = outcome
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def expected_all(edition: int) -> pd.DataFrame:
    """Better/worse than expected for every area, for each of :data:`EXPECTED_MODELS`."""
    with _LOCK:
        return _expected_all(edition)


def expected_panel(area: AreaRef, edition: int) -> Panel:
    """Better or worse than expected (``socmob.place.expected``)."""
    frame = rows_for(expected_all(edition), area)
    titles = index_titles(edition)
    frame["index_title"] = frame["index_code"].map(titles)
    label = frame["index_title"].fillna(frame["index_code"])
    chart = charts.interval_chart(
        frame.assign(label=label), name="expected",
        title=f"{area.name}: observed minus expected z-score", label="label",
        x_title="Residual (z-score points; 0 = as expected)",
        description="How far the area's score is from what its conditions of childhood "
                    "predict, with the interval of that difference.")
    return _panel("expected", "Better or worse than expected", frame, chart,
                  note="Expected values from a regression across all areas "
                       "(socmob.place.expected) of each index on the conditions of "
                       "childhood.",
                  columns=(("index_title", "Index"), ("group", "Model"),
                           ("observed", "Observed z"), ("expected", "Expected z"),
                           ("value", "Difference"), ("lci", "Lower"), ("uci", "Upper"),
                           ("verdict", "Verdict")))


# --------------------------------------------------------------------------- peers


def peers_panel(area: AreaRef, edition: int) -> Panel:
    """The area's statistical peers and how it compares with them
    (``socmob.place.peers.peers_from_composites``)."""
    comparison = peers.peers_from_composites(composites(edition), area.id)
    frame = comparison.to_frame()
    titles = index_titles(edition)
    frame["index_code"] = frame["group"].astype(str)
    frame["index_title"] = frame["index_code"].map(titles)
    names = ", ".join(comparison.peers.peers["area_name"].astype(str).head(15))
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


def itl2_region(area: AreaRef, edition: int = 2025) -> str:
    """The ITL2 region holding most of the area's local authority districts
    (``socmob.data.gss_lookup``; a lookup, not an estimate)."""
    registry = data.registry(edition=edition)
    row = registry[registry["area_id"] == area.id]
    if row.empty:
        raise LookupError(f"area {area.id!r} is not in the SoN {edition} registry")
    codes = str(row["codes"].iloc[0]).split(";")
    lookup = data.gss_lookup()
    lads = lookup[(lookup["role"] == "lad") & (lookup["area_type"] == "itl2")
                  & lookup["gss_code"].isin(codes)]
    if lads.empty:  # e.g. a unitary authority created after the ITL 2021 districts
        raise UnavailableError(
            f"the ITL2 lookup lists the 2021 local authority districts, and none of "
            f"{area.name}'s codes ({', '.join(codes)}) is among them, so its region is "
            "unknown")
    return str(lads["area_id"].value_counts().index[0])


def indicators_panel(area: AreaRef, edition: int) -> Panel:
    """The regional (ITL2) indicators under each index, with their intervals
    (``socmob.data.load`` for the area's ITL2 region)."""
    config = indicator_groups()
    region = itl2_region(area, edition)
    titles = index_titles(edition)
    frames = []
    for index_code, measures in config["indices"].items():
        for measure in measures:
            try:
                rows = data.load(measure, area=region, edition=config.get("edition"))
            except NotFoundError:  # not published for this region (the measures
                continue           # themselves are checked against the catalogue)
            rows = rows.copy()
            rows["index_code"] = index_code
            rows["index_title"] = titles.get(index_code, index_code)
            frames.append(rows)
    if not frames:
        raise UnavailableError(f"no regional indicators are published for {region}")
    frame = pd.concat(frames, ignore_index=True)
    region_name = str(frame["area_name"].iloc[0])
    return _panel("indicators", f"Regional indicators for {region_name} (ITL2)", frame,
                  note="Regional (ITL2) figures published by the SMC with their 95% "
                       "intervals where given, grouped under the index whose topic they "
                       "measure (socmob.report's indicators.yaml).",
                  columns=(("index_title", "Index"), ("title", "Indicator"),
                           ("group", "Group"), ("period", "Period"), ("value", "Value"),
                           ("lci", "Lower"), ("uci", "Upper"), ("unit", "Unit")))


def _uncertainty_all(edition: int) -> None:
    if edition in BANDED_EDITIONS:
        with _LOCK:
            smc_rank_uncertainty(edition=edition, progress=False)  # cached by the library


def warm(edition: int) -> None:
    """Compute the all-area results once (spatial clusters, expected fits, rank
    uncertainty), so the first area page does not wait for them.

    A panel that is unavailable for the edition is skipped here (its page says why);
    any other error propagates — the caller logs it, and the page raises it again."""
    for fn in (spatial_all, expected_all, _uncertainty_all):
        try:
            fn(edition)
        except UnavailableError:
            continue
