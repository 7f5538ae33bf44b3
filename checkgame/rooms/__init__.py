"""Async orchestration of sessions on Trio: apply commands, run timers, record results, track presence."""

from checkgame.rooms.presence import Presence as Presence
from checkgame.rooms.recorder import Recorder as Recorder
from checkgame.rooms.service import SessionService as SessionService
from checkgame.rooms.sweeper import run_sweeper as run_sweeper
from checkgame.rooms.timers import run_timers as run_timers

__all__ = ["Presence", "Recorder", "SessionService", "run_sweeper", "run_timers"]
