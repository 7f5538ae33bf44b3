"""Settings: read once by the command line, passed down explicitly (no globals).

Every field can come from a flag of ``checkgame serve`` or from the
environment (``CHECKGAME_<FIELD>``; ``DATABASE_URL``, ``REDIS_URL`` and
``JWT_SECRET`` too, as DESIGN.md §5 names them). The embedded defaults need
no services: SQLite in the user's data directory, live state in memory.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Literal, get_args

import platformdirs

__all__ = ["ROLES", "SAMPLE_SECRETS", "Role", "Settings", "default_data_dir", "load_or_create_secret"]

Role = Literal["all", "api", "ws"]
ROLES: tuple[Role, ...] = get_args(Role)

SAMPLE_SECRETS = frozenset(
    {
        "dev-only-jwt-secret-not-for-production-use",  # deploy/compose.yaml's default
        "CHANGE_ME_TO_AT_LEAST_32_RANDOM_BYTES",  # k8s/base/secret.template.yaml's placeholder
    }
)
"""Secrets published in this repository: refused in production, where anyone could sign tokens with them."""

MIN_SECRET_GUESSES_LOG10 = 24
"""A production secret must need 10^24 guesses (about 80 bits) as zxcvbn estimates: a repeat, a sequence or a
few words fall short, while 32 random hex digits are estimated at 10^29 or more (it undercounts random strings)."""

_ALIASES = {
    "database_url": "DATABASE_URL",
    "database_read_url": "DATABASE_READ_URL",
    "redis_url": "REDIS_URL",
    "jwt_secret": "JWT_SECRET",
}


def default_data_dir() -> Path:
    """Where the embedded database and the generated JWT secret live."""
    return Path(os.environ.get("CHECKGAME_DATA_DIR") or platformdirs.user_data_dir("checkgame"))


@dataclass(frozen=True)
class Settings:
    """Everything the server can be told."""

    host: str = "127.0.0.1"
    """Interface to listen on (0.0.0.0 in a container)."""
    port: int = 8000
    """TCP port; 0 picks a free one."""
    database_url: str = ""
    """``sqlite:///path.db`` or ``postgresql://...``; empty: SQLite in the data directory."""
    database_read_url: str = ""
    """A streaming replica of the PostgreSQL database for the reads that tolerate lag (listings, profiles, game
    history); ``max_lag`` and ``lag_check_interval`` in its query (docs/operations.md); empty: all on the primary."""
    redis_url: str = ""
    """``redis://...`` for a cluster of nodes; empty: live state in this process's memory."""
    jwt_secret: str = ""
    """HS256 key; empty: generated once and kept in the data directory (refused in production)."""
    production: bool = False
    """Refuse embedded conveniences (a generated secret) that a cluster must not use."""
    public_url: str = ""
    """Base URL in join links; empty: ``http://<host>:<port>``."""
    node_id: str = field(default_factory=lambda: f"node-{secrets.token_hex(3)}")
    """Name of this process in logs, presence and the admin console."""
    turn_timeout_s: float = 30.0
    """A player who does not act in time is moved for."""
    grace_s: float = 60.0
    """A disconnected player keeps the seat this long."""
    next_game_delay_s: float = 5.0
    """Pause between the games of a tournament."""
    waiting_idle_s: float = 1800.0
    """A table still waiting this long after its last join or leave closes (a table nobody seats closes at once)."""
    quick_play_wait_s: float = 30.0
    """A quick-play table not full this long after it opened starts anyway: the empty seats go to computer players
    if everyone seated agreed to them, else it starts with two or more people (a lone player waits on)."""
    heartbeat_timeout_s: float = 60.0
    """A connection that sends nothing (not even a ping) this long is closed."""
    ping_interval_s: float = 20.0
    """How often the server pings each connection; the pong gives the round trip operators see."""
    max_message_bytes: int = 4096
    """Largest client frame accepted; larger ones get MESSAGE_TOO_LARGE (beyond 16 times this: closed with 1009)."""
    send_timeout_s: float = 30.0
    """Longest a write to a client may wait (a peer that stops reading); then the connection is aborted."""
    max_sockets_per_seat: int = 4
    """WebSockets one seat may hold on a node; one more closes the seat's oldest (4409), never refuses the newest."""
    outbox_size: int = 256
    """Frames queued per connection before a slow reader is disconnected."""
    actions_per_s: float = 2.0
    """Sustained game actions per connection (bursts of ``action_burst``)."""
    action_burst: int = 5
    messages_per_min: int = 100
    """Frames per connection per minute, of any type."""
    chat_per_min: int = 10
    """Chat messages and reports per connection per minute (bursts of 3), within ``messages_per_min``."""
    max_spectators_per_table: int = 100
    """Spectators one table may have on all nodes together; one more is refused (close 4429)."""
    max_spectators_per_node: int = 2_000
    """Spectator connections this node takes, all tables together; one more is refused (close 4429)."""
    trust_forwarded_for: bool = False
    """Take the client address from X-Forwarded-For (only behind a proxy that sets it, e.g. our nginx)."""
    auth_per_min: int = 5
    """Register/login/refresh requests per client IP per minute (deployment plan)."""
    sessions_per_hour: int = 60
    """Sessions a user may create per hour: one a minute for someone trying the game out, and still a wall for a
    script filling the lobby (the deployment plan's 10 an hour stopped a tester within minutes)."""
    requests_per_min: int = 100
    """REST requests per user (or per IP when anonymous) per minute (deployment plan)."""
    head_timeout_s: float = 10.0
    """A request head must arrive whole within this time of its first byte (of the connection's opening, for the
    first request); else 408 and the connection closes."""
    body_timeout_s: float = 30.0
    """A request body must arrive whole within this time of its head; else 408 and the connection closes."""
    max_connections: int = 16_000
    """Open TCP connections (HTTP and WebSocket); beyond, 503 with Retry-After and close. Keep it below the
    process's open-file limit (``ulimit -n``), which a database pool and log files share; 0: no cap."""
    max_connections_per_ip: int = 1_000
    """Open connections per client address (the X-Forwarded-For one behind a trusted proxy); beyond, 503; 0: no cap."""
    shutdown_timeout_s: float = 10.0
    """How long a graceful shutdown may take before connections are cut."""
    lost_session_check_s: float = 60.0
    """How often each node looks for sessions whose live state was lost (and how old a session must be to be
    judged lost), to mark them ended (checkgame/rooms/sweeper.py)."""
    log_level: str = "info"
    log_format: str = "auto"
    """``json`` (one object per line), ``text``, or ``auto``: text on a terminal, JSON otherwise."""
    bench_echo: bool = False
    """Serve the bare WebSocket echo at /bench/echo, the transport ceiling `checkgame loadtest --echo` measures."""
    role: Role = "all"
    """Which tier this node is (docs/operations.md): ``all`` serves everything; ``api`` everything but the game
    WebSocket (REST, the web client, /admin, /openapi.json and the probes); ``ws`` only the game WebSocket
    (/api/v1/ws), /health, /ready and /metrics. Other paths get 404 (checkgame/transport/roles.py)."""

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be all, api or ws, got {self.role!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Defaults, then the environment, then ``overrides`` (the command line's flags that were given)."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"CHECKGAME_{f.name.upper()}") or env.get(_ALIASES.get(f.name, ""))
            if raw is not None and raw != "":
                values[f.name] = _convert(f.name, f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def resolved(self) -> Settings:
        """Fill in the embedded defaults: the SQLite path, the persisted secret, the public URL.

        Raises:
            ValueError: production mode without an explicit JWT secret, or with a sample or guessable one.
        """
        database_url = self.database_url or f"sqlite:///{default_data_dir() / 'checkgame.db'}"
        if self.jwt_secret:
            secret = self.jwt_secret
        elif self.production:
            raise ValueError("JWT_SECRET is required in production mode")
        else:
            secret = load_or_create_secret(default_data_dir() / "jwt-secret")
        if len(secret.encode()) < 32:
            raise ValueError("the JWT secret must be at least 32 bytes long (HS256)")
        if self.production:
            _check_production_secret(secret)
        public_url = self.public_url or f"http://{self.host}:{self.port}"
        return replace(self, database_url=database_url, jwt_secret=secret, public_url=public_url.rstrip("/"))


def _check_production_secret(secret: str) -> None:
    """Refuse a published sample or an easily guessed JWT_SECRET.

    Raises:
        ValueError: one line naming the setting and how to make a good one.
    """
    from checkgame.auth.strength import guesses_log10  # zxcvbn's tables load only where they are needed

    remedy = "use a random one, e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
    if secret in SAMPLE_SECRETS:
        raise ValueError(f"JWT_SECRET is a sample published with Check-Game, refused in production mode: {remedy}")
    if guesses_log10(secret) < MIN_SECRET_GUESSES_LOG10:
        raise ValueError(f"JWT_SECRET is too easy to guess for production mode: {remedy}")


def _convert(name: str, kind: object, raw: str) -> object:
    if kind in ("int", int):
        return int(raw)
    if kind in ("float", float):
        return float(raw)
    if kind in ("bool", bool):
        if raw.lower() not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
            raise ValueError(f"{name}: expected a boolean, got {raw!r}")
        return raw.lower() in {"1", "true", "yes", "on"}
    return raw


def load_or_create_secret(path: Path) -> str:
    """The secret kept in ``path``, created (mode 0600, its directory 0700) on first use so tokens survive a
    restart."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(secret)
    return secret
