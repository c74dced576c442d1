"""Spatial weights: which areas neighbour which.

:func:`contiguity_weights` builds queen or rook contiguity between area polygons
(invalid polygons repaired first), with a nearest-neighbour fallback for areas that touch
no other area (Northern Ireland, Orkney, Shetland, the Western Isles, Anglesey and the
Isle of Wight on the SMC's 205-area map); :func:`weights_from_neighbours` takes an
explicit neighbour list. Both return a frozen :class:`AreaWeights`, which the statistics
in :mod:`.moran` and :mod:`.getis_ord` use row-standardised or binary.

Reference: Rey, S. J. & Anselin, L. (2007). PySAL: a Python library of spatial analytical
methods.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd

from socmob.errors import InputError
from socmob.place.defaults import CONTIGUITY, ISLAND_K
from socmob.results import Result, tidy

Contiguity = Literal["queen", "rook"]

__all__ = ["AreaWeights", "Contiguity", "contiguity_weights", "weights_from_neighbours"]


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

    def __post_init__(self) -> None:
        # read-only mappings: one AreaWeights can be cached and shared safely
        for name in ("neighbours", "island_links", "names", "codes"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

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

    def links(self) -> pd.DataFrame:
        """One row per (area, neighbour) link with how it was made: ``area_id,
        area_code, area_name, neighbour_id, neighbour_name, weight, link``."""
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

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows, one per link: ``value`` is the row-standardised weight of the
        neighbour (``group``) for the area, ``note`` how the link was made; the columns
        of :meth:`links` follow."""
        links = self.links()
        return tidy(links.assign(measure="spatial weight", breakdown="neighbour",
                                 group=links["neighbour_name"], value=links["weight"],
                                 unit="row-standardised weight", note=links["link"]))

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
    kind: Contiguity = CONTIGUITY,
    id_column: str = "area_id",
    name_column: str | None = "area_name",
    code_column: str | None = "area_code",
    island_k: int = ISLAND_K,
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

