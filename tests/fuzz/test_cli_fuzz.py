"""Fuzz every ``socmob`` command that reads a file (found by walking the command tree)
with hand-made corrupt files and with hypothesis: no traceback, no exit 1 — exit 0 or 2
only — one-line errors, and no NaN/Infinity or unneutralised formula in the output.

Each command that reads a file gets a base invocation (good files and required options);
one input at a time is replaced by a damaged or poisoned version. A command that reads a
file and has no base invocation here is still fuzzed, with placeholder options.
"""

from __future__ import annotations

import csv
import io
import json
import math
import typing
from collections.abc import Callable, Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.main import get_command
from typer.testing import CliRunner

from socmob.cli import app

runner = CliRunner()

# --------------------------------------------------------------------------- command tree


def _walk(cmd: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    if hasattr(cmd, "commands"):
        for name, sub in cmd.commands.items():
            yield from _walk(sub, (*path, name))
    else:
        yield path, cmd


def _mentions_path(hint: Any) -> bool:
    """``Path``, or a type built from it (``Path | None``, ``list[Path] | None``)."""
    return hint is Path or any(_mentions_path(arg) for arg in typing.get_args(hint))


def file_inputs(cmd: Any) -> list[tuple[str, str | None]]:
    """``(parameter name, option or None for an argument)`` of every file the command
    reads: parameters annotated ``Path`` that are not outputs (``out``, ``*_out``)."""
    callback = getattr(cmd.callback, "__wrapped__", cmd.callback)
    hints = typing.get_type_hints(callback)
    out = []
    for param in cmd.params:
        hint = hints.get(param.name)
        is_path = _mentions_path(hint)
        if is_path and param.name != "out" and not param.name.endswith("_out"):
            option = next((o for o in param.opts if o.startswith("--")), None)
            out.append((param.name, None if param.param_type_name == "argument" else option))
    return out


def _with_data_sources(inputs: Any) -> Any:
    """``inputs`` and the data-source arguments typed ``str`` rather than ``Path`` (so
    that a URL the Spark engine reads keeps its ``//``), shown as ``FILE``."""

    def found(cmd: Any) -> list[tuple[str, str | None]]:
        out = inputs(cmd)
        for param in cmd.params:
            if (param.param_type_name == "argument" and param.metavar == "FILE"
                    and all(name != param.name for name, _ in out)):
                out.append((param.name, None))
        return out

    return found


file_inputs = _with_data_sources(file_inputs)


READERS: dict[tuple[str, ...], Any] = {
    path: cmd for path, cmd in _walk(get_command(app), ()) if file_inputs(cmd)}

#: Base invocations: the kind of each input, and the options that make the command read
#: and use it. Formats: commands run with ``-f json`` (and ``-f csv`` for formula cells).
BASE: dict[tuple[str, ...], dict[str, Any]] = {
    ("income",): {"inputs": {"file": "income"},
                  "args": ["--parent", "parent", "--child", "child", "--no-progress"]},
    ("income-areas",): {"inputs": {"file": "income"},
                        "args": ["--area", "area", "--outcome", "child", "--disadvantaged",
                                 "dis"]},
    ("assess", "run"): {"inputs": {"microdata": "income"},
                        "args": [str(files("socmob.assess") / "examples" / "child_payment.yaml"),
                                 "--parent", "parent", "--child", "child"]},
    ("assess", "odds"): {"inputs": {"file": "income"},
                         "args": ["--outcome", "parent", "--disadvantage", "dis", "--id",
                                  "child"]},
    ("mobility", "describe"): {"inputs": {"table": "mobility"}, "args": []},
    ("mobility", "fit"): {"inputs": {"table": "mobility"}, "args": ["--model", "independence"]},
    ("index", "build"): {"inputs": {"data": "idata", "meta": "imeta"}, "args": []},
    ("index", "uncertainty"): {"inputs": {"data": "idata", "meta": "imeta"},
                               "args": ["--runs", "5", "--no-progress"], "only_refusals": True},
    ("index", "sensitivity"): {"inputs": {"data": "idata", "meta": "imeta"},
                               "args": ["--n", "4", "--bootstrap", "10", "--no-progress"],
                               "only_refusals": True},
    ("workforce", "report"): {"inputs": {"hr_file": "hr", "mapping": "mapping"},
                              "args": ["--n-boot", "0", "--no-progress"], "csv": False},
    ("workforce", "responses"): {"inputs": {"file": "responses"}, "args": []},
    ("workforce", "assess"): {"inputs": {"answers": "answers"}, "args": []},
    ("survey", "weight"): {"inputs": {"data": "survey", "margins": "margins"},
                           "args": ["--weight", "design_weight", "--out", "{dir}/w.csv"]},
    ("survey", "estimate"): {"inputs": {"data": "survey", "margins": "margins"},
                             "args": ["--items", "q_parents", "--by", "background",
                                      "--weight", "design_weight", "--strata", "stratum",
                                      "--psu", "psu", "--lonely-psu", "certainty"]},
    ("survey", "compare"): {"inputs": {"data": "survey"},
                            "args": ["--item", "q_parents", "--by", "background",
                                     "--weight", "design_weight"]},
}
CSV_OUTPUT = {("income",), ("income-areas",), ("mobility", "describe"), ("mobility", "fit"),
              ("index", "build")}

#: Domain checks owned elsewhere, still pending: (command, input, mutation) → reason.
#: (None at present: inf and 1e308 are refused by the readers; see DEGENERATE below.)
PENDING: dict[tuple[tuple[str, ...], str, str], str] = {}


def test_every_file_reading_command_is_fuzzed() -> None:
    assert READERS, "the command tree has commands that read files"
    for path, cmd in READERS.items():
        names = {n for n, _ in file_inputs(cmd)}
        if path in BASE:
            assert set(BASE[path]["inputs"]) <= names, path


# --------------------------------------------------------------------------- invocation


def _invoke(path: tuple[str, ...], files: dict[str, Path], extra: list[str],
            fmt: str = "json") -> Any:
    cmd = READERS[path]
    args: list[str] = list(path)
    options: list[str] = []
    for name, option in file_inputs(cmd):
        if name not in files:
            continue
        if option is None:
            args.append(str(files[name]))
        else:
            options += [option, str(files[name])]
    where = str(next(iter(files.values())).parent) if files else "."
    extra = [arg.replace("{dir}", where) for arg in extra]
    return runner.invoke(app, [*args, *options, *extra, "--format", fmt])


def _no_constants(token: str) -> float:
    raise AssertionError(f"{token} in JSON output")


def check(result: Any, *, expect: str, fmt: str = "json") -> None:
    """exit 0 or 2 only; no exception but SystemExit; one-line error; clean output."""
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), repr(exc)
    assert result.exit_code in (0, 2), (result.exit_code, result.output[-800:])
    assert "Traceback" not in result.output
    if expect == "refuse":
        assert result.exit_code == 2, result.output[-800:]
    elif expect == "accept":
        assert result.exit_code == 0, result.output[-800:]
    if result.exit_code == 2:
        err = result.stderr.strip()
        assert err.startswith("error:") and "\n" not in err, err
        return
    out = result.stdout
    if fmt == "json" and out.strip().startswith(("{", "[")):
        payload = json.loads(out, parse_constant=_no_constants)
        for value in _leaves(payload):
            assert not (isinstance(value, float) and not math.isfinite(value))
    if fmt == "csv":
        for row in csv.reader(io.StringIO(out)):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
                if cell.startswith("-"):
                    float(cell)  # a leading minus only on a number


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


