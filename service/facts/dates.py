"""Clinical dates: FHIR date, dateTime, instant and Period values as calendar dates.

fhir.resources gives a full date as `date`, a date-time as a tz-aware `datetime`, and keeps partial
dates ("2026", "2026-03") as `str`. A partial date is read as the first day it can mean, so that an
age limit ("older than 90 days") is never met by a date that might be older.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

CLINICAL_TIMEZONE = ZoneInfo("Europe/Copenhagen")
"""Time-stamped values are read as calendar dates where the service is used (as "today" is)."""

DAYS_PER_MONTH = Decimal("30.44")
"""CONVENTIONS.md "intervals in months": days / 30.44."""

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def to_date(value: object) -> date | None:
    """A calendar date from a model's date, dateTime or instant value; None when absent or unreadable."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.date()
        return value.astimezone(CLINICAL_TIMEZONE).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return _partial(value)
    return None


def json_date(value: object) -> date | None:
    """The calendar date `to_date` gives once the resource is validated, read from the JSON value itself.

    Lets a reader order resources by date before deciding which of them to validate.
    """
    if not isinstance(value, str):
        return None
    try:
        if "T" in value:
            return to_date(datetime.fromisoformat(value))
        if len(value) == len("2026-01-01"):
            return date.fromisoformat(value)
    except ValueError:
        pass  # kept as text by the model too (a leap second), or invalid
    return _partial(value)


def json_period_end(period: object) -> date | None:
    """`period_end` of a Period as JSON."""
    if not isinstance(period, dict):
        return None
    return json_date(period.get("end")) or json_date(period.get("start"))


def _partial(text: str) -> date | None:
    match = _PARTIAL.match(text.strip())
    if not match:
        return None
    year, month, day = match.groups()
    try:
        return date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None


def period_end(period: object) -> date | None:
    """The end of a Period, or its start while it is ongoing."""
    if period is None:
        return None
    return to_date(getattr(period, "end", None)) or to_date(getattr(period, "start", None))


def period_start(period: object) -> date | None:
    return None if period is None else to_date(getattr(period, "start", None))


def days_to_months(days: Decimal) -> Decimal:
    return days / DAYS_PER_MONTH

