"""Structured logs: one JSON object per line on stderr, tagged with the node and the request or connection.

``request_id`` and ``conn_id`` are context variables: set once where an HTTP
request or a WebSocket connection starts, they are inherited by every Trio task
it starts, so each line says which request or connection it belongs to
without passing them around.

What is never logged: tokens, passwords, Authorization headers, ``token=``
query parameters, players' hands. The code does not log them; the formatters
also redact anything shaped like them, as a safety net for a careless
``log.info("%s", body)`` or a library's debug line.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Any

__all__ = [
    "JsonFormatter",
    "TextFormatter",
    "configure_logging",
    "conn_id",
    "new_id",
    "redact",
    "request_id",
    "valid_request_id",
]

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
"""The HTTP request being answered (X-Request-ID)."""
conn_id: ContextVar[str | None] = ContextVar("conn_id", default=None)
"""The WebSocket connection being served."""

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
REDACTED = "[REDACTED]"
_SECRETS = [
    # a JWT anywhere (access, refresh and session tokens are all JWTs)
    (re.compile(r"eyJ[\w-]*\.[\w-]*\.[\w-]*"), REDACTED),
    # query parameters and form fields: token=..., password=...
    (re.compile(r"(?i)\b(\w*(?:token|password|secret)\w*=)[^&\s\"']+"), rf"\1{REDACTED}"),
    # JSON or repr fields: "password": "...", 'refreshToken': '...'
    (
        re.compile(r"""(?i)(["']\w*(?:token|password|secret)\w*["']\s*:\s*)(["'])(?:\\.|(?!\2).)*\2"""),
        rf"\1\2{REDACTED}\2",
    ),
    # Authorization: Bearer ... / Basic ...
    (
        re.compile(r"""(?i)\b(authorization\W+(?:b(?=["']))?["']?)(?:(?:bearer|basic)\s+)?[^\s,;"')]+"""),
        rf"\1{REDACTED}",
    ),
    # a hand, or every player's hands: "hand": [...], "hands": {...}
    (re.compile(r"""(?i)(["']hands?["']\s*:\s*)(\[[^\]]*\]|\{(?:[^{}]|\{[^{}]*\})*\})"""), rf"\1{REDACTED}"),
]
_STANDARD_FIELDS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


def redact(text: str) -> str:
    """``text`` with anything shaped like a secret or a hand replaced by ``[REDACTED]``."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def new_id() -> str:
    """A fresh request or connection id: 16 hex digits."""
    return secrets.token_hex(8)


def valid_request_id(candidate: str | None) -> str | None:
    """``candidate`` when it is a safe id to echo and log (at most 64 of ``A-Za-z0-9._:-``), else None."""
    if candidate and _REQUEST_ID.fullmatch(candidate):
        return candidate
    return None


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ts, level, logger, msg, node, request_id/conn_id, extra fields, exc."""

    def __init__(self, node: str) -> None:
        super().__init__()
        self.node = node

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": redact(record.getMessage()),
            "node": self.node,
        }
        if (request := request_id.get()) is not None:
            line["request_id"] = request
        if (conn := conn_id.get()) is not None:
            line["conn_id"] = conn
        for key, value in record.__dict__.items():
            if key not in _STANDARD_FIELDS and key not in line:
                line[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            line["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, default=lambda value: redact(str(value)), ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The human-readable line, for a terminal, with the same redaction and ids."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        tags = [f"{name}={value}" for name, value in (("req", request_id.get()), ("conn", conn_id.get())) if value]
        return redact(f"{text} [{' '.join(tags)}]" if tags else text)


def configure_logging(level: str, log_format: str, node: str, *, stream: IO[str] | None = None) -> logging.Handler:
    """Send every log record to ``stream`` (stderr) in ``log_format``, replacing the root logger's handlers.

    ``log_format`` is ``json``, ``text``, or ``auto``: text on a terminal, JSON otherwise (a container, a file).
    Returns the handler, so a caller can remove it again.
    """
    stream = stream if stream is not None else sys.stderr
    if log_format == "auto":
        log_format = "text" if stream.isatty() else "json"
    if log_format not in ("json", "text"):
        raise ValueError(f"log format must be json, text or auto, not {log_format!r}")
    root = logging.getLogger()
    root.setLevel(level.upper())  # a ValueError for an unknown level, before anything else changed
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(node) if log_format == "json" else TextFormatter())
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    return handler
