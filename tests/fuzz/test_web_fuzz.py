"""Fuzz every upload endpoint of the web app (found from its routes: POST handlers that
take an ``UploadFile``) with the same corrupt and poisoned files as the command line:
never a 5xx or a traceback; bad files are refused on the form (422), good ones shown."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import UploadFile
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socmob.web.security import CSRF_COOKIE


@pytest.fixture(scope="module")
def web():
    from fastapi.testclient import TestClient

    from socmob.web.app import create_app
    from socmob.web.settings import Settings

    app = create_app(Settings(secret_key="fuzz-secret", max_upload_bytes=2_000_000,
                              max_upload_rows=5_000, warm=False))
    with TestClient(app, raise_server_exceptions=False) as client:
        client.get("/employers")
        yield app, client


def _all_routes(routes: Any) -> Iterator[Any]:
    """Every route, looking into included routers (which FastAPI keeps as one entry)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _all_routes(inner.routes)
        else:
            yield route


def upload_routes(app: Any) -> dict[str, list[str]]:
    """``path → names of its file fields`` for every POST route taking uploads."""
    out: dict[str, list[str]] = {}
    for route in _all_routes(app.routes):
        if not isinstance(route, APIRoute) or "POST" not in route.methods:
            continue
        hints = typing.get_type_hints(route.endpoint)
        files = [name for name in inspect.signature(route.endpoint).parameters
                 if UploadFile in (hints.get(name), *typing.get_args(hints.get(name)))]
        if files:
            out[route.path] = files
    return out


#: Good uploads per endpoint and field: (kind of the file, its file name).
BASE: dict[str, dict[str, tuple[str, str]]] = {
    "/explorer": {"file": ("mobility", "table.csv")},
    "/employers": {"file": ("hr", "hr.csv"), "mapping": ("mapping", "hr.mapping.yaml")},
    "/barometer": {"file": ("income", "respondents.csv")},
    "/api/barometer/estimate": {"data": ("income", "respondents.csv")},
    "/assess/upload": {"file": ("scenario", "scenario.yaml")},
}

TABLE_CASES = {
    # name: (expectation, builder(kind, corrupt, to_bytes))
    "empty.csv": ("refuse", lambda k, c, h: b""),
    "header_only.csv": ("refuse", lambda k, c, h: k.csv().splitlines(keepends=True)[0]),
    "binary.csv": ("refuse", lambda k, c, h: bytes(range(256)) * 8),
    "ragged.csv": ("refuse", lambda k, c, h: k.csv() + b"a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\n"),
    "dup.csv": ("refuse", lambda k, c, h: b"a,a\n1,2\n"),
    "inf.csv": ("refuse", lambda k, c, h: _poison(k, "inf")),
    "e308.csv": ("refuse", lambda k, c, h: _poison(k, "1e308")),
    "latin1.csv": ("refuse", lambda k, c, h: k.csv().replace(b"\n", "\ncaf\xe9".encode(
        "latin-1"), 1)),  # the web app accepts UTF-8 text only
    "formula.csv": ("either", lambda k, c, h: _formulas(k)),
    "good.xlsx": ("accept", lambda k, c, h: h(k.frame, ".xlsx")),
    "truncated.xlsx": ("refuse", lambda k, c, h: h(k.frame, ".xlsx")[:600]),
    "not_zip.xlsx": ("refuse", lambda k, c, h: b"PK\x03\x04garbage" * 10),
    "zip_not_workbook.xlsx": ("refuse", lambda k, c, h: c.zip_without_workbook()),
    "malformed.xlsx": ("refuse", lambda k, c, h: c.bad_xlsx_variants(h(k.frame, ".xlsx"))[
        "malformed_sheet_xml"]),
    "bad_styles.xlsx": ("refuse", lambda k, c, h: c.bad_xlsx_variants(h(k.frame, ".xlsx"))[
        "bad_styles"]),
    "good.csv": ("accept", lambda k, c, h: k.csv()),
}

DOCUMENT_CASES = {
    "latin1.yaml": ("refuse", lambda k: (k.document + "note: café\n").encode("latin-1")),
    "binary.yaml": ("refuse", lambda k: bytes(range(1, 256)) * 4),
    "invalid.yaml": ("refuse", lambda k: b"columns: [1, 2\n"),
    "python.yaml": ("refuse", lambda k: b"a: !!python/object/apply:os.system ['true']\n"),
    "list.yaml": ("refuse", lambda k: b"- a\n- b\n"),
    "good.yaml": ("accept", lambda k: k.document.encode()),
}


