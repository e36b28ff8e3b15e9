"""HTTP hygiene around every answer: security headers, and the request-body size limit.

Both are plain ASGI middleware, so they also cover answers produced outside the routes (401, 404, 500,
CORS preflights).
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
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
    Content-Length is too large, else (chunked bodies) as soon as the bytes read exceed the limit.

    A chunked body is counted as the app reads it, never read ahead: a hook call waiting for its turn
    (service.api.admission) leaves its body unread whatever its framing.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.refusal = f"body: larger than {max_bytes} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is None:
            await self.app(scope, self._counted(receive), send)
        elif declared.isdigit() and int(declared) > self.max_bytes:
            answer = error_response(CdsError(413, [self.refusal]))
            await answer(scope, receive, send)
        else:
            # The server delivers no more than the declared length.
            await self.app(scope, receive, send)

    def _counted(self, receive: Receive) -> Receive:
        """`receive` that fails the read with 413 once more than `max_bytes` have arrived. Raised as an
        HTTPException, it is answered as an OperationOutcome by the app's handler even when a body is read
        by FastAPI, which turns any other exception into a 400."""
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, self.refusal)
            return message

        return counted
