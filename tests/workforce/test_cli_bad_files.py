"""``socmob workforce`` on bad files: empty or header-only extracts, Latin-1 or binary
mapping and answers files, overflowing pay — each a one-line error, exit 2, nothing
written."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from socmob.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    d = tmp_path_factory.mktemp("wfbad")
    res = runner.invoke(app, ["synth", "workforce", "--employees", "120", "--out",
                              str(d / "hr.csv"), "--seed", "3"])
    assert res.exit_code == 0, res.output
    return d / "hr.csv", d / "hr.mapping.yaml"


def _fails(args: list[str], *needles: str) -> str:
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    err = res.stderr.strip()
    assert err.count("\n") == 0 and err.startswith("error:"), err
    for needle in needles:
        assert needle in err, err
    return err


def test_empty_and_header_only_extracts(synth, tmp_path) -> None:
    _, mp = synth
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    out = tmp_path / "r.json"
    _fails(["workforce", "report", str(empty), "--mapping", str(mp), "-f", "json", "-o",
            str(out)], "empty.csv", "the file is empty")
    _fails(["workforce", "responses", str(empty)], "the file is empty")
    header = tmp_path / "header.csv"
    header.write_text(synth[0].read_text().splitlines()[0] + "\n")
    _fails(["workforce", "report", str(header), "--mapping", str(mp), "-f", "json", "-o",
            str(out)], "no data rows")
    responses = tmp_path / "answers.csv"
    responses.write_text("seb_key_question\n")
    _fails(["workforce", "responses", str(responses)], "no answers")
    assert not out.exists()


@pytest.mark.parametrize("content,needle", [
    # "  employee_id: Employ" is 21 characters: the é is character 22 of line 2
    ("columns:\n  employee_id: Employé\n".encode("latin-1"), "line 2, character 22"),
    (bytes(range(256)) * 2, "not UTF-8"),
])
def test_latin1_or_binary_mapping(synth, tmp_path, content, needle) -> None:
    hr, _ = synth
    mapping = tmp_path / "m.yaml"
    mapping.write_bytes(content)
    _fails(["workforce", "report", str(hr), "--mapping", str(mapping), "-f", "json"],
           "m.yaml", needle)


@pytest.mark.parametrize("name,content,needle", [
    ("a.yaml", "data_collection_1: 2\nnote: café\n".encode("latin-1"), "line 2"),
    ("a.yaml", b"\x00\x01\x02garbage", "control character"),
    ("a.json", b'{"data_collection_1": 2,}', "not valid JSON"),
])
def test_latin1_or_binary_answers(tmp_path, name, content, needle) -> None:
    answers = tmp_path / name
    answers.write_bytes(content)
    _fails(["workforce", "assess", str(answers), "-f", "json"], name, needle)


def test_overflowing_pay_is_refused(synth, tmp_path) -> None:
    hr, mp = synth
    lines = hr.read_text().splitlines()
    header = lines[0].split(",")
    pay = next(i for i, h in enumerate(header) if "pay" in h.lower() and "bonus" not in
               h.lower())
    row = lines[5].split(",")
    row[pay] = "1e308"
    lines[5] = ",".join(row)
    bad = tmp_path / "huge.csv"
    bad.write_text("\n".join(lines) + "\n")
    _fails(["workforce", "report", str(bad), "--mapping", str(mp), "-f", "json"],
           "row 6", "too large")
