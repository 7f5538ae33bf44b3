"""Accounts: register, log in, rotate refresh tokens, log out, the profile (DESIGN.md §4).

Refresh tokens rotate: each use returns a new pair and marks the old token
used; presenting a used token again means it was stolen or replayed, so the
whole family (every token of that login) is revoked.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

from checkgame.auth import check_strength, hash_password, verify_password
from checkgame.errors import AuthError, ForbiddenError, NotFoundError
from checkgame.store.base import RefreshToken, User
from checkgame.transport.http.convert import rating_change_out, rating_out, stats_out, user_out
from checkgame.transport.http.routes import Api, Limit, RequestContext, invalid
from checkgame.transport.http.schemas import Login, Profile, ProfileUpdate, RefreshBody, Register, Tokens

__all__ = ["AUTH_LIMIT", "register_routes"]

AUTH_LIMIT = Limit("auth", lambda s: s.settings.auth_per_min, 60.0, "ip")


async def _issue(ctx: RequestContext, user: User, family: str) -> Tokens:
    services = ctx.services
    now = services.clock()
    jti = secrets.token_urlsafe(16)
    ttl = services.tokens.refresh_ttl_s
    await services.store.add_refresh_token(
        RefreshToken(jti, user.id, family, datetime.fromtimestamp(now, UTC) + timedelta(seconds=ttl))
    )
    return Tokens(
        user=user_out(user),
        access_token=services.tokens.issue_access(user.id, user.role, now),
        refresh_token=services.tokens.issue_refresh(user.id, jti, family, now),
        expires_in=services.tokens.access_ttl_s,
    )


async def register(ctx: RequestContext, body: Register) -> Tokens:
    """Create an account and log it in.

    A taken username or email is named in the answer (docs/protocol.md, "Accounts"); the password is hashed
    before that is known, so a refusal takes as long as an account created.
    """
    problem = await check_strength(body.password, (body.username, body.email))
    if problem is not None:
        raise invalid("request body", f"{problem} - at `$.password`")
    now = datetime.fromtimestamp(ctx.services.clock(), UTC)
    user = User(uuid.uuid4().hex, body.username, body.email.lower(), await hash_password(body.password), "player", now)
    await ctx.services.store.create_user(user)
    return await _issue(ctx, user, uuid.uuid4().hex)


async def login(ctx: RequestContext, body: Login) -> Tokens:
    """Exchange a username (or email) and password for tokens.

    An unknown login is checked against a dummy hash, so that it takes as long as a wrong password.
    """
    user = await ctx.services.store.find_user(body.login)
    if not await verify_password(None if user is None else user.password_hash, body.password) or user is None:
        raise AuthError("wrong username, email or password", code="INVALID_CREDENTIALS")
    _check_enabled(user)
    return await _issue(ctx, user, uuid.uuid4().hex)


async def refresh(ctx: RequestContext, body: RefreshBody) -> Tokens:
    """Rotate a refresh token: a new pair for a valid one; a reused one revokes its family."""
    services = ctx.services
    claims = services.tokens.verify(body.refresh_token, "refresh", services.clock())
    assert claims.jti is not None
    record = await services.store.use_refresh_token(claims.jti)
    if record is None or record.revoked:
        raise AuthError("this refresh token has been revoked", code="INVALID_TOKEN")
    if record.used:
        await services.store.revoke_family(record.family)
        raise AuthError("this refresh token was already used; the login is revoked", code="INVALID_TOKEN")
    user = await services.store.get_user(record.user_id)
    if user is None:
        raise AuthError("the account no longer exists", code="INVALID_TOKEN")
    _check_enabled(user)
    return await _issue(ctx, user, record.family)


def _check_enabled(user: User) -> None:
    """A disabled account gets no new tokens (its access token, if any, expires within minutes)."""
    if user.disabled:
        raise ForbiddenError("this account is disabled; ask an administrator", code="ACCOUNT_DISABLED")


async def logout(ctx: RequestContext, body: RefreshBody) -> None:
    """Revoke the login (every refresh token of its family)."""
    claims = ctx.services.tokens.verify(body.refresh_token, "refresh", ctx.services.clock())
    assert claims.family is not None
    await ctx.services.store.revoke_family(claims.family)


async def _user(ctx: RequestContext) -> User:
    user = await ctx.services.store.get_user(ctx.require_claims().sub)
    if user is None:
        raise NotFoundError("the account no longer exists", code="USER_NOT_FOUND")
    return user


PROFILE_HISTORY = 20
"""Rating changes shown on the profile."""


async def _profile(ctx: RequestContext, user: User) -> Profile:
    store = ctx.services.store
    stats, rating = await store.get_stats(user.id), await store.get_rating(user.id)
    history = await store.rating_history(user.id, limit=PROFILE_HISTORY)
    return Profile(user_out(user), stats_out(stats), rating_out(rating), [rating_change_out(c) for c in history])


async def get_profile(ctx: RequestContext) -> Profile:
    """The caller's account, statistics, rating and latest rating changes."""
    return await _profile(ctx, await _user(ctx))


async def put_profile(ctx: RequestContext, body: ProfileUpdate) -> Profile:
    """Change the caller's username or email."""
    user = await _user(ctx)
    email = body.email.lower() if body.email is not None else None
    return await _profile(ctx, await ctx.services.store.update_user(user.id, username=body.username, email=email))


def register_routes(api: Api) -> None:
    """Declare the account endpoints."""
    route = api.route
    route("POST", "/auth/register", "Create an account", body=Register, response=Tokens, status=201,
          limit=AUTH_LIMIT, errors=(409,), tag="auth")(register)  # fmt: skip
    route("POST", "/auth/login", "Log in", body=Login, response=Tokens, limit=AUTH_LIMIT, errors=(401, 403),
          tag="auth")(login)  # fmt: skip
    route("POST", "/auth/refresh", "Rotate a refresh token", body=RefreshBody, response=Tokens, limit=AUTH_LIMIT,
          errors=(401, 403), tag="auth")(refresh)  # fmt: skip
    route("POST", "/auth/logout", "Revoke a login", body=RefreshBody, status=204, errors=(401,), tag="auth")(logout)
    route("GET", "/users/profile", "Your account, statistics and rating", response=Profile, auth="access",
          errors=(404,), tag="users")(get_profile)  # fmt: skip
    route("PUT", "/users/profile", "Change username or email", body=ProfileUpdate, response=Profile, auth="access",
          errors=(404, 409), tag="users")(put_profile)  # fmt: skip