def _poison(kind: Any, value: str) -> bytes:
    frame = kind.frame.astype(object).copy()
    frame.loc[frame.index[1], kind.numeric] = value
    return frame.to_csv(index=False).encode()


def _formulas(kind: Any) -> bytes:
    frame = kind.frame.astype(object).copy()
    values = ["=HYPERLINK(\"http://evil\")", "+cmd|' /C calc'!A0", "@SUM(1)"]
    uniques = list(dict.fromkeys(frame[kind.text].astype(str)))
    mapping = {u: values[i % 3] + (f" {i}" if i >= 3 else "") for i, u in enumerate(uniques)}
    frame[kind.text] = frame[kind.text].astype(str).map(mapping)
    return frame.to_csv(index=False).encode()


def _post(client: Any, path: str, files: dict[str, tuple[str, bytes]]) -> Any:
    token = client.cookies.get(CSRF_COOKIE)
    return client.post(path, files={k: (name, data, "application/octet-stream")
                                    for k, (name, data) in files.items()},
                       data={"csrf_token": token})


def _good(kinds: dict[str, Any], path: str) -> dict[str, tuple[str, bytes]]:
    out = {}
    for field, (kind_name, name) in BASE[path].items():
        kind = kinds[kind_name]
        out[field] = (name, kind.document.encode() if kind.document is not None else kind.csv())
    return out


def check(response: Any, expect: str) -> None:
    assert response.status_code < 500, response.text[-500:]
    assert "Traceback" not in response.text
    if expect == "refuse":
        assert response.status_code in (413, 422), response.status_code
        assert "There is a problem" in response.text or "too large" in response.text.lower()
    elif expect == "accept":
        assert response.status_code == 200, response.text[-1500:]


def test_every_upload_endpoint_is_fuzzed(web) -> None:
    app, _ = web
    routes = upload_routes(app)
    assert set(routes) >= {"/explorer", "/employers"}
    for path, fields in routes.items():
        assert path in BASE, f"add a base upload for {path}"
        assert set(BASE[path]) <= set(fields) | {"mapping"}


def _cases() -> Iterator[Any]:
    for path, fields in BASE.items():
        for field, (kind_name, _) in fields.items():
            cases = DOCUMENT_CASES if kind_name in ("mapping", "scenario") else TABLE_CASES
            for name, (expect, _build) in cases.items():
                yield pytest.param(path, field, kind_name, name, expect,
                                   id=f"{path}:{field}:{name}")


@pytest.mark.parametrize("path,field,kind_name,name,expect", list(_cases()))
def test_corrupt_uploads(web, kinds, corrupt, to_bytes, path, field, kind_name, name,
                         expect) -> None:
    _, client = web
    kind = kinds[kind_name]
    files = _good(kinds, path)
    if kind.document is not None:
        data = DOCUMENT_CASES[name][1](kind)
    else:
        data = TABLE_CASES[name][1](kind, corrupt, to_bytes)
    files[field] = (name, data)
    check(_post(client, path, files), expect)


def test_zip_bomb_uploads(web, kinds, bomb) -> None:
    _, client = web
    for path, fields in BASE.items():
        for field, (kind_name, _) in fields.items():
            if kinds[kind_name].document is not None:
                continue
            files = _good(kinds, path)
            files[field] = ("bomb.xlsx", bomb)
            response = _post(client, path, files)
            check(response, "refuse")
            assert "zip bomb" in response.text or "expands" in response.text


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.binary(max_size=1500), name=st.sampled_from(["t.csv", "t.xlsx", "t.txt"]))
def test_hypothesis_explorer_uploads(web, data, name) -> None:
    _, client = web
    check(_post(client, "/explorer", {"file": (name, data)}), "either")


def test_all_zero_table_upload_is_refused(web, kinds) -> None:
    _, client = web
    zero = kinds["mobility"].frame.assign(count=0).to_csv(index=False).encode()
    check(_post(client, "/explorer", {"file": ("zero.csv", zero)}), "refuse")
