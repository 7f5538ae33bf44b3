"""The :class:`~checkgame.store.base.Store` contract, run once per backend.

Every test gets a fresh, migrated, empty store from the ``store`` fixture. Adding a backend
means adding one entry to :data:`BACKENDS`; a backend that needs a service is gated by a
mark, e.g. ``Backend("postgres", url=..., persistent=True, marks=(pytest.mark.postgres,))``,
and its ``url`` must hand each test an empty database (PostgreSQL: a fresh schema per test,
dropped by the backend's ``cleanup`` when the test ends; see ``pg_schemas.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import trio

from checkgame.errors import DuplicateError, NotFoundError, StoreUnavailableError
from checkgame.store import open_store
from checkgame.store.base import (
    AuditEntry,
    GameResult,
    PlayedSession,
    PlayerStats,
    RefreshToken,
    SessionPlayer,
    SessionRecord,
    Store,
    User,
)
from checkgame.store.migrate import load_migrations
from tests.contract import pg_bouncer_dbs, pg_schemas


@dataclass(frozen=True)
class Backend:
    """How to reach one backend from a test."""

    name: str
    url: Callable[[Path], str]
    """The store URL, given the test's ``tmp_path``."""
    persistent: bool
    """Whether data survives closing and reopening the same URL."""
    marks: tuple[pytest.MarkDecorator, ...] = ()
    cleanup: Callable[[Path], Awaitable[None]] | None = None
    """Run after each test with its ``tmp_path``, to remove what ``url`` made outside it."""
    fixture: str | None = None
    """A fixture the backend needs running first (a server the tests start)."""


BACKENDS = [
    Backend("sqlite-file", lambda tmp: f"sqlite:///{tmp / 'data' / 'store.db'}", persistent=True),
    Backend("sqlite-memory", lambda tmp: "sqlite:///:memory:", persistent=False),
    Backend(
        "postgres",
        pg_schemas.schema_url,
        persistent=True,
        marks=(pytest.mark.postgres,),
        cleanup=pg_schemas.drop_schema,
    ),
    Backend(
        "postgres-via-pgbouncer",
        pg_bouncer_dbs.database_url,
        persistent=True,
        marks=(pytest.mark.postgres, pytest.mark.slow),
        fixture="pgbouncer_backend",
    ),
]

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ALL_VERSIONS = [m.version for m in load_migrations()]


def _params(backends: list[Backend]) -> list[object]:
    return [pytest.param(b, id=b.name, marks=b.marks) for b in backends]


@pytest.fixture(params=_params(BACKENDS))
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    chosen: Backend = request.param
    if chosen.fixture is not None:
        request.getfixturevalue(chosen.fixture)
    yield chosen
    if chosen.cleanup is not None:
        await chosen.cleanup(tmp_path)


@pytest.fixture(params=_params([b for b in BACKENDS if b.persistent]))
async def persistent_backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    chosen: Backend = request.param
    if chosen.fixture is not None:
        request.getfixturevalue(chosen.fixture)
    yield chosen
    if chosen.cleanup is not None:
        await chosen.cleanup(tmp_path)


@pytest.fixture
async def store(backend: Backend, tmp_path: Path) -> AsyncIterator[Store]:
    async with open_store(backend.url(tmp_path), migrate=True) as opened:
        yield opened


# -- builders: a valid record, overridable field by field


def user(n: int = 1, **changes: object) -> User:
    made = User(f"u{n}", f"User{n}", f"user{n}@example.org", "argon2$hash", "player", T0 + timedelta(minutes=n))
    return replace(made, **changes)  # type: ignore[arg-type]


def session(n: int = 1, **changes: object) -> SessionRecord:
    made = SessionRecord(f"s{n}", f"CODE{n:02d}", f"Table {n}", "u1", 4, False, "waiting", T0 + timedelta(hours=n))
    return replace(made, **changes)  # type: ignore[arg-type]


def seat(session_id: str, player_id: str, seat_no: int, user_id: str | None) -> SessionPlayer:
    return SessionPlayer(session_id, player_id, player_id.title(), seat_no, user_id, T0 + timedelta(seconds=seat_no))


