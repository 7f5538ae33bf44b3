"""What only the PostgreSQL backend promises: URL options, the pool, the asyncio loop, error
translation and the migration runner under concurrency.

The behaviour every backend shares is in ``test_store_contract.py``. Tests that talk to a server
are marked ``postgres`` and get an empty schema of their own (``pg_schemas.py``).
"""

from __future__ import annotations

import socket
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest
import trio
import trio_asyncio  # type: ignore[import-untyped]

from checkgame.errors import DuplicateError, StoreError, StoreUnavailableError
from checkgame.store import open_store
from checkgame.store._pg_conn import PgOptions, asyncio_loop, translate
from checkgame.store.base import User
from checkgame.store.migrate import Migration, load_migrations
from checkgame.store.postgres import MIGRATIONS_PACKAGE, PostgresStore, open_postgres_store
from tests.contract import pg_schemas
from tests.contract.test_store_contract import game, table
from tests.support.services import require

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _user(n: int) -> User:
    return User(f"u{n}", f"User{n}", f"user{n}@example.org", "hash", "player", T0)


@pytest.fixture
async def schema(tmp_path: Path) -> AsyncIterator[Path]:
    """The test's ``tmp_path``, whose schema is dropped after the test."""
    yield tmp_path
    await pg_schemas.drop_schema(tmp_path)


# -- URL options (no server needed)


def test_url_defaults() -> None:
    options = PgOptions.from_url("postgresql://app:pw@db.internal:6432/checkgame")
    assert options.dsn == "postgresql://app:pw@db.internal:6432/checkgame"
    assert (options.min_size, options.max_size) == (2, 10)
    assert (options.connect_timeout_s, options.command_timeout_s) == (10.0, 30.0)
    assert options.schema is None
    assert options.server_settings == {"application_name": "checkgame"}
    assert options.pooler is None


def test_behind_pgbouncer_the_option_is_ours() -> None:
    options = PgOptions.from_url("postgresql://app@bouncer:6432/checkgame?pooler=pgbouncer&sslmode=disable")
    assert options.pooler == "pgbouncer"
    assert options.dsn == "postgresql://app@bouncer:6432/checkgame?sslmode=disable"


def test_url_options_are_ours_and_the_rest_goes_to_asyncpg() -> None:
    url = (
        "postgres://app@db/checkgame?pool_min_size=0&pool_max_size=20&connect_timeout=2.5"
        "&command_timeout=4&schema=tenant_1&sslmode=disable&application_name=node7"
    )
    options = PgOptions.from_url(url)
    assert options.dsn == "postgresql://app@db/checkgame?sslmode=disable&application_name=node7"
    assert (options.min_size, options.max_size) == (0, 20)
    assert (options.connect_timeout_s, options.command_timeout_s) == (2.5, 4.0)
    assert options.schema == "tenant_1"
    assert options.server_settings == {"search_path": '"tenant_1"'}  # application_name stays the URL's


def test_migration_lock_is_per_schema() -> None:
    keys = {PgOptions.from_url(f"postgresql://db/x?schema={s}").lock_key for s in ("a", "b")}
    keys.add(PgOptions.from_url("postgresql://db/x").lock_key)
    assert len(keys) == 3
    assert all(-(2**63) <= key < 2**63 for key in keys)
    assert (
        PgOptions.from_url("postgresql://db/x?schema=a").lock_key
        == PgOptions.from_url("postgres://h/y?schema=a").lock_key
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("pool_max_size=lots", "pool_max_size must be a number"),
        ("pool_max_size=0", "pool_max_size must be at least 1"),
        ("pool_min_size=-1", "pool_min_size must be at least 0"),
        ("pool_min_size=5&pool_max_size=4", "must not exceed"),
        ("command_timeout=0", "command_timeout must be at least"),
        ("connect_timeout=nan", "connect_timeout must be at least"),
        ("schema=Public", "lower-case identifier"),
        ('schema=x";DROP', "lower-case identifier"),
        ("a=1&&=", "malformed query"),
        ("pooler=odyssey", "pooler must be pgbouncer"),
        ("pooler=pgbouncer&schema=tenant_1", "schema cannot be used with pooler=pgbouncer"),
    ],
)
async def test_bad_options_are_refused_without_echoing_the_url(query: str, message: str) -> None:
    url = f"postgresql://admin:s3cret@db/checkgame?{query}"
    with pytest.raises(ValueError, match=message) as caught:
        async with open_store(url):
            pass  # pragma: no cover - never entered
    assert "s3cret" not in str(caught.value)


def test_not_a_postgresql_url() -> None:
    with pytest.raises(ValueError, match="not a postgresql"):
        PgOptions.from_url("sqlite:///x.db")


