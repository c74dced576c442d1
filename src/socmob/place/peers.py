"""Peer groups: the areas most like a given area on chosen indicators.

Like CIPFA's nearest-neighbour model, each area's peers are the ``k`` areas closest to it
in a space of standardised indicators (the area itself is never its own peer):

* standardised Euclidean (default): d(a, b) = √(Σⱼ vⱼ ((xₐⱼ − x_bⱼ)/sⱼ)²), sⱼ the
  sample standard deviation of indicator j across areas and vⱼ optional weights
  (default 1; CIPFA weights its indicators);
* Mahalanobis: d(a, b) = √((xₐ − x_b)ᵀ S⁻¹ (xₐ − x_b)), S the sample covariance matrix,
  which also discounts indicators that move together;
* plain Euclidean on the raw values.

:func:`compare_with_peers` then sets the area beside its peers on each index: the area's
value, the peer median, minimum and maximum, and the area's rank among the k + 1 areas
(1 = highest value, i.e. most favourable on the SMC indices).

Reference: CIPFA, *Nearest Neighbour Model* (technical guidance), 2019 (standardised,
weighted Euclidean distance over socio-economic indicators).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from socmob.errors import InputError, ModelSpecError, NotFoundError
from socmob.place.expected import closest_period
from socmob.place.selection import (
    area_labels,
    choose,
    index_values,
    require_columns,
    sort_periods,
)
from socmob.results import Result, tidy

Metric = Literal["standardised", "mahalanobis", "euclidean"]

__all__ = ["PeerComparison", "Peers", "compare_with_peers", "distance_matrix",
           "find_peers", "peers_from_composites"]


def distance_matrix(
    data: pd.DataFrame,
    *,
    metric: Metric = "standardised",
    weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Pairwise distances between the rows of ``data`` (areas × indicators).

    Raises
    ------
    InputError
        Missing values, unknown metric or weights for unknown indicators.
    ModelSpecError
        An indicator with no variation, or a singular covariance for Mahalanobis.
    """
    if metric not in ("standardised", "mahalanobis", "euclidean"):
        raise InputError(f"unknown metric {metric!r}",
                         expected="'standardised', 'mahalanobis' or 'euclidean'")
    if data.shape[1] == 0:
        raise InputError("no indicators to compare on", expected="at least one column")
    values = data.apply(pd.to_numeric, errors="coerce")
    if values.isna().any().any():
        col = str(values.columns[values.isna().any()][0])
        row = str(values.index[values[col].isna()][0])
        raise InputError(f"missing value for area {row!r}", column=col,
                         expected="a value for every area on every indicator")
    x = values.to_numpy(float)
    if metric != "euclidean":
        sd = x.std(axis=0, ddof=1)
        if (sd == 0).any():
            col = str(values.columns[int(np.flatnonzero(sd == 0)[0])])
            raise ModelSpecError(f"indicator {col!r} does not vary across areas")
    if metric == "mahalanobis":
        if weights:
            raise InputError("weights apply to the Euclidean metrics only",
                             expected="no weights with metric='mahalanobis'")
        cov = np.atleast_2d(np.cov(x, rowvar=False))
        if np.linalg.matrix_rank(cov) < cov.shape[0]:
            raise ModelSpecError("the indicators are collinear: their covariance matrix is "
                                 "singular, so Mahalanobis distance is undefined")
        # Whitening with the Cholesky factor L (S = LLᵀ) turns Mahalanobis into Euclidean.
        chol = np.linalg.cholesky(cov)
        x = np.linalg.solve(chol, (x - x.mean(axis=0)).T).T
    elif metric == "standardised":
        x = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    if weights and metric != "mahalanobis":
        unknown = [k for k in weights if k not in values.columns]
        if unknown:
            raise InputError(f"weight for unknown indicator {unknown[0]!r}",
                             expected=f"one of {', '.join(map(str, values.columns))}")
        v = np.array([float(weights.get(c, 1.0)) for c in values.columns])
        if (v < 0).any():
            raise InputError("indicator weights must be ≥ 0", column="weights")
        x = x * np.sqrt(v)
    diff = x[:, None, :] - x[None, :, :]
    d = np.sqrt((diff**2).sum(axis=2))
    ids = [str(i) for i in values.index]
    return pd.DataFrame(d, index=ids, columns=ids)


