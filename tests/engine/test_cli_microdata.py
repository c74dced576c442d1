"""``socmob mobility describe/fit --microdata``: person-level rows cross-tabulated by the
engine give the answers of the same table given as cells (tabulated here by pandas, the
independent reference), on DuckDB and on Spark (the session's loopback cluster)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from tests.engine._compare import assert_same_json

ORDER = ["--order", "1,2,3,4,5"]
MODELS = ["--model", "conditional-independence,constant-fluidity,unidiff"]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("microdata")
    rng = np.random.default_rng(11)
    n = 3000
    origin = rng.integers(1, 6, n)
    people = pd.DataFrame({
        "origin": origin,
        "destination": np.clip(origin + rng.integers(-2, 3, n), 1, 5),
        "w": rng.choice([0.5, 1.0, 2.5], size=n),
        "cohort": rng.choice(["1950s", "1970s"], size=n),
    })
    people.to_csv(folder / "people.csv", index=False)
    people.to_parquet(folder / "people.parquet", index=False)
    keys = ["cohort", "origin", "destination"]
    counts = people.groupby(keys, as_index=False).size().rename(columns={"size": "count"})
    counts.to_csv(folder / "counts.csv", index=False)
    weighted = people.groupby(keys, as_index=False)["w"].sum().rename(columns={"w": "count"})
    weighted.to_csv(folder / "weighted.csv", index=False)
    return {"people": folder / "people.csv", "parquet": folder / "people.parquet",
            "counts": folder / "counts.csv", "weighted": folder / "weighted.csv"}


def _invoke(args: list[str]) -> Any:
    from typer.testing import CliRunner

    from socmob.cli import app

    result = CliRunner().invoke(app, args, env={"SOCMOB_CONFIG": os.devnull,
                                                "SOCMOB_ENGINE": None})
    assert result.exit_code == 0, result.output[-2000:]
    return json.loads(result.stdout)


def _values(doc: Any) -> Any:
    """The point estimates of a ``describe`` document (its ``value`` entries)."""
    if isinstance(doc, dict):
        if "value" in doc:
            return doc["value"]
        return {k: _values(v) for k, v in doc.items() if k not in {"lci", "uci"}}
    if isinstance(doc, list):
        return [_values(v) for v in doc]
    return doc


def test_describe_microdata_equals_the_tabulated_counts(files):
    micro = _invoke(["mobility", "describe", str(files["people"]), "--microdata",
                     "--layer", "cohort", *ORDER, "--format", "json"])
    cells = _invoke(["mobility", "describe", str(files["counts"]), "--layer", "cohort",
                     *ORDER, "--format", "json"])
    assert micro["table"]["layer_labels"] == ["1950s", "1970s"]
    micro["table"]["layer_name"] = cells["table"]["layer_name"]
    assert_same_json(cells, micro)


def test_weighted_describe_has_the_point_estimates_of_the_weighted_cells(files):
    # the intervals differ on purpose: weighted person rows carry their design (the
    # weights' variation), a table of weighted sums does not
    micro = _invoke(["mobility", "describe", str(files["people"]), "--microdata",
                     "--weight", "w", "--layer", "cohort", *ORDER, "--format", "json"])
    cells = _invoke(["mobility", "describe", str(files["weighted"]), "--layer", "cohort",
                     *ORDER, "--format", "json"])
    assert_same_json(_values(cells["groups"]), _values(micro["groups"]))


def test_fit_microdata_equals_the_tabulated_counts(files):
    micro = _invoke(["mobility", "fit", str(files["parquet"]), "--microdata", "--layer",
                     "cohort", *ORDER, *MODELS, "--format", "json"])
    cells = _invoke(["mobility", "fit", str(files["counts"]), "--layer", "cohort", *ORDER,
                     *MODELS, "--format", "json"])
    assert [m["model"] for m in micro["models"]] == [
        "conditional-independence", "constant-fluidity", "unidiff"]
    assert_same_json(cells, micro)


@pytest.mark.spark
def test_fit_and_describe_microdata_on_spark_equal_duckdb(spark_con, files):
    # in this process: "--engine spark" uses the session's Spark (the loopback cluster
    # when it is up), which reads the files with its own readers
    for command in (
        ["mobility", "fit", str(files["parquet"]), "--microdata", "--weight", "w",
         "--layer", "cohort", *ORDER, *MODELS, "--format", "json"],
        ["mobility", "describe", str(files["people"]), "--microdata", "--weight", "w",
         "--layer", "cohort", *ORDER, "--format", "json"],
    ):
        assert_same_json(_invoke(command), _invoke([*command, "--engine", "spark"]))