def test_migrations_match_sqlite_version_for_version() -> None:
    postgres, sqlite = load_migrations(MIGRATIONS_PACKAGE), load_migrations()
    assert [(m.version, m.name) for m in postgres] == [(m.version, m.name) for m in sqlite]


# -- error translation (no server needed)


def _pg_error(sqlstate: str, **fields: str) -> Exception:
    return asyncpg.PostgresError.new({"C": sqlstate, "M": "message from the server", **fields})  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (_pg_error("23505", n="users_email_key_unique"), DuplicateError),
        (_pg_error("23505", n="mystery_unique"), StoreError),
        (_pg_error("23503", n="games_session_id_fkey"), StoreError),  # foreign key: the caller should have checked
        (_pg_error("42P01"), StoreError),  # undefined table
        (_pg_error("42601"), StoreError),  # syntax error
        (_pg_error("57014"), StoreUnavailableError),  # statement timeout
        (_pg_error("57P01"), StoreUnavailableError),  # admin shutdown
        (_pg_error("53300"), StoreUnavailableError),  # too many connections
        (_pg_error("28P01"), StoreUnavailableError),  # bad password
        (_pg_error("3D000"), StoreUnavailableError),  # no such database
        (_pg_error("08006"), StoreUnavailableError),  # connection failure
        (
            asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
            StoreUnavailableError,
        ),
        (asyncpg.InterfaceError("pool is closing"), StoreUnavailableError),
        (asyncpg.InterfaceError("cannot perform operation: another operation is in progress"), StoreError),
        (asyncpg.DataError("invalid input for query argument $1"), StoreError),
        (asyncpg.exceptions.ProtocolError("unexpected message"), StoreError),
        (TimeoutError(), StoreUnavailableError),
        (ConnectionRefusedError(111, "Connection refused"), StoreUnavailableError),
        (socket.gaierror(-2, "Name or service not known"), StoreUnavailableError),
    ],
)
def test_translate(error: Exception, expected: type[Exception]) -> None:
    assert type(translate(error)) is expected


def test_translate_names_the_field_like_sqlite() -> None:
    fields = {
        "users_pkey": "id",
        "users_username_key_unique": "username",
        "users_email_key_unique": "email",
        "refresh_tokens_pkey": "jti",
        "sessions_pkey": "id",
        "sessions_code_key_unique": "code",
        "session_players_pkey": "player_id",
        "games_session_number_unique": "number",
    }
    for constraint, field in fields.items():
        translated = translate(_pg_error("23505", n=constraint))
        assert isinstance(translated, DuplicateError)
        assert translated.field == field
    sql = (Path(__file__).parents[2] / "checkgame/store/migrations_pg/0001_initial.sql").read_text()
    assert all(f"CONSTRAINT {constraint} " in sql for constraint in fields)


# -- against a server


async def test_an_unreachable_server_is_unavailable() -> None:
    with socket.socket() as probe:  # a port nothing listens on: bound, never listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        with pytest.raises(StoreUnavailableError) as caught:
            async with open_store(f"postgresql://postgres@127.0.0.1:{port}/test?connect_timeout=2"):
                pass  # pragma: no cover - never entered
    assert isinstance(caught.value.__cause__, OSError)


@pytest.mark.postgres
async def test_an_unknown_database_is_unavailable() -> None:
    url = pg_schemas.with_params(require("postgres"), pool_min_size=1)
    url = url.replace("/test?", "/checkgame_no_such_database?")
    with pytest.raises(StoreUnavailableError, match="3D000") as caught:
        async with open_store(url):
            pass  # pragma: no cover - never entered
    assert isinstance(caught.value.__cause__, asyncpg.InvalidCatalogNameError)


@pytest.mark.postgres
async def test_an_unknown_server_setting_is_a_store_error(schema: Path) -> None:
    with pytest.raises(StoreError) as caught:
        async with open_store(pg_schemas.schema_url(schema, no_such_setting="1")):
            pass  # pragma: no cover - never entered
    assert not isinstance(caught.value, StoreUnavailableError)
    assert isinstance(caught.value.__cause__, asyncpg.PostgresError)


@pytest.mark.postgres
async def test_statement_errors_are_translated_with_the_driver_error_as_cause(schema: Path) -> None:
    async with open_store(pg_schemas.schema_url(schema)) as store:  # not migrated: no tables
        with pytest.raises(StoreError, match="42P01") as caught:
            await store.get_user("u1")
        assert not isinstance(caught.value, StoreUnavailableError)
        assert isinstance(caught.value.__cause__, asyncpg.UndefinedTableError)
        await store.ping()  # the pool is fine after a failed statement


