"""Replay protection: each token's `jti` is accepted once within the token's lifetime.

The accepted `jti`s are kept in the service's database, so that every worker process (and every replica
sharing the database) refuses a token another one has already accepted. The table lives in the storage
schema (`service.storage.tables.Base`) and is created by its migrations (service/storage/migrations/).
`jti`s are stored as SHA-256 digests: fixed width, and nothing a client sent is kept verbatim.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from sqlalchemy import BigInteger, Engine, Integer, String, UniqueConstraint, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from service.storage.tables import Base


class SeenToken(Base):
    __tablename__ = "seen_client_token"
    __table_args__ = (UniqueConstraint("issuer", "jti_sha256", name="uq_seen_client_token"),)

    # 64-bit: one row per authenticated call; SQLite's rowid (INTEGER PRIMARY KEY) is 64-bit already.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    issuer: Mapped[str] = mapped_column(String(512))
    jti_sha256: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)
    """Epoch seconds after which the token can no longer be accepted, so neither can a replay of it."""


class ReplayCache:
    def __init__(self, engine: Engine, *, clock: Callable[[], float] = time.time) -> None:
        self._sessions = sessionmaker(engine)
        self._clock = clock

    def first_use(self, issuer: str, jti: str, *, expires_at: int) -> bool:
        """Record the token; False when this issuer's `jti` was already recorded and has not expired.

        The unique constraint decides, not a read before the write, so two workers receiving the same
        token at the same moment cannot both accept it.
        """
        now = int(self._clock())
        try:
            with self._sessions.begin() as session:
                session.execute(delete(SeenToken).where(SeenToken.expires_at < now))
                session.add(SeenToken(issuer=issuer, jti_sha256=hashlib.sha256(jti.encode()).hexdigest(),
                                      expires_at=expires_at))
        except IntegrityError:
            return False
        return True
