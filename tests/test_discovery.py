"""Discovery: the three services EHR configurations depend on, with prefetch inside the query subset."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from tests.fhir import PREFETCH_KEYS

EXPECTED_SERVICES = {
    "palliative-rt-patient-view": "patient-view",
    "palliative-rt-order-select": "order-select",
    "palliative-rt-order-sign": "order-sign",
}
ALLOWED_TOKENS = {"context.patientId", "context.userId", "context.encounterId", "userPractitionerId",
                  "userPractitionerRoleId", "userPatientId", "userRelatedPersonId"}
RESOURCE_TYPE = re.compile(r"^[A-Z][A-Za-z]+$")
DATE_PREFIXES = ("eq", "lt", "gt", "ge", "le")


def test_lists_exactly_the_three_services(client) -> None:
    response = client.get("/cds-services")
    assert response.status_code == 200
    services = response.json()["services"]
    assert {service["id"]: service["hook"] for service in services} == EXPECTED_SERVICES


def test_every_service_has_title_description_prefetch_and_usage_requirements(client) -> None:
    for service in client.get("/cds-services").json()["services"]:
        assert set(service) == {"hook", "id", "title", "description", "prefetch", "usageRequirements"}
        for field in ("title", "description", "usageRequirements"):
            assert isinstance(service[field], str) and service[field].strip()


def test_prefetch_keys_are_the_ones_ehr_configurations_use(client) -> None:
    expected = {*PREFETCH_KEYS.values(), "patient"}
    for service in client.get("/cds-services").json()["services"]:
        assert set(service["prefetch"]) == expected
        assert service["prefetch"]["patient"] == "Patient/{{context.patientId}}"
        for resource_type, key in PREFETCH_KEYS.items():
            assert service["prefetch"][key].startswith(f"{resource_type}?patient={{{{context.patientId}}}}")


def _assert_in_query_subset(template: str) -> None:
    for token in re.findall(r"\{\{(.*?)\}\}", template):
        assert token.strip() in ALLOWED_TOKENS, template
    path, _, query = template.partition("?")
    if not query:
        resource_type, _, resource_id = path.partition("/")
        assert RESOURCE_TYPE.match(resource_type) and resource_id, f"not an instance read: {template}"
        return
    assert RESOURCE_TYPE.match(path), f"not a type-level search: {template}"
    for name, value in parse_qsl(query, keep_blank_values=True):
        base, _, modifier = name.partition(":")
        if base == "patient":
            assert value == "{{context.patientId}}" and not modifier, template
        elif base in ("_count", "_sort"):
            assert value, template
        elif base in ("code", "category", "status"):
            assert modifier in ("", "in"), f"token modifier {modifier!r} outside the subset: {template}"
            assert all(value.split(",")), f"empty token value: {template}"
        elif base in ("date", "authored", "effective"):
            assert value[:2] in DATE_PREFIXES, template
        else:
            raise AssertionError(f"search parameter {name!r} outside the query subset: {template}")


def test_prefetch_templates_stay_inside_the_query_subset(client) -> None:
    for service in client.get("/cds-services").json()["services"]:
        for template in service["prefetch"].values():
            _assert_in_query_subset(template)


def test_discovery_has_no_null_or_empty_members(client) -> None:
    def walk(value: object) -> None:
        assert value is not None and value not in ("", [], {})
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for service in client.get("/cds-services").json()["services"]:
        walk(service)