@pytest.mark.postgres
async def test_a_statement_timeout_is_unavailable_and_the_pool_recovers(schema: Path) -> None:
    async with open_postgres_store(pg_schemas.schema_url(schema, command_timeout=0.2)) as store:

        async def sleep(conn: object) -> None:
            await conn.execute("SELECT pg_sleep(5)")  # type: ignore[attr-defined]

        with trio.fail_after(3), pytest.raises(StoreUnavailableError, match="in time"):
            await store._db.run(sleep)
        await store.ping()


@pytest.mark.postgres
async def test_cancelling_a_call_cancels_the_query_and_keeps_the_pool(schema: Path) -> None:
    async with open_postgres_store(pg_schemas.schema_url(schema, pool_max_size=1)) as store:

        async def sleep(conn: object) -> None:
            await conn.execute("SELECT pg_sleep(30)")  # type: ignore[attr-defined]

        with trio.fail_after(5):
            with trio.move_on_after(0.2) as scope:
                await store._db.run(sleep)
            assert scope.cancelled_caught
            await store.ping()  # the only connection came back to the pool, usable


@pytest.mark.postgres
async def test_pool_size_bounds_the_connections(schema: Path, tmp_path: Path) -> None:
    name = f"ct_pool_{pg_schemas.schema_name(tmp_path)[-12:]}"
    url = pg_schemas.schema_url(schema, pool_min_size=1, pool_max_size=2, application_name=name)
    count = "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1"
    async with open_postgres_store(url) as store:
        peak: list[int] = []

        async def sample(conn: object) -> None:
            await conn.execute("SELECT pg_sleep(0.05)")  # type: ignore[attr-defined]
            peak.append(await conn.fetchval(count, name))  # type: ignore[attr-defined]

        async with trio.open_nursery() as nursery:
            for _ in range(8):
                nursery.start_soon(store._db.run, sample)
        assert len(peak) == 8
        assert max(peak) == 2
    async with open_postgres_store(pg_schemas.schema_url(schema)) as other:  # another application_name

        async def read(conn: object) -> int:
            return await conn.fetchval(count, name)  # type: ignore[attr-defined,no-any-return]

        for _ in range(500):  # the server notices the closed sockets a moment later
            if await other._db.run(read) == 0:
                break
            await trio.sleep(0.01)  # pragma: no cover - timing
        assert await other._db.run(read) == 0


@pytest.mark.postgres
async def test_concurrent_migrations_apply_each_version_once(schema: Path) -> None:
    url = pg_schemas.schema_url(schema)
    results: list[list[int]] = []

    async def migrate_once() -> None:
        async with open_store(url) as store:
            results.append(await store.migrate())

    async with trio.open_nursery() as nursery:
        for _ in range(4):
            nursery.start_soon(migrate_once)
    versions = [m.version for m in load_migrations(MIGRATIONS_PACKAGE)]
    assert sorted(results) == [[], [], [], versions]


_MIGRATE_SCRIPT = """
import sys, trio
from checkgame.store import open_store

async def main() -> None:
    async with open_store(sys.argv[1]) as store:
        print(await store.migrate())

trio.run(main)
"""


@pytest.mark.postgres
@pytest.mark.slow
async def test_two_processes_migrating_at_once_apply_each_version_once(schema: Path) -> None:
    url = pg_schemas.schema_url(schema)
    outputs: list[str] = []

    async def migrate_in_a_process() -> None:
        done = await trio.run_process([sys.executable, "-c", _MIGRATE_SCRIPT, url], capture_stdout=True)
        outputs.append(done.stdout.decode().strip())

    with trio.fail_after(60):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(migrate_in_a_process)
            nursery.start_soon(migrate_in_a_process)
    versions = [m.version for m in load_migrations(MIGRATIONS_PACKAGE)]
    assert sorted(outputs) == sorted(["[]", str(versions)])


@pytest.mark.postgres
async def test_a_failing_migration_rolls_back_and_keeps_earlier_ones(schema: Path) -> None:
    steps = [
        Migration(1, "one", "CREATE TABLE one (x TEXT);\n"),
        Migration(3, "bad", "CREATE TABLE three (x TEXT);\nTHIS IS NOT SQL;\n"),
    ]
    options = PgOptions.from_url(pg_schemas.schema_url(schema))
    async with asyncio_loop() as loop:
        store = await PostgresStore.connect(options, loop, migrations=steps)
        try:
            assert await store.pending_migrations() == [1, 3]
            with pytest.raises(StoreError, match="syntax error"):
                await store.migrate()
            assert await store.pending_migrations() == [3]
            fixed = PostgresStore(store._db, [steps[0], Migration(3, "fixed", "CREATE TABLE three (x TEXT);\n")])
            assert await fixed.migrate() == [3]  # "three" was rolled back, so creating it again works
            assert await fixed.pending_migrations() == []
        finally:
            await store.aclose()