# --------------------------------------------------------------------------- mutations

Mutation = Callable[[Any, Any, Any], tuple[str, bytes]]

FORMULAS = ["=HYPERLINK(\"http://evil\",\"x\")", "+cmd|' /C calc'!A0", "@SUM(1+1)",
            "-2+3+cmd", "=1+1"]


def _poison(kind: Any, value: str) -> bytes:
    frame = kind.frame.astype(object).copy()
    frame.loc[frame.index[1], kind.numeric] = value
    return frame.to_csv(index=False).encode()


def _text_in(kind: Any, values: list[str], encoding: str = "utf-8") -> bytes:
    frame = kind.frame.astype(object).copy()
    col = frame[kind.text].astype(str).tolist()
    uniques = list(dict.fromkeys(col))
    mapping = {u: values[i % len(values)] + (f" {i}" if i >= len(values) else "")
               for i, u in enumerate(uniques)}
    frame[kind.text] = [mapping[v] for v in col]
    return frame.to_csv(index=False).encode(encoding)


def _duplicate_first_column(kind: Any) -> bytes:
    lines = kind.csv().decode().splitlines()
    first = lines[0].split(",")[0]
    return ("\n".join([f"{lines[0]},{first}"] + [f"{line},x" for line in lines[1:]])
            + "\n").encode()


