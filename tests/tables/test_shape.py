"""Rows and columns keep their own categories; a table is squared only when asked.

The non-square example is the Caithness table of eye colour × hair colour (Tocher 1908;
R's ``MASS::caith``): 4 eye colours and 5 hair colours sharing the labels "medium" and
"dark". Merging the two sets by label would give a 7×7 table with empty rows and columns.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from socmob.errors import InputError, ModelSpecError
from socmob.tables import MobilityTable, read_long_table, require_square

EYE = ["blue", "light", "medium", "dark"]
HAIR = ["fair", "red", "medium", "dark", "black"]
CAITH = np.array(
    [
        [326, 38, 241, 110, 3],
        [688, 116, 584, 188, 4],
        [343, 84, 909, 412, 26],
        [98, 48, 403, 681, 85],
    ],
    dtype=float,
)


def caith_long() -> pd.DataFrame:
    i, j = np.indices(CAITH.shape)
    return pd.DataFrame(
        {
            "eye": np.asarray(EYE)[i.ravel()],
            "hair": np.asarray(HAIR)[j.ravel()],
            "n": CAITH.ravel(),
        }
    )


def test_overlapping_labels_are_not_merged() -> None:
    t = MobilityTable.from_long(caith_long(), origin="eye", destination="hair", count="n")
    assert t.shape == (1, 4, 5)
    assert t.row_labels == tuple(EYE) and t.col_labels == tuple(HAIR)
    assert not t.is_square
    np.testing.assert_array_equal(t.counts[0], CAITH)
    with pytest.raises(ModelSpecError, match=r"sharing only 'medium', 'dark'.*--square"):
        require_square(t)


def test_square_only_when_asked() -> None:
    frame = caith_long()
    t = MobilityTable.from_long(frame, origin="eye", destination="hair", count="n", square=True)
    union = ("blue", "light", "medium", "dark", "fair", "red", "black")
    assert t.origin_labels == t.destination_labels == union and t.is_square
    # the eye colours' counts sit in rows 0-3; "medium" and "dark" hair share columns 2, 3
    np.testing.assert_array_equal(t.counts[0][:4, [4, 5, 2, 3, 6]], CAITH)
    assert t.counts[0][4:].sum() == 0 and t.total == CAITH.sum()
    # squaring afterwards gives the same table
    kept = MobilityTable.from_long(frame, origin="eye", destination="hair", count="n")
    assert kept.squared() == t
    # one order for both axes declares the same classes too
    both = MobilityTable.from_long(frame, origin="eye", destination="hair", count="n",
                                   order=list(union))
    assert both == t


def test_row_and_column_orders() -> None:
    t = MobilityTable.from_long(
        caith_long(), origin="eye", destination="hair", count="n",
        row_order=EYE[::-1], col_order="black,dark,medium,red,fair",
    )  # fmt: skip
    assert t.row_labels == tuple(EYE[::-1]) and t.col_labels == tuple(HAIR[::-1])
    np.testing.assert_array_equal(t.counts[0], CAITH[::-1, ::-1])
    with pytest.raises(InputError, match=r"row 4, column 'hair': category 'medium' is not in"):
        MobilityTable.from_long(caith_long(), origin="eye", destination="hair", count="n",
                                col_order=["fair", "red", "dark", "black"], source="c.csv")
    with pytest.raises(InputError, match="both given"):
        MobilityTable.from_long(caith_long(), origin="eye", destination="hair", count="n",
                                order=EYE, row_order=EYE)
    with pytest.raises(InputError, match="one order for origin and destination"):
        MobilityTable.from_long(caith_long(), origin="eye", destination="hair", count="n",
                                square=True, row_order=[*EYE, "fair"], col_order=HAIR)


def test_same_categories_line_up_on_the_diagonal() -> None:
    # both sides have classes a, b, c, first seen in different orders: the table is square
    # as it stands and its columns follow the row order
    frame = pd.DataFrame({"origin": ["b", "a", "c", "a"], "destination": ["c", "a", "b", "b"],
                          "count": [1, 2, 3, 4]})
    t = MobilityTable.from_long(frame)
    assert t.origin_labels == t.destination_labels == ("b", "a", "c")
    assert t.is_square
    np.testing.assert_array_equal(t.counts[0], [[0, 0, 1], [4, 2, 0], [3, 0, 0]])
    # a class missing on one side: two different sets, so not square unless declared
    frame2 = pd.DataFrame({"origin": ["a", "b", "c"], "destination": ["a", "b", "b"],
                           "count": [1, 2, 3]})
    assert MobilityTable.from_long(frame2).shape == (1, 3, 2)
    t2 = MobilityTable.from_long(frame2, square=True)
    assert t2.shape == (1, 3, 3) and t2.is_square
    np.testing.assert_array_equal(t2.counts[0], [[1, 0, 0], [0, 2, 0], [0, 3, 0]])


def _caith_micro() -> pd.DataFrame:
    eye, hair = np.indices(CAITH.shape)
    reps = CAITH.astype(int).ravel()
    return pd.DataFrame({"eye": np.repeat(np.asarray(EYE)[eye.ravel()], reps),
                         "hair": np.repeat(np.asarray(HAIR)[hair.ravel()], reps)})


def test_microdata_keeps_its_shape() -> None:
    micro = _caith_micro()
    t = MobilityTable.from_microdata(micro, origin="eye", destination="hair")
    assert t.row_labels == tuple(sorted(EYE)) and t.col_labels == tuple(sorted(HAIR))
    t = MobilityTable.from_microdata(micro, origin="eye", destination="hair", row_order=EYE,
                                     col_order=HAIR)
    np.testing.assert_array_equal(t.counts[0], CAITH)
    sq = MobilityTable.from_microdata(micro, origin="eye", destination="hair", square=True)
    assert sq.is_square and sq.n_origin == 7
    # categoricals with the same categories on both sides declare the same classes
    classes = ["hi", "mid", "lo"]
    frame = pd.DataFrame({"o": pd.Categorical(["hi", "lo", "lo"], categories=classes),
                          "d": pd.Categorical(["mid", "mid", "lo"], categories=classes)})
    cat = MobilityTable.from_microdata(frame, origin="o", destination="d")
    assert cat.origin_labels == cat.destination_labels == ("hi", "mid", "lo")
    np.testing.assert_array_equal(cat.counts[0], [[0, 1, 0], [0, 0, 0], [0, 1, 1]])


def test_read_long_table_orders(tmp_path) -> None:
    path = tmp_path / "caith.csv"
    caith_long().to_csv(path, index=False)
    t = read_long_table(path, origin="eye", destination="hair", count="n", row_order=EYE,
                        col_order=HAIR)
    np.testing.assert_array_equal(t.counts[0], CAITH)
    assert read_long_table(path, origin="eye", destination="hair", count="n",
                           square=True).shape == (1, 7, 7)


# --------------------------------------------------------------------- degenerate input


@pytest.mark.parametrize(
    ("counts", "match"),
    [
        (["0", "0", "0", "0"], r"the table cannot be analysed: every count is zero"),
        (["1", "1e308", "0", "2"], r"row 3, column 'count': count '1e308' is too large"),
        (["1", "inf", "0", "2"], r"row 3, column 'count': count 'inf' is not a finite"),
        (["1", "-1", "0", "2"], r"row 3, column 'count': negative count -1"),
    ],
)
def test_degenerate_long_tables(counts: list[str], match: str) -> None:
    frame = pd.DataFrame({"origin": ["a", "a", "b", "b"], "destination": ["a", "b", "a", "b"],
                          "count": counts})
    with pytest.raises(InputError, match=match):
        MobilityTable.from_long(frame, source="t.csv")


def test_degenerate_arrays_and_layers() -> None:
    with pytest.raises(InputError, match="every count is zero"):
        MobilityTable.from_array(np.zeros((3, 3)))
    with pytest.raises(InputError, match=r"layer 'y' has no cases"):
        MobilityTable.from_array([[[1, 2], [3, 4]], [[0, 0], [0, 0]]], layer_labels=["x", "y"])
    with pytest.raises(InputError, match=r"cell \(origin 'b', destination 'a'\) is too large"):
        MobilityTable.from_array([[1, 2], [1e200, 4]], origin_labels=["a", "b"])
    with pytest.raises(InputError, match="every count is zero"):
        MobilityTable.from_microdata(pd.DataFrame({"o": [1, 2], "d": [1, 2], "w": [0.0, 0.0]}),
                                     origin="o", destination="d", weight="w")


@pytest.mark.parametrize(
    ("w", "match"),
    [
        ([1.0, 1e200, 1.0], r"column 'w': a weight above 1e\+150 among the rows of cell "
                            r"\(origin '2', destination '2'\)"),
        ([1.0, np.nan, 1.0], r"a missing weight among the rows of cell \(origin '2'"),
        ([1.0, np.inf, 1.0], r"an infinite weight among the rows of cell \(origin '2'"),
        ([1.0, 2.0, -1.0], r"a negative weight among the rows of cell \(origin '1', "
                           r"destination '1'\)"),
    ],
)
def test_bad_weights_name_the_cell(w: list[float], match: str) -> None:
    frame = pd.DataFrame({"o": [1, 2, 1], "d": [1, 2, 1], "w": w})
    with pytest.raises(InputError, match=match):
        MobilityTable.from_microdata(frame, origin="o", destination="d", weight="w")


def test_nan_weight_in_an_engine_table() -> None:
    import ibis
    import pyarrow as pa

    table = ibis.memtable(pa.table({"o": [1, 2, 2], "d": [1, 2, 1],
                                    "w": pa.array([1.0, float("nan"), 2.0])}))
    with pytest.raises(InputError, match=r"a NaN weight among the rows of cell \(origin '2', "
                                         r"destination '2'\)"):
        MobilityTable.from_microdata(table, origin="o", destination="d", weight="w")
    # each weight is fine, but Σw² overflows a double
    many = pd.DataFrame({"o": [1] * 3, "d": [1] * 3, "w": [1e150] * 3})
    with pytest.raises(InputError, match="sum of squared weights overflows"):
        MobilityTable.from_microdata(many, origin="o", destination="d", weight="w")


# --------------------------------------------------------------------- layering


def test_tables_package_has_no_import_cycle() -> None:
    """The modules of socmob.tables import each other (at any depth, including imports
    inside functions) without a cycle."""
    root = Path(__import__("socmob.tables").tables.__file__).parent
    graph: dict[str, set[str]] = {}
    for path in root.glob("*.py"):
        name = f"socmob.tables.{path.stem}" if path.stem != "__init__" else "socmob.tables"
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                deps.add(node.module)
            elif isinstance(node, ast.Import):
                deps.update(alias.name for alias in node.names)
        graph[name] = {d for d in deps if d.startswith("socmob.tables.")}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in graph.get(node, ()):
            assert state.get(dep) != 1, "import cycle: " + " → ".join([*trail, node, dep])
            if dep not in state:
                visit(dep, [*trail, node])
        state[node] = 2

    for module in graph:
        if module not in state:
            visit(module, [])
    assert "socmob.tables.table" not in graph["socmob.tables._aggregate"]
