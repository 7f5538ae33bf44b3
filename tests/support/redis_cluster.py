"""A real Redis Cluster on loopback for the tests: three masters, one replica each, in a directory of the test's.

Each ``redis-server`` runs with ``--cluster-enabled yes`` on its own port (and
that port + 10000 for the cluster bus), without persistence, and a short
``cluster-node-timeout`` so that a killed master is failed over in a couple of
seconds. ``redis-cli --cluster create --cluster-replicas 1`` joins them.
"""

from __future__ import annotations

import random
import signal
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.processes import wait_until

__all__ = ["RedisCluster", "cluster_available"]

NODE_TIMEOUT_MS = 1000
"""How long a master may be silent before its replica takes over (the failover players see is about twice this)."""


def cluster_available() -> bool:
    """True when ``redis-server`` and ``redis-cli`` (7.0 or newer: sharded pub/sub) are installed."""
    try:
        version = subprocess.run(["redis-server", "--version"], capture_output=True, text=True, check=False).stdout
        subprocess.run(["redis-cli", "--version"], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    number = version.split("v=", 1)[-1].split()[0] if "v=" in version else "0"
    return int(number.split(".")[0]) >= 7


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _cluster_ports(count: int) -> list[int]:
    """``count`` ports below the ephemeral range whose bus ports (+10000) are free as well."""
    ports: list[int] = []
    while len(ports) < count:
        port = random.randrange(20000, 30000)
        if port not in ports and _bindable(port) and _bindable(port + 10000):
            ports.append(port)
    return ports


@dataclass
class RedisCluster:
    """Six ``redis-server`` processes forming a cluster of three masters with one replica each."""

    workdir: Path
    masters: int = 3
    ports: list[int] = field(default_factory=list)
    processes: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The ``REDIS_URL`` of the cluster: every node as a seed."""
        return "redis+cluster://" + ",".join(f"127.0.0.1:{port}" for port in self.ports)

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.ports = _cluster_ports(self.masters * 2)
        for port in self.ports:
            self._start_node(port)
        subprocess.run(
            ["redis-cli", "--cluster", "create", *(f"127.0.0.1:{port}" for port in self.ports),
             "--cluster-replicas", "1", "--cluster-yes"],
            capture_output=True, check=True, timeout=60,
        )  # fmt: skip
        wait_until(self.healthy, "the redis cluster ok", 30)
        wait_until(self.replicas_in_sync, "every replica in sync with its master", 30)

    def replicas_in_sync(self) -> bool:
        """Every replica has its master link up: only then may it take over (a replica that never synced
        refuses to fail over, as ``cluster-replica-validity-factor`` says)."""
        roles = {port: self.cli(port, "info", "replication") for port in self.live_ports()}
        replicas = [info for info in roles.values() if "role:slave" in info]
        return len(replicas) == self.masters and all("master_link_status:up" in info for info in replicas)

    def _start_node(self, port: int) -> None:
        directory = self.workdir / str(port)
        directory.mkdir(exist_ok=True)
        with (directory / "redis.log").open("ab") as log:
            self.processes[port] = subprocess.Popen(
                ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                 "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", str(NODE_TIMEOUT_MS),
                 "--save", "", "--appendonly", "no", "--dir", str(directory)],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_until(lambda: self.cli(port, "ping") == "PONG", f"redis on port {port}", 10)

    def cli(self, port: int, *args: str) -> str:
        """Run one ``redis-cli`` command against the node on ``port``; its output, stripped."""
        done = subprocess.run(
            ["redis-cli", "-p", str(port), *args], capture_output=True, text=True, check=False, timeout=10
        )
        return done.stdout.strip()

    def live_ports(self) -> list[int]:
        return [port for port, process in self.processes.items() if process.poll() is None]

    def master_ports(self) -> list[int]:
        """The ports of the nodes that are masters now (as a live node sees them)."""
        nodes = self.cli(self.live_ports()[0], "cluster", "nodes").splitlines()
        return sorted(
            int(line.split()[1].split(":")[1].split("@")[0])
            for line in nodes
            if "master" in line.split()[2] and "fail" not in line.split()[2]
        )

    def master_of(self, key: str) -> int:
        """The port of the master that serves ``key``'s hash slot now."""
        port = self.live_ports()[0]
        slot = int(self.cli(port, "cluster", "keyslot", key))
        for line in self.cli(port, "cluster", "nodes").splitlines():
            fields = line.split()
            if "master" not in fields[2] or "fail" in fields[2]:
                continue
            for span in fields[8:]:
                first, _, last = span.partition("-")
                if first.isdigit() and int(first) <= slot <= int(last or first):
                    return int(fields[1].split(":")[1].split("@")[0])
        raise LookupError(f"no master serves slot {slot}")

    def healthy(self) -> bool:
        """Every live node says the cluster is ok and counts ``masters`` masters serving slots."""
        for port in self.live_ports():
            info = self.cli(port, "cluster", "info")
            if "cluster_state:ok" not in info or f"cluster_size:{self.masters}" not in info:
                return False
        return len(self.master_ports()) == self.masters

    def kill(self, port: int) -> None:
        """Kill the node on ``port`` at once (SIGKILL: no goodbye to the cluster)."""
        process = self.processes[port]
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
