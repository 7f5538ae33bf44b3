"""deploy/compose.yaml and the configs it mounts name the same services, files, ports and data source.

`docker compose config` (in ``.ci/validate-ops``) checks the compose file alone; these check that nginx,
Prometheus and Grafana, configured in their own files, point at what compose actually runs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return loaded


def servers(compose: dict[str, Any]) -> list[str]:
    return sorted(name for name, service in compose["services"].items() if service.get("command") is None
                  and service.get("image") == "localhost/checkgame:dev")  # fmt: skip


def test_two_nodes_of_one_image_after_the_migration(compose: dict[str, Any]) -> None:
    assert servers(compose) == ["server-1", "server-2"]
    for name in servers(compose):
        service = compose["services"][name]
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert service["environment"]["CHECKGAME_NODE_ID"] == name
        assert "@pgbouncer:5432/" in service["environment"]["DATABASE_URL"]
        assert service["environment"]["DATABASE_URL"].endswith("?pooler=pgbouncer")
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:6379/")
    assert compose["services"]["migrate"]["command"] == ["checkgame", "migrate"]
    assert compose["services"]["redis"]["command"] == ["redis-server", "--appendonly", "yes"]
    assert compose["services"]["postgres"]["image"].startswith("postgres:15")
    assert compose["services"]["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"


def test_every_mounted_config_exists(compose: dict[str, Any]) -> None:
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (DEPLOY / source).exists(), source


def test_nginx_proxies_to_the_compose_nodes(compose: dict[str, Any]) -> None:
    upstreams = re.findall(r"^\s*server (\S+):8000\b", (DEPLOY / "nginx" / "nginx.conf").read_text(), re.MULTILINE)
    assert sorted(upstreams) == servers(compose)
    directives = re.findall(r"^\s*(\w+)", (DEPLOY / "nginx" / "nginx.conf").read_text(), re.MULTILINE)
    assert not {"ip_hash", "hash", "sticky"} & set(directives)  # round-robin: any node serves any player
    assert "8080:80" in compose["services"]["nginx"]["ports"]
    assert "127.0.0.1:8081:8081" in compose["services"]["nginx"]["ports"]


def test_prometheus_scrapes_what_compose_runs(compose: dict[str, Any]) -> None:
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    mounted = {Path(v.split(":")[1]).name for v in compose["services"]["prometheus"]["volumes"] if v.startswith("./")}
    assert set(config["rule_files"]) <= mounted
    targets = {
        job["job_name"]: [t for c in job["static_configs"] for t in c["targets"]] for job in config["scrape_configs"]
    }
    assert sorted(targets["checkgame"]) == [f"{name}:8000" for name in servers(compose)]
    for job in ("postgresql", "redis"):
        (target,) = targets[job]
        assert target.split(":")[0] in compose["services"]


def test_grafana_provisions_the_data_source_and_folder_the_dashboards_use(compose: dict[str, Any]) -> None:
    grafana = DEPLOY / "grafana"
    (source,) = yaml.safe_load((grafana / "provisioning" / "datasources" / "prometheus.yml").read_text())["datasources"]
    assert source["url"] == "http://prometheus:9090"
    (provider,) = yaml.safe_load((grafana / "provisioning" / "dashboards" / "checkgame.yml").read_text())["providers"]
    assert f"./grafana/dashboards:{provider['options']['path']}:ro" in compose["services"]["grafana"]["volumes"]
    for path in (grafana / "dashboards").glob("*.json"):
        text = path.read_text()
        uids = set(re.findall(r'"uid": "([^"]+)"', text)) - {json.loads(text)["uid"]}
        assert uids == {source["uid"]}, path.name
