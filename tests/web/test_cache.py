"""The response cache (socmob.web.cache): answers of the embedded data made once and kept
per data version, validators and 304s, compression, per-browser CSRF tokens in kept
pages, and nothing derived from an upload ever kept or shared."""

from __future__ import annotations

import gzip
import re

import pytest
from fastapi.testclient import TestClient

from socmob.web.app import create_app
from socmob.web.cache import CSRF_MARKER, ResponseCache
from socmob.web.security import CSRF_COOKIE
from socmob.web.settings import Settings

brotli = pytest.importorskip("brotli")


@pytest.fixture()
def fresh():
    """An app of its own (its cache starts empty; a test may change its data version)."""
    app = create_app(Settings(secret_key="cache-test", warm=False, max_upload_rows=2_000,
                              data_version="version-one"))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield app, client


def _cache(app) -> ResponseCache:
    return app.state.cache


def test_a_page_is_made_once_and_kept(fresh):
    app, client = fresh
    first = client.get("/methods")
    assert first.status_code == 200
    assert ("/methods", b"") in _cache(app)
    second = client.get("/methods")
    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]
    assert first.headers["cache-control"] == "public, no-cache"
    assert first.headers["last-modified"].endswith("GMT")
    # the kept answer carries the security headers
    assert "frame-ancestors 'none'" in second.headers["content-security-policy"]


