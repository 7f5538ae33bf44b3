"""Leaderboards: the best rated players of all time and of this month (docs/protocol.md, "Ratings and leaderboards").

Served through :class:`~checkgame.leaderboard.Leaderboards`, from a cache that recording a rated
game empties; a player's own rating and history are on ``GET /users/profile``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta, Struct

from checkgame.leaderboard import CACHED_ROWS, month_start
from checkgame.transport.http.convert import iso, leaderboard_row_out
from checkgame.transport.http.routes import Api, RequestContext
from checkgame.transport.http.schemas import Leaderboard

__all__ = ["LeaderboardQuery", "register_routes"]


class LeaderboardQuery(Struct, forbid_unknown_fields=True):
    period: Literal["all", "month"] = "all"
    limit: Annotated[int, Meta(ge=1, le=CACHED_ROWS)] = 20


async def get_leaderboard(ctx: RequestContext) -> Leaderboard:
    """The best ``limit`` rated players of the period, best first."""
    query: LeaderboardQuery = ctx.query
    entries = await ctx.services.leaderboards.top(query.period, query.limit)
    since = None if query.period == "all" else iso(month_start(ctx.services.clock()))
    return Leaderboard(query.period, since, [leaderboard_row_out(e) for e in entries])


def register_routes(api: Api) -> None:
    """Declare the leaderboard endpoint."""
    api.route("GET", "/leaderboard", "The best rated players, all time or this month", response=Leaderboard,
              query=LeaderboardQuery, tag="ratings")(get_leaderboard)  # fmt: skip
