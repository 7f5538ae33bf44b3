"""The admin REST API under ``/admin`` (docs/admin-api.md): look at the cluster, and act on it.

Both admin roles may read; only ``admin`` may act, and every action is
written to the audit log before the answer. Session actions are session
commands (:class:`~checkgame.sessions.Kick`, :class:`~checkgame.sessions.EndSession`,
:class:`~checkgame.sessions.Notice`) applied through the session service,
so they replicate to every node like a move. What other nodes hold
(connections, drain state) comes from the reports they publish in the live
store (:mod:`checkgame.rooms.admin`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import trio
from msgspec import Meta, Struct

from checkgame import protocol, sessions
from checkgame.auth import ROLE_ADMIN, ROLE_ADMIN_READONLY, Claims
from checkgame.errors import ConflictError, ForbiddenError, NotFoundError
from checkgame.store.base import AuditEntry, SessionRecord, User
from checkgame.transport.admin import views
from checkgame.transport.context import Services
from checkgame.transport.http.fields import Text
from checkgame.transport.http.routes import Api, RequestContext

__all__ = ["check_reader", "overview", "register_routes", "session_detail"]

LOG_ENTRIES = 50
"""How many of a session's latest public log entries the detail shows."""

MAX_SESSIONS_SCANNED = 500
"""Running tournaments loaded from the live store to count the games in progress."""

CHAT_SCAN = (512, 256, 128, 64)
"""How far back the moderation view reads a session's log: the longest stretch the log still holds."""

LOAD_CONCURRENCY = 16
"""Live states loaded at once for a listing."""

Reason = Annotated[Text, Meta(max_length=280)]


class _In(Struct, forbid_unknown_fields=True, rename="camel"):
    """Request bodies: unknown fields are refused, names are camelCase."""


class KickBody(_In):
    player_id: Annotated[Text, Meta(min_length=1, max_length=64)]
    reason: Reason = ""


class EndBody(_In):
    reason: Reason = ""


class NoticeBody(_In):
    message: Annotated[Text, Meta(min_length=1, max_length=280)]


class MuteBody(_In):
    player_id: Annotated[Text, Meta(min_length=1, max_length=64)]
    """A seated player's id, or a signed-in spectator's account id (as in the chat's ``from``)."""
    muted: bool = True


class DeleteChatBody(_In):
    seq: Annotated[int, Meta(ge=1, le=2**63 - 1)]
    """The chat message's ``seq`` (``GET /admin/sessions/{id}/chat``)."""
    reason: Reason = ""


class RevealBody(_In):
    reason: Annotated[Reason, Meta(min_length=1)]


class RoleBody(_In):
    role: Literal["player", "admin", "admin_readonly"]


class SessionsQuery(Struct, forbid_unknown_fields=True):
    status: Literal["waiting", "playing", "finished"] | None = None
    limit: Annotated[int, Meta(ge=1, le=200)] = 100


class UsersQuery(Struct, forbid_unknown_fields=True):
    limit: Annotated[int, Meta(ge=1, le=200)] = 50
    offset: Annotated[int, Meta(ge=0, le=2**63 - 1)] = 0


class AuditQuery(Struct, forbid_unknown_fields=True):
    limit: Annotated[int, Meta(ge=1, le=500)] = 100


# -- who may do what


def is_reader(role: str | None) -> bool:
    """``role`` is an administrator's, of either kind (both may read)."""
    return role in (ROLE_ADMIN, ROLE_ADMIN_READONLY)


def check_reader(claims: Claims) -> Claims:
    """``claims`` belong to an administrator of either kind.

    Raises:
        ForbiddenError: ``FORBIDDEN`` for anyone else.
    """
    if not is_reader(claims.role):
        raise ForbiddenError("this is for administrators only")
    return claims


async def _actor(ctx: RequestContext) -> User:
    """The administrator acting, checked against the database too (a demotion takes effect at once)."""
    claims = check_reader(ctx.require_claims())
    if claims.role != ROLE_ADMIN:
        raise ForbiddenError("read-only administrators cannot act", code="READ_ONLY")
    user = await ctx.services.store.get_user(claims.sub)
    if user is None or user.role != ROLE_ADMIN:
        raise ForbiddenError("this account is no longer an administrator")
    return user


