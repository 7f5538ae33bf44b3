"""A throwaway PostgreSQL cluster on loopback: initdb, pg_ctl, psql, a streaming standby.

The disaster-recovery drill destroys one of these, and the tests make their primaries,
replicas and PgBouncer backends with it, never touching a shared server. PostgreSQL refuses
to run as root, so when we are root every server-side command runs as the ``postgres`` user
(``runuser``), and the cluster's directory is made traversable and owned accordingly.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["PG_BIN", "PgCluster", "as_postgres", "free_port", "make_workdir"]

PG_BIN = Path(os.environ.get("CHECKGAME_PG_BIN", "/usr/lib/postgresql/15/bin"))
"""The server binaries (Debian's layout); the major version must match pgBackRest's ``pg1-path`` data."""

_FAST = {"fsync": "off"}
"""A throwaway cluster needs no durability against power loss (the machine does not crash in a drill, its
PostgreSQL does); a commit is still in the WAL when it is acknowledged, which the drill's RPO counts on."""


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def as_postgres(command: list[str]) -> list[str]:
    """``command`` run as the ``postgres`` user when we are root (PostgreSQL refuses root), as is otherwise."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def make_workdir(prefix: str) -> Path:
    """A new directory the ``postgres`` user may enter and write in (tempfile makes them 0700 and ours)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    _give_to_postgres(path)
    return path


def _give_to_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


def _run(command: list[str], *, what: str, timeout: float = 120) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


@dataclass
class PgCluster:
    """One postmaster on 127.0.0.1:``port`` with its data in ``root/data``, its socket and log in ``root``."""

    root: Path
    port: int = 0
    settings: dict[str, str] = field(default_factory=dict)
    """Extra ``-c name=value`` server settings (archive_command, wal_level...)."""

    def __post_init__(self) -> None:
        self.port = self.port or free_port()

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        """A libpq/asyncpg URL as the ``postgres`` superuser (trust authentication on loopback)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> PgCluster:
        """initdb with trust authentication, replication allowed from loopback."""
        self.root.mkdir(parents=True, exist_ok=True)
        _give_to_postgres(self.root)
        initdb = [str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync"]
        _run(as_postgres([*initdb, "--no-instructions"]), what="initdb")
        return self

    def start(self) -> PgCluster:
        """Start the postmaster and wait until it accepts connections (pg_ctl -w; at most 60 s)."""
        settings = {"listen_addresses": "127.0.0.1", "unix_socket_directories": str(self.root), **_FAST}
        settings |= self.settings
        options = " ".join(f"-c {name}={_quote(value)}" for name, value in settings.items())
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60"]
        _run(as_postgres([*command, "-o", f"-p {self.port} {options}", "start"]), what="pg_ctl start")
        return self

    def stop(self, mode: str = "fast") -> None:
        """pg_ctl stop (``fast``, or ``immediate``: a crash, no checkpoint); nothing when it is not running."""
        if self.running():
            command = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop"]
            _run(as_postgres(command), what="pg_ctl stop")

    def kill(self) -> None:
        """SIGKILL the postmaster and its children: the machine is gone, not shut down."""
        pid = self.postmaster_pid()
        if pid is None:
            return
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
        for victim in [pid, *(int(child) for child in children.split())]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(victim, signal.SIGKILL)

    def postmaster_pid(self) -> int | None:
        try:
            first = (self.data / "postmaster.pid").read_text().split("\n", 1)[0]
        except (FileNotFoundError, PermissionError):
            return None
        return int(first) if first.strip().isdigit() else None

    def running(self) -> bool:
        pid = self.postmaster_pid()
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run ``sql`` with psql (stop on the first error); its unaligned, tuples-only output."""
        command = ["psql", self.url(database), "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-XtAq", "-c", sql]
        return _run(command, what="psql").strip()

    def destroy(self) -> None:
        """Stop it at once and delete everything under ``root``."""
        if self.running():
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def standby(self, root: Path, *, settings: dict[str, str] | None = None) -> PgCluster:
        """A streaming replica of this running cluster: ``pg_basebackup -R`` into ``root``, started."""
        replica = PgCluster(root, settings=dict(settings or {}))
        root.mkdir(parents=True, exist_ok=True)
        _give_to_postgres(root)
        command = ["pg_basebackup", "-d", self.url(), "-D", str(replica.data), "-R", "-X", "stream", "-c", "fast"]
        _run(as_postgres(command), what="pg_basebackup")
        return replica.start()


def _quote(value: str) -> str:
    """A server setting value as one word of pg_ctl's -o, which pg_ctl hands to /bin/sh."""
    return shlex.quote(value)
