"""The rating rule (checkgame/store/rating.py): who is rated, in which order, and which way ratings move."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from checkgame.store.base import GameResult, PlayerRating
from checkgame.store.rating import initial, new_player, rate_game, rate_placements, rated_order

NOW = datetime(2026, 12, 6, tzinfo=UTC)


def played(placements: tuple[str, ...]) -> GameResult:
    return GameResult("g1", "s1", 1, 1, 5, placements, placements[0], NOW, NOW, placements[-1], placements, "last")


@pytest.mark.parametrize("players", range(2, 9))
def test_the_first_rises_the_last_falls_and_places_keep_their_order(players: int) -> None:
    order = [f"u{n}" for n in range(players)]
    after = rate_placements(order, dict.fromkeys(order, initial()))
    shown = [after[u].shown for u in order]
    assert shown == sorted(shown, reverse=True)
    assert shown[0] > initial().shown > shown[-1]


def test_guests_and_computers_are_skipped_and_a_lone_registered_player_is_not_rated() -> None:
    seats = {"ann": "u1", "guest": None, "bot-1": None, "ben": "u2"}
    assert rated_order(played(("guest", "ben", "bot-1", "ann")), seats) == ["u2", "u1"]
    assert rate_game(played(("guest", "ann", "bot-1")), seats, {}) == ([], [])
    assert rate_placements(["u1"], {"u1": initial()}) == {}


def test_a_game_starts_from_the_players_ratings_and_counts_their_games() -> None:
    seats = {"ann": "u1", "ben": "u2"}
    strong = PlayerRating("u2", 35.0, 3.0, 26.0, 40, NOW)
    ratings, changes = rate_game(played(("ann", "ben")), seats, {"u2": strong})
    by_user = {r.user_id: r for r in ratings}
    assert [r.user_id for r in ratings] == ["u1", "u2"]  # user-id order: the order rows are locked in
    assert (by_user["u1"].games, by_user["u2"].games) == (1, 41)
    assert by_user["u2"].mu < strong.mu  # an upset: the strong player lost to a newcomer
    history = dict(changes)
    assert (history["u1"].place, history["u2"].place, history["u1"].rated_players) == (1, 2, 2)
    assert history["u1"].delta == pytest.approx(by_user["u1"].rating - new_player("u1").rating, abs=1e-5)
    assert history["u2"].delta == pytest.approx(by_user["u2"].rating - strong.rating, abs=1e-5)


def test_a_player_placed_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        rate_placements(["u1", "u1"], {"u1": initial()})
