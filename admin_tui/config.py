"""The remembered connection: server URL, username and tokens, never the password.

Kept as JSON in the user's config directory with mode 0600, because the
refresh token is as good as a login for a week.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import platformdirs

__all__ = ["DEFAULT_URL", "Remembered", "default_config_path", "forget_tokens", "load", "save"]

DEFAULT_URL = "http://127.0.0.1:8000"


def default_config_path() -> Path:
    """``<user config dir>/checkgame/admin.json`` (``CHECKGAME_ADMIN_CONFIG`` overrides it)."""
    override = os.environ.get("CHECKGAME_ADMIN_CONFIG")
    return Path(override) if override else Path(platformdirs.user_config_dir("checkgame")) / "admin.json"


@dataclass(frozen=True, slots=True)
class Remembered:
    """What the connect screen fills in, and the tokens that spare a new login."""

    url: str = DEFAULT_URL
    username: str = ""
    access_token: str = ""
    refresh_token: str = ""
    role: str = ""
    """The role the server reported at login: ``admin`` or ``admin_readonly``."""


def load(path: Path) -> Remembered:
    """The remembered connection, or the defaults when there is none or it cannot be read."""
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError):
        return Remembered()
    if not isinstance(raw, dict):
        return Remembered()
    known = {name: str(raw[name]) for name in Remembered.__dataclass_fields__ if isinstance(raw.get(name), str)}
    return Remembered(**known)


def save(path: Path, remembered: Remembered) -> None:
    """Write ``remembered`` readable by the owner only, replacing the file in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        json.dump(asdict(remembered), file, indent=2)
    os.replace(temporary, path)


def forget_tokens(remembered: Remembered) -> Remembered:
    """The same connection without its tokens: the next start asks for the password."""
    return Remembered(url=remembered.url, username=remembered.username)
