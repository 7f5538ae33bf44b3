"""The chaos soak's own cluster: nodes behind nginx, a Redis and a PostgreSQL database of its own, and a real
Prometheus scraping the nodes with the objectives' recording rules (deploy/prometheus/slo.yml) loaded.

Everything it disturbs is its own: a ``redis-server`` it started on a free port (paused with SIGSTOP), a fresh
PostgreSQL database it created (made to refuse connections, then dropped), and node processes it started.
Each start of a node gets a new node id, as a replacement pod would. A node that exits without the soak asking
is a crash: :meth:`SoakCluster.crashes` reports it with the end of its log.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from checkgame.loadtest.servers import LOAD_SETTINGS, NGINX_CONF, SetupError, free_port, wait_ready
from checkgame.loadtest.worker import raise_file_limit

__all__ = ["RULES_DIR", "SoakCluster"]

RULES_DIR = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"
"""The rule files the soak's Prometheus loads (the soak runs from a checkout of the project)."""
SOAK_SETTINGS = {
    "CHECKGAME_ACTIONS_PER_S": "1000",
    "CHECKGAME_ACTION_BURST": "1000",
    "CHECKGAME_MESSAGES_PER_MIN": "1000000",
    "CHECKGAME_NEXT_GAME_DELAY_S": "0.5",
    "CHECKGAME_PRODUCTION": "true",
    "CHECKGAME_TRUST_FORWARDED_FOR": "true",
}
"""Beyond the load test's: quick games, and per-connection limits lifted for bots that play fast."""


@dataclass
class SoakNode:
    name: str
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    expected_exit: bool = False
    """Set just before the soak signals it: its exit is then not a crash."""


