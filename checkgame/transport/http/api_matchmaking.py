"""Quick play: ``POST /matchmaking`` seats the caller at the fullest waiting public table of a size, or opens one.

The choice of table is :class:`checkgame.rooms.matchmaking.Matchmaker`'s; this handler only says who is asking
(a registered player by access token, or a guest by name) and hands back a session token like a join does.
"""

from __future__ import annotations

import uuid
from typing import Literal

from msgspec import Struct

from checkgame import sessions
from checkgame.errors import BadMessageError, NotFoundError
from checkgame.transport.http.api_sessions import ws_url
from checkgame.transport.http.fields import DisplayName, PlayerCount
from checkgame.transport.http.routes import Api, Limit, RequestContext

__all__ = ["MATCHMAKING_LIMIT", "register_routes"]

MATCHMAKING_LIMIT = Limit("matchmaking", lambda s: s.settings.sessions_per_hour, 3600.0, "user")
"""Each request may open a table: the same hourly budget as creating sessions, counted apart (per client IP for
guests), so a script cannot fill the lobby with quick-play tables of phantom players either."""


class QuickPlayRequest(Struct, forbid_unknown_fields=True, rename="camel"):
    max_players: PlayerCount = 4
    """The table size wanted."""
    accept_computers: bool = False
    """Computer players may fill the empty seats when the table's wait ends (if everyone seated agreed)."""
    name: DisplayName | None = None
    """Required for anonymous players; registered players play under their username."""


class QuickPlayMatch(Struct, rename="camel"):
    session_id: str
    player_id: str
    session_token: str
    ws_url: str
    seat: int
    result: Literal["joined", "opened", "returned"]
    """``joined`` an open table, ``opened`` a new one, ``returned`` the seat you already had."""
    status: str
    """The table's status now: ``waiting``, or ``playing`` when your seat filled it."""
    starts_at: float | None
    """While waiting: when the table starts without waiting for more people (epoch seconds)."""


async def quick_play(ctx: RequestContext, body: QuickPlayRequest) -> QuickPlayMatch:
    """Take a seat at the fullest waiting quick-play table of that size, or open one; it starts by itself."""
    services = ctx.services
    if ctx.claims is not None:
        user = await services.store.get_user(ctx.claims.sub)
        if user is None:
            raise NotFoundError("the account no longer exists", code="USER_NOT_FOUND")
        player = sessions.Seat(user.id, user.username, user.id)
    elif body.name is None:
        raise BadMessageError("anonymous players must give a name", details={"field": "name"})
    else:
        player = sessions.Seat(f"guest-{uuid.uuid4().hex[:12]}", body.name, None)
    match = await services.matchmaker.play(player, body.max_players, accepts_computers=body.accept_computers)
    token = services.tokens.issue_session(
        player.player_id, match.state.id, player.name, player.user_id, services.clock()
    )
    quick = match.state.quick_play
    waiting = match.state.status is sessions.Status.WAITING
    return QuickPlayMatch(
        session_id=match.state.id,
        player_id=player.player_id,
        session_token=token,
        ws_url=ws_url(ctx, token),
        seat=match.seat,
        result=match.result,
        status=match.state.status.value,
        starts_at=quick.start_at if quick is not None and waiting else None,
    )


def register_routes(api: Api) -> None:
    """Declare the quick-play endpoint."""
    api.route("POST", "/matchmaking", "Quick play: join or open a public table", body=QuickPlayRequest,
              response=QuickPlayMatch, auth="optional", limit=MATCHMAKING_LIMIT, errors=(404, 409),
              tag="sessions")(quick_play)  # fmt: skip
