"""Plain text for what the server sends: cards, durations, times, relative to the server's own clock.

Ages are computed against ``serverTime`` from the same overview, not the
console's clock, so a slow or skewed laptop shows what the server sees.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

__all__ = ["age", "card", "clock", "duration", "parse_time", "rate", "status_text", "suit"]

_SUITS = {"hearts": "♥", "diamonds": "♦", "clubs": "♣", "spades": "♠", "H": "♥", "D": "♦", "C": "♣", "S": "♠"}


def suit(name: Any) -> str:
    """``hearts`` → ``♥ hearts``; nothing → ``-``."""
    if not name:
        return "-"
    symbol = _SUITS.get(str(name), "")
    return f"{symbol} {name}".strip()


def card(value: Any) -> str:
    """A card as the server sends it (``"7H"``, ``{"rank", "suit"}`` or a Joker with a ``color``) in one short text."""
    if value is None or value == "":
        return "-"
    if isinstance(value, dict):
        rank = str(value.get("rank", "?"))
        if value.get("suit"):
            return f"{rank}{_SUITS.get(str(value['suit']), str(value['suit']))}"
        return f"{rank} ({value['color']})" if value.get("color") else rank
    text = str(value)
    if len(text) >= 2 and text[-1] in _SUITS:
        return text[:-1] + _SUITS[text[-1]]
    return text


def parse_time(value: Any) -> datetime | None:
    """A timestamp as the server sends it, ISO 8601 (database times) or epoch seconds (live times); else None."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def duration(seconds: float) -> str:
    """``3725`` → ``1h 02m``; ``75`` → ``1m 15s``; ``4.2`` → ``4s``."""
    whole = max(0, int(seconds))
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def age(value: Any, now: datetime | None) -> str:
    """How long before ``now`` the timestamp ``value`` was (``-`` when either is unknown)."""
    then = parse_time(value)
    if then is None or now is None:
        return "-"
    return duration((now - then).total_seconds()) + " ago"


def clock(value: Any) -> str:
    """The time of day of a timestamp, ``HH:MM:SS`` UTC (or in the zone an ISO text gives)."""
    then = parse_time(value)
    return then.strftime("%H:%M:%S") if then else "-"


def rate(value: Any) -> str:
    """A per-second rate with one decimal."""
    try:
        return f"{float(value):.1f}"
    except (TypeError, ValueError):
        return "-"


END_REASONS = {"live_state_lost": "live state lost", "ended_by_admin": "ended by an operator"}


def status_text(session: dict[str, Any]) -> str:
    """A session's status, with why a finished one has no winner (``finished: live state lost``)."""
    status = str(session.get("status", "?"))
    reason = session.get("endReason")
    return f"{status}: {END_REASONS.get(str(reason), str(reason))}" if reason else status
