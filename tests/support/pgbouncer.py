"""A real PgBouncer (Debian's ``pgbouncer``) in transaction pooling mode, in front of a throwaway cluster.

Its server pool is kept small on purpose (``pool_size``), so that many clients share few server
connections and consecutive transactions of one client land on different ones: what breaks a
client that keeps prepared statements or session state across transactions.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from checkgame.drill.pg import PgCluster, as_postgres, free_port
from tests.support.processes import wait_until
from tests.support.services import services_required

__all__ = ["PgBouncer", "require_pgbouncer"]


def require_pgbouncer() -> str:
    """The pgbouncer binary, or skip (fail in CI) when it is not installed."""
    found = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if os.path.exists("/usr/sbin/pgbouncer") else None)
    if found is None:
        if services_required():
            pytest.fail("pgbouncer is not installed (CHECKGAME_REQUIRE_SERVICES is set)")
        pytest.skip("pgbouncer is not installed")
    return found


@dataclass
class PgBouncer:
    """pgbouncer on 127.0.0.1:``port``: every database of ``backend``, transaction pooling."""

    backend: PgCluster
    root: Path
    pool_size: int = 3
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    def url(self, database: str = "postgres") -> str:
        """The store URL through PgBouncer, with the setting the store needs behind it."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}?pooler=pgbouncer"

    def start(self) -> PgBouncer:
        binary = require_pgbouncer()
        self.port = self.port or free_port()
        (self.root / "userlist.txt").write_text('"postgres" ""\n')
        (self.root / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host=127.0.0.1 port={self.backend.port}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.root / 'userlist.txt'}\n"
            f"pool_mode = transaction\ndefault_pool_size = {self.pool_size}\nmax_client_conn = 500\n"
            f"logfile = {self.root / 'pgbouncer.log'}\npidfile = {self.root / 'pgbouncer.pid'}\n"
            "admin_users = postgres\n"
        )
        # PgBouncer refuses to run as root; as postgres it must be able to read its files.
        for name in ("userlist.txt", "pgbouncer.ini"):
            (self.root / name).chmod(0o644)
        self.process = subprocess.Popen(
            as_postgres([binary, str(self.root / "pgbouncer.ini")]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, "pgbouncer accepting connections", 30)
        return self

    def _answers(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited: {self.log_text()[-2000:]}")
        probe = ["psql", f"postgresql://postgres@127.0.0.1:{self.port}/postgres", "-XtAqc", "SELECT 1"]
        return subprocess.run(probe, capture_output=True, check=False).returncode == 0

    def show(self, what: str) -> list[list[str]]:
        """``SHOW <what>`` on PgBouncer's admin console, as rows of fields."""
        admin = f"postgresql://postgres@127.0.0.1:{self.port}/pgbouncer"
        done = subprocess.run(["psql", admin, "-XtAc", f"SHOW {what}"], capture_output=True, text=True, check=True)
        return [line.split("|") for line in done.stdout.splitlines() if line]

    def log_text(self) -> str:
        path = self.root / "pgbouncer.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            pidfile = self.root / "pgbouncer.pid"
            pid = int(pidfile.read_text()) if pidfile.exists() else self.process.pid
            os.kill(pid, signal.SIGINT)  # immediate shutdown (runuser, in between, stays as long as it does)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
