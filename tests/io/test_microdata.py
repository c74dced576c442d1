"""The microdata path (socmob.io.to_parquet): every format to Parquet in chunks, column
types from the first 20,480 rows with safe widening, numbers checked, problems named by
row and column on one line."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat
import pytest

from socmob.engine import connect
from socmob.engine.readers import read_microdata
from socmob.errors import InputError
from socmob.io import to_parquet
from socmob.io._microdata import TYPE_SAMPLE_ROWS


def one_line(err: pytest.ExceptionInfo[InputError]) -> str:
    text = str(err.value)
    assert "\n" not in text, text
    return text


def _read(path) -> pa.Table:
    return pq.read_table(to_parquet(path).path)


def test_csv_types_na_and_whitespace(write) -> None:
    path = write("m.csv", "id,pay,area\n1, 2.5 , North \n2,NA,\n3,4,#N/A\n")
    table = _read(path)
    assert table.schema.field("id").type == pa.int64()
    assert table.schema.field("pay").type == pa.float64()
    assert table.column("pay").to_pylist() == [2.5, None, 4.0]
    assert table.column("area").to_pylist() == ["North", None, None]


def test_csv_whole_numbers_widen_to_decimals_after_the_sample(tmp_path) -> None:
    n = TYPE_SAMPLE_ROWS + 100
    values = [str(i) for i in range(n)]
    values[-1] = "0.5"
    path = tmp_path / "w.csv"
    path.write_text("x,late\n" + "\n".join(f"{v},{'' if i < n - 1 else 'text'}"
                                          for i, v in enumerate(values)) + "\n")
    table = _read(path)
    assert table.schema.field("x").type == pa.float64()
    assert table.column("x").to_pylist()[-1] == 0.5
    # a column empty in the sample that later holds text becomes text
    assert table.schema.field("late").type == pa.string()
    assert table.column("late").to_pylist()[-1] == "text"


def test_csv_late_text_in_a_numeric_column_names_row_and_column(tmp_path) -> None:
    n = TYPE_SAMPLE_ROWS + 50
    lines = [f"{i}.5,{i}" for i in range(n)]
    lines[n - 3] = "12,abc"
    path = tmp_path / "late.csv"
    path.write_text("p,c\n" + "\n".join(lines) + "\n")
    with pytest.raises(InputError) as err:
        to_parquet(path)
    text = one_line(err)
    assert err.value.row == n - 3 + 2 and err.value.column == "c" and "'abc'" in text


@pytest.mark.parametrize("content,row,needle", [
    ("a,b\n1,2\n3,4,5\n", 3, "the row has 3 fields"),
    ("a,b,a\n1,2,3\n", 1, "duplicate column name"),
    ("a,b\n1,inf\n", 2, "not a finite number"),
    ("a,b\n1,2\n2,1e308\n", 3, "too large"),
])
def test_csv_problems_name_the_row(write, content, row, needle) -> None:
    with pytest.raises(InputError, match=needle) as err:
        to_parquet(write("bad.csv", content))
    one_line(err)
    assert err.value.row == row


def test_csv_encodings_and_gzip(tmp_path) -> None:
    text = "name,x\n" + "\n".join(f"r{i},{i}" for i in range(100)) + "\nJosé,1\n"
    latin = tmp_path / "l.csv"
    latin.write_bytes(text.encode("cp1252"))
    converted = to_parquet(latin)
    assert converted.encoding == "cp1252"
    assert pq.read_table(converted.path).column("name").to_pylist()[-1] == "José"
    wide = tmp_path / "u16.csv"
    wide.write_bytes(text.encode("utf-16"))
    assert pq.read_table(to_parquet(wide).path).column("name").to_pylist()[-1] == "José"
    packed = tmp_path / "p.csv.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    assert pq.read_table(to_parquet(packed).path).num_rows == 101
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"a,b\n" + bytes(range(256)))
    with pytest.raises(InputError, match="NUL bytes"):
        to_parquet(binary)


def test_excel_chunks_and_bad_workbooks(write, corrupt, bomb_bytes) -> None:
    rows = [["p", "c"]] + [[i, i * 2.0] for i in range(1, 8)]
    path = write("w.xlsx", corrupt.workbook_bytes(rows))
    out = to_parquet(path, chunk_rows=3)
    assert pq.ParquetFile(out.path).num_row_groups == 3
    assert pq.read_table(out.path).column("c").to_pylist() == [i * 2.0 for i in range(1, 8)]
    for variant, data in corrupt.bad_xlsx_variants(corrupt.workbook_bytes(rows)).items():
        with pytest.raises(InputError) as err:
            to_parquet(write(f"{variant}.xlsx", data))
        one_line(err)
    with pytest.raises(InputError, match="zip bomb"):
        to_parquet(write("bomb.xlsx", bomb_bytes))
    big = write("inf.xlsx", corrupt.workbook_bytes([["x"], [1.0], [1e300]]))
    with pytest.raises(InputError, match="too large") as err:
        to_parquet(big)
    assert err.value.row == 3 and err.value.column == "x"


def test_parquet_in_place_checked(tmp_path) -> None:
    path = tmp_path / "p.parquet"
    pd.DataFrame({"x": [1.0, 2.0], "y": ["a", "b"]}).to_parquet(path)
    assert to_parquet(path).path == path
    bad = tmp_path / "bad.parquet"
    pd.DataFrame({"x": [1.0, 2.0, -np.inf]}).to_parquet(bad)
    with pytest.raises(InputError) as err:
        to_parquet(bad)
    assert err.value.row == 4 and err.value.column == "x"
    truncated = tmp_path / "t.parquet"
    truncated.write_bytes(path.read_bytes()[:30])
    with pytest.raises(InputError, match="cannot read the Parquet file") as err:
        to_parquet(truncated)
    one_line(err)


def test_stata_chunks_with_labels(tmp_path) -> None:
    path = tmp_path / "s.dta"
    frame = pd.DataFrame({"sex": [1.0, 2.0] * 5, "pay": np.arange(10, dtype=float)})
    pyreadstat.write_dta(frame, str(path), variable_value_labels={"sex": {1: "m", 2: "f"}})
    out = to_parquet(path, chunk_rows=4)
    assert out.value_labels == {"sex": {1: "m", 2: "f"}}
    assert pq.read_table(out.path).column("pay").to_pylist() == list(np.arange(10.0))


def test_read_microdata_errors_are_one_line(write) -> None:
    con = connect()
    for name, content in [("e.csv", b""), ("r.csv", b"a,b\n1,2,3\n"),
                          ("x.xlsx", b"not a workbook"), ("p.parquet", b"PAR1 broken"),
                          ("s.sav", b"$FL2 broken")]:
        with pytest.raises(InputError) as err:
            read_microdata(write(name, content), con=con)
        assert name in one_line(err)
