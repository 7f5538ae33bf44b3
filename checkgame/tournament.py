"""Tournament (session) progression, pure like the rules engine (RULES.md §5, §14).

A session seats its players in join order. Every game is played by all the
remaining players; its loser is eliminated; when one player remains, they
win. The orchestrator drives it like this::

    t = Tournament.start(["ann", "bob", "cid"])
    players, first = t.next_game()            # who plays, who starts (§5)
    ... play the game with checkgame.rules ...
    t = t.record_loss(loser)                  # the game's loser is eliminated
    t = t.withdraw("bob")                     # left between games (or after finishing the running game)

A player who leaves *during* a game while still holding cards loses that game
(``rules.Leave``), so the game's :class:`~checkgame.rules.GameEnded` feeds
:meth:`Tournament.record_loss`: still exactly one elimination for that game.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from checkgame.rules import MAX_PLAYERS, MIN_PLAYERS, ErrorCode, RuleViolation

__all__ = ["Tournament"]


@dataclass(frozen=True, slots=True)
class Tournament:
    """The state of one session's tournament."""

    seats: tuple[str, ...]
    """Every player in join order (seat 1 first); never changes."""
    eliminated: tuple[str, ...] = ()
    """Eliminated players, first eliminated first."""
    games_played: int = 0
    """Games whose loser has been recorded."""

    @classmethod
    def start(cls, seats: tuple[str, ...] | list[str]) -> Tournament:
        """A tournament for ``seats`` (2 to 8 distinct players, in join order).

        Raises:
            RuleViolation: ``NOT_ENOUGH_PLAYERS``, ``TOO_MANY_PLAYERS`` or ``DUPLICATE_PLAYER``.
        """
        seats = tuple(seats)
        if len(seats) < MIN_PLAYERS:
            raise RuleViolation(ErrorCode.NOT_ENOUGH_PLAYERS, f"a tournament needs at least {MIN_PLAYERS} players")
        if len(seats) > MAX_PLAYERS:
            raise RuleViolation(ErrorCode.TOO_MANY_PLAYERS, f"a tournament seats at most {MAX_PLAYERS} players")
        if len(set(seats)) != len(seats):
            raise RuleViolation(ErrorCode.DUPLICATE_PLAYER, "a player can take only one seat")
        return cls(seats)

    @property
    def remaining(self) -> tuple[str, ...]:
        """Players not yet eliminated, in seat order."""
        return tuple(p for p in self.seats if p not in self.eliminated)

    @property
    def winner(self) -> str | None:
        """The last player standing, once the tournament is over."""
        remaining = self.remaining
        return remaining[0] if len(remaining) == 1 else None

    @property
    def is_over(self) -> bool:
        """True when at most one player remains."""
        return len(self.remaining) <= 1

    def next_game(self) -> tuple[tuple[str, ...], str]:
        """The players of the next game (seat order) and who starts it (§5).

        Game 1 starts with seat 1; every later game with the first remaining
        player seated after the most recently eliminated player.

        Raises:
            RuleViolation: ``GAME_OVER`` when the tournament is over.
        """
        remaining = self.remaining
        if len(remaining) < MIN_PLAYERS:
            raise RuleViolation(ErrorCode.GAME_OVER, "the tournament is over")
        if not self.eliminated:
            return remaining, remaining[0]
        n = len(self.seats)
        after = self.seats.index(self.eliminated[-1])
        for step in range(1, n):
            candidate = self.seats[(after + step) % n]
            if candidate not in self.eliminated:
                return remaining, candidate
        raise AssertionError("unreachable: at least two players remain")  # pragma: no cover

    def record_loss(self, loser: str) -> Tournament:
        """Eliminate the loser of the game just played.

        Raises:
            RuleViolation: ``PLAYER_NOT_FOUND`` if ``loser`` is not a remaining player.
        """
        self._check_remaining(loser)
        return replace(self, eliminated=(*self.eliminated, loser), games_played=self.games_played + 1)

    def withdraw(self, player: str) -> Tournament:
        """Eliminate a player who left outside a game they could still lose (§14).

        Raises:
            RuleViolation: ``PLAYER_NOT_FOUND`` if ``player`` is not a remaining player.
        """
        self._check_remaining(player)
        return replace(self, eliminated=(*self.eliminated, player))

    def ranking(self) -> tuple[str, ...]:
        """Best first: the remaining players (the winner, once over), then the
        eliminated from the last eliminated to the first."""
        return (*self.remaining, *reversed(self.eliminated))

    def _check_remaining(self, player: str) -> None:
        if player not in self.seats or player in self.eliminated:
            raise RuleViolation(ErrorCode.PLAYER_NOT_FOUND, f"{player!r} is not a remaining player")