def test_conditional_requests_get_304_with_the_same_etag(fresh):
    _, client = fresh
    r = client.get("/api/indices")
    etag = r.headers["etag"]
    again = client.get("/api/indices", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    # a list of tags, one of them current
    assert client.get("/api/indices", headers={
        "if-none-match": f'"nope", {etag}'}).status_code == 304
    assert client.get("/api/indices", headers={"if-none-match": '"nope"'}).status_code == 200
    since = client.get("/api/indices", headers={"if-modified-since": r.headers["last-modified"]})
    assert since.status_code == 304
    old = client.get("/api/indices",
                     headers={"if-modified-since": "Mon, 01 Jan 1990 00:00:00 GMT"})
    assert old.status_code == 200 and old.content == r.content


def test_compressed_answers_decode_to_the_same_bytes(fresh):
    _, client = fresh
    plain = client.get("/methods", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers
    gz = client.get("/methods", headers={"accept-encoding": "gzip"})
    assert gz.headers["content-encoding"] == "gzip"
    assert gz.headers["vary"] == "Accept-Encoding"
    br = client.get("/methods", headers={"accept-encoding": "gzip, deflate, br"})
    assert br.headers["content-encoding"] == "br"
    # the test client decodes both: the same page; each encoding has its own tag
    assert gz.content == br.content == plain.content
    assert len({plain.headers["etag"], gz.headers["etag"], br.headers["etag"]}) == 3
    # a 304 for the compressed copy too
    again = client.get("/methods", headers={"accept-encoding": "br",
                                            "if-none-match": br.headers["etag"]})
    assert again.status_code == 304
    # q=0 refuses an encoding
    assert "content-encoding" not in client.get(
        "/methods", headers={"accept-encoding": "br;q=0, gzip;q=0"}).headers


def test_a_new_data_version_drops_every_kept_answer(fresh):
    app, client = fresh
    r = client.get("/api/indices")
    etag = r.headers["etag"]
    assert etag.startswith('"version-')
    assert len(_cache(app)) == 1
    _cache(app).version = "version-two"  # e.g. a new release of the embedded data
    assert len(_cache(app)) == 0
    again = client.get("/api/indices", headers={"if-none-match": etag})
    assert again.status_code == 200  # the old tag no longer matches
    assert again.headers["etag"] != etag and again.headers["etag"].startswith('"version-')
    assert again.content == r.content  # (the data itself did not change in this test)
    assert client.get("/api/indices", headers={
        "if-none-match": again.headers["etag"]}).status_code == 304


def test_an_entry_of_another_version_is_never_served():
    from socmob.web.cache import Entry

    cache = ResponseCache("one", 0.0)
    cache.put(("/x", b""), Entry.make("one", 200, [(b"content-type", b"text/plain")],
                                      b"old", static=False))
    cache._version = "two"  # as if the version changed under a kept entry
    assert cache.get(("/x", b"")) is None and len(cache) == 0
    cache.put(("/x", b""), Entry.make("one", 200, [], b"old", static=False))
    assert len(cache) == 0  # an entry made under another version is not kept


def test_the_cache_is_bounded():
    from socmob.web.cache import Entry

    cache = ResponseCache("v", 0.0, max_entries=3, max_bytes=10_000)
    for k in range(5):
        cache.put((f"/p{k}", b""), Entry.make("v", 200, [], b"x" * 100, static=False))
    assert len(cache) == 3 and cache.keys()[0] == ("/p2", b"")
    cache.put(("/big", b""), Entry.make("v", 200, [], b"y" * 20_000, static=False))
    assert ("/big", b"") not in cache
    assert cache.bytes <= 10_000


def test_static_files_are_served_from_memory_with_validators(fresh):
    app, client = fresh
    r = client.get("/static/js/socmob.js", headers={"accept-encoding": "gzip"})
    assert r.status_code == 200 and "enhanceCharts" in r.text
    assert r.headers["cache-control"] == "public, max-age=3600"
    assert r.headers["content-encoding"] == "gzip"
    assert ("/static/js/socmob.js", b"") in _cache(app)
    assert client.get("/static/js/socmob.js", headers={
        "if-none-match": r.headers["etag"], "accept-encoding": "gzip"}).status_code == 304


def test_head_is_answered_from_the_same_entry(fresh):
    _, client = fresh
    get = client.get("/api/indices")
    head = client.head("/api/indices")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]


def test_errors_are_not_kept(fresh):
    app, client = fresh
    assert client.get("/areas/atlantis").status_code == 404
    assert client.get("/map.csv", params={"index": "ci9"}).status_code == 404
    assert not [k for k in _cache(app) if k[0] in {"/areas/atlantis", "/map.csv"}]


def test_health_answers_are_not_kept(fresh):
    app, client = fresh
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json()["data_version"] == "version-one"
    assert r.headers["cache-control"] == "no-store"
    assert client.get("/healthz").headers["cache-control"] == "no-store"
    assert not [k for k in _cache(app) if k[0] in {"/readyz", "/healthz"}]


# ------------------------------------------------------------------- forms and tokens


def _token(text: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)


def test_a_page_with_a_form_is_kept_once_but_each_browser_gets_its_own_token(fresh):
    app, _ = fresh
    with TestClient(app) as one, TestClient(app) as two:
        a = one.get("/explorer")
        b = two.get("/explorer")
        assert ("/explorer", b"") in _cache(app)
        assert CSRF_MARKER not in a.text and CSRF_MARKER not in b.text
        ta, tb = _token(a.text), _token(b.text)
        assert ta != tb
        assert one.cookies[CSRF_COOKIE] == ta and two.cookies[CSRF_COOKIE] == tb
        assert a.headers["cache-control"] == "private, no-cache"
        assert a.headers["etag"] != b.headers["etag"]
        # a browser that has its cookie keeps its token, and may revalidate its copy
        again = one.get("/explorer")
        assert _token(again.text) == ta and "set-cookie" not in again.headers
        assert one.get("/explorer", headers={
            "if-none-match": again.headers["etag"]}).status_code == 304
        # the other browser's tag does not match this browser's copy
        assert one.get("/explorer", headers={
            "if-none-match": b.headers["etag"]}).status_code == 200
        # and the token works for posting the form
        table = b"origin,destination,count\na,a,4\na,b,1\nb,a,2\nb,b,5\n"
        r = one.post("/explorer", files={"file": ("t.csv", table, "text/csv")},
                     data={"csrf_token": ta})
        assert r.status_code == 200 and "Results for t.csv" in r.text


def test_a_kept_page_with_a_form_is_compressed_per_request(fresh):
    _, client = fresh
    r = client.get("/employers", headers={"accept-encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert _token(r.text) == client.cookies[CSRF_COOKIE]


# ------------------------------------------------------------------- uploads


def _upload(client, table: bytes):
    client.get("/explorer")
    token = client.cookies[CSRF_COOKIE]
    return client.post("/explorer", files={"file": ("mine.csv", table, "text/csv")},
                       data={"csrf_token": token, "model": "independence"})


def test_no_upload_is_ever_kept_or_shared(fresh):
    app, client = fresh
    client.get("/explorer")
    before = (_cache(app).keys(), _cache(app).bytes)
    one = _upload(client, b"origin,destination,count\nx,x,40\nx,y,10\ny,x,20\ny,y,30\n")
    two = _upload(client, b"origin,destination,count\nx,x,5\nx,y,50\ny,x,45\ny,y,7\n")
    assert one.status_code == two.status_code == 200
    assert one.headers["cache-control"] == two.headers["cache-control"] == "no-store"
    assert "etag" not in one.headers
    # two different uploads, two different answers: (40·30)/(10·20) = 6 and
    # (5·7)/(50·45) = 0.0156
    assert re.search(r">\s*6(\.000)?\s*<", one.text)
    assert not re.search(r">\s*6(\.000)?\s*<", two.text)
    assert re.search(r">\s*0\.016\s*<", two.text)
    # no entry was added, none grew
    assert (_cache(app).keys(), _cache(app).bytes) == before
    # and the explorer page itself still shows no one's results
    page = client.get("/explorer").text
    assert "mine.csv" not in page and "Results for" not in page


def test_a_refused_upload_is_not_kept_either(fresh):
    app, client = fresh
    client.get("/employers")
    before = (_cache(app).keys(), _cache(app).bytes)
    token = client.cookies[CSRF_COOKIE]
    r = client.post("/employers", files={"file": ("hr.csv", b"a,b\n1,2\n", "text/csv")},
                    data={"csrf_token": token})
    assert r.status_code == 422 and r.headers["cache-control"] == "no-store"
    assert (_cache(app).keys(), _cache(app).bytes) == before


def test_gzip_entry_is_a_real_gzip_stream(fresh):
    app, client = fresh
    client.get("/methods")
    entry = _cache(app).get(("/methods", b""))
    assert entry is not None and entry.gzip is not None and entry.br is not None
    assert gzip.decompress(entry.gzip) == entry.body
    assert brotli.decompress(entry.br) == entry.body


@pytest.mark.parametrize("body", [
    b"<form><input value='" + CSRF_MARKER.encode() + b"'></form>" + b"x" * 5000,
    CSRF_MARKER.encode() + b" middle " * 300 + CSRF_MARKER.encode(),
    b"one at the end " * 100 + CSRF_MARKER.encode(),
])
def test_a_personal_page_gzips_to_the_page_with_the_token(body):
    import zlib

    from socmob.web.cache import Entry, personal_gzip

    entry = Entry.make("v", 200, [(b"content-type", b"text/html")], body, static=False)
    token = b"abc.DEF-123_token"
    stream = personal_gzip(entry.parts, entry.deflated, token)
    expected = body.replace(CSRF_MARKER.encode(), token)
    assert gzip.decompress(stream) == expected
    # as a browser's inflater reads it: one gzip member, nothing left over
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert inflater.decompress(stream) + inflater.flush() == expected
    assert inflater.eof and not inflater.unused_data
