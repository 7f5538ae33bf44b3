"""Skill ratings from a game's placements: the Plackett-Luce model of the ``openskill`` library.

Who is rated (the rule, also in docs/protocol.md "Ratings and leaderboards"):

* Only **registered players** have a rating. A guest and a computer player seated with
  ``POST /sessions/{id}/bots`` sit without an account, so they are never rated.
* A game is rated among its registered players only, in the order they finished
  (:attr:`GameResult.placements <checkgame.store.base.GameResult.placements>`: first out of
  cards first, the loser last). The unrated seats are *skipped*, not treated as fixed opponents:
  beating a guest or a computer earns nothing, and losing to one costs nothing, so a rating
  cannot be farmed against bots or throwaway guest seats. Registered players at a table with
  guests or computers are still rated relative to each other.
* A game with fewer than two registered players changes no rating.

A rating is the model's belief (``mu``, ``sigma``); what is shown and ranked is its
conservative estimate ``mu - 3 * sigma`` (openskill's *ordinal*), 0 for a new player, which
rises as the system grows confident that the player is good.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from openskill.models import PlackettLuce

from checkgame.sessions.results import GameResult
from checkgame.store.base import PlayerRating, RatingChange

__all__ = ["MODEL", "Belief", "initial", "new_player", "rate_game", "rate_placements", "rated_order", "shown"]

MODEL = PlackettLuce()
"""The library's defaults: mu 25, sigma 25/3, beta 25/6, tau 25/300 (sigma grows a little each game)."""


@dataclass(frozen=True, slots=True)
class Belief:
    """What the model believes of one player's skill."""

    mu: float
    sigma: float

    @property
    def shown(self) -> float:
        """The conservative rating that is shown and ranked."""
        return shown(self.mu, self.sigma)


def shown(mu: float, sigma: float) -> float:
    """openskill's ordinal, ``mu - 3 * sigma``, rounded so both backends store and compare the same number."""
    return round(mu - 3.0 * sigma, 6)


def initial() -> Belief:
    """A new player's belief."""
    return Belief(MODEL.mu, MODEL.sigma)


def rate_placements(order: Sequence[str], before: Mapping[str, Belief]) -> dict[str, Belief]:
    """New beliefs of the rated players of one game.

    Args:
        order: the registered players' user ids in the order they finished (first place first),
            guests and computer players already left out.
        before: each one's belief before the game (:func:`initial` for a first game).

    Returns:
        The belief after the game of every player in ``order``; empty when fewer than two
        are rated (nobody to compare with).

    Raises:
        ValueError: a player is listed twice.
    """
    if len(set(order)) != len(order):
        raise ValueError(f"a player is placed twice in {list(order)!r}")
    if len(order) < 2:
        return {}
    teams = [[MODEL.rating(mu=before[u].mu, sigma=before[u].sigma)] for u in order]
    rated = MODEL.rate(teams, ranks=[float(place) for place in range(1, len(order) + 1)])
    return {u: Belief(team[0].mu, team[0].sigma) for u, team in zip(order, rated, strict=True)}


def rate_game(
    game: GameResult, seats: Mapping[str, str | None], before: Mapping[str, PlayerRating]
) -> tuple[list[PlayerRating], list[tuple[str, RatingChange]]]:
    """What recording ``game`` does to ratings, for a backend to write in the game's transaction.

    Args:
        game: the finished game.
        seats: player id -> user id (None for a guest or a computer player) of the game's session.
        before: the current rating of each registered player of the game who has one.

    Returns:
        The players' new ratings (in user-id order, the order a backend locks rows in), and a
        ``(user_id, change)`` history line for each; both empty when the game is not rated.
    """
    order = rated_order(game, seats)
    beliefs = {u: Belief(before[u].mu, before[u].sigma) if u in before else initial() for u in order}
    after = rate_placements(order, beliefs)
    ratings: list[PlayerRating] = []
    changes: list[tuple[str, RatingChange]] = []
    for place, user_id in enumerate(order, start=1):
        if user_id not in after:
            continue
        new, old = after[user_id], beliefs[user_id]
        games = before[user_id].games + 1 if user_id in before else 1
        ratings.append(PlayerRating(user_id, new.mu, new.sigma, new.shown, games, game.finished_at))
        delta = round(new.shown - old.shown, 6)
        change = RatingChange(
            game.id, game.session_id, game.finished_at, place, len(order), new.mu, new.sigma, new.shown, delta
        )
        changes.append((user_id, change))
    ratings.sort(key=lambda r: r.user_id)
    return ratings, changes


def rated_order(game: GameResult, seats: Mapping[str, str | None]) -> list[str]:
    """The user ids of ``game``'s registered players in the order they finished (a user seen twice counts once)."""
    order: list[str] = []
    for player_id in game.placements:
        user_id = seats.get(player_id)
        if user_id is not None and user_id not in order:
            order.append(user_id)
    return order


def new_player(user_id: str) -> PlayerRating:
    """The rating of a registered player before their first rated game."""
    start = initial()
    return PlayerRating(user_id, start.mu, start.sigma, start.shown)
