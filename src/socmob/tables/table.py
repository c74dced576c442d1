"""The mobility table: origin × destination [× layer] counts with ordered categories.

A :class:`MobilityTable` holds a three-way array of counts ``n[k, i, j]`` — layer ``k``
(survey year, sex, cohort, country …), origin class ``i`` (the rows) and destination
class ``j`` (the columns) — with ordered labels, top class first (index 0 is the highest
class, so "upward" means a smaller destination index than origin index). An unlayered
table has one layer labelled ``"all"``.

Rows and columns have their own categories: a table is *square* (a mobility table, with
a diagonal of people in their parents' class) only when its origin and destination
labels are the same classes in the same order. Builders square a table only when asked
(``square=True``, or one ``order`` for both axes); see :mod:`socmob.tables._build`.

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

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from socmob._text import closest
from socmob.checks import MAX_MAGNITUDE, no_overflow, not_degenerate
from socmob.errors import InputError, ModelSpecError, NotFoundError
from socmob.results import Result, tidy
from socmob.tables._aggregate import aggregate_cells
from socmob.tables._build import TableParts, parts_from_cells, parts_from_long
from socmob.tables._labels import UNLAYERED, Order, axis_orders, label_text

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
        _check_counts(counts, origin, destination, layers)
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
            if np.any(np.isinf(squared)):
                raise InputError(
                    "the sum of squared weights overflows: the weights are too large",
                    expected="weights whose squares a double can hold when summed",
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
    def row_labels(self) -> tuple[str, ...]:
        """The row (origin) categories in order (:attr:`origin_labels`)."""
        return self.origin_labels

    @property
    def col_labels(self) -> tuple[str, ...]:
        """The column (destination) categories in order (:attr:`destination_labels`)."""
        return self.destination_labels

    @property
    def is_square(self) -> bool:
        """Whether origin and destination are the same classes in the same order (so the
        table has a diagonal of immobile cases). A 4×4 table of eye colour by hair colour
        is not square in this sense; :meth:`squared` makes one that is."""
        return self.origin_labels == self.destination_labels

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
        return dataclasses.replace(self, structural_zeros=mask)

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
        """Tidy rows, one per cell: ``value`` the (weighted) count, ``group`` the layer;
        the long form of :meth:`cells` follows (``layer, origin, destination, count``,
        and ``structural_zero`` when structural zeros are declared), so the frame reads
        back with :meth:`from_long`."""
        cells = self.cells()
        return tidy(cells.assign(
            measure="count", breakdown=self.layer_name or "layer", group=cells["layer"],
            value=cells["count"], unit="weighted count" if self.is_weighted else "count",
            note=f"{self.origin_name} → {self.destination_name}"))

    def cells(self) -> pd.DataFrame:
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
        frame = self.cells().drop(columns=["structural_zero"], errors="ignore")
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

        Rows and columns are labelled by position, each axis on its own. Missing labels
        default to ``"1", "2", …``; with as many rows as columns and no
        ``destination_labels``, the columns take the origin labels (the same classes: a
        square mobility table) — give ``destination_labels`` when the columns are other
        categories. Layers default to ``("all",)`` for a 2-D array and ``"1", "2", …``
        for a 3-D one.

        Raises
        ------
        InputError
            non-numeric, missing, infinite, too large (over 1e150) or negative counts
            (naming the cell), a table or layer whose counts are all zero, labels that do
            not match the shape or repeat.
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
        row_order: Sequence[Any] | str | None = None,
        col_order: Sequence[Any] | str | None = None,
        layer_order: Sequence[Any] | str | None = None,
        square: bool = False,
        structural_zeros: np.ndarray | None = None,
        structural_zero: str | None = None,
        source: str | None = None,
    ) -> MobilityTable:
        """Build a table from a long frame with one row per cell.

        Origin (rows) and destination (columns) keep their own categories, each in the
        order of first appearance in the frame unless ordered: ``row_order``,
        ``col_order``, ``layer_order`` order one axis each. The table is squared — origin
        and destination made the same classes, a class missing on one side becoming a
        row or column of zeros — only when declared the same classes: ``square=True``
        (categories in order of first appearance, origins first) or ``order``, one list
        for both axes. A table whose two sides already have the same categories is
        square as it is (its columns follow the row order). Different but overlapping
        categories (education × occupation both having "Other") stay apart. ``order``
        may also be a mapping with keys ``"origin"``, ``"destination"``, ``"layer"`` (the
        older spelling of the three per-axis orders). Cells absent from the frame are
        zero. Without an explicit order, every layer must mention the same categories.

        Structural zeros are declared either as a mask (``structural_zeros``) or by a
        flag column (``structural_zero``: true/false, 1/0, yes/no; blank = false) whose
        flagged cells must have count 0 and be flagged in every layer that lists them.

        ``source`` names the file for error messages; rows are reported as in a
        spreadsheet (header = row 1, first data row = row 2).

        Raises
        ------
        InputError
            missing column, missing label, non-numeric, infinite, too large or negative
            count, duplicate cell, category not in its order (or an order entry that
            never occurs), inconsistent categories across layers, no cases at all.
        """
        orders = axis_orders(order, row_order=row_order, col_order=col_order,
                             layer_order=layer_order, square=square)
        parts = parts_from_long(
            frame,
            origin=origin,
            destination=destination,
            count=count,
            layer=layer,
            orders=orders,
            structural_zeros=structural_zeros,
            structural_zero=structural_zero,
            source=source,
        )
        return cls._from_parts(parts)

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
        row_order: Sequence[Any] | str | None = None,
        col_order: Sequence[Any] | str | None = None,
        layer_order: Sequence[Any] | str | None = None,
        square: bool = False,
        structural_zeros: np.ndarray | None = None,
    ) -> MobilityTable:
        """Cross-tabulate person-level data (a pandas DataFrame or an Ibis table).

        The aggregation ``GROUP BY layer, origin, destination`` with ``COUNT(*)`` (or
        ``SUM(weight)``) runs in the engine: a pandas frame is registered in an in-memory
        DuckDB (:func:`socmob.engine.connect`), an Ibis table is aggregated on its own
        backend (DuckDB, Spark, …), so only the small table of cells comes back.

        Rows with a missing origin, destination or layer are left out (as
        :func:`pandas.crosstab` does). Weights must be non-negative and present.
        Categories follow ``row_order``/``col_order``/``layer_order`` (ordered categories
        that never occur give zero rows and columns) or, without one, the categories of
        a pandas categorical column or their natural sort order (numbers numerically).
        Origin and destination are squared (made the same classes) only when declared
        the same: ``square=True``, one ``order`` list for both, or categorical columns
        with the same categories; see :meth:`from_long`.
        """
        orders = axis_orders(order, row_order=row_order, col_order=col_order,
                             layer_order=layer_order, square=square)
        cells, category_order = aggregate_cells(
            data, origin=origin, destination=destination, weight=weight, layer=layer
        )
        parts = parts_from_cells(
            cells,
            category_order=category_order,
            orders=orders,
            structural_zeros=structural_zeros,
            origin_name=origin,
            destination_name=destination,
            layer_name=layer,
        )
        return cls._from_parts(parts)

    @classmethod
    def _from_parts(cls, parts: TableParts) -> MobilityTable:
        return cls(**parts.kwargs())

    def squared(self) -> MobilityTable:
        """The table with origin and destination made the same classes: the origin
        categories in order, then destination-only ones; a class missing on one side
        becomes a row or column of zeros (and of structural-zero flags ``False``). Use it
        when the two sides are declared the same classes, as in a mobility table."""
        if self.is_square:
            return self
        labels = list(self.origin_labels) + [
            d for d in self.destination_labels if d not in set(self.origin_labels)
        ]
        at = {lab: n for n, lab in enumerate(labels)}
        rows = [at[o] for o in self.origin_labels]
        cols = [at[d] for d in self.destination_labels]
        size = len(labels)

        def spread(arr: np.ndarray) -> np.ndarray:
            out = np.zeros((arr.shape[0], size, size), dtype=arr.dtype)
            out[np.ix_(range(arr.shape[0]), rows, cols)] = arr
            return out

        mask = None
        if self.structural_zeros is not None:
            mask = spread(self.structural_zeros[np.newaxis])[0]
        return MobilityTable(
            counts=spread(self.counts),
            origin_labels=tuple(labels),
            destination_labels=tuple(labels),
            layer_labels=self.layer_labels,
            structural_zeros=mask,
            origin_name=self.origin_name,
            destination_name=self.destination_name,
            layer_name=self.layer_name,
            squared_weights=None if self.squared_weights is None
            else spread(self.squared_weights),
        )


def require_square(table: MobilityTable, *, what: str = "this model") -> MobilityTable:
    """Return ``table`` if it is square, else raise :class:`~socmob.errors.ModelSpecError`.

    Measures and models with a diagonal (absolute rates, quasi-independence, symmetry, …)
    need the same origin and destination classes in the same order.
    """
    if not table.is_square:
        raise ModelSpecError(
            f"{what} needs a square table: "
            f"{square_problem(table.origin_labels, table.destination_labels)}"
        )
    return table


def square_problem(rows: Sequence[str], cols: Sequence[str]) -> str:
    """Why a table with origin categories ``rows`` and destination categories ``cols``
    is not square, in words (and how to square it)."""
    rows, cols = tuple(rows), tuple(cols)
    if set(rows) == set(cols):
        return ("origin and destination have the same classes in different orders "
                "(give one order for both)")
    shared = [r for r in rows if r in set(cols)]
    what = (f"{len(rows)} origin × {len(cols)} destination categories"
            + (f", sharing only {', '.join(repr(s) for s in shared[:4])}"
               + ("…" if len(shared) > 4 else "") if shared else ", none shared"))
    return (f"the table has {what}; if origin and destination are the same classes, "
            "declare it (square=True, --square, or one --order for both)")


def _check_counts(
    counts: np.ndarray,
    origin: tuple[str, ...],
    destination: tuple[str, ...],
    layers: tuple[str, ...],
) -> None:
    """Counts must be finite, at most ``MAX_MAGNITUDE``, non-negative, and not all zero
    in the table or in any layer (nothing to estimate); errors name the cell."""

    def cell(k: int, i: int, j: int) -> str:
        where = f"origin {origin[i]!r}, destination {destination[j]!r}"
        if layers != (UNLAYERED,):
            where = f"layer {layers[k]!r}, " + where
        return f"cell ({where})"

    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(counts) | (np.abs(counts) > MAX_MAGNITUDE)
    if bad.any():
        k, i, j = (int(v) for v in np.argwhere(bad)[0])
        value = counts[k, i, j]
        what = ("is missing or not finite" if not np.isfinite(value)
                else f"is too large ({value:g} > {MAX_MAGNITUDE:g})")
        raise InputError(f"count in {cell(k, i, j)} {what}", expected="a non-negative number")
    if np.any(counts < 0):
        k, i, j = (int(v) for v in np.argwhere(counts < 0)[0])
        raise InputError(f"negative count {counts[k, i, j]:g} in {cell(k, i, j)}",
                         expected="a non-negative number")
    with no_overflow("the total of the counts"):
        totals = counts.sum(axis=(1, 2))
        total = float(totals.sum())
    not_degenerate(total, what="the table", reason="every count is zero (no cases)")
    empty = np.flatnonzero(totals == 0)
    if len(empty):
        raise InputError(
            f"layer {layers[int(empty[0])]!r} has no cases: every count in it is zero",
            expected="at least one case in every layer (leave empty layers out)",
        )


__all__ = ["UNLAYERED", "MobilityTable", "Order", "label_text", "require_square",
           "square_problem"]