@pytest.mark.postgres
async def test_the_schema_keeps_the_tables(schema: Path, tmp_path: Path) -> None:
    async with open_store(pg_schemas.schema_url(schema), migrate=True) as store:
        assert isinstance(store, PostgresStore)

        async def where(conn: object) -> tuple[str, list[str]]:
            sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            names = sorted(r[0] for r in await conn.fetch(sql))  # type: ignore[attr-defined]
            return await conn.fetchval("SELECT current_schema()"), names  # type: ignore[attr-defined]

        current, tables = await store._db.run(where)
    assert current == pg_schemas.schema_name(tmp_path)
    expected = {"schema_migrations", "users", "refresh_tokens", "sessions", "session_players", "games"}
    assert tables == sorted(
        expected | {"game_actions", "player_stats", "admin_audit", "player_ratings", "rating_history"}
    )


@pytest.mark.postgres
async def test_times_are_utc_whatever_the_session_time_zone(schema: Path) -> None:
    async with open_store(pg_schemas.schema_url(schema, timezone="Asia/Kolkata"), migrate=True) as store:
        await store.create_user(_user(1))
        stored = await store.get_user("u1")
    assert stored is not None
    assert stored.created_at == T0
    assert stored.created_at.tzinfo is UTC


@pytest.mark.postgres
async def test_aclose_completes_even_when_cancelled(schema: Path) -> None:
    async with open_store(pg_schemas.schema_url(schema)) as store:
        with trio.CancelScope() as scope:
            scope.cancel()
            await store.aclose()
        with pytest.raises(StoreUnavailableError, match="closed"):
            await store.migrate()


@pytest.mark.postgres
async def test_open_store_uses_the_callers_asyncio_loop_or_its_own(schema: Path) -> None:
    url = pg_schemas.schema_url(schema)
    assert trio_asyncio.current_loop.get() is None
    async with open_postgres_store(url) as own:
        assert own._db._loop is not None
        await own.ping()
    assert own._db._loop.is_closed()  # it lived as long as the store
    async with trio_asyncio.open_loop() as loop, open_postgres_store(url) as shared:
        assert shared._db._loop is loop
        await shared.ping()
    with pytest.raises(StoreUnavailableError):
        await shared.ping()


@pytest.mark.postgres
async def test_a_store_serves_tasks_that_do_not_see_its_loop(schema: Path) -> None:
    ready, done = trio.Event(), trio.Event()
    box: list[PostgresStore] = []

    async def owner() -> None:
        async with open_postgres_store(pg_schemas.schema_url(schema)) as store:
            box.append(store)
            ready.set()
            await done.wait()

    async with trio.open_nursery() as nursery:  # opened before the loop: its tasks lack current_loop
        nursery.start_soon(owner)
        await ready.wait()
        assert trio_asyncio.current_loop.get() is None
        await box[0].ping()
        done.set()


@pytest.mark.postgres
async def test_errors_of_the_block_come_out_unwrapped(schema: Path) -> None:
    url = pg_schemas.schema_url(schema)
    with pytest.raises(KeyError, match="mine"):
        async with open_store(url):
            raise KeyError("mine")
    with trio.move_on_after(0.05) as scope:
        async with open_store(url):
            await trio.sleep_forever()
    assert scope.cancelled_caught


@pytest.mark.postgres
async def test_duplicate_error_chains_the_driver_error(schema: Path) -> None:
    async with open_store(pg_schemas.schema_url(schema), migrate=True) as store:
        await store.create_user(_user(1))
        with pytest.raises(DuplicateError) as caught:
            await store.create_user(_user(1))
    assert caught.value.field == "email"  # all three clash; reported like SQLite: email, username, then id
    assert isinstance(caught.value.__cause__, asyncpg.UniqueViolationError)


@pytest.mark.postgres
async def test_concurrent_recordings_neither_deadlock_nor_double_count(schema: Path) -> None:
    async with open_store(pg_schemas.schema_url(schema, pool_max_size=6), migrate=True) as store:
        await table(store)
        games = [game(n, ("alice", "bob", "carol") if n % 2 else ("bob", "alice"), loser="alice") for n in range(1, 7)]
        async with trio.open_nursery() as nursery:
            for recorded in games + games:  # each game twice, all at once: the retries must be no-ops
                nursery.start_soon(store.record_game, recorded)
        alice, bob = await store.get_stats("u1"), await store.get_stats("u2")
        assert [g.id for g in await store.list_games("s1")] == [g.id for g in games]
    assert (alice.total_games, alice.losses, bob.total_games, bob.wins) == (6, 6, 6, 6)
