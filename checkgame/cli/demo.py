"""``checkgame seed-demo``: a development data set, so a first look at the console shows a living server.

Accounts, finished tournaments (played move by move by computer players through the session machine, so their
games replay from their seeds and the statistics add up) go straight into the database, like ``create-admin``.
Open tables live in a running node (its memory, or Redis), so they are opened through the public API of the
server given with ``--url``, by the demo players, with computer players already seated.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from checkgame.cli.failures import DATABASE_STATUSES, EXIT_USAGE, fill, run_reported

if TYPE_CHECKING:
    from checkgame.sessions import SessionState
    from checkgame.sessions.machine import Effect
    from checkgame.store import Store, User

__all__ = ["DEMO_PASSWORD", "PLAYERS", "add_commands"]

DEMO_PASSWORD = "demo password"
"""Every demo account's password (printed: this is a development data set)."""
PLAYERS = ("alice", "bruno", "chloe", "dmitri", "esi")
OPERATOR = "operator"
"""A demo administrator, to try ``checkgame admin`` at once."""
TOURNAMENTS = 4
OPEN_TABLES = (("alice", "Alice's table", 4, 1), ("bruno", "Evening six", 6, 3), ("chloe", "Quick duel", 2, 0))
"""(creator, name, seats, computer players already seated)."""


def _seed_demo(args: argparse.Namespace) -> int:
    from functools import partial

    import trio

    from checkgame.config import Settings, default_data_dir

    def fail(message: str) -> int:
        print(f"checkgame seed-demo: {message}", file=sys.stderr)
        return EXIT_USAGE

    settings = Settings.from_env(database_url=args.database_url)
    if settings.production:
        return fail("refusing to put demo data in a production database (CHECKGAME_PRODUCTION is set)")
    database_url = settings.database_url or f"sqlite:///{default_data_dir() / 'checkgame.db'}"

    async def run() -> int:
        from checkgame.store import open_store

        async with open_store(database_url, migrate=True) as store:
            _, users = await store.list_users(limit=0, offset=0)
            _, tables = await store.list_sessions(status=None, public_only=False, limit=0, offset=0)
            if (users or tables) and not args.force:
                return fail(f"the database already holds {users} accounts and {tables} sessions; seed-demo fills an "
                            "empty one (--force adds the demo data anyway)")  # fmt: skip
            accounts = await _accounts(store)
            games = 0
            for number in range(TOURNAMENTS):
                games += await _tournament(store, accounts, number)
        print(f"demo accounts: {', '.join(PLAYERS)} and the administrator {OPERATOR}, password {DEMO_PASSWORD!r}")
        print(f"{TOURNAMENTS} finished tournaments, {games} games, with their statistics")
        if args.url is None:
            print("open tables: none (they live in a running server: run checkgame seed-demo --tables-only --url URL)")
            return 0
        return await tables_only()

    async def tables_only() -> int:
        from checkgame.errors import CheckgameError

        try:
            opened = await _open_tables(args.url)
        except CheckgameError as exc:
            print(f"checkgame seed-demo: {exc}", file=sys.stderr)
            return 1
        print(f"open tables at {args.url}: {', '.join(opened)}")
        return 0

    if args.tables_only:
        if args.url is None:
            return fail("--tables-only needs --url, the running server to open them on")
        return run_reported("seed-demo", partial(trio.run, tables_only), debug=args.debug)
    return run_reported("seed-demo", partial(trio.run, run), debug=args.debug, database_url=database_url)


async def _accounts(store: Store) -> dict[str, User]:
    """The demo players and the demo administrator, registered a few days ago."""
    import uuid
    from datetime import UTC, datetime, timedelta

    from checkgame.auth import ROLE_ADMIN, hash_password
    from checkgame.store import User

    password_hash = await hash_password(DEMO_PASSWORD)
    since = datetime.now(UTC) - timedelta(days=3)
    accounts: dict[str, User] = {}
    for offset, name in enumerate((*PLAYERS, OPERATOR)):
        existing = await store.find_user(name)  # with --force, a second run plays new tournaments for them
        if existing is not None:
            accounts[name] = existing
            continue
        role = ROLE_ADMIN if name == OPERATOR else "player"
        joined = since + timedelta(minutes=offset)
        user = User(uuid.uuid4().hex, name, f"{name}@demo.example", password_hash, role, joined)
        await store.create_user(user)
        accounts[name] = user
    return accounts