def _resolve_area(area: str, ids: Sequence[str], names: Mapping[str, str]) -> str:
    if area in ids:
        return area
    by_name = {v.casefold(): k for k, v in names.items() if k in ids}
    if area.casefold() in by_name:
        return by_name[area.casefold()]
    options = list(ids) + [names[i] for i in ids if i in names]
    raise NotFoundError(f"unknown area {area!r}",
                        suggestions=difflib.get_close_matches(area, options, n=3,
                                                              cutoff=0.5))


@dataclass(frozen=True)
class Peers(Result):
    """The ``k`` nearest peers of one area.

    ``peers``: area_id, area_name, distance, rank (1 = nearest), in order of distance
    (ties broken by id).
    """

    area_id: str
    area_name: str
    area_code: str
    on: tuple[str, ...]
    metric: str
    k: int
    peers: pd.DataFrame
    periods: Mapping[str, str] = field(default_factory=dict)

    @property
    def ids(self) -> tuple[str, ...]:
        """Peer ids, nearest first."""
        return tuple(self.peers["area_id"])

    def to_frame(self) -> pd.DataFrame:
        p = self.peers
        frame = pd.DataFrame({
            "measure": "peer_distance", "area_code": p["area_code"],
            "area_name": p["area_name"],
            "breakdown": "peer of", "group": self.area_name, "value": p["distance"],
            "unit": f"{self.metric} distance",
            "note": f"on {', '.join(self.on)}", "area_id": p["area_id"], "rank": p["rank"],
        })
        return tidy(frame)


def find_peers(
    data: pd.DataFrame,
    area: str,
    *,
    k: int = 15,
    metric: Metric = "standardised",
    weights: Mapping[str, float] | None = None,
    names: Mapping[str, str] | None = None,
    codes: Mapping[str, str] | None = None,
    periods: Mapping[str, str] | None = None,
) -> Peers:
    """The ``k`` areas nearest to ``area`` on the columns of ``data`` (rows = areas,
    index = area id). ``area`` may be an id or a name (with ``names``); ``codes`` maps
    ids to GSS codes for outputs."""
    ids = [str(i) for i in data.index]
    if len(set(ids)) != len(ids):
        raise InputError("an area appears twice", column="area_id")
    if k < 1:
        raise InputError(f"k = {k}: at least one peer is needed", expected="k ≥ 1")
    if k > len(ids) - 1:
        raise InputError(f"k = {k} but only {len(ids) - 1} other areas",
                         expected=f"k ≤ {len(ids) - 1}")
    names = dict(names or {})
    target = _resolve_area(area, ids, names)
    d = distance_matrix(data.set_axis(ids), metric=metric, weights=weights)[target]
    others = d.drop(index=target)
    order = sorted(others.index, key=lambda i: (others[i], i))[:k]
    codes = dict(codes or {})
    peers = pd.DataFrame({
        "area_id": order, "area_code": [codes.get(i, i) for i in order],
        "area_name": [names.get(i, i) for i in order],
        "distance": [float(others[i]) for i in order], "rank": range(1, len(order) + 1),
    })
    return Peers(area_id=target, area_name=names.get(target, target),
                 area_code=codes.get(target, target),
                 on=tuple(map(str, data.columns)), metric=metric, k=k, peers=peers,
                 periods=dict(periods or {}))


