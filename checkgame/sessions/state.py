"""The complete live state of one session, as an immutable, versioned value."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import msgspec

from checkgame import rules
from checkgame.sessions.results import GameResult, TournamentResult
from checkgame.tournament import Tournament

__all__ = ["QuickPlay", "Seat", "SessionSettings", "SessionState", "Status"]


class Status(StrEnum):
    """Where a session is in its life.

    One source of truth: the session machine decides a session's status, in
    its live state, and nothing else does. The store's ``status`` column is a
    projection of it, written only by the recorder from the machine's effects
    (:class:`~checkgame.sessions.machine.TournamentStarted`, ``SessionEnded``,
    the ``TournamentResult``), so it may lag a moment behind. The admin view
    reports :attr:`public` from the live state; ``GET /sessions/{id}`` gives both,
    the row as ``session`` (its status, winner and end reason written together,
    so a client never sees a finished session without them) and the live state as
    ``live``. The column serves what the live state cannot: listing and
    filtering many sessions, and a session whose live state is gone (the
    sweeper then closes the row as ``live_state_lost``: no live state is left
    to disagree with).
    """

    WAITING = "waiting"
    """Players join; the creator may start."""
    PLAYING = "playing"
    """A game is running."""
    BETWEEN = "between"
    """A game ended; the next one starts at ``next_game_at``."""
    FINISHED = "finished"
    """One player remains: the tournament is over."""

    @property
    def public(self) -> str:
        """The status as the API and the store say it: ``waiting``, ``playing`` (a game running or the pause
        between two) or ``finished``."""
        return Status.PLAYING.value if self is Status.BETWEEN else self.value


@dataclass(frozen=True, slots=True)
class Seat:
    """A player of the session, in join order."""

    player_id: str
    name: str
    user_id: str | None = None
    """Set for registered players (statistics are kept for them)."""


@dataclass(frozen=True, slots=True)
class SessionSettings:
    """Per-session timings and sizes, fixed at creation so every node acts alike."""

    max_players: int = 4
    hand_size: int = rules.DEFAULT_HAND_SIZE
    turn_timeout_s: float = 30.0
    """A player who does not act within this time is moved for (a draw, or a suit choice)."""
    next_game_delay_s: float = 5.0
    """Pause between a game's end and the next game's deal."""
    grace_s: float = 60.0
    """How long a disconnected player keeps the seat before counting as having left (§14)."""
    waiting_idle_s: float = 1800.0
    """A table still waiting this long after its last join or leave closes (nobody is going to start it)."""
    spectator_delay_s: float = 0.0
    """The creator's choice: spectators see every frame this many seconds late (0: live)."""


class QuickPlay(msgspec.Struct, frozen=True, gc=False):  # a Struct like the state that holds it: one ``replace``
    """A table that matchmaking opened: nobody presses start, it starts by itself (docs/protocol.md, quick play).

    It starts as soon as it is full, or at ``start_at`` with whoever sits there: the empty seats are then
    filled with computer players if every seated player agreed to them (``accepts_computers``); otherwise it
    starts with two or more people, and a lone player keeps waiting for the next ``wait_s``.
    """

    start_at: float
    """When the wait ends (a deadline in the state, so whichever node's timer claims the session acts on it)."""
    wait_s: float
    """How long a table waits for people before it starts without them (``CHECKGAME_QUICK_PLAY_WAIT_S``)."""
    accepts_computers: tuple[str, ...] = ()
    """Players who agreed to computer players filling the empty seats."""


# A msgspec Struct, not a dataclass: every command builds new states, and msgspec.structs.replace takes about
# 0.2 µs where dataclasses.replace took 6.7 µs. gc=False (the collector never tracks a state) is safe because a
# state is in no reference cycle: it holds only immutable values (strings, numbers, tuples, frozen dataclasses)
# and action records that are dicts of strings and numbers, none of which can refer back to a state. Keep it so.
class SessionState(msgspec.Struct, frozen=True, gc=False):
    """Everything that decides what happens next in a session.

    ``version`` grows by one with every applied command (compare-and-set in
    the live store); ``seq`` is the number of the last log entry.
    """

    id: str
    creator: str
    seed: int
    """Session seed; game n's seed derives from it, so a session replays too."""
    settings: SessionSettings
    created_at: float
    status: Status = Status.WAITING
    seats: tuple[Seat, ...] = ()
    left: tuple[str, ...] = ()
    """Players who left the session (they keep their seat record for the history)."""
    tournament: Tournament | None = None
    game: rules.GameState | None = None
    game_number: int = 0
    game_first_player: str = ""
    game_started_at: float = 0.0
    game_actions: tuple[dict[str, object], ...] = ()
    """The running game's action log, for replay from its seed."""
    turn_deadline: float | None = None
    next_game_at: float | None = None
    waiting_until: float | None = None
    """While waiting: when the table closes if nobody joins, leaves or starts it before."""
    present: tuple[tuple[str, str], ...] = ()
    """(player, node) for each node holding a connection of the player."""
    absent: tuple[tuple[str, float], ...] = ()
    """(player, drop deadline) of players in their grace period: disconnected, or never connected to a game."""
    pending_results: tuple[GameResult | TournamentResult, ...] = ()
    """Results handed to a recorder but not yet acknowledged as stored; offered again at ``results_retry_at``
    (by whichever node's timer claims the session), so a node that dies before writing loses nothing."""
    results_retry_at: float | None = None
    recent_action_ids: tuple[str, ...] = ()
    """``player:actionId`` of the latest actions, to answer retries without applying them twice."""
    quick_play: QuickPlay | None = None
    """Set on a table that matchmaking opened (:class:`QuickPlay`)."""
    spectators: tuple[tuple[str, int], ...] = ()
    """(node, spectators watching there) for each node with spectators of this session."""
    chat_muted: tuple[str, ...] = ()
    """Players and spectators an operator silenced in this table's chat."""
    version: int = 0
    seq: int = 0

    @property
    def game_id(self) -> str | None:
        """The id of the running (or last) game: ``<session id>-<n>``."""
        return f"{self.id}-{self.game_number}" if self.game_number else None

    @property
    def seated(self) -> tuple[str, ...]:
        """Player ids of the players still in the session, in seat order."""
        return tuple(seat.player_id for seat in self.seats if seat.player_id not in self.left)

    def seat_of(self, player_id: str) -> Seat | None:
        """The seat of ``player_id``, left or not."""
        return next((seat for seat in self.seats if seat.player_id == player_id), None)

    def is_present(self, player_id: str) -> bool:
        """``player_id`` has a connection on some node."""
        return any(player == player_id for player, _ in self.present)

    @property
    def spectator_count(self) -> int:
        """Spectators watching on every node."""
        return sum(count for _, count in self.spectators)

    def wake_at(self) -> float | None:
        """The earliest deadline to act on, if any (what the timer schedules)."""
        deadlines = (self.turn_deadline, self.next_game_at, self.results_retry_at, self.waiting_until)
        times = [t for t in deadlines if t is not None]
        times.extend(at for _, at in self.absent)
        if self.quick_play is not None and self.status is Status.WAITING:
            times.append(self.quick_play.start_at)
        return min(times, default=None)
