"""Pages, API answers and static files of the embedded data, made once and served from
memory, with validators (ETag, Last-Modified → 304) and compression (br, gzip).

The embedded data is immutable per release, so a ``GET`` answer is a function of its
address and of the data version alone. :class:`CacheMiddleware` (plain ASGI, no
per-request framework work on a hit) keeps the first ``200`` answer to each address —
its bytes, a gzip and a brotli copy, and an ETag made of the data version and a hash of
the bytes — and answers every later request for it from memory:

* ``If-None-Match`` with a current ETag (or ``If-Modified-Since`` not older than the
  data) → ``304 Not Modified``, no body;
* otherwise the smallest encoding the client accepts (``Accept-Encoding``: br, then
  gzip, else identity), with ``Vary: Accept-Encoding``.

Pages are ``Cache-Control: public, no-cache`` (browsers and proxies keep them and ask
again each time, cheaply, with the ETag); static files ``public, max-age=3600``; a
handler may give its own ``public, …`` policy (the map's geometry: a day).

**What is never kept**: anything but a ``GET``/``HEAD`` (so nothing derived from an
upload, which always arrives in a ``POST``: those answers are sent with
``Cache-Control: no-store``), any answer other than ``200``, an answer that sets a
cookie, and an answer whose handler says ``Cache-Control: no-store`` or ``private``
(:func:`no_store`). A ``GET`` handler whose answer depends on anything other than the
address and the embedded data (a cookie, a header, a user's file) must say so with
:func:`no_store`.

**Forms** need a CSRF token per browser, which would make every page with a form
uncacheable. Instead a ``GET`` page is rendered with :data:`CSRF_MARKER` where the token
goes and kept once, cut at the marker, each piece compressed beforehand; on the way out
the browser's own token (its valid cookie, or a fresh token set in a cookie) is put
between the pieces, and only the token is compressed (:func:`personal_gzip`). Such a
page is ``private`` and its ETag carries a digest of the token, so a browser never
revalidates a copy holding another token.

**Data version** (:func:`data_version`): a hash of the packaged data files and the
socmob version, read once at start. An entry made under another version is never served:
when :attr:`ResponseCache.version` changes every entry is dropped and its ETag no
longer matches.

**Bounds**: at most ``max_entries`` entries and ``max_bytes`` bytes (least recently used
dropped first), so odd query strings cannot grow memory without limit. Concurrent first
requests for one address wait for a single rendering.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import hmac
import struct
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any

from socmob import __version__
from socmob.web.security import (
    CSRF,
    CSRF_COOKIE,
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
)

try:  # brotli comes with the web extra (weasyprint's fonttools); gzip is always there
    import brotli as _brotli
except ImportError:  # pragma: no cover - the lock file installs it
    _brotli = None

__all__ = [
    "CSRF_MARKER",
    "CacheMiddleware",
    "Entry",
    "ResponseCache",
    "data_files",
    "data_modified",
    "data_version",
    "no_store",
]

CSRF_MARKER = "__socmob_csrf_token__"
"""Stands for the CSRF token in a page rendered for the cache (see the module docstring)."""

NO_STORE = "no-store"
PAGE_CACHE_CONTROL = b"public, no-cache"
PRIVATE_CACHE_CONTROL = b"private, no-cache"
STATIC_CACHE_CONTROL = b"public, max-age=3600"
STATIC_PREFIX = "/static/"

#: Media types worth compressing (others, e.g. PDF and images, are already compressed).
COMPRESSIBLE = (b"text/", b"application/json", b"application/javascript",
                b"application/geo+json", b"image/svg+xml", b"application/xml")
MIN_COMPRESS = 512
BROTLI_QUALITY = 5
GZIP_LEVEL = 6

#: Request headers the application never sees on a fill: the cache answers them.
_CONDITIONAL = {b"if-none-match", b"if-modified-since", b"if-match",
                b"if-unmodified-since", b"if-range", b"range", b"accept-encoding"}
#: Response headers the cache sets itself.
_OWN = {b"content-length", b"etag", b"last-modified", b"cache-control",
        b"content-encoding", b"vary", b"accept-ranges"}


# --------------------------------------------------------------------------- version


def data_files() -> list[Path]:
    """The packaged data files the dashboard's answers are made from."""
    from socmob.data import data_dir

    return sorted(p for p in data_dir().rglob("*") if p.is_file())