def game(n: int, players: tuple[str, ...], loser: str, **changes: object) -> GameResult:
    placements = (*[p for p in players if p != loser], loser)
    actions = tuple(
        {"seat": i % len(players), "type": "play_card", "card": {"suit": "hearts", "rank": str(i)}} for i in range(3)
    )
    made = GameResult(
        f"g{n}",
        "s1",
        n,
        2**63 - n,
        4,
        players,
        players[0],
        T0,
        T0 + timedelta(minutes=9),
        loser,
        placements,
        "last_card",
        actions,
    )
    return replace(made, **changes)  # type: ignore[arg-type]


async def table(store: Store, guests: tuple[str, ...] = ("carol",)) -> None:
    """Users u1, u2; session s1 seating alice (u1), bob (u2) and the given guests."""
    await store.create_user(user(1))
    await store.create_user(user(2))
    await store.create_session(session(1))
    await store.add_session_player(seat("s1", "alice", 0, "u1"))
    await store.add_session_player(seat("s1", "bob", 1, "u2"))
    for i, guest in enumerate(guests, start=2):
        await store.add_session_player(seat("s1", guest, i, None))


# -- lifecycle


async def test_a_migrated_store_has_nothing_pending(store: Store) -> None:
    assert ALL_VERSIONS[0] == 1
    assert await store.pending_migrations() == []
    assert await store.migrate() == []
    await store.ping()


async def test_migrate_applies_every_version_once(backend: Backend, tmp_path: Path) -> None:
    async with open_store(backend.url(tmp_path)) as fresh:
        assert await fresh.pending_migrations() == ALL_VERSIONS
        assert await fresh.migrate() == ALL_VERSIONS
        assert await fresh.pending_migrations() == []
        assert await fresh.migrate() == []


async def test_data_survives_reopening(persistent_backend: Backend, tmp_path: Path) -> None:
    url = persistent_backend.url(tmp_path)
    async with open_store(url, migrate=True) as first:
        await first.create_user(user(1))
    async with open_store(url) as second:
        assert await second.pending_migrations() == []
        assert await second.migrate() == []
        assert await second.get_user("u1") == user(1)


async def test_a_closed_store_is_unavailable(backend: Backend, tmp_path: Path) -> None:
    async with open_store(backend.url(tmp_path), migrate=True) as opened:
        await opened.aclose()
        await opened.aclose()  # idempotent
        with pytest.raises(StoreUnavailableError):
            await opened.get_user("u1")
        with pytest.raises(StoreUnavailableError):
            await opened.ping()


# -- users


async def test_user_round_trip_and_unknown_user(store: Store) -> None:
    await store.create_user(user(1))
    assert await store.get_user("u1") == user(1)
    assert await store.get_user("nobody") is None


@pytest.mark.parametrize(
    ("clash", "field"),
    [
        ({"id": "u9", "username": "USER1", "email": "other@example.org"}, "username"),
        ({"id": "u9", "email": "User1@Example.ORG"}, "email"),
        ({"username": "other", "email": "other@example.org"}, "id"),
    ],
)
async def test_create_user_refuses_duplicates(store: Store, clash: dict[str, object], field: str) -> None:
    await store.create_user(user(1))
    with pytest.raises(DuplicateError) as caught:
        await store.create_user(user(1, **clash))
    assert caught.value.field == field
    assert caught.value.code == f"DUPLICATE_{field.upper()}"
    assert (await store.list_users(limit=10, offset=0))[1] == 1


async def test_find_user_by_username_or_email_ignoring_case(store: Store) -> None:
    await store.create_user(user(1, username="Émile", email="Emile@Example.org"))
    for login in ("Émile", "émile", "ÉMILE", "emile@example.org", "EMILE@EXAMPLE.ORG"):
        found = await store.find_user(login)
        assert found is not None, login
        assert found.id == "u1"
    assert await store.find_user("emile") is None


async def test_update_user_changes_fields_and_keys(store: Store) -> None:
    await store.create_user(user(1))
    updated = await store.update_user("u1", username="Renamed")
    assert updated == user(1, username="Renamed")
    assert await store.get_user("u1") == updated
    assert await store.find_user("user1") is None
    assert await store.find_user("renamed") == updated
    assert await store.update_user("u1", email="NEW@example.org") == replace(updated, email="NEW@example.org")
    assert await store.update_user("u1", username="RENAMED") == replace(
        updated, username="RENAMED", email="NEW@example.org"
    )
    assert await store.update_user("u1") == await store.get_user("u1")


