"""deploy/scripts/export.sh and import.sh, run for real: pg_dump, gzip and psql against throwaway databases.

The source database is filled through the server's own store (migrations and records), so what is compared
after the round trip is our real schema and data: every table row for row, and the same reads through the
store. The S3 upload is exercised with a stand-in ``aws`` command that keeps the "bucket" in a directory:
the AWS CLI is not ours to test, only what the script asks of it.
"""

from __future__ import annotations

import gzip
import os
import re
import secrets
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import trio

from checkgame.store import open_store
from checkgame.store.base import GameResult, RefreshToken, SessionPlayer, SessionRecord, Store, User
from tests.support.services import require

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SCRIPTS = Path(__file__).resolve().parents[2] / "deploy" / "scripts"
BACKUP_NAME = re.compile(r"^backup_\d{8}_\d{6}\.sql\.gz$")
T0 = datetime(2026, 5, 1, 18, 30, tzinfo=UTC)


def database_url(server_url: str, name: str) -> str:
    """``server_url`` pointing at database ``name``, without query parameters (libpq takes the URL as is)."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}", query=""))


def psql(url: str, sql: str) -> str:
    result = subprocess.run(
        ["psql", f"--dbname={url}", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-tA", "-c", sql],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@dataclass(frozen=True)
class Databases:
    source: str
    target: str


@pytest.fixture
def databases() -> Iterator[Databases]:
    """Two empty databases on the test server, dropped afterwards."""
    server = require("postgres")
    token = secrets.token_hex(4)
    names = (f"ops_backup_{token}_src", f"ops_backup_{token}_dst")
    for name in names:
        psql(database_url(server, "postgres"), f'CREATE DATABASE "{name}"')
    try:
        yield Databases(database_url(server, names[0]), database_url(server, names[1]))
    finally:
        for name in names:
            psql(database_url(server, "postgres"), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def fill(store: Store) -> None:
    """A finished tournament: accounts, a refresh token, a session with a guest, a game with its actions."""
    ann = User("u-ann", "Ann", "ann@example.org", "argon2$ann", "admin", T0)
    bob = User("u-bob", "Bob", "bob@example.org", "argon2$bob", "player", T0 + timedelta(minutes=1))
    for user in (ann, bob):
        await store.create_user(user)
    await store.add_refresh_token(RefreshToken("jti-1", ann.id, "family-1", T0 + timedelta(days=30)))
    await store.create_session(SessionRecord("s-1", "KX42PQ", "Vendredi à Douala", ann.id, 4, False, "waiting", T0))
    seats = [("p-ann", ann.id), ("p-bob", bob.id), ("p-guest", None)]
    for seat, (player_id, user_id) in enumerate(seats):
        await store.add_session_player(
            SessionPlayer("s-1", player_id, player_id[2:].title(), seat, user_id, T0 + timedelta(seconds=seat))
        )
    await store.set_session_status("s-1", "playing")
    players = tuple(player_id for player_id, _ in seats)
    actions = tuple(
        {"seat": i % 3, "type": "play", "card": {"suit": "hearts", "rank": str(i + 2)}, "note": "é ♥"} for i in range(5)
    )
    await store.record_game(
        GameResult(
            "g-1", "s-1", 1, 2**62 + 7, 5, players, "p-ann", T0, T0 + timedelta(minutes=4), "p-guest",
            ("p-ann", "p-bob", "p-guest"), "last_player", actions,
        )
    )  # fmt: skip
    await store.record_tournament("s-1", ("p-ann", "p-bob", "p-guest"), T0 + timedelta(minutes=5))


async def read_back(store: Store) -> object:
    """What the server would show from this database."""
    return (
        await store.pending_migrations(),
        await store.get_user("u-ann"),
        await store.find_user("bob@example.org"),
        await store.get_session("s-1"),
        await store.list_session_players("s-1"),
        await store.list_games("s-1"),
        await store.get_game("g-1"),
        await store.get_stats("u-ann"),
        await store.get_stats("u-bob"),
    )


def table_contents(url: str) -> dict[str, list[str]]:
    """Every table of the public schema, its rows as COPY text lines, sorted."""
    tables = psql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").split()
    return {table: sorted(psql(url, f'COPY public."{table}" TO STDOUT').splitlines()) for table in tables}


async def run_script(name: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("BACKUP_", "RESTORE_"))}
    environment.pop("DATABASE_URL", None)
    return await trio.run_process(
        ["bash", str(SCRIPTS / name), *args],
        env={**environment, **env},
        capture_stdout=True,
        capture_stderr=True,
        check=False,
    )


@pytest.fixture
async def filled(databases: Databases) -> Databases:
    async with open_store(databases.source, migrate=True) as store:
        await fill(store)
    return databases


def names_in(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def the_backup_in(directory: Path) -> Path:
    """The one file export.sh wrote in ``directory``."""
    (backup,) = directory.glob("backup_*.sql.gz")
    return backup


async def test_a_backup_restores_into_an_empty_database_with_every_row(filled: Databases, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    made = await run_script("export.sh", env={"BACKUP_DATABASE_URL": filled.source, "BACKUP_DIR": str(backups)})
    assert made.returncode == 0, made.stderr.decode()
    backup = the_backup_in(backups)
    assert names_in(backups) == [backup.name]
    assert BACKUP_NAME.match(backup.name)
    assert b"CREATE TABLE public.games" in gzip.decompress(backup.read_bytes())

    restored = await run_script("import.sh", "--yes", str(backup), env={"RESTORE_DATABASE_URL": filled.target})
    assert restored.returncode == 0, restored.stderr.decode()
    assert "import: rows in games 1" in restored.stdout.decode()

    source_rows = table_contents(filled.source)
    assert {"users", "sessions", "session_players", "games", "player_stats", "schema_migrations"} <= set(source_rows)
    assert all(source_rows[table] for table in ("users", "games", "player_stats", "refresh_tokens"))
    assert table_contents(filled.target) == source_rows

    async with open_store(filled.source) as source, open_store(filled.target) as target:
        assert await read_back(target) == await read_back(source)
        game = await target.get_game("g-1")
        assert game is not None
        assert game.actions[0]["note"] == "é ♥"


async def test_restoring_again_over_the_restored_database_gives_the_same_data(
    filled: Databases, tmp_path: Path
) -> None:
    env = {"BACKUP_DATABASE_URL": filled.source, "BACKUP_DIR": str(tmp_path)}
    assert (await run_script("export.sh", env=env)).returncode == 0
    backup = the_backup_in(tmp_path)
    for _ in range(2):  # --clean --if-exists: the second run replaces what the first created
        restored = await run_script("import.sh", "--yes", str(backup), env={"RESTORE_DATABASE_URL": filled.target})
        assert restored.returncode == 0, restored.stderr.decode()
    assert table_contents(filled.target) == table_contents(filled.source)


async def test_local_backups_older_than_the_retention_are_deleted(filled: Databases, tmp_path: Path) -> None:
    now = time.time()
    expired = tmp_path / "backup_20260101_000000.sql.gz"
    kept = tmp_path / "backup_20260420_000000.sql.gz"
    unrelated = tmp_path / "notes.txt"
    for path, age_days in ((expired, 8), (kept, 6), (unrelated, 30)):
        path.write_bytes(gzip.compress(b"-- old\n"))
        os.utime(path, (now - age_days * 86400, now - age_days * 86400))

    made = await run_script(
        "export.sh",
        env={"BACKUP_DATABASE_URL": filled.source, "BACKUP_DIR": str(tmp_path), "BACKUP_RETENTION_DAYS": "7"},
    )
    assert made.returncode == 0, made.stderr.decode()
    assert f"removed expired {expired}" in made.stdout.decode()
    names = names_in(tmp_path)
    assert expired.name not in names
    assert kept.name in names
    assert unrelated.name in names
    assert len([name for name in names if BACKUP_NAME.match(name)]) == 2


FAKE_AWS = """#!/usr/bin/env bash
# Stand-in for the aws CLI: `s3 cp|ls|rm` on a directory ($FAKE_S3_ROOT/<bucket>/<key>); logs each call.
set -euo pipefail
echo "$*" >> "$FAKE_S3_ROOT/calls.log"
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --endpoint-url) shift 2 ;;
        --only-show-errors) shift ;;
        *) args+=("$1"); shift ;;
    esac
