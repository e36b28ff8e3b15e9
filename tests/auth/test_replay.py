"""Replay protection: a token's jti is accepted once within its lifetime, by every worker sharing the
database, and expired entries are purged."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from service.auth.replay import ReplayCache, SeenToken
from service.settings import Settings
from service.storage.store import Store
from tests.auth.tokens import DISCOVERY_URL, ISSUER, SigningKey, claims, sign
from tests.databases import ON_EVERY_DATABASE

pytestmark = ON_EVERY_DATABASE
NOW = 1_790_000_000


@pytest.fixture
def engines(database_url: str) -> Iterator[Callable[[], Engine]]:
    """engines(): a new engine on the shared database, as one more worker process would have."""
    stores: list[Store] = []

    def engine() -> Engine:
        store = Store(database_url)
        store.create_schema()
        stores.append(store)
        return store.engine

    yield engine
    for store in stores:
        store.dispose()


def rows(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(SeenToken)).scalar_one()


def test_a_jti_is_accepted_once(engines: Callable[[], Engine]) -> None:
    cache = ReplayCache(engines(), clock=lambda: NOW)
    assert cache.first_use(ISSUER, "jti-1", expires_at=NOW + 300)
    assert not cache.first_use(ISSUER, "jti-1", expires_at=NOW + 300)


def test_the_same_jti_from_another_issuer_is_another_token(engines: Callable[[], Engine]) -> None:
    cache = ReplayCache(engines(), clock=lambda: NOW)
    assert cache.first_use(ISSUER, "jti-1", expires_at=NOW + 300)
    assert cache.first_use("https://other-ehr.example.org", "jti-1", expires_at=NOW + 300)


def test_workers_sharing_the_database_agree(engines: Callable[[], Engine]) -> None:
    first, second = ReplayCache(engines(), clock=lambda: NOW), ReplayCache(engines(), clock=lambda: NOW)
    assert first.first_use(ISSUER, "jti-1", expires_at=NOW + 300)
    assert not second.first_use(ISSUER, "jti-1", expires_at=NOW + 300)


def test_concurrent_presentations_of_one_token_admit_exactly_one(engines: Callable[[], Engine]) -> None:
    caches = [ReplayCache(engines(), clock=lambda: NOW) for _ in range(4)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda i: caches[i % 4].first_use(ISSUER, "race", expires_at=NOW + 300),
                                range(16)))
    assert results.count(True) == 1


def test_expired_entries_are_purged(engines: Callable[[], Engine]) -> None:
    now = NOW
    engine = engines()
    cache = ReplayCache(engine, clock=lambda: now)
    assert cache.first_use(ISSUER, "old", expires_at=NOW + 60)
    assert cache.first_use(ISSUER, "older", expires_at=NOW + 30)
    now = NOW + 61
    assert cache.first_use(ISSUER, "new", expires_at=now + 300)
    assert rows(engine) == 1


def test_jti_is_usable_again_once_its_token_has_expired(engines: Callable[[], Engine]) -> None:
    now = NOW
    cache = ReplayCache(engines(), clock=lambda: now)
    assert cache.first_use(ISSUER, "jti-1", expires_at=NOW + 60)
    now = NOW + 61
    assert cache.first_use(ISSUER, "jti-1", expires_at=now + 60)


def test_jti_is_stored_as_a_digest(engines: Callable[[], Engine]) -> None:
    engine = engines()
    ReplayCache(engine, clock=lambda: NOW).first_use(ISSUER, "a-readable-jti", expires_at=NOW + 60)
    with engine.connect() as connection:
        stored = connection.execute(select(SeenToken.jti_sha256)).scalar_one()
    assert "a-readable-jti" not in stored
    assert len(stored) == 64


def test_two_app_workers_on_one_database_refuse_a_replay(jwt_settings: Callable[..., Settings],
                                                        open_client: Callable[[Settings], TestClient],
                                                        es_key: SigningKey) -> None:
    settings = jwt_settings()
    worker_a, worker_b = open_client(settings), open_client(settings)
    token = sign(es_key, claims(DISCOVERY_URL))
    assert worker_a.get("/cds-services", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert worker_b.get("/cds-services", headers={"Authorization": f"Bearer {token}"}).status_code == 401
