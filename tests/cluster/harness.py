"""A real cluster on one machine: several ``checkgame serve`` processes sharing PostgreSQL and Redis, behind nginx.

Each test gets a fresh PostgreSQL database and a flushed Redis database, so
nodes share exactly what a production cluster shares and nothing else.
Nodes are real processes, so ``kill -9`` and ``SIGTERM`` are real too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from tests.support.processes import free_port, wait_until

SECRET = "cluster-tests-rGT5SAXKi8npUiC_OieqPQRq9fYTU81Uw"
"""Shared by the nodes; random-looking, as production mode refuses a guessable secret."""
TEMPLATE = Path(__file__).with_name("nginx.conf.template")


@dataclass
class Node:
    """One server process."""

    name: str
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class Cluster:
    """Nodes behind nginx, sharing one PostgreSQL database and one Redis database."""

    workdir: Path
    database_url: str
    redis_url: str
    nodes: list[Node] = field(default_factory=list)
    nginx: subprocess.Popen[bytes] | None = None
    port: int = 0
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The load balancer: what clients use."""
        return f"http://127.0.0.1:{self.port}"

    def env(self, node: Node) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "JWT_SECRET": SECRET,
                "CHECKGAME_PRODUCTION": "true",
                "CHECKGAME_NODE_ID": node.name,
                "CHECKGAME_PORT": str(node.port),
                "CHECKGAME_PUBLIC_URL": self.url,
                "CHECKGAME_TRUST_FORWARDED_FOR": "true",
                "CHECKGAME_LOG_LEVEL": "warning",
                **self.settings,
            }
        )
        return env

    def start_node(self, node: Node) -> None:
        with node.log.open("ab") as log:
            node.process = subprocess.Popen(
                [sys.executable, "-m", "checkgame", "serve"], env=self.env(node), stdout=log, stderr=subprocess.STDOUT
            )
        wait_until(lambda: httpx.get(node.url + "/ready", timeout=1).status_code == 200, f"{node.name} ready", 30)

    def start(self, count: int) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.nodes = [Node(f"node{i}", free_port(), self.workdir / f"node{i}.log") for i in range(1, count + 1)]
        subprocess.run([sys.executable, "-m", "checkgame", "migrate", "--database-url", self.database_url], check=True)
        for node in self.nodes:
            self.start_node(node)
        upstreams = "\n".join(f"        server 127.0.0.1:{n.port} max_fails=1 fail_timeout=2s;" for n in self.nodes)
        conf = TEMPLATE.read_text().replace("@PREFIX@", str(self.workdir))
        conf = conf.replace("@PORT@", str(self.port)).replace("@UPSTREAMS@", upstreams)
        (self.workdir / "nginx.conf").write_text(conf)
        with (self.workdir / "nginx.out").open("ab") as errors:
            self.nginx = subprocess.Popen(
                ["nginx", "-c", str(self.workdir / "nginx.conf"), "-p", str(self.workdir)],
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
        wait_until(lambda: httpx.get(self.url + "/health", timeout=1).status_code == 200, "nginx up", 10)

    def kill(self, node: Node) -> None:
        """``kill -9``: no goodbye, no flush."""
        assert node.process is not None
        node.process.send_signal(signal.SIGKILL)
        node.process.wait(5)

    def terminate(self, node: Node, timeout: float = 20) -> int:
        """SIGTERM, as a rolling restart does; returns the exit status."""
        assert node.process is not None
        node.process.send_signal(signal.SIGTERM)
        return node.process.wait(timeout)

    def stop(self) -> None:
        for node in self.nodes:
            if node.alive:
                assert node.process is not None
                node.process.send_signal(signal.SIGTERM)
        for node in self.nodes:
            if node.process is not None:
                try:
                    node.process.wait(15)
                except subprocess.TimeoutExpired:
                    node.process.kill()
                    node.process.wait()
        if self.nginx is not None:
            self.nginx.terminate()
            self.nginx.wait(10)


def fresh_postgres_database(admin_url: str) -> tuple[str, str]:
    """Create an empty database next to ``admin_url``'s; return (its URL, its name) for dropping later."""
    name = f"cg_cluster_{uuid.uuid4().hex[:10]}"
    psql(admin_url, f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(path=f"/{name}")), name


def drop_postgres_database(admin_url: str, name: str) -> None:
    psql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def psql(url: str, sql: str) -> None:
    """Run ``sql`` on the database at ``url``; raise if it fails."""
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], check=True, capture_output=True)