async def test_update_user_errors_change_nothing(store: Store) -> None:
    await store.create_user(user(1))
    await store.create_user(user(2))
    with pytest.raises(NotFoundError):
        await store.update_user("nobody", username="x")
    with pytest.raises(DuplicateError) as caught:
        await store.update_user("u2", username="new", email="USER1@example.org")
    assert caught.value.field == "email"
    assert await store.get_user("u2") == user(2)


async def test_set_role(store: Store) -> None:
    await store.create_user(user(1))
    await store.set_role("u1", "admin")
    assert await store.get_user("u1") == user(1, role="admin")
    with pytest.raises(NotFoundError):
        await store.set_role("nobody", "admin")


async def test_disable_and_enable_an_account(store: Store) -> None:
    await store.create_user(user(1))
    await store.set_disabled("u1", True)
    assert await store.get_user("u1") == user(1, disabled=True)
    assert await store.find_user("User1") == user(1, disabled=True)
    await store.set_disabled("u1", False)
    assert await store.get_user("u1") == user(1)
    with pytest.raises(NotFoundError):
        await store.set_disabled("nobody", True)


async def test_list_users_pages_by_creation_time(store: Store) -> None:
    for n in (3, 1, 5, 2, 4):
        await store.create_user(user(n))
    page, total = await store.list_users(limit=2, offset=0)
    assert ([u.id for u in page], total) == (["u1", "u2"], 5)
    page, total = await store.list_users(limit=2, offset=4)
    assert ([u.id for u in page], total) == (["u5"], 5)
    assert await store.list_users(limit=2, offset=9) == ([], 5)
    with pytest.raises(ValueError, match="limit"):
        await store.list_users(limit=-1, offset=0)


async def test_times_are_aware_utc_in_and_out(store: Store) -> None:
    paris = timezone(timedelta(hours=1))
    await store.create_user(user(1, created_at=datetime(2026, 3, 1, 13, 0, tzinfo=paris)))
    stored = await store.get_user("u1")
    assert stored is not None
    assert stored.created_at == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert stored.created_at.utcoffset() == timedelta(0)
    with pytest.raises(ValueError, match="naive"):
        await store.create_user(user(2, created_at=datetime(2026, 3, 1)))


async def test_many_concurrent_writes_all_land(store: Store) -> None:
    async with trio.open_nursery() as nursery:
        for n in range(20):
            nursery.start_soon(store.create_user, user(n))
    assert (await store.list_users(limit=0, offset=0))[1] == 20


# -- refresh tokens


def token(jti: str, family: str = "f1", user_id: str = "u1") -> RefreshToken:
    return RefreshToken(jti, user_id, family, T0 + timedelta(days=30))


async def test_using_a_refresh_token_shows_the_state_before(store: Store) -> None:
    await store.create_user(user(1))
    await store.add_refresh_token(token("j1"))
    assert await store.use_refresh_token("j1") == token("j1")
    assert await store.use_refresh_token("j1") == replace(token("j1"), used=True)  # the reuse shows
    assert await store.use_refresh_token("unknown") is None


async def test_revoking_a_users_tokens_ends_every_login_of_that_user_only(store: Store) -> None:
    await store.create_user(user(1))
    await store.create_user(user(2))
    for jti, family, owner in (("a1", "fa", "u1"), ("b1", "fb", "u1"), ("c1", "fc", "u2"), ("a0", "fa", "u1")):
        await store.add_refresh_token(token(jti, family, owner))
    await store.use_refresh_token("a0")  # rotated already: not counted again
    assert await store.revoke_user_tokens("u1") == 2
    assert await store.revoke_user_tokens("u1") == 0
    for jti in ("a1", "b1"):
        found = await store.use_refresh_token(jti)
        assert found is not None
        assert found.revoked
    still = await store.use_refresh_token("c1")
    assert still is not None
    assert not still.revoked


