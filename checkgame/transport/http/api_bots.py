"""Computer players on demand: a session's creator fills empty seats with bots that this server runs.

The seat is taken here, through the session machine like any join (so a full
or started session is refused with its usual code); the bot then plays it
over the public WebSocket (:class:`checkgame.rooms.bots.BotRunner`).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from msgspec import Meta, Struct

from checkgame import sessions
from checkgame.bots.levels import Level
from checkgame.errors import ClientError, ForbiddenError, NotFoundError
from checkgame.transport.http.fields import DisplayName
from checkgame.transport.http.routes import Api, RequestContext

__all__ = ["register_routes"]


BotLevel = Annotated[
    Level,
    Meta(
        description="How well the computer player plays: easy (any card that fits), normal (sensible rules of "
        "thumb; the default) or hard (simulates a few hundred games per move); another value is refused with 422 "
        "VALIDATION_ERROR at $.level"
    ),
]


class AddBot(Struct, forbid_unknown_fields=True, rename="camel"):
    name: DisplayName | None = None
    """The bot's display name; by default ``Bot <seat>``."""
    level: BotLevel = Level.NORMAL


class BotSeated(Struct, rename="camel"):
    session_id: str
    player_id: str
    name: str
    seat: int
    level: Level


async def add_bot(ctx: RequestContext, body: AddBot, session_id: str) -> BotSeated:
    """The creator seats a computer player of the chosen level, which then plays on this server until the
    tournament ends."""
    services = ctx.services
    claims = ctx.require_claims()
    if claims.typ == "session" and claims.session_id != session_id:
        raise ForbiddenError("this session token belongs to another session")
    if await services.store.get_session(session_id) is None:
        raise NotFoundError("no such session", code="SESSION_NOT_FOUND")
    state = await services.sessions.load(session_id)
    if claims.sub != state.creator:
        raise ForbiddenError("only the session's creator can add computer players", code="NOT_CREATOR")
    if not services.bots.accepting:  # shutting down: a seat taken now would have nobody to play it
        raise ClientError("the server is shutting down; try again shortly", code="SERVICE_UNAVAILABLE", status_hint=503)
    player_id = f"bot-{uuid.uuid4().hex[:12]}"
    name = body.name or f"Bot {len(state.seats) + 1}"
    outcome = await services.sessions.execute(session_id, sessions.Join(player_id, name, None))
    token = services.tokens.issue_session(player_id, session_id, name, None, services.clock())
    services.bots.start(session_id, player_id, token, name, body.level)
    seat = next(number for number, s in enumerate(outcome.state.seats, start=1) if s.player_id == player_id)
    return BotSeated(session_id, player_id, name, seat, body.level)


def register_routes(api: Api) -> None:
    """Declare the bot endpoint."""
    api.route("POST", "/sessions/<id:session_id>/bots", "Seat a computer player (creator only)", body=AddBot,
              response=BotSeated, status=201, auth="access_or_session", errors=(403, 404, 409, 503),
              tag="sessions")(add_bot)  # fmt: skip