def data_version() -> str:
    """A short hash of the packaged data files (names and bytes) and the socmob version:
    it changes whenever an answer could."""
    digest = hashlib.sha256(__version__.encode())
    for path in data_files():
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def data_modified() -> float:
    """When the packaged data last changed (the newest file's time), for Last-Modified."""
    times = [p.stat().st_mtime for p in data_files()]
    return max(times) if times else 0.0


def no_store(response: Any) -> Any:
    """Mark ``response`` as not to be kept by the cache nor by browsers (its content
    depends on more than the address and the embedded data). Returns it."""
    response.headers["cache-control"] = NO_STORE
    return response


# --------------------------------------------------------------------------- entries


def _compress(body: bytes, content_type: bytes) -> tuple[bytes | None, bytes | None]:
    if len(body) < MIN_COMPRESS or not content_type.startswith(COMPRESSIBLE):
        return None, None
    gz = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
    br = _brotli.compress(body, quality=BROTLI_QUALITY) if _brotli is not None else None
    return (gz if len(gz) < len(body) else None,
            br if br is not None and len(br) < len(body) else None)


_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, mtime 0
_DEFLATE_END = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)


def _deflate_segment(data: bytes) -> bytes:
    """``data`` as raw deflate blocks that refer to nothing before them and end on a
    byte boundary (a full flush), so that segments can be joined into one stream."""
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


def personal_gzip(parts: tuple[bytes, ...], deflated: tuple[bytes, ...], token: bytes
                  ) -> bytes:
    """The gzip stream of ``token.join(parts)`` from the parts compressed beforehand
    (``deflated``): only the token is compressed now (RFC 1951 blocks may follow one
    another; back-references stay inside their own segment)."""
    token_block = _deflate_segment(token)
    crc = 0
    size = 0
    pieces = [_GZIP_HEADER]
    for k, (part, block) in enumerate(zip(parts, deflated, strict=True)):
        if k:
            pieces.append(token_block)
            crc = zlib.crc32(token, crc)
            size += len(token)
        pieces.append(block)
        crc = zlib.crc32(part, crc)
        size += len(part)
    pieces.append(_DEFLATE_END)
    pieces.append(struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF))
    return b"".join(pieces)


@dataclass(frozen=True)
class Entry:
    """One kept answer: status, headers (without the cache's own), the bytes in each
    encoding, the ETag stem, and whether the body holds :data:`CSRF_MARKER`."""

    version: str
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    gzip: bytes | None
    br: bytes | None
    etag: str
    cache_control: bytes
    personal: bool
    compressible: bool
    parts: tuple[bytes, ...] = ()
    """A personal page: the body cut at each :data:`CSRF_MARKER`."""
    deflated: tuple[bytes, ...] = ()
    """A personal page: each of :attr:`parts` compressed on its own (raw deflate, ended
    on a byte boundary), so that the page with a browser's token is gzipped by
    compressing only the token (:func:`personal_gzip`)."""

    @property
    def size(self) -> int:
        return (len(self.body) + len(self.gzip or b"") + len(self.br or b"")
                + sum(len(d) for d in self.deflated))

    @classmethod
    def make(cls, version: str, status: int, headers: Iterable[tuple[bytes, bytes]],
             body: bytes, *, static: bool) -> Entry:
        headers = list(headers)
        kept = tuple((k, v) for k, v in headers if k.lower() not in _OWN)
        content_type = next((v for k, v in kept if k.lower() == b"content-type"), b"")
        personal = CSRF_MARKER.encode() in body
        compressible = (len(body) >= MIN_COMPRESS
                        and content_type.startswith(COMPRESSIBLE))
        gz, br = (None, None) if personal else _compress(body, content_type)
        etag = f"{version}-{hashlib.sha256(body).hexdigest()[:16]}"
        own = next((v for k, v in headers if k.lower() == b"cache-control"), None)
        control = (PRIVATE_CACHE_CONTROL if personal else
                   own if own is not None and own.lower().startswith(b"public") else
                   STATIC_CACHE_CONTROL if static else PAGE_CACHE_CONTROL)
        parts: tuple[bytes, ...] = ()
        deflated: tuple[bytes, ...] = ()
        if personal:
            parts = tuple(body.split(CSRF_MARKER.encode()))
            if compressible:
                deflated = tuple(_deflate_segment(p) for p in parts)
        return cls(version, status, kept, body, gz, br, etag, control, personal,
                   compressible, parts, deflated)