async def _audit(ctx: RequestContext, admin: User, action: str, target: str, details: dict[str, Any]) -> None:
    at = datetime.fromtimestamp(ctx.services.clock(), UTC)
    await ctx.services.store.add_audit(AuditEntry(at, admin.id, admin.username, action, target, details))
    ctx.services.metrics.admin_actions.labels(action).inc()


# -- reading


async def _node_reports(services: Services) -> dict[str, dict[str, Any]]:
    """Every node's latest report, this node's taken fresh."""
    now = services.clock()
    reports = await services.sessions.node_reports(now)
    reports[services.node.node] = services.node.report(now)
    return reports


async def overview(services: Services) -> dict[str, Any]:
    """The body of ``GET /admin/overview`` (also pushed by the admin WebSocket)."""
    store = services.store
    now = services.clock()
    reports = await _node_reports(services)
    counts = {}
    for status in ("waiting", "playing", "finished"):
        _, counts[status] = await store.list_sessions(status=status, public_only=False, limit=0, offset=0)
    running, _ = await store.list_sessions(status="playing", public_only=False, limit=MAX_SESSIONS_SCANNED, offset=0)
    states = await _load_all(services, [record.id for record in running])
    games = sum(state is not None and state.status is sessions.Status.PLAYING for state in states)
    _, users = await store.list_users(limit=0, offset=0)
    rate_names = ("actionsPerSecond", "messagesInPerSecond", "messagesOutPerSecond")
    return {
        "serverTime": now,
        "node": services.node.node,
        "nodes": [
            {
                "id": node,
                "startedAt": report["startedAt"],
                "lastSeen": report["lastSeen"],
                "connections": report["connectionCount"],
                "draining": report["draining"],
                "version": report["version"],
            }
            for node, report in sorted(reports.items())
        ],
        "uptimeSeconds": round(now - services.node.started_at, 1),
        "sessions": counts,
        "gamesInProgress": games,
        "connections": sum(report["connectionCount"] for report in reports.values()),
        "users": users,
        "rates": {name: round(sum(r["rates"][name] for r in reports.values()), 3) for name in rate_names},
    }


async def _load_all(services: Services, session_ids: list[str]) -> list[sessions.SessionState | None]:
    """The live states of ``session_ids``, loaded a few at a time (each is a round trip to Redis)."""
    found: list[sessions.SessionState | None] = [None] * len(session_ids)
    limiter = trio.CapacityLimiter(LOAD_CONCURRENCY)

    async def load(index: int, session_id: str) -> None:
        async with limiter:
            found[index] = await services.sessions.find(session_id)

    async with trio.open_nursery() as nursery:
        for index, session_id in enumerate(session_ids):
            nursery.start_soon(load, index, session_id)
    return found


async def _record(services: Services, session_id: str) -> SessionRecord:
    record = await services.store.get_session(session_id)
    if record is None:
        raise NotFoundError("no such session", code="SESSION_NOT_FOUND")
    return record


async def session_detail(services: Services, session_id: str) -> dict[str, Any]:
    """The body of ``GET /admin/sessions/{id}`` (also pushed to consoles watching the session)."""
    record = await _record(services, session_id)
    state = await services.sessions.find(session_id)
    log: list[dict[str, Any]] = []
    if state is not None:
        names = {seat.player_id: seat.name for seat in state.seats}
        entries = await services.sessions.entries_since(session_id, max(0, state.seq - LOG_ENTRIES)) or []
        log = [views.log_row(entry, names) for entry in entries]
    return {
        "session": views.session_row(record, state),
        "table": None if state is None else views.table(state),
        "log": log,
    }


async def _recent_entries(services: Services, state: sessions.SessionState | None) -> list[sessions.Entry]:
    """The latest entries of the session's log, as many as it still holds (up to :data:`CHAT_SCAN`'s first)."""
    if state is None:
        return []
    for back in CHAT_SCAN:
        entries = await services.sessions.entries_since(state.id, max(0, state.seq - back))
        if entries is not None:
            return entries
    return []


