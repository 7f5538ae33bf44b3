"""The Kubernetes manifests agree with each other, with the image and with the seed plan.

kubernetes-validate (in ``.ci/validate-ops``) checks each object against its schema; what no schema knows is
whether the Service selects the Deployment's pods, the Ingress names a port that exists, or the pod runs as
the image's user. The base is read from its files; the overlays, whose tiers only exist once kustomize has
built them, are rendered with ``kubectl kustomize``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.services import services_required

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "k8s" / "base"
OVERLAYS = ROOT / "k8s" / "overlays"
IMAGE_UID = 10001
"""``USER`` of the Containerfile."""
PRIVATE_PATHS = ("/admin", "/admin/overview", "/metrics", "/health", "/ready")

Object = dict[str, Any]
Objects = dict[tuple[str, str], Object]


def listed_files(directory: Path = BASE) -> list[Path]:
    """The manifest files a kustomization lists, following the kustomizations it lists in turn."""
    files: list[Path] = []
    for name in yaml.safe_load((directory / "kustomization.yaml").read_text())["resources"]:
        path = directory / name
        files += listed_files(path) if path.is_dir() else [path]
    return files


def objects() -> Objects:
    """(kind, name) → object, for every resource of the base."""
    return {
        (obj["kind"], obj["metadata"]["name"]): obj
        for path in listed_files()
        for obj in yaml.safe_load_all(path.read_text())
    }


def rendered(overlay: str) -> Objects:
    """(kind, name) → object, as ``kubectl kustomize`` builds ``k8s/overlays/<overlay>``."""
    if shutil.which("kubectl") is None:
        if services_required():
            pytest.fail("kubectl is not installed (CHECKGAME_REQUIRE_SERVICES is set)")
        pytest.skip("kubectl is not installed")
    built = subprocess.run(
        ["kubectl", "kustomize", str(OVERLAYS / overlay)], capture_output=True, text=True, check=True
    )
    return {(obj["kind"], obj["metadata"]["name"]): obj for obj in yaml.safe_load_all(built.stdout)}


@pytest.fixture(scope="module")
def k8s() -> Objects:
    return objects()


@pytest.fixture(scope="module")
def production() -> Objects:
    return rendered("production")


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


def backend(rule: Object, request_path: str) -> str | None:
    """The Service an Ingress rule sends ``request_path`` to: the longest matching path, Exact before Prefix."""
    matching = [path for path in rule["http"]["paths"] if routes(path, request_path)]
    if not matching:
        return None
    best = max(matching, key=lambda path: (len(path["path"]), path["pathType"] == "Exact"))
    name: str = best["backend"]["service"]["name"]
    return name


def test_the_ingress_path_matching_used_here() -> None:
    assert routes({"pathType": "Prefix", "path": "/"}, "/metrics")
    assert routes({"pathType": "Prefix", "path": "/api/v1"}, "/api/v1/sessions")
    assert not routes({"pathType": "Prefix", "path": "/api/v1"}, "/api/v10")
    assert not routes({"pathType": "Exact", "path": "/"}, "/admin")
    root = {"pathType": "Prefix", "path": "/", "backend": {"service": {"name": "a"}}}
    exact = {"pathType": "Exact", "path": "/x", "backend": {"service": {"name": "b"}}}
    rule = {"http": {"paths": [root, exact]}}
    assert (backend(rule, "/x"), backend(rule, "/x/y"), backend(rule, "/")) == ("b", "a", "a")


def test_every_manifest_is_in_the_kustomization_except_the_secret_template() -> None:
    unlisted = set(BASE.rglob("*.yaml")) - set(listed_files())
    assert {path.relative_to(BASE).as_posix() for path in unlisted} == {
        "kustomization.yaml",
        "shared/kustomization.yaml",
        "tier/kustomization.yaml",
        "secret.template.yaml",
    }


def test_one_deployment_serves_everything_and_the_service_has_no_affinity(k8s: dict[tuple[str, str], Object]) -> None:
    assert [key for key in k8s if key[0] == "Deployment"] == [("Deployment", "checkgame")]
    service = k8s["Service", "checkgame"]["spec"]
    assert "sessionAffinity" not in service or service["sessionAffinity"] == "None"
    labels = pod(k8s, "Deployment", "checkgame")["metadata"]["labels"]
    assert selects(service["selector"], labels)
    (container,) = pod(k8s, "Deployment", "checkgame")["spec"]["containers"]
    assert [port["name"] for port in container["ports"]] == [service["ports"][0]["targetPort"]]
    assert container["args"] == ["checkgame", "serve", "--role", "all"]


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
        for private in PRIVATE_PATHS:
            assert backend(rule, private) is None, f"{rule['host']} exposes {private}"


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


def tiers(objects: Objects) -> dict[str, Object]:
    """Deployment name → its server container, for every Deployment."""
    return {name: obj["spec"]["template"]["spec"]["containers"][0] for (kind, name), obj in objects.items()
            if kind == "Deployment"}  # fmt: skip


def role(container: Object) -> str:
    args: list[str] = container["args"]
    assert args[:2] == ["checkgame", "serve"], args
    return args[args.index("--role") + 1]


def pods_selected(objects: Objects, selector: dict[str, str]) -> list[str]:
    """The Deployments whose pods ``selector`` matches."""
    return [name for (kind, name), obj in objects.items()
            if kind == "Deployment" and selects(selector, obj["spec"]["template"]["metadata"]["labels"])]  # fmt: skip


def test_the_dev_overlay_runs_one_tier_that_serves_everything() -> None:
    dev = rendered("dev")
    assert {name: role(container) for name, container in tiers(dev).items()} == {"checkgame": "all"}
    assert backend(dev["Ingress", "checkgame"]["spec"]["rules"][0], "/api/v1/ws") == "checkgame"


def test_production_runs_the_api_tier_and_the_ws_tier_each_with_its_own_service_budget_and_autoscaler(
    production: Objects,
) -> None:
    containers = tiers(production)
    assert {name: role(container) for name, container in containers.items()} == {
        "checkgame-api": "api",
        "checkgame-ws": "ws",
    }
    for name in containers:
        service = production["Service", name]["spec"]
        assert pods_selected(production, service["selector"]) == [name]  # its own tier's pods, not the other's
        assert "sessionAffinity" not in service
        budget = production["PodDisruptionBudget", name]["spec"]
        assert pods_selected(production, budget["selector"]["matchLabels"]) == [name]
        hpa = production["HorizontalPodAutoscaler", name]["spec"]
        assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert {metric["resource"]["name"] for metric in hpa["metrics"]} == {"cpu", "memory"}
        spread = production["Deployment", name]["spec"]["template"]["spec"]["topologySpreadConstraints"][0]
        assert pods_selected(production, spread["labelSelector"]["matchLabels"]) == [name]
    assert containers["checkgame-api"]["resources"] == {  # the seed's API pod
        "requests": {"memory": "256Mi", "cpu": "250m"},
        "limits": {"memory": "512Mi", "cpu": "500m"},
    }
    assert containers["checkgame-ws"]["resources"] == {
        "requests": {"memory": "256Mi", "cpu": "500m"},
        "limits": {"memory": "512Mi", "cpu": "1"},
    }
    # Removing a ws pod closes its players' sockets: only that tier keeps the slow scale-down.
    assert "behavior" not in production["HorizontalPodAutoscaler", "checkgame-api"]["spec"]
    slow = production["HorizontalPodAutoscaler", "checkgame-ws"]["spec"]["behavior"]["scaleDown"]
    assert slow["policies"] == [{"type": "Pods", "value": 1, "periodSeconds": 120}]


def test_production_routes_the_game_socket_to_the_ws_tier_and_every_other_public_path_to_the_api_tier(
    production: Objects,
) -> None:
    ingress = production["Ingress", "checkgame"]
    annotations = ingress["metadata"]["annotations"]
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"]) >= 3600
    rules = ingress["spec"]["rules"]
    assert [rule["host"] for rule in rules] == ["api.checkgame.com", "ws.checkgame.com"]
    services = {key[1] for key in production if key[0] == "Service"}
    for rule in rules:
        assert {path["backend"]["service"]["name"] for path in rule["http"]["paths"]} == services
        assert all(path["backend"]["service"]["port"] == {"name": "http"} for path in rule["http"]["paths"])
        assert backend(rule, "/api/v1/ws") == "checkgame-ws"
        for public in (
            "/api/v1/sessions",
            "/api/v1/ws/x",
            "/api/v1",
            "/openapi.json",
            "/",
            "/join/AB12",
            "/static/a.js",
        ):
            assert backend(rule, public) == "checkgame-api", public
        for private in PRIVATE_PATHS:
            assert backend(rule, private) is None, private


def test_production_network_policy_and_scrape_annotations_cover_both_tiers(production: Objects) -> None:
    policy = production["NetworkPolicy", "checkgame"]["spec"]
    assert sorted(pods_selected(production, policy["podSelector"]["matchLabels"])) == ["checkgame-api", "checkgame-ws"]
    for name in tiers(production):
        annotations = production["Deployment", name]["spec"]["template"]["metadata"]["annotations"]
        assert annotations == {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": "8000",
            "prometheus.io/path": "/metrics",
        }


@pytest.mark.parametrize("overlay", ["dev", "production"])
def test_overlays_replace_the_image_the_base_uses(overlay: str) -> None:
    built = rendered(overlay)
    images = {container["image"] for (kind, _), obj in built.items() if kind in ("Deployment", "Job")
              for container in obj["spec"]["template"]["spec"]["containers"]}  # fmt: skip
    assert images == {"ghcr.io/checkgame/server:main"}
    assert {obj["metadata"].get("namespace") for obj in built.values()} == {f"checkgame{'-dev' * (overlay == 'dev')}"}
