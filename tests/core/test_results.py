"""The tidy schema, JSON conversion and atomic writes shared by every result."""

from __future__ import annotations

import json
import os
import stat

import numpy as np
import pandas as pd
import pytest

from socmob.errors import InputError
from socmob.results import TIDY_COLUMNS, atomic_write, export_frame, jsonable, tidy


def test_tidy_orders_schema_columns_and_keeps_extras() -> None:
    frame = pd.DataFrame({"value": ["1.5"], "extra": ["x"], "measure": ["m"]})
    out = tidy(frame, unit="%")
    assert tuple(out.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS
    assert out.columns[-1] == "extra"
    assert out.loc[0, "value"] == 1.5
    assert out.loc[0, "unit"] == "%"
    assert np.isnan(out.loc[0, "lci"])


def test_jsonable_turns_nan_and_numpy_into_plain_json() -> None:
    obj = {"a": np.float64("nan"), "b": np.int64(3), "c": np.array([1.0, np.inf])}
    assert json.dumps(jsonable(obj)) == '{"a": null, "b": 3, "c": [1.0, null]}'


def test_atomic_write_leaves_nothing_on_failure(tmp_path) -> None:
    target = tmp_path / "out.csv"

    def broken(handle):
        handle.write("partial")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        atomic_write(target, broken, mode="w")
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_gives_the_usual_file_mode(tmp_path) -> None:
    old = os.umask(0o022)
    try:
        path = atomic_write(tmp_path / "x.txt", lambda h: h.write("ok"), mode="w")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_export_frame_formats_and_unknown_suffix(tmp_path) -> None:
    frame = pd.DataFrame({"a": [1, 2]})
    assert pd.read_csv(export_frame(frame, tmp_path / "f.csv"))["a"].tolist() == [1, 2]
    assert pd.read_parquet(export_frame(frame, tmp_path / "f.parquet"))["a"].tolist() == [1, 2]
    assert json.loads((export_frame(frame, tmp_path / "f.json")).read_text()) == [
        {"a": 1},
        {"a": 2},
    ]
    with pytest.raises(InputError, match="unsupported export format"):
        export_frame(frame, tmp_path / "f.xls")