async def _tournament(store: Store, accounts: dict[str, User], number: int) -> int:
    """One tournament of four, played to its end by computer players; returns its number of games."""
    import secrets
    import uuid
    from datetime import UTC, datetime

    from checkgame import sessions
    from checkgame.rooms import Recorder
    from checkgame.rooms.creation import CODE_ALPHABET
    from checkgame.store import SessionRecord

    names = [PLAYERS[(number + i) % len(PLAYERS)] for i in range(3)]
    seats = [sessions.Seat(accounts[n].id, n, accounts[n].id) for n in names]
    seats.append(sessions.Seat(f"guest-demo{number}", f"Guest {number + 1}"))
    started = datetime.now(UTC).timestamp() - (TOURNAMENTS - number) * 6 * 3600
    session_id = uuid.uuid4().hex
    moment = datetime.fromtimestamp(started, UTC)
    creator = seats[0]
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
    record = SessionRecord(session_id, code, f"Demo tournament {number + 1}", creator.player_id, 4, False, "waiting",
                           moment)  # fmt: skip
    await store.create_session(record)
    opened = sessions.open_session(session_id, creator, secrets.randbits(63), sessions.SessionSettings(), started)
    state, effects = opened.state, list(opened.effects)  # the creator's seat is recorded like the joiners'
    for seat in seats[1:]:
        state = _apply(state, sessions.Join(seat.player_id, seat.name, seat.user_id), started, effects)
    for seat in seats:  # present, as if each had a connection: nobody is timed out
        state = _apply(state, sessions.Connect(seat.player_id), started, effects)
    state = _played(_apply(state, sessions.Start(creator.player_id), started, effects), started, effects)
    recorder = Recorder(store)
    for effect in effects:
        recorder.offer(effect)
    recorder.close()
    await recorder.run()
    return state.game_number


def _apply(state: SessionState, command: object, now: float, effects: list[Effect]) -> SessionState:
    from checkgame import sessions

    outcome = sessions.apply(state, command, now)  # type: ignore[arg-type]
    effects.extend(outcome.effects)
    return outcome.state


def _played(state: SessionState, now: float, effects: list[Effect]) -> SessionState:
    """Every game of the tournament, each move chosen by the computer player's strategy, two seconds apart."""
    import random

    from checkgame import rules, sessions
    from checkgame.bots.strategy import choose, favourite_suit

    rng = random.Random(state.seed)
    while state.status is not sessions.Status.FINISHED:
        if state.status is sessions.Status.BETWEEN:
            assert state.next_game_at is not None
            now = state.next_game_at
            state = _apply(state, sessions.Tick(), now, effects)
            continue
        game = state.game
        assert game is not None
        assert game.current is not None
        player, hand = game.players[game.current], game.hands[game.current]
        action: rules.Action
        if game.awaiting_suit:
            action = rules.ChooseSuit(player, favourite_suit(hand))
        else:
            choice = choose(hand, game.top_card, game.demanded_suit, game.penalty, rng)
            action = rules.Draw(player) if choice.card is None else rules.Play(player, choice.card, choice.suit)
        now += 2.0
        state = _apply(state, sessions.GameAction(action), now, effects)
    return state


async def _open_tables(url: str) -> list[str]:
    """The open tables, created by the demo players through the server's API, computer players seated."""
    import httpx

    from checkgame.errors import CheckgameError

    opened = []
    async with httpx.AsyncClient(base_url=f"{url.rstrip('/')}/api/v1", timeout=10) as http:
        try:
            for creator, name, seats, bots in OPEN_TABLES:
                login = await http.post("/auth/login", json={"login": creator, "password": DEMO_PASSWORD})
                _ok(login, f"logging in as {creator}")
                auth = {"Authorization": f"Bearer {login.json()['accessToken']}"}
                created = await http.post("/sessions", json={"name": name, "maxPlayers": seats}, headers=auth)
                _ok(created, f"opening {name!r}")
                session_id = created.json()["session"]["id"]
                for _ in range(bots):
                    _ok(await http.post(f"/sessions/{session_id}/bots", json={}, headers=auth), "seating a bot")
                opened.append(f"{name} (code {created.json()['joinCode']})")
        except httpx.HTTPError as exc:
            raise CheckgameError(f"{url}: {exc}") from exc
    return opened


def _ok(response: object, what: str) -> None:
    import httpx

    from checkgame.errors import CheckgameError

    assert isinstance(response, httpx.Response)
    if response.status_code >= 300:
        raise CheckgameError(f"{what}: HTTP {response.status_code} {response.text}")


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare ``seed-demo``."""
    seed = commands.add_parser(
        "seed-demo",
        help="fill an empty database with demo accounts, finished tournaments and (with --url) open tables",
        description=fill(
            f"Put a development data set in the database that checkgame serve uses (DATABASE_URL or "
            f"--database-url): the players {', '.join(PLAYERS)} and the administrator {OPERATOR} (password "
            f"{DEMO_PASSWORD!r}), and {TOURNAMENTS} finished tournaments with their games and statistics. Open "
            "tables live in a running server: --url opens them there, through its API. Refuses a production "
            "database (CHECKGAME_PRODUCTION) and one that already holds accounts or sessions (unless --force)."
        ),
        epilog=DATABASE_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    seed.add_argument(
        "--database-url",
        dest="database_url",
        help="sqlite:///path.db or postgresql://... (env DATABASE_URL; default: SQLite in the user data directory)",
    )
    seed.add_argument("--url", help="a running server on this database, e.g. http://127.0.0.1:8000: open tables there")
    seed.add_argument("--tables-only", dest="tables_only", action="store_true",
                      help="only open the tables at --url (the accounts are already there)")  # fmt: skip
    seed.add_argument("--force", action="store_true", help="add the demo data to a database that is not empty")
    seed.add_argument("--debug", action="store_true", help="print the traceback of a failure, not only its line")
    seed.set_defaults(handler=_seed_demo)
