"""HTTP hygiene around every answer: security headers, and the request-body size limit.

Both are plain ASGI middleware, so they also cover answers produced outside the routes (401, 404, 500,
CORS preflights).
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.wire.errors import CdsError
from service.wire.responses import error_response

SECURITY_HEADERS = {
    # JSON is never to be sniffed into HTML/script, framed, or leak the URL as a referrer.
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    # Answers are about one patient: no browser or proxy may keep them.
    "Cache-Control": "no-store",
}
HSTS = "max-age=31536000"


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every answer (a header the route set itself is kept), and HSTS when the
    service is published over https."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.headers = {**SECURITY_HEADERS, **({"Strict-Transport-Security": HSTS} if https else {})}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodySizeLimit:
    """Answers 413 to a body larger than `max_bytes` before anything parses it: at once when the declared
    Content-Length is too large, else (chunked bodies) as soon as the bytes read exceed the limit."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            # The server delivers no more than the declared length.
            if declared.isdigit() and int(declared) > self.max_bytes:
                await self._too_large(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        body = bytearray()
        more_body = True
        while more_body:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            more_body = message.get("more_body", False)
        await self.app(scope, _replay(bytes(body), receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer = error_response(CdsError(413, [f"body: larger than {self.max_bytes} bytes"]))
        await answer(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive channel that hands over the already read body once, then listens to the client again."""
    delivered = False

    async def replayed() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
