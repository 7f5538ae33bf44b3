"""The upgrades that once took a whole cluster down, sent through nginx: both nodes stay up and keep playing.

nginx passes the body of an upgrade request on to a node; before the front door
(checkgame/transport/edge) the node's h11 exception ended its process, and
round-robin sent the second such request to the other node.
"""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.attack.harness import play_bot_tournament
from tests.attack.test_upgrades import KEY, curl_upgrade_with_body
from tests.cluster.harness import Cluster

pytestmark = [pytest.mark.cluster, pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def test_upgrades_with_a_body_through_nginx_leave_both_nodes_up(cluster: Cluster) -> None:
    statuses = [curl_upgrade_with_body(cluster.url) for _ in range(4)]  # round-robin: each node twice
    assert statuses == ["400"] * 4
    with socket.create_connection(("127.0.0.1", cluster.port), timeout=10) as sock:  # a non-WebSocket route + a byte
        sock.sendall(
            b"GET /health HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + f"Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        sock.sendall(b"x")
        assert sock.recv(65536).split(b" ")[1] == b"400"
    for node in cluster.nodes:
        assert node.alive, node.log.read_text()[-4000:]
        assert httpx.get(node.url + "/health", timeout=5).status_code == 200
    play_bot_tournament(cluster.url)
