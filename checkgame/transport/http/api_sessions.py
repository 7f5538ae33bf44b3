"""Sessions (tournaments): create, list, look up, join (by id or code), leave, start; their games.

The durable record (name, code, players, results) is in the store; the live
state (seats, running game) is in the live store. Seat assignment is decided
by the live state (a compare-and-set), then recorded in the store.

A private session is opened by its join code: to anyone without the code who
is not one of its players, it does not exist (404), whether looked up, joined
or its games listed by id.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Annotated, Literal

from msgspec import Meta, Struct

from checkgame import sessions
from checkgame.errors import BadMessageError, ConflictError, ForbiddenError, NotFoundError
from checkgame.rooms import creation
from checkgame.store.base import SessionRecord
from checkgame.transport.http.convert import game_out, raw, session_out
from checkgame.transport.http.routes import Api, Limit, RequestContext
from checkgame.transport.http.schemas import (
    CreatedSession,
    CreateSession,
    GameDetail,
    GameSummary,
    JoinByCode,
    Joined,
    JoinSession,
    Page,
    SessionDetail,
)

__all__ = ["register_routes", "ws_url"]

SESSION_LIMIT = Limit("create_session", lambda s: s.settings.sessions_per_hour, 3600.0, "user")


class ListQuery(Struct, forbid_unknown_fields=True):
    status: Literal["waiting", "playing", "finished"] | None = None
    limit: Annotated[int, Meta(ge=1, le=100)] = 20
    offset: Annotated[int, Meta(ge=0, le=2**63 - 1)] = 0
    """Bounded like a database's 64-bit integer: a larger one is a 422, not an overflow (500) in the store."""


class GameList(Struct, rename="camel"):
    items: list[GameSummary]


class StartedOut(Struct, rename="camel"):
    session_id: str
    game_number: int
    game_id: str | None


def ws_url(ctx: RequestContext, token: str) -> str:
    """The WebSocket URL that opens a game connection with ``token``."""
    base = ctx.services.settings.public_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
    return f"{base}/api/v1/ws?token={token}"


async def _record(ctx: RequestContext, session_id: str) -> SessionRecord:
    record = await ctx.services.store.get_session(session_id)
    if record is None:
        raise NotFoundError("no such session", code="SESSION_NOT_FOUND")
    return record


async def _visible(ctx: RequestContext, session_id: str, code: str | None = None) -> SessionRecord:
    """The session, unless it is private and the caller (by access token) neither made it nor sits at it, and
    does not give its ``code``.

    Raises:
        NotFoundError: ``SESSION_NOT_FOUND``, the same for a hidden session as for none.
    """
    record = await _record(ctx, session_id)
    if not record.is_private or (code is not None and secrets.compare_digest(code.upper(), record.code.upper())):
        return record
    claims = ctx.claims
    if claims is not None and (
        claims.sub == record.creator_id
        or any(p.user_id == claims.sub for p in await ctx.services.store.list_session_players(record.id))
    ):
        return record
    raise NotFoundError("no such session", code="SESSION_NOT_FOUND")


async def create_session(ctx: RequestContext, body: CreateSession) -> CreatedSession:
    """Create a session; the creator takes seat 1 and gets a session token and a join code."""
    services = ctx.services
    user = await services.store.get_user(ctx.require_claims().sub)
    if user is None:
        raise NotFoundError("the account no longer exists", code="USER_NOT_FOUND")
    settings = services.settings
    request = creation.NewSession(
        body.name,
        sessions.Seat(user.id, user.username, user.id),
        sessions.SessionSettings(
            max_players=body.max_players,
            turn_timeout_s=settings.turn_timeout_s,
            next_game_delay_s=settings.next_game_delay_s,
            grace_s=settings.grace_s,
            waiting_idle_s=settings.waiting_idle_s,
            spectator_delay_s=body.spectator_delay_seconds,
        ),
        body.is_private,
    )
    now = services.clock()
    record = await creation.create_session(services.store, services.sessions, request, now)
    token = services.tokens.issue_session(user.id, record.id, user.username, user.id, now)
    summary = session_out(record, show_code=True)
    summary.spectators = 0
    return CreatedSession(
        session=summary,
        join_code=record.code,
        join_url=f"{settings.public_url}/?join={record.code}",
        player_id=user.id,
        session_token=token,
        ws_url=ws_url(ctx, token),
    )


async def list_sessions(ctx: RequestContext) -> Page:
    """Public sessions, newest first, optionally filtered by status."""
    query: ListQuery = ctx.query
    records, total = await ctx.services.store.list_sessions(
        status=query.status, public_only=True, limit=query.limit, offset=query.offset
    )
    items = [session_out(r, show_code=True) for r in records]
    for item in items:  # the live count, from each open table's live state (a cache hit on a node that holds it)
        if item.status != "finished":
            state = await ctx.services.sessions.find(item.id)
            item.spectators = None if state is None else state.spectator_count
    return Page(items, total, query.limit, query.offset)


async def get_session(ctx: RequestContext, session_id: str) -> SessionDetail:
    """One session with its public live state (seats, game view)."""
    record = await _visible(ctx, session_id)
    show_code = not record.is_private or (ctx.claims is not None and ctx.claims.sub == record.creator_id)
    state = await ctx.services.sessions.find(session_id)
    if state is None:
        return SessionDetail(session_out(record, show_code=show_code), None)
    # ``session`` is the durable row, complete once the recorder wrote it (status, winner, end reason together);
    # ``live`` is the live state that decides (sessions.Status), ahead of the row by the recorder's delay.
    summary = session_out(record, show_code=show_code)
    summary.spectators = state.spectator_count
    return SessionDetail(summary, raw(sessions.snapshot(state, None)))


