"""Spark reads data where it lives — CSV and Parquet files and directories by its own
readers, catalogue tables by name — with the numbers of DuckDB's local reader, and only
aggregates come back to the driver."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from socmob.engine import connect
from socmob.engine.readers import (
    read_catalog_table,
    read_microdata,
    read_table,
    spark_format,
)
from socmob.errors import InputError, NotFoundError
from socmob.income import area_outcomes, income_mobility

pytestmark = pytest.mark.spark


def _frame(n: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    z1 = rng.standard_normal(n)
    z2 = 0.5 * z1 + np.sqrt(1 - 0.5**2) * rng.standard_normal(n)
    return pd.DataFrame({
        "parent": np.round(np.exp(10 + 0.6 * z1), 1),
        "child": np.round(np.exp(10 + 0.7 * z2), 1),
        "area": rng.integers(1, 5, n),
        "fsm": rng.integers(0, 2, n),
    })


def _rows(table) -> pd.DataFrame:
    """The rows of a table in a fixed order, as plain floats (types are checked apart)."""
    frame = table.execute()
    frame = frame.astype({c: "float64" for c in frame.columns})
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def test_spark_format_from_the_name():
    assert spark_format("hdfs://nn/data/pairs.csv.gz") == "csv"
    assert spark_format("s3a://bucket/pairs.tsv") == "csv"
    assert spark_format("s3a://bucket/cohort/") == "parquet"  # a directory of parts
    assert spark_format("/data/pairs.parquet") == "parquet"
    assert spark_format("x.dta") == "stata"


def test_csv_with_missing_value_spellings_reads_as_on_duckdb(spark_con, tmp_path):
    frame = _frame()
    text = frame.astype(object)
    text.loc[3, "parent"] = "NA"
    text.loc[8, "child"] = ""
    text.loc[9, "child"] = "NULL"
    text.loc[5, "area"] = "n/a"
    path = tmp_path / "pairs.csv"
    text.to_csv(path, index=False)
    spark = read_microdata(path, con=spark_con)
    duck = read_microdata(path, con=connect("duckdb"))
    for column in ("parent", "child"):
        assert spark.table[column].type().is_floating()
        assert duck.table[column].type().is_floating()
    assert spark.table["area"].type().is_integer() and duck.table["area"].type().is_integer()
    pd.testing.assert_frame_equal(_rows(spark.table), _rows(duck.table), check_exact=True)
    a = income_mobility(duck.table, parent="parent", child="child", by="area",
                        progress=False)
    b = income_mobility(spark.table, parent="parent", child="child", by="area",
                        progress=False)
    assert a.results.keys() == b.results.keys() == {"1", "2", "3", "4"}
    for g in a.results:
        assert a.results[g].nobs == b.results[g].nobs


def test_semicolon_csv_and_tsv(spark_con, tmp_path):
    frame = _frame(200)
    semi = tmp_path / "pairs.csv"
    frame.to_csv(semi, index=False, sep=";")
    tsv = tmp_path / "pairs.tsv"
    frame.to_csv(tsv, index=False, sep="\t")
    for path in (semi, tsv):
        table = read_table(path, con=spark_con)
        assert list(table.columns) == list(frame.columns)
        assert int(table.count().execute()) == 200


def test_directory_of_parquet_parts(spark_con, tmp_path):
    frame = _frame()
    folder = tmp_path / "pairs"
    folder.mkdir()
    for i, start in enumerate(range(0, len(frame), 200)):
        frame.iloc[start:start + 200].to_parquet(folder / f"part-{i}.parquet", index=False)
    whole = tmp_path / "whole.parquet"
    frame.to_parquet(whole, index=False)
    spark = read_microdata(folder, con=spark_con)
    assert spark.format == "parquet"
    duck = read_table(whole, con=connect("duckdb"))
    pd.testing.assert_frame_equal(_rows(spark.table), _rows(duck), check_exact=True)
    a = area_outcomes(duck, area="area", outcome="child", disadvantaged="fsm")
    b = area_outcomes(spark.table, area="area", outcome="child", disadvantaged="fsm")
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame(), check_exact=False, rtol=1e-9,
                                  atol=1e-12, check_dtype=False)


def test_missing_path_names_the_file(spark_con, tmp_path):
    missing = tmp_path / "nowhere.parquet"
    with pytest.raises(InputError, match="file not found") as err:
        read_microdata(missing, con=spark_con)
    assert err.value.file == str(missing)
    with pytest.raises(InputError, match="file not found"):
        read_microdata(f"file://{tmp_path}/nowhere.csv", con=spark_con)


def test_catalogue_tables(spark_con, tmp_path):
    session = spark_con._session
    frame = _frame()
    path = tmp_path / "pairs.parquet"
    frame.to_parquet(path, index=False)
    session.sql("CREATE DATABASE IF NOT EXISTS socmob_test")
    session.read.parquet(str(path)).write.mode("overwrite").saveAsTable("socmob_test.pairs")
    data = read_catalog_table("socmob_test.pairs", con=spark_con)
    assert data.format == "table" and data.source == "socmob_test.pairs"
    pd.testing.assert_frame_equal(_rows(data.table), _rows(read_table(path, con=connect())),
                                  check_exact=True)
    with pytest.raises(NotFoundError, match=r"no table 'pair'.*did you mean 'pairs'"):
        read_catalog_table("socmob_test.pair", con=spark_con)
    with pytest.raises(NotFoundError, match=r"no database 'socmob_tset'.*socmob_test"):
        read_catalog_table("socmob_tset.pairs", con=spark_con)


_AGGREGATES = ("HashAggregate", "ObjectHashAggregate", "SortAggregate")
_SMALL = ("CollectLimit", "TakeOrderedAndProject", "GlobalLimit")


def test_only_aggregates_come_back_to_the_driver(spark_con, tmp_path):
    """Every query an income run sends ends in an aggregation (or a LIMIT probe): no
    row-level data is collected (Spark's SQL status store keeps each plan)."""
    path = tmp_path / "pairs.parquet"
    _frame(3000).to_parquet(path, index=False)
    session = spark_con._session
    store = session._jsparkSession.sharedState().statusStore()
    before = {int(e.executionId()) for e in _executions(store)}
    table = read_table(path, con=spark_con)
    income_mobility(table, parent="parent", child="child", by="area", bootstrap=5, seed=1,
                    progress=False)
    area_outcomes(table, area="area", outcome="child", disadvantaged="fsm")
    new = [e for e in _executions(store) if int(e.executionId()) not in before]
    collected = [e for e in new if "toPandas" in str(e.description())
                 or "collect" in str(e.description())]
    assert len(collected) >= 4
    for ex in collected:
        plan = str(ex.physicalPlanDescription())
        final = plan.split("== Final Plan ==")[-1] if "== Final Plan ==" in plan else plan
        top = [m.group(1) for m in re.finditer(r"^\s*(?:\+- )?\*?\s*(\w+)", final, re.M)
               if m.group(1) not in {"ResultQueryStage", "AdaptiveSparkPlan", "Project",
                                     "Physical", "Sort", "AQEShuffleRead",
                                     "ShuffleQueryStage", "Exchange"}]
        assert top and top[0] in _AGGREGATES + _SMALL, plan[:1500]


def _executions(store):
    it = store.executionsList().iterator()
    out = []
    while it.hasNext():
        out.append(it.next())
    return out