async def admin_chat(ctx: RequestContext, session_id: str) -> dict[str, Any]:
    """A table's chat (both channels), its reports and its muted users: what moderation works from."""
    check_reader(ctx.require_claims())
    await _record(ctx.services, session_id)
    state = await ctx.services.sessions.find(session_id)
    return views.chat(await _recent_entries(ctx.services, state), state)


async def admin_overview(ctx: RequestContext) -> dict[str, Any]:
    """Nodes, uptime, counts and rates."""
    check_reader(ctx.require_claims())
    return await overview(ctx.services)


async def admin_sessions(ctx: RequestContext) -> dict[str, Any]:
    """Sessions, newest first, with their live players."""
    check_reader(ctx.require_claims())
    query: SessionsQuery = ctx.query
    services = ctx.services
    records, _ = await services.store.list_sessions(status=query.status, public_only=False, limit=query.limit, offset=0)
    states = await _load_all(services, [record.id for record in records])
    rows = [views.session_row(record, state) for record, state in zip(records, states, strict=True)]
    return {"sessions": rows}


async def admin_session(ctx: RequestContext, session_id: str) -> dict[str, Any]:
    """One session: players, the public table, the latest log entries."""
    check_reader(ctx.require_claims())
    return await session_detail(ctx.services, session_id)


async def admin_connections(ctx: RequestContext) -> dict[str, Any]:
    """Every WebSocket of every node (other nodes list at most 1000 each; ``total`` counts them all)."""
    check_reader(ctx.require_claims())
    reports = await _node_reports(ctx.services)
    rows = [row for report in reports.values() for row in report["connections"]]
    total = sum(report["connectionCount"] for report in reports.values())
    return {"connections": sorted(rows, key=lambda row: (row["connectedAt"], row["connectionId"])), "total": total}


async def admin_users(ctx: RequestContext) -> dict[str, Any]:
    """Accounts by creation time."""
    check_reader(ctx.require_claims())
    query: UsersQuery = ctx.query
    users, total = await ctx.services.store.list_users(limit=query.limit, offset=query.offset)
    return {"users": [views.user_row(user) for user in users], "total": total}


async def admin_audit(ctx: RequestContext) -> dict[str, Any]:
    """The latest administrators' actions, newest first."""
    check_reader(ctx.require_claims())
    query: AuditQuery = ctx.query
    return {"entries": [views.audit_row(entry) for entry in await ctx.services.store.list_audit(limit=query.limit)]}


# -- acting


async def _command(
    ctx: RequestContext, session_id: str, action: str, command: sessions.Command, details: dict[str, Any]
) -> dict[str, Any]:
    """An operator's command on a session: through the session machine (so every node sees it), then audited."""
    admin = await _actor(ctx)
    await _record(ctx.services, session_id)
    await ctx.services.sessions.execute(session_id, command)
    await _audit(ctx, admin, action, f"session/{session_id}", details)
    return {"ok": True}


async def admin_kick(ctx: RequestContext, body: KickBody, session_id: str) -> dict[str, Any]:
    """Remove a player: their seat leaves as with a leave, and their socket closes with 4403."""
    details = {"playerId": body.player_id, "reason": body.reason}
    return await _command(ctx, session_id, "kick", sessions.Kick(body.player_id, body.reason), details)


async def admin_end(ctx: RequestContext, body: EndBody, session_id: str) -> dict[str, Any]:
    """End the session for everyone; the running game is abandoned, not scored."""
    return await _command(ctx, session_id, "end", sessions.EndSession(body.reason), {"reason": body.reason})


async def admin_notice(ctx: RequestContext, body: NoticeBody, session_id: str) -> dict[str, Any]:
    """Send a message to every player of the session (through its log, so resuming clients get it too)."""
    return await _command(ctx, session_id, "notice", sessions.Notice(body.message), {"message": body.message})


