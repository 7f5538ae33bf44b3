"""What can happen to a session, named in the imperative.

Player commands come from REST or the WebSocket; :class:`Connect`,
:class:`Disconnect` and :class:`Tick` come from the server itself (presence
and timers); :class:`Kick`, :class:`EndSession` and :class:`Notice` from an
administrator. Every command is applied with an explicit ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass

from checkgame import rules

__all__ = [
    "Command",
    "Connect",
    "Disconnect",
    "EndSession",
    "GameAction",
    "Join",
    "Kick",
    "LeaveSession",
    "NodeLost",
    "Notice",
    "QuickJoin",
    "Recorded",
    "Start",
    "Tick",
]


@dataclass(frozen=True, slots=True)
class Join:
    """Take the next free seat (before the tournament starts)."""

    player_id: str
    name: str
    user_id: str | None = None


@dataclass(frozen=True, slots=True)
class QuickJoin:
    """Matchmaking seats a player at a quick-play table, noting whether they accept computer players."""

    player_id: str
    name: str
    user_id: str | None = None
    accepts_computers: bool = False


@dataclass(frozen=True, slots=True)
class LeaveSession:
    """Leave the session; during a game that player loses it (RULES.md §14)."""

    player_id: str


@dataclass(frozen=True, slots=True)
class Start:
    """The creator starts game 1."""

    player_id: str


@dataclass(frozen=True, slots=True)
class GameAction:
    """A move in the running game; ``action_id`` makes a retry idempotent."""

    action: rules.Play | rules.Draw | rules.ChooseSuit
    action_id: str | None = None


@dataclass(frozen=True, slots=True)
class Connect:
    """``node`` has a connection of ``player_id`` (ends their absence)."""

    player_id: str
    node: str = "local"


@dataclass(frozen=True, slots=True)
class Disconnect:
    """``node``'s last connection of ``player_id`` closed: without one elsewhere, their grace period starts."""

    player_id: str
    node: str = "local"


@dataclass(frozen=True, slots=True)
class NodeLost:
    """``node`` died without saying goodbye: its connections are gone."""

    node: str


@dataclass(frozen=True, slots=True)
class Recorded:
    """The durable store now holds the result ``result_id`` (a game id, or ``"tournament"``)."""

    result_id: str


@dataclass(frozen=True, slots=True)
class Kick:
    """An administrator removes ``player_id``: their seat leaves as with :class:`LeaveSession`."""

    player_id: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class EndSession:
    """An administrator ends the session for everyone; the running game is abandoned, not scored."""

    reason: str = ""


@dataclass(frozen=True, slots=True)
class Notice:
    """An administrator's message to every player of the session (logged, so it reaches every node)."""

    message: str


@dataclass(frozen=True, slots=True)
class Tick:
    """Time passed: act on every deadline that is due."""


Command = (
    Join
    | QuickJoin
    | LeaveSession
    | Start
    | GameAction
    | Connect
    | Disconnect
    | NodeLost
    | Recorded
    | Tick
    | Kick
    | EndSession
    | Notice
)