async def test_only_one_of_concurrent_uses_sees_a_fresh_token(store: Store) -> None:
    await store.create_user(user(1))
    await store.add_refresh_token(token("j1"))
    seen: list[RefreshToken | None] = []

    async def use() -> None:
        seen.append(await store.use_refresh_token("j1"))

    async with trio.open_nursery() as nursery:
        for _ in range(5):
            nursery.start_soon(use)
    assert sorted(t.used for t in seen if t is not None) == [False, True, True, True, True]


async def test_revoke_family_revokes_that_family_only(store: Store) -> None:
    await store.create_user(user(1))
    for jti, family in (("a1", "fa"), ("a2", "fa"), ("b1", "fb")):
        await store.add_refresh_token(token(jti, family))
    await store.revoke_family("fa")
    await store.revoke_family("no-such-family")
    revoked = {jti: (t.revoked if (t := await store.use_refresh_token(jti)) else None) for jti in ("a1", "a2", "b1")}
    assert revoked == {"a1": True, "a2": True, "b1": False}


async def test_add_refresh_token_errors(store: Store) -> None:
    with pytest.raises(NotFoundError):
        await store.add_refresh_token(token("j1", user_id="nobody"))
    await store.create_user(user(1))
    await store.add_refresh_token(token("j1"))
    with pytest.raises(DuplicateError) as caught:
        await store.add_refresh_token(token("j1", family="other"))
    assert caught.value.field == "jti"


# -- sessions


async def test_session_round_trip_by_id_and_code(store: Store) -> None:
    await store.create_session(session(1, code="Ab3xYz", player_count=7))
    expected = session(1, code="Ab3xYz")  # player_count is derived, never stored
    assert await store.get_session("s1") == expected
    assert await store.get_session_by_code("AB3XYZ") == expected
    assert await store.get_session_by_code("ab3xyz") == expected
    assert await store.get_session("nope") is None
    assert await store.get_session_by_code("ZZZZZZ") is None


async def test_create_session_refuses_duplicates(store: Store) -> None:
    await store.create_session(session(1, code="ABCDEF"))
    with pytest.raises(DuplicateError) as caught:
        await store.create_session(session(2, code="abcdef"))
    assert (caught.value.field, caught.value.code) == ("code", "DUPLICATE_CODE")
    with pytest.raises(DuplicateError) as caught:
        await store.create_session(session(1, code="OTHER1"))
    assert caught.value.field == "id"


async def test_list_sessions_newest_first_with_filters_and_total(store: Store) -> None:
    for n in range(1, 7):  # s1 oldest … s6 newest; even ones private; s5, s6 playing
        status = "playing" if n >= 5 else "waiting"
        await store.create_session(session(n, is_private=n % 2 == 0, status=status))
    await store.create_user(user(1))
    await store.add_session_player(seat("s5", "alice", 0, "u1"))
    await store.add_session_player(seat("s5", "carol", 1, None))

    page, total = await store.list_sessions(status=None, public_only=False, limit=4, offset=0)
    assert ([s.id for s in page], total) == (["s6", "s5", "s4", "s3"], 6)
    page, total = await store.list_sessions(status=None, public_only=False, limit=4, offset=4)
    assert ([s.id for s in page], total) == (["s2", "s1"], 6)
    page, total = await store.list_sessions(status=None, public_only=True, limit=10, offset=0)
    assert ([s.id for s in page], total) == (["s5", "s3", "s1"], 3)
    assert [s.player_count for s in page] == [2, 0, 0]
    page, total = await store.list_sessions(status="playing", public_only=True, limit=10, offset=0)
    assert ([s.id for s in page], total) == (["s5"], 1)
    assert await store.list_sessions(status="finished", public_only=False, limit=10, offset=0) == ([], 0)
    with pytest.raises(ValueError, match="offset"):
        await store.list_sessions(status=None, public_only=False, limit=1, offset=-1)


async def test_set_session_status(store: Store) -> None:
    await store.create_session(session(1))
    await store.set_session_status("s1", "finished", finished_at=T0 + timedelta(days=1), winner_id="alice")
    assert await store.get_session("s1") == session(
        1, status="finished", finished_at=T0 + timedelta(days=1), winner_id="alice"
    )
    await store.set_session_status("s1", "playing")
    assert await store.get_session("s1") == session(1, status="playing")
    with pytest.raises(NotFoundError):
        await store.set_session_status("nope", "playing")