TABLE_MUTATIONS: dict[str, tuple[str, Callable[..., bytes]]] = {
    # name: (expectation, builder(kind, corrupt, helpers) → bytes); the name is the file
    "empty.csv": ("refuse", lambda k, c, h: b""),
    "blank.csv": ("refuse", lambda k, c, h: b"\n \n\n"),
    "header_only.csv": ("refuse", lambda k, c, h: k.csv().splitlines(keepends=True)[0]),
    "binary.csv": ("refuse", lambda k, c, h: bytes(range(256)) * 16),
    "ragged.csv": ("refuse", lambda k, c, h: b"".join(
        line.rstrip(b"\n") + b",extra\n" if i == 2 else line
        for i, line in enumerate(k.csv().splitlines(keepends=True)))),
    "dup_header.csv": ("refuse", lambda k, c, h: _duplicate_first_column(k)),
    "inf.csv": ("refuse", lambda k, c, h: _poison(k, "inf")),
    "minus_inf.csv": ("refuse", lambda k, c, h: _poison(k, "-inf")),
    "e308.csv": ("refuse", lambda k, c, h: _poison(k, "1e308")),
    "utf16.csv": ("accept", lambda k, c, h: k.frame.to_csv(index=False).encode("utf-16")),
    "latin1.csv": ("accept", lambda k, c, h: _text_in(k, ["Région Île", "Café Noël"],
                                                       encoding="cp1252")),
    "formula.csv": ("accept", lambda k, c, h: _text_in(k, FORMULAS)),
    "good.xlsx": ("accept", lambda k, c, h: h(k.frame, ".xlsx")),
    "good.parquet": ("accept", lambda k, c, h: h(k.frame, ".parquet")),
    "truncated.xlsx": ("refuse", lambda k, c, h: h(k.frame, ".xlsx")[:700]),
    "not_xlsx.xlsx": ("refuse", lambda k, c, h: k.csv()),
    "zip_not_workbook.xlsx": ("refuse", lambda k, c, h: c.zip_without_workbook()),
    "ole2.xlsx": ("refuse", lambda k, c, h: c.bad_xlsx_variants(h(k.frame, ".xlsx"))[
        "ole2_xls"]),
    "malformed.xlsx": ("refuse", lambda k, c, h: c.bad_xlsx_variants(h(k.frame, ".xlsx"))[
        "malformed_sheet_xml"]),
    "corrupt.parquet": ("refuse", lambda k, c, h: h(k.frame, ".parquet")[:-40]),
    "corrupt.sav": ("refuse", lambda k, c, h: b"$FL2" + bytes(range(256)) * 4),
    "corrupt.dta": ("refuse", lambda k, c, h: b"<stata_dta><header>" + b"\x00" * 100),
    "unknown.docx": ("refuse", lambda k, c, h: b"PK\x03\x04 word"),
}

DOCUMENT_MUTATIONS: dict[str, tuple[str, Callable[[Any], bytes]]] = {
    "latin1.yaml": ("refuse", lambda k: (k.document + "note: Employé café\n").encode("cp1252")),
    "binary.yaml": ("refuse", lambda k: bytes(range(256)) * 8),
    "utf16.yaml": ("refuse", lambda k: k.document.encode("utf-16")),
    "invalid.yaml": ("refuse", lambda k: b"a: [1, 2\nb: {c\n"),
    "empty.yaml": ("refuse", lambda k: b""),
    "list.yaml": ("refuse", lambda k: b"- 1\n- 2\n"),
    "python.yaml": ("refuse", lambda k: b"a: !!python/object/apply:os.system ['true']\n"),
    "laughs.yaml": ("refuse", lambda k: ("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [" + ", ".join([f"*{p}"] * 10) + "]\n"
        for p, n in zip("abcdefg", "bcdefgh", strict=True))).encode()),
    "invalid.json": ("refuse", lambda k: b'{"a": 1,,}'),
    "good.yaml": ("accept", lambda k: k.document.encode()),
}


