"""Fixtures of the fuzz suite: good files for every kind of input socmob reads, and the
builders of damaged ones (``tests/io/corrupt.py``)."""

from __future__ import annotations

import importlib.util
import io
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest
import yaml

from socmob.synth.barometer import synth_barometer

RESULTS = Path(__file__).resolve().parents[1] / "results"


def _load_builders() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "io" / "corrupt.py"
    spec = importlib.util.spec_from_file_location("socmob_fuzz_corrupt", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Kind:
    """One kind of input: a good example (a frame for tables, text for documents), its
    numeric and text columns (where poison goes), and its file suffix."""

    name: str
    frame: pd.DataFrame | None = None
    document: str | None = None
    numeric: str | None = None
    text: str | None = None
    free_text: bool = True
    """Whether any text may stand in the text column (labels), or only known answers."""

    def csv(self) -> bytes:
        assert self.frame is not None
        return self.frame.to_csv(index=False).encode()


def _income() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 60
    parent = np.exp(rng.normal(10, 0.5, n))
    child = np.exp(0.4 * np.log(parent) + rng.normal(6, 0.5, n))
    return pd.DataFrame({"parent": parent.round(2), "child": child.round(2),
                         "area": np.repeat(["North East", "Wales", "London"], n // 3),
                         "dis": (parent < np.median(parent)).astype(int)})


def _mobility() -> pd.DataFrame:
    labels = ["Higher", "Middle", "Lower"]
    counts = [[50, 20, 10], [25, 40, 20], [10, 30, 60]]
    return pd.DataFrame([{"origin": o, "destination": d, "count": counts[i][j]}
                         for i, o in enumerate(labels) for j, d in enumerate(labels)])


def _hr() -> tuple[pd.DataFrame, str]:
    from socmob.synth.workforce import synthetic_workforce

    sw = synthetic_workforce(100, seed=2)
    mapping = yaml.safe_dump(sw.mapping.to_dict(), sort_keys=False, allow_unicode=True)
    return sw.frame, mapping


def _answers() -> str:
    from socmob.workforce.maturity import maturity_questions

    ids = maturity_questions()["question_id"].tolist()
    return "".join(f"{qid}: {i % 4}\n" for i, qid in enumerate(ids))


@pytest.fixture(scope="session")
def corrupt() -> ModuleType:
    return _load_builders()


@pytest.fixture(scope="session")
def bomb(corrupt: ModuleType) -> bytes:
    return corrupt.zip_bomb_xlsx(120 * 1024 * 1024)


@pytest.fixture(scope="session")
def kinds() -> dict[str, Kind]:
    hr, mapping = _hr()
    coinr = RESULTS / "coinr"
    idata = pd.read_csv(coinr / "asem_iData.csv")
    imeta = pd.read_csv(coinr / "asem_iMeta.csv")
    columns = yaml.safe_load(mapping)["columns"]
    survey = synth_barometer(48, seed=5, cluster_size=4)
    return {
        "income": Kind("income", frame=_income(), numeric="parent", text="area"),
        "mobility": Kind("mobility", frame=_mobility(), numeric="count", text="origin"),
        "idata": Kind("idata", frame=idata, numeric="LPI", text="uName"),
        "imeta": Kind("imeta", frame=imeta, numeric="Weight", text="iName"),
        "hr": Kind("hr", frame=hr, numeric=str(columns["ordinary_pay"]),
                   text=str(columns.get("function") or columns["employee_id"])),
        "responses": Kind("responses", frame=pd.DataFrame({
            "seb_key_question": ["Modern professional and traditional professional "
                                 "occupations", "Routine manual and service occupations",
                                 "Prefer not to say"] * 4}), text="seb_key_question",
                          free_text=False),
        "survey": Kind("survey", frame=survey.frame, numeric="design_weight", text="region",
                       free_text=False),
        "margins": Kind("margins", frame=survey.margins, numeric="target", text="margin"),
        "mapping": Kind("mapping", document=mapping),
        "answers": Kind("answers", document=_answers()),
        "scenario": Kind("scenario", document="name: fuzz\nplace:\n  changes:\n"
                         "    - {index: ci1, add: 0.1, target: {region: North East}}\n"
                         "uncertainty: {runs: 20}\n"),
    }


def _to_bytes(frame: pd.DataFrame, suffix: str) -> bytes:
    buffer = io.BytesIO()
    if suffix == ".csv":
        return frame.to_csv(index=False).encode()
    if suffix == ".xlsx":
        frame.to_excel(buffer, index=False)
    else:
        frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def to_bytes():
    """``to_bytes(frame, suffix)``: the frame written as .csv, .xlsx or .parquet."""
    return _to_bytes
