"""socmob.io's frame reader: every format, one NA convention, and one-line errors naming
file, row and column for each way a file can be wrong.

Expected values are written out by hand from the small files built in each test (rows
are counted as a spreadsheet shows them: header = row 1).
"""

from __future__ import annotations

import gzip
import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat
import pytest

from socmob.errors import InputError
from socmob.io import NA_VALUES, Limits, detect_format, read_file, read_frame


def one_line(exc: pytest.ExceptionInfo[InputError]) -> str:
    text = str(exc.value)
    assert "\n" not in text and "\r" not in text, text
    assert "Traceback" not in text
    return text


# --------------------------------------------------------------------------- suffixes


def test_one_suffix_map() -> None:
    assert detect_format("a.CSV") == "csv" and detect_format("a.tsv") == "csv"
    assert detect_format("a.csv.gz") == "csv" and detect_format("a.tsv.gz") == "csv"
    assert detect_format("a.parquet") == "parquet" and detect_format("a.pq") == "parquet"
    assert detect_format("a.xlsx") == "excel" and detect_format("a.xlsm") == "excel"
    assert detect_format("a.sav") == "spss" and detect_format("a.zsav") == "spss"
    assert detect_format("a.dta") == "stata" and detect_format("a.yml") == "yaml"
    with pytest.raises(InputError, match="old binary Excel format"):
        detect_format("a.xls")
    with pytest.raises(InputError, match=r"unrecognised file type '\.docx'"):
        detect_format("a.docx")
    with pytest.raises(InputError, match="unrecognised file type"):
        detect_format("a.tar.gz")


def test_missing_file_and_directory(tmp_path) -> None:
    with pytest.raises(InputError, match="file not found") as err:
        read_file(tmp_path / "nope.csv")
    assert err.value.file == str(tmp_path / "nope.csv")
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(InputError, match="not a file"):
        read_file(tmp_path / "d.csv")
    with pytest.raises(InputError, match="not a table"):
        read_file(tmp_path / "m.yaml")


# --------------------------------------------------------------------------- CSV


def test_csv_raw_and_infer_with_the_na_convention(write) -> None:
    path = write("t.csv", "id, label ,x\n1, a ,1.5\n2,NA,\n3,#N/A,NULL\n4,n/a,2\n")
    raw = read_file(path)
    assert list(raw.frame.columns) == ["id", "label", "x"]  # header cells trimmed
    assert raw.frame["label"].tolist() == ["a", None, None, None]
    assert raw.frame["x"].tolist() == ["1.5", None, None, "2"]  # raw: text as written
    assert raw.rows.tolist() == [2, 3, 4, 5]
    inferred = read_frame(path, types="infer")
    assert inferred["id"].dtype == np.int64
    assert inferred["x"].dtype == np.float64
    np.testing.assert_array_equal(inferred["x"].to_numpy(), [1.5, np.nan, np.nan, 2.0])
    assert {"", "NA", "#N/A", "NULL"} <= set(NA_VALUES)


def test_csv_blank_rows_are_skipped_but_rows_keep_their_numbers(write) -> None:
    data = read_file(write("t.csv", "a,b\n1,2\n\n,\n3,4\n"))
    assert data.frame["a"].tolist() == ["1", "3"]
    assert data.rows.tolist() == [2, 5]


@pytest.mark.parametrize("encoding,expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("utf-16", "utf-16-le"),
    ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be"), ("cp1252", "cp1252"),
])
def test_csv_encodings_detected(write, encoding, expected) -> None:
    text = "name,city\nJosé,Orléans\nZoë,Łódź\n" if encoding != "cp1252" else (
        "name,city\nJosé,Orléans\nZoë,€uro\n")
    path = write("t.csv", text, encoding=encoding)
    data = read_file(path)
    assert data.encoding == expected
    assert data.frame["name"].tolist() == ["José", "Zoë"]


def test_csv_stated_encoding_and_wrong_statement(write) -> None:
    path = write("t.csv", "a,b\nx,y\nçà,z\n", encoding="latin-1")
    assert read_frame(path, encoding="latin-1")["a"].tolist() == ["x", "çà"]
    with pytest.raises(InputError) as err:
        read_file(path, encoding="utf-8")
    text = one_line(err)
    assert err.value.row == 3 and "cannot be read as utf-8" in text
    with pytest.raises(InputError, match="unknown encoding"):
        read_file(path, encoding="klingon")


def test_csv_gzip_and_delimiters(tmp_path) -> None:
    path = tmp_path / "t.csv.gz"
    path.write_bytes(gzip.compress(b"a;b\n1;2\n"))
    assert read_frame(path).to_dict("list") == {"a": ["1"], "b": ["2"]}
    tsv = tmp_path / "t.tsv"
    tsv.write_text("a\tb\n1\t2\n")
    assert read_frame(tsv).to_dict("list") == {"a": ["1"], "b": ["2"]}
    broken = tmp_path / "b.csv.gz"
    broken.write_bytes(gzip.compress(b"a,b\n1,2\n")[:-6])
    with pytest.raises(InputError, match="cannot decompress"):
        read_file(broken)


