"""Live state of running sessions: the versioned state, its event log, fan-out and deadlines.

:class:`LiveStore` is the interface; :class:`MemoryLiveStore` the single-process
backend (the embedded default). A Redis backend shares state between nodes.
"""

from checkgame.live.base import LiveStore as LiveStore
from checkgame.live.base import Subscription as Subscription
from checkgame.live.memory import MemoryLiveStore as MemoryLiveStore

__all__ = ["LiveStore", "MemoryLiveStore", "Subscription"]