async def test_end_session_finishes_an_unfinished_session_once_saying_why(store: Store) -> None:
    await store.create_session(session(1, status="playing"))
    await store.create_session(session(2, status="finished", finished_at=T0, winner_id="alice"))
    assert await store.end_session("s1", "live_state_lost", T0 + timedelta(hours=1))
    assert await store.get_session("s1") == session(
        1, status="finished", finished_at=T0 + timedelta(hours=1), end_reason="live_state_lost"
    )
    assert not await store.end_session("s1", "ended_by_admin", T0 + timedelta(hours=2))  # another node got there first
    assert (await store.get_session("s1")) == session(
        1, status="finished", finished_at=T0 + timedelta(hours=1), end_reason="live_state_lost"
    )
    assert not await store.end_session("s2", "live_state_lost", T0)  # a won session keeps its winner
    assert await store.get_session("s2") == session(2, status="finished", finished_at=T0, winner_id="alice")
    assert not await store.end_session("nope", "live_state_lost", T0)
    page, _ = await store.list_sessions(status="finished", public_only=False, limit=10, offset=0)
    assert {s.id: s.end_reason for s in page} == {"s1": "live_state_lost", "s2": None}


async def test_session_players_in_seat_order_and_counted(store: Store) -> None:
    await table(store, guests=("carol", "dave"))
    players = await store.list_session_players("s1")
    assert [p.player_id for p in players] == ["alice", "bob", "carol", "dave"]
    assert players[0] == seat("s1", "alice", 0, "u1")
    assert players[3].user_id is None
    found = await store.get_session("s1")
    assert found is not None
    assert found.player_count == 4
    assert await store.list_session_players("nope") == []


async def test_add_session_player_errors(store: Store) -> None:
    await table(store)
    with pytest.raises(DuplicateError) as caught:
        await store.add_session_player(seat("s1", "alice", 5, "u1"))
    assert caught.value.field == "player_id"
    with pytest.raises(NotFoundError) as missing:
        await store.add_session_player(seat("nope", "erin", 0, None))
    assert missing.value.code == "SESSION_NOT_FOUND"
    with pytest.raises(NotFoundError) as missing:
        await store.add_session_player(seat("s1", "erin", 5, "nobody"))
    assert missing.value.code == "USER_NOT_FOUND"
    assert len(await store.list_session_players("s1")) == 3


async def test_remove_session_player_frees_the_seat(store: Store) -> None:
    await table(store, guests=("carol",))
    await store.remove_session_player("s1", "bob")
    await store.remove_session_player("s1", "bob")  # already gone: no-op
    await store.remove_session_player("nope", "bob")
    assert [p.player_id for p in await store.list_session_players("s1")] == ["alice", "carol"]
    found = await store.get_session("s1")
    assert found is not None
    assert found.player_count == 2
    await store.add_session_player(seat("s1", "bob", 3, "u2"))  # and it can be taken again
    assert [p.player_id for p in await store.list_session_players("s1")] == ["alice", "carol", "bob"]


# -- tournaments and games


async def test_record_tournament_ranks_finishes_and_counts(store: Store) -> None:
    await table(store)
    end = T0 + timedelta(hours=3)
    await store.record_tournament("s1", ("bob", "carol", "alice"), end)
    await store.record_tournament("s1", ("alice", "bob", "carol"), end + timedelta(hours=1))  # no-op
    ranks = {p.player_id: p.final_rank for p in await store.list_session_players("s1")}
    assert ranks == {"bob": 1, "carol": 2, "alice": 3}
    assert await store.get_session("s1") == session(
        1, status="finished", finished_at=end, winner_id="bob", player_count=3
    )
    assert await store.get_stats("u2") == PlayerStats("u2", tournaments_played=1, tournaments_won=1)
    assert await store.get_stats("u1") == PlayerStats("u1", tournaments_played=1)


