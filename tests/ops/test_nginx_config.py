"""deploy/nginx/nginx.conf, run by a real nginx in front of two real nodes.

Only what a test needs to run it here is rewritten (listen addresses, upstream hosts, file paths); every
substitution must match exactly once, so a change to the config cannot silently leave this test checking
something else. What is checked is what the config promises: the public port proxies the API and WebSocket
upgrades round-robin and refuses /admin and /metrics; the operators' port forwards them.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import trio
from trio_websocket import ConnectionClosed

from checkgame.transport.ws.player import CLOSE_POLICY
from tests.integration.conftest import open_ws, start_server
from tests.support.processes import free_port
from tests.support.services import services_required

pytestmark = pytest.mark.slow

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "nginx.conf"
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def render(config: str, workdir: Path, public: int, operators: int, upstreams: dict[str, int]) -> str:
    """``config`` runnable here: loopback ports, the nodes' real ports, files under ``workdir``."""
    substitutions = {
        "listen 80;": f"listen 127.0.0.1:{public};",
        "listen 8081;": f"listen 127.0.0.1:{operators};",
        "pid /var/run/nginx.pid;": f"pid {workdir}/nginx.pid;",
        "error_log /var/log/nginx/error.log warn;": f"error_log {workdir}/error.log warn;",
        "access_log /var/log/nginx/access.log;": f"access_log {workdir}/access.log;\n"
        + "".join(f"    {kind}_temp_path {workdir}/{kind};\n" for kind in TEMP_PATHS),
        **{f"server {host}:8000 ": f"server 127.0.0.1:{port} " for host, port in upstreams.items()},
    }
    for old, new in substitutions.items():
        assert config.count(old) == 1, f"{old!r} should appear once in {CONFIG}"
        config = config.replace(old, new)
    return config


@dataclass(frozen=True)
class Proxy:
    public: str
    operators: str
    nodes: frozenset[str]


@pytest.fixture
async def proxy(nursery: trio.Nursery, tmp_path: Path) -> AsyncIterator[Proxy]:
    if shutil.which("nginx") is None:
        if services_required():
            pytest.fail("nginx is not installed (CHECKGAME_REQUIRE_SERVICES is set)")
        pytest.skip("nginx is not installed")
    nodes = {}
    for name in ("server-1", "server-2"):
        (tmp_path / name).mkdir()
        nodes[name] = await start_server(nursery, tmp_path / name, node_id=name)
    upstreams = {name: urlsplit(node.url).port or 0 for name, node in nodes.items()}
    public, operators = free_port(), free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(render(CONFIG.read_text(), tmp_path, public, operators, upstreams))
    nginx = await trio.lowlevel.open_process(["nginx", "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"])
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(200):
                try:
                    await client.get(f"http://127.0.0.1:{public}/health")
                    break
                except httpx.TransportError:
                    await trio.sleep(0.05)
        yield Proxy(f"127.0.0.1:{public}", f"127.0.0.1:{operators}", frozenset(nodes))
    finally:
        nginx.terminate()
        await nginx.wait()
        for node in nodes.values():
            node.stop.set()


def refused_by_nginx(response: httpx.Response) -> bool:
    return response.status_code == 404 and response.headers.get("server") == "nginx"


async def test_the_public_port_refuses_admin_and_metrics_and_the_operators_port_forwards_them(proxy: Proxy) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        for path in ("/metrics", "/admin/overview", "/admin", "/api/v1/admin/users"):
            assert refused_by_nginx(await client.get(f"http://{proxy.public}{path}")), path

        metrics = await client.get(f"http://{proxy.operators}/metrics")
        assert metrics.status_code == 200
        assert "# TYPE http_request_duration_seconds histogram" in metrics.text
        admin = await client.get(f"http://{proxy.operators}/admin/overview")
        assert not refused_by_nginx(admin)
        assert admin.status_code in {401, 404}
        assert admin.headers["content-type"].startswith("application/json")


async def test_the_api_is_proxied_round_robin_without_stickiness(proxy: Proxy) -> None:
    async with httpx.AsyncClient(base_url=f"http://{proxy.public}", timeout=10) as client:
        assert (await client.get("/openapi.json")).status_code == 200
        answered = {(await client.get("/health")).json()["node"] for _ in range(6)}
    assert answered == proxy.nodes


async def test_a_websocket_upgrade_passes_through_to_a_node(proxy: Proxy) -> None:
    async with open_ws(f"ws://{proxy.public}/api/v1/ws?token=not-a-token") as socket_:
        with pytest.raises(ConnectionClosed) as closed:
            while True:  # an error frame, then the close
                await socket_.get_message()
    reason = closed.value.reason
    assert reason is not None
    assert reason.code == CLOSE_POLICY
