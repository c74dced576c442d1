"""The scenario file: its form is checked with one message per problem naming the key and
its line, and the JSON Schema published in the docs agrees with the parser on what is a
valid scenario."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from socmob.assess.scenario import (
    ScenarioError,
    parse_scenario,
    read_scenario,
    scenario_schema,
)
from socmob.errors import InputError

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "src" / "socmob" / "assess" / "examples").glob("*.yaml"))


def _read(tmp_path: Path, text: str) -> object:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return read_scenario(path)


def _problem(tmp_path: Path, text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        _read(tmp_path, text)
    return info.value


def test_a_full_scenario(tmp_path):
    s = _read(tmp_path, """\
name: Early years
description: More for the least favourable areas
place:
  level: areas
  changes:
    - index: ci1
      add: 0.25
      target:
        band: {ci1: "1-2"}
        region: [North East, North West]
    - index: Promising Prospects
      percent: -5
      target: {all: true}
      label: a cut
background:
  - indicator: in21
    add: -2
  - indicator: in23
    group: most advantaged
    multiply: 0.9
income:
  transfer: {percent: 10}
  quintiles: [1, 2]
  pass_through: 0.25
  parent_income_includes_transfer: false
uncertainty: {runs: 500, seed: 7}
""")
    assert s.name == "Early years" and s.runs == 500 and s.seed == 7
    first, second = s.place.changes
    assert (first.measure, first.op, first.amount) == ("ci1", "add", 0.25)
    assert first.target.bands[0].bands == (1, 2)
    assert first.target.regions == ("North East", "North West")
    assert first.where.line == 6 and first.where.key == "place.changes[1]"
    assert second.target.all and second.label == "a cut"
    assert [g.group for g in s.background] == ["least advantaged", "most advantaged"]
    assert s.income.op == "percent" and s.income.quintiles == (1, 2)
    assert not s.income.parent_income_includes_transfer
    assert not s.empty


def test_an_empty_scenario_is_valid_and_empty(tmp_path):
    s = _read(tmp_path, "name: nothing\n")
    assert s.empty and s.place is not None and s.place.level == "areas"
    assert parse_scenario({}).empty


def test_operations_apply_as_stated():
    import numpy as np

    from socmob.assess.scenario import Target, ValueChange

    x = np.array([10.0, 20.0])
    t = Target(all=True)
    assert ValueChange("a", "add", 2, t).apply(x).tolist() == [12.0, 22.0]
    assert ValueChange("a", "set", 5, t).apply(x).tolist() == [5.0, 5.0]
    assert ValueChange("a", "multiply", 1.5, t).apply(x).tolist() == [15.0, 30.0]
    assert ValueChange("a", "percent", -10, t).apply(x).tolist() == [9.0, 18.0]


@pytest.mark.parametrize("text, line, key, words", [
    ("plase:\n  level: areas\n", 1, "plase", "did you mean 'place'"),
    ("place:\n  level: regions\n", 2, "place.level", "unknown level 'regions'"),
    ("place:\n  changes:\n    - index: ci1\n      add: 1\n      percent: 2\n"
     "      target: {all: true}\n", 3, "place.changes[1]", "exactly one of"),
    ("place:\n  changes:\n    - index: ci1\n      add: lots\n      target: {all: true}\n",
     4, "place.changes[1].add", "must be a number"),
    ("place:\n  changes:\n    - index: ci1\n      add: 1\n", 3, "place.changes[1]",
     "has no target"),
    ("place:\n  changes:\n    - index: ci1\n      add: 1\n      target: {}\n", 5,
     "place.changes[1].target", "selects no unit"),
    ("place:\n  changes:\n    - index: ci1\n      add: 1\n      target:\n"
     "        band: {ci1: [0, 2]}\n", 6, "place.changes[1].target.band.ci1[1]", "band 0"),
    ("place:\n  changes:\n    - indicator: dr13\n      add: 1\n      target: {all: true}\n",
     3, "place.changes[1].indicator", "at level 'areas'"),
    ("place:\n  construction:\n    ci1: {normalise: zscore}\n", 2, "place.construction",
     "place.level: itl2"),
    ("place:\n  level: itl2\n  construction:\n    ci1: {normalise: 'minmax:a,b'}\n", 4,
     "place.construction.ci1.normalise", "needs 2 numbers"),
    ("place:\n  level: itl2\n  construction:\n    ci1: {aggregate: gmaen}\n", 4,
     "place.construction.ci1.aggregate", "did you mean 'gmean'"),
    ("income:\n  transfer: {add: 100}\n  pass_through: 1.5\n", 3, "income.pass_through",
     "outside 0–1"),
    ("income:\n  transfer: {percent: -100}\n", 2, "income.transfer.percent",
     "all of the parents' income"),
    ("income:\n  pass_through: 0.5\n", 1, "income", "no transfer"),
    ("background:\n  - indicator: in21\n    add: 1\n    grup: x\n", 4, "background[1].grup",
     "did you mean 'group'"),
    ("uncertainty: {runs: 0}\n", 1, "uncertainty.runs", "outside 1–20,000"),
    ("place:\n  changes:\n    - index: ci1\n      add: 1\n      target:\n        all: true\n"
     "        region: Wales\n", 6, "place.changes[1].target.all", "all: true selects every"),
    ("place:\n  changes:\n    - index: ci1\n      add: .inf\n      target: {all: true}\n", 4,
     "place.changes[1].add", "not a finite number"),
    ("place:\n  changes:\n    - index: ci1\n      multiply: -1\n      target: {all: true}\n",
     4, "place.changes[1].multiply", "turns values round"),
    ("name: a\nname: b\n", 2, "name", "given twice"),
])
def test_each_problem_names_its_key_and_line(tmp_path, text, line, key, words):
    err = _problem(tmp_path, text)
    first = err.problems[0]
    assert (first.line, first.key) == (line, key), str(err)
    assert words in str(err)
    message = str(err)
    assert "\n" not in message
    assert message.startswith(f"file {tmp_path / 'scenario.yaml'}: line {line}, key {key!r}")


def test_every_problem_is_reported_once(tmp_path):
    err = _problem(tmp_path, "nam: x\nplace:\n  level: regions\nuncertainty: {runs: -1}\n")
    assert [p.key for p in err.problems] == ["nam", "place.level", "uncertainty.runs"]
    assert "and 2 more problems" in str(err)


def test_unreadable_files_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_scenario(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("place: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2, character 1: not valid YAML"):
        read_scenario(bad)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: Caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_scenario(latin)


# ----------------------------------------------------------------------------- the schema

GOOD = [
    {},
    {"name": "x", "place": {"level": "areas", "changes": [
        {"index": "ci1", "add": 0.5, "target": {"areas": ["Blackpool", "E06000008"]}}]}},
    {"place": {"level": "itl2", "changes": [
        {"indicator": "dr13", "percent": 5, "target": {"where": {"dr32": {"above": 15}}}}],
        "construction": {"ci1": {"weights": {"dr13": 2}, "normalise": "minmax:0,100"}}}},
    {"background": [{"indicator": "in21", "group": "Lower working", "set": 20}]},
    {"income": {"transfer": {"add": 1000}, "quintiles": 1, "pass_through": 0.3}},
    {"place": {"changes": [{"index": "ci4", "multiply": 1.1,
                            "target": {"band": {"ci1": "1-2"}, "nation": "Wales"}}]}},
]
BAD = [
    {"plase": {}},
    {"place": {"level": "regions"}},
    {"place": {"changes": [{"index": "ci1", "add": 1, "set": 2, "target": {"all": True}}]}},
    {"place": {"changes": [{"index": "ci1", "add": 1}]}},
    {"place": {"changes": [{"index": "ci1", "add": 1, "target": {}}]}},
    {"place": {"changes": [{"index": "ci1", "add": 1, "target": {"band": {"ci1": [8]}}}]}},
    {"place": {"changes": [{"indicator": "dr13", "add": 1, "target": {"all": True}}]}},
    {"place": {"construction": {"ci1": {"normalise": "zscore"}}}},
    {"income": {"transfer": {"add": 1}, "pass_through": 2}},
    {"income": {"transfer": {"add": 1, "percent": 2}}},
    {"uncertainty": {"runs": 0}},
    {"background": [{"indicator": "in21"}]},
    {"place": {"changes": [{"index": "ci1", "multiply": -2, "target": {"all": True}}]}},
    {"place": {"changes": [{"index": "ci1", "add": 1,
                            "target": {"all": True, "region": "Wales"}}]}},
]


@pytest.mark.parametrize("doc", GOOD)
def test_the_schema_and_the_parser_accept_the_same_good_scenarios(doc):
    jsonschema.validate(doc, scenario_schema())
    parse_scenario(doc)


@pytest.mark.parametrize("doc", BAD)
def test_the_schema_and_the_parser_refuse_the_same_bad_scenarios(doc):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, scenario_schema())
    with pytest.raises(ScenarioError):
        parse_scenario(doc)


def test_the_schema_is_valid_and_documented():
    schema = scenario_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    docs = (REPO / "docs" / "assess.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- schema -->\n```json\n(.*?)\n```", docs, flags=re.S)
    assert block is not None, "docs/assess.md carries the schema between <!-- schema --> marks"
    assert json.loads(block.group(1)) == schema


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_the_examples_are_valid(path):
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), scenario_schema())
    read_scenario(path)


def test_there_are_examples():
    assert len(EXAMPLES) >= 3
