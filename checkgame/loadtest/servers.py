"""Servers a load test starts for itself: one node on the embedded defaults, one on PostgreSQL + Redis,
two behind nginx (the layout of tests/cluster, with room for thousands of connections), or the Node.js
relay the echo route is compared with (bench/node_relay).

They are real ``checkgame serve`` processes, configured only through the environment: the load test
needs no change to the server. What it lifts, and why (:data:`LOAD_SETTINGS`): every player comes from
this one machine (one IP) and each worker's one account creates all its tables' sessions, so the per-IP
and per-user REST limits are raised; the per-connection WebSocket limits stay as they are.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from checkgame.loadtest.worker import raise_file_limit

__all__ = [
    "LOAD_SETTINGS",
    "NGINX_CONF",
    "NODE_RELAY",
    "SetupError",
    "Target",
    "free_port",
    "start_servers",
    "wait_ready",
]

LOAD_SETTINGS = {
    "CHECKGAME_AUTH_PER_MIN": "1000000",
    "CHECKGAME_REQUESTS_PER_MIN": "100000000",
    "CHECKGAME_SESSIONS_PER_HOUR": "100000000",
    "CHECKGAME_BENCH_ECHO": "true",
    "CHECKGAME_MAX_CONNECTIONS_PER_IP": "0",  # every simulated player comes from this machine
    "CHECKGAME_LOG_LEVEL": "warning",
    "JWT_SECRET": "load-test-secret-Xq3v9ZpL2mK7tR8wY4nB6cD1",
}
"""What a load-test server is told beyond its defaults (documented in docs/performance.md)."""


class SetupError(RuntimeError):
    """A server or tool the run needs is missing or did not start: the command says so in one line."""


NODE_RELAY = Path(__file__).resolve().parents[2] / "bench" / "node_relay"
"""The Node.js ``ws`` relay the echo route is compared with (in a source checkout only)."""

NGINX_CONF = """\
worker_processes 1;
worker_rlimit_nofile 20000;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 19000; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy; fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    upstream checkgame {{ {upstreams} keepalive 64; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://checkgame;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 3600s;
            proxy_send_timeout 3600s;
        }}
    }}
}}
"""


@dataclass
class Target:
    """Where the players go, and the processes whose CPU and memory count as "the server"."""

    url: str
    mode: str
    pids: list[int] = field(default_factory=list)
    helper_pids: dict[str, list[int]] = field(default_factory=dict)
    """nginx, Redis, PostgreSQL: reported apart, not counted as the server."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(
    url: str, what: str, node: str | None = None, process: subprocess.Popen[bytes] | None = None, timeout: float = 60.0
) -> None:
    """Wait for ``url`` to answer /ready (as ``node``, when given: not some other server that took the port)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SetupError(f"{what} exited")
        try:
            response = httpx.get(url + "/ready", timeout=2)
            if response.status_code == 200 and node in (None, response.json().get("node")):
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.1)
    raise SetupError(f"{what} not ready within {timeout} s")


@contextmanager
def _serve(workdir: Path, name: str, command: list[str], env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """Run ``command`` as a server on a port picked free just before (tried again if another process takes it).

    It is told its port and an identity in ``CHECKGAME_PORT`` and ``CHECKGAME_NODE_ID`` and must answer
    ``/ready`` with that identity, so a server that took the port meanwhile is never mistaken for it.
    """
    node_id = f"load-{uuid.uuid4().hex[:6]}-{name}"
    for _ in range(3):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        settings = {**os.environ, **env, "CHECKGAME_PORT": str(port), "CHECKGAME_NODE_ID": node_id}
        with (workdir / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                command, env=settings, stdout=log, stderr=subprocess.STDOUT, preexec_fn=raise_file_limit
            )
        try:
            wait_ready(url, name, node_id, process)
        except SetupError:
            if process.poll() is None:
                raise
            continue  # it exited: most likely the port was taken meanwhile
        try:
            yield url, process.pid
        finally:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return
    raise SetupError(f"{name} did not start (see {workdir / name}.log)")


def _node(workdir: Path, name: str, env: dict[str, str]) -> AbstractContextManager[tuple[str, int]]:
    """One ``checkgame serve`` with the load-test settings."""
    data_dir = os.environ.get("CHECKGAME_DATA_DIR", str(workdir / name))
    settings = {**LOAD_SETTINGS, "CHECKGAME_DATA_DIR": data_dir, **env}
    return _serve(workdir, name, [sys.executable, "-m", "checkgame", "serve"], settings)


def _node_relay(workdir: Path) -> AbstractContextManager[tuple[str, int]]:
    """The Node.js ``ws`` relay of bench/node_relay (installed there first when it is not yet)."""
    node = shutil.which("node")
    if node is None or not (NODE_RELAY / "relay.mjs").is_file():
        raise SetupError(f"the Node.js relay needs node on PATH and {NODE_RELAY}/relay.mjs")
    if not (NODE_RELAY / "node_modules" / "ws").is_dir():
        installed = subprocess.run([NODE_RELAY / "install.sh"], capture_output=True, text=True, check=False)
        if installed.returncode != 0:
            raise SetupError(f"{NODE_RELAY}/install.sh failed: {installed.stderr.strip() or installed.stdout}")
    return _serve(workdir, "node-relay", [node, str(NODE_RELAY / "relay.mjs")], {})


def _pids(command: list[str]) -> list[int]:
    found = subprocess.run(command, capture_output=True, text=True, check=False).stdout.split()
    return [int(pid) for pid in found if pid.isdigit()]


def _helpers() -> dict[str, list[int]]:
    """Redis and PostgreSQL (its postmaster's children: the backends doing the work), when local."""
    postmaster = _pids(["pgrep", "-o", "-x", "postgres"])
    backends = _pids(["pgrep", "-P", str(postmaster[0])]) if postmaster else []
    return {"redis": _pids(["pgrep", "-x", "redis-server"]), "postgres": backends}


@contextmanager
def _postgres_and_redis(postgres_url: str, redis_url: str) -> Iterator[dict[str, str]]:
    """A fresh PostgreSQL database (dropped afterwards) and a flushed Redis database."""
    subprocess.run(["redis-cli", "-u", redis_url, "flushdb"], check=True, capture_output=True)
    name = f"cg_load_{uuid.uuid4().hex[:10]}"
    psql = ["psql", postgres_url, "-v", "ON_ERROR_STOP=1", "-q", "-c"]
    subprocess.run([*psql, f'CREATE DATABASE "{name}"'], check=True, capture_output=True)
    database_url = urlunsplit(urlsplit(postgres_url)._replace(path=f"/{name}"))
    try:
        migrate = [sys.executable, "-m", "checkgame", "migrate", "--database-url", database_url]
        subprocess.run(migrate, check=True, capture_output=True)
        yield {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
    finally:
        subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=False, capture_output=True)


@contextmanager
def start_servers(mode: str, *, postgres_url: str, redis_url: str) -> Iterator[Target]:
    """Start ``embedded`` (one node, SQLite, memory), ``redis`` (one node, PostgreSQL + Redis),
    ``cluster`` (two such nodes behind nginx) or ``node-relay`` (the echo route's peer on Node.js, echo
    only); stop them on exit."""
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="checkgame-load-")))
        if mode == "node-relay":
            url, pid = stack.enter_context(_node_relay(workdir))
            yield Target(url, mode, [pid])
            return
        if mode == "embedded":
            url, pid = stack.enter_context(_node(workdir, "node1", {}))
            yield Target(url, mode, [pid])
            return
        env = stack.enter_context(_postgres_and_redis(postgres_url, redis_url))
        if mode == "redis":
            url, pid = stack.enter_context(_node(workdir, "node1", env))
            yield Target(url, mode, [pid], _helpers())
            return
        if shutil.which("nginx") is None:
            raise SetupError("the cluster run needs nginx on PATH (apt install nginx)")
        port = free_port()
        env["CHECKGAME_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
        env["CHECKGAME_TRUST_FORWARDED_FOR"] = "true"
        nodes = [stack.enter_context(_node(workdir, f"node{i}", env)) for i in (1, 2)]
        upstreams = " ".join(f"server {urlsplit(url).netloc};" for url, _ in nodes)
        (workdir / "nginx.conf").write_text(NGINX_CONF.format(dir=workdir, port=port, upstreams=upstreams))
        with (workdir / "nginx.out").open("ab") as errors:
            nginx = subprocess.Popen(
                ["nginx", "-c", str(workdir / "nginx.conf"), "-p", str(workdir)],
                stdout=subprocess.DEVNULL,
                stderr=errors,
                preexec_fn=raise_file_limit,
            )
        stack.callback(nginx.wait, 10)
        stack.callback(nginx.terminate)
        wait_ready(f"http://127.0.0.1:{port}", "nginx")
        helpers = {**_helpers(), "nginx": _pids(["pgrep", "-P", str(nginx.pid)])}
        yield Target(f"http://127.0.0.1:{port}", mode, [pid for _, pid in nodes], helpers)