done
path() { echo "$FAKE_S3_ROOT/${1#s3://}"; }
case "${args[1]}" in
    cp) if [[ "${args[2]}" == s3://* ]]; then cp "$(path "${args[2]}")" "${args[3]}";
        else mkdir -p "$(dirname "$(path "${args[3]}")")"; cp "${args[2]}" "$(path "${args[3]}")"; fi ;;
    ls) for f in "$(path "${args[2]}")"*; do
            [ -f "$f" ] && echo "2026-05-01 00:00:00 $(wc -c <"$f") $(basename "$f")"
        done ;;
    rm) rm "$(path "${args[2]}")" ;;
    *) exit 2 ;;
esac
"""


async def test_with_s3_configured_the_backup_is_uploaded_and_only_the_newest_are_kept(
    filled: Databases, tmp_path: Path
) -> None:
    bin_dir, bucket_root = tmp_path / "bin", tmp_path / "s3"
    bin_dir.mkdir()
    (bucket_root / "checkgame-backups" / "database").mkdir(parents=True)
    aws = bin_dir / "aws"
    aws.write_text(FAKE_AWS)
    aws.chmod(aws.stat().st_mode | stat.S_IXUSR)
    prefix = bucket_root / "checkgame-backups" / "database"
    for day in ("01", "02", "03"):
        (prefix / f"backup_202604{day}_000000.sql.gz").write_bytes(gzip.compress(b"-- old\n"))
    env = {
        "BACKUP_DATABASE_URL": filled.source,
        "BACKUP_DIR": str(tmp_path / "local"),
        "BACKUP_S3_URI": "s3://checkgame-backups/database",
        "BACKUP_S3_ENDPOINT_URL": "http://minio.internal:9000",
        "BACKUP_S3_KEEP": "2",
        "FAKE_S3_ROOT": str(bucket_root),
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
    }
    made = await run_script("export.sh", env=env)
    assert made.returncode == 0, made.stderr.decode()

    local = the_backup_in(tmp_path / "local")
    remaining = names_in(prefix)
    assert remaining == ["backup_20260403_000000.sql.gz", local.name]
    assert (prefix / local.name).read_bytes() == local.read_bytes()
    calls = (bucket_root / "calls.log").read_text().splitlines()
    assert all(call.startswith("--endpoint-url http://minio.internal:9000 s3 ") for call in calls)

    restored = await run_script(
        "import.sh",
        "--yes",
        f"s3://checkgame-backups/database/{local.name}",
        env={**env, "RESTORE_DATABASE_URL": filled.target},
    )
    assert restored.returncode == 0, restored.stderr.decode()
    assert table_contents(filled.target) == table_contents(filled.source)


async def test_backup_without_a_database_fails_and_writes_nothing(tmp_path: Path) -> None:
    made = await run_script("export.sh", env={"BACKUP_DIR": str(tmp_path / "b")})
    assert made.returncode == 1
    assert b"set BACKUP_DATABASE_URL" in made.stderr
    assert not (tmp_path / "b").exists()


async def test_a_failed_dump_leaves_no_backup_behind(databases: Databases, tmp_path: Path) -> None:
    missing = database_url(databases.source, "ops_backup_no_such_database")
    made = await run_script("export.sh", env={"BACKUP_DATABASE_URL": missing, "BACKUP_DIR": str(tmp_path)})
    assert made.returncode != 0
    assert b"does not exist" in made.stderr
    assert names_in(tmp_path) == []


async def test_restore_refuses_without_yes_or_with_a_damaged_file_and_changes_nothing(
    filled: Databases, tmp_path: Path
) -> None:
    env = {"BACKUP_DATABASE_URL": filled.source, "BACKUP_DIR": str(tmp_path)}
    assert (await run_script("export.sh", env=env)).returncode == 0
    backup = the_backup_in(tmp_path)
    target = {"RESTORE_DATABASE_URL": filled.target}

    unconfirmed = await run_script("import.sh", str(backup), env=target)
    assert unconfirmed.returncode == 1
    assert b"usage: RESTORE_DATABASE_URL=" in unconfirmed.stderr

    damaged = tmp_path / "damaged.sql.gz"
    damaged.write_bytes(backup.read_bytes()[:-40])
    refused = await run_script("import.sh", "--yes", str(damaged), env=target)
    assert refused.returncode == 1
    assert b"is not a complete gzip file" in refused.stderr

    no_target = await run_script("import.sh", "--yes", str(backup), env={})
    assert no_target.returncode == 1
    assert b"set RESTORE_DATABASE_URL" in no_target.stderr
    assert table_contents(filled.target) == {}


async def test_a_dump_that_fails_midway_is_rolled_back_entirely(filled: Databases, tmp_path: Path) -> None:
    env = {"BACKUP_DATABASE_URL": filled.source, "BACKUP_DIR": str(tmp_path)}
    assert (await run_script("export.sh", env=env)).returncode == 0
    backup = the_backup_in(tmp_path)
    sql = gzip.decompress(backup.read_bytes()).decode()
    broken = tmp_path / "broken.sql.gz"
    cut = sql.index("COPY public.games")  # complete gzip, but SQL that fails after the tables were created
    broken.write_bytes(gzip.compress((sql[:cut] + "SELECT no_such_function();\n" + sql[cut:]).encode()))

    refused = await run_script("import.sh", "--yes", str(broken), env={"RESTORE_DATABASE_URL": filled.target})
    assert refused.returncode != 0
    assert b"no_such_function" in refused.stderr
    assert table_contents(filled.target) == {}
