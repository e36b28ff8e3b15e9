"""`feedback-report`: per rule, cards issued, accepted, overridden, override reasons and acceptance rate,
from the service's database (PRT_CDS_DATABASE_URL), as a table, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from service.cards.catalogue import default_catalogue
from service.cards.render import OVERRIDE_REASON_SYSTEM
from service.commands.common import CardLanguage, command_settings, fail, stdout
from service.settings import CLINICAL_TIME_ZONE
from service.storage.report import ReasonCount, RuleFeedback, feedback_report
from service.storage.store import Store
from service.storage.tables import Feedback, IssuedCard

UNKNOWN_CARD = "(card not issued by this service)"


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def reason_text(reason: ReasonCount, language: str) -> str:
    if reason.code is None:
        return "(no coded reason)" if language == "en" else "(ingen kodet begrundelse)"
    if reason.system == OVERRIDE_REASON_SYSTEM:
        try:
            return default_catalogue().override_reason(reason.code, language)
        except KeyError:
            pass
    return f"{reason.system}|{reason.code}"


def _rate(row: RuleFeedback) -> str:
    rate = row.acceptance_rate
    return "-" if rate is None else f"{rate:.0%}"


def _as_json(rows: list[RuleFeedback], since: date | None, language: str) -> str:
    return json.dumps({
        "since": since.isoformat() if since else None,
        "rules": [{
            "rule_id": row.rule_id,
            "issued": row.issued,
            "accepted": row.accepted,
            "overridden": row.overridden,
            "acceptance_rate": None if row.acceptance_rate is None else round(row.acceptance_rate, 4),
            "override_reasons": [{"system": r.system, "code": r.code, "display": reason_text(r, language),
                                  "cards": r.cards} for r in row.override_reasons],
        } for row in rows],
    }, indent=2, ensure_ascii=False)


def _as_csv(rows: list[RuleFeedback]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["rule_id", "issued", "accepted", "overridden", "acceptance_rate", "override_reasons"])
    for row in rows:
        writer.writerow([
            row.rule_id or "", row.issued, row.accepted, row.overridden,
            "" if row.acceptance_rate is None else f"{row.acceptance_rate:.4f}",
            "; ".join(f"{r.code or ''}={r.cards}" for r in row.override_reasons),
        ])
    return buffer.getvalue()


def _as_table(rows: list[RuleFeedback], since: date | None, language: str) -> Table:
    title = "Feedback per rule" + (f" since {since.isoformat()}" if since else "")
    table = Table(title=title, title_justify="left", show_footer=bool(rows))
    totals = [sum(getattr(row, name) for row in rows) for name in ("issued", "accepted", "overridden")]
    overall = RuleFeedback(None, *totals)
    table.add_column("rule", footer="all rules")
    for name, total in zip(("issued", "accepted", "overridden"), totals, strict=True):
        table.add_column(name, justify="right", footer=str(total))
    table.add_column("acceptance", justify="right", footer=_rate(overall))
    table.add_column("override reasons (cards)")
    for row in rows:
        reasons = "\n".join(f"{escape(reason_text(r, language))}: {r.cards}" for r in row.override_reasons)
        table.add_row(escape(row.rule_id or UNKNOWN_CARD), str(row.issued), str(row.accepted),
                      str(row.overridden), _rate(row), reasons)
    return table


def _open_database(database_url: str) -> Store:
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise fail("PRT_CDS_DATABASE_URL / --database-url is not a database URL") from None
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not Path(url.database).is_file():
        raise fail(f"no database at {url.database} (set PRT_CDS_DATABASE_URL or --database-url)")
    store = Store(database_url)
    try:
        tables = set(inspect(store.engine).get_table_names())
    except SQLAlchemyError as error:
        store.dispose()
        raise fail(f"cannot read the database ({error.__class__.__name__})") from None
    missing = {IssuedCard.__tablename__, Feedback.__tablename__} - tables
    if missing:
        store.dispose()
        raise fail(f"the database has no {', '.join(sorted(missing))} table: "
                               "is it the service's?")
    return store


def feedback_report_command(
    since: Annotated[date | None, typer.Option(
        parser=date.fromisoformat, metavar="YYYY-MM-DD", show_default=False,
        help="Only cards issued and feedback given on or after this date (Danish time).")] = None,
    output_format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.TABLE,
    lang: Annotated[CardLanguage | None, typer.Option(
        "--lang", show_default=False,
        help="Language of the override reasons (default: PRT_CDS_LANGUAGE, else da).")] = None,
    database_url: Annotated[str | None, typer.Option(
        help="SQLAlchemy URL of the service's database (default: PRT_CDS_DATABASE_URL).",
        show_default=False)] = None,
) -> None:
    """Per rule: cards issued, accepted, overridden, override reasons with counts, acceptance rate."""
    settings = command_settings()
    language = lang.value if lang else settings.language
    store = _open_database(database_url or settings.database_url)
    start = None if since is None else datetime.combine(since, time.min, CLINICAL_TIME_ZONE)
    try:
        rows = feedback_report(store.engine, start)
    finally:
        store.dispose()
    if output_format is Format.JSON:
        typer.echo(_as_json(rows, since, language))
    elif output_format is Format.CSV:
        typer.echo(_as_csv(rows), nl=False)
    else:
        stdout().print(_as_table(rows, since, language))
