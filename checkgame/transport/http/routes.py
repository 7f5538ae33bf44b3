"""A small route table: each endpoint is declared once, with its body, response, auth and limits.

The same declarations register the Quart views and build ``/openapi.json``,
so the document cannot drift from what the server accepts. The wrapper does
everything that is the same for every endpoint: decode and validate the body
and query (422 with details), authenticate, rate-limit, encode the response,
and turn a :class:`~checkgame.errors.ClientError` into the error body.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec
from quart import Quart, Response, request
from werkzeug.routing import BaseConverter

from checkgame.auth import Claims
from checkgame.errors import AuthError, BadMessageError, ClientError, LiveStateError, StoreError
from checkgame.transport.context import Services
from checkgame.transport.http.errors import error_response, json_response
from checkgame.transport.http.fields import ID_PATTERN, explain, published
from checkgame.transport.http.schemas import ErrorBody

__all__ = ["Api", "Endpoint", "Limit", "RequestContext", "invalid"]

log = logging.getLogger(__name__)

Auth = Literal["none", "optional", "access", "access_or_session"]


@dataclass(frozen=True, slots=True)
class Limit:
    """``count`` requests per ``window_s`` per client IP or per authenticated user."""

    name: str
    count: Callable[[Services], int]
    window_s: float
    per: Literal["ip", "user"]


@dataclass(frozen=True, slots=True)
class RequestContext:
    """What a handler receives besides its body."""

    services: Services
    claims: Claims | None
    client_ip: str
    query: Any = None

    def require_claims(self) -> Claims:
        """The caller's verified token claims.

        Raises:
            AuthError: the endpoint was called anonymously.
        """
        if self.claims is None:
            raise AuthError("a bearer token is required")
        return self.claims


Handler = Callable[..., Awaitable[Any]]


class IdConverter(BaseConverter):
    """``<id:name>`` in a path: a session or game id. Anything else is no such route (404) before any lookup,
    and ``/sessions/join-by-code`` or ``/games/start`` can never be read as an id (nor their OPTIONS answer)."""

    regex = ID_PATTERN


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One declared REST endpoint."""

    method: str
    path: str
    """Quart rule under the API prefix, e.g. ``/sessions/<id:session_id>``."""
    summary: str
    handler: Handler
    body: type[Any] | None = None
    response: type[Any] | None = None
    status: int = 200
    auth: Auth = "none"
    query: type[Any] | None = None
    limit: Limit | None = None
    errors: tuple[int, ...] = ()
    tag: str = "api"


@dataclass
class Api:
    """The endpoints of ``/api/v1``."""

    prefix: str
    endpoints: list[Endpoint] = field(default_factory=list)

    def route(self, method: str, path: str, summary: str, **options: Any) -> Callable[[Handler], Handler]:
        """Declare an endpoint; see :class:`Endpoint` for the options."""

        def register(handler: Handler) -> Handler:
            self.endpoints.append(Endpoint(method, path, summary, handler, **options))
            return handler

        return register

    def install(self, app: Quart, services: Services, general_limit: Limit) -> None:
        """Register every endpoint's view on ``app``."""
        app.url_map.converters["id"] = IdConverter
        for endpoint in self.endpoints:
            view = _make_view(endpoint, services, general_limit)
            view.__name__ = f"{endpoint.method.lower()}_{endpoint.handler.__name__}"
            app.add_url_rule(self.prefix + endpoint.path, view.__name__, view, methods=[endpoint.method])

    def openapi(self, *, title: str, version: str) -> dict[str, Any]:
        """The OpenAPI 3.1 document of the declared endpoints."""
        types: set[Any] = {ErrorBody}
        for e in self.endpoints:
            types.update(t for t in (e.body, e.response, e.query) if t is not None)
        ordered = sorted(types, key=lambda t: t.__name__)
        refs, components = msgspec.json.schema_components(ordered, ref_template="#/components/schemas/{name}")
        schema_of = dict(zip(ordered, refs, strict=True))
        paths: dict[str, dict[str, Any]] = {}
        for e in self.endpoints:
            paths.setdefault(_openapi_path(self.prefix + e.path), {})[e.method.lower()] = _operation(e, schema_of)
        return {
            "openapi": "3.1.0",
            "info": {"title": title, "version": version},
            "paths": published(paths),
            "components": {
                "schemas": published(components),
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            },
        }


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def _operation(e: Endpoint, schema_of: dict[Any, Any]) -> dict[str, Any]:
    error = {"content": {"application/json": {"schema": schema_of[ErrorBody]}}}
    responses: dict[str, Any] = {str(e.status): {"description": "success"}}
    if e.response is not None:
        responses[str(e.status)]["content"] = {"application/json": {"schema": schema_of[e.response]}}
    statuses = set(e.errors) | {429}
    if e.body is not None or e.query is not None:
        statuses |= {400, 422}
    if e.auth != "none":  # "optional" too: a token that is sent must be valid
        statuses |= {401}
    for status in sorted(statuses):
        responses[str(status)] = {"description": "error", **error}
    operation: dict[str, Any] = {
        "summary": e.summary,
        "operationId": e.handler.__name__,
        "tags": [e.tag],
        "responses": responses,
    }
    params = [
        {"name": name, "in": "path", "required": True, "schema": _path_schema(converter)}
        for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", e.path)
    ]
    if e.query is not None:
        for f in msgspec.structs.fields(e.query):
            schema = msgspec.json.schema(f.type)
            params.append({"name": f.encode_name, "in": "query", "required": f.required, "schema": schema})
    if params:
        operation["parameters"] = params
    if e.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": schema_of[e.body]}},
        }
    if e.auth != "none":
        operation["security"] = [{"bearer": []}] + ([{}] if e.auth == "optional" else [])
    return operation


