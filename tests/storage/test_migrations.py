"""Schema migrations: they build exactly the schema the models describe, on SQLite and PostgreSQL, run
safely from several processes at once, ship in the wheel, and the service starts only on a current schema."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text

import service.auth.replay  # noqa: F401  (registers the replay table on the storage metadata)
from service.app import create_app
from service.settings import Settings
from service.storage import migrate
from service.storage.store import Store
from service.storage.tables import Base

ROOT = Path(__file__).resolve().parents[2]
TABLES = {"issued_card", "feedback", "seen_client_token", "alembic_version"}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database nothing has touched yet, on each backend."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_schemas")()
    return f"sqlite:///{tmp_path / 'empty.db'}"


@pytest.fixture
def store(empty_database: str) -> Iterator[Store]:
    store = Store(empty_database)
    yield store
    store.dispose()


def _tables(store: Store) -> set[str]:
    return set(inspect(store.engine).get_table_names())


def _version_rows(store: Store) -> list[str]:
    with store.engine.connect() as connection:
        return list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def test_migrations_build_the_schema_the_models_describe(store: Store) -> None:
    assert store.create_schema() == (None, migrate.head_revision())
    assert _tables(store) == TABLES
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_migrating_a_current_database_changes_nothing(store: Store) -> None:
    store.create_schema()
    head = migrate.head_revision()
    assert store.create_schema() == (head, head)
    assert _version_rows(store) == [head]


def test_concurrent_migrate_commands_apply_each_revision_once(empty_database: str, tmp_path: Path) -> None:
    """Four `palliative-rt-cds migrate` started at once, as four workers or replicas would: all succeed, one
    of them migrates, the others find the schema current."""
    env = {**os.environ, "PRT_CDS_DATABASE_URL": empty_database}
    command = [sys.executable, "-m", "service", "migrate"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = list(pool.map(lambda _: subprocess.run(command, env=env, cwd=tmp_path, capture_output=True,
                                                      text=True, timeout=120, check=False), range(4)))
    assert [run.returncode for run in runs] == [0] * 4, [run.stderr for run in runs]
    outputs = sorted(run.stdout.strip() for run in runs)
    head = migrate.head_revision()
    assert outputs == [*[f"database schema at revision {head}"] * 3,
                       f"database schema migrated from revision (empty) to {head}"]
    store = Store(empty_database)
    try:
        assert _tables(store) == TABLES
        assert _version_rows(store) == [head]
    finally:
        store.dispose()


def _waiting_for_the_migration_lock(store: Store) -> bool:
    if store.engine.dialect.name == "sqlite":
        time.sleep(3)  # SQLite cannot tell who waits for its lock: long enough for the command to get there
        return True
    with store.engine.connect() as connection:
        return bool(connection.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).scalar_one())


def test_a_migration_waits_for_one_in_progress_and_then_finds_the_schema_current(store: Store,
                                                                                 tmp_path: Path) -> None:
    env = {**os.environ, "PRT_CDS_DATABASE_URL": store.engine.url.render_as_string(hide_password=False)}
    with store.engine.connect() as connection, connection.begin():
        migrate._lock(connection)
        command.upgrade(migrate._config(connection), "head")
        waiting = subprocess.Popen([sys.executable, "-m", "service", "migrate"], env=env, cwd=tmp_path,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not _waiting_for_the_migration_lock(store):
            assert waiting.poll() is None, waiting.communicate()
            assert time.monotonic() < deadline, "the second migration never waited for the first"
            time.sleep(0.1)
        assert waiting.poll() is None
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    assert out.strip() == f"database schema at revision {migrate.head_revision()}"
    assert _version_rows(store) == [migrate.head_revision()]


def test_the_service_refuses_to_start_on_a_database_lacking_its_schema(empty_database: str) -> None:
    settings = Settings(database_url=empty_database, auth_mode="off", migrate_on_start=False)
    with pytest.raises(migrate.SchemaNotCurrent, match="run `palliative-rt-cds migrate`"), \
            TestClient(create_app(settings)):
        pass


def test_the_service_migrates_at_start_when_told_to(empty_database: str) -> None:
    settings = Settings(database_url=empty_database, auth_mode="off", migrate_on_start=True)
    with TestClient(create_app(settings)) as client:
        assert client.get("/readyz").status_code == 200
    engine = create_engine(empty_database)
    try:
        assert set(inspect(engine).get_table_names()) == TABLES
    finally:
        engine.dispose()


def test_a_schema_migrated_by_a_newer_release_is_accepted(store: Store, caplog) -> None:
    """Revisions are additive, so during a rolling update the older release keeps serving."""
    store.create_schema()
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'from-a-newer-release'"))
    store.check_schema()
    assert "from-a-newer-release" in caplog.text


def test_by_default_sqlite_is_migrated_at_start_and_other_databases_are_not() -> None:
    assert Settings(database_url="sqlite:///cds.db").migrates_on_start()
    assert not Settings(database_url="postgresql+psycopg://cds@db/cds").migrates_on_start()
    assert Settings(database_url="postgresql+psycopg://cds@db/cds", migrate_on_start=True).migrates_on_start()
    assert not Settings(database_url="sqlite:///cds.db", migrate_on_start=False).migrates_on_start()


def test_the_installed_wheel_migrates_from_any_directory(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir",
                    str(tmp_path / "wheel"), str(ROOT)], check=True, cwd=tmp_path)
    [wheel] = (tmp_path / "wheel").glob("palliative_rt_cds-*.whl")
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
                    str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # The checkout must not be importable: only the installed wheel and the virtualenv's dependencies.
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONSAFEPATH": "1",
           "PRT_CDS_DATABASE_URL": "sqlite:///installed.db"}
    where = subprocess.run([sys.executable, "-c", "from service.storage import migrate; "
                            "print(migrate.MIGRATIONS_DIR)"], cwd=elsewhere, env=env, capture_output=True,
                           text=True, check=True)
    assert where.stdout.strip().startswith(str(site))
    run = subprocess.run([sys.executable, "-m", "service", "migrate"], cwd=elsewhere, env=env,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    head = migrate.head_revision()
    assert run.stdout.strip() == f"database schema migrated from revision (empty) to {head}"
    engine = create_engine(f"sqlite:///{elsewhere / 'installed.db'}")
    try:
        assert set(inspect(engine).get_table_names()) == TABLES
    finally:
        engine.dispose()