@pytest.mark.parametrize("content,row,needle", [
    ("a,b,c\n1,2,3\n4,5\n", 3, "the row has 2 fields but the header has 3"),
    ("a,b\n1,2\n3,4,5\n", 3, "the row has 3 fields"),
    ('a,b\n1,"x"y\n', 2, "cannot be parsed"),
    ("a,b\n1,2\n3,\x00\n", 3, "NUL bytes"),
    ("a,b\n1,2\n3,\x07\n", 3, "control character"),
])
def test_csv_errors_name_the_row(write, content, row, needle) -> None:
    with pytest.raises(InputError) as err:
        read_file(write("bad.csv", content))
    text = one_line(err)
    assert err.value.row == row and needle in text and "bad.csv" in text


def test_csv_empty_header_only_and_binary(write) -> None:
    with pytest.raises(InputError, match="the file is empty"):
        read_file(write("e.csv", b""))
    with pytest.raises(InputError, match="the file is empty"):
        read_file(write("e2.csv", b"\n \n"))
    only = read_file(write("h.csv", "a,b\n"))
    assert only.frame.empty and list(only.frame.columns) == ["a", "b"]
    with pytest.raises(InputError, match=r"not CSV text \(it holds NUL bytes") as err:
        read_file(write("bin.csv", bytes(range(256)) * 4))
    one_line(err)


def test_duplicate_headers_are_named_never_renamed(write) -> None:
    with pytest.raises(InputError) as err:
        read_file(write("d.csv", "id,pay,id,pay ,x\n1,2,3,4,5\n"))
    text = one_line(err)
    assert "'id' (columns 1, 3)" in text and "'pay' (columns 2, 4)" in text
    assert err.value.row == 1 and err.value.column == "id"


def test_blank_header_cells(write) -> None:
    data = read_frame(write("b.csv", "a,,c,\n1,2,3,\n"))
    # a blank header over data is named by position; a blank, empty column is dropped
    assert list(data.columns) == ["a", "column_2", "c"]


@pytest.mark.parametrize("value", ["inf", "-inf", "1e308", "-1e200", "Infinity"])
def test_non_finite_numbers_are_refused_where_they_enter(write, value) -> None:
    path = write("n.csv", f"unit,x\nA,1\nB,{value}\nC,3\n")
    for types in ("infer", "raw"):  # raw text that reads as such a number is refused too
        with pytest.raises(InputError) as err:
            read_file(path, types=types)
        text = one_line(err)
        assert err.value.row == 3 and err.value.column == "x" and "n.csv" in text
    assert read_file(path, check_numbers=False).frame["x"].tolist()[1] == value


def test_text_that_is_not_a_number_is_left_alone(write) -> None:
    data = read_frame(write("t.csv", "name,code\nInfinity Pool Ltd,E1\nNorth East,1e5\n"))
    assert data["name"].tolist() == ["Infinity Pool Ltd", "North East"]


def test_limits(write) -> None:
    path = write("l.csv", "a,b\n" + "1,2\n" * 10)
    with pytest.raises(InputError, match="more than 5 data rows") as err:
        read_file(path, limits=Limits(max_rows=5))
    assert err.value.row == 7
    with pytest.raises(InputError, match="more than 9 cells"):
        read_file(path, limits=Limits(max_cells=9))
    with pytest.raises(InputError, match="more than the 10 allowed"):
        read_file(path, limits=Limits(max_bytes=10))


def test_bytes_source_needs_a_name() -> None:
    assert read_frame(b"a\n1\n", name="up.csv")["a"].tolist() == ["1"]
    with pytest.raises(InputError, match="unrecognised"):
        read_frame(b"a\n1\n")


# --------------------------------------------------------------------------- Excel


def test_excel_values_rows_and_na(write, corrupt) -> None:
    rows = [["id", "pay", "when"], [1, 2.5, "2024-01-01"], [None, None, None],
            [3, "#N/A", " x "]]
    path = write("w.xlsx", corrupt.workbook_bytes(rows))
    data = read_file(path)
    assert data.frame["id"].tolist() == [1, 3]
    assert data.frame["pay"].tolist() == [2.5, None]
    assert data.frame["when"].tolist() == ["2024-01-01", "x"]
    assert data.rows.tolist() == [2, 4]
    assert read_frame(path, types="infer")["pay"].dtype == np.float64


def test_excel_sheet_choice(write, corrupt) -> None:
    path = write("w.xlsx", corrupt.workbook_bytes([["a"], [1]], title="HR"))
    assert read_frame(path, sheet="HR")["a"].tolist() == [1]
    with pytest.raises(InputError, match="no sheet named 'Pay'") as err:
        read_file(path, sheet="Pay")
    assert "'HR'" in one_line(err)


