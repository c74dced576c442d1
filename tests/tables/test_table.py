"""MobilityTable construction and validation."""

from __future__ import annotations

import uuid

import ibis
import numpy as np
import pandas as pd
import pytest

from socmob.errors import InputError, ModelSpecError, NotFoundError
from socmob.tables import MobilityTable, read_long_table, require_square


def _long(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["origin", "destination", "count"])


def test_from_array_2d_defaults() -> None:
    t = MobilityTable.from_array([[5, 1], [2, 7]])
    assert t.shape == (1, 2, 2)
    assert t.origin_labels == ("1", "2") == t.destination_labels
    assert t.layer_labels == ("all",)
    assert t.is_square and not t.is_layered
    assert t.total == 15.0
    assert t.counts.dtype == np.float64
    with pytest.raises(ValueError):
        t.counts[0, 0, 0] = 3  # read-only


def test_from_array_3d_pooled_and_layer() -> None:
    arr = np.arange(12, dtype=float).reshape(3, 2, 2)
    t = MobilityTable.from_array(arr, origin_labels=["A", "B"], layer_labels=["x", "y", "z"])
    assert t.n_layers == 3 and t.is_layered
    # pooled = elementwise sum of the three 2x2 layers: [[0+4+8, 1+5+9], [2+6+10, 3+7+11]]
    np.testing.assert_array_equal(t.pooled().counts[0], [[12, 15], [18, 21]])
    assert t.pooled().layer_labels == ("all",)
    np.testing.assert_array_equal(t.layer("y").counts[0], [[4, 5], [6, 7]])
    assert t.layer(2).layer_labels == ("z",)
    with pytest.raises(NotFoundError, match="did you mean"):
        t.layer("Y ")


@pytest.mark.parametrize(
    ("counts", "match"),
    [([[1, -1], [0, 2]], "negative count"), ([[1, np.nan], [0, 2]], "not finite")],
)
def test_from_array_rejects_bad_counts(counts: list, match: str) -> None:
    with pytest.raises(InputError, match=match):
        MobilityTable.from_array(counts)


def test_structural_zeros_must_be_zero() -> None:
    mask = np.array([[False, True], [False, False]])
    t = MobilityTable.from_array([[3, 0], [1, 2]], structural_zeros=mask)
    assert t.structural_zeros is not None and t.structural_zeros[0, 1]
    with pytest.raises(InputError, match="structural zero"):
        MobilityTable.from_array([[3, 1], [1, 2]], structural_zeros=mask)


def test_require_square() -> None:
    t = MobilityTable.from_array(np.ones((2, 3)))
    with pytest.raises(ModelSpecError, match="square"):
        require_square(t)
    square = MobilityTable.from_array(np.ones((3, 3)))
    assert require_square(square) is square


def test_from_long_file_order_and_missing_cells_are_zero() -> None:
    frame = _long([("high", "high", 4), ("low", "high", 2), ("high", "low", 1)])
    t = MobilityTable.from_long(frame)
    assert t.origin_labels == ("high", "low") == t.destination_labels
    np.testing.assert_array_equal(t.counts[0], [[4, 1], [2, 0]])


def test_from_long_order_list_and_dict() -> None:
    frame = _long([("low", "low", 4), ("high", "low", 2), ("high", "high", 1)])
    t = MobilityTable.from_long(frame, order=["high", "low"])
    np.testing.assert_array_equal(t.counts[0], [[1, 2], [0, 4]])
    t2 = MobilityTable.from_long(
        frame, order={"origin": ["low", "high"], "destination": ["high", "low"]}
    )
    np.testing.assert_array_equal(t2.counts[0], [[0, 4], [1, 2]])


def test_from_long_layers_roundtrip() -> None:
    arr = np.arange(1, 19, dtype=float).reshape(2, 3, 3)
    t = MobilityTable.from_array(
        arr, origin_labels=["a", "b", "c"], layer_labels=["m", "f"], layer_name="sex"
    )
    back = MobilityTable.from_long(t.to_long(), layer="sex")
    assert back == t


