"""The store on either database: connection URLs, time zones, and feedback from concurrent requests."""

from __future__ import annotations

import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from service.storage.store import Store, database_url
from service.storage.tables import Feedback
from service.wire.models import FeedbackItem
from tests.databases import ON_EVERY_DATABASE

SERVICE = "palliative-rt-patient-view"
MORNING = datetime(2026, 11, 27, 9, 15, tzinfo=UTC)


def report(card: str, minutes: int = 0) -> FeedbackItem:
    return FeedbackItem(card=card, outcome="overridden",
                        outcomeTimestamp=MORNING + timedelta(minutes=minutes))


def stored_reports(store: Store) -> int:
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(Feedback)).scalar_one()


def test_a_plain_postgresql_url_means_the_psycopg_driver_the_service_ships() -> None:
    assert database_url("postgresql://cds:secret@db:5432/cds").drivername == "postgresql+psycopg"
    assert database_url("postgresql+psycopg://cds@db/cds").drivername == "postgresql+psycopg"
    assert database_url("sqlite:///cds.db").drivername == "sqlite"


@ON_EVERY_DATABASE
def test_concurrent_requests_carrying_the_same_reports_in_any_order_store_each_once(store: Store) -> None:
    """EHRs retry: the same batch arrives on several workers at once, in a different order each time."""
    reports = [report(str(uuid.uuid4()), minutes) for minutes in range(30)]
    batches = [random.Random(seed).sample(reports, len(reports)) for seed in range(12)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        stored = list(pool.map(lambda batch: store.store_feedback(SERVICE, batch), batches))
    assert sum(len(new) for new in stored) == len(reports)
    assert stored_reports(store) == len(reports)


def test_timestamps_are_read_back_in_utc_whatever_the_postgresql_time_zone(postgres_schemas) -> None:
    url = make_url(postgres_schemas())
    auckland = url.update_query_dict({"options": url.query["options"] + " -cTimeZone=Pacific/Auckland"})
    store = Store(auckland.render_as_string(hide_password=False))
    try:
        store.create_schema()
        store.store_feedback(SERVICE, [report("card-1")])
        with store.engine.connect() as connection:
            moment = connection.execute(select(Feedback.outcome_timestamp)).scalar_one()
    finally:
        store.dispose()
    assert moment == MORNING
    assert moment.utcoffset() == timedelta(0)
    assert (moment.hour, moment.minute) == (9, 15)
