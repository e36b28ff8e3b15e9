"""The service's logs as JSON lines, one object per record, for log shippers to index without parsing."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import orjson


class JsonLines(logging.Formatter):
    """{"ts", "level", "logger", "message"} plus the record's `fields` (the request line's data)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line |= fields
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def json_service_logs(config: dict[str, Any]) -> dict[str, Any]:
    """A `logging.config.dictConfig` dict (uvicorn's) with the service's loggers writing JSON lines to
    stdout. The service's request line replaces uvicorn's access log, which is turned off."""
    config.setdefault("formatters", {})["json"] = {"()": f"{__name__}.JsonLines"}
    config.setdefault("handlers", {})["json"] = {"class": "logging.StreamHandler", "formatter": "json",
                                                 "stream": "ext://sys.stdout"}
    config.setdefault("loggers", {})["service"] = {"handlers": ["json"], "level": "INFO", "propagate": False}
    config["loggers"]["uvicorn.access"] = {"handlers": [], "level": "WARNING", "propagate": False}
    return config