@pytest.mark.parametrize(
    ("rows", "kwargs", "match"),
    [
        ([("a", "a", "x")], {}, r"row 2, column 'count': count 'x' is not a number"),
        ([("a", "a", 1), ("a", "b", -3)], {}, r"row 3, column 'count': negative count -3"),
        ([("a", "a", 1), ("a", "a", 2)], {}, r"row 3: duplicate cell .*first given in row 2"),
        (
            [("a", "a", 1), ("b", "a", 2)],
            {"order": ["a"]},
            r"row 3, column 'origin': category 'b' is not in",
        ),
        ([("a", "a", 1), ("b", "b", 2)], {"order": ["a", "b", "bb"]}, r"unknown category 'bb'"),
        ([("a", None, 1)], {}, r"row 2, column 'destination': missing category label"),
        ([("a", "a", None)], {}, r"row 2, column 'count': missing count"),
    ],
)
def test_from_long_validation(rows: list, kwargs: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        MobilityTable.from_long(_long(rows), source="t.csv", **kwargs)


def test_from_long_missing_column() -> None:
    frame = pd.DataFrame({"origin": ["a"], "destination": ["a"], "n": [1]})
    with pytest.raises(InputError, match=r"column 'count': missing column 'count'"):
        MobilityTable.from_long(frame)


def test_from_long_inconsistent_layers() -> None:
    frame = pd.DataFrame(
        {
            "origin": ["a", "b", "a"],
            "destination": ["a", "b", "a"],
            "count": [1, 2, 3],
            "layer": ["x", "x", "y"],
        }
    )
    with pytest.raises(InputError, match="inconsistent across layers"):
        MobilityTable.from_long(frame, layer="layer")
    # an explicit order declares the categories: absent cells are zeros
    t = MobilityTable.from_long(frame, layer="layer", order=["a", "b"])
    np.testing.assert_array_equal(t.counts[1], [[3, 0], [0, 0]])


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_read_long_table_formats(tmp_path, suffix: str) -> None:
    frame = pd.DataFrame(
        {
            "origin": ["I", "I", "II", "II"] * 2,
            "destination": ["I", "II"] * 4,
            "layer": ["1972"] * 4 + ["1992"] * 4,
            "count": [10, 5, 3, 8, 9, 6, 4, 7],
        }
    )
    path = tmp_path / f"t{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_excel(path, index=False)
    t = read_long_table(path)
    assert t.layer_labels == ("1972", "1992")
    np.testing.assert_array_equal(t.counts[1], [[9, 6], [4, 7]])


def test_read_long_table_errors_name_file(tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("origin,destination,count\na,a,1\na,b,-2\n")
    with pytest.raises(InputError, match=r"bad.csv, row 3, column 'count'"):
        read_long_table(path)
    with pytest.raises(InputError, match="unsupported"):
        read_long_table(tmp_path / "x.json")
    with pytest.raises(InputError, match="file not found"):
        read_long_table(tmp_path / "missing.csv")


def _micro(n: int = 400, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "father": rng.integers(1, 5, n),
            "son": rng.integers(1, 5, n),
            "sex": rng.choice(["f", "m"], n),
            "w": rng.uniform(0.2, 3.0, n),
        }
    )
    frame.loc[::37, "son"] = None  # missing destinations are left out, as in crosstab
    return frame


def _expected(frame: pd.DataFrame, sex: str, weighted: bool) -> np.ndarray:
    sub = frame[frame.sex == sex]
    tab = pd.crosstab(
        sub.father, sub.son, values=sub.w if weighted else None, aggfunc="sum" if weighted else None
    )
    return tab.reindex(index=[1, 2, 3, 4], columns=[1.0, 2.0, 3.0, 4.0]).fillna(0).to_numpy()


@pytest.mark.parametrize("weighted", [False, True])
def test_from_microdata_pandas_equals_crosstab(weighted: bool) -> None:
    frame = _micro()
    t = MobilityTable.from_microdata(
        frame, origin="father", destination="son", layer="sex", weight="w" if weighted else None
    )
    assert t.origin_labels == ("1", "2", "3", "4") == t.destination_labels
    assert t.layer_labels == ("f", "m")
    for k, sex in enumerate(("f", "m")):
        np.testing.assert_allclose(t.counts[k], _expected(frame, sex, weighted), rtol=1e-12)
    if weighted:
        # Σw² per cell (for Kish's effective n) equals the crosstab of squared weights
        squared = frame.assign(w=frame.w**2)
        assert t.squared_weights is not None
        for k, sex in enumerate(("f", "m")):
            np.testing.assert_allclose(
                t.squared_weights[k], _expected(squared, sex, True), rtol=1e-12
            )
        assert t.pooled().squared_weights is not None
    else:
        assert t.squared_weights is None


@pytest.mark.parametrize("weighted", [False, True])
def test_from_microdata_backends_equal_crosstab(backend, weighted: bool) -> None:
    frame = _micro(seed=2)
    # ibis 12 + duckdb 2 fail on create_table(pandas); a memtable works on every backend
    table = backend.create_table(f"micro_{uuid.uuid4().hex}", ibis.memtable(frame))
    t = MobilityTable.from_microdata(
        table, origin="father", destination="son", layer="sex", weight="w" if weighted else None
    )
    assert t.origin_labels == ("1", "2", "3", "4") == t.destination_labels
    for k, sex in enumerate(("f", "m")):
        np.testing.assert_allclose(t.counts[k], _expected(frame, sex, weighted), rtol=1e-9)


def test_from_microdata_categorical_order_and_bad_weights() -> None:
    frame = pd.DataFrame(
        {
            "o": pd.Categorical(["low", "high", "mid"], categories=["high", "mid", "low"]),
            "d": pd.Categorical(["high", "high", "low"], categories=["high", "mid", "low"]),
            "w": [1.0, -1.0, 2.0],
        }
    )
    t = MobilityTable.from_microdata(frame, origin="o", destination="d")
    assert t.origin_labels == ("high", "mid", "low")
    with pytest.raises(InputError, match="negative weight"):
        MobilityTable.from_microdata(frame, origin="o", destination="d", weight="w")
    with pytest.raises(InputError, match="missing column 'dest'"):
        MobilityTable.from_microdata(frame, origin="o", destination="dest")


def test_from_microdata_mixed_type_labels() -> None:
    # object columns mixing numbers and text (as read from messy files) are labelled as
    # text: 1 and "1" are the same class; the row with a missing origin is left out
    frame = pd.DataFrame({"o": [1, "2", None, 1], "d": ["1", 2, 2, 1]})
    t = MobilityTable.from_microdata(frame, origin="o", destination="d")
    assert t.origin_labels == ("1", "2")
    np.testing.assert_array_equal(t.counts[0], [[2, 0], [0, 1]])


def test_structural_zero_flag_column_roundtrip(tmp_path) -> None:
    mask = np.array([[False, True], [False, False]])
    t = MobilityTable.from_array(
        np.array([[[3, 0], [1, 2]], [[4, 0], [2, 5]]], dtype=float),
        layer_labels=["x", "y"],
        structural_zeros=mask,
    )
    path = tmp_path / "sz.csv"
    t.to_frame().to_csv(path, index=False)  # writes a structural_zero column (True/False)
    back = read_long_table(path)
    assert back.structural_zeros is not None
    np.testing.assert_array_equal(back.structural_zeros, mask)
    np.testing.assert_array_equal(back.counts, t.counts)


@pytest.mark.parametrize(
    ("flags", "counts", "match"),
    [
        (["no", "yes", "no", "no"], [3, 2, 1, 2], r"row 3, column 'sz': .*has count 2"),
        (["no", "maybe", "no", "no"], [3, 0, 1, 2], r"row 3, column 'sz': .*'maybe'"),
    ],
)
def test_structural_zero_flag_errors(flags: list, counts: list, match: str) -> None:
    frame = pd.DataFrame(
        {"origin": ["a", "a", "b", "b"], "destination": ["a", "b", "a", "b"], "count": counts,
         "sz": flags}
    )  # fmt: skip
    with pytest.raises(InputError, match=match):
        MobilityTable.from_long(frame, structural_zero="sz")


def test_structural_zero_flag_must_agree_across_layers() -> None:
    frame = pd.DataFrame(
        {
            "origin": ["a", "a", "a", "a"],
            "destination": ["a", "b", "a", "b"],
            "layer": ["x", "x", "y", "y"],
            "count": [1, 0, 2, 0],
            "sz": [0, 1, 0, 0],
        }
    )
    with pytest.raises(InputError, match="some layers but not in others"):
        MobilityTable.from_long(frame, layer="layer", structural_zero="sz")
