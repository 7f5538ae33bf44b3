"""The Kubernetes manifests agree with each other, with the image and with the seed plan.

kubernetes-validate (in ``.ci/validate-ops``) checks each object against its schema; what no schema knows is
whether the Service selects the Deployment's pods, the Ingress names a port that exists, or the pod runs as
the image's user. Read from k8s/base directly, so this needs no kubectl.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "k8s" / "base"
IMAGE_UID = 10001
"""``USER`` of the Containerfile."""

Object = dict[str, Any]


def objects() -> dict[tuple[str, str], Object]:
    """(kind, name) → object, for every resource the base kustomization lists."""
    listed = yaml.safe_load((BASE / "kustomization.yaml").read_text())["resources"]
    found = {}
    for name in listed:
        for obj in yaml.safe_load_all((BASE / name).read_text()):
            found[obj["kind"], obj["metadata"]["name"]] = obj
    return found


@pytest.fixture(scope="module")
def k8s() -> dict[tuple[str, str], Object]:
    return objects()


def pod(k8s: dict[tuple[str, str], Object], kind: str, name: str) -> Object:
    spec: Object = k8s[kind, name]["spec"]["template"]
    return spec


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and selector.items() <= labels.items()


def routes(path: Object, request_path: str) -> bool:
    """Whether an Ingress ``path`` rule matches ``request_path`` (Prefix matches whole path segments)."""
    if path["pathType"] == "Exact":
        return bool(request_path == path["path"])
    return (request_path.rstrip("/") + "/").startswith(path["path"].rstrip("/") + "/")


def test_the_ingress_path_matching_used_here() -> None:
    assert routes({"pathType": "Prefix", "path": "/"}, "/metrics")
    assert routes({"pathType": "Prefix", "path": "/api/v1"}, "/api/v1/sessions")
    assert not routes({"pathType": "Prefix", "path": "/api/v1"}, "/api/v10")
    assert not routes({"pathType": "Exact", "path": "/"}, "/admin")


def test_every_manifest_is_in_the_kustomization_except_the_secret_template() -> None:
    listed = set(yaml.safe_load((BASE / "kustomization.yaml").read_text())["resources"])
    assert {path.name for path in BASE.glob("*.yaml")} - listed == {"kustomization.yaml", "secret.template.yaml"}


def test_one_deployment_serves_everything_and_the_service_has_no_affinity(k8s: dict[tuple[str, str], Object]) -> None:
    assert [key for key in k8s if key[0] == "Deployment"] == [("Deployment", "checkgame")]
    service = k8s["Service", "checkgame"]["spec"]
    assert "sessionAffinity" not in service or service["sessionAffinity"] == "None"
    labels = pod(k8s, "Deployment", "checkgame")["metadata"]["labels"]
    assert selects(service["selector"], labels)
    (container,) = pod(k8s, "Deployment", "checkgame")["spec"]["containers"]
    assert [port["name"] for port in container["ports"]] == [service["ports"][0]["targetPort"]]


def test_the_pod_listens_where_the_configuration_says_and_probes_health_and_ready(
    k8s: dict[tuple[str, str], Object],
) -> None:
    (container,) = pod(k8s, "Deployment", "checkgame")["spec"]["containers"]
    config = k8s["ConfigMap", "checkgame-config"]["data"]
    assert container["ports"][0]["containerPort"] == int(config["CHECKGAME_PORT"])
    assert config["CHECKGAME_HOST"] == "0.0.0.0"
    assert container["livenessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    assert container["resources"] == {
        "requests": {"memory": "256Mi", "cpu": "250m"},
        "limits": {"memory": "512Mi", "cpu": "500m"},
    }


@pytest.mark.parametrize(("kind", "name"), [("Deployment", "checkgame"), ("Job", "checkgame-migrate")])
def test_pods_run_as_the_image_user_on_a_read_only_root(
    k8s: dict[tuple[str, str], Object], kind: str, name: str
) -> None:
    spec = pod(k8s, kind, name)["spec"]
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] == IMAGE_UID
    assert spec["automountServiceAccountToken"] is False
    for container in spec["containers"]:
        assert container["image"] == "checkgame/server"
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"]["drop"] == ["ALL"]
        assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]


def test_every_secret_key_the_pods_read_is_in_the_template(k8s: dict[tuple[str, str], Object]) -> None:
    template = yaml.safe_load((BASE / "secret.template.yaml").read_text())
    for kind, name in (("Deployment", "checkgame"), ("Job", "checkgame-migrate")):
        for container in pod(k8s, kind, name)["spec"]["containers"]:
            for variable in container["env"]:
                ref = variable.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["name"] == template["metadata"]["name"]
                    assert ref["key"] in template["stringData"]
            assert container["envFrom"] == [{"configMapRef": {"name": "checkgame-config"}}]
    assert all("CHANGE_ME" in value for value in template["stringData"].values())


def test_the_ingress_routes_public_paths_only_to_the_service(k8s: dict[tuple[str, str], Object]) -> None:
    ingress = k8s["Ingress", "checkgame"]
    annotations = ingress["metadata"]["annotations"]
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    assert annotations["cert-manager.io/cluster-issuer"] == "letsencrypt-prod"
    rules = ingress["spec"]["rules"]
    assert ingress["spec"]["tls"][0]["hosts"] == [rule["host"] for rule in rules]
    for rule in rules:
        for path in rule["http"]["paths"]:
            assert path["backend"]["service"] == {"name": "checkgame", "port": {"name": "http"}}
            for private in ("/admin", "/admin/overview", "/metrics", "/health", "/ready"):
                exact = path["pathType"] == "Exact"
                reaches = (
                    private == path["path"] if exact else (private + "/").startswith(path["path"].rstrip("/") + "/")
                )
                assert not reaches, f"{path['path']} exposes {private}"


def test_autoscaler_and_disruption_budget_follow_the_seed(k8s: dict[tuple[str, str], Object]) -> None:
    hpa = k8s["HorizontalPodAutoscaler", "checkgame"]["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "checkgame"}
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 10)
    targets = {m["resource"]["name"]: m["resource"]["target"]["averageUtilization"] for m in hpa["metrics"]}
    assert targets == {"cpu": 70, "memory": 80}
    labels = pod(k8s, "Deployment", "checkgame")["metadata"]["labels"]
    assert selects(k8s["PodDisruptionBudget", "checkgame"]["spec"]["selector"]["matchLabels"], labels)


def test_network_policies_admit_the_ingress_controller_and_reach_only_postgres_redis_and_dns(
    k8s: dict[tuple[str, str], Object],
) -> None:
    policy = k8s["NetworkPolicy", "checkgame"]["spec"]
    assert selects(policy["podSelector"]["matchLabels"], pod(k8s, "Deployment", "checkgame")["metadata"]["labels"])
    sources = {
        rule["from"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for rule in policy["ingress"]
    }
    assert sources == {"ingress-nginx", "monitoring"}
    assert {port["port"] for rule in policy["ingress"] for port in rule["ports"]} == {8000}
    assert {port["port"] for rule in policy["egress"] for port in rule["ports"]} == {5432, 6379, 53}
    migrate = k8s["NetworkPolicy", "checkgame-migrate"]["spec"]
    assert selects(migrate["podSelector"]["matchLabels"], pod(k8s, "Job", "checkgame-migrate")["metadata"]["labels"])
    assert "ingress" not in migrate  # Ingress listed in policyTypes with no rule: nothing may connect
    assert {port["port"] for rule in migrate["egress"] for port in rule["ports"]} == {5432, 53}


@pytest.mark.parametrize("overlay", ["dev", "production"])
def test_overlays_replace_the_image_the_base_uses(overlay: str) -> None:
    kustomization = yaml.safe_load((ROOT / "k8s" / "overlays" / overlay / "kustomization.yaml").read_text())
    assert kustomization["resources"] == ["../../base"]
    assert [image["name"] for image in kustomization["images"]] == ["checkgame/server"]
    assert kustomization["images"][0]["newName"] == "ghcr.io/checkgame/server"