async def test_record_tournament_errors_change_nothing(store: Store) -> None:
    await table(store)
    with pytest.raises(NotFoundError):
        await store.record_tournament("nope", ("alice",), T0)
    with pytest.raises(NotFoundError) as caught:
        await store.record_tournament("s1", ("alice", "stranger"), T0)
    assert caught.value.code == "PLAYER_NOT_FOUND"
    with pytest.raises(ValueError, match="ranking"):
        await store.record_tournament("s1", (), T0)
    with pytest.raises(ValueError, match="ranking"):
        await store.record_tournament("s1", ("alice", "alice"), T0)
    assert all(p.final_rank is None for p in await store.list_session_players("s1"))
    assert await store.get_session("s1") == session(1, player_count=3)
    assert await store.get_stats("u1") == PlayerStats("u1")


async def test_record_game_round_trip(store: Store) -> None:
    await table(store)
    first = game(
        1, ("alice", "bob", "carol"), loser="carol", actions=({"type": "draw", "note": "é ♥", "n": [1, None]},)
    )
    second = game(2, ("alice", "bob"), loser="bob")
    await store.record_game(second)
    await store.record_game(first)
    assert await store.get_game("g1") == first
    assert await store.get_game("g2") == second
    assert await store.get_game("nope") is None
    assert await store.list_games("s1") == [replace(first, actions=()), replace(second, actions=())]
    assert await store.list_games("nope") == []


async def test_record_game_counts_registered_players_once(store: Store) -> None:
    await table(store)
    await store.record_game(game(1, ("alice", "bob", "carol"), loser="carol"))
    await store.record_game(game(2, ("alice", "bob"), loser="alice"))
    await store.record_game(game(2, ("alice", "bob"), loser="alice"))  # a retry: no-op
    alice, bob = await store.get_stats("u1"), await store.get_stats("u2")
    # A win is a first place: Bob's second place in game 1 is neither a win nor a loss.
    assert alice == PlayerStats("u1", total_games=2, wins=1, losses=1, placements=(1, 1))
    assert bob == PlayerStats("u2", total_games=2, wins=1, losses=0, placements=(1, 1))
    assert (alice.win_rate, bob.win_rate) == (0.5, 0.5)
    assert await store.get_stats("nobody") == PlayerStats("nobody")
    assert (await store.get_stats("nobody")).win_rate == 0.0


async def test_record_game_errors(store: Store) -> None:
    await table(store)
    with pytest.raises(NotFoundError):
        await store.record_game(game(1, ("alice", "bob"), loser="bob", session_id="nope"))
    await store.record_game(game(1, ("alice", "bob"), loser="bob"))
    with pytest.raises(DuplicateError) as caught:
        await store.record_game(game(9, ("alice", "bob"), loser="alice", number=1))
    assert caught.value.field == "number"
    with pytest.raises(ValueError, match="naive"):
        await store.record_game(game(2, ("alice", "bob"), loser="bob", started_at=datetime(2026, 1, 1)))
    assert await store.get_stats("u1") == PlayerStats("u1", total_games=1, wins=1, placements=(1,))
    assert [g.id for g in await store.list_games("s1")] == ["g1"]


async def test_a_users_history_lists_their_sessions_newest_first_with_games_and_names(store: Store) -> None:
    await table(store)  # s1: alice (u1), bob (u2), carol (guest)
    await store.create_session(session(2, creator_id="u2"))  # s2, an hour later: bob only
    await store.add_session_player(seat("s2", "bob", 0, "u2"))
    await store.create_session(session(3))  # nobody of ours sat at s3
    first = game(1, ("alice", "bob", "carol"), loser="carol")
    second = game(2, ("alice", "bob"), loser="alice")
    await store.record_game(second)
    await store.record_game(first)
    await store.record_tournament("s1", ("bob", "alice", "carol"), T0 + timedelta(hours=3))
    names = {"alice": "Alice", "bob": "Bob", "carol": "Carol"}

    page, total = await store.list_played_sessions("u2", limit=10, offset=0)
    assert total == 2
    newest, oldest = page
    assert newest == PlayedSession(
        session(2, creator_id="u2", player_count=1), "bob", None, (), {"bob": "Bob"}
    )  # fmt: skip
    assert oldest.session == await store.get_session("s1")
    assert (oldest.player_id, oldest.final_rank, oldest.names) == ("bob", 1, names)
    assert oldest.games == (replace(first, actions=()), replace(second, actions=()))

    assert await store.list_played_sessions("u1", limit=10, offset=0) == (
        [PlayedSession(oldest.session, "alice", 2, oldest.games, names)],
        1,
    )
    second_page, total = await store.list_played_sessions("u2", limit=1, offset=1)
    assert (second_page, total) == ([oldest], 2)
    assert await store.list_played_sessions("u2", limit=1, offset=2) == ([], 2)
    assert await store.list_played_sessions("nobody", limit=10, offset=0) == ([], 0)
    with pytest.raises(ValueError, match="limit"):
        await store.list_played_sessions("u1", limit=-1, offset=0)


