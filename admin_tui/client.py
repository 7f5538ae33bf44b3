"""A typed client of the server's ``/admin`` API (docs/admin-api.md), on httpx.

Every refusal becomes an :class:`ApiError` carrying the server's code and
message, and an unreachable server one with code ``UNREACHABLE``, so screens
show one kind of error. An expired access token is refreshed once, behind a
lock: refresh tokens rotate and a reused one revokes the whole login, so two
requests that expire together must not both refresh.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

__all__ = ["EXPIRED_CODES", "LOGIN_EXPIRED", "UNREACHABLE", "AdminClient", "ApiError", "Json", "Tokens"]

Json = dict[str, Any]
"""A decoded JSON object, as the server sent it (camelCase keys)."""

API = "/api/v1"
EXPIRED_CODES = frozenset({"EXPIRED_TOKEN", "TOKEN_EXPIRED"})
"""What the server calls an access token past its lifetime: worth a refresh, unlike a bad one."""
UNREACHABLE = "UNREACHABLE"
LOGIN_EXPIRED = "LOGIN_EXPIRED"


class ApiError(Exception):
    """The server refused (``code``/``message`` from its error body) or could not be reached.

    Attributes:
        code: the server's error code, ``UNREACHABLE``, ``LOGIN_EXPIRED`` or ``HTTP_<status>``.
        status: the HTTP status; 0 when no answer came.
    """

    def __init__(self, code: str, message: str, status: int = 0) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status

    @property
    def transient(self) -> bool:
        """Worth trying again as is: no answer, too many requests, or the server's own failure."""
        return self.code == UNREACHABLE or self.status == 429 or self.status >= 500

    @property
    def needs_login(self) -> bool:
        """Only a new login helps: the tokens are gone, expired beyond refresh, or never were."""
        return self.status == 401


@dataclass(frozen=True, slots=True)
class Tokens:
    """An access token and the refresh token that renews it."""

    access: str
    refresh: str


