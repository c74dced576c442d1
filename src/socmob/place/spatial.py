"""Spatial clusters of the Social Mobility Index on the area map (PySAL).

Four steps, each a small function returning a frozen result:

* :func:`contiguity_weights` — queen or rook contiguity between area polygons (invalid
  polygons repaired first), with a nearest-neighbour fallback for areas that touch no
  other area (Northern Ireland, Orkney, Shetland, the Western Isles, Anglesey and the
  Isle of Wight on the SMC's 205-area map).
* :func:`global_moran` — global Moran's I with a seeded permutation p-value.
* :func:`local_moran` — local Moran (LISA) clusters: high-high (hotspot), low-low
  (coldspot), high-low and low-high outliers, with permutation p-values and an optional
  multiple-testing correction (Bonferroni or Benjamini–Hochberg).
* :func:`getis_ord` — the Getis–Ord Gi* hot/cold-spot statistic.

On the SMC indices a higher z-score is the more favourable side, so a *hotspot* is a
cluster of favourable areas and a *coldspot* a cluster of unfavourable ones.

References
----------
Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. *Biometrika* 37, 17–23.
Cliff, A. D. & Ord, J. K. (1981). *Spatial Processes: Models and Applications*. Pion.
Anselin, L. (1995). Local indicators of spatial association — LISA. *Geographical
Analysis* 27, 93–115.
Ord, J. K. & Getis, A. (1995). Local spatial autocorrelation statistics: distributional
issues and an application. *Geographical Analysis* 27, 286–306.
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57,
289–300.
Rey, S. J. & Anselin, L. (2007). PySAL: a Python library of spatial analytical methods.
"""

from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from socmob.errors import InputError, NotFoundError
from socmob.results import Result, tidy

Contiguity = Literal["queen", "rook"]
Correction = Literal["none", "bonferroni", "fdr"]

#: Cluster labels of the local Moran quadrants (esda's ``q``: 1 HH, 2 LH, 3 LL, 4 HL).
CLUSTER_LABELS: dict[int, str] = {
    1: "hotspot (high-high)",
    2: "low-high outlier",
    3: "coldspot (low-low)",
    4: "high-low outlier",
}
NOT_SIGNIFICANT = "not significant"

_CHUNK = 10_000  # permutations evaluated per matrix product in global_moran

__all__ = [
    "AreaWeights",
    "GetisOrd",
    "GlobalMoran",
    "LocalMoran",
    "adjust_pvalues",
    "contiguity_weights",
    "getis_ord",
    "global_moran",
    "index_values",
    "latest_period",
    "local_moran",
    "period_key",
    "weights_from_neighbours",
]


# --------------------------------------------------------------------------------------
# Selecting one index and period from the composites table
# --------------------------------------------------------------------------------------

def period_key(period: str) -> tuple[int, ...]:
    """Sort key of a period label such as ``"2018 to 2024"``: its years as integers."""
    years = tuple(int(y) for y in re.findall(r"\d{4}", str(period)))
    return years or (0,)


def latest_period(periods: Sequence[str] | pd.Series) -> str:
    """The most recent period label (by start year, then end year)."""
    unique = sorted({str(p) for p in periods}, key=period_key)
    if not unique:
        raise InputError("no periods to choose from", column="period")
    return unique[-1]


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"{what} lacks column(s) {', '.join(missing)}",
            column=missing[0],
            expected="the socmob.data.composites() layout: index_code, area_id, "
            "area_name, period, z",
        )


def _choose(value: str, options: Sequence[str], what: str, where: str = "") -> str:
    options = [str(o) for o in options]
    if value in options:
        return value
    folded = {o.casefold(): o for o in options}
    if value.casefold() in folded:
        return folded[value.casefold()]
    close = difflib.get_close_matches(value, options, n=3, cutoff=0.4)
    raise NotFoundError(
        f"unknown {what} {value!r}{where} (available: {', '.join(options)})",
        suggestions=close
    )


