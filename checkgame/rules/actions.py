"""Player intents, named in the imperative (RULES.md §6, §10, §14).

``suit`` fields hold the raw suit name as received (``"hearts"``) or a
:class:`~checkgame.rules.cards.Suit`: the engine checks it at the point
RULES.md §15 says, so an unknown suit is refused with ``INVALID_SUIT`` only
after the checks that come before it.
"""

from __future__ import annotations

from dataclasses import dataclass

from checkgame.rules.cards import Card

__all__ = ["Action", "ChooseSuit", "Draw", "Leave", "Play"]


@dataclass(frozen=True, slots=True)
class Play:
    """Play ``card``; a Jack may carry the named suit in the same message."""

    player: str
    card: Card
    suit: str | None = None


@dataclass(frozen=True, slots=True)
class Draw:
    """Draw one card, or the whole pending penalty during an attack."""

    player: str


@dataclass(frozen=True, slots=True)
class ChooseSuit:
    """Name the demanded suit after a Jack played without one."""

    player: str
    suit: str


@dataclass(frozen=True, slots=True)
class Leave:
    """An active player leaves (or is dropped): they lose this game at once (§14)."""

    player: str


Action = Play | Draw | ChooseSuit | Leave