@dataclass
class SoakCluster:
    workdir: Path
    node_count: int
    postgres_url: str
    nodes: list[SoakNode] = field(default_factory=list)
    port: int = 0
    database: str = ""
    database_url: str = ""
    redis_url: str = ""
    prometheus_url: str = ""
    crashes: list[dict[str, Any]] = field(default_factory=list)
    _processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ start and stop

    def start(self) -> None:
        for tool in ("redis-server", "nginx", "prometheus", "psql"):
            if shutil.which(tool) is None:
                raise SetupError(f"the chaos soak needs {tool} on PATH")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._start_redis()
        self._create_database()
        self.port = free_port()
        self.nodes = [
            SoakNode(f"node{i}", free_port(), self.workdir / f"node{i}.log") for i in range(1, self.node_count + 1)
        ]
        for node in self.nodes:
            self.start_node(node)
        self._start_nginx()
        self._start_prometheus()

    def stop(self) -> None:
        for node in self.nodes:
            if node.process is not None and node.process.poll() is None:
                node.expected_exit = True
                node.process.terminate()
        for node in self.nodes:
            if node.process is not None:
                _reap(node.process, 30)
        for process in reversed(self._processes.values()):
            if process.poll() is None:
                os.kill(process.pid, signal.SIGCONT)  # a paused Redis cannot exit
                process.terminate()
            _reap(process, 10)
        if self.database:
            self._psql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)', check=False)

    def _spawn(self, name: str, command: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        with (self.workdir / f"{name}.out").open("ab") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, **kwargs)
        self._processes[name] = process
        return process

    def _start_redis(self) -> None:
        port = free_port()
        self._spawn(
            "redis",
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
        )
        self.redis_url = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 10
        while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).returncode != 0:
            if time.monotonic() > deadline:
                raise SetupError("the soak's redis-server did not start")
            time.sleep(0.1)

    def _psql(self, sql: str, *, url: str | None = None, check: bool = True) -> str:
        command = ["psql", url or self.postgres_url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql]
        return subprocess.run(command, capture_output=True, text=True, check=check).stdout

    def _create_database(self) -> None:
        self.database = f"cg_chaos_{uuid.uuid4().hex[:10]}"
        self._psql(f'CREATE DATABASE "{self.database}"')
        self.database_url = urlunsplit(urlsplit(self.postgres_url)._replace(path=f"/{self.database}"))
        migrate = [sys.executable, "-m", "checkgame", "migrate", "--database-url", self.database_url]
        subprocess.run(migrate, check=True, capture_output=True)

    def _start_nginx(self) -> None:
        upstreams = " ".join(f"server 127.0.0.1:{n.port} max_fails=1 fail_timeout=2s;" for n in self.nodes)
        (self.workdir / "nginx.conf").write_text(
            NGINX_CONF.format(dir=self.workdir, port=self.port, upstreams=upstreams)
        )
        self._spawn(
            "nginx",
            ["nginx", "-c", str(self.workdir / "nginx.conf"), "-p", str(self.workdir)],
            preexec_fn=raise_file_limit,
        )
        wait_ready(self.url, "nginx")

    def _start_prometheus(self) -> None:
        port = free_port()
        targets = json.dumps([f"127.0.0.1:{n.port}" for n in self.nodes])
        rules = json.dumps([str(RULES_DIR / "alerts.yml"), str(RULES_DIR / "slo.yml")])
        (self.workdir / "prometheus.yml").write_text(
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            f"rule_files: {rules}\n"
            f"scrape_configs:\n  - job_name: checkgame\n    static_configs: [{{targets: {targets}}}]\n"
        )
        self._spawn(
            "prometheus",
            [
                "prometheus",
                f"--config.file={self.workdir / 'prometheus.yml'}",
                f"--storage.tsdb.path={self.workdir / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
        )
        self.prometheus_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while not self.query("up"):
            if time.monotonic() > deadline or self._processes["prometheus"].poll() is not None:
                raise SetupError(f"Prometheus did not start (see {self.workdir / 'prometheus.out'})")
            time.sleep(0.2)

    # ------------------------------------------------------------------ nodes

    def start_node(self, node: SoakNode) -> None:
        node.starts += 1
        node_id = f"chaos-{node.name}-{node.starts}"
        env = {
            **os.environ,
            **LOAD_SETTINGS,
            **SOAK_SETTINGS,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "CHECKGAME_PORT": str(node.port),
            "CHECKGAME_NODE_ID": node_id,
            "CHECKGAME_PUBLIC_URL": self.url,
        }
        with node.log.open("ab") as log:
            node.process = subprocess.Popen(
                [sys.executable, "-m", "checkgame", "serve"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=raise_file_limit,
            )
        wait_ready(f"http://127.0.0.1:{node.port}", node.name, node_id, node.process)
        node.expected_exit = False  # from now on, an exit is a crash

    def kill(self, node: SoakNode) -> None:
        """``kill -9``: no drain, no flush."""
        assert node.process is not None
        node.expected_exit = True
        node.process.send_signal(signal.SIGKILL)
        node.process.wait(10)

    def terminate(self, node: SoakNode) -> int:
        """SIGTERM, as a rolling restart does: the node drains and exits; returns its exit status.

        A drain that does not end in exit status 0 is a crash too (recorded with the end of the log)."""
        assert node.process is not None
        node.expected_exit = True
        node.process.send_signal(signal.SIGTERM)
        status = _reap(node.process, 30)
        if status != 0:
            self._record_crash(node, status, "while draining after SIGTERM")
        return status

    def check_nodes(self) -> None:
        """Record (and replace) every node that exited without the soak asking."""
        for node in self.nodes:
            process = node.process
            if process is None or node.expected_exit or process.poll() is None:
                continue
            self._record_crash(node, process.returncode, "unprompted")
            node.expected_exit = True  # recorded once; the replacement is a new process
            try:
                self.start_node(node)
            except SetupError as exc:  # its replacement did not start either: recorded, tried again next round
                self.crashes.append({"node": node.name, "status": None, "logTail": [f"restart failed: {exc}"]})
                node.expected_exit = False

    def _record_crash(self, node: SoakNode, status: int | None, when: str) -> None:
        tail = node.log.read_text(errors="replace").splitlines()[-30:]
        self.crashes.append(
            {"node": node.name, "at": time.strftime("%H:%M:%S"), "when": when, "status": status, "logTail": tail}
        )

    def tracebacks(self) -> dict[str, int]:
        return {n.name: n.log.read_text(errors="replace").count("Traceback") for n in self.nodes}

    # ------------------------------------------------------------------ dependencies

    def pause_redis(self) -> None:
        os.kill(self._processes["redis"].pid, signal.SIGSTOP)

    def resume_redis(self) -> None:
        os.kill(self._processes["redis"].pid, signal.SIGCONT)

    def refuse_postgres(self) -> None:
        """New connections refused, the open ones cut: PostgreSQL as the nodes see it when it goes away."""
        self._psql(f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS false')
        self._psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{self.database}'")

    def accept_postgres(self) -> None:
        self._psql(f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS true')

    def sql(self, query: str) -> list[list[str]]:
        """Rows of a query on the soak's database (``|``-separated columns)."""
        return [line.split("|") for line in self._psql(query, url=self.database_url).splitlines() if line]

    # ------------------------------------------------------------------ Prometheus

    def query(self, promql: str, at: float | None = None) -> list[dict[str, Any]]:
        params = {"query": promql, **({"time": str(at)} if at is not None else {})}
        try:
            response = httpx.get(f"{self.prometheus_url}/api/v1/query", params=params, timeout=10)
            return list(response.json()["data"]["result"]) if response.status_code == 200 else []
        except (httpx.HTTPError, ValueError, KeyError):
            return []


def _reap(process: subprocess.Popen[bytes], timeout: float) -> int:
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()
