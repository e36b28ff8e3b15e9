"""The one failure of client authentication."""

from __future__ import annotations


class NotAuthenticated(Exception):
    """Answered with a bare 401: the reason is logged, never sent, and never contains the token."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
