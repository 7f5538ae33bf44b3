"""What a load test run does: how many players, seated how, playing how fast, for how long."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

__all__ = ["Plan"]


@dataclass(frozen=True)
class Plan:
    """One run, shared by the parent and every worker (passed to workers as JSON)."""

    url: str
    """The server (or load balancer), e.g. ``http://127.0.0.1:8000``."""
    players: int = 200
    table_size: int = 4
    pace_s: float = 2.0
    """Each seated player acts once per ``pace_s`` on average: a table of N moves every ``pace_s / N``."""
    jitter: float = 0.5
    """Each pause is drawn uniformly within ``±jitter`` of its mean (0: a metronome)."""
    duration_s: float = 30.0
    """The measured window, after every player is connected."""
    ramp_s: float = 10.0
    """Tables are seated one after another over this long, so setup does not arrive in one burst."""
    workers: int = 2
    echo: bool = False
    """Play the bare echo route instead of the game: the transport's ceiling."""
    idle: bool = False
    """Seat and connect the players, then only keep the connections alive (memory per connection)."""
    run_id: str = "run"
    """Makes the worker's account names unique on a server that outlives runs."""

    @property
    def tables(self) -> int:
        return -(-self.players // self.table_size)

    @property
    def think_s(self) -> float:
        """Mean pause before each move of a table: the table moves ``table_size / pace_s`` times a second."""
        return self.pace_s / self.table_size

    def tables_of(self, worker: int) -> list[int]:
        """The table numbers a worker plays (whole tables: one clock per table)."""
        return list(range(worker, self.tables, self.workers))

    def seats_of(self, table: int) -> int:
        """Players at ``table``: ``table_size``, except a last table that takes the remainder."""
        return min(self.table_size, self.players - table * self.table_size)

    def start_offset_s(self, table: int) -> float:
        return self.ramp_s * table / self.tables

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Plan:
        return cls(**json.loads(text))
