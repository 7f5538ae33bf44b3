"""Async orchestration of sessions on Trio: apply commands, feed viewers through hubs, run timers, record results."""

from checkgame.rooms.recorder import Recorder as Recorder
from checkgame.rooms.service import SessionService as SessionService
from checkgame.rooms.sweeper import run_sweeper as run_sweeper
from checkgame.rooms.timers import run_timers as run_timers

__all__ = ["Recorder", "SessionService", "run_sweeper", "run_timers"]
