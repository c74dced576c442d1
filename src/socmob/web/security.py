"""Security for the dashboard: response headers, request-size limits and CSRF tokens.

* **Headers** on every response: a Content-Security-Policy with no inline or evaluated
  script (``script-src 'self'``; the Vega charts run with Vega's CSP-safe expression
  interpreter), ``frame-ancestors 'none'``, ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: same-origin``, ``X-Frame-Options: DENY``, a restrictive
  ``Permissions-Policy`` and ``Cross-Origin-Opener-Policy: same-origin``.
* **Body limit**: requests whose body is larger than ``max_bytes`` are refused with 413
  before they are parsed (by ``Content-Length``, and by counting streamed bytes).
* **CSRF**: the double-submit pattern. A random token, signed with the app's secret
  (itsdangerous), is set in a ``SameSite=Strict`` cookie and repeated in a hidden form
  field; a POST is accepted only if both are present, equal and correctly signed.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
"""The Content-Security-Policy. Inline *styles* are allowed because Vega writes style
attributes when it draws charts in the browser; no inline or evaluated script is."""

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)

CSRF_COOKIE = "socmob_csrf"
CSRF_FIELD = "csrf_token"


class SecurityMiddleware:
    """ASGI middleware adding :data:`SECURITY_HEADERS` and enforcing a body limit."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in {h for h, _ in SECURITY_HEADERS}]
                headers.extend(SECURITY_HEADERS)
                message["headers"] = headers
            await send(message)

        length = _content_length(scope)
        if length is not None and length > self.max_bytes:
            await _too_large(send_with_headers, self.max_bytes)
            return

        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send_with_headers(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLargeError:
            if not started:
                await _too_large(send_with_headers, self.max_bytes)


class _BodyTooLargeError(Exception):
    pass


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _too_large(send: Send, limit: int) -> None:
    body = (f"<!DOCTYPE html><html lang=\"en\"><head><title>File too large – socmob</title>"
            f"</head><body><main><h1>File too large</h1><p>Uploads are limited to "
            f"{limit / 1_048_576:.1f} MB. Go back and choose a smaller file.</p>"
            f"</main></body></html>").encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class CSRF:
    """Issue and check double-submit CSRF tokens signed with ``secret``."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeSerializer(secret, salt="socmob-csrf")

    def new_token(self) -> str:
        """A fresh signed token."""
        return str(self._serializer.dumps(secrets.token_urlsafe(24)))

    def valid(self, token: str | None) -> bool:
        """Whether ``token`` carries a valid signature."""
        if not token:
            return False
        try:
            self._serializer.loads(token)
        except BadSignature:
            return False
        return True

    def check(self, cookie: str | None, submitted: str | None) -> bool:
        """Whether a form submission passes: cookie and field present, equal, signed."""
        if not cookie or not submitted:
            return False
        return hmac.compare_digest(cookie, submitted) and self.valid(cookie)