def _labels(composites: pd.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    """``({id: name}, {id: GSS code})`` from a composites table (empty where absent)."""
    first = composites.drop_duplicates("area_id")
    ids = first["area_id"].astype(str)
    out: list[dict[str, str]] = []
    for col in ("area_name", "area_code"):
        out.append(dict(zip(ids, first[col].astype(str), strict=True))
                   if col in first.columns else {})
    return out[0], out[1]


def index_values(
    composites: pd.DataFrame,
    *,
    index: str,
    period: str | None = None,
    value: str = "z",
    id_column: str = "area_id",
) -> pd.Series:
    """One index's values per area for one period, as a Series indexed by area id.

    Parameters
    ----------
    composites
        Long table in the :func:`socmob.data.composites` layout (``index_code``,
        ``area_id``, ``period``, ``z``, …).
    index
        Index code, e.g. ``"ci1"`` (Conditions of Childhood).
    period
        Period label, e.g. ``"2018 to 2024"``; default the latest period of that index.
    value
        Column holding the value (default ``"z"``).

    Raises
    ------
    NotFoundError
        Unknown index or period (with close matches as suggestions).
    """
    _require_columns(composites, ["index_code", id_column, "period", value], "composites")
    index = _choose(index, sorted(composites["index_code"].astype(str).unique()), "index")
    rows = composites[composites["index_code"].astype(str) == index]
    periods = sorted(rows["period"].astype(str).unique(), key=period_key)
    chosen = (latest_period(periods) if period is None
              else _choose(period, periods, "period", f" for {index}"))
    rows = rows[rows["period"].astype(str) == chosen]
    if rows[id_column].duplicated().any():
        dup = rows.loc[rows[id_column].duplicated(), id_column].iloc[0]
        raise InputError(f"area {dup!r} appears twice for {index} {chosen}", column=id_column)
    series = pd.to_numeric(rows.set_index(id_column)[value], errors="coerce").astype(float)
    series.index = series.index.astype(str)
    series.name = f"{index} {chosen}"
    series.attrs.update(index=index, period=chosen)
    return series


# --------------------------------------------------------------------------------------
# Weights
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AreaWeights(Result):
    """Spatial neighbours of a set of areas.

    Attributes
    ----------
    ids
        Area ids in a fixed order (the order of every array this module returns).
    neighbours
        ``{id: (neighbour ids…)}``, symmetric, including the nearest-neighbour links.
    kind
        ``"queen"``, ``"rook"`` or ``"given"`` (built from an explicit neighbour list).
    islands
        Ids of areas that had no contiguous neighbour.
    island_links
        ``{island id: (ids it was linked to by nearest centroid…)}``.
    names
        Optional ``{id: area name}`` used in outputs.
    codes
        Optional ``{id: GSS code}`` used as ``area_code`` in tidy outputs.
    """

    ids: tuple[str, ...]
    neighbours: Mapping[str, tuple[str, ...]]
    kind: str
    islands: tuple[str, ...] = ()
    island_links: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)
    codes: Mapping[str, str] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of areas."""
        return len(self.ids)

    @property
    def island_names(self) -> tuple[str, ...]:
        """Names of the areas without contiguous neighbours."""
        return tuple(self.names.get(i, i) for i in self.islands)

    def to_w(self, transform: Literal["r", "b"] = "r") -> Any:
        """A fresh :class:`libpysal.weights.W` (``"r"`` row-standardised: wᵢⱼ = 1/|N(i)|;
        ``"b"`` binary). A new object each call, so callers cannot alter this one."""
        from libpysal.weights import W

        neighbours = {i: list(self.neighbours[i]) for i in self.ids}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            w = W(neighbours, id_order=list(self.ids), silence_warnings=True)
        w.transform = transform
        return w

    def matrix(self, transform: Literal["r", "b"] = "r") -> np.ndarray:
        """Dense n × n weights matrix in :attr:`ids` order."""
        pos = {a: k for k, a in enumerate(self.ids)}
        m = np.zeros((self.n, self.n))
        for a, nbrs in self.neighbours.items():
            for b in nbrs:
                m[pos[a], pos[b]] = 1.0
        if transform == "r":
            rows = m.sum(axis=1, keepdims=True)
            m = np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
        return m

    def n_components(self) -> int:
        """Number of connected components of the neighbour graph."""
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import connected_components

        count, _ = connected_components(csr_matrix(self.matrix("b")), directed=False)
        return int(count)

    def to_frame(self) -> pd.DataFrame:
        """One row per (area, neighbour) link with how it was made."""
        rows = []
        for a in self.ids:
            nbrs = self.neighbours[a]
            for b in nbrs:
                nn = b in self.island_links.get(a, ()) or a in self.island_links.get(b, ())
                rows.append({
                    "area_id": a, "area_code": self.codes.get(a), "area_name":
                    self.names.get(a, a),
                    "neighbour_id": b, "neighbour_name": self.names.get(b, b),
                    "weight": 1.0 / len(nbrs),
                    "link": "nearest centroid" if nn else self.kind,
                })
        return pd.DataFrame(rows)

    def summary(self) -> str:
        counts = [len(self.neighbours[i]) for i in self.ids]
        lines = [
            f"AreaWeights ({self.kind} contiguity, row-standardised on use)",
            f"areas: {self.n}; links: {sum(counts)}; neighbours per area: "
            f"min {min(counts)}, mean {np.mean(counts):.2f}, max {max(counts)}",
            f"components: {self.n_components()}",
            "islands (linked to nearest centroid): "
            + (", ".join(
                f"{self.names.get(i, i)} → "
                + ", ".join(self.names.get(j, j) for j in self.island_links.get(i, ()))
                for i in self.islands) or "none"),
        ]
        return "\n".join(lines)


def weights_from_neighbours(
    neighbours: Mapping[str, Sequence[str]],
    *,
    names: Mapping[str, str] | None = None,
    codes: Mapping[str, str] | None = None,
) -> AreaWeights:
    """:class:`AreaWeights` from an explicit, symmetric neighbour list.

    Raises
    ------
    InputError
        A link points to an unknown area, is not symmetric, or an area has no neighbour.
    """
    ids = tuple(str(k) for k in neighbours)
    nb = {str(k): tuple(str(v) for v in vs) for k, vs in neighbours.items()}
    known = set(ids)
    for a, vs in nb.items():
        for b in vs:
            if b not in known:
                raise InputError(f"area {a!r} lists unknown neighbour {b!r}",
                                 column="neighbours", expected="ids of listed areas")
            if a not in nb[b]:
                raise InputError(f"link {a!r} → {b!r} is not symmetric",
                                 column="neighbours", expected=f"{b!r} to list {a!r}")
            if a == b:
                raise InputError(f"area {a!r} lists itself", column="neighbours")
        if not vs:
            raise InputError(f"area {a!r} has no neighbours", column="neighbours",
                             expected="at least one neighbour per area")
    return AreaWeights(ids=ids, neighbours=nb, kind="given", names=dict(names or {}),
                        codes=dict(codes or {}))


def _repair(geoms: Any) -> Any:
    """Make polygons valid (shapely ``make_valid``) and keep only their polygon parts."""
    import shapely

    fixed = shapely.make_valid(np.asarray(geoms))
    out = []
    for g in fixed:
        if g is None or g.is_empty or g.geom_type in {"Polygon", "MultiPolygon"}:
            out.append(g)
        else:  # GeometryCollection: keep areal parts, drop slivers of lines and points
            parts = [p for p in getattr(g, "geoms", []) if p.geom_type in
                     {"Polygon", "MultiPolygon"}]
            out.append(shapely.union_all(parts) if parts else g)
    return np.asarray(out, dtype=object)


def contiguity_weights(
    areas: Any,
    *,
    kind: Contiguity = "queen",
    id_column: str = "area_id",
    name_column: str | None = "area_name",
    code_column: str | None = "area_code",
    island_k: int = 1,
    projected_crs: int | str = 27700,
) -> AreaWeights:
    """Contiguity neighbours between area polygons, with islands linked to their nearest
    areas.

    Invalid polygons are repaired (``shapely.make_valid``) before adjacency is tested.
    *Queen* contiguity links areas sharing at least one boundary point; *rook* requires a
    shared edge. An area with no contiguous neighbour (an island) is linked to its
    ``island_k`` nearest areas by distance between polygon centroids computed in
    ``projected_crs`` (default EPSG:27700, British National Grid); each such link is
    added in both directions so that the graph stays symmetric. Row standardisation
    (wᵢⱼ = 1/|N(i)|) happens when weights are used (:meth:`AreaWeights.to_w`).

    Parameters
    ----------
    areas
        GeoDataFrame with one polygon per area (e.g. :func:`socmob.data.boundaries`).
        Without a CRS, longitude/latitude (EPSG:4326) is assumed.
    kind
        ``"queen"`` (default) or ``"rook"``.
    id_column, name_column, code_column
        Columns holding the area id and (optional) display name and GSS code.
    island_k
        Number of nearest areas each island is linked to (≥ 1).
    """
    import geopandas as gpd
    from libpysal import weights as lpw

    if kind not in ("queen", "rook"):
        raise InputError(f"unknown contiguity {kind!r}", expected="'queen' or 'rook'")
    if island_k < 1:
        raise InputError("island_k must be at least 1", expected="an integer ≥ 1")
    if not isinstance(areas, gpd.GeoDataFrame):
        raise InputError("areas must be a GeoDataFrame of polygons",
                         expected="socmob.data.boundaries() or a GeoDataFrame")
    if id_column not in areas.columns:
        raise InputError("areas lack the id column", column=id_column,
                         expected="one id per polygon")
    if len(areas) < 2:
        raise InputError("at least two areas are needed for spatial weights")
    ids = tuple(areas[id_column].astype(str))
    if len(set(ids)) != len(ids):
        dup = pd.Series(ids)[pd.Series(ids).duplicated()].iloc[0]
        raise InputError(f"area id {dup!r} appears twice", column=id_column)
    names = (dict(zip(ids, areas[name_column].astype(str), strict=True))
             if name_column and name_column in areas.columns else {})
    codes = (dict(zip(ids, areas[code_column].astype(str), strict=True))
             if code_column and code_column in areas.columns else {})

    frame = gpd.GeoDataFrame({"_id": list(ids)}, geometry=_repair(areas.geometry.values),
                             crs=areas.crs or "EPSG:4326")
    if frame.geometry.is_empty.any() or frame.geometry.isna().any():
        bad = ids[int(np.flatnonzero(frame.geometry.is_empty | frame.geometry.isna())[0])]
        raise InputError(f"area {bad!r} has no geometry", column="geometry")
    builder = lpw.Queen if kind == "queen" else lpw.Rook
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = builder.from_dataframe(frame, use_index=False, silence_warnings=True)
    neighbours: dict[str, set[str]] = {
        ids[i]: {ids[j] for j in w.neighbors[i]} for i in range(len(ids))
    }
    islands = tuple(a for a in ids if not neighbours[a])

    links: dict[str, tuple[str, ...]] = {}
    if islands:
        k = min(island_k, len(ids) - 1)
        projected = frame.to_crs(projected_crs)
        centres = np.column_stack([projected.geometry.centroid.x,
                                   projected.geometry.centroid.y])
        pos = {a: p for p, a in enumerate(ids)}
        for a in islands:
            d = np.hypot(*(centres - centres[pos[a]]).T)
            d[pos[a]] = np.inf
            nearest = tuple(ids[j] for j in np.argsort(d, kind="stable")[:k])
            links[a] = nearest
            for b in nearest:
                neighbours[a].add(b)
                neighbours[b].add(a)
    return AreaWeights(
        ids=ids,
        neighbours={a: tuple(sorted(neighbours[a], key=ids.index)) for a in ids},
        kind=kind,
        islands=islands,
        island_links=links,
        names=names,
        codes=codes,
    )


# --------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------

def _aligned(values: pd.Series | Mapping[str, float] | Sequence[float] | np.ndarray,
             weights: AreaWeights) -> np.ndarray:
    if isinstance(values, (pd.Series, Mapping)):
        series = pd.Series(values, dtype=float)
        series.index = series.index.astype(str)
        missing = [a for a in weights.ids if a not in series.index]
        if missing:
            raise InputError(
                f"no value for {len(missing)} area(s) on the map, e.g. "
                f"{weights.names.get(missing[0], missing[0])!r}",
                column="area_id", expected="one value for every area in the weights")
        y = series.reindex(list(weights.ids)).to_numpy(dtype=float)
    else:
        y = np.asarray(values, dtype=float).ravel()
        if y.size != weights.n:
            raise InputError(f"{y.size} values for {weights.n} areas",
                             expected="one value per area, in weights.ids order")
    if not np.all(np.isfinite(y)):
        bad = weights.ids[int(np.flatnonzero(~np.isfinite(y))[0])]
        raise InputError(f"value for area {weights.names.get(bad, bad)!r} is missing",
                         column="value", expected="a finite number for every area")
    if np.ptp(y) == 0:
        raise InputError("all values are equal: spatial association is undefined",
                         column="value", expected="values that vary between areas")
    return y


def _codes(weights: AreaWeights) -> tuple[str, ...]:
    if not weights.codes:
        return ()
    return tuple(weights.codes.get(i, i) for i in weights.ids)


def _check_permutations(permutations: int) -> None:
    if permutations < 0:
        raise InputError("permutations must be ≥ 0", expected="e.g. 999")


def _label(values: pd.Series | Any) -> tuple[str | None, str | None]:
    attrs = getattr(values, "attrs", {}) or {}
    return attrs.get("index"), attrs.get("period")


def adjust_pvalues(p: np.ndarray, method: Correction = "none") -> np.ndarray:
    """Multiple-testing adjustment of p-values.

    ``"bonferroni"``: pᵢ' = min(1, m·pᵢ). ``"fdr"``: Benjamini–Hochberg step-up,
    p₍ᵢ₎' = min_{j ≥ i} min(1, m·p₍ⱼ₎ / j) over the ordered p-values. ``"none"``: unchanged.
    """
    p = np.asarray(p, dtype=float)
    if method == "none":
        return p.copy()
    if method not in ("bonferroni", "fdr"):
        raise InputError(f"unknown correction {method!r}",
                         expected="'none', 'bonferroni' or 'fdr'")
    from statsmodels.stats.multitest import multipletests

    return np.asarray(multipletests(p, method="bonferroni" if method == "bonferroni"
                                    else "fdr_bh")[1])


@dataclass(frozen=True)
class GlobalMoran(Result):
    """Global Moran's I.

    I = (n / S₀) · (zᵀ W z) / (zᵀ z), z = y − ȳ, S₀ = Σᵢⱼ wᵢⱼ (= n for row-standardised W).

    ``expected`` = E[I] = −1/(n−1); ``z_norm``/``p_norm`` from the variance under
    normality (Cliff & Ord 1981); ``p_sim`` the folded permutation pseudo p-value
    (min(#{Iₚ ≥ I}, P − #{Iₚ ≥ I}) + 1) / (P + 1) as in esda.
    """

    I: float  # noqa: E741 - the statistic's conventional name
    expected: float
    variance_norm: float
    z_norm: float
    p_norm: float
    p_sim: float | None
    permutations: int
    n: int
    index: str | None = None
    period: str | None = None
    seed: int | None = None

    def to_frame(self) -> pd.DataFrame:
        base = {"area_code": None, "area_name": "all areas", "period": self.period,
                "breakdown": "index", "group": self.index, "n": self.n}
        frame = pd.DataFrame([
            {**base, "measure": "moran_i", "value": self.I,
             "note": f"E[I] = {self.expected:.4f}"},
            {**base, "measure": "moran_z_norm", "value": self.z_norm},
            {**base, "measure": "moran_p_norm", "value": self.p_norm},
            {**base, "measure": "moran_p_sim", "value": self.p_sim,
             "note": f"{self.permutations} permutations, seed {self.seed}"},
        ])
        return tidy(frame, unit="statistic")

    def summary(self) -> str:
        what = " ".join(x for x in (self.index, self.period) if x)
        lines = [f"Global Moran's I{' — ' + what if what else ''}",
                 f"n = {self.n}, I = {self.I:.4f} (E[I] = {self.expected:.4f})",
                 f"z (normality) = {self.z_norm:.3f}, p = {self.p_norm:.4g}"]
        if self.p_sim is not None:
            lines.append(f"permutation p = {self.p_sim:.4g} ({self.permutations} "
                         f"permutations, seed {self.seed})")
        return "\n".join(lines)


def global_moran(
    values: pd.Series | Mapping[str, float] | Sequence[float] | np.ndarray,
    weights: AreaWeights,
    *,
    permutations: int = 999,
    seed: int | None = None,
) -> GlobalMoran:
    """Global Moran's I of ``values`` under row-standardised ``weights``.

    The statistic and its normal-theory moments come from :class:`esda.Moran`; the
    permutation test is run here with a seeded :func:`numpy.random.default_rng` so that
    results are reproducible without touching numpy's global random state:
    Iₚ = (n/S₀)·(zₚᵀ W zₚ)/(zᵀz) for P random permutations zₚ of z.

    Parameters
    ----------
    values
        A Series/mapping keyed by area id (aligned to ``weights.ids``) or an array in
        ``weights.ids`` order.
    permutations
        Number of random permutations (0 = none).
    seed
        Seed of the permutation generator.
    """
    import esda

    _check_permutations(permutations)
    y = _aligned(values, weights)
    w = weights.to_w("r")
    mi = esda.Moran(y, w, transformation="r", permutations=0)
    p_sim: float | None = None
    if permutations:
        from scipy.sparse import csr_matrix

        mat = csr_matrix(weights.matrix("r"))
        z = y - y.mean()
        rng = np.random.default_rng(seed)
        scale = len(y) / mat.sum() / (z @ z)
        larger = 0
        for start in range(0, permutations, _CHUNK):
            size = min(_CHUNK, permutations - start)
            perms = rng.permuted(np.broadcast_to(z, (size, z.size)), axis=1)
            sims = scale * (np.asarray((mat @ perms.T).T) * perms).sum(axis=1)
            larger += int((sims >= mi.I).sum())
        larger = min(larger, permutations - larger)
        p_sim = (larger + 1.0) / (permutations + 1.0)
    index, period = _label(values)
    return GlobalMoran(
        I=float(mi.I), expected=float(mi.EI), variance_norm=float(mi.VI_norm),
        z_norm=float(mi.z_norm), p_norm=float(mi.p_norm), p_sim=p_sim,
        permutations=permutations, n=len(y), index=index, period=period, seed=seed,
    )


@dataclass(frozen=True)
class LocalMoran(Result):
    """Local Moran's I (LISA) for every area, with cluster labels.

    Iᵢ = (n − 1) · zᵢ · Σⱼ wᵢⱼ zⱼ / Σₖ zₖ², z = (y − ȳ)/s (esda's scaling; Anselin's
    1995 form uses n in place of n − 1, which changes no p-value or label).

    ``quadrant``: 1 high-high, 2 low-high, 3 low-low, 4 high-low (sign of zᵢ and of its
    spatial lag). ``p_sim``: conditional-permutation pseudo p-values; ``p_adjusted``:
    after ``correction``. An area is labelled a hotspot/coldspot/outlier only where
    ``p_adjusted < alpha``.
    """

    ids: tuple[str, ...]
    names: tuple[str, ...]
    values: np.ndarray
    Is: np.ndarray
    lag: np.ndarray
    quadrant: np.ndarray
    p_sim: np.ndarray
    p_adjusted: np.ndarray
    cluster: tuple[str, ...]
    correction: str
    alpha: float
    permutations: int
    index: str | None = None
    period: str | None = None
    seed: int | None = None
    codes: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        """Number of areas per cluster label."""
        return {str(k): int(v) for k, v in pd.Series(self.cluster).value_counts().items()}

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame({
            "measure": "local_moran_i", "area_code": list(self.codes or self.ids),
            "area_name": list(self.names), "period": self.period,
            "breakdown": "index", "group": self.index, "value": self.Is,
            "n": float(len(self.ids)), "unit": "statistic",
            "note": f"{self.permutations} permutations, seed {self.seed}, "
                    f"correction {self.correction}, alpha {self.alpha}",
            "area_id": list(self.ids), "cluster": list(self.cluster), "z": self.values,
            "spatial_lag": self.lag,
            "p_sim": self.p_sim, "p_adjusted": self.p_adjusted,
        })
        return tidy(frame)

    def summary(self) -> str:
        return _labelled_summary("Local Moran clusters", self, self.cluster)


def _labelled_summary(title: str, result: Any, labels: Sequence[str]) -> str:
    """Text summary of a local statistic: settings, then each label's count and (for
    significant labels) up to 12 member areas."""
    what = " ".join(x for x in (result.index, result.period) if x)
    lines = [f"{title}{' — ' + what if what else ''}",
             f"{result.permutations} permutations (seed {result.seed}), correction "
             f"{result.correction}, alpha {result.alpha}"]
    for label, count in result.counts().items():
        members = [n for n, c in zip(result.names, labels, strict=True) if c == label]
        shown = ", ".join(members[:12]) + (" …" if len(members) > 12 else "")
        lines.append(f"{label}: {count}" + ("" if label == NOT_SIGNIFICANT else f" — {shown}"))
    return "\n".join(lines)


def _cluster_labels(quadrant: np.ndarray, p: np.ndarray, alpha: float) -> tuple[str, ...]:
    return tuple(CLUSTER_LABELS[int(q)] if pi < alpha else NOT_SIGNIFICANT
                 for q, pi in zip(quadrant, p, strict=True))


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise InputError(f"alpha {alpha} is outside (0, 1)", expected="e.g. 0.05")


def local_moran(
    values: pd.Series | Mapping[str, float] | Sequence[float] | np.ndarray,
    weights: AreaWeights,
    *,
    permutations: int = 999,
    seed: int | None = None,
    correction: Correction = "none",
    alpha: float = 0.05,
) -> LocalMoran:
    """Local Moran (LISA) statistics and hot/cold-spot clusters (:class:`esda.Moran_Local`
    with row-standardised weights and conditional permutation inference).

    ``correction``: ``"none"``, ``"bonferroni"`` or ``"fdr"`` (Benjamini–Hochberg) over
    the n pseudo p-values. A pseudo p-value cannot fall below 1/(P+1): with Bonferroni
    over 205 areas at α = 0.05 that needs P ≥ 4,100 permutations before anything can be
    significant.
    """
    import esda

    _check_permutations(permutations)
    _check_alpha(alpha)
    y = _aligned(values, weights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lm = esda.Moran_Local(y, weights.to_w("r"), transformation="r",
                              permutations=permutations, seed=seed, n_jobs=1)
    p = np.asarray(lm.p_sim, dtype=float) if permutations else np.full(len(y), np.nan)
    p_adj = adjust_pvalues(p, correction) if permutations else p
    lag = weights.matrix("r") @ np.asarray(lm.z, dtype=float)
    index, period = _label(values)
    return LocalMoran(
        ids=weights.ids, names=tuple(weights.names.get(i, i) for i in weights.ids),
        values=y, Is=np.asarray(lm.Is, dtype=float), lag=lag,
        quadrant=np.asarray(lm.q, dtype=int), p_sim=p, p_adjusted=p_adj,
        cluster=_cluster_labels(np.asarray(lm.q), np.nan_to_num(p_adj, nan=1.0), alpha),
        correction=correction, alpha=alpha, permutations=permutations,
        index=index, period=period, seed=seed, codes=_codes(weights),
    )


@dataclass(frozen=True)
class GetisOrd(Result):
    """Getis–Ord Gi* for every area (binary weights including the area itself).

    Gᵢ* z-score (Ord & Getis 1995):

        Zᵢ = (Σⱼ wᵢⱼ xⱼ − x̄ Σⱼ wᵢⱼ) / (S · √[(n Σⱼ wᵢⱼ² − (Σⱼ wᵢⱼ)²)/(n − 1)])

    with wᵢᵢ = 1, S² = Σ xⱼ²/n − x̄². Zᵢ > 0 with a small p-value: a hot spot (high
    values cluster around i); Zᵢ < 0: a cold spot.
    """

    ids: tuple[str, ...]
    names: tuple[str, ...]
    values: np.ndarray
    z: np.ndarray
    p_norm: np.ndarray
    p_sim: np.ndarray
    p_adjusted: np.ndarray
    spot: tuple[str, ...]
    correction: str
    alpha: float
    permutations: int
    index: str | None = None
    period: str | None = None
    seed: int | None = None
    codes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame({
            "measure": "getis_ord_gi_star_z", "area_code": list(self.codes or self.ids),
            "area_name": list(self.names), "period": self.period,
            "breakdown": "index", "group": self.index, "value": self.z,
            "n": float(len(self.ids)), "unit": "z-score",
            "note": f"{self.permutations} permutations, seed {self.seed}, "
                    f"correction {self.correction}, alpha {self.alpha}",
            "area_id": list(self.ids), "spot": list(self.spot), "p_norm": self.p_norm,
            "p_sim": self.p_sim,
            "p_adjusted": self.p_adjusted,
        })
        return tidy(frame)


    def counts(self) -> dict[str, int]:
        """Number of areas per label (hot spot, cold spot, not significant)."""
        return {str(k): int(v) for k, v in pd.Series(self.spot).value_counts().items()}

    def summary(self) -> str:
        return _labelled_summary("Getis–Ord Gi*", self, self.spot)


def getis_ord(
    values: pd.Series | Mapping[str, float] | Sequence[float] | np.ndarray,
    weights: AreaWeights,
    *,
    permutations: int = 999,
    seed: int | None = None,
    correction: Correction = "none",
    alpha: float = 0.05,
) -> GetisOrd:
    """Getis–Ord Gi* hot and cold spots (:class:`esda.G_Local`, ``star=True``, binary
    weights with wᵢᵢ = 1).

    The G ratio Σⱼ wᵢⱼ xⱼ / Σⱼ xⱼ needs positive x; SMC z-scores average zero, so the
    values are shifted to x − min(x) + 1 first. The z-score above and the permutation
    ranks are unchanged by a shift. Significance uses the permutation p-values (after
    ``correction``); without permutations, the normal p-values.
    """
    import esda

    _check_permutations(permutations)
    _check_alpha(alpha)
    y = _aligned(values, weights)
    shifted = y - y.min() + 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = esda.G_Local(shifted, weights.to_w("b"), transform="B", star=True,
                         permutations=permutations, seed=seed, n_jobs=1)
    z = np.asarray(g.Zs, dtype=float)
    p_norm = 2.0 * np.asarray(g.p_norm, dtype=float)  # esda's is one-sided: sf(|Z|)
    p = np.asarray(g.p_sim, dtype=float) if permutations else p_norm
    p_adj = adjust_pvalues(p, correction)
    spot = tuple(("hot spot" if zi > 0 else "cold spot") if pi < alpha else NOT_SIGNIFICANT
                 for zi, pi in zip(z, p_adj, strict=True))
    index, period = _label(values)
    return GetisOrd(
        ids=weights.ids, names=tuple(weights.names.get(i, i) for i in weights.ids),
        values=y, z=z, p_norm=p_norm, p_sim=p if permutations else np.full(len(y), np.nan),
        p_adjusted=p_adj, spot=spot, correction=correction, alpha=alpha,
        permutations=permutations, index=index, period=period, seed=seed,
        codes=_codes(weights),
    )