class ResponseCache:
    """Kept answers by address (path and query string), all of one data version."""

    def __init__(self, version: str, last_modified: float, *, max_entries: int = 4096,
                 max_bytes: int = 512 * 1024 * 1024) -> None:
        self._version = version
        self.last_modified = last_modified
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, bytes], Entry] = OrderedDict()
        self._bytes = 0

    @property
    def version(self) -> str:
        """The data version of every kept answer; setting another drops them all."""
        return self._version

    @version.setter
    def version(self, value: str) -> None:
        if value != self._version:
            self._version = value
            self.clear()

    @property
    def last_modified_header(self) -> bytes:
        return formatdate(self.last_modified, usegmt=True).encode()

    def get(self, key: tuple[str, bytes]) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.version != self._version:  # made under other data: never served
            self.clear()
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: tuple[str, bytes], entry: Entry) -> None:
        if entry.version != self._version or entry.size > self.max_bytes:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= old.size
        self._entries[key] = entry
        self._bytes += entry.size
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= dropped.size

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def keys(self) -> list[tuple[str, bytes]]:
        """The kept addresses, least recently used first."""
        return list(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[tuple[str, bytes]]:
        return iter(list(self._entries))

    @property
    def bytes(self) -> int:
        """Bytes held (every encoding of every entry)."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)


# --------------------------------------------------------------------------- middleware


@dataclass
class _Captured:
    status: int = 500
    headers: list[tuple[bytes, bytes]] | None = None
    body: bytearray | None = None


def _header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return bytes(value)
    return None


def _accepts(accept: bytes | None, coding: bytes) -> bool:
    if not accept:
        return False
    for part in accept.split(b","):
        name, _, params = part.strip().partition(b";")
        if name.strip().lower() == coding:
            q = params.strip()
            return not (q.startswith(b"q=") and q[2:].strip() in {b"0", b"0.0", b"0.00",
                                                                   b"0.000"})
    return False


def _cookie(header: bytes | None, name: str) -> str | None:
    if not header:
        return None
    for part in header.decode("latin-1").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


class CacheMiddleware:
    """ASGI middleware answering ``GET``/``HEAD`` from a :class:`ResponseCache` (see the
    module docstring); ``csrf`` issues and checks the tokens put into pages with forms."""

    def __init__(self, app: ASGIApp, *, cache: ResponseCache, csrf: CSRF) -> None:
        self.app = app
        self.cache = cache
        self.csrf = csrf
        self._pending: dict[tuple[str, bytes], asyncio.Future[Entry | None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, _no_store(send))
            return
        key = (scope.get("root_path", "") + scope["path"], scope.get("query_string", b""))
        entry = self.cache.get(key)
        if entry is None:
            entry, captured = await self._fill(key, scope, receive)
            if entry is None:
                assert captured is not None
                await self._replay(captured, scope, send)
                return
        await self._answer(entry, scope, send)

    # ------------------------------------------------------------------ filling

    async def _fill(self, key: tuple[str, bytes], scope: Scope, receive: Receive
                    ) -> tuple[Entry | None, _Captured | None]:
        pending = self._pending.get(key)
        if pending is not None:
            entry = await asyncio.shield(pending)
            if entry is not None:
                return entry, None
            return None, await self._call(scope, receive)
        future: asyncio.Future[Entry | None] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        entry = None
        try:
            captured = await self._call(scope, receive)
            if self._keepable(captured):
                entry = Entry.make(self.cache.version, captured.status,
                                   captured.headers or [], bytes(captured.body or b""),
                                   static=key[0].startswith(STATIC_PREFIX))
                self.cache.put(key, entry)
        finally:
            future.set_result(entry)
            self._pending.pop(key, None)
        return entry, captured

    async def _call(self, scope: Scope, receive: Receive) -> _Captured:
        inner = dict(scope)
        inner["method"] = "GET"
        inner["headers"] = [(k, v) for k, v in scope.get("headers", [])
                            if k.lower() not in _CONDITIONAL]
        captured = _Captured(body=bytearray())

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured.status = int(message["status"])
                captured.headers = [(bytes(k), bytes(v)) for k, v in
                                    message.get("headers", [])]
            elif message["type"] == "http.response.body":
                assert captured.body is not None
                captured.body += message.get("body", b"")

        await self.app(inner, receive, capture)
        return captured

    @staticmethod
    def _keepable(captured: _Captured) -> bool:
        if captured.status != 200 or captured.headers is None:
            return False
        if _header(captured.headers, b"set-cookie") is not None:
            return False
        control = (_header(captured.headers, b"cache-control") or b"").lower()
        return b"no-store" not in control and b"private" not in control

    # ------------------------------------------------------------------ answering

    def _token(self, scope: Scope) -> tuple[str, bool]:
        cookie = _cookie(_header(scope.get("headers", []), b"cookie"), CSRF_COOKIE)
        if cookie is not None and self.csrf.valid(cookie):
            return cookie, False
        return self.csrf.new_token(), True

    def _set_cookie(self, token: str, scope: Scope) -> tuple[bytes, bytes]:
        secure = "; secure" if scope.get("scheme") == "https" else ""
        return (b"set-cookie", f"{CSRF_COOKIE}={token}; HttpOnly; Path=/; "
                               f"SameSite=strict{secure}".encode())

    async def _answer(self, entry: Entry, scope: Scope, send: Send) -> None:
        headers_in = scope.get("headers", [])
        accept = _header(headers_in, b"accept-encoding")
        extra: list[tuple[bytes, bytes]] = []
        if entry.personal:
            token, fresh = self._token(scope)
            tag = hmac.new(entry.etag.encode(), token.encode(), "sha256").hexdigest()[:12]
            etag = f"{entry.etag}-{tag}"
            if fresh:
                extra.append(self._set_cookie(token, scope))
            if entry.deflated and _accepts(accept, b"gzip"):
                coding = b"gzip"
                body = personal_gzip(entry.parts, entry.deflated, token.encode())
            else:
                coding, body = b"", token.encode().join(entry.parts)
            vary = b"Accept-Encoding, Cookie"
        else:
            if entry.br is not None and _accepts(accept, b"br"):
                coding, body = b"br", entry.br
            elif entry.gzip is not None and _accepts(accept, b"gzip"):
                coding, body = b"gzip", entry.gzip
            else:
                coding, body = b"", entry.body
            etag = entry.etag
            vary = b"Accept-Encoding"
        quoted = f'"{etag}{"-" + coding.decode() if coding else ""}"'.encode()
        common = [(b"etag", quoted), (b"cache-control", entry.cache_control)]
        if not entry.personal:
            common.append((b"last-modified", self.cache.last_modified_header))
        if entry.compressible:
            common.append((b"vary", vary))
        if self._not_modified(entry, etag, headers_in):
            keep = [(k, v) for k, v in entry.headers
                    if k.lower() not in {b"content-type", b"content-disposition"}]
            await send({"type": "http.response.start", "status": 304,
                        "headers": keep + common + extra})
            await send({"type": "http.response.body", "body": b""})
            return
        out = list(entry.headers) + common + extra
        if coding:
            out.append((b"content-encoding", coding))
        out.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": entry.status, "headers": out})
        await send({"type": "http.response.body",
                    "body": b"" if scope["method"] == "HEAD" else body})

    def _not_modified(self, entry: Entry, etag: str, headers: Iterable[tuple[bytes, bytes]]
                      ) -> bool:
        headers = list(headers)
        match = _header(headers, b"if-none-match")
        if match is not None:
            if match.strip() == b"*":
                return True
            stems = {t.strip().removeprefix(b"W/").strip(b'"') for t in match.split(b",")}
            return any(s == etag.encode() or (s.startswith(etag.encode() + b"-")
                                              and s[len(etag) + 1:] in {b"gzip", b"br"})
                       for s in stems)
        since = _header(headers, b"if-modified-since")
        if since is None or entry.personal:
            return False
        try:
            when = parsedate_to_datetime(since.decode("latin-1")).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
        return int(self.cache.last_modified) <= when

    async def _replay(self, captured: _Captured, scope: Scope, send: Send) -> None:
        """Send an answer that is not kept, with the CSRF marker replaced as for kept
        pages (e.g. a 404 page, or a page its handler marked ``no-store``)."""
        headers = list(captured.headers or [])
        body = bytes(captured.body or b"")
        if CSRF_MARKER.encode() in body:
            token, fresh = self._token(scope)
            body = body.replace(CSRF_MARKER.encode(), token.encode())
            headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            if fresh:
                headers.append(self._set_cookie(token, scope))
            if _header(headers, b"cache-control") is None:
                headers.append((b"cache-control", b"private, no-store"))
        await send({"type": "http.response.start", "status": captured.status,
                    "headers": headers})
        await send({"type": "http.response.body",
                    "body": b"" if scope["method"] == "HEAD" else body})


def _no_store(send: Send) -> Send:
    """``send`` adding ``Cache-Control: no-store`` to an answer that does not say how it
    may be kept (the answers to ``POST``: uploads)."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            if _header(headers, b"cache-control") is None:
                headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
        await send(message)

    return wrapped
