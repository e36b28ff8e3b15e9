"""The committed OpenAPI document is the one the app generates, and documents every error answer."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from service.cli import cli, openapi_document

COMMITTED = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"
ERROR_STATUSES = ("400", "401", "404", "412", "413", "500")


def test_committed_document_matches_the_app() -> None:
    assert json.loads(COMMITTED.read_text(encoding="utf-8")) == openapi_document(), (
        "openapi/openapi.json is out of date: run `palliative-rt-cds openapi`")


def test_cli_writes_the_document(tmp_path) -> None:
    output = tmp_path / "out" / "openapi.json"
    result = CliRunner().invoke(cli, ["openapi", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert json.loads(output.read_text(encoding="utf-8")) == openapi_document()


def test_every_cds_route_documents_its_error_answers() -> None:
    document = openapi_document()
    cds_operations = [(path, operation) for path, item in document["paths"].items()
                      if path.startswith("/cds-services") for operation in item.values()]
    assert len(cds_operations) == 3
    for path, operation in cds_operations:
        for status in ERROR_STATUSES:
            assert status in operation["responses"], f"{path} does not document {status}"
        for status in ("400", "404", "412"):
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/OperationOutcome"}, (path, status)


def test_request_bodies_are_documented_with_their_models() -> None:
    document = openapi_document()
    schemas = document["components"]["schemas"]
    for path, model in (("/cds-services/{service_id}", "HookRequest"),
                        ("/cds-services/{service_id}/feedback", "FeedbackRequest")):
        body = document["paths"][path]["post"]["requestBody"]
        assert body["content"]["application/json"]["schema"] == {"$ref": f"#/components/schemas/{model}"}
        assert model in schemas
    for model in ("PatientViewContext", "OrderSelectContext", "OrderSignContext", "CdsResponse",
                  "DiscoveryResponse"):
        assert model in schemas
    refs = set()

    def collect(value: object) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("$ref"), str):
                refs.add(value["$ref"].rsplit("/", 1)[-1])
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(document)
    assert refs <= set(schemas), f"dangling references: {refs - set(schemas)}"


def test_health_routes_are_documented() -> None:
    paths = openapi_document()["paths"]
    assert "200" in paths["/healthz"]["get"]["responses"]
    assert "503" in paths["/readyz"]["get"]["responses"]
