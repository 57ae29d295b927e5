"""What ``kubectl kustomize`` renders from deploy/: every overlay builds, every
Deployment is probed, sized and non-root, no secret value is written, and the
autoscaler scales Rasa. Needs Debian's ``kubernetes-client`` (CI installs it);
without kubectl the tests fail with that message, they never skip."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEPLOY = PROJECT_ROOT / "deploy"
OVERLAYS = ("staging", "production")
#: Settings that only ever come from the Secret "assistant-secrets".
SECRET_NAMES = {
    "RASA_TOKEN", "DATABASE_URL", "REDIS_URL", "ASSISTANT_HASH_SALT", "TELEGRAM_TOKEN", "TELEGRAM_SECRET",
    "KAKAO_SKILL_SECRET", "KAKAO_REST_API_KEY",
}
#: The routes each process really serves for probes (see channels/web/app.py, core/action_server.py, Rasa's "/").
PROBE_PATHS = {"rasa": {"/"}, "actions": {"/health"}, "web": {"/healthz", "/readyz"}, "edge": {"/edge-health"}}


def kubectl() -> str:
    path = shutil.which("kubectl")
    if path is None:
        pytest.fail("kubectl not found: apt-get install -y kubernetes-client (CI's .ci/run installs it)")
    return path


def render(overlay: str) -> List[Dict[str, Any]]:
    result = subprocess.run(
        [kubectl(), "kustomize", str(DEPLOY / "overlays" / overlay)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request: pytest.FixtureRequest) -> Iterator[List[Dict[str, Any]]]:
    yield render(request.param)


def of_kind(documents: List[Dict[str, Any]], kind: str) -> Dict[str, Dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == kind}


def test_the_three_processes_and_the_edge_are_deployed_with_services(rendered: List[Dict[str, Any]]) -> None:
    deployments, services = of_kind(rendered, "Deployment"), of_kind(rendered, "Service")
    assert set(deployments) == {"rasa", "actions", "web", "edge"}
    assert set(services) == {"rasa", "actions", "web", "edge"}
    for name, service in services.items():
        assert service["spec"]["selector"] == deployments[name]["spec"]["selector"]["matchLabels"]
    # PostgreSQL and Redis are external: nothing here runs them.
    images = [c["image"] for d in deployments.values() for c in d["spec"]["template"]["spec"]["containers"]]
    assert not any("postgres" in image or "redis" in image for image in images)


def test_every_deployment_is_probed_on_its_real_routes(rendered: List[Dict[str, Any]]) -> None:
    for name, deployment in of_kind(rendered, "Deployment").items():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            for probe in ("readinessProbe", "livenessProbe"):
                assert probe in container, f"{name}/{container['name']} has no {probe}"
                path = container[probe]["httpGet"]["path"]
                assert path in PROBE_PATHS[name], f"{name} {probe} on {path}, serves {PROBE_PATHS[name]}"
    web = of_kind(rendered, "Deployment")["web"]["spec"]["template"]["spec"]["containers"][0]
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    rasa = of_kind(rendered, "Deployment")["rasa"]["spec"]["template"]["spec"]["containers"][0]
    assert not any("auth-token" in part for part in rasa.get("command", []) + rasa.get("args", []))
    # Every gateway replica counts against the same rate-limit buckets in Redis.
    assert "REDIS_URL" in {variable["name"] for variable in web["env"]}


def test_every_container_has_requests_limits_and_runs_as_non_root(rendered: List[Dict[str, Any]]) -> None:
    for name, deployment in of_kind(rendered, "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] != 0, name
        for container in pod.get("initContainers", []) + pod["containers"]:
            resources = container["resources"]
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources[kind]), f"{name}/{container['name']} {kind}"
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]


def test_no_secret_value_is_written(rendered: List[Dict[str, Any]]) -> None:
    assert not of_kind(rendered, "Secret"), "Secrets are created by the platform team, never rendered from here"
    referenced = set()
    for name, deployment in of_kind(rendered, "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        for container in pod.get("initContainers", []) + pod["containers"]:
            for variable in container.get("env", []):
                if variable["name"] in SECRET_NAMES:
                    assert "value" not in variable, f"{name} writes {variable['name']} inline"
                    assert variable["valueFrom"]["secretKeyRef"]["name"] == "assistant-secrets"
                    referenced.add(variable["name"])
    assert {"RASA_TOKEN", "DATABASE_URL", "REDIS_URL", "ASSISTANT_HASH_SALT", "TELEGRAM_TOKEN",
            "KAKAO_SKILL_SECRET"} <= referenced
    for config_map in of_kind(rendered, "ConfigMap").values():
        for key in config_map.get("data", {}):
            assert key not in SECRET_NAMES, f"secret {key} in ConfigMap {config_map['metadata']['name']}"
    # No token-looking literal anywhere in the rendered text either.
    text = yaml.safe_dump_all(rendered)
    assert not re.search(r"(?i)(token|secret|password)\s*[:=]\s*['\"]?[A-Za-z0-9_\-]{16,}", text)


def test_the_autoscaler_scales_rasa_on_cpu(rendered: List[Dict[str, Any]]) -> None:
    (hpa,) = of_kind(rendered, "HorizontalPodAutoscaler").values()
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "rasa"}
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert 1 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]


def test_settings_come_from_the_generated_config_map(rendered: List[Dict[str, Any]]) -> None:
    (name,) = of_kind(rendered, "ConfigMap").keys() - {n for n in of_kind(rendered, "ConfigMap") if "edge" in n}
    assert name.startswith("assistant-settings-")  # hashed: a settings change rolls the pods
    for deployment in of_kind(rendered, "Deployment").values():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            if container["name"] != "nginx":
                assert {"configMapRef": {"name": name}} in container["envFrom"]


def test_overlays_differ_in_replicas_resources_and_image_tag() -> None:
    staging, production = render("staging"), render("production")

    def rasa(documents: List[Dict[str, Any]]) -> Dict[str, Any]:
        return of_kind(documents, "Deployment")["rasa"]

    assert rasa(staging)["spec"]["replicas"] < rasa(production)["spec"]["replicas"]
    staging_image = rasa(staging)["spec"]["template"]["spec"]["containers"][0]["image"]
    production_image = rasa(production)["spec"]["template"]["spec"]["containers"][0]["image"]
    assert staging_image.endswith(":staging")
    assert not production_image.endswith(":latest") and ":" in production_image
    assert (rasa(staging)["spec"]["template"]["spec"]["containers"][0]["resources"]
            != rasa(production)["spec"]["template"]["spec"]["containers"][0]["resources"])
    assert of_kind(production, "Deployment")["rasa"]["metadata"]["namespace"] == "citizen-assistant"
