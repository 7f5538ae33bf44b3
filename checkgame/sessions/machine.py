"""Apply a command to a session: the tournament around the rules engine (RULES.md §5, §13, §14).

Theory of operation
-------------------
``apply(state, command, now)`` returns an :class:`Outcome`: the next state
(``version`` + 1), the new log entries (numbered after ``state.seq``) and the
effects to persist. A refused command raises a
:class:`~checkgame.errors.ClientError` (a :class:`~checkgame.rules.RuleViolation`
for a game move) and nothing changes, exactly like the engine.

Deadlines are data: ``turn_deadline`` (the turn timer), ``next_game_at`` (the
pause between games) and ``absent`` (grace periods). A :class:`Tick` acts on
every deadline that is due, so whichever node's timer claims the session
first applies it, and a node that dies takes no timer with it.

Entries are the protocol's typed payloads (:mod:`checkgame.protocol`), built
with a small :class:`_Log` that numbers them; an engine event's public and
private versions come from :func:`checkgame.sessions.entries.game_entry`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from msgspec.structs import replace

from checkgame import protocol, rules
from checkgame.errors import ConflictError, ForbiddenError, NotFoundError
from checkgame.sessions import social
from checkgame.sessions.commands import (
    Chat,
    Command,
    Connect,
    DeleteChat,
    Disconnect,
    EndSession,
    GameAction,
    Join,
    Kick,
    LeaveSession,
    MuteChat,
    NodeLost,
    Notice,
    QuickJoin,
    Recorded,
    ReportChat,
    Start,
    Tick,
    Unwatch,
    Watch,
)
from checkgame.sessions.entries import Entry, game_entry
from checkgame.sessions.results import GameResult, SessionPlayer, TournamentResult
from checkgame.sessions.state import Seat, SessionSettings, SessionState, Status
from checkgame.tournament import Tournament

__all__ = [
    "ComputersSeated",
    "Effect",
    "Outcome",
    "SeatReleased",
    "SeatTaken",
    "SessionEnded",
    "TournamentResult",
    "TournamentStarted",
    "apply",
    "new_session",
    "open_session",
    "result_id",
]

RECENT_ACTION_IDS = 256
"""How many action ids a session remembers for idempotent retries."""

ENDED_BY_ADMIN = "ended_by_admin"
"""``endReason`` of a session an operator ended."""
ABANDONED = "abandoned"
"""``endReason`` of a waiting table everybody left."""
EXPIRED = "expired"
"""``endReason`` of a waiting table nobody joined, left or started for ``waiting_idle_s``."""

RECORD_RETRY_S = 30.0
"""A result not acknowledged as stored after this long is handed to a recorder again."""


@dataclass(frozen=True, slots=True)
class SeatTaken:
    """A player took a seat before the start (recorded so listings count them)."""

    player: SessionPlayer


@dataclass(frozen=True, slots=True)
class SeatReleased:
    """A player left before the start: the seat is free again."""

    session_id: str
    player_id: str


@dataclass(frozen=True, slots=True)
class TournamentStarted:
    """Game 1 was dealt: the session is no longer open to join."""

    session_id: str
    quick_play_waited_s: float | None = None
    """On a quick-play table: how long it waited from opening to this start (a metric)."""


@dataclass(frozen=True, slots=True)
class SessionEnded:
    """The session is finished with no winner, for ``reason`` (the store's ``end_reason``)."""

    session_id: str
    finished_at: datetime
    reason: str = ENDED_BY_ADMIN
    """``ended_by_admin``, or a waiting table the server closed: ``abandoned`` (everybody left), ``expired``."""


@dataclass(frozen=True, slots=True)
class ComputersSeated:
    """A quick-play table's wait ended and computer players took the empty seats: someone must play them."""

    session_id: str
    players: tuple[tuple[str, str], ...]
    """(player id, name) of each computer player seated."""


Effect = SeatTaken | SeatReleased | TournamentStarted | SessionEnded | GameResult | TournamentResult | ComputersSeated


@dataclass(frozen=True, slots=True)
class Outcome:
    """What applying one command produced."""

    state: SessionState
    entries: tuple[Entry, ...] = ()
    effects: tuple[Effect, ...] = ()
    duplicate: bool = False
    """The command was a retry of an action already applied: nothing happened."""


def open_session(session_id: str, creator: Seat, seed: int, settings: SessionSettings, now: float) -> Outcome:
    """A new waiting session, its creator in seat 1: the state, and the creator's :class:`SeatTaken` to record,
    exactly as a :class:`Join` records every later seat (no entry: nobody can be watching the session yet)."""
    state = new_session(session_id, creator, seed, settings, now)
    return Outcome(state, effects=(_seat_taken(state, creator, 1, now),))


def new_session(session_id: str, creator: Seat, seed: int, settings: SessionSettings, now: float) -> SessionState:
    """A waiting session whose first seat is its creator (the state alone: :func:`open_session` also says what
    to record)."""
    return SessionState(
        id=session_id,
        creator=creator.player_id,
        seed=seed,
        settings=settings,
        created_at=now,
        seats=(creator,),
        waiting_until=now + settings.waiting_idle_s,
    )


def apply(state: SessionState, command: Command, now: float) -> Outcome:
    """Apply ``command`` at time ``now``.

    Raises:
        ClientError: the command is refused (a RuleViolation for a game move); nothing changed.
    """
    log = _Log(state, now)
    match command:
        case GameAction():
            key = f"{command.action.player}:{command.action_id}" if command.action_id else None
            if key is not None and key in state.recent_action_ids:
                return Outcome(state, duplicate=True)
            state = _game_action(state, command.action, log)
            if key is not None:
                state = replace(state, recent_action_ids=(*state.recent_action_ids, key)[-RECENT_ACTION_IDS:])
        case Join():
            state = _start_when_full(_join(state, command, log), log)
        case QuickJoin():
            state = _quick_join(state, command, log)
        case Start():
            state = _start(state, command.player_id, log)
        case LeaveSession():
            state = _leave(state, command.player_id, log)
        case Connect():
            state = _connect(state, command.player_id, command.node, log)
        case Disconnect():
            state = _disconnect(state, command.player_id, command.node, log)
        case NodeLost():
            state = _node_lost(state, command.node, log)
        case Recorded():
            state = _recorded(state, command.result_id, log)
        case Tick():
            state = _tick(state, log)
        case Kick():
            state = _kick(state, command, log)
        case EndSession():
            state = _end_session(state, command.reason, log)
        case Notice():
            log.add(protocol.Notice(command.message, "admin"))
        case Chat() | DeleteChat() | MuteChat() | ReportChat() | Watch() | Unwatch():
            state = social.apply_social(state, command, log.add)
    return Outcome(replace(state, version=state.version + 1, seq=log.seq), tuple(log.entries), tuple(log.effects))


class _Log:
    """Numbers the entries of one command and collects its effects."""

    def __init__(self, state: SessionState, now: float) -> None:
        self.now = now
        self.seq = state.seq
        self.entries: list[Entry] = []
        self.effects: list[Effect] = []

    def add(
        self,
        data: protocol.EntryData,
        *,
        game_id: str | None = None,
        private: dict[str, protocol.EntryData] | None = None,
    ) -> None:
        self.seq += 1
        self.entries.append(Entry(self.seq, data, self.now, game_id, private))

    def game_events(self, state: SessionState, events: Iterable[rules.Event]) -> None:
        """Log engine events, with private versions for the players concerned (§16)."""
        for event in events:
            private: dict[str, protocol.EntryData] | None = None
            if isinstance(event, rules.GameStarted):
                private = {p: game_entry(event, p) for p in event.players}
            elif isinstance(event, rules.CardsDrawn):
                private = {event.player: game_entry(event, event.player)}
            self.add(game_entry(event, None), game_id=state.game_id, private=private)


def _join(state: SessionState, command: Join, log: _Log) -> SessionState:
    if state.seat_of(command.player_id) is not None and command.player_id not in state.left:
        raise ConflictError("you already have a seat in this session", code="ALREADY_JOINED")
    if state.status is Status.FINISHED:
        raise ConflictError("this session is over", code="SESSION_FINISHED")
    if state.status is not Status.WAITING:
        raise ConflictError("the tournament has already started", code="SESSION_STARTED")
    if len(state.seated) >= state.settings.max_players:
        raise ConflictError(f"the session is full ({state.settings.max_players} players)", code="SESSION_FULL")
    seat = Seat(command.player_id, command.name, command.user_id)
    seats = (*tuple(s for s in state.seats if s.player_id != command.player_id), seat)
    left = tuple(p for p in state.left if p != command.player_id)
    number = len(seats)
    log.add(protocol.PlayerJoinedSession(seat.player_id, seat.name, number))
    log.effects.append(_seat_taken(state, seat, number, log.now))
    return replace(state, seats=seats, left=left, waiting_until=log.now + state.settings.waiting_idle_s)


def _seat_taken(state: SessionState, seat: Seat, number: int, now: float) -> SeatTaken:
    return SeatTaken(SessionPlayer(state.id, seat.player_id, seat.name, number, seat.user_id, _datetime(now)))


def _start(state: SessionState, player_id: str, log: _Log) -> SessionState:
    if player_id != state.creator:
        raise ForbiddenError("only the session's creator can start it", code="NOT_CREATOR")
    if state.status is not Status.WAITING:
        raise ConflictError("the tournament has already started", code="SESSION_STARTED")
    return _begin(state, log)


def _begin(state: SessionState, log: _Log) -> SessionState:
    """Start the tournament with the seated players (whoever asked for it)."""
    tournament = Tournament.start(state.seated)  # NOT_ENOUGH_PLAYERS below 2
    log.add(protocol.TournamentStarted(tuple(tournament.seats)))
    waited = None if state.quick_play is None else log.now - state.created_at
    log.effects.append(TournamentStarted(state.id, waited))
    return _deal(replace(state, tournament=tournament, waiting_until=None), log)


def _deal(state: SessionState, log: _Log) -> SessionState:
    """Start the tournament's next game (§4, §5)."""
    assert state.tournament is not None
    players, first = state.tournament.next_game()
    number = state.game_number + 1
    seed = random.Random(f"{state.seed}/game/{number}").getrandbits(63)
    game, events = rules.new_game(players, seed, hand_size=state.settings.hand_size, first_player=first)
    state = replace(
        state,
        status=Status.PLAYING,
        game=game,
        game_number=number,
        game_first_player=first,
        game_started_at=log.now,
        game_actions=(),
        next_game_at=None,
        turn_deadline=log.now + state.settings.turn_timeout_s,
    )
    log.game_events(state, events)
    for player in players:  # a seat nobody plays would be moved for by the turn timer forever
        if not state.is_present(player):
            state = _start_grace(state, player, log)
    return state


def _game_action(state: SessionState, action: rules.Play | rules.Draw | rules.ChooseSuit, log: _Log) -> SessionState:
    if state.game is None or state.status is not Status.PLAYING:
        raise rules.RuleViolation(rules.ErrorCode.GAME_OVER, "no game is in progress")
    return _advance(state, action, log)


def _advance(state: SessionState, action: rules.Action, log: _Log) -> SessionState:
    """Apply one engine action to the running game and follow its consequences."""
    assert state.game is not None
    game, events = rules.apply(state.game, action)
    state = replace(
        state,
        game=game,
        game_actions=(*state.game_actions, _action_record(action, log.now)),
        turn_deadline=None if game.is_over else log.now + state.settings.turn_timeout_s,
    )
    log.game_events(state, events)
    ended = events[-1]
    return _end_game(state, ended, log) if isinstance(ended, rules.GameEnded) else state


def _action_record(action: rules.Action, now: float) -> dict[str, object]:
    """One line of a game's action log: enough, with the seed, to replay the game."""
    record: dict[str, object] = {"type": type(action).__name__.lower(), "player": action.player, "at": now}
    if isinstance(action, rules.Play):
        record["card"] = action.card.code
        if action.suit is not None:
            record["suit"] = str(action.suit)
    elif isinstance(action, rules.ChooseSuit):
        record["suit"] = str(action.suit)
    return record


def _end_game(state: SessionState, ended: rules.GameEnded, log: _Log) -> SessionState:
    """Eliminate the loser (§14), record the game, and schedule the next one or finish."""
    game, tournament, game_id = state.game, state.tournament, state.game_id
    assert game is not None
    assert tournament is not None
    assert game_id is not None
    if ended.loser in tournament.remaining:
        tournament = tournament.record_loss(ended.loser)
    log.add(protocol.PlayerEliminated(ended.loser, state.game_number), game_id=game_id)
    result = GameResult(
        id=game_id,
        session_id=state.id,
        number=state.game_number,
        seed=game.seed,
        hand_size=state.settings.hand_size,
        players=game.players,
        first_player=state.game_first_player,
        started_at=_datetime(state.game_started_at),
        finished_at=_datetime(log.now),
        loser=ended.loser,
        placements=ended.placements,
        reason=ended.reason.value,
        actions=state.game_actions,
    )
    state = _expect_recorded(replace(state, tournament=tournament, turn_deadline=None), result, log)
    if tournament.is_over:
        return _finish(state, log)
    return replace(state, status=Status.BETWEEN, next_game_at=log.now + state.settings.next_game_delay_s)


def _finish(state: SessionState, log: _Log) -> SessionState:
    """One player remains: the tournament is won (§14)."""
    assert state.tournament is not None
    ranking = state.tournament.ranking()
    log.add(protocol.TournamentFinished(ranking[0], tuple(ranking), state.game_number))
    state = _expect_recorded(state, TournamentResult(state.id, ranking, _datetime(log.now)), log)
    return replace(state, status=Status.FINISHED, turn_deadline=None, next_game_at=None, absent=())


def result_id(result: GameResult | TournamentResult) -> str:
    """How a recorder names a result when it acknowledges it (:class:`Recorded`)."""
    return result.id if isinstance(result, GameResult) else "tournament"


def _expect_recorded(state: SessionState, result: GameResult | TournamentResult, log: _Log) -> SessionState:
    """Hand ``result`` to a recorder, and keep it until one says it is stored."""
    log.effects.append(result)
    retry_at = state.results_retry_at or log.now + RECORD_RETRY_S
    return replace(state, pending_results=(*state.pending_results, result), results_retry_at=retry_at)


def _recorded(state: SessionState, stored: str, log: _Log) -> SessionState:
    pending = tuple(r for r in state.pending_results if result_id(r) != stored)
    if len(pending) == len(state.pending_results):
        return state  # a late duplicate acknowledgement
    if stored != "tournament":
        log.add(protocol.GameRecorded(stored), game_id=stored)
    return replace(state, pending_results=pending, results_retry_at=state.results_retry_at if pending else None)


def _leave(state: SessionState, player_id: str, log: _Log) -> SessionState:
    """Leave the session. Mid-game the leaver loses that game; otherwise they are eliminated (§14)."""
    if state.seat_of(player_id) is None or player_id in state.left:
        raise NotFoundError("you have no seat in this session", code="NOT_IN_SESSION")
    state = replace(state, left=(*state.left, player_id), absent=_without(state.absent, player_id))
    log.add(protocol.PlayerLeftSession(player_id))
    if state.status is Status.WAITING:
        log.effects.append(SeatReleased(state.id, player_id))
        if not state.seated:  # nobody is left to start it: a table nobody can join usefully
            return _close(state, "everybody left the table", by="server", log=log, code=ABANDONED)
        if player_id == state.creator:  # the next seat inherits the start button
            state = replace(state, creator=state.seated[0])
            log.add(protocol.CreatorChanged(state.creator))
        return replace(state, waiting_until=log.now + state.settings.waiting_idle_s)
    tournament = state.tournament
    if state.status is Status.FINISHED or tournament is None or player_id not in tournament.remaining:
        return state
    game = state.game
    if state.status is Status.PLAYING and game is not None and player_id in game.active_players:
        return _advance(state, rules.Leave(player_id), log)
    tournament = tournament.withdraw(player_id)  # between games, or after finishing the running game
    log.add(protocol.PlayerEliminated(player_id, state.game_number, left=True))
    state = replace(state, tournament=tournament)
    return _finish(state, log) if tournament.is_over else state


def _kick(state: SessionState, command: Kick, log: _Log) -> SessionState:
    """Removed by an administrator: announced first, so the player's connection knows to close, then a leave."""
    if state.seat_of(command.player_id) is None or command.player_id in state.left:
        raise NotFoundError("this player has no seat in this session", code="NOT_IN_SESSION")
    log.add(protocol.PlayerKicked(command.player_id, command.reason))
    return _leave(state, command.player_id, log)


def _end_session(state: SessionState, reason: str, log: _Log) -> SessionState:
    """An operator stops the tournament where it stands: no game result and no ranking are invented."""
    if state.status is Status.FINISHED:
        raise ConflictError("the session is already finished", code="SESSION_FINISHED")
    return _close(state, reason, by="operator", log=log)


def _close(state: SessionState, reason: str, *, by: str, log: _Log, code: str = ENDED_BY_ADMIN) -> SessionState:
    """Finish the session without a winner, saying who closed it (``operator`` or ``server``), why in words
    (``reason``), and as the session's ``endReason`` (``code``)."""
    log.add(protocol.SessionEnded(reason, state.game_number, by))
    log.effects.append(SessionEnded(state.id, _datetime(log.now), code))
    return replace(state, status=Status.FINISHED, turn_deadline=None, next_game_at=None, absent=(), waiting_until=None)


def _connect(state: SessionState, player_id: str, node: str, log: _Log) -> SessionState:
    entry = (player_id, node)
    present = state.present if entry in state.present else (*state.present, entry)
    if any(p == player_id for p, _ in state.absent):
        log.add(protocol.PlayerReconnected(player_id))
    return replace(state, present=present, absent=_without(state.absent, player_id))


def _disconnect(state: SessionState, player_id: str, node: str, log: _Log) -> SessionState:
    state = replace(state, present=tuple(e for e in state.present if e != (player_id, node)))
    return state if state.is_present(player_id) else _start_grace(state, player_id, log)


def _node_lost(state: SessionState, node: str, log: _Log) -> SessionState:
    for player_id, _ in [e for e in state.present if e[1] == node]:
        state = _disconnect(state, player_id, node, log)
    return social.node_lost(state, node, log.add)


def _start_grace(state: SessionState, player_id: str, log: _Log) -> SessionState:
    """Hold the seat of an absent player for the grace period; then they count as having left (§14)."""
    if player_id in state.left or state.status is Status.FINISHED or any(p == player_id for p, _ in state.absent):
        return state
    grace = state.settings.grace_s
    log.add(protocol.PlayerDisconnected(player_id, grace))
    return replace(state, absent=(*state.absent, (player_id, log.now + grace)))


def _without(absent: tuple[tuple[str, float], ...], player_id: str) -> tuple[tuple[str, float], ...]:
    return tuple(a for a in absent if a[0] != player_id)


def _tick(state: SessionState, log: _Log) -> SessionState:
    """Act on every deadline that is due: dropped players, the turn timer, the next game."""
    now = log.now
    if state.quick_play is not None and state.status is Status.WAITING and state.quick_play.start_at <= now:
        state = _quick_play_due(state, log)
    if state.status is Status.WAITING and state.waiting_until is not None and state.waiting_until <= now:
        minutes = round(state.settings.waiting_idle_s / 60)
        why = f"nobody joined, left or started it for {minutes} minutes"
        return _close(state, why, by="server", log=log, code=EXPIRED)
    for player_id, drop_at in state.absent:
        if drop_at <= now and player_id not in state.left:
            state = _leave(state, player_id, log)
    if state.status is Status.PLAYING and state.turn_deadline is not None and state.turn_deadline <= now:
        state = _act_for_absent_mover(state, log)
    if state.status is Status.BETWEEN and state.next_game_at is not None and state.next_game_at <= now:
        state = _deal(state, log)
    if state.results_retry_at is not None and state.results_retry_at <= now:  # its recorder's node may have died
        log.effects.extend(state.pending_results)
        state = replace(state, results_retry_at=now + RECORD_RETRY_S)
    return state


def _act_for_absent_mover(state: SessionState, log: _Log) -> SessionState:
    """The turn timer ran out: draw (the penalty under attack), or name the suit held most."""
    game = state.game
    assert game is not None
    assert game.current is not None
    action = rules.timeout_action(game)
    log.add(protocol.TurnTimeout(action.player), game_id=state.game_id)
    return _advance(state, action, log)


def _datetime(epoch_s: float) -> datetime:
    return datetime.fromtimestamp(epoch_s, UTC)


# -- quick play: tables that matchmaking opens start by themselves (state.QuickPlay)


def _quick_join(state: SessionState, command: QuickJoin, log: _Log) -> SessionState:
    quick = state.quick_play
    if quick is None:
        raise ConflictError("this is not a quick-play table", code="NOT_QUICK_PLAY")
    state = _join(state, Join(command.player_id, command.name, command.user_id), log)
    accepting = tuple(p for p in quick.accepts_computers if p != command.player_id)
    if command.accepts_computers:
        accepting = (*accepting, command.player_id)
    return _start_when_full(replace(state, quick_play=replace(quick, accepts_computers=accepting)), log)


def _start_when_full(state: SessionState, log: _Log) -> SessionState:
    """A full quick-play table starts at once."""
    if state.quick_play is None or len(state.seated) < state.settings.max_players:
        return state
    return _begin(state, log)


def _quick_play_due(state: SessionState, log: _Log) -> SessionState:
    """The wait is over: fill with computer players if everyone seated agreed, else start with two or more
    people, else keep the lone player waiting another round."""
    quick = state.quick_play
    assert quick is not None
    seated = state.seated
    if seated and all(player in quick.accepts_computers for player in seated):
        return _begin(_seat_computers(state, log), log)
    if len(seated) >= 2:
        return _begin(state, log)
    return replace(state, quick_play=replace(quick, start_at=log.now + quick.wait_s))


def _seat_computers(state: SessionState, log: _Log) -> SessionState:
    """Computer players join the empty seats, named and numbered by their seat (unique within the session)."""
    seated: list[tuple[str, str]] = []
    while len(state.seated) < state.settings.max_players:
        number = len(state.seats) + 1
        player_id, name = f"bot-{state.id[:12]}-{number}", f"Bot {number}"
        state = _join(state, Join(player_id, name), log)
        seated.append((player_id, name))
    log.effects.append(ComputersSeated(state.id, tuple(seated)))
    return state