class AdminClient:
    """One console's connection to one server.

    Args:
        base_url: the server, e.g. ``http://127.0.0.1:8000``.
        tokens: a remembered login, or ``None`` until :meth:`login`.
        on_tokens: told every new pair (login and refresh), so it can be remembered.
        transport: an httpx transport to use instead of the network (snapshot tests).
    """

    def __init__(
        self,
        base_url: str,
        tokens: Tokens | None = None,
        *,
        on_tokens: Callable[[Tokens], None] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.tokens = tokens
        self.on_tokens = on_tokens
        self._refresh_lock = asyncio.Lock()
        self._http = httpx.AsyncClient(base_url=self.base_url, transport=transport, timeout=timeout_s)

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------------ tokens

    async def login(self, login: str, password: str) -> Json:
        """Log in with a username (or email) and password; returns the user (with its ``role``)."""
        body = await self._call("POST", f"{API}/auth/login", json={"login": login, "password": password})
        self._take(body)
        user: Json = body.get("user", {})
        return user

    async def refresh(self, stale_access: str | None = None) -> None:
        """Renew the tokens; ``stale_access`` is the token that was refused (no refresh if it was renewed since).

        Raises:
            ApiError: ``LOGIN_EXPIRED`` (401) when the refresh token is refused too.
        """
        async with self._refresh_lock:
            if self.tokens is None:
                raise ApiError(LOGIN_EXPIRED, "not logged in", 401)
            if stale_access is not None and self.tokens.access != stale_access:
                return
            try:
                body = await self._call("POST", f"{API}/auth/refresh", json={"refreshToken": self.tokens.refresh})
            except ApiError as exc:
                if exc.transient:
                    raise
                message = f"the login expired and could not be renewed ({exc.message})"
                raise ApiError(LOGIN_EXPIRED, message, 401) from exc
            self._take(body)

    def _take(self, body: Json) -> None:
        self.tokens = Tokens(str(body["accessToken"]), str(body["refreshToken"]))
        if self.on_tokens is not None:
            self.on_tokens(self.tokens)

    # ------------------------------------------------------------------ reads

    async def overview(self) -> Json:
        return await self._admin("GET", "/admin/overview")

    async def sessions(self, status: str | None = None) -> list[Json]:
        body = await self._admin("GET", "/admin/sessions", params={"status": status} if status else None)
        return list(body.get("sessions", []))

    async def session(self, session_id: str) -> Json:
        """The session, its running game's table (or null) and its event log."""
        return await self._admin("GET", f"/admin/sessions/{quote(session_id, safe='')}")

    async def connections(self) -> list[Json]:
        return list((await self._admin("GET", "/admin/connections")).get("connections", []))

    async def users(self, limit: int = 50, offset: int = 0) -> Json:
        return await self._admin("GET", "/admin/users", params={"limit": limit, "offset": offset})

    async def audit(self, limit: int = 50) -> list[Json]:
        return list((await self._admin("GET", "/admin/audit", params={"limit": limit})).get("entries", []))

    async def health(self) -> Json:
        """``GET /health``: an unhealthy server answers 503 with the same body, which is the point."""
        return await self._call("GET", "/health", accept=(200, 503))

    async def ready(self) -> Json:
        return await self._call("GET", "/ready", accept=(200, 503))

    # ------------------------------------------------------------------ actions

    async def kick(self, session_id: str, player_id: str, reason: str = "") -> Json:
        body: Json = {"playerId": player_id} | ({"reason": reason} if reason else {})
        return await self._admin("POST", f"/admin/sessions/{quote(session_id, safe='')}/kick", json=body)

    async def end_session(self, session_id: str, reason: str = "") -> Json:
        body: Json = {"reason": reason} if reason else {}
        return await self._admin("POST", f"/admin/sessions/{quote(session_id, safe='')}/end", json=body)

    async def notice(self, session_id: str, message: str) -> Json:
        return await self._admin(
            "POST", f"/admin/sessions/{quote(session_id, safe='')}/notice", json={"message": message}
        )

    async def chat(self, session_id: str) -> Json:
        """The table's chat (both channels), its reports and its muted users."""
        return await self._admin("GET", f"/admin/sessions/{quote(session_id, safe='')}/chat")

    async def delete_chat(self, session_id: str, seq: int, reason: str = "") -> Json:
        body: Json = {"seq": seq} | ({"reason": reason} if reason else {})
        return await self._admin("POST", f"/admin/sessions/{quote(session_id, safe='')}/chat/delete", json=body)

    async def mute_chat(self, session_id: str, player_id: str, *, muted: bool = True) -> Json:
        body: Json = {"playerId": player_id, "muted": muted}
        return await self._admin("POST", f"/admin/sessions/{quote(session_id, safe='')}/chat/mute", json=body)

    async def reveal(self, session_id: str, reason: str) -> dict[str, list[Any]]:
        """Every hand of the running game, by player id, cards in the player protocol's format; audited."""
        path = f"/admin/sessions/{quote(session_id, safe='')}/reveal"
        body = await self._admin("POST", path, json={"reason": reason})
        return {str(player): list(cards) for player, cards in body.get("hands", {}).items()}

    async def drain(self, node_id: str, *, drain: bool = True) -> Json:
        verb = "drain" if drain else "undrain"
        return await self._admin("POST", f"/admin/nodes/{quote(node_id, safe='')}/{verb}")

    async def set_disabled(self, user_id: str, disabled: bool) -> Json:
        verb = "disable" if disabled else "enable"
        return await self._admin("POST", f"/admin/users/{quote(user_id, safe='')}/{verb}")

    async def revoke_logins(self, user_id: str) -> Json:
        return await self._admin("POST", f"/admin/users/{quote(user_id, safe='')}/revoke-logins")

    async def set_role(self, user_id: str, role: str) -> Json:
        return await self._admin("POST", f"/admin/users/{quote(user_id, safe='')}/role", json={"role": role})

    # ------------------------------------------------------------------ plumbing

    async def _admin(self, method: str, path: str, **kw: Any) -> Json:
        """An authenticated call; an expired access token is renewed once and the call repeated."""
        sent_with = self._access()
        try:
            return await self._call(method, path, access=sent_with, **kw)
        except ApiError as exc:
            if exc.code not in EXPIRED_CODES:
                raise
        await self.refresh(stale_access=sent_with)
        return await self._call(method, path, access=self._access(), **kw)

    def _access(self) -> str:
        if self.tokens is None:
            raise ApiError(LOGIN_EXPIRED, "not logged in", 401)
        return self.tokens.access

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: Json | None = None,
        params: dict[str, Any] | None = None,
        access: str | None = None,
        accept: tuple[int, ...] = (200, 201, 202, 204),
    ) -> Json:
        headers = {"Authorization": f"Bearer {access}"} if access is not None else {}
        try:
            response = await self._http.request(method, path, json=json, params=params, headers=headers)
        except httpx.TimeoutException as exc:
            raise ApiError(UNREACHABLE, f"{self.base_url} did not answer in time ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise ApiError(UNREACHABLE, f"cannot reach {self.base_url}: {exc or type(exc).__name__}") from exc
        if response.status_code in accept:
            return _json_object(response) if response.content else {}
        raise _error(response)


def _json_object(response: httpx.Response) -> Json:
    try:
        body = response.json()
    except ValueError as exc:
        raise ApiError(f"HTTP_{response.status_code}", "the server sent something that is not JSON") from exc
    if not isinstance(body, dict):
        raise ApiError(f"HTTP_{response.status_code}", "the server sent JSON that is not an object")
    return body


def _error(response: httpx.Response) -> ApiError:
    """The server's ``{"error": {"code", "message"}}``, or a plain description of whatever else came back."""
    try:
        error = response.json().get("error", {})
        return ApiError(str(error["code"]), str(error["message"]), response.status_code)
    except (ValueError, AttributeError, KeyError, TypeError):
        text = response.text.strip()[:200] or response.reason_phrase
        return ApiError(f"HTTP_{response.status_code}", text, response.status_code)
