"""The drill's load and its checks: real games written through the store, then what must hold after a restore.

Each table is a two-player tournament of one game, played move by move by the rules engine and
the bots' strategy, and recorded as a node records it: accounts, the session and its seats, the
game with its action log (statistics updated in the same transaction), the final ranking.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from checkgame import rules
from checkgame.bots.strategy import choose
from checkgame.drill.pg import PgCluster
from checkgame.sessions.results import GameResult, SessionPlayer
from checkgame.store.base import SessionRecord, Store, User

__all__ = ["INVARIANTS", "checksums", "play_table", "session_id", "violations"]


def session_id(number: int) -> str:
    """The id of table ``number``: 32 hex digits, like the server's own (its REST paths accept no other)."""
    return f"d011{number:028x}"


def _play(players: tuple[str, ...], seed: int, started: datetime) -> GameResult:
    """One whole game between the bots' strategy, as a :class:`GameResult` with its action log."""
    state, _ = rules.new_game(players, seed)
    rng = random.Random(seed)
    actions: list[dict[str, object]] = []
    ended: rules.GameEnded | None = None
    while ended is None:
        assert state.current is not None
        player = state.players[state.current]
        choice = choose(state.hands[state.current], state.top_card, state.demanded_suit, state.penalty, rng)
        action: rules.Action
        if state.awaiting_suit:
            action = rules.ChooseSuit(player, rules.Suit.HEARTS)
        elif choice.card is None:
            action = rules.Draw(player)
        else:
            action = rules.Play(player, choice.card, choice.suit)
        record: dict[str, object] = {"type": type(action).__name__.lower(), "player": player}
        if isinstance(action, rules.Play):
            record["card"] = action.card.code
        actions.append(record)
        state, events = rules.apply(state, action)
        ended = next((e for e in events if isinstance(e, rules.GameEnded)), None)
    session = players[0].rsplit("-", 1)[0]
    return GameResult(
        f"{session}-1", session, 1, seed, rules.DEFAULT_HAND_SIZE, players, players[0], started,
        datetime.now(UTC), ended.loser, ended.placements, ended.reason.value, tuple(actions),
    )  # fmt: skip


async def play_table(store: Store, number: int, seed: int) -> str:
    """Write table ``number`` from start to finish; returns its session id once every write is acknowledged."""
    now = datetime.now(UTC)
    session = session_id(number)
    users = [User(f"{session}-u{seat}", f"drill{number}p{seat}", f"drill{number}.{seat}@drill.invalid",
                  "argon2$drill", "player", now) for seat in (0, 1)]  # fmt: skip
    for user in users:
        await store.create_user(user)
    code = f"D{number:05d}"[-6:]
    await store.create_session(SessionRecord(session, code, f"drill {number}", users[0].id, 2, False, "waiting", now))
    players = (f"{session}-a", f"{session}-b")
    for seat, (player_id, user) in enumerate(zip(players, users, strict=True)):
        await store.add_session_player(SessionPlayer(session, player_id, user.username, seat, user.id, now))
    await store.set_session_status(session, "playing")
    game = _play(players, seed, now)
    await store.record_game(game)
    await store.record_tournament(session, game.placements, datetime.now(UTC))
    return session


def checksums(cluster: PgCluster, database: str) -> dict[str, str]:
    """Every table of the public schema: its row count and an md5 of its rows in a stable order."""
    tables = cluster.psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1", database)
    return {
        table: cluster.psql(
            f"SELECT count(*) || ' ' || md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
            f' FROM public."{table}" t',
            database,
        )
        for table in tables.split()
    }


INVARIANTS = {
    "a finished game without its action log": (
        "SELECT count(*) FROM games g WHERE NOT EXISTS (SELECT 1 FROM game_actions a WHERE a.game_id = g.id)"
    ),
    "a won tournament without its games": (
        "SELECT count(*) FROM sessions s WHERE s.winner_id IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM games g WHERE g.session_id = s.id)"
    ),
    "a seat of a won tournament without its final rank": (
        "SELECT count(*) FROM session_players p JOIN sessions s ON s.id = p.session_id"
        " WHERE s.winner_id IS NOT NULL AND p.final_rank IS NULL"
    ),
    "a player whose statistics do not add up to their games": (
        "WITH played AS (SELECT p.user_id, count(*) AS games, count(*) FILTER (WHERE g.loser = p.player_id) AS lost"
        "  FROM games g JOIN session_players p ON p.session_id = g.session_id AND p.player_id = ANY (g.players)"
        "  WHERE p.user_id IS NOT NULL GROUP BY p.user_id)"
        " SELECT count(*) FROM player_stats s FULL JOIN played ON played.user_id = s.user_id"
        " WHERE coalesce(s.total_games, 0) <> coalesce(played.games, 0)"
        " OR coalesce(s.losses, 0) <> coalesce(played.lost, 0) OR s.wins + s.losses <> s.total_games"
    ),
}
"""What the application guarantees of its own data: each query counts the rows that break one rule."""


def violations(cluster: PgCluster, database: str) -> dict[str, int]:
    """The invariants broken in ``database`` and how many rows break each (empty: all hold)."""
    broken = {rule: int(cluster.psql(sql, database)) for rule, sql in INVARIANTS.items()}
    return {rule: count for rule, count in broken.items() if count}
