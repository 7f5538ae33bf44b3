"""An empty PostgreSQL schema per test, in the test database of :mod:`tests.support.services`.

A schema is much cheaper than a database (``CREATE DATABASE`` copies a template and
checkpoints): the store's ``schema`` URL parameter puts every table, ``schema_migrations``
included, in it, and its ``search_path`` holds that schema only, so a test sees nothing else.
Names are derived from the test's ``tmp_path`` (reopening the same URL in one test finds the same
data) and from a token drawn once per pytest process (two runs never share a schema).
:func:`drop_schema` removes it after the test; a crashed run leaves ``ct_*`` schemas behind that
nothing reads again and that ``DROP SCHEMA`` may clear.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]
import trio_asyncio  # type: ignore[import-untyped]

from checkgame.store._pg_conn import asyncio_loop
from tests.support.services import require

_RUN = secrets.token_hex(3)
_handed_out: set[str] = set()


def with_params(url: str, **params: object) -> str:
    """``url`` with query parameters added or replaced."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update({name: str(value) for name, value in params.items()})
    return urlunsplit(parts._replace(query=urlencode(query)))


def schema_name(tmp_path: Path) -> str:
    """The schema of the test owning ``tmp_path``."""
    digest = hashlib.blake2b(str(tmp_path).encode(), digest_size=6).hexdigest()
    return f"ct_{_RUN}_{digest}"


def schema_url(tmp_path: Path, **params: object) -> str:
    """A store URL whose schema is empty until this test writes to it; skips (or fails) without PostgreSQL."""
    base = require("postgres")
    name = schema_name(tmp_path)
    _handed_out.add(name)
    return with_params(base, schema=name, **{"pool_min_size": 1, **params})


async def run_sql(sql: str, *args: object) -> object:
    """One statement on a plain connection to the test database (outside any store); its result status."""
    async with asyncio_loop() as loop:
        conn = await trio_asyncio.aio_as_trio(asyncpg.connect, loop=loop)(require("postgres"))
        try:
            return await trio_asyncio.aio_as_trio(conn.execute, loop=loop)(sql, *args)
        finally:
            await trio_asyncio.aio_as_trio(conn.close, loop=loop)()


async def drop_schema(tmp_path: Path) -> None:
    """Remove the schema of this test, when :func:`schema_url` handed one out."""
    name = schema_name(tmp_path)
    if name in _handed_out:
        _handed_out.discard(name)
        await run_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
