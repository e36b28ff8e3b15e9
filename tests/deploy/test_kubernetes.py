"""The Kubernetes manifests: valid against the API schemas (no cluster runs here) and consistent with each
other, with the image and with the service's settings."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "deploy" / "kubernetes"
# The oldest release with everything the manifests use (the preStop sleep action), and the newest known.
KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
NAME = "palliative-rt-cds"


def _documents(path: Path) -> list[dict[str, Any]]:
    return [document for document in yaml.safe_load_all(path.read_text(encoding="utf-8")) if document]


def _resources() -> dict[str, dict[str, Any]]:
    """kind -> the manifest, for every resource the kustomization applies and the example Secret."""
    kustomization = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text(encoding="utf-8"))
    paths = [MANIFESTS / name for name in kustomization["resources"]] + [MANIFESTS / "secret.example.yaml"]
    return {document["kind"]: document for path in paths for document in _documents(path)}


RESOURCES = _resources()
POD = RESOURCES["Deployment"]["spec"]["template"]["spec"]
[CONTAINER] = POD["containers"]


def _environment(kind: str) -> dict[str, str]:
    resource = RESOURCES[kind]
    return resource.get("data") or resource["stringData"]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("path", sorted(MANIFESTS.glob("*.yaml")), ids=lambda path: path.name)
def test_every_manifest_is_valid_against_the_kubernetes_schemas(path: Path, version: str) -> None:
    for document in _documents(path):
        if document["kind"] == "Kustomization":
            continue
        kubernetes_validate.validate(document, version, strict=True)


def test_the_kustomization_applies_every_manifest_but_the_secret_example() -> None:
    kustomization = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text(encoding="utf-8"))
    not_applied = {"kustomization.yaml", "secret.example.yaml"}
    expected = {path.name for path in MANIFESTS.glob("*.yaml")} - not_applied
    assert set(kustomization["resources"]) == expected
    assert set(RESOURCES) == {"ConfigMap", "Secret", "Deployment", "Service", "HorizontalPodAutoscaler",
                              "PodDisruptionBudget", "NetworkPolicy"}


def test_the_image_tag_is_the_project_version() -> None:
    kustomization = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text(encoding="utf-8"))
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    [image] = kustomization["images"]
    assert image["name"] == CONTAINER["image"].split()[0] == NAME
    assert image["newTag"] == version


def test_probes_ask_the_health_routes_on_the_container_port() -> None:
    [port] = CONTAINER["ports"]
    assert port["containerPort"] == 8080
    probes = {kind: CONTAINER[kind]["httpGet"]
              for kind in ("startupProbe", "livenessProbe", "readinessProbe")}
    assert probes["readinessProbe"]["path"] == "/readyz"
    assert probes["livenessProbe"]["path"] == probes["startupProbe"]["path"] == "/healthz"
    assert {probe["port"] for probe in probes.values()} == {port["name"]}
    assert RESOURCES["Service"]["spec"]["ports"][0]["targetPort"] == port["name"]


def test_every_setting_given_is_one_the_service_reads_and_their_values_are_valid(monkeypatch) -> None:
    environment = _environment("ConfigMap") | _environment("Secret")
    known = {f"PRT_CDS_{name.upper()}" for name in Settings.model_fields} | {"PRT_CDS_WORKERS"}
    assert set(environment) <= known, set(environment) - known
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.auth_mode == "jwt"
    assert settings.trusted_issuers
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert not settings.migrates_on_start()


def test_the_pods_read_the_settings_and_migrate_before_serving() -> None:
    sources = CONTAINER["envFrom"]
    assert {"configMapRef": {"name": RESOURCES["ConfigMap"]["metadata"]["name"]}} in sources
    assert {"secretRef": {"name": RESOURCES["Secret"]["metadata"]["name"]}} in sources
    [migration] = POD["initContainers"]
    assert migration["image"] == CONTAINER["image"]
    assert migration["command"] == [NAME, "migrate"]
    assert {"secretRef": {"name": RESOURCES["Secret"]["metadata"]["name"]}} in migration["envFrom"]


def test_the_pods_run_as_the_image_user_with_a_read_only_root() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    user, group = re.search(r"^USER (\d+):(\d+)$", dockerfile, re.MULTILINE).groups()
    pod_security = POD["securityContext"]
    assert pod_security["runAsNonRoot"] is True
    assert (pod_security["runAsUser"], pod_security["runAsGroup"]) == (int(user), int(group))
    assert POD["automountServiceAccountToken"] is False
    for container in (CONTAINER, *POD["initContainers"]):
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]


def test_each_worker_has_a_core_and_the_autoscaler_scales_on_cpu() -> None:
    workers = int(_environment("ConfigMap")["PRT_CDS_WORKERS"])
    resources = CONTAINER["resources"]
    assert resources["requests"]["cpu"] == resources["limits"]["cpu"] == str(workers)
    assert resources["requests"]["memory"] == resources["limits"]["memory"]
    autoscaler = RESOURCES["HorizontalPodAutoscaler"]["spec"]
    deployment = RESOURCES["Deployment"]
    assert autoscaler["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                            "name": deployment["metadata"]["name"]}
    [metric] = autoscaler["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert autoscaler["minReplicas"] >= 2
    assert "replicas" not in deployment["spec"]


def test_the_budget_the_service_and_the_network_policy_select_the_deployment_pods() -> None:
    labels = RESOURCES["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert RESOURCES["Deployment"]["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert RESOURCES["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert RESOURCES["Service"]["spec"]["selector"].items() <= labels.items()
    assert RESOURCES["NetworkPolicy"]["spec"]["podSelector"]["matchLabels"].items() <= labels.items()


def test_the_network_policy_admits_calls_on_the_service_port_and_reaches_only_database_ehr_dns() -> None:
    policy = RESOURCES["NetworkPolicy"]["spec"]
    assert set(policy["policyTypes"]) == {"Ingress", "Egress"}
    assert [port["port"] for rule in policy["ingress"] for port in rule["ports"]] == [8080]
    assert sorted(port["port"] for rule in policy["egress"] for port in rule["ports"]) == [53, 53, 443, 5432]