def _cases() -> Iterator[Any]:
    for path, cmd in READERS.items():
        base = BASE.get(path, {"inputs": {n: "income" for n, _ in file_inputs(cmd)},
                               "args": [], "unknown": True})
        for name, kind_name in base["inputs"].items():
            document = kind_name in ("mapping", "answers")
            mutations = DOCUMENT_MUTATIONS if document else TABLE_MUTATIONS
            for mutation, (expect, _build) in mutations.items():
                if base.get("only_refusals") and expect != "refuse":
                    continue
                if kind_name == "mapping" and mutation == "invalid.json":
                    continue
                if base.get("unknown"):
                    expect = "either"
                reason = PENDING.get((path, name, mutation))
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                yield pytest.param(path, name, kind_name, mutation, expect, marks=marks,
                                   id=f"{'-'.join(path)}:{name}:{mutation}")


def _good_files(tmp_path: Path, path: tuple[str, ...], kinds: dict[str, Any]
                ) -> dict[str, Path]:
    files: dict[str, Path] = {}
    base = BASE.get(path)
    inputs = base["inputs"] if base else {}
    for name, kind_name in inputs.items():
        kind = kinds[kind_name]
        if kind.document is not None:
            target = tmp_path / f"good-{name}.yaml"
            target.write_text(kind.document)
        else:
            target = tmp_path / f"good-{name}.csv"
            target.write_bytes(kind.csv())
        files[name] = target
    return files


@pytest.mark.parametrize("path,name,kind_name,mutation,expect", list(_cases()))
def test_corrupt_and_poisoned_inputs(tmp_path, kinds, corrupt, to_bytes, path, name,
                                     kind_name, mutation, expect) -> None:
    kind = kinds[kind_name]
    files = _good_files(tmp_path, path, kinds)
    target = tmp_path / f"{name}-{mutation}"
    if kind.document is not None:
        target.write_bytes(DOCUMENT_MUTATIONS[mutation][1](kind))
    else:
        if mutation in ("formula.csv", "latin1.csv") and not kind.free_text:
            expect = "either"  # only known answers may stand there
        target.write_bytes(TABLE_MUTATIONS[mutation][1](kind, corrupt, to_bytes))
    files[name] = target
    base = BASE.get(path, {"args": []})
    check(_invoke(path, files, base["args"]), expect=expect)
    if mutation == "formula.csv" and path in CSV_OUTPUT:
        check(_invoke(path, files, base["args"], fmt="csv"), expect=expect, fmt="csv")


def test_zip_bomb_for_every_table_input(tmp_path, kinds, bomb) -> None:
    for path, base in BASE.items():
        for name, kind_name in base["inputs"].items():
            if kinds[kind_name].document is not None:
                continue
            files = _good_files(tmp_path, path, kinds)
            files[name] = tmp_path / "bomb.xlsx"
            files[name].write_bytes(bomb)
            result = _invoke(path, files, base["args"])
            check(result, expect="refuse")
            assert "zip bomb" in result.stderr or "expands" in result.stderr


DEGENERATE = [
    pytest.param(("mobility", "describe"), "table", "mobility", {"count": 0},
                 id="mobility-describe:all-zero-table"),
    pytest.param(("mobility", "fit"), "table", "mobility", {"count": 0},
                 id="mobility-fit:all-zero-table"),
    pytest.param(("index", "build"), "meta", "imeta", {"Weight": 0},
                 id="index-build:all-zero-weights"),
]


@pytest.mark.parametrize("path,name,kind_name,change", DEGENERATE)
def test_degenerate_inputs_are_refused(tmp_path, kinds, path, name, kind_name,
                                       change) -> None:
    """Inputs that leave nothing to estimate must be refused with a reason (exit 2), not
    published as blanks. These checks belong to the tables and place code."""
    files = _good_files(tmp_path, path, kinds)
    files[name] = tmp_path / "degenerate.csv"
    kinds[kind_name].frame.assign(**change).to_csv(files[name], index=False)
    check(_invoke(path, files, BASE[path]["args"]), expect="refuse")


