"""The public surface of ``checkgame.rules``: exactly the documented names, and no I/O framework behind it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import types
import typing

from checkgame import rules

PUBLIC = {
    # actions
    "Action",
    "ChooseSuit",
    "Draw",
    "Leave",
    "Play",
    # cards
    "DECK",
    "Card",
    "Color",
    "Rank",
    "Suit",
    "parse_card",
    # engine
    "DEFAULT_HAND_SIZE",
    "MAX_PLAYERS",
    "MIN_PLAYERS",
    "apply",
    "deal_size",
    "is_playable",
    "legal_actions",
    "new_game",
    "playable_cards",
    # errors
    "ErrorCode",
    "PositionError",
    "RuleViolation",
    # events
    "CardPlayed",
    "CardsDrawn",
    "EndReason",
    "Event",
    "GameEnded",
    "GameStarted",
    "PileReshuffled",
    "PlayerFinished",
    "SuitChosen",
    "TurnChanged",
    "TurnSkipped",
    # positions and views
    "from_dict",
    "to_dict",
    "GameState",
    "card_from_wire",
    "card_to_wire",
    "event_type",
    "event_view",
    "state_view",
    # the turn timer's move
    "favourite_suit",
    "timeout_action",
}


def test_all_names_exactly_the_public_names():
    assert len(rules.__all__) == len(set(rules.__all__))
    assert set(rules.__all__) == PUBLIC
    exported = {
        name
        for name, value in vars(rules).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert exported == PUBLIC  # nothing public that __all__ forgets
    for name in PUBLIC:
        assert getattr(rules, name) is not None


def test_the_constants():
    assert (rules.MIN_PLAYERS, rules.MAX_PLAYERS, rules.DEFAULT_HAND_SIZE) == (2, 8, 7)


def test_the_event_union_holds_every_event_class():
    assert set(typing.get_args(rules.Event)) == {
        rules.GameStarted,
        rules.CardPlayed,
        rules.SuitChosen,
        rules.PileReshuffled,
        rules.CardsDrawn,
        rules.TurnSkipped,
        rules.PlayerFinished,
        rules.TurnChanged,
        rules.GameEnded,
    }
    assert set(typing.get_args(rules.Action)) == {rules.Play, rules.Draw, rules.ChooseSuit, rules.Leave}


FORBIDDEN = ("trio", "quart", "quart_trio", "hypercorn", "asyncpg", "coredis", "redis", "sqlite3")


def test_importing_the_rules_loads_no_framework_or_database():
    script = textwrap.dedent(
        f"""
        import sys
        import checkgame.rules
        from checkgame import rules
        rules.new_game(["a", "b"], seed=1)
        loaded = sorted(name for name in {FORBIDDEN!r} if name in sys.modules)
        print(",".join(loaded) or "clean")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "clean"
