"""A player's history: the sessions they sat at with their games, and the replay of a game they played.

Both are lag-tolerant reads (on the read replica when one is configured): a game finished a moment ago may take
a moment to be listed or replayable. A replay is rebuilt from the stored deal and action log
(:mod:`checkgame.sessions.replay`) and shows only what its viewer saw at the table (RULES.md §16); the seed, which
would deal every hand again, never leaves the server.
"""

from __future__ import annotations

import logging
from typing import Annotated

from msgspec import Meta, Struct

from checkgame.errors import ClientError, ForbiddenError, NotFoundError
from checkgame.sessions.replay import ReplayError, replay
from checkgame.store.base import GameResult, PlayedSession
from checkgame.transport.http.convert import iso, raw, session_out
from checkgame.transport.http.routes import Api, RequestContext
from checkgame.transport.http.schemas import (
    History,
    HistoryGame,
    HistoryItem,
    Replay,
    ReplayEvent,
    ReplayGame,
    ReplayStep,
)

__all__ = ["register_routes"]

log = logging.getLogger(__name__)


class HistoryQuery(Struct, forbid_unknown_fields=True):
    limit: Annotated[int, Meta(ge=1, le=50)] = 10
    offset: Annotated[int, Meta(ge=0, le=2**63 - 1)] = 0


def _history_game(game: GameResult, player_id: str) -> HistoryGame:
    place = game.placements.index(player_id) + 1 if player_id in game.placements else None
    return HistoryGame(
        id=game.id,
        number=game.number,
        players=list(game.players),
        winner=game.placements[0],
        loser=game.loser,
        placements=list(game.placements),
        reason=game.reason,
        started_at=iso(game.started_at) or "",
        finished_at=iso(game.finished_at) or "",
        place=place,
        replayable=player_id in game.players,
    )


def _history_item(played: PlayedSession) -> HistoryItem:
    record = played.session
    return HistoryItem(
        session=session_out(record, show_code=not record.is_private),
        player_id=played.player_id,
        final_rank=played.final_rank,
        names=dict(played.names),
        games=[_history_game(g, played.player_id) for g in played.games],
    )


async def get_history(ctx: RequestContext) -> History:
    """The sessions the caller sat at, newest first, each with its finished games (for the profile page)."""
    query: HistoryQuery = ctx.query
    page, total = await ctx.services.store.list_played_sessions(
        ctx.require_claims().sub, limit=query.limit, offset=query.offset
    )
    return History([_history_item(p) for p in page], total, query.limit, query.offset)


async def get_replay(ctx: RequestContext, game_id: str) -> Replay:
    """A finished game step by step, as the caller saw it: their own hand, everybody else's as a count.

    Only the game's players may replay it: by access token (a registered player) or by the session token of
    their seat (a guest). Anybody else is refused (``NOT_A_PLAYER``, 403), including a player of the session
    who was eliminated before this game.
    """
    claims = ctx.require_claims()
    store = ctx.services.store
    game = await store.get_game(game_id)
    if game is None:
        raise NotFoundError("no such finished game", code="GAME_NOT_FOUND")
    seats = await store.list_session_players(game.session_id)
    if claims.typ == "session":
        viewer = claims.sub if claims.session_id == game.session_id else None
    else:
        viewer = next((s.player_id for s in seats if s.user_id == claims.sub), None)
    if viewer is None or viewer not in game.players:
        raise ForbiddenError("only the players of a game can replay it", code="NOT_A_PLAYER")
    try:
        steps = replay(game, viewer)
    except ReplayError as exc:
        log.error("game %s cannot be replayed: %s", game.id, exc)
        raise ClientError(
            "this game's record no longer replays under the current rules", code="REPLAY_UNAVAILABLE", status_hint=409
        ) from None
    names = {s.player_id: s.name for s in seats}
    summary = ReplayGame(
        id=game.id,
        session_id=game.session_id,
        number=game.number,
        players=list(game.players),
        names={p: names.get(p, p) for p in game.players},
        first_player=game.first_player,
        hand_size=game.hand_size,
        winner=game.placements[0],
        loser=game.loser,
        placements=list(game.placements),
        reason=game.reason,
        started_at=iso(game.started_at) or "",
        finished_at=iso(game.finished_at) or "",
    )
    return Replay(
        summary,
        viewer,
        [
            ReplayStep(
                step["step"],
                None if step["action"] is None else raw(step["action"]),
                [ReplayEvent(e["type"], raw(e["data"])) for e in step["events"]],
                raw(step["state"]),
            )
            for step in steps
        ],
    )


def register_routes(api: Api) -> None:
    """Declare the history endpoints."""
    route = api.route
    route("GET", "/users/profile/history", "The sessions you sat at, with their games", response=History,
          query=HistoryQuery, auth="access", tag="users")(get_history)  # fmt: skip
    route("GET", "/games/<id:game_id>/replay", "Replay a game you played, as you saw it", response=Replay,
          auth="access_or_session", errors=(403, 404, 409), tag="games")(get_replay)  # fmt: skip
