"""The attack suite's target: a real ``checkgame serve`` process, attacked from outside as a stranger would.

Every attack test ends the same way (:meth:`Target.assert_survived`): the
process is alive, a bot tournament still plays to its end through it, and its
resident memory is back near where it was before the attack.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.cluster.harness import drop_postgres_database, fresh_postgres_database
from tests.support.processes import free_port, wait_until
from tests.support.services import require

FAST = {
    "CHECKGAME_NEXT_GAME_DELAY_S": "0.05",
    "CHECKGAME_ACTIONS_PER_S": "1000",
    "CHECKGAME_ACTION_BURST": "1000",
    "CHECKGAME_MESSAGES_PER_MIN": "1000000",
}
"""Quick games, so that the survival tournament takes seconds (the limits under attack are left as shipped)."""

MEMORY_SLACK_KIB = 48 * 1024
"""How far above its baseline a node's memory may stay after an attack: allocator caches, not the attack."""


@dataclass
class Target:
    """One server process on a free loopback port, with its own data directory and log."""

    workdir: Path
    settings: dict[str, str] = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    baseline_kib: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.workdir / "server.log"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "CHECKGAME_DATA_DIR": str(self.workdir / "data"),
                "CHECKGAME_PORT": str(self.port),
                "CHECKGAME_NODE_ID": "attacked",
                "CHECKGAME_LOG_FORMAT": "json",
                **FAST,
                **self.settings,
            }
        )
        return env

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "checkgame", "serve"], env=self.env(), stdout=log, stderr=subprocess.STDOUT
            )
        wait_until(lambda: httpx.get(self.url + "/ready", timeout=1).status_code == 200, "the node ready", 30)
        self.baseline_kib = self.rss_kib()

    def stop(self) -> int | None:
        """SIGTERM and wait; the exit status (None if it had to be killed)."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None

    def rss_kib(self) -> int:
        """The process's resident memory now."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS line")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def connect(self, timeout: float = 5) -> socket.socket:
        """A raw TCP connection to the node, for requests no well-behaved client would send."""
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    def assert_alive(self) -> None:
        assert self.alive, f"the node died; its log ends with:\n{self.log_text()[-4000:]}"
        assert httpx.get(self.url + "/health", timeout=5).status_code == 200

    def assert_memory_settles(self, timeout: float = 15) -> int:
        """Resident memory comes back within :data:`MEMORY_SLACK_KIB` of the baseline; returns it."""
        deadline = time.monotonic() + timeout
        rss = self.rss_kib()
        while rss > self.baseline_kib + MEMORY_SLACK_KIB and time.monotonic() < deadline:
            time.sleep(0.2)
            rss = self.rss_kib()
        assert rss <= self.baseline_kib + MEMORY_SLACK_KIB, f"memory {self.baseline_kib} KiB -> {rss} KiB"
        return rss

    def assert_survived(self) -> None:
        """Alive, a tournament of bots still finishes, memory near the baseline, no traceback in the log."""
        self.assert_alive()
        play_bot_tournament(self.url)
        self.assert_memory_settles()
        assert "Traceback" not in self.log_text(), self.log_text()[-4000:]


def play_bot_tournament(url: str, players: int = 2, timeout: float = 60) -> str:
    """A registered creator and ``players - 1`` bots play a tournament to its end; returns the session id."""
    api = url + "/api/v1"
    name = f"survivor{time.monotonic_ns() % 10**9}"
    with httpx.Client(base_url=api, timeout=10) as http:
        registered = http.post(
            "/auth/register",
            json={"username": name, "email": f"{name}@example.com", "password": "survive the attack 9!"},
        )
        assert registered.status_code == 201, registered.text
        token = registered.json()["accessToken"]
        created = http.post(
            "/sessions",
            json={"name": "after the attack", "maxPlayers": players},
            headers={"authorization": f"Bearer {token}"},
        )
        assert created.status_code == 201, created.text
        session = created.json()
        session_id: str = session["session"]["id"]
        bot = [sys.executable, "-m", "checkgame", "bot", "--url", url, "--think", "0"]
        joiners = subprocess.Popen(
            [*bot, "--code", session["joinCode"], "--count", str(players - 1), "--seed", "7"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            creator = subprocess.run(
                [*bot, "--session-token", session["sessionToken"], "--start", "--seed", "1"],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
            assert creator.returncode == 0, creator.stdout + creator.stderr
            out, _ = joiners.communicate(timeout=timeout)
            assert joiners.returncode == 0, out.decode(errors="replace")
        finally:
            if joiners.poll() is None:
                joiners.kill()
                joiners.wait()
        detail = http.get(f"/sessions/{session_id}").json()
        assert detail["session"]["status"] == "finished", detail
    return session_id


@dataclass
class RedisServer:
    """A Redis of the test's own, without persistence, so that a restart loses everything."""

    workdir: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(self._answers, "redis up", 10)

    def _answers(self) -> bool:
        ping = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True, check=False)
        return ping.stdout.strip() == "PONG"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(10)


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of an empty PostgreSQL database, dropped afterwards (skips, or fails under
    CHECKGAME_REQUIRE_SERVICES, when PostgreSQL does not answer)."""
    admin_url = require("postgres")
    url, name = fresh_postgres_database(admin_url)
    try:
        yield url
    finally:
        drop_postgres_database(admin_url, name)
