"""Computer players that a session's creator seats from the browser, run by this node.

The seat is taken by the caller (a REST handler, so refusals such as a full
session come back as precise errors); the runner then plays it exactly as an
outside program would: :func:`checkgame.bots.client.run_bot` over this
server's public WebSocket. Going through the public protocol keeps the bots
honest and lets any node of a cluster serve them.

The runner owns a nursery for the bots' tasks, started once by the
composition root; cancelling it on shutdown stops every bot.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable

import trio

from checkgame.bots.client import ACTIONS_PER_S, BotError, Seat, run_bot
from checkgame.bots.levels import Level

__all__ = ["BOT_THINK_S", "HARD_MOVE_BUDGET_S", "BotRunner"]

log = logging.getLogger(__name__)

BOT_THINK_S = 0.6
"""Average pause before a bot's move: quick, yet slow enough for a person to follow the table."""
HARD_MOVE_BUDGET_S = 0.3
"""A ``hard`` bot's search time per move on the server: under the pause above, so it does not slow the table,
and short enough that many bots share a node's CPU (the search runs in a worker thread)."""


class BotRunner:
    """Plays seated computer players until their tournament ends (or the server stops)."""

    def __init__(
        self, base_url: Callable[[], str], *, think_s: float = BOT_THINK_S, actions_per_s: float = ACTIONS_PER_S
    ) -> None:
        self._base_url = base_url
        """Read when a bot starts: the URL is only known once the server listens (port 0)."""
        self.think_s = think_s
        self.actions_per_s = actions_per_s
        """The bots' own pacing, under the server's per-connection limits."""
        self._nursery: trio.Nursery | None = None
        self.running = 0
        """Bots playing right now."""
        self.running_by_level: Counter[Level] = Counter()
        """The same, by level."""

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Host the bots until :meth:`stop` (or a cancellation) ends them all."""
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            task_status.started()
            await trio.sleep_forever()

    def stop(self) -> None:
        """Stop every bot and return from :meth:`run`; bots started later are refused."""
        if self._nursery is not None:
            self._nursery.cancel_scope.cancel()

    @property
    def accepting(self) -> bool:
        """Bots can be started: the runner runs and is not stopping."""
        return self._nursery is not None and not self._nursery.cancel_scope.cancel_called

    def start(
        self, session_id: str, player_id: str, session_token: str, name: str, level: Level = Level.NORMAL
    ) -> None:
        """Play the seat ``player_id`` holds (with its session token) from now on, at ``level``.

        Raises:
            RuntimeError: the runner is not running.
        """
        if self._nursery is None or not self.accepting:
            raise RuntimeError("the bot runner is not running")
        base = self._base_url().rstrip("/")
        ws_base = base.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        seat = Seat(session_id, player_id, session_token, f"{ws_base}/api/v1/ws?token={session_token}", name)
        self._nursery.start_soon(self._play, base, seat, level)

    async def _play(self, base: str, seat: Seat, level: Level) -> None:
        self.running += 1
        self.running_by_level[level] += 1
        try:
            result = await run_bot(
                base,
                name=seat.name,
                seat=seat,
                think_s=self.think_s,
                actions_per_s=self.actions_per_s,
                level=level,
                move_budget_s=HARD_MOVE_BUDGET_S,
            )
            outcome = f"stopped ({result.stopped})" if result.stopped else f"at rank {result.rank}"
            log.info("bot %s finished session %s %s", seat.name, seat.session_id, outcome)
        except BotError as exc:  # e.g. the session was dropped; nothing to retry
            log.warning("bot %s in session %s stopped: %s", seat.name, seat.session_id, exc)
        except Exception:  # a bot's failure (an unreachable URL, a bug) must never take the server down
            log.exception("bot %s in session %s crashed", seat.name, seat.session_id)
        finally:
            self.running -= 1
            self.running_by_level[level] -= 1