# --------------------------------------------------------------------------- hypothesis

CELLS = st.one_of(
    st.sampled_from(["", "NA", "inf", "-inf", "nan", "1e308", "-1e308", "0", "-0", "1e-320",
                     "=1+1", "+cmd", "@SUM(A1)", "-2+3", '"', '""', ",", ";", "\t", " ",
                     "é", "\u202e", "\ufeff", "9" * 30, "1,000", "£5"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-10**20, max_value=10**20).map(str),
    st.text(max_size=12),
)
HYPOTHESIS = settings(max_examples=15, deadline=None, derandomize=True,
                      suppress_health_check=[HealthCheck.function_scoped_fixture,
                                             HealthCheck.too_slow])


def _table_text(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


@HYPOTHESIS
@given(rows=st.lists(st.lists(CELLS, min_size=4, max_size=4), min_size=1, max_size=12))
def test_hypothesis_income_tables(tmp_path_factory, rows) -> None:
    folder = tmp_path_factory.mktemp("hyp")
    path = folder / "pairs.csv"
    path.write_text(_table_text(["parent", "child", "area", "dis"], rows), encoding="utf-8",
                    errors="surrogatepass")
    check(_invoke(("income",), {"file": path}, BASE[("income",)]["args"]), expect="either")


@HYPOTHESIS
@given(rows=st.lists(st.tuples(st.sampled_from(["A", "B", "=C", "+D", "é"]),
                               st.sampled_from(["A", "B", "=C", "-E"]), CELLS),
                     min_size=1, max_size=12))
def test_hypothesis_mobility_tables(tmp_path_factory, rows) -> None:
    folder = tmp_path_factory.mktemp("hyp")
    path = folder / "table.csv"
    path.write_text(_table_text(["origin", "destination", "count"], [list(r) for r in rows]),
                    encoding="utf-8", errors="surrogatepass")
    check(_invoke(("mobility", "describe"), {"table": path}, []), expect="either")
    check(_invoke(("mobility", "describe"), {"table": path}, [], fmt="csv"), expect="either",
          fmt="csv")


@HYPOTHESIS
@given(data=st.binary(max_size=2048), suffix=st.sampled_from(
    [".csv", ".xlsx", ".parquet", ".sav", ".dta", ".csv.gz", ".tsv"]))
def test_hypothesis_random_bytes(tmp_path_factory, data, suffix) -> None:
    folder = tmp_path_factory.mktemp("hyp")
    path = folder / f"random{suffix}"
    path.write_bytes(data)
    check(_invoke(("income",), {"file": path}, BASE[("income",)]["args"]), expect="either")
    check(_invoke(("mobility", "describe"), {"table": path}, []), expect="either")


@HYPOTHESIS
@given(text=st.text(max_size=300))
def test_hypothesis_mapping_and_answers_text(tmp_path_factory, kinds, text) -> None:
    folder = tmp_path_factory.mktemp("hyp")
    hr = folder / "hr.csv"
    hr.write_bytes(kinds["hr"].csv())
    mapping = folder / "m.yaml"
    mapping.write_text(text, encoding="utf-8", errors="surrogatepass")
    check(_invoke(("workforce", "report"), {"hr_file": hr, "mapping": mapping},
                  BASE[("workforce", "report")]["args"]), expect="either")
    check(_invoke(("workforce", "assess"), {"answers": mapping}, []), expect="either")


def test_numbers_in_output_are_never_nan_tokens(tmp_path, kinds) -> None:
    # a valid income file with a missing value: JSON output holds null, never NaN
    frame = kinds["income"].frame.copy()
    frame.loc[3, "child"] = np.nan
    path = tmp_path / "pairs.csv"
    frame.to_csv(path, index=False)
    result = _invoke(("income",), {"file": path}, BASE[("income",)]["args"])
    check(result, expect="accept")
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout
    assert isinstance(json.loads(result.stdout), dict)
