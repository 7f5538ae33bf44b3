"""Rule violations and their RULES.md §15 codes."""

from __future__ import annotations

from enum import StrEnum

from checkgame.errors import ClientError

__all__ = ["ErrorCode", "PositionError", "RuleViolation"]


class ErrorCode(StrEnum):
    """Why an action was refused. The values are the wire codes of RULES.md §15."""

    GAME_OVER = "GAME_OVER"
    PLAYER_NOT_FOUND = "PLAYER_NOT_FOUND"
    NOT_YOUR_TURN = "NOT_YOUR_TURN"
    SUIT_CHOICE_PENDING = "SUIT_CHOICE_PENDING"
    CARD_NOT_IN_HAND = "CARD_NOT_IN_HAND"
    MUST_COUNTER_OR_DRAW = "MUST_COUNTER_OR_DRAW"
    INVALID_PLAY = "INVALID_PLAY"
    INVALID_SUIT = "INVALID_SUIT"
    NO_SUIT_CHOICE_PENDING = "NO_SUIT_CHOICE_PENDING"
    NOT_ENOUGH_PLAYERS = "NOT_ENOUGH_PLAYERS"
    TOO_MANY_PLAYERS = "TOO_MANY_PLAYERS"
    # Beyond §15: a game cannot seat the same player twice, and a player who
    # already finished cannot lose the game by leaving (the tournament
    # eliminates them directly).
    DUPLICATE_PLAYER = "DUPLICATE_PLAYER"
    PLAYER_FINISHED = "PLAYER_FINISHED"


class RuleViolation(ClientError):  # noqa: N818 -- a domain term, see STYLE.md §2
    """An action or a game set-up refused by the rules; nothing was changed.

    Attributes:
        code: the :class:`ErrorCode` that decided the refusal.
    """

    status_hint = 409

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message, code=code.value)
        self.code = code


class PositionError(ValueError):
    """A serialised position is malformed or incoherent (see :mod:`checkgame.rules.serial`)."""
