"""The root of the project's error hierarchy.

This module imports nothing from ``checkgame`` so that every layer, the pure
rules engine included, can build on it::

    CheckgameError
      ClientError        the client asked for something refused; maps to a 4xx or a WS error frame
        RuleViolation    (checkgame.rules) carries a RULES.md §15 code
"""

from __future__ import annotations


class CheckgameError(Exception):
    """Base class of every error this project raises on purpose."""


class ClientError(CheckgameError):
    """The request was understood and refused; the client can correct it.

    Attributes:
        code: stable machine-readable code (upper snake case).
        status_hint: the HTTP status a transport should answer with.
    """

    code: str = "BAD_REQUEST"
    status_hint: int = 400

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        """The human-readable explanation."""
        return str(self.args[0])
