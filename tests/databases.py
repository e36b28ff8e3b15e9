"""The tests' databases: a SQLite file, or an empty schema of its own on the PostgreSQL server that
PRT_CDS_TEST_POSTGRES_URL names (`. .ci/postgres.sh` starts one and sets it).

A test module that touches the database runs on both with `pytestmark = ON_EVERY_DATABASE`; its tests then
get the database through the `database_url` fixture (or `settings`, which uses it). Without
PRT_CDS_TEST_POSTGRES_URL the PostgreSQL variants are skipped, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from service.storage.store import Store

POSTGRES_URL_VARIABLE = "PRT_CDS_TEST_POSTGRES_URL"
ON_EVERY_DATABASE = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def postgres_schemas() -> Iterator[Callable[[], str]]:
    """new_schema(): the URL of a new empty schema on the test server, the only one on its search path.
    The schemas are dropped at the end of the session."""
    server = os.environ.get(POSTGRES_URL_VARIABLE)
    if not server:
        if _in_ci():
            pytest.fail(f"{POSTGRES_URL_VARIABLE} is not set: CI runs the database tests on PostgreSQL too")
        pytest.skip(f"{POSTGRES_URL_VARIABLE} is not set (`. .ci/postgres.sh` starts a server)")
    admin = create_engine(server)
    created: list[str] = []

    def new_schema() -> str:
        name = f"test_{uuid.uuid4().hex[:16]}"
        with admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {name}")
        created.append(name)
        url = make_url(server).update_query_dict({"options": f"-csearch_path={name}"})
        return url.render_as_string(hide_password=False)

    yield new_schema
    with admin.begin() as connection:
        for name in created:
            connection.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
    admin.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """This test's database, as an operator prepares it: a new SQLite file (the service migrates it at
    start), or with ON_EVERY_DATABASE also a new PostgreSQL schema, migrated as `palliative-rt-cds migrate`
    does before the service starts."""
    if getattr(request, "param", "sqlite") == "postgresql":
        url = request.getfixturevalue("postgres_schemas")()
        store = Store(url)
        store.create_schema()
        store.dispose()
        return url
    return f"sqlite:///{tmp_path / 'cds.db'}"


StoreType = TypeVar("StoreType", bound=Store)


def migrated(store: StoreType) -> Iterator[StoreType]:
    """`store` with the current schema, disposed of after the test."""
    store.create_schema()
    yield store
    store.dispose()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A store on this test's database, migrated."""
    yield from migrated(Store(database_url))
