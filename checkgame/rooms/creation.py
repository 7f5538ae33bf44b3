"""Creating a session: the durable record with a free join code, then the live state with its creator seated.

A use case of its own, out of the HTTP handler, so every way to open a table
(REST today; a console, a tournament organiser tomorrow) does the same steps
in the same order:

1. the store's session row, drawing join codes until one is free (the row
   must exist before any seat or result refers to it);
2. the live state from :func:`checkgame.sessions.open_session`, made live by
   :meth:`SessionService.create`, which hands the creator's
   :class:`~checkgame.sessions.machine.SeatTaken` to the recorder: the creator's
   seat is written like every joiner's, in order with the session's later seat
   changes.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from checkgame import sessions
from checkgame.errors import ConflictError, DuplicateError
from checkgame.rooms.service import SessionService
from checkgame.store.base import SessionRecord, Store

__all__ = ["CODE_ALPHABET", "CODE_ATTEMPTS", "NewSession", "create_session", "new_join_code"]

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Join codes avoid characters that read alike (0/O, 1/I)."""
CODE_ATTEMPTS = 10
"""Join codes drawn before giving up (``CODE_EXHAUSTED``): a collision is rare while codes are plentiful."""


@dataclass(frozen=True, slots=True)
class NewSession:
    """What a creator asks for."""

    name: str
    creator: sessions.Seat
    settings: sessions.SessionSettings
    is_private: bool = False


async def create_session(
    store: Store, service: SessionService, request: NewSession, now: float, *, seed: int | None = None
) -> SessionRecord:
    """Open ``request``'s session at ``now``; the record returned counts its creator (``player_count`` 1).

    Raises:
        ConflictError: ``CODE_EXHAUSTED``, no free join code was drawn.
    """
    creator = request.creator
    if creator.user_id is None:
        raise ValueError("a session's creator is a registered user")  # the creator_id column names a user
    session_id = uuid.uuid4().hex
    moment = datetime.fromtimestamp(now, UTC)
    for _ in range(CODE_ATTEMPTS):
        record = SessionRecord(
            session_id,
            new_join_code(),
            request.name,
            creator.user_id,
            request.settings.max_players,
            request.is_private,
            sessions.Status.WAITING.public,
            moment,
            player_count=1,
        )
        try:
            await store.create_session(record)
            break
        except DuplicateError:  # the code is taken: draw another
            continue
    else:
        raise ConflictError("could not find a free join code; try again", code="CODE_EXHAUSTED")
    opened = sessions.open_session(
        session_id, creator, secrets.randbits(63) if seed is None else seed, request.settings, now
    )
    await service.create(opened.state, opened.effects)
    return record


def new_join_code() -> str:
    """A random join code (also for the tables quick play opens)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