@dataclass(frozen=True)
class PeerComparison(Result):
    """How an area compares with its peers on each index.

    ``table``: index, period, value (the area), peer_median, peer_min, peer_max,
    difference (value − peer median), rank (1 = highest of the area and its peers),
    group_size (k + 1).
    """

    peers: Peers
    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        t = self.table
        frame = pd.DataFrame({
            "measure": "value_vs_peer_median", "area_code": self.peers.area_code,
            "area_name": self.peers.area_name, "period": t["period"],
            "breakdown": "index", "group": t["index"], "value": t["value"],
            "lci": t["peer_min"], "uci": t["peer_max"], "n": t["group_size"].astype(float),
            "unit": "z-score",
            "note": "lci/uci = peer range", "area_id": self.peers.area_id,
            "peer_median": t["peer_median"],
            "difference": t["difference"], "rank_among_peers": t["rank"],
        })
        return tidy(frame)

    def summary(self) -> str:
        p = self.peers
        lines = [f"Peers of {p.area_name} ({p.k} nearest on {', '.join(p.on)}, "
                 f"{p.metric} distance):",
                 "  " + ", ".join(f"{n} ({d:.2f})" for n, d in
                                  zip(p.peers["area_name"], p.peers["distance"],
                                      strict=True)),
                 "Compared with its peers:"]
        for r in self.table.itertuples(index=False):
            lines.append(f"  {r.index} {r.period}: {r.value:.3f} vs peer median "
                         f"{r.peer_median:.3f} (range {r.peer_min:.3f} to {r.peer_max:.3f});"
                         f" rank {r.rank} of {r.group_size}")
        return "\n".join(lines)


def compare_with_peers(
    peers: Peers,
    values: pd.DataFrame,
    *,
    periods: Mapping[str, str] | None = None,
) -> PeerComparison:
    """Set an area beside its peers on each column of ``values`` (rows = area ids).

    Rank is 1 for the highest value among the area and its peers (ties share the best
    rank, as ``rank(method="min")``); peers missing a value are left out of that index.
    """
    rows = []
    for col in values.columns:
        series = pd.to_numeric(values[col], errors="coerce")
        series.index = series.index.astype(str)
        if peers.area_id not in series.index or pd.isna(series.get(peers.area_id)):
            raise InputError(f"no {col} value for {peers.area_name!r}", column=str(col))
        own = float(series[peers.area_id])
        peer_vals = series.reindex(list(peers.ids)).dropna()
        group = pd.concat([pd.Series({peers.area_id: own}), peer_vals])
        rank = int(group.rank(ascending=False, method="min")[peers.area_id])
        med = float(peer_vals.median())
        rows.append({"index": str(col), "period": (periods or {}).get(str(col)),
                     "value": own, "peer_median": med, "peer_min": float(peer_vals.min()),
                     "peer_max": float(peer_vals.max()), "difference": own - med,
                     "rank": rank, "group_size": len(group)})
    return PeerComparison(peers=peers, table=pd.DataFrame(rows))


def peers_from_composites(
    composites: pd.DataFrame,
    area: str,
    *,
    on: Sequence[str] = ("ci1", "ci2", "ci3"),
    compare: Sequence[str] | None = None,
    period: str | None = None,
    k: int = 15,
    metric: Metric = "standardised",
    weights: Mapping[str, float] | None = None,
) -> PeerComparison:
    """Peers of ``area`` on the SMC indices ``on`` (each in ``period``, default its
    latest, else the closest period) and the comparison on ``compare`` (default every
    index, each in the same way). Areas missing any ``on`` value are left out of the
    peer search."""
    require_columns(composites, ["index_code", "area_id", "period", "z"], "composites")
    codes = sorted(composites["index_code"].astype(str).unique())
    on = tuple(choose(c, codes, "index") for c in on)
    compare = tuple(choose(c, codes, "index") for c in (compare or codes))
    names, gss = area_labels(composites)

    def pick(code: str) -> pd.Series:
        if period is None:
            return index_values(composites, index=code)
        own = composites.loc[composites["index_code"].astype(str) == code, "period"]
        options = sort_periods(own)
        return index_values(composites, index=code, period=closest_period(period, options))

    space_cols = {c: pick(c) for c in on}
    space = pd.DataFrame(space_cols).dropna()
    found = find_peers(space, area, k=k, metric=metric, weights=weights, names=names,
                       codes=gss,
                       periods={c: str(s.attrs["period"]) for c, s in space_cols.items()})
    cmp_values = {c: pick(c) for c in compare}
    return compare_with_peers(found, pd.DataFrame(cmp_values),
                              periods={c: str(s.attrs["period"])
                                       for c, s in cmp_values.items()})
