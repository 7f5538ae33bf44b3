"""``checkgame.simulate``: offline games between computer players."""

from __future__ import annotations

from collections import Counter

from checkgame import simulate
from checkgame.simulate import GameRecord, Summary, play_game, run

RANKS = {"A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K", "Joker"}


def test_a_simulated_game_ends_with_a_loser_and_replays_from_its_seed():
    record = play_game(("a", "b", "c"), seed=12)
    assert record.loser in {"a", "b", "c"}
    assert 0 < record.actions < simulate.MAX_ACTIONS_PER_GAME
    assert record.last_card in RANKS
    assert record.reshuffles >= 0
    assert play_game(("a", "b", "c"), seed=12) == record


def test_the_first_player_is_passed_on():
    assert play_game(("a", "b"), seed=3, first_player="b") == play_game(("a", "b"), seed=3, first_player="b")


def test_run_plays_the_games_asked_for_and_counts_them():
    calls: list[tuple[int, int]] = []
    summary = run(games=12, players=4, seed=1, progress=lambda done, total: calls.append((done, total)))
    assert (summary.games, summary.tournaments, summary.unfinished) == (12, 0, 0)
    assert sum(summary.endings.values()) == 12
    assert set(summary.endings) <= RANKS
    assert summary.longest <= summary.actions
    assert summary.longest * summary.games > summary.actions  # the games differ: each has its own seed
    assert summary.actions >= 12
    assert summary.elapsed_s >= 0
    assert calls == [(i, 12) for i in range(1, 13)]


def test_the_same_seed_plays_the_same_games():
    first, second = run(games=4, players=3, seed=9), run(games=4, players=3, seed=9)
    assert (first.actions, first.endings, first.longest, first.reshuffles) == (
        second.actions,
        second.endings,
        second.longest,
        second.reshuffles,
    )


def test_tournaments_play_one_game_per_elimination():
    summary = run(games=3, players=4, seed=2, tournament=True)
    assert summary.tournaments == 3
    assert summary.games == 3 * 3
    assert summary.unfinished == 0


def test_an_unfinished_game_is_reported(monkeypatch):
    monkeypatch.setattr(simulate, "MAX_ACTIONS_PER_GAME", 2)
    record = play_game(("a", "b", "c", "d"), seed=1)
    assert record == GameRecord(2, None, record.last_card, record.reshuffles)
    summary = run(games=2, players=4, seed=1, tournament=True)
    assert (summary.tournaments, summary.games, summary.unfinished) == (2, 2, 2)  # each tournament stops
    assert summary.endings == Counter()


def test_the_report_shows_every_figure():
    summary = Summary(games=3, actions=30, reshuffles=2, longest=14, elapsed_s=0.5)
    summary.endings.update({"5": 2, "Joker": 1})
    report = summary.report()
    lines = report.splitlines()
    assert lines[0] == "games            3"
    assert "actions          30" in lines
    assert "time             0.50 s" in lines
    assert "games/s          6" in lines
    assert "actions/s        60" in lines
    assert "avg game length  10.0 actions (longest 14)" in lines
    assert "reshuffles       2" in lines
    assert "unfinished       0" in lines
    assert lines[-1] == "games ended on   5: 2, Joker: 1"


def test_the_report_of_tournaments_and_of_nothing():
    assert Summary(games=6, tournaments=2).report().splitlines()[0] == "games            6 in 2 tournaments"
    assert "avg game length  0.0 actions (longest 0)" in Summary().report()


def test_summary_add_counts_finished_and_unfinished_games():
    summary = Summary()
    summary.add(GameRecord(10, "a", "7", 1))
    summary.add(GameRecord(30, None, "5", 0))
    assert (summary.games, summary.actions, summary.longest, summary.reshuffles) == (2, 40, 30, 1)
    assert summary.unfinished == 1
    assert summary.endings == Counter({"7": 1})