async def admin_mute(ctx: RequestContext, body: MuteBody, session_id: str) -> dict[str, Any]:
    """Silence a user in this table's chat (or let them speak again); every node refuses their messages."""
    action = "chat_mute" if body.muted else "chat_unmute"
    command = sessions.MuteChat(body.player_id, body.muted)
    return await _command(ctx, session_id, action, command, {"playerId": body.player_id})


async def admin_delete_chat(ctx: RequestContext, body: DeleteChatBody, session_id: str) -> dict[str, Any]:
    """Remove a chat message: clients drop it on ``chat_deleted``; the audit keeps what it said."""
    await _actor(ctx)  # a read-only administrator learns nothing of the log here: READ_ONLY first
    state = await ctx.services.sessions.find(session_id)
    said = next(
        (
            e.data
            for e in await _recent_entries(ctx.services, state)
            if e.seq == body.seq and isinstance(e.data, protocol.ChatMessage)
        ),
        None,
    )
    if said is None:
        raise NotFoundError("no such chat message in this session's log", code="MESSAGE_NOT_FOUND")
    details = {"seq": body.seq, "from": said.from_, "text": said.text, "reason": body.reason}
    return await _command(ctx, session_id, "chat_delete", sessions.DeleteChat(body.seq), details)


async def admin_reveal(ctx: RequestContext, body: RevealBody, session_id: str) -> dict[str, Any]:
    """Every hand of the running game; the audit row (with the reason) is written before they are shown."""
    admin = await _actor(ctx)
    await _record(ctx.services, session_id)
    state = await ctx.services.sessions.load(session_id, fresh=True)
    if state.game is None or state.game.is_over or state.status is not sessions.Status.PLAYING:
        raise ConflictError("no game is being played in this session", code="NO_GAME")
    details = {"reason": body.reason, "gameId": state.game_id}
    await _audit(ctx, admin, "reveal", f"session/{session_id}", details)
    return {"gameId": state.game_id, "hands": views.hands(state)}


async def _set_draining(ctx: RequestContext, node_id: str, draining: bool) -> dict[str, Any]:
    admin = await _actor(ctx)
    services = ctx.services
    if node_id not in await _node_reports(services):
        raise NotFoundError(f"no node {node_id!r} is reporting", code="NODE_NOT_FOUND")
    await services.sessions.request_drain(node_id, draining)
    if node_id == services.node.node:  # another node follows its request within a second
        services.node.set_draining(draining)
        await services.node.publish(services.sessions)
    await _audit(ctx, admin, "drain" if draining else "undrain", f"node/{node_id}", {})
    return {"ok": True, "node": node_id, "draining": draining}


async def admin_drain(ctx: RequestContext, node_id: str) -> dict[str, Any]:
    """The node refuses new connections, turns /ready to 503, and closes its sockets (clients reconnect)."""
    return await _set_draining(ctx, node_id, True)


async def admin_undrain(ctx: RequestContext, node_id: str) -> dict[str, Any]:
    """The node takes connections again."""
    return await _set_draining(ctx, node_id, False)


async def _account(ctx: RequestContext, user_id: str, action: str) -> tuple[User, User]:
    """The acting administrator and the account acted on; nobody locks themselves out by mistake."""
    admin = await _actor(ctx)
    user = await ctx.services.store.get_user(user_id)
    if user is None:
        raise NotFoundError("no such account", code="USER_NOT_FOUND")
    if user.id == admin.id:
        raise ConflictError(f"an administrator cannot {action} their own account", code="OWN_ACCOUNT")
    return admin, user


async def _set_disabled(ctx: RequestContext, user_id: str, disabled: bool) -> dict[str, Any]:
    admin, user = await _account(ctx, user_id, "disable" if disabled else "enable")
    await ctx.services.store.set_disabled(user.id, disabled)
    revoked = await ctx.services.store.revoke_user_tokens(user.id) if disabled else 0
    action = "disable" if disabled else "enable"
    await _audit(ctx, admin, action, f"user/{user.id}", {"username": user.username, "loginsRevoked": revoked})
    return {"ok": True, "user": views.user_row(replace(user, disabled=disabled))}


