"""Alembic environment of the service's schema.

Migrations run only through `service.storage.migrate`, which hands over a connection whose transaction
already holds the database's migration lock: Alembic then runs every revision inside that transaction.
"""

from alembic import context

context.configure(connection=context.config.attributes["connection"])
with context.begin_transaction():
    context.run_migrations()