async def test_seeds_are_63_bit(store: Store) -> None:
    await table(store)
    await store.record_game(game(1, ("alice", "bob"), loser="bob", seed=2**63 - 1))
    stored = await store.get_game("g1")
    assert stored is not None
    assert stored.seed == 2**63 - 1
    with pytest.raises(ValueError, match="seed"):
        await store.record_game(game(2, ("alice", "bob"), loser="bob", seed=2**63))


# -- the administrators' audit log


def audit(n: int, **changes: object) -> AuditEntry:
    entry = AuditEntry(
        T0 + timedelta(seconds=n), "u1", "Root", "kick", f"session/s{n}", {"playerId": f"p{n}", "reason": "spam ✓"}
    )
    return replace(entry, **changes)  # type: ignore[arg-type]


async def test_audit_entries_are_numbered_and_read_back_newest_first(store: Store) -> None:
    ids = [await store.add_audit(audit(n)) for n in (1, 2, 3)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 3
    latest = await store.list_audit(limit=2)
    assert latest == [replace(audit(3), id=ids[2]), replace(audit(2), id=ids[1])]
    assert await store.list_audit(limit=0) == []


async def test_audit_keeps_nested_details_and_the_time_in_utc(store: Store) -> None:
    paris = timezone(timedelta(hours=1))
    details = {"reason": "cheating", "hands": {"p1": 3}, "flags": [True, None, 1.5]}
    entry = audit(1, at=datetime(2026, 3, 1, 13, 0, 0, 123456, tzinfo=paris), action="reveal", details=details)
    entry_id = await store.add_audit(entry)
    (stored,) = await store.list_audit(limit=10)
    assert stored == replace(entry, id=entry_id)
    assert stored.at.tzinfo == UTC
    assert stored.at == datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)


async def test_audit_order_is_insertion_order_even_for_equal_times(store: Store) -> None:
    for target in ("a", "b", "c"):
        await store.add_audit(audit(1, target=target))
    assert [e.target for e in await store.list_audit(limit=10)] == ["c", "b", "a"]
    with pytest.raises(ValueError, match="limit"):
        await store.list_audit(limit=-1)


# -- ratings


async def test_a_game_rates_its_registered_players_by_placement_once(store: Store) -> None:
    await table(store, guests=("carol",))
    await store.create_user(user(3))
    await store.add_session_player(seat("s1", "dave", 3, "u3"))
    # Placements: alice first, carol (a guest) second, dave third, bob last.
    played = game(1, ("alice", "bob", "carol", "dave"), loser="bob", placements=("alice", "carol", "dave", "bob"))
    rated = await store.record_game(played)
    assert [r.user_id for r in rated] == ["u1", "u2", "u3"]  # the guest is not rated
    assert await store.record_game(played) == ()  # a retried result: not rated again
    alice, bob, dave = [await store.get_rating(u) for u in ("u1", "u2", "u3")]
    assert alice.rating > dave.rating > bob.rating  # winner rises above, loser falls below
    assert (alice.games, bob.games, dave.games) == (1, 1, 1)
    assert alice.updated_at == played.finished_at
    assert list(rated) == [alice, bob, dave]
    start = await store.get_rating("u9")
    assert (start.games, start.updated_at, start.rating) == (0, None, round(start.mu - 3 * start.sigma, 6))
    assert bob.rating < start.rating < alice.rating
    [line] = await store.rating_history("u1", limit=10)
    assert (line.game_id, line.session_id, line.place, line.rated_players) == ("g1", "s1", 1, 3)
    assert (line.rating, line.rated_at) == (alice.rating, played.finished_at)
    assert line.delta == pytest.approx(alice.rating - start.rating, abs=1e-5)
    assert [h.place for u in ("u3", "u2") for h in await store.rating_history(u, limit=10)] == [2, 3]