async def _join(ctx: RequestContext, record: SessionRecord, name: str | None) -> Joined:
    services = ctx.services
    if ctx.claims is not None:
        user = await services.store.get_user(ctx.claims.sub)
        if user is None:
            raise NotFoundError("the account no longer exists", code="USER_NOT_FOUND")
        player_id, display, user_id = user.id, user.username, user.id
    else:
        if name is None:
            raise BadMessageError("anonymous players must give a name", details={"field": "name"})
        player_id, display, user_id = f"guest-{uuid.uuid4().hex[:12]}", name, None
    try:  # the seat is recorded in the store by the recorder, in order with the other seat changes
        await services.sessions.execute(record.id, sessions.Join(player_id, display, user_id))
    except ConflictError as error:
        if error.code != "ALREADY_JOINED":  # a registered player rejoining only gets a fresh token
            raise
    token = services.tokens.issue_session(player_id, record.id, display, user_id, services.clock())
    return Joined(record.id, player_id, token, ws_url(ctx, token))


async def join_session(ctx: RequestContext, body: JoinSession, session_id: str) -> Joined:
    """Take a seat: registered (bearer access token) or anonymous with a name; a private session needs its code."""
    return await _join(ctx, await _visible(ctx, session_id, body.code), body.name)


async def join_by_code(ctx: RequestContext, body: JoinByCode) -> Joined:
    """Take a seat in the session with this join code."""
    record = await ctx.services.store.get_session_by_code(body.code)
    if record is None:
        raise NotFoundError("no session has this code", code="SESSION_NOT_FOUND")
    return await _join(ctx, record, body.name)


def _player(ctx: RequestContext, session_id: str) -> str:
    claims = ctx.require_claims()
    if claims.typ == "session" and claims.session_id != session_id:
        raise ForbiddenError("this session token belongs to another session")
    return claims.sub


async def leave_session(ctx: RequestContext, session_id: str) -> None:
    """Leave the session; during a game you lose it (RULES.md §14)."""
    await _record(ctx, session_id)
    await ctx.services.sessions.execute(session_id, sessions.LeaveSession(_player(ctx, session_id)))


async def start_session(ctx: RequestContext, session_id: str) -> StartedOut:
    """The creator starts game 1 (at least two players)."""
    await _record(ctx, session_id)
    outcome = await ctx.services.sessions.execute(session_id, sessions.Start(_player(ctx, session_id)))
    return StartedOut(session_id, outcome.state.game_number, outcome.state.game_id)


async def list_games(ctx: RequestContext, session_id: str) -> GameList:
    """The finished games of a session."""
    await _visible(ctx, session_id)
    names = await _names(ctx, session_id)
    return GameList([game_out(g, names) for g in await ctx.services.store.list_games(session_id)])


async def get_game(ctx: RequestContext, session_id: str, game_id: str) -> GameDetail:
    """One finished game with its action log (replayable from its seed)."""
    await _visible(ctx, session_id)
    game = await ctx.services.store.get_game(game_id)
    if game is None or game.session_id != session_id:
        raise NotFoundError("no such game in this session", code="GAME_NOT_FOUND")
    return GameDetail(game_out(game, await _names(ctx, session_id)), game.hand_size, [raw(a) for a in game.actions])


async def _names(ctx: RequestContext, session_id: str) -> dict[str, str]:
    return {p.player_id: p.name for p in await ctx.services.store.list_session_players(session_id)}


def register_routes(api: Api) -> None:
    """Declare the session endpoints."""
    route = api.route
    route("POST", "/sessions", "Create a session", body=CreateSession, response=CreatedSession, status=201,
          auth="access", limit=SESSION_LIMIT, tag="sessions")(create_session)  # fmt: skip
    route("GET", "/sessions", "List public sessions", response=Page, query=ListQuery, tag="sessions")(list_sessions)
    route("GET", "/sessions/<id:session_id>", "One session", response=SessionDetail, auth="optional", errors=(404,),
          tag="sessions")(get_session)  # fmt: skip
    route("POST", "/sessions/<id:session_id>/join", "Join a session", body=JoinSession, response=Joined,
          auth="optional", errors=(404, 409), tag="sessions")(join_session)  # fmt: skip
    route("POST", "/sessions/join-by-code", "Join a session by its code", body=JoinByCode, response=Joined,
          auth="optional", errors=(404, 409), tag="sessions")(join_by_code)  # fmt: skip
    route("DELETE", "/sessions/<id:session_id>/leave", "Leave a session", status=204, auth="access_or_session",
          errors=(403, 404), tag="sessions")(leave_session)  # fmt: skip
    route("POST", "/sessions/<id:session_id>/games/start", "Start the tournament", response=StartedOut,
          auth="access_or_session", errors=(403, 404, 409), tag="sessions")(start_session)  # fmt: skip
    route("GET", "/sessions/<id:session_id>/games", "Games of a session", response=GameList, errors=(404,),
          tag="games")(list_games)  # fmt: skip
    route("GET", "/sessions/<id:session_id>/games/<id:game_id>", "One game with its action log", response=GameDetail,
          errors=(404,), tag="games")(get_game)  # fmt: skip