async def admin_disable(ctx: RequestContext, user_id: str) -> dict[str, Any]:
    """The account can no longer log in or refresh; its logins end (an access token expires within minutes)."""
    return await _set_disabled(ctx, user_id, True)


async def admin_enable(ctx: RequestContext, user_id: str) -> dict[str, Any]:
    """The account may log in again."""
    return await _set_disabled(ctx, user_id, False)


async def admin_revoke_logins(ctx: RequestContext, user_id: str) -> dict[str, Any]:
    """End every login of the account: its refresh tokens are revoked, so each device must log in again."""
    admin, user = await _account(ctx, user_id, "revoke the logins of")
    revoked = await ctx.services.store.revoke_user_tokens(user.id)
    await _audit(ctx, admin, "revoke_logins", f"user/{user.id}", {"username": user.username, "revoked": revoked})
    return {"ok": True, "revoked": revoked}


async def admin_set_role(ctx: RequestContext, body: RoleBody, user_id: str) -> dict[str, Any]:
    """Promote or demote: ``player``, ``admin_readonly`` or ``admin`` (a demotion takes effect at the next action)."""
    admin, user = await _account(ctx, user_id, "change the role of")
    await ctx.services.store.set_role(user.id, body.role)
    details = {"username": user.username, "from": user.role, "to": body.role}
    await _audit(ctx, admin, "set_role", f"user/{user.id}", details)
    return {"ok": True, "user": views.user_row(replace(user, role=body.role))}


def register_routes(api: Api) -> None:
    """Declare the admin endpoints (every one needs an administrator's access token)."""
    route = api.route
    read = {"auth": "access", "errors": (403,), "tag": "admin"}
    act = {"auth": "access", "errors": (403, 404, 409), "tag": "admin"}
    route("GET", "/overview", "Nodes, counts and rates", **read)(admin_overview)
    route("GET", "/sessions", "Sessions with live players", query=SessionsQuery, **read)(admin_sessions)
    route("GET", "/sessions/<session_id>", "One session's public table and log", **act)(admin_session)
    route("GET", "/connections", "Every WebSocket of every node", **read)(admin_connections)
    route("GET", "/users", "Accounts", query=UsersQuery, **read)(admin_users)
    route("GET", "/audit", "The administrators' actions", query=AuditQuery, **read)(admin_audit)
    route("POST", "/sessions/<session_id>/kick", "Remove a player", body=KickBody, **act)(admin_kick)
    route("POST", "/sessions/<session_id>/end", "End a session", body=EndBody, **act)(admin_end)
    route("POST", "/sessions/<session_id>/notice", "Message every player", body=NoticeBody, **act)(admin_notice)
    route("GET", "/sessions/<session_id>/chat", "A table's chat, reports and mutes", **act)(admin_chat)
    route("POST", "/sessions/<session_id>/chat/mute", "Mute or unmute a user in a table's chat (audited)",
          body=MuteBody, **act)(admin_mute)  # fmt: skip
    route("POST", "/sessions/<session_id>/chat/delete", "Delete a chat message (audited)", body=DeleteChatBody,
          **act)(admin_delete_chat)  # fmt: skip
    route("POST", "/sessions/<session_id>/reveal", "Show every hand (audited)", body=RevealBody, **act)(admin_reveal)
    route("POST", "/nodes/<node_id>/drain", "Drain a node", **act)(admin_drain)
    route("POST", "/nodes/<node_id>/undrain", "Take connections again", **act)(admin_undrain)
    route("POST", "/users/<user_id>/disable", "Disable an account (audited)", **act)(admin_disable)
    route("POST", "/users/<user_id>/enable", "Enable an account again (audited)", **act)(admin_enable)
    route("POST", "/users/<user_id>/revoke-logins", "End every login of an account", **act)(admin_revoke_logins)
    route("POST", "/users/<user_id>/role", "Promote or demote an account", body=RoleBody, **act)(admin_set_role)
