"""What only the SQLite backend promises: URLs, files, WAL, error translation, the migration runner.

The behaviour every backend shares is in ``test_store_contract.py``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import trio

import checkgame.store
from checkgame.errors import DuplicateError, StoreError, StoreUnavailableError
from checkgame.store import base, open_store
from checkgame.store._sqlite_conn import split_statements, translate
from checkgame.store.migrate import Migration, load_migrations, pending_versions
from checkgame.store.sqlite import MEMORY, SqliteStore, open_sqlite_store, sqlite_path_from_url


def test_package_exports_the_interface_and_open_store() -> None:
    assert checkgame.store.__all__ == sorted([*base.__all__, "open_store"])
    for name in checkgame.store.__all__:
        assert getattr(checkgame.store, name) is not None


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite://", MEMORY),
        ("sqlite:///:memory:", MEMORY),
        ("SQLite:///:memory:", MEMORY),
        ("sqlite:///data/checkgame.db", "data/checkgame.db"),
        ("sqlite:////var/lib/checkgame.db", "/var/lib/checkgame.db"),
    ],
)
def test_sqlite_urls(url: str, path: str) -> None:
    assert sqlite_path_from_url(url) == path


@pytest.mark.parametrize("url", ["sqlite://host/x.db", "sqlite:///x.db?mode=ro", "postgresql://h/db", "x.db"])
def test_malformed_sqlite_urls(url: str) -> None:
    with pytest.raises(ValueError, match="sqlite"):
        sqlite_path_from_url(url)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://admin:s3cret@db/checkgame?pool_max_size=lots", "pool_max_size must be a number"),
        ("mysql://admin:s3cret@db/checkgame", "unsupported store URL scheme 'mysql'"),
        ("checkgame.db", "looks like"),
    ],
)
async def test_open_store_refuses_other_urls_without_echoing_them(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        async with open_store(url):
            pass  # pragma: no cover - never entered
    assert "s3cret" not in str(caught.value)


async def test_relative_path_creates_directories_and_uses_wal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    async with open_store("sqlite:///nested/dir/checkgame.db", migrate=True) as store:
        await store.ping()
    file = tmp_path / "nested" / "dir" / "checkgame.db"
    conn = sqlite3.connect(file)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()
    expected = {"schema_migrations", "users", "refresh_tokens", "sessions", "session_players", "games", "game_actions"}
    assert tables >= expected | {"player_stats"}


async def test_a_new_database_and_its_directory_are_owner_only(tmp_path: Path) -> None:
    """Emails and password hashes are in it: 0600 for the file, its WAL and shared memory; 0700 for a new directory."""
    async with open_store(f"sqlite:///{tmp_path / 'data' / 'checkgame.db'}", migrate=True) as store:
        await store.ping()
        files = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "data").iterdir()}
    assert files == {"checkgame.db": 0o600, "checkgame.db-wal": 0o600, "checkgame.db-shm": 0o600}
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700


async def test_a_file_in_place_of_a_directory_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("not a directory")
    with pytest.raises(StoreUnavailableError, match="directory"):
        await SqliteStore.connect(str(tmp_path / "blocker" / "checkgame.db"))


async def test_a_directory_in_place_of_the_file_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailableError) as caught:
        await SqliteStore.connect(str(tmp_path))
    assert not isinstance(caught.value, sqlite3.Error)
    assert isinstance(caught.value.__cause__, sqlite3.OperationalError)


async def test_a_file_that_is_not_a_database_is_unavailable(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not SQLite " * 300)
    with pytest.raises(StoreUnavailableError, match="not a database"):
        async with open_store(f"sqlite:///{garbage}"):
            pass  # pragma: no cover - never entered


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (sqlite3.IntegrityError("UNIQUE constraint failed: users.email_key"), DuplicateError),
        (sqlite3.IntegrityError("FOREIGN KEY constraint failed"), StoreError),
        (sqlite3.IntegrityError("UNIQUE constraint failed: mystery.column"), StoreError),
        (sqlite3.OperationalError("no such table: users"), StoreError),
        (sqlite3.ProgrammingError("Cannot operate on a closed database."), StoreError),
    ],
)
def test_translate(error: sqlite3.Error, expected: type[Exception]) -> None:
    translated = translate(error)
    assert type(translated) is expected


async def test_unmigrated_tables_are_a_store_error_not_a_driver_error() -> None:
    async with open_sqlite_store(MEMORY) as store:
        with pytest.raises(StoreError, match="no such table") as caught:
            await store.get_user("u1")
        assert not isinstance(caught.value, StoreUnavailableError)


async def test_ping_fails_as_unavailable_on_a_broken_connection() -> None:
    async with open_sqlite_store(MEMORY) as store:
        await store.ping()
        await store.aclose()
        with pytest.raises(StoreUnavailableError, match="closed"):
            await store.ping()


async def test_aclose_completes_even_when_cancelled() -> None:
    async with open_sqlite_store(MEMORY) as store:
        with trio.CancelScope() as scope:
            scope.cancel()
            await store.aclose()
        with pytest.raises(StoreUnavailableError):
            await store.migrate()


async def test_two_connections_migrating_one_file_apply_each_version_once(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    results: list[list[int]] = []

    async def migrate_once() -> None:
        async with open_sqlite_store(path) as store:
            results.append(await store.migrate())

    async with trio.open_nursery() as nursery:
        nursery.start_soon(migrate_once)
        nursery.start_soon(migrate_once)
    applied = sorted(version for result in results for version in result)
    assert applied == [m.version for m in load_migrations()]  # each once, whichever connection applied it


# -- the migration runner


def test_shipped_migrations_are_numbered_from_one_and_ordered() -> None:
    migrations = load_migrations()
    versions = [m.version for m in migrations]
    assert versions[0] == 1
    assert versions == sorted(set(versions))
    assert migrations[0].name == "initial"
    assert "CREATE TABLE users" in migrations[0].sql
    assert pending_versions(migrations, [1, 99]) == versions[1:]


def _migrations_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, files: dict[str, str]) -> str:
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    for file_name, sql in files.items():
        (package / file_name).write_text(sql)
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def test_load_migrations_orders_by_number_and_ignores_other_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {"0010_later.sql": "B;", "0002_first.sql": "A;", "README.md": "", "0003_Bad-Name.sql": ""}
    package = _migrations_package(tmp_path, monkeypatch, "migs_ok", files)
    assert load_migrations(package) == [Migration(2, "first", "A;"), Migration(10, "later", "B;")]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"0000_zero.sql": ""}, "start at 1"),
        ({"0001_one.sql": "", "00001_again.sql": ""}, "appears twice"),
    ],
)
def test_load_migrations_refuses_bad_numbering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], message: str
) -> None:
    package = _migrations_package(tmp_path, monkeypatch, f"migs_bad_{len(files)}", files)
    with pytest.raises(ValueError, match=message):
        load_migrations(package)


def test_split_statements() -> None:
    sql = "-- header\nCREATE TABLE a (x TEXT DEFAULT ';');\nCREATE TABLE b (\n  y INTEGER\n);\n-- trailing comment\n"
    assert [s.strip().splitlines()[-1] for s in split_statements(sql)] == ["CREATE TABLE a (x TEXT DEFAULT ';');", ");"]
    with pytest.raises(StoreError, match="incomplete"):
        list(split_statements("CREATE TABLE c (z TEXT)\n"))


async def test_a_failing_migration_rolls_back_and_keeps_earlier_ones() -> None:
    steps = [
        Migration(1, "one", "CREATE TABLE one (x TEXT);\n"),
        Migration(3, "bad", "CREATE TABLE three (x TEXT);\nTHIS IS NOT SQL;\n"),
    ]
    store = await SqliteStore.connect(MEMORY, migrations=steps)
    try:
        assert await store.pending_migrations() == [1, 3]
        with pytest.raises(StoreError, match="syntax error"):
            await store.migrate()
        assert await store.pending_migrations() == [3]
        fixed = SqliteStore(store._db, [steps[0], Migration(3, "fixed", "CREATE TABLE three (x TEXT);\n")])
        assert await fixed.migrate() == [3]  # "three" was rolled back, so creating it again works
        assert await fixed.pending_migrations() == []
    finally:
        await store.aclose()


async def test_migration_4_recounts_wins_as_first_places(tmp_path: Path) -> None:
    """A database from before 0004 counted every place but the last as a win; migrating recounts them."""
    from tests.contract.test_store_contract import game, table

    url = f"sqlite:///{tmp_path / 'old.db'}"
    async with open_store(url, migrate=True) as store:
        await table(store)
        await store.record_game(game(1, ("alice", "bob", "carol"), loser="carol"))  # bob second
    with sqlite3.connect(tmp_path / "old.db") as conn:  # what the old code had counted
        conn.execute("UPDATE player_stats SET wins = total_games - losses")
        conn.execute("DELETE FROM schema_migrations WHERE version = 4")
    conn.close()
    async with open_store(url) as store:
        assert (await store.get_stats("u2")).wins == 1
        assert await store.migrate() == [4]
        assert (await store.get_stats("u1")).wins == 1
        assert (await store.get_stats("u2")).wins == 0
        assert (await store.get_stats("u2")).placements == (0, 1)
