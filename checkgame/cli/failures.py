"""Start-up failures as one line and an exit status, not a page of exception groups.

A node that cannot reach its database, its Redis or its port fails inside
Trio nurseries, so the exception arrives wrapped in groups several levels
deep. The commands that touch a database or a port run through
:func:`run_reported`, which finds the failure that explains the others, prints
one line naming the setting and the cause, and returns that failure's status.
An error it does not recognise is a bug and keeps its traceback; ``--debug``
shows the traceback of a recognised one too.
"""

from __future__ import annotations

import errno
import shutil
import socket
import sys
import textwrap
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from checkgame.errors import LiveStateError, StoreError

__all__ = [
    "DATABASE_STATUSES",
    "EXIT_DATABASE",
    "EXIT_LISTEN",
    "EXIT_REDIS",
    "EXIT_STATUSES",
    "EXIT_USAGE",
    "Failure",
    "explain",
    "fill",
    "redact",
    "run_reported",
]

EXIT_USAGE = 2
"""A flag, an environment setting or the terminal is not what the command needs."""
EXIT_DATABASE = 3
"""The database (DATABASE_URL) cannot be reached, opened or migrated."""
EXIT_REDIS = 4
"""Redis (REDIS_URL) cannot be reached."""
EXIT_LISTEN = 5
"""The address (host and port) cannot be listened on: in use, not this machine's, or privileged."""

EXIT_STATUSES = f"""exit status:
  0  stopped cleanly (SIGTERM or Ctrl+C)
  {EXIT_USAGE}  a flag or setting is invalid (e.g. production mode without JWT_SECRET)
  {EXIT_DATABASE}  the database (DATABASE_URL) cannot be reached, opened or migrated
  {EXIT_REDIS}  Redis (REDIS_URL) cannot be reached
  {EXIT_LISTEN}  the address (--host/--port) cannot be listened on
  1  anything else (a bug: its traceback is printed)
Each failure is one line on stderr; --debug adds its traceback."""

DATABASE_STATUSES = f"""exit status:
  0  done
  {EXIT_USAGE}  a flag or setting is invalid, or no terminal to ask on
  {EXIT_DATABASE}  the database (DATABASE_URL) cannot be reached, opened or migrated
  1  anything else (a bug: its traceback is printed)
Each failure is one line on stderr; --debug adds its traceback."""

T = TypeVar("T")

_LISTEN_ERRNOS = {errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES}


@dataclass(frozen=True, slots=True)
class Failure:
    """A recognised failure: the exit status and the line that explains it."""

    status: int
    message: str
    cause: BaseException


def fill(text: str) -> str:
    """A command's description wrapped for a terminal (its exit statuses below it keep their own lines)."""
    return textwrap.fill(text, width=min(100, shutil.get_terminal_size().columns - 2))


def redact(url: str) -> str:
    """A URL without its password, for printing."""
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    return f"{scheme}{sep}{credentials.split(':')[0]}:***@{host}"


def _leaves(exc: BaseException) -> Iterator[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            yield from _leaves(inner)
    else:
        yield exc


def explain(exc: BaseException, *, database_url: str = "", redis_url: str = "", address: str = "") -> Failure | None:
    """The failure that explains ``exc`` (a group or not), or None when one of its parts is unexpected."""
    found: list[Failure] = []
    for leaf in _leaves(exc):
        if isinstance(leaf, StoreError):
            found.append(Failure(EXIT_DATABASE, f"DATABASE_URL {redact(database_url)}: {leaf}", leaf))
        elif isinstance(leaf, LiveStateError):
            found.append(Failure(EXIT_REDIS, f"REDIS_URL {redact(redis_url)}: {leaf}", leaf))
        elif isinstance(leaf, socket.gaierror) or (isinstance(leaf, OSError) and leaf.errno in _LISTEN_ERRNOS):
            reason = leaf.strerror or str(leaf)
            found.append(Failure(EXIT_LISTEN, f"cannot listen on {address} (--host/--port): {reason.lower()}", leaf))
        else:
            return None
    return found[0] if found else None


def run_reported(
    command: str,
    body: Callable[[], T],
    *,
    debug: bool,
    database_url: str = "",
    redis_url: str = "",
    address: str = "",
) -> T | int:
    """Run ``body``; on a recognised failure print one line (and the traceback with ``debug``) and return its status.

    Raises:
        BaseException: whatever ``body`` raised that :func:`explain` does not recognise, unchanged.
    """
    try:
        return body()
    except BaseException as exc:
        failure = explain(exc, database_url=database_url, redis_url=redis_url, address=address)
        if failure is None:
            raise
        if debug:
            traceback.print_exception(exc)
        print(f"checkgame {command}: {failure.message}", file=sys.stderr)
        return failure.status
