"""Schema fuzzing: schemathesis generates valid and invalid requests from the service's own OpenAPI
document and runs every check on each answer: no 5xx, every status and body documented, invalid data
refused, valid data accepted. In-process and bounded here; `scripts/fuzz.sh` is the long run."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

import tests.robustness.schemathesis_hooks  # noqa: F401  (registers the request rules)
from service.app import create_app
from tests.robustness.support import service_settings

CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES_PER_OPERATION = 60


# Loaded at collection: schemathesis makes one test per operation from the document. The app's lifespan
# runs once for the session, on a database that lives as long as the process.
_DATABASE = tempfile.TemporaryDirectory(prefix="fuzz-")
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(service_settings(f"sqlite:///{Path(_DATABASE.name) / 'cds.db'}")),
    config=SchemathesisConfig.from_path(CONFIG))


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_every_answer_is_documented_and_none_is_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate()