@pytest.mark.parametrize("variant", [
    "truncated", "truncated_tail", "not_zip", "zip_not_workbook", "ole2_xls",
    "malformed_sheet_xml", "malformed_workbook_xml", "empty_workbook_xml", "bad_styles",
])
def test_damaged_workbooks_give_one_line(write, corrupt, variant) -> None:
    good = corrupt.workbook_bytes([["a", "b"], [1, 2]])
    path = write(f"{variant}.xlsx", corrupt.bad_xlsx_variants(good)[variant])
    with pytest.raises(InputError) as err:
        read_file(path)
    text = one_line(err)
    assert f"{variant}.xlsx" in text


def test_zip_bomb_is_refused_before_decompression(write, bomb_bytes) -> None:
    assert len(bomb_bytes) < 2_000_000
    path = write("bomb.xlsx", bomb_bytes)
    with pytest.raises(InputError, match="zip bomb") as err:
        read_file(path)
    one_line(err)
    with pytest.raises(InputError, match="expands to"):
        read_file(path, limits=Limits(max_uncompressed=100 * 1024 * 1024, max_ratio=None))


def test_excel_cell_bound_and_stray_cells(write, corrupt) -> None:
    path = write("w.xlsx", corrupt.workbook_bytes([["a", "b"]] + [[i, i] for i in range(50)]))
    with pytest.raises(InputError, match="more than 40 cells") as err:
        read_file(path, limits=Limits(max_cells=40))
    assert err.value.row is not None
    stray = write("s.xlsx", corrupt.workbook_bytes([["a", "b"], [1, 2], [3, 4, "note"]]))
    with pytest.raises(InputError, match="value in column 3, which has no header") as err:
        read_file(stray)
    assert err.value.row == 3


def test_excel_duplicate_headers_and_formula_cells(write, corrupt) -> None:
    with pytest.raises(InputError, match="duplicate column"):
        read_file(write("d.xlsx", corrupt.workbook_bytes([["a", "a"], [1, 2]])))
    # a formula cell is read as its cached value (none here: never calculated), never
    # as formula text
    data = read_frame(write("f.xlsx", corrupt.workbook_bytes(
        [["a", "b"], [1, "=1+1"], [2, "=HYPERLINK(\"http://x\")"]])))
    assert data["b"].tolist() == [None, None]


# --------------------------------------------------------------------------- Parquet


def test_parquet_read_checked_and_errors(tmp_path) -> None:
    good = tmp_path / "g.parquet"
    pd.DataFrame({"a": [1.0, 2.0], "b": ["x", None]}).to_parquet(good)
    data = read_file(good)
    assert data.frame["a"].tolist() == [1.0, 2.0] and data.rows.tolist() == [2, 3]
    broken = tmp_path / "t.parquet"
    broken.write_bytes(good.read_bytes()[:-20])
    with pytest.raises(InputError, match="cannot read the Parquet file") as err:
        read_file(broken)
    one_line(err)
    dup = tmp_path / "d.parquet"
    pq.write_table(pa.Table.from_arrays([pa.array([1]), pa.array([2])], names=["x", "x"]), dup)
    with pytest.raises(InputError, match="duplicate column name"):
        read_file(dup)
    inf = tmp_path / "i.parquet"
    pd.DataFrame({"a": [1.0, math.inf]}).to_parquet(inf)
    with pytest.raises(InputError) as err:
        read_file(inf)
    assert err.value.row == 3 and err.value.column == "a"


# --------------------------------------------------------------------------- SPSS / Stata


@pytest.mark.parametrize("suffix,writer", [(".sav", pyreadstat.write_sav),
                                           (".dta", pyreadstat.write_dta)])
def test_labelled_files_keep_labels_and_apply_on_request(tmp_path, suffix, writer) -> None:
    path = tmp_path / f"s{suffix}"
    frame = pd.DataFrame({"seb": [1.0, 2.0, 1.0], "pay": [10.5, 20.0, 30.25]})
    writer(frame, str(path), column_labels=["Background", "Pay"],
           variable_value_labels={"seb": {1: "Professional", 2: "Lower"}})
    data = read_file(path)
    assert data.value_labels["seb"] == {1: "Professional", 2: "Lower"}
    assert data.variable_labels == {"seb": "Background", "pay": "Pay"}
    assert data.frame["seb"].tolist() == [1.0, 2.0, 1.0]
    applied = read_frame(path, apply_labels=True)
    assert applied["seb"].tolist() == ["Professional", "Lower", "Professional"]
    assert applied["pay"].tolist() == [10.5, 20.0, 30.25]


@pytest.mark.parametrize("suffix", [".sav", ".dta", ".zsav"])
def test_corrupt_labelled_files_give_one_line(write, suffix) -> None:
    with pytest.raises(InputError, match="cannot read the") as err:
        read_file(write(f"x{suffix}", b"$FL2 not really an spss file" * 10))
    one_line(err)
    with pytest.raises(InputError, match="empty"):
        read_file(write(f"e{suffix}", b""))