def _path_schema(converter: str) -> dict[str, Any]:
    if converter == "id":
        return {"type": "string", "pattern": f"^{IdConverter.regex}$"}
    return {"type": "string"}


def _client_ip(services: Services) -> str:
    """The client's address; X-Forwarded-For only when configured, or any client could pick its own limit key."""
    if services.settings.trust_forwarded_for:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.remote_addr or "unknown"


def _authenticate(services: Services, auth: Auth) -> Claims | None:
    if auth == "none":
        # A public endpoint: a token only chooses the rate-limit key. A stale one that a client sends out of
        # habit (an expired access token on /auth/refresh or /auth/login) must not refuse the request.
        try:
            return _authenticate(services, "optional")
        except AuthError:
            return None
    header = request.headers.get("Authorization", "")
    if not header:
        if auth in ("access", "access_or_session"):
            raise AuthError("a bearer token is required")
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthError("use 'Authorization: Bearer <token>'", code="INVALID_TOKEN")
    now = services.clock()
    if auth == "access_or_session":
        try:
            return services.tokens.verify(token, "session", now)
        except AuthError as error:
            if error.code == "EXPIRED_TOKEN":
                raise
    return services.tokens.verify(token, "access", now)


def _number(literal: str) -> int | float:
    """A JSON number with a fraction or exponent: an int when it is whole, as JSON Schema's ``integer`` says
    (``8.0`` is the integer 8), else a float."""
    value = float(literal)
    return int(value) if value.is_integer() else value


_json = msgspec.json.Decoder(float_hook=_number)


async def _decode_body(kind: type[Any]) -> Any:
    raw = await request.get_data()
    try:
        return msgspec.convert(_json.decode(raw or b"null"), kind)
    except msgspec.ValidationError as exc:
        raise invalid("request body", explain(str(exc))) from None
    except msgspec.DecodeError as exc:
        # A plain ClientError: 400, unlike BadMessageError's 422 (docs/protocol.md, "REST errors").
        raise ClientError(f"the body is not valid JSON: {exc}", code="MALFORMED_JSON") from None


def _decode_query(kind: type[Any]) -> Any:
    try:
        return msgspec.convert(dict(request.args.items()), kind, strict=False)
    except msgspec.ValidationError as exc:
        raise invalid("query parameters", explain(str(exc))) from None


def invalid(what: str, reason: str) -> BadMessageError:
    """The 422 for an invalid ``what`` (request body, query parameters); ``reason`` ends with the field's path
    as msgspec writes it (`` - at `$.name```), and any pattern in it is told in words (:func:`explain`)."""
    return BadMessageError(f"invalid {what}: {reason}", details={"error": reason})


def _make_view(endpoint: Endpoint, services: Services, general: Limit) -> Callable[..., Awaitable[Response]]:
    async def view(**path: str) -> Response:
        try:
            ip = _client_ip(services)
            claims = _authenticate(services, endpoint.auth)
            user_key = claims.sub if claims is not None else ip
            for limit in (general, endpoint.limit):
                if limit is not None:
                    key = f"{limit.name}:{ip if limit.per == 'ip' else user_key}"
                    await services.rate_limiter.hit(key, limit.count(services), limit.window_s)
            query = _decode_query(endpoint.query) if endpoint.query is not None else None
            context = RequestContext(services, claims, ip, query)
            args = [context]
            if endpoint.body is not None:
                args.append(await _decode_body(endpoint.body))
            result = await endpoint.handler(*args, **path)
        except ClientError as error:
            return error_response(error)
        except (StoreError, LiveStateError) as error:  # a backend is down: retry later, not a bug
            log.warning("backend unavailable during %s %s: %s", endpoint.method, endpoint.path, error)
            return error_response(
                ClientError("a backend is unavailable; retry shortly", code="SERVICE_UNAVAILABLE", status_hint=503)
            )
        if result is None:
            return Response("", status=endpoint.status)
        return json_response(result, endpoint.status)

    return view
