"""Shared fixtures: the app under test over HTTP, with auth off, a temporary database, English cards and
the stories' date (tests.fhir.TODAY) as the evaluation date."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.services import SERVICE_ID_BY_HOOK
from service.app import create_app
from service.cards.render import RULE_SYSTEM
from service.settings import Settings
from tests.fhir import TODAY

pytest_plugins = ("tests.databases",)


def card_rule_ids(response: dict[str, Any]) -> list[str]:
    """The rule ids of a CDS Hooks response's cards (source.topic.code), in card order."""
    return [card["source"]["topic"]["code"] for card in response["cards"]
            if card.get("source", {}).get("topic", {}).get("system") == RULE_SYSTEM]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        auth_mode="off",
        language="en",
        fixed_today=TODAY,
        trusted_issuers={},
        cors_origins=[],
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def cds(client: TestClient) -> Callable[..., dict[str, Any]]:
    """cds(hook, request, lang="en"): POST the request to the hook's service; the JSON answer (HTTP 200)."""

    def call(hook: str, request: dict[str, Any], lang: str = "en") -> dict[str, Any]:
        response = client.post(f"/cds-services/{SERVICE_ID_BY_HOOK[hook]}", json=request,
                               headers={"Accept-Language": lang})
        assert response.status_code == 200, response.text
        return response.json()

    return call


@pytest.fixture
def rule_ids() -> Callable[[dict[str, Any]], list[str]]:
    """rule_ids(response): the rule ids of the response's cards, in card order."""
    return card_rule_ids
