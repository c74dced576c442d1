"""YAML and JSON documents: UTF-8 enforced with the position of the first bad byte,
safe loading, bounded size and expansion, errors on one line."""

from __future__ import annotations

import pytest

from socmob.errors import InputError
from socmob.io import read_document, read_json, read_yaml


def one_line(err: pytest.ExceptionInfo[InputError]) -> str:
    text = str(err.value)
    assert "\n" not in text, text
    return text


def test_yaml_and_json_read(write) -> None:
    assert read_yaml(write("m.yaml", "columns:\n  id: Staff number\ngrades: [A, B]\n")) == {
        "columns": {"id": "Staff number"}, "grades": ["A", "B"]}
    assert read_yaml(write("bom.yaml", b"\xef\xbb\xbfa: 1\n")) == {"a": 1}
    assert read_json(write("a.json", '{"q1": 2}')) == {"q1": 2}
    assert read_document(write("b.json", '{"q1": 3}')) == {"q1": 3}
    assert read_document(write("b.yml", "q1: 3\n")) == {"q1": 3}
    assert read_yaml(b"a: [1, 2]\n", name="upload.yaml") == {"a": [1, 2]}


def test_latin1_yaml_names_line_and_character(write) -> None:
    path = write("m.yaml", "columns:\n  id: Staff\n  name: Employé\n", encoding="latin-1")
    with pytest.raises(InputError) as err:
        read_yaml(path, what="mapping file")
    text = one_line(err)
    # "  name: Employ" is 14 characters: the é is character 15 of line 3
    assert "line 3, character 15" in text and "not UTF-8" in text and str(path) in text
    assert "mapping file" in text


@pytest.mark.parametrize("content,needle", [
    (bytes(range(256)), "not UTF-8"),
    (b"a: 1\n\x00\x01\x02", "control character"),
    ("a: 1\n".encode("utf-16"), "UTF-16"),
])
def test_binary_and_wide_text_refused(write, content, needle) -> None:
    with pytest.raises(InputError, match=needle) as err:
        read_yaml(write("x.yaml", content))
    one_line(err)


def test_invalid_yaml_and_json_name_the_position(write) -> None:
    with pytest.raises(InputError) as err:
        read_yaml(write("bad.yaml", "a: 1\nb: [1, 2\nc: 3\n"))
    text = one_line(err)
    assert "line " in text and "not valid YAML" in text
    with pytest.raises(InputError, match=r"line 2, character 1: not valid JSON") as err:
        read_json(write("bad.json", '{"a": 1,\n}'))
    one_line(err)


def test_safe_loading_only(write) -> None:
    with pytest.raises(InputError, match="not valid YAML"):
        read_yaml(write("evil.yaml", "a: !!python/object/apply:os.system ['true']\n"))


def test_size_and_expansion_bounds(write) -> None:
    with pytest.raises(InputError, match="more than the 100 allowed"):
        read_yaml(write("big.yaml", "a: " + "x" * 200 + "\n"), max_bytes=100)
    laughs = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefgh"):
        prev = "a" if i == 0 else "bcdefgh"[i - 1]
        laughs.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    with pytest.raises(InputError, match="expands to more than") as err:
        read_yaml(write("lol.yaml", "\n".join(laughs) + "\n"))
    one_line(err)


def test_missing_document(tmp_path) -> None:
    with pytest.raises(InputError, match="answers file not found"):
        read_document(tmp_path / "a.yaml", what="answers file")
