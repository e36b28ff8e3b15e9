"""The database schema, managed by the Alembic revisions in `migrations/` (packaged with the service, so no
alembic.ini and no working directory are involved).

Revisions are forward only and additive (new tables, new nullable columns), so the previous release keeps
running on a migrated database during a rolling update. A migration runs in one transaction that first
takes the database's migration lock (PostgreSQL: an advisory lock; SQLite: an exclusive transaction), so
any number of workers, replicas or `palliative-rt-cds migrate` runs starting at once apply each revision
exactly once.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")
_LOCK_KEY = 0x70727463_6473  # pg_advisory_xact_lock key of this schema's migrations ("prtcds")


class SchemaNotCurrent(RuntimeError):
    """The database lacks revisions this version of the service needs."""


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    # Config values go through ConfigParser interpolation: a '%' in the path must be doubled.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    """The revision this version of the service needs."""
    head = _scripts().get_current_head()
    assert head is not None, "no revisions in " + str(MIGRATIONS_DIR)
    return head


def current_revision(engine: Engine) -> str | None:
    """The database's revision; None when it has never been migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _lock(connection: Connection) -> None:
    """Hold the database's migration lock until the connection's transaction ends."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    elif connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        # pysqlite opens its transactions lazily and never for DDL: open one that locks the file now. (The
        # Store's engine began it already, IMMEDIATE, which holds the write lock.)
        connection.exec_driver_sql("BEGIN EXCLUSIVE")


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Apply the revisions the database lacks; returns its revision before and after."""
    with engine.connect() as connection, connection.begin():
        _lock(connection)
        before = MigrationContext.configure(connection).get_current_revision()
        command.upgrade(_config(connection), "head")
    after = head_revision()
    if before != after:
        log.info("database schema migrated from revision %s to %s", before or "(empty)", after)
    return before, after


def check(engine: Engine) -> None:
    """Raise SchemaNotCurrent unless the database has every revision this version needs.

    A revision this version does not know is a newer release's (revisions are additive): logged, accepted.
    """
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    if current is not None and not _is_known(current):
        log.warning("database schema at revision %s, which this version (needing %s) does not know: "
                    "assuming a newer release migrated it", current, head)
        return
    raise SchemaNotCurrent(f"database schema at revision {current or '(empty)'}, this version needs {head}: "
                           "run `palliative-rt-cds migrate` (or set PRT_CDS_MIGRATE_ON_START=true)")


def _is_known(revision: str) -> bool:
    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False
