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
    "Chat",
    "Command",
    "Connect",
    "DeleteChat",
    "Disconnect",
    "EndSession",
    "GameAction",
    "Join",
    "Kick",
    "LeaveSession",
    "MuteChat",
    "NodeLost",
    "Notice",
    "QuickJoin",
    "Recorded",
    "ReportChat",
    "Start",
    "Tick",
    "Unwatch",
    "Watch",
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


@dataclass(frozen=True, slots=True)
class Chat:
    """Say ``text`` in the table's chat: ``players`` (seated players only) or ``spectators`` (watchers only)."""

    sender: str
    name: str
    channel: str
    text: str


@dataclass(frozen=True, slots=True)
class DeleteChat:
    """An operator removes the chat message logged at ``seq``."""

    seq: int


@dataclass(frozen=True, slots=True)
class MuteChat:
    """An operator silences (or lets speak again) ``player_id`` in this table's chat."""

    player_id: str
    muted: bool = True


@dataclass(frozen=True, slots=True)
class ReportChat:
    """``reporter`` flags the chat message at ``seq`` for the operators (logged for them alone)."""

    reporter: str
    seq: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Watch:
    """A spectator started watching on ``node``; refused past ``cap`` spectators on the table (all nodes)."""

    node: str
    cap: int


@dataclass(frozen=True, slots=True)
class Unwatch:
    """A spectator on ``node`` stopped watching."""

    node: str


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
    | Chat
    | DeleteChat
    | MuteChat
    | ReportChat
    | Watch
    | Unwatch
)
