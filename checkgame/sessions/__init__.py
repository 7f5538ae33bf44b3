"""A session (tournament) as one pure, versioned value: seats, tournament, running game, timers.

The live layer stores a :class:`SessionState` and applies :mod:`commands <checkgame.sessions.commands>`
to it with :func:`apply`; everything that happened comes back as numbered
:class:`Entry` values (the per-session event log) and :class:`effects <checkgame.sessions.machine.Effect>`
to persist. Pure like the rules engine: the caller passes ``now``.
"""

from checkgame.sessions.commands import Chat as Chat
from checkgame.sessions.commands import Command as Command
from checkgame.sessions.commands import Connect as Connect
from checkgame.sessions.commands import DeleteChat as DeleteChat
from checkgame.sessions.commands import Disconnect as Disconnect
from checkgame.sessions.commands import EndSession as EndSession
from checkgame.sessions.commands import GameAction as GameAction
from checkgame.sessions.commands import Join as Join
from checkgame.sessions.commands import Kick as Kick
from checkgame.sessions.commands import LeaveSession as LeaveSession
from checkgame.sessions.commands import MuteChat as MuteChat
from checkgame.sessions.commands import NodeLost as NodeLost
from checkgame.sessions.commands import Notice as Notice
from checkgame.sessions.commands import QuickJoin as QuickJoin
from checkgame.sessions.commands import Recorded as Recorded
from checkgame.sessions.commands import ReportChat as ReportChat
from checkgame.sessions.commands import Start as Start
from checkgame.sessions.commands import Tick as Tick
from checkgame.sessions.commands import Unwatch as Unwatch
from checkgame.sessions.commands import Watch as Watch
from checkgame.sessions.entries import Entry as Entry
from checkgame.sessions.machine import Outcome as Outcome
from checkgame.sessions.machine import apply as apply
from checkgame.sessions.machine import new_session as new_session
from checkgame.sessions.machine import open_session as open_session
from checkgame.sessions.results import GameResult as GameResult
from checkgame.sessions.results import SessionPlayer as SessionPlayer
from checkgame.sessions.results import TournamentResult as TournamentResult
from checkgame.sessions.serial import from_dict as from_dict
from checkgame.sessions.serial import to_dict as to_dict
from checkgame.sessions.state import QuickPlay as QuickPlay
from checkgame.sessions.state import Seat as Seat
from checkgame.sessions.state import SessionSettings as SessionSettings
from checkgame.sessions.state import SessionState as SessionState
from checkgame.sessions.state import Status as Status
from checkgame.sessions.view import Audience as Audience
from checkgame.sessions.view import audience as audience
from checkgame.sessions.view import snapshot as snapshot

__all__ = [
    "Audience",
    "Chat",
    "Command",
    "Connect",
    "DeleteChat",
    "Disconnect",
    "EndSession",
    "Entry",
    "GameAction",
    "GameResult",
    "Join",
    "Kick",
    "LeaveSession",
    "MuteChat",
    "NodeLost",
    "Notice",
    "Outcome",
    "QuickJoin",
    "QuickPlay",
    "Recorded",
    "ReportChat",
    "Seat",
    "SessionPlayer",
    "SessionSettings",
    "SessionState",
    "Start",
    "Status",
    "Tick",
    "TournamentResult",
    "Unwatch",
    "Watch",
    "apply",
    "audience",
    "from_dict",
    "new_session",
    "open_session",
    "snapshot",
    "to_dict",
]