async def test_a_game_with_one_registered_player_rates_nobody(store: Store) -> None:
    await table(store, guests=("carol", "bot-1"))
    await store.record_game(game(1, ("alice", "carol", "bot-1"), loser="carol"))  # bob was out already
    assert (await store.get_rating("u1")).games == 0
    assert await store.rating_history("u1", limit=5) == []
    assert await store.leaderboard(since=None, limit=10) == []
    assert (await store.get_stats("u1")).total_games == 1  # still counted as a game played


async def test_rating_history_is_newest_first_and_ratings_chain(store: Store) -> None:
    await table(store, guests=())
    for n in range(1, 4):
        finished = T0 + timedelta(hours=n)
        await store.record_game(game(n, ("alice", "bob"), loser="bob", finished_at=finished))
    history = await store.rating_history("u1", limit=10)
    assert [h.game_id for h in history] == ["g3", "g2", "g1"]
    assert all(h.delta > 0 for h in history)
    assert history[0].rating == pytest.approx(history[1].rating + history[0].delta, abs=1e-5)
    assert [h.game_id for h in await store.rating_history("u1", limit=2)] == ["g3", "g2"]
    assert (await store.get_rating("u1")).games == 3
    with pytest.raises(ValueError, match="limit"):
        await store.rating_history("u1", limit=-1)


async def test_leaderboards_all_time_and_since_a_time(store: Store) -> None:
    await table(store, guests=())
    await store.create_user(user(3))
    await store.add_session_player(seat("s1", "dave", 2, "u3"))
    march, april = T0, datetime(2026, 4, 1, tzinfo=UTC)
    await store.record_game(game(1, ("alice", "bob", "dave"), loser="dave", finished_at=march))
    await store.record_game(game(2, ("bob", "dave"), loser="dave", finished_at=april + timedelta(hours=1)))
    await store.record_game(game(3, ("bob", "dave"), loser="bob", finished_at=april + timedelta(hours=2)))
    ratings = {u: (await store.get_rating(u)).rating for u in ("u1", "u2", "u3")}
    best_first = sorted(ratings, key=lambda u: -ratings[u])
    board = await store.leaderboard(since=None, limit=10)
    assert [(e.rank, e.user_id) for e in board] == list(enumerate(best_first, start=1))
    assert [e.username for e in board] == [f"User{u[1]}" for u in best_first]
    assert {e.user_id: e.games for e in board} == {"u1": 1, "u2": 3, "u3": 3}
    assert {e.user_id: e.rating for e in board} == ratings
    month = await store.leaderboard(since=april, limit=10)  # alice has not played since April 1st
    assert [e.user_id for e in month] == [u for u in best_first if u != "u1"]
    assert {e.user_id: e.games for e in month} == {"u2": 2, "u3": 2}
    assert [e.user_id for e in await store.leaderboard(since=None, limit=1)] == best_first[:1]
    await store.set_disabled(best_first[0], True)
    assert [e.user_id for e in await store.leaderboard(since=None, limit=10)] == best_first[1:]


async def test_concurrent_games_of_the_same_players_each_rate_once(store: Store) -> None:
    await table(store, guests=())
    for n in range(2, 7):
        await store.create_session(session(n))
        await store.add_session_player(seat(f"s{n}", "alice", 0, "u1"))
        await store.add_session_player(seat(f"s{n}", "bob", 1, "u2"))
    async with trio.open_nursery() as nursery:
        for n in range(2, 7):
            nursery.start_soon(store.record_game, game(n, ("alice", "bob"), loser="bob", session_id=f"s{n}"))
    alice = await store.get_rating("u1")
    history = await store.rating_history("u1", limit=10)
    assert alice.games == len(history) == 5
    # Each game started from the rating the previous one left: no update was lost to a race.
    assert sum(h.delta for h in history) == pytest.approx(alice.rating - (await store.get_rating("nobody")).rating)
