"""File readers: CSV, Parquet, Excel, SPSS and Stata into Ibis tables (chunked conversion,
value labels kept apart or applied on request, errors naming file, row and column)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest
from openpyxl import Workbook

from socmob.engine import connect
from socmob.engine.readers import (
    apply_value_labels,
    detect_format,
    excel_to_parquet,
    read_microdata,
    read_table,
)
from socmob.errors import InputError

FRAME = pd.DataFrame({
    "parent": [100.0, 250.5, 0.0, 320.0, 80.0, 150.0, 999.0],
    "child": [120.0, 0.0, 50.0, 400.0, 90.0, 160.0, 10.0],
    "sex": [1.0, 2.0, 1.0, 2.0, 2.0, 1.0, 2.0],
})


def _sorted(table) -> pd.DataFrame:
    return table.execute().sort_values("parent").reset_index(drop=True)


def test_csv_and_parquet_on_every_engine(backend, tmp_path):
    csv = tmp_path / "pairs.csv"
    FRAME.to_csv(csv, index=False)
    parquet = tmp_path / "pairs.parquet"
    FRAME.to_parquet(parquet, index=False)
    for path in (csv, parquet):
        got = _sorted(read_table(path, con=backend))
        expected = FRAME.sort_values("parent").reset_index(drop=True)
        np.testing.assert_allclose(got["parent"].astype(float), expected["parent"])
        np.testing.assert_allclose(got["child"].astype(float), expected["child"])


def _workbook(path, rows, header=("parent", "child", "sex")):
    book = Workbook()
    ws = book.active
    ws.title = "pairs"
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    book.save(path)


def test_excel_is_converted_in_chunks(tmp_path):
    path = tmp_path / "pairs.xlsx"
    rows = FRAME.itertuples(index=False)
    _workbook(path, rows)
    data = read_microdata(path, con=connect(), chunk_rows=2, sheet="pairs")
    assert data.format == "excel"
    got = _sorted(data.table)
    np.testing.assert_allclose(got["child"], FRAME.sort_values("parent")["child"])
    # the conversion really wrote several row groups (one per chunk)
    converted = excel_to_parquet(path, chunk_rows=2, out=tmp_path / "x.parquet")
    assert pq.ParquetFile(converted).num_row_groups == 4


def test_excel_bad_cell_names_row_and_column(tmp_path):
    path = tmp_path / "bad.xlsx"
    _workbook(path, [(1, 2, 1), (3, 4, 2), (5, "about 4", 1)])
    with pytest.raises(InputError) as err:
        read_microdata(path, con=connect(), chunk_rows=2)
    assert err.value.row == 4 and err.value.column == "child"
    assert str(path) in str(err.value)
    with pytest.raises(InputError, match="no sheet named"):
        read_microdata(path, con=connect(), sheet="other")


@pytest.mark.parametrize("suffix,writer", [(".sav", pyreadstat.write_sav),
                                           (".dta", pyreadstat.write_dta)])
def test_spss_and_stata_keep_value_labels_apart(tmp_path, suffix, writer):
    path = tmp_path / f"cohort{suffix}"
    writer(FRAME, str(path), column_labels=["Parent income", "Child income", "Sex"],
           variable_value_labels={"sex": {1: "male", 2: "female"}})
    data = read_microdata(path, con=connect(), chunk_rows=3)
    assert data.format == ("spss" if suffix == ".sav" else "stata")
    assert data.value_labels["sex"] == {1: "male", 2: "female"}
    assert data.variable_labels["parent"] == "Parent income"
    got = _sorted(data.table)
    assert set(got["sex"].astype(float)) == {1.0, 2.0}
    labelled = apply_value_labels(data.table, data.value_labels).execute()
    assert set(labelled["sex"]) == {"male", "female"}
    applied = read_microdata(path, con=connect(), apply_labels=True)
    assert set(applied.table.execute()["sex"]) == {"male", "female"}


def test_format_detection_and_file_errors(tmp_path):
    assert detect_format("a.CSV") == "csv" and detect_format("b.csv.gz") == "csv"
    assert detect_format("c.parquet") == "parquet" and detect_format("d.dta") == "stata"
    with pytest.raises(InputError, match="unrecognised file type"):
        detect_format("e.docx")
    with pytest.raises(InputError, match="file not found"):
        read_microdata(tmp_path / "missing.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="file is empty"):
        read_microdata(empty)
    broken = tmp_path / "broken.parquet"
    broken.write_text("not parquet at all")
    with pytest.raises(InputError, match="cannot read the Parquet file") as err:
        read_microdata(broken)
    assert err.value.file == str(broken)
