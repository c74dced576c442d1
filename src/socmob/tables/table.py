"""The mobility table: origin × destination [× layer] counts with ordered categories.

A :class:`MobilityTable` holds a three-way array of counts ``n[k, i, j]`` — layer ``k``
(survey year, sex, cohort, country …), origin class ``i`` and destination class ``j`` —
with ordered labels, top class first (index 0 is the highest class, so "upward" means a
smaller destination index than origin index). An unlayered table has one layer labelled
``"all"``.

Tables are built from

* an array (:meth:`MobilityTable.from_array`),
* a long count table with one row per cell (:meth:`MobilityTable.from_long`, and
  :func:`socmob.tables.read_long_table` for CSV/Parquet/XLSX files), or
* person-level microdata with optional survey weights
  (:meth:`MobilityTable.from_microdata`), aggregated by the engine (DuckDB or Spark
  through Ibis) so that large files never sit in pandas.

Structural zeros (cells that cannot occur, as opposed to sampling zeros) are declared
with a boolean mask; their counts must be zero. Models leave them out of the likelihood.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from socmob._text import closest, did_you_mean
from socmob.errors import InputError, ModelSpecError, NotFoundError
from socmob.results import Result

Order = Sequence[Any] | Mapping[str, Sequence[Any]] | None
"""Category order: one list for both origin and destination, or a mapping with any of
the keys ``"origin"``, ``"destination"``, ``"layer"``."""

UNLAYERED = "all"
"""Layer label of an unlayered table."""


# --------------------------------------------------------------------------- labels


def label_text(value: Any) -> str:
    """The label of a category value as text: integral floats lose their ``.0`` (codes
    read from files with missing values become floats), everything else is ``str()``."""
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return str(int(f)) if math.isfinite(f) and f.is_integer() else str(f)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value).strip()


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        missing = pd.isna(value)
    except (TypeError, ValueError):
        return False
    if isinstance(missing, (bool, np.bool_)):
        return bool(missing) or (isinstance(value, str) and value.strip() == "")
    return False


def _split_order(order: Order) -> dict[str, list[str] | None]:
    """Normalise ``order`` into per-dimension lists of label texts."""
    out: dict[str, list[str] | None] = {"origin": None, "destination": None, "layer": None}
    if order is None:
        return out
    if isinstance(order, Mapping):
        unknown = set(order) - set(out)
        if unknown:
            raise InputError(
                f"unknown key(s) in order: {', '.join(sorted(map(str, unknown)))}",
                expected="'origin', 'destination' or 'layer'",
            )
        for key, values in order.items():
            out[key] = _order_list(values, key)
        return out
    if isinstance(order, str):
        order = [part for part in order.split(",")]
    values = _order_list(order, "origin")
    out["origin"] = values
    out["destination"] = list(values)
    return out


def _order_list(values: Sequence[Any], key: str) -> list[str]:
    if isinstance(values, str):
        values = values.split(",")
    labels = [label_text(v) for v in values]
    labels = [v for v in labels if v != ""]
    if not labels:
        raise InputError(f"the {key} order is empty", expected="a list of categories")
    seen: set[str] = set()
    for lab in labels:
        if lab in seen:
            raise InputError(f"category {lab!r} appears twice in the {key} order")
        seen.add(lab)
    return labels


def _natural_key(label: str) -> tuple[int, float, str]:
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)


def _sort_key(preset: list[str] | None) -> Any:
    """Sort key for categories found in microdata: a preset order (pandas categorical)
    first, then natural order (numbers numerically)."""
    if not preset:
        return _natural_key
    rank = {lab: n for n, lab in enumerate(preset)}

    def key(lab: str) -> tuple[int, tuple[int, float, str]]:
        return (rank.get(lab, len(rank)), _natural_key(lab))

    return key


def _shared_categories(origin: list[str], destination: list[str]) -> tuple[list[str], list[str]]:
    """Origin and destination categories when no order is given.

    If the two sets overlap, both dimensions use their union (origin order first, then
    destination-only categories) so that a mobility table with a class empty on one side
    stays square; disjoint sets (e.g. education × occupation) are kept apart.
    """
    if set(origin) & set(destination):
        union = list(origin) + [d for d in destination if d not in set(origin)]
        return union, list(union)
    return list(origin), list(destination)


def _resolve_labels(
    found: dict[str, list[str]], orders: dict[str, list[str] | None]
) -> dict[str, list[str]]:
    """Final category lists: the explicit order where given; otherwise shared origin and
    destination categories when neither is ordered, the categories found when only the
    other one is."""
    o_auto, d_auto = found["origin"], found["destination"]
    if orders["origin"] is None and orders["destination"] is None:
        o_auto, d_auto = _shared_categories(found["origin"], found["destination"])
    return {
        "origin": orders["origin"] or o_auto,
        "destination": orders["destination"] or d_auto,
        "layer": orders["layer"] or found["layer"],
    }


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True, eq=False)
class MobilityTable(Result):
    """Counts of origin × destination [× layer] with ordered categories.

    Attributes
    ----------
    counts:
        float64 array of shape ``(n_layers, n_origin, n_destination)``; read-only.
    origin_labels, destination_labels:
        category labels in order, top class first.
    layer_labels:
        one label per layer; ``("all",)`` when the table is unlayered.
    structural_zeros:
        optional boolean ``(n_origin, n_destination)`` mask, ``True`` = the cell cannot
        occur (its count must be 0). ``None`` when there are none.
    origin_name, destination_name, layer_name:
        names of the variables (used in outputs).
    squared_weights:
        optional array shaped like ``counts`` holding Σw² of the survey weights in each
        cell (set by :meth:`from_microdata` with ``weight=``). It gives Kish's effective
        sample size ``(Σw)²/Σw²`` for confidence intervals of weighted rates; ``None``
        means the counts are unweighted (Σw² = Σw).

    Equality compares counts, labels, structural zeros and names.
    """

    counts: np.ndarray
    origin_labels: tuple[str, ...]
    destination_labels: tuple[str, ...]
    layer_labels: tuple[str, ...] = (UNLAYERED,)
    structural_zeros: np.ndarray | None = None
    origin_name: str = "origin"
    destination_name: str = "destination"
    layer_name: str | None = None
    squared_weights: np.ndarray | None = None

    def __post_init__(self) -> None:
        counts = np.array(self.counts, dtype=np.float64, copy=True)
        if counts.ndim == 2:
            counts = counts[np.newaxis]
        if counts.ndim != 3:
            raise InputError(
                f"counts must be a 2-D or 3-D array, got {counts.ndim} dimension(s)",
                expected="shape (n_origin, n_destination) or (n_layers, n_origin, n_destination)",
            )
        if 0 in counts.shape:
            raise InputError(f"counts must not be empty, got shape {counts.shape}")
        if not np.all(np.isfinite(counts)):
            k, i, j = np.argwhere(~np.isfinite(counts))[0]
            raise InputError(
                f"count in cell (layer {k + 1}, origin {i + 1}, destination {j + 1}) is "
                "missing or not finite",
                expected="a non-negative number",
            )
        if np.any(counts < 0):
            k, i, j = np.argwhere(counts < 0)[0]
            raise InputError(
                f"negative count {counts[k, i, j]:g} in cell (layer {k + 1}, origin {i + 1}, "
                f"destination {j + 1})",
                expected="a non-negative number",
            )
        origin = tuple(label_text(v) for v in self.origin_labels)
        destination = tuple(label_text(v) for v in self.destination_labels)
        layers = tuple(label_text(v) for v in self.layer_labels)
        for name, labels, size in (
            ("origin", origin, counts.shape[1]),
            ("destination", destination, counts.shape[2]),
            ("layer", layers, counts.shape[0]),
        ):
            if len(labels) != size:
                raise InputError(
                    f"{len(labels)} {name} label(s) for {size} {name} categor"
                    f"{'y' if size == 1 else 'ies'}",
                    expected=f"{size} {name} labels",
                )
            if len(set(labels)) != len(labels):
                dup = next(lab for lab in labels if labels.count(lab) > 1)
                raise InputError(f"{name} label {dup!r} appears more than once")
        mask: np.ndarray | None = None
        if self.structural_zeros is not None:
            mask = np.array(self.structural_zeros, dtype=bool, copy=True)
            if mask.shape != counts.shape[1:]:
                raise InputError(
                    f"structural_zeros has shape {mask.shape}",
                    expected=f"shape {counts.shape[1:]} (origin × destination)",
                )
            bad = np.argwhere(mask[np.newaxis] & (counts > 0))
            if len(bad):
                k, i, j = bad[0]
                raise InputError(
                    f"cell (origin {origin[i]!r}, destination {destination[j]!r}, layer "
                    f"{layers[k]!r}) is declared a structural zero but has count "
                    f"{counts[k, i, j]:g}",
                    expected="0 in structural-zero cells",
                )
            if not mask.any():
                mask = None
            else:
                mask.setflags(write=False)
        squared: np.ndarray | None = None
        if self.squared_weights is not None:
            squared = np.array(self.squared_weights, dtype=np.float64, copy=True)
            if squared.ndim == 2:
                squared = squared[np.newaxis]
            if squared.shape != counts.shape:
                raise InputError(
                    f"squared_weights has shape {squared.shape}",
                    expected=f"the shape of counts {counts.shape}",
                )
            if not np.all(np.isfinite(squared)) or np.any(squared < 0):
                raise InputError(
                    "squared_weights must be finite and non-negative",
                    expected="Σw² per cell",
                )
            squared.setflags(write=False)
        object.__setattr__(self, "squared_weights", squared)
        counts.setflags(write=False)
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "origin_labels", origin)
        object.__setattr__(self, "destination_labels", destination)
        object.__setattr__(self, "layer_labels", layers)
        object.__setattr__(self, "structural_zeros", mask)

    # ------------------------------------------------------------------ properties

    @property
    def n_layers(self) -> int:
        """Number of layers (1 when unlayered)."""
        return int(self.counts.shape[0])

    @property
    def n_origin(self) -> int:
        """Number of origin categories."""
        return int(self.counts.shape[1])

    @property
    def n_destination(self) -> int:
        """Number of destination categories."""
        return int(self.counts.shape[2])

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(n_layers, n_origin, n_destination)``."""
        k, r, c = self.counts.shape
        return int(k), int(r), int(c)

    @property
    def is_square(self) -> bool:
        """Whether there are as many origin as destination categories."""
        return self.n_origin == self.n_destination

    @property
    def is_layered(self) -> bool:
        """Whether the table has more than one layer."""
        return self.n_layers > 1

    @property
    def total(self) -> float:
        """Sum of all counts (N)."""
        return float(self.counts.sum())

    @property
    def layer_totals(self) -> np.ndarray:
        """Sum of counts in each layer, shape ``(n_layers,)``."""
        return np.asarray(self.counts.sum(axis=(1, 2)))

    @property
    def structural_mask(self) -> np.ndarray:
        """Boolean ``(n_origin, n_destination)`` mask of structural zeros (all ``False``
        when none are declared)."""
        if self.structural_zeros is None:
            return np.zeros(self.counts.shape[1:], dtype=bool)
        return self.structural_zeros

    @property
    def is_weighted(self) -> bool:
        """Whether the counts are sums of survey weights (``squared_weights`` known)."""
        return self.squared_weights is not None

    @property
    def effective_squared_weights(self) -> np.ndarray:
        """Σw² per cell: ``squared_weights`` when known, else the counts themselves
        (unit weights)."""
        return self.squared_weights if self.squared_weights is not None else self.counts

    def matrix(self, layer: int | str = 0) -> np.ndarray:
        """The ``(n_origin, n_destination)`` counts of one layer (by position or label)."""
        return np.asarray(self.counts[self._layer_index(layer)])

    # ------------------------------------------------------------------ derived tables

    def pooled(self) -> MobilityTable:
        """The table with its layers summed (a single layer labelled ``"all"``)."""
        if self.n_layers == 1 and self.layer_labels == (UNLAYERED,):
            return self
        squared = None
        if self.squared_weights is not None:
            squared = self.squared_weights.sum(axis=0, keepdims=True)
        return MobilityTable(
            squared_weights=squared,
            counts=self.counts.sum(axis=0, keepdims=True),
            origin_labels=self.origin_labels,
            destination_labels=self.destination_labels,
            layer_labels=(UNLAYERED,),
            structural_zeros=self.structural_zeros,
            origin_name=self.origin_name,
            destination_name=self.destination_name,
            layer_name=None,
        )

    def layer(self, label: int | str) -> MobilityTable:
        """One layer as a single-layer table (keeps its layer label)."""
        k = self._layer_index(label)
        return MobilityTable(
            squared_weights=None
            if self.squared_weights is None
            else self.squared_weights[k : k + 1],
            counts=self.counts[k : k + 1],
            origin_labels=self.origin_labels,
            destination_labels=self.destination_labels,
            layer_labels=(self.layer_labels[k],),
            structural_zeros=self.structural_zeros,
            origin_name=self.origin_name,
            destination_name=self.destination_name,
            layer_name=self.layer_name,
        )

    def layers(self) -> list[MobilityTable]:
        """Every layer as a single-layer table, in order."""
        return [self.layer(k) for k in range(self.n_layers)]

    def with_structural_zeros(self, mask: np.ndarray | None) -> MobilityTable:
        """A copy with ``mask`` declared as structural zeros."""
        return MobilityTable(
            counts=self.counts,
            squared_weights=self.squared_weights,
            origin_labels=self.origin_labels,
            destination_labels=self.destination_labels,
            layer_labels=self.layer_labels,
            structural_zeros=mask,
            origin_name=self.origin_name,
            destination_name=self.destination_name,
            layer_name=self.layer_name,
        )

    def _layer_index(self, label: int | str) -> int:
        if isinstance(label, (int, np.integer)) and not isinstance(label, bool):
            k = int(label)
            if not -self.n_layers <= k < self.n_layers:
                raise NotFoundError(f"layer position {k} out of range (0..{self.n_layers - 1})")
            return k % self.n_layers
        text = label_text(label)
        if text in self.layer_labels:
            return self.layer_labels.index(text)
        raise NotFoundError(
            f"no layer {text!r} in the table", suggestions=closest(text, self.layer_labels)
        )

    # ------------------------------------------------------------------ outputs

    def to_frame(self) -> pd.DataFrame:
        """Long frame with columns ``layer, origin, destination, count`` (plus
        ``structural_zero`` when structural zeros are declared), one row per cell."""
        k, r, c = self.shape
        frame = pd.DataFrame(
            {
                "layer": np.repeat(np.array(self.layer_labels, dtype=object), r * c),
                "origin": np.tile(np.repeat(np.array(self.origin_labels, dtype=object), c), k),
                "destination": np.tile(np.array(self.destination_labels, dtype=object), k * r),
                "count": self.counts.reshape(-1),
            }
        )
        if self.structural_zeros is not None:
            frame["structural_zero"] = np.tile(self.structural_zeros.reshape(-1), k)
        return frame

    def to_long(self) -> pd.DataFrame:
        """Long frame named after the table's variables (``origin_name``,
        ``destination_name``, ``layer_name`` — the layer column only when the table is
        layered — and ``count``), ready for :meth:`from_long` or a CSV file."""
        frame = self.to_frame().drop(columns=["structural_zero"], errors="ignore")
        if not self.is_layered and self.layer_name is None:
            frame = frame.drop(columns=["layer"])
        return frame.rename(
            columns={
                "origin": self.origin_name,
                "destination": self.destination_name,
                "layer": self.layer_name or "layer",
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description: labels, names and nested counts."""
        return {
            "result": "MobilityTable",
            "origin_name": self.origin_name,
            "destination_name": self.destination_name,
            "layer_name": self.layer_name,
            "origin_labels": list(self.origin_labels),
            "destination_labels": list(self.destination_labels),
            "layer_labels": list(self.layer_labels),
            "counts": self.counts.tolist(),
            "structural_zeros": None
            if self.structural_zeros is None
            else self.structural_zeros.tolist(),
        }

    def summary(self) -> str:
        """The counts of each layer as text."""
        lines = [
            f"MobilityTable {self.origin_name} × {self.destination_name}"
            f"{' × ' + (self.layer_name or 'layer') if self.is_layered else ''}"
            f": shape {self.shape}, N = {self.total:g}"
        ]
        for k, lab in enumerate(self.layer_labels):
            frame = pd.DataFrame(
                self.counts[k],
                index=list(self.origin_labels),
                columns=list(self.destination_labels),
            )
            if self.is_layered:
                lines.append(f"\n[{self.layer_name or 'layer'} = {lab}]")
            lines.append(frame.to_string())
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"MobilityTable(shape={self.shape}, total={self.total:g}, "
            f"origin_labels={self.origin_labels!r}, "
            f"destination_labels={self.destination_labels!r}, "
            f"layer_labels={self.layer_labels!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MobilityTable):
            return NotImplemented
        return (
            self.origin_labels == other.origin_labels
            and self.destination_labels == other.destination_labels
            and self.layer_labels == other.layer_labels
            and self.origin_name == other.origin_name
            and self.destination_name == other.destination_name
            and self.layer_name == other.layer_name
            and np.array_equal(self.counts, other.counts)
            and np.array_equal(self.structural_mask, other.structural_mask)
            and np.array_equal(self.effective_squared_weights, other.effective_squared_weights)
        )

    __hash__ = None  # type: ignore[assignment]

    # ------------------------------------------------------------------ constructors

    @classmethod
    def from_array(
        cls,
        counts: Any,
        *,
        origin_labels: Sequence[Any] | None = None,
        destination_labels: Sequence[Any] | None = None,
        layer_labels: Sequence[Any] | None = None,
        structural_zeros: np.ndarray | None = None,
        origin_name: str = "origin",
        destination_name: str = "destination",
        layer_name: str | None = None,
    ) -> MobilityTable:
        """Build a table from a 2-D ``(origin, destination)`` or 3-D ``(layer, origin,
        destination)`` array of counts.

        Missing labels default to ``"1", "2", …`` (destination labels default to the
        origin labels when the table is square); layers default to ``("all",)`` for a
        2-D array and ``"1", "2", …`` for a 3-D one.
        """
        try:
            arr = np.asarray(counts, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError(
                f"counts are not numeric ({exc})", expected="an array of non-negative numbers"
            ) from None
        if arr.ndim == 2:
            arr = arr[np.newaxis]
            default_layers: tuple[str, ...] = (UNLAYERED,)
        elif arr.ndim == 3:
            default_layers = tuple(str(k + 1) for k in range(arr.shape[0]))
        else:
            raise InputError(
                f"counts must be a 2-D or 3-D array, got {arr.ndim} dimension(s)",
                expected="shape (n_origin, n_destination) or (n_layers, n_origin, n_destination)",
            )
        if origin_labels is None:
            origin_labels = [str(i + 1) for i in range(arr.shape[1])]
        if destination_labels is None:
            if arr.shape[1] == arr.shape[2]:
                destination_labels = list(origin_labels)
            else:
                destination_labels = [str(j + 1) for j in range(arr.shape[2])]
        return cls(
            counts=arr,
            origin_labels=tuple(origin_labels),
            destination_labels=tuple(destination_labels),
            layer_labels=tuple(layer_labels) if layer_labels is not None else default_layers,
            structural_zeros=structural_zeros,
            origin_name=origin_name,
            destination_name=destination_name,
            layer_name=layer_name,
        )

    @classmethod
    def from_long(
        cls,
        frame: pd.DataFrame,
        *,
        origin: str = "origin",
        destination: str = "destination",
        count: str = "count",
        layer: str | None = None,
        order: Order = None,
        structural_zeros: np.ndarray | None = None,
        structural_zero: str | None = None,
        source: str | None = None,
    ) -> MobilityTable:
        """Build a table from a long frame with one row per cell.

        Categories appear in the order of first appearance in the frame unless ``order``
        gives them (one list for origin and destination, or a mapping with keys
        ``"origin"``, ``"destination"``, ``"layer"``). Cells absent from the frame are
        zero. Without an explicit order, every layer must mention the same categories.

        Structural zeros are declared either as a mask (``structural_zeros``) or by a
        flag column (``structural_zero``: true/false, 1/0, yes/no; blank = false) whose
        flagged cells must have count 0 and be flagged in every layer that lists them.

        ``source`` names the file for error messages; rows are reported as in a
        spreadsheet (header = row 1, first data row = row 2).

        Raises
        ------
        InputError
            missing column, missing label, non-numeric or negative count, duplicate cell,
            category not in ``order`` (or an ``order`` entry that never occurs),
            inconsistent categories across layers.
        """
        return _from_long(
            frame,
            origin=origin,
            destination=destination,
            count=count,
            layer=layer,
            order=order,
            structural_zeros=structural_zeros,
            structural_zero=structural_zero,
            source=source,
        )

    @classmethod
    def from_microdata(
        cls,
        data: Any,
        *,
        origin: str,
        destination: str,
        weight: str | None = None,
        layer: str | None = None,
        order: Order = None,
        structural_zeros: np.ndarray | None = None,
    ) -> MobilityTable:
        """Cross-tabulate person-level data (a pandas DataFrame or an Ibis table).

        The aggregation ``GROUP BY layer, origin, destination`` with ``COUNT(*)`` (or
        ``SUM(weight)``) runs in the engine: a pandas frame is registered in an in-memory
        DuckDB (:func:`socmob.engine.connect`), an Ibis table is aggregated on its own
        backend (DuckDB, Spark, …), so only the small table of cells comes back.

        Rows with a missing origin, destination or layer are left out (as
        :func:`pandas.crosstab` does). Weights must be non-negative and present.
        Categories follow ``order`` (ordered categories that never occur give zero rows
        and columns) or, without one, the categories of a pandas categorical column or
        their natural sort order (numbers numerically); overlapping origin and
        destination categories share one order.
        """
        from socmob.tables._aggregate import aggregate_cells

        cells, category_order = aggregate_cells(
            data, origin=origin, destination=destination, weight=weight, layer=layer
        )
        return _from_cells(
            cells,
            category_order=category_order,
            order=order,
            structural_zeros=structural_zeros,
            origin_name=origin,
            destination_name=destination,
            layer_name=layer,
        )


def require_square(table: MobilityTable, *, what: str = "this model") -> MobilityTable:
    """Return ``table`` if it is square, else raise :class:`~socmob.errors.ModelSpecError`.

    Models with diagonal or symmetry terms (quasi-independence, symmetry, …) need as many
    origin as destination categories, in the same order.
    """
    if not table.is_square:
        raise ModelSpecError(
            f"{what} needs a square table (as many origin as destination categories); "
            f"got {table.n_origin} origin × {table.n_destination} destination categories"
        )
    return table


# --------------------------------------------------------------------------- builders


def _from_cells(
    cells: pd.DataFrame,
    *,
    order: Order,
    structural_zeros: np.ndarray | None,
    origin_name: str,
    destination_name: str,
    layer_name: str | None,
    category_order: dict[str, list[str]] | None = None,
) -> MobilityTable:
    """Table from aggregated cells (columns ``layer, origin, destination, count``, labels
    already text, no duplicates); categories in natural sort order unless ordered."""
    column_of = {
        "origin": origin_name,
        "destination": destination_name,
        "layer": layer_name or "layer",
    }
    orders = _split_order(order)
    preset = category_order or {}
    found: dict[str, list[str]] = {}
    sort_keys: dict[str, Any] = {}
    for key in ("origin", "destination", "layer"):
        present = pd.unique(cells[key]).tolist()
        sort_keys[key] = _sort_key(preset.get(key))
        found[key] = sorted(present, key=sort_keys[key])
    labels = _resolve_labels(found, orders)
    if orders["origin"] is None and orders["destination"] is None:
        labels["origin"] = sorted(labels["origin"], key=sort_keys["origin"])
        labels["destination"] = sorted(labels["destination"], key=sort_keys["destination"])
    for key in ("origin", "destination", "layer"):
        _check_order(
            labels[key],
            found[key],
            key,
            column=column_of[key],
            source=None,
            explicit=orders[key] is not None,
            rows=None,
            allow_absent=True,
        )
    return _fill(cells, labels, structural_zeros, origin_name, destination_name, layer_name)


def _fill(
    cells: pd.DataFrame,
    labels: dict[str, list[str]],
    structural_zeros: np.ndarray | None,
    origin_name: str,
    destination_name: str,
    layer_name: str | None,
) -> MobilityTable:
    index = {key: {lab: n for n, lab in enumerate(labels[key])} for key in labels}
    counts = np.zeros((len(labels["layer"]), len(labels["origin"]), len(labels["destination"])))
    k = cells["layer"].map(index["layer"]).to_numpy(dtype=np.int64)
    i = cells["origin"].map(index["origin"]).to_numpy(dtype=np.int64)
    j = cells["destination"].map(index["destination"]).to_numpy(dtype=np.int64)
    np.add.at(counts, (k, i, j), cells["count"].to_numpy(dtype=np.float64))
    squared = None
    if "count_sq" in cells.columns:
        squared = np.zeros_like(counts)
        np.add.at(squared, (k, i, j), cells["count_sq"].to_numpy(dtype=np.float64))
    return MobilityTable(
        squared_weights=squared,
        counts=counts,
        origin_labels=tuple(labels["origin"]),
        destination_labels=tuple(labels["destination"]),
        layer_labels=tuple(labels["layer"]),
        structural_zeros=structural_zeros,
        origin_name=origin_name,
        destination_name=destination_name,
        layer_name=layer_name,
    )


def _check_order(
    ordered: list[str],
    found: list[str],
    key: str,
    *,
    column: str,
    source: str | None,
    explicit: bool,
    rows: pd.Series | None,
    allow_absent: bool = False,
) -> None:
    """Every category found must be in the order, and every ordered category must occur
    somewhere (in a long table an order entry that never occurs is almost always a typo;
    for microdata, ``allow_absent`` lets an ordered class be empty)."""
    if not explicit:
        return
    present = set(found)
    for lab in [] if allow_absent else ordered:
        if lab not in present:
            raise InputError(
                f"unknown category {lab!r} in the {key} order: it does not occur in the data"
                + did_you_mean(lab, found),
                file=source,
                column=column,
                expected="categories from " + ", ".join(repr(v) for v in found),
            )

    allowed = set(ordered)
    for lab in found:
        if lab not in allowed:
            row = None
            if rows is not None:
                row = int(rows[lab])
            raise InputError(
                f"category {lab!r} is not in the given {key} order",
                file=source,
                row=row,
                column=column,
                expected="one of " + ", ".join(repr(v) for v in ordered),
            )


def _from_long(
    frame: pd.DataFrame,
    *,
    origin: str,
    destination: str,
    count: str,
    layer: str | None,
    order: Order,
    structural_zeros: np.ndarray | None,
    source: str | None,
    structural_zero: str | None = None,
) -> MobilityTable:
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"expected a pandas DataFrame, got {type(frame).__name__}", file=source)
    columns = [origin, destination, count] + ([layer] if layer is not None else [])
    if structural_zero is not None:
        columns.append(structural_zero)
    for col in columns:
        if col not in frame.columns:
            raise InputError(
                f"missing column {col!r}"
                + did_you_mean(str(col), [str(c) for c in frame.columns]),
                file=source,
                column=col,
                expected="columns " + ", ".join(repr(str(c)) for c in columns),
            )
    if len(frame) == 0:
        raise InputError("the table has no rows", file=source, expected="one row per cell")
    row_numbers = np.arange(len(frame)) + 2  # header is spreadsheet row 1

    def labels_of(col: str) -> pd.Series:
        values = frame[col].tolist()
        out = []
        for n, value in enumerate(values):
            if _is_missing(value):
                raise InputError(
                    "missing category label",
                    file=source,
                    row=int(row_numbers[n]),
                    column=col,
                    expected="a category label",
                )
            out.append(label_text(value))
        return pd.Series(out, dtype=object)

    o = labels_of(origin)
    d = labels_of(destination)
    g = labels_of(layer) if layer is not None else pd.Series([UNLAYERED] * len(frame), dtype=object)

    raw = frame[count]
    numeric = pd.to_numeric(raw, errors="coerce").astype("float64").to_numpy()
    bad = np.flatnonzero(~np.isfinite(numeric))
    if len(bad):
        n = bad[0]
        value = raw.iloc[n]
        what = "missing count" if _is_missing(value) else f"count {value!r} is not a number"
        raise InputError(
            what,
            file=source,
            row=int(row_numbers[n]),
            column=count,
            expected="a non-negative number",
        )
    negative = np.flatnonzero(numeric < 0)
    if len(negative):
        n = negative[0]
        raise InputError(
            f"negative count {numeric[n]:g}",
            file=source,
            row=int(row_numbers[n]),
            column=count,
            expected="a non-negative number",
        )

    cells = pd.DataFrame({"layer": g, "origin": o, "destination": d, "count": numeric})
    dup = cells.duplicated(subset=["layer", "origin", "destination"], keep="first").to_numpy()
    if dup.any():
        n = int(np.flatnonzero(dup)[0])
        first = int(
            np.flatnonzero(
                (cells["layer"] == cells["layer"].iloc[n]).to_numpy()
                & (cells["origin"] == cells["origin"].iloc[n]).to_numpy()
                & (cells["destination"] == cells["destination"].iloc[n]).to_numpy()
            )[0]
        )
        where = f"origin {o.iloc[n]!r}, destination {d.iloc[n]!r}"
        if layer is not None:
            where += f", layer {g.iloc[n]!r}"
        raise InputError(
            f"duplicate cell ({where}); first given in row {row_numbers[first]}",
            file=source,
            row=int(row_numbers[n]),
            expected="one row per origin × destination" + (" × layer" if layer else "") + " cell",
        )

    found = {
        "origin": pd.unique(o).tolist(),
        "destination": pd.unique(d).tolist(),
        "layer": pd.unique(g).tolist(),
    }
    first_rows = {
        key: pd.Series(row_numbers, dtype=np.int64).groupby(series.to_numpy()).min()
        for key, series in (("origin", o), ("destination", d), ("layer", g))
    }
    column_of = {"origin": origin, "destination": destination, "layer": layer or "layer"}
    orders = _split_order(order)
    labels = _resolve_labels(found, orders)
    for key in ("origin", "destination", "layer"):
        _check_order(
            labels[key],
            found[key],
            key,
            column=column_of[key],
            source=source,
            explicit=orders[key] is not None,
            rows=first_rows[key],
        )

    if layer is not None and len(found["layer"]) > 1:
        for key, series in (("origin", o), ("destination", d)):
            if orders[key] is not None:
                continue
            everywhere = set(series)
            for lab in found["layer"]:
                here = set(series[(g == lab).to_numpy()])
                missing = [c for c in labels[key] if c in everywhere and c not in here]
                if missing:
                    listed = ", ".join(repr(m) for m in missing)
                    raise InputError(
                        f"{key} categories never seen in layer {lab!r} but present in other "
                        f"layers: {listed}; labels are inconsistent "
                        "across layers (give an explicit order to treat the absent cells as zero)",
                        file=source,
                        column=column_of[key],
                        expected="the same categories in every layer",
                    )
    if structural_zero is not None:
        if structural_zeros is not None:
            raise InputError(
                "structural zeros given twice (a mask and a flag column)",
                column=structural_zero,
                expected="one of structural_zeros= or structural_zero=",
            )
        structural_zeros = _flag_mask(
            frame[structural_zero], o, d, numeric, labels, row_numbers, structural_zero, source
        )
    return _fill(cells, labels, structural_zeros, origin, destination, layer)


_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0", ""}


def _flag_mask(
    flags: pd.Series,
    o: pd.Series,
    d: pd.Series,
    counts: np.ndarray,
    labels: dict[str, list[str]],
    row_numbers: np.ndarray,
    column: str,
    source: str | None,
) -> np.ndarray:
    """Origin × destination mask from a per-row structural-zero flag column."""
    oi = {lab: n for n, lab in enumerate(labels["origin"])}
    di = {lab: n for n, lab in enumerate(labels["destination"])}
    state = np.full((len(oi), len(di)), -1, dtype=np.int8)  # -1 = not listed yet
    for n, raw in enumerate(flags.tolist()):
        text = "" if _is_missing(raw) else label_text(raw).lower()
        if text not in _TRUE and text not in _FALSE:
            raise InputError(
                f"structural-zero flag {raw!r} is not true or false",
                file=source,
                row=int(row_numbers[n]),
                column=column,
                expected="true/false, 1/0, yes/no or blank",
            )
        flag = int(text in _TRUE)
        if flag and counts[n] > 0:
            raise InputError(
                f"cell flagged as a structural zero has count {counts[n]:g}",
                file=source,
                row=int(row_numbers[n]),
                column=column,
                expected="count 0 in structural-zero cells",
            )
        i, j = oi[o.iloc[n]], di[d.iloc[n]]
        if state[i, j] not in (-1, flag):
            raise InputError(
                f"cell (origin {o.iloc[n]!r}, destination {d.iloc[n]!r}) is a structural zero "
                "in some layers but not in others",
                file=source,
                row=int(row_numbers[n]),
                column=column,
                expected="the same flag in every layer",
            )
        state[i, j] = flag
    return state == 1


__all__ = ["UNLAYERED", "MobilityTable", "Order", "label_text", "require_square"]
