"""Reading respondents with their labels (``socmob.survey.read``): the one rule for
files on disk and uploads."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from socmob.survey.read import (
    VALUE_LABELS_KEY,
    VARIABLE_LABELS_KEY,
    labelled_survey,
    parquet_labels,
    read_survey,
    write_survey,
)


def test_labels_round_trip_through_parquet_from_a_path_or_bytes(tmp_path):
    frame = pd.DataFrame({"q": [1, 2, 1], "sex": ["f", "m", "f"]})
    path = write_survey(frame, tmp_path / "s.parquet",
                        value_labels={"q": {1: "Agree", 2: "Disagree"}},
                        variable_labels={"q": "Can people get on?"}, synthetic=True)
    expected = ({"q": {1: "Agree", 2: "Disagree"}}, {"q": "Can people get on?"}, True)
    assert parquet_labels(path) == expected
    assert parquet_labels(path.read_bytes()) == expected
    data = read_survey(path)
    assert data.value_labels == {"q": {1: "Agree", 2: "Disagree"}} and data.synthetic


def test_labels_socmob_did_not_write_are_left_out(tmp_path):
    table = pa.Table.from_pandas(pd.DataFrame({"q": [1, 2]}), preserve_index=False)
    table = table.replace_schema_metadata({VALUE_LABELS_KEY: b"{not json",
                                           VARIABLE_LABELS_KEY: b'"a string"'})
    path = tmp_path / "other.parquet"
    pq.write_table(table, path)
    assert parquet_labels(path) == ({}, {}, False)
    data = read_survey(path)
    assert data.value_labels == {} and data.variable_labels == {} and len(data.frame) == 2
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    assert parquet_labels(buffer.getvalue()) == ({}, {}, False)


def test_a_synthetic_column_marks_the_data_only_when_true_in_every_row():
    labels = {"value_labels": {}, "variable_labels": {}}
    assert labelled_survey(pd.DataFrame({"synthetic": [True, True]}), "a", **labels).synthetic
    assert not labelled_survey(pd.DataFrame({"synthetic": [True, False]}), "b",
                               **labels).synthetic
    # a missing value is not true (astype(bool) alone would call NaN true)
    assert not labelled_survey(pd.DataFrame({"synthetic": [True, np.nan]}), "c",
                               **labels).synthetic


def test_labels_are_kept_for_the_frames_columns_only_and_the_files_own_win():
    frame = pd.DataFrame({"q": [1]})
    data = labelled_survey(frame, "x.sav", value_labels={"q": {1: "Yes"}, "gone": {1: "A"}},
                           variable_labels={"q": "Question", 7: "seven"})
    assert data.value_labels == {"q": {1: "Yes"}} and data.variable_labels == {"q": "Question"}
