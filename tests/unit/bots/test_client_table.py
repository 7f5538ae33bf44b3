"""BotPlayer.handle on scripted frames: legal moves only, a suit with every Jack, attacks, hand tracking, turns.

No sockets: frames are built by hand (docs/protocol.md), or rendered by the rules engine's own views
for whole games, where every decision is applied with :func:`checkgame.rules.apply` (which refuses any
illegal move) and every bot's tracked hand is compared with the engine's.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from typing import Any

import pytest

from checkgame import rules
from checkgame.bots.table import BotPlayer
from checkgame.rules import Card, Rank, Suit, card_from_wire, card_to_wire

ME, BOB, CID = "me", "bob", "cid"

_seq = itertools.count(1)


def wire(codes: str) -> list[dict[str, str]]:
    return [card_to_wire(rules.parse_card(c)) for c in codes.split()]


def entry(kind: str, **data: Any) -> dict[str, Any]:
    return {"type": kind, "data": data, "seq": next(_seq), "timestamp": 0.0, "sessionId": "s", "gameId": "g"}


def started(hand: str, starter: str, first: str = ME, players: tuple[str, ...] = (ME, BOB, CID)) -> dict[str, Any]:
    return entry(
        "game_started",
        players=list(players),
        handSizes=dict.fromkeys(players, 7),
        starterCard=wire(starter)[0],
        firstPlayer=first,
        drawPileSize=30,
        hand=wire(hand),
    )


def played(player: str, code: str, penalty: int = 0, suit: str | None = None) -> dict[str, Any]:
    return entry(
        "card_played", player=player, card=wire(code)[0], chosenSuit=suit, pendingPenalty=penalty, awaitingSuit=False
    )


def turn(player: str, penalty: int = 0, demanded: str | None = None) -> dict[str, Any]:
    return entry("turn_changed", player=player, pendingPenalty=penalty, demandedSuit=demanded)


def drawn(player: str, cards: str | None = None, penalty: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {"player": player, "count": len(cards.split()) if cards else 1, "penalty": penalty}
    if cards is not None:
        data["cards"] = wire(cards)
    return entry("card_drawn", **data)


def new_bot(seed: int = 0) -> BotPlayer:
    bot = BotPlayer("Bot", rng=random.Random(seed), action_prefix="t")
    assert bot.handle({"type": "connection_established", "data": {"playerId": ME}, "seq": None}) is None
    return bot


def played_card(frame: dict[str, Any] | None) -> Card:
    assert frame is not None
    assert frame["type"] == "play_card", frame
    return card_from_wire(frame["data"]["card"])


def resyncing(bot: BotPlayer) -> bool:  # a call, so that mypy does not keep an earlier assert's narrowing
    return bot.resync_requested


def finished(bot: BotPlayer) -> bool:
    return bot.done


def hand_of(bot: BotPlayer) -> Counter[str]:
    return Counter(c.code for c in bot.table.hand)


# ---------------------------------------------------------------- scripted frames


def test_the_first_player_plays_a_legal_card_from_its_hand_with_a_fresh_action_id():
    bot = new_bot()
    move = bot.handle(started("5H 9C KS 2D 7C JD 3S", starter="9H"))
    card = played_card(move)
    assert card.code in {"5H", "9C"}  # plain cards matching 9H first; 2, J and 7 are kept
    assert move is not None
    assert move["data"]["actionId"] == "Bot-t-1"
    assert "chosenSuit" not in move["data"]


def test_a_player_who_is_not_first_waits():
    bot = new_bot()
    assert bot.handle(started("5H 9C KS 2D 7C JD 3S", starter="9H", first=BOB)) is None
    assert bot.handle(played(BOB, "9S")) is None
    assert bot.handle(turn(CID)) is None
    assert bot.handle(played(CID, "KS")) is None
    assert not bot.table.my_turn


def test_it_acts_when_the_turn_comes_and_only_then():
    bot = new_bot()
    bot.handle(started("5H 9C KS 4D 3S 8D QC", starter="9H", first=BOB))
    bot.handle(played(BOB, "9D"))
    move = bot.handle(turn(ME))
    assert played_card(move).code in {"4D", "8D"}


def test_a_jack_names_the_suit_the_rest_of_the_hand_holds_most():
    bot = new_bot()
    move = bot.handle(started("JS 4D 8D QD 3C", starter="9H"))  # nothing else fits 9H
    assert played_card(move).code == "JS"
    assert move is not None
    assert move["data"]["chosenSuit"] == "diamonds"


def test_under_attack_it_counters_with_a_seven_before_a_joker():
    bot = new_bot()
    bot.handle(started("JOKER_RED 7D 5C 9C KS", starter="9H", first=BOB))
    bot.handle(played(BOB, "7H", penalty=2))
    move = bot.handle(turn(ME, penalty=2))
    assert played_card(move).code == "7D"


def test_under_attack_without_a_seven_or_joker_it_draws_and_takes_the_penalty():
    bot = new_bot()
    bot.handle(started("5H 9C KS 2H JD", starter="9H", first=BOB))
    bot.handle(played(BOB, "7H", penalty=2))
    move = bot.handle(turn(ME, penalty=2))
    assert move is not None
    assert move["type"] == "draw_card"
    assert set(move["data"]) == {"actionId"}
    assert bot.handle(drawn(ME, "4S 6S", penalty=True)) is None
    assert bot.handle(turn(CID)) is None
    assert hand_of(bot) == Counter(["5H", "9C", "KS", "2H", "JD", "4S", "6S"])
    assert bot.table.penalty == 0


def test_a_demanded_suit_is_obeyed():
    bot = new_bot()
    bot.handle(started("5H 9C KS 4S", starter="9D", first=BOB))
    bot.handle(played(BOB, "JD", suit="spades"))
    move = bot.handle(turn(ME, demanded="spades"))
    assert played_card(move).suit is Suit.SPADES
    assert bot.table.top == rules.parse_card("JD")


def test_with_nothing_to_play_it_draws_one_card_and_keeps_it():
    bot = new_bot()
    move = bot.handle(started("5C 9C KS", starter="4H"))
    assert move is not None
    assert move["type"] == "draw_card"
    bot.handle(drawn(ME, "QH"))
    assert bot.handle(turn(BOB)) is None
    assert hand_of(bot) == Counter(["5C", "9C", "KS", "QH"])


def test_its_own_play_leaves_its_hand_and_becomes_the_top_card():
    bot = new_bot()
    move = bot.handle(started("5H 9C KS", starter="9H"))
    card = played_card(move)
    assert bot.handle(played(ME, card.code)) is None
    assert not bot.table.my_turn  # between the play and the turn_changed that follows it
    assert bot.handle(turn(BOB)) is None
    assert card.code not in hand_of(bot)
    assert bot.table.top == card
    assert sum(hand_of(bot).values()) == 2


def test_another_players_draw_does_not_touch_its_hand():
    bot = new_bot()
    bot.handle(started("5H 9C KS", starter="9H", first=BOB))
    bot.handle(drawn(BOB))
    assert hand_of(bot) == Counter(["5H", "9C", "KS"])


def test_one_move_per_position_and_an_unrelated_entry_keeps_it_valid():
    bot = new_bot()
    move = bot.handle(started("5H 9C KS", starter="9H"))
    assert move is not None
    epoch = bot.epoch
    assert bot.handle(entry("player_reconnected", player=BOB)) is None
    assert bot.still_wants(epoch)


def test_a_turn_timeout_makes_a_decided_move_stale():
    bot = new_bot()
    assert bot.handle(started("5H 9C KS", starter="9H")) is not None
    epoch = bot.epoch
    assert bot.handle(entry("turn_timeout", player=ME)) is None
    assert not bot.still_wants(epoch)
    bot.handle(drawn(ME, "2S"))
    assert bot.handle(turn(BOB)) is None
    assert hand_of(bot) == Counter(["5H", "9C", "KS", "2S"])


def test_its_applied_moves_are_counted_from_the_log():
    bot = new_bot()
    bot.handle(started("5H 9C KS", starter="9H"))
    bot.handle(played(ME, "5H"))
    bot.handle(turn(BOB))
    bot.handle(drawn(BOB))
    bot.handle(turn(ME))
    bot.handle(drawn(ME, "4D"))
    assert bot.moves_applied == 2


def test_entries_already_processed_are_ignored():
    bot = new_bot()
    game = started("5H 9C KS", starter="9H", first=BOB)
    bot.handle(game)
    draw = drawn(BOB)
    bot.handle(draw)
    assert bot.handle(game) is None
    assert bot.handle(draw) is None
    assert bot.last_seq == draw["seq"]
    assert bot.games_played == 1


def test_after_a_reconnect_the_same_move_is_offered_again_with_the_same_action_id():
    bot = new_bot()
    move = bot.handle(started("5H 9C KS", starter="9H"))
    again = bot.handle({"type": "connection_established", "data": {"playerId": ME}, "seq": None})
    assert again == move


def snapshot(hand: str, top: str, current: str, *, awaiting: bool = False, seq: int = 50) -> dict[str, Any]:
    players = [ME, BOB, CID]
    return {
        "type": "session_state",
        "seq": seq,
        "data": {
            "status": "playing",
            "seats": [{"player": p, "name": p.upper(), "seat": i} for i, p in enumerate(players, start=1)],
            "eliminated": [],
            "ranking": None,
            "gameNumber": 1,
            "game": {
                "players": [{"id": p, "handSize": 3, "finished": False, "active": True} for p in players],
                "currentPlayer": current,
                "topCard": wire(top)[0],
                "demandedSuit": None,
                "pendingPenalty": 0,
                "awaitingSuit": awaiting,
                "hand": wire(hand),
            },
        },
    }


def test_a_refused_move_asks_for_a_resync_and_the_snapshot_gives_a_new_move():
    bot = new_bot()
    move = bot.handle(started("5H 9C KS", starter="9H"))
    assert move is not None
    refusal = {"type": "invalid_action", "data": {"code": "INVALID_PLAY", "message": "no", "actionId": "x"}}
    assert bot.handle(refusal) is None
    assert resyncing(bot)
    assert bot.log == ["invalid_action INVALID_PLAY: no"]
    assert not bot.still_wants(bot.epoch)
    assert bot.handle(drawn(BOB)) is None  # nothing is decided on a picture that was refused
    reconnected = {"type": "connection_established", "data": {"playerId": ME}, "seq": None}
    assert bot.handle(reconnected) is None  # not even the refused move again: wait for the snapshot
    fresh = bot.handle(snapshot("4C 8C", top="8H", current=ME))
    assert not resyncing(bot)
    assert played_card(fresh).code == "8C"
    assert fresh is not None
    assert fresh["data"]["actionId"] != move["data"]["actionId"]
    assert bot.last_seq == 50
    assert bot.table.name_of(BOB) == "BOB"


def test_a_snapshot_awaiting_its_suit_choice_gets_a_choose_suit():
    bot = new_bot()
    move = bot.handle(snapshot("4C 8C 9H", top="JD", current=ME, awaiting=True))
    assert move is not None
    assert move["type"] == "choose_suit"
    assert move["data"]["suit"] == "clubs"


def test_a_snapshot_with_another_players_turn_waits():
    bot = new_bot()
    assert bot.handle(snapshot("4C 8C", top="8H", current=BOB)) is None


def test_elimination_and_the_end_of_the_tournament():
    bot = new_bot()
    bot.handle(started("5H 9C KS", starter="9H", first=BOB))
    bot.handle(entry("game_finished", loser=ME, placements=[BOB, CID, ME], reason="last_player"))
    bot.handle(entry("player_eliminated", player=ME, gameNumber=1))
    assert bot.table.eliminated
    assert not finished(bot)
    assert bot.handle(started("", starter="4S", first=BOB, players=(BOB, CID))) is None
    assert bot.games_played == 1
    bot.handle(entry("tournament_finished", winner=BOB, ranking=[BOB, CID, ME], games=2))
    assert finished(bot)
    assert bot.rank == 3


def test_another_players_kick_changes_nothing_for_the_bot():
    bot = new_bot()
    move = bot.handle(started("5H 9C KS", starter="9H"))
    assert move is not None
    assert bot.handle(entry("player_kicked", player=CID, reason="rude")) is None  # the same move, decided once
    assert bot.still_wants(bot.epoch)
    assert not finished(bot)
    assert bot.table.stopped is None


def test_its_own_kick_stops_it_and_drops_the_decided_move():
    bot = new_bot()
    move = bot.handle(started("5H 9C KS", starter="9H"))
    assert move is not None
    decided_at = bot.epoch
    assert bot.handle(entry("player_kicked", player=ME, reason="rude")) is None
    assert finished(bot)
    assert (bot.table.stopped, bot.table.stop_reason) == ("kicked", "rude")
    assert not bot.still_wants(decided_at)
    assert not bot.still_wants(bot.epoch)
    assert bot.rank is None
    assert bot.handle(entry("player_left_session", player=ME)) is None


def test_an_ended_session_stops_it_without_a_rank():
    bot = new_bot()
    bot.handle(started("5H 9C KS", starter="9H", first=BOB))
    assert bot.handle(entry("session_ended", reason="maintenance", gameNumber=1, by="operator")) is None
    assert finished(bot)
    assert (bot.table.stopped, bot.table.stop_reason) == ("ended", "maintenance")
    assert bot.rank is None
    assert bot.handle(turn(ME)) is None  # nothing is played after the end


def test_a_snapshot_of_a_session_ended_by_an_operator_stops_it():
    bot = new_bot()
    ended = snapshot("5H 9C", top="9H", current=ME)
    ended["data"]["status"] = "finished"  # finished without a ranking: only an operator's end does that
    assert bot.handle(ended) is None
    assert finished(bot)
    assert (bot.table.stopped, bot.table.stop_reason) == ("ended", "")
    ranked = snapshot("5H 9C", top="9H", current=ME)
    ranked["data"].update(status="finished", ranking=[BOB, ME, CID])
    other = new_bot()
    assert other.handle(ranked) is None
    assert (other.table.stopped, other.rank) == (None, 2)


# ---------------------------------------------------------------- whole games through the engine's views


def play_whole_game(players: int, seed: int) -> int:
    """Every player is a BotPlayer fed the engine's events as frames; returns the number of moves."""
    names = [f"p{i}" for i in range(players)]
    state, events = rules.new_game(names, seed)
    bots = {name: BotPlayer(name, rng=random.Random(seed * 31 + i)) for i, name in enumerate(names)}
    for name, bot in bots.items():
        bot.handle({"type": "connection_established", "data": {"playerId": name}})
    seq = 0
    decided: dict[str, tuple[int, dict[str, Any]]] = {}
    moves = 0
    while True:
        for event in events:
            seq += 1
            for name, bot in bots.items():
                frame = {"type": rules.event_type(event), "data": rules.event_view(event, name), "seq": seq}
                reply = bot.handle(frame)
                if reply is not None:
                    assert name == state.current_player, f"{name} acted out of turn"
                    decided[name] = (bot.epoch, reply)
        for name, bot in bots.items():
            assert hand_of(bot) == Counter(c.code for c in state.hand_of(name)), name
        if state.loser is not None:
            assert not decided or all(not bots[n].still_wants(e) for n, (e, _) in decided.items())
            return moves
        mover = state.current_player
        assert mover is not None
        epoch, move = decided.pop(mover)
        assert bots[mover].still_wants(epoch)
        assert all(not bots[n].still_wants(e) for n, (e, _) in decided.items())
        data = move["data"]
        action: rules.Action
        if move["type"] == "play_card":
            card = card_from_wire(data["card"])
            assert (card.rank is Rank.JACK) == ("chosenSuit" in data)
            action = rules.Play(mover, card, data.get("chosenSuit"))
        elif move["type"] == "draw_card":
            action = rules.Draw(mover)
        else:
            action = rules.ChooseSuit(mover, data["suit"])
        state, events = rules.apply(state, action)  # raises RuleViolation on an illegal move
        moves += 1
        assert moves < 5000


@pytest.mark.slow
@pytest.mark.parametrize("players", [2, 3, 5, 8])
def test_bots_play_whole_games_legally_and_track_their_hands(players):
    total = sum(play_whole_game(players, seed) for seed in range(8))
    assert total > 8 * players  # real games, not instant ones


def test_a_session_token_names_its_seat() -> None:
    from checkgame.auth import TokenCodec
    from checkgame.bots.client import BotError, seat_from_token

    token = TokenCodec("s" * 40).issue_session("p1", "sess1", "Ann", "u1", 1000.0)
    seat = seat_from_token("https://games.example/", token)
    assert (seat.session_id, seat.player_id, seat.name) == ("sess1", "p1", "Ann")
    assert seat.ws_url == f"wss://games.example/api/v1/ws?token={token}"
    with pytest.raises(BotError, match="not a session token"):
        seat_from_token("http://x", "garbage")
