"""The pure rules engine of Check (RULES.md), with no I/O, clock or global randomness.

Public API (everything the server, bots, tests and tools use)::

    from checkgame import rules

    state, events = rules.new_game(["ann", "bob", "cid"], seed=42)   # deal (hand_size=7, first_player=...)
    state, events = rules.apply(state, rules.Play("ann", rules.parse_card("7H")))
    state, events = rules.apply(state, rules.Play("bob", rules.parse_card("JD"), "hearts"))  # Jack + suit
    state, events = rules.apply(state, rules.Draw("cid"))
    state, events = rules.apply(state, rules.ChooseSuit("ann", "clubs"))   # after a Jack without a suit
    rules.legal_actions(state, "bob")      # [Play(...), ..., Draw("bob")]
    rules.state_view(state, "bob")         # what bob may see; viewer=None for a spectator
    rules.event_view(event, "bob")         # one event as bob may see it
    rules.timeout_action(state)            # what the turn timer plays for the player to move
    rules.from_dict(rules.to_dict(state)) == state

A refused action raises :class:`RuleViolation`, whose ``code`` is the
:class:`ErrorCode` of RULES.md §15; the state you hold is unchanged (states
are immutable). Cards are written ``7H``, ``10S``, ``JD``, ``AS``, ``2C``,
``JOKER_RED``, ``JOKER_BLACK`` (:func:`parse_card`). The dict format of a
position is documented in :mod:`checkgame.rules.serial`. A game replays
exactly from its players, seed, hand size, first player and action list.
"""

from checkgame.rules.actions import Action as Action
from checkgame.rules.actions import ChooseSuit as ChooseSuit
from checkgame.rules.actions import Draw as Draw
from checkgame.rules.actions import Leave as Leave
from checkgame.rules.actions import Play as Play
from checkgame.rules.cards import DECK as DECK
from checkgame.rules.cards import Card as Card
from checkgame.rules.cards import Color as Color
from checkgame.rules.cards import Rank as Rank
from checkgame.rules.cards import Suit as Suit
from checkgame.rules.cards import parse_card as parse_card
from checkgame.rules.engine import DEFAULT_HAND_SIZE as DEFAULT_HAND_SIZE
from checkgame.rules.engine import MAX_PLAYERS as MAX_PLAYERS
from checkgame.rules.engine import MIN_PLAYERS as MIN_PLAYERS
from checkgame.rules.engine import apply as apply
from checkgame.rules.engine import deal_size as deal_size
from checkgame.rules.engine import is_playable as is_playable
from checkgame.rules.engine import legal_actions as legal_actions
from checkgame.rules.engine import new_game as new_game
from checkgame.rules.engine import playable_cards as playable_cards
from checkgame.rules.errors import ErrorCode as ErrorCode
from checkgame.rules.errors import PositionError as PositionError
from checkgame.rules.errors import RuleViolation as RuleViolation
from checkgame.rules.events import CardPlayed as CardPlayed
from checkgame.rules.events import CardsDrawn as CardsDrawn
from checkgame.rules.events import EndReason as EndReason
from checkgame.rules.events import Event as Event
from checkgame.rules.events import GameEnded as GameEnded
from checkgame.rules.events import GameStarted as GameStarted
from checkgame.rules.events import PileReshuffled as PileReshuffled
from checkgame.rules.events import PlayerFinished as PlayerFinished
from checkgame.rules.events import SuitChosen as SuitChosen
from checkgame.rules.events import TurnChanged as TurnChanged
from checkgame.rules.events import TurnSkipped as TurnSkipped
from checkgame.rules.serial import from_dict as from_dict
from checkgame.rules.serial import to_dict as to_dict
from checkgame.rules.state import GameState as GameState
from checkgame.rules.timeout import favourite_suit as favourite_suit
from checkgame.rules.timeout import timeout_action as timeout_action
from checkgame.rules.view import card_from_wire as card_from_wire
from checkgame.rules.view import card_to_wire as card_to_wire
from checkgame.rules.view import event_type as event_type
from checkgame.rules.view import event_view as event_view
from checkgame.rules.view import state_view as state_view

__all__ = [
    "DECK",
    "DEFAULT_HAND_SIZE",
    "MAX_PLAYERS",
    "MIN_PLAYERS",
    "Action",
    "Card",
    "CardPlayed",
    "CardsDrawn",
    "ChooseSuit",
    "Color",
    "Draw",
    "EndReason",
    "ErrorCode",
    "Event",
    "GameEnded",
    "GameStarted",
    "GameState",
    "Leave",
    "PileReshuffled",
    "Play",
    "PlayerFinished",
    "PositionError",
    "Rank",
    "RuleViolation",
    "Suit",
    "SuitChosen",
    "TurnChanged",
    "TurnSkipped",
    "apply",
    "card_from_wire",
    "card_to_wire",
    "deal_size",
    "event_type",
    "event_view",
    "favourite_suit",
    "from_dict",
    "is_playable",
    "legal_actions",
    "new_game",
    "parse_card",
    "playable_cards",
    "state_view",
    "timeout_action",
    "to_dict",
]
