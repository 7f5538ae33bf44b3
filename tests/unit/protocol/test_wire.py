"""The typed protocol: every entry type round-trips, and its wire JSON is exactly the one docs/protocol.md shows."""

from __future__ import annotations

import json
import random
import re
import types
import typing
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from checkgame import protocol, rules
from checkgame.sessions import Entry
from checkgame.sessions.entries import game_entry
from checkgame.transport.ws import codec
from tests.support.games import GameSetup, Policy, run_game

DOCS = Path(__file__).parents[3] / "docs" / "protocol.md"

_ints = st.integers(min_value=-(2**53), max_value=2**53)
_texts = st.text(max_size=12)


def _values(annotation: Any) -> st.SearchStrategy[Any]:
    """Values of a protocol field's type (JSON-representable: bounded ints, finite floats)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(_values(arg) for arg in args))
    if origin is tuple:
        return st.lists(_values(args[0]), max_size=4).map(tuple)
    if origin is dict:
        return st.dictionaries(_values(args[0]), _values(args[1]), max_size=4)
    if annotation is protocol.WireCard:
        return st.sampled_from([protocol.WireCard(**rules.card_to_wire(card)) for card in rules.DECK])
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: _texts,
        int: _ints,
        bool: st.booleans(),
        float: st.floats(allow_nan=False, allow_infinity=False),
        type(None): st.none(),
    }
    return simple[annotation]


def _payloads(kind: type[protocol.EntryData]) -> st.SearchStrategy[protocol.EntryData]:
    hints = typing.get_type_hints(kind)
    fields = {f.name: _values(hints[f.name]) for f in msgspec.structs.fields(kind)}
    return st.fixed_dictionaries(fields).map(lambda values: kind(**values))


payloads = st.sampled_from(sorted(protocol.ENTRY_TYPES.values(), key=lambda k: k.TYPE)).flatmap(_payloads)


@given(payloads, st.one_of(st.none(), _texts), st.booleans())
def test_every_entry_type_round_trips_through_the_socket_and_the_redis_ring(
    data: protocol.EntryData, game_id: str | None, with_private: bool
) -> None:
    private = {"ann": data} if with_private else None
    entry = Entry(7, data, 1767225600.5, game_id, private)
    assert Entry.decode(entry.encode()) == entry
    assert Entry.from_dict(json.loads(json.dumps(entry.to_dict()))) == entry
    frame = json.loads(codec.encode_entry(entry, "ann", "s1"))
    assert frame["type"] == data.TYPE
    assert protocol.decode_data(frame["type"], frame["data"]) == data


def _documented_frames() -> list[str]:
    block = re.search(r"```jsonl\n(.*?)```", DOCS.read_text(), re.DOTALL)
    assert block is not None, "docs/protocol.md lost its entry examples"
    return block.group(1).splitlines()


@pytest.mark.parametrize("line", _documented_frames())
def test_each_documented_frame_is_exactly_what_the_server_sends(line: str) -> None:
    frame = json.loads(line)
    data = protocol.decode_data(frame["type"], frame["data"])  # a missing or mistyped field fails here
    entry = Entry(frame["seq"], data, frame["timestamp"], frame["gameId"])
    assert codec.encode_entry(entry, None, frame["sessionId"]) == line  # an extra or misnamed one fails here


def test_every_entry_type_is_documented_and_nothing_else() -> None:
    documented = {json.loads(line)["type"] for line in _documented_frames()}
    assert documented == set(protocol.ENTRY_TYPES)
    table = DOCS.read_text()
    for kind in protocol.ENTRY_TYPES:
        assert f"| `{kind}` |" in table, f"{kind} has no row in the table of server frames"


def test_a_type_name_is_its_class_name() -> None:
    for name, kind in protocol.ENTRY_TYPES.items():
        assert re.sub(r"(?<!^)([A-Z])", r"_\1", kind.__name__).lower() == name


def test_decoding_refuses_an_unknown_type_by_name_and_a_malformed_payload_by_field() -> None:
    with pytest.raises(protocol.UnknownEntryTypeError, match="'table_flipped'"):  # chat_message is one now
        protocol.decode_data("table_flipped", {"text": "hi"})
    with pytest.raises(msgspec.ValidationError, match="player"):
        protocol.decode_data("turn_skipped", {})


def test_a_newer_nodes_entry_is_kept_and_forwarded_unchanged() -> None:
    """During a rolling upgrade a node reads entries of types it does not know from the ring and the fan-out."""
    record = (
        b'{"seq":4,"type":"table_flipped","data":{"from":"ann","text":"gg","n":[1,2]},"timestamp":9.5,'
        b'"gameId":null,"private":{"bob":{"from":"ann","text":"gg","n":[1,2],"whisper":true}}}'
    )
    entry = Entry.decode(record)
    assert entry.type == "table_flipped"
    assert entry.data == protocol.UnknownEntry("table_flipped", {"from": "ann", "text": "gg", "n": [1, 2]})
    assert entry.encode() == record
    assert Entry.from_dict(json.loads(json.dumps(entry.to_dict()))) == entry
    seen_by_bob = json.loads(codec.encode_entry(entry, "bob", "s1"))
    assert seen_by_bob["type"] == "table_flipped"
    assert seen_by_bob["data"] == {"from": "ann", "text": "gg", "n": [1, 2], "whisper": True}


def test_a_ring_record_written_before_the_typed_protocol_still_reads() -> None:
    """The Redis ring keeps the record format it had (``{seq, type, data, timestamp, gameId, private}``)."""
    old = (
        b'{"seq":3,"type":"card_drawn","data":{"player":"ann","count":1,"penalty":false},"timestamp":12.5,'
        b'"gameId":"s1-1","private":{"ann":{"player":"ann","count":1,"penalty":false,'
        b'"cards":[{"rank":"Joker","color":"black"}]}}}'
    )
    entry = Entry.decode(old)
    seven = protocol.WireCard("Joker", color="black")
    assert entry == Entry(
        3,
        protocol.CardDrawn("ann", 1, False),
        12.5,
        "s1-1",
        {"ann": protocol.CardDrawn("ann", 1, False, (seven,))},
    )
    assert json.loads(entry.encode()) == json.loads(old)


def test_game_entries_are_the_engines_views_byte_for_byte() -> None:
    """The typed payload of each engine event encodes to exactly :func:`rules.event_view`'s JSON, for every viewer."""
    kinds = set()
    for seed in range(16):
        players = ("ann", "bob", "cid")[: 2 + seed % 2]
        policy = Policy(leave_rate=0.01, draw_rate=0.4, split_jack_rate=0.5)
        _, _, events = run_game(GameSetup(players, seed, hand_size=3 + seed % 5), random.Random(seed), policy)
        for event in events:
            kinds.add(type(event))
            for viewer in (None, *players, "stranger"):
                typed = msgspec.json.encode(game_entry(event, viewer))
                assert typed == msgspec.json.encode(rules.event_view(event, viewer)), (event, viewer)
            assert rules.event_type(event) == game_entry(event, None).TYPE
    assert kinds == set(typing.get_args(rules.Event))  # every kind of event was compared


CONNECTION_FRAMES: list[tuple[protocol.ConnectionData, dict[str, Any]]] = [
    (
        protocol.ConnectionEstablished("u-ann", "node-1", 60.0, 4096),
        {"playerId": "u-ann", "node": "node-1", "heartbeatSeconds": 60.0, "maxMessageBytes": 4096},
    ),
    (protocol.Ping(3), {"nonce": 3}),
    (protocol.Pong({"sent": 1.5}), {"nonce": {"sent": 1.5}}),
    (protocol.Pong(None), {"nonce": None}),
    (protocol.ActionAck("a1", duplicate=True), {"actionId": "a1", "duplicate": True}),
    (protocol.InvalidAction("NOT_YOUR_TURN", "wait"), {"code": "NOT_YOUR_TURN", "message": "wait"}),
    (
        protocol.InvalidAction("CARD_NOT_IN_HAND", "no", {"card": "7H"}, "a2"),
        {"code": "CARD_NOT_IN_HAND", "message": "no", "details": {"card": "7H"}, "actionId": "a2"},
    ),
    (
        protocol.Error("RATE_LIMITED", "slow down", {"retryAfter": 2}),
        {"code": "RATE_LIMITED", "message": "slow down", "details": {"retryAfter": 2}},
    ),
]


@pytest.mark.parametrize(("data", "expected"), CONNECTION_FRAMES)
def test_a_connection_frame_is_sent_as_documented(data: protocol.ConnectionData, expected: dict[str, Any]) -> None:
    """docs/protocol.md: frames without a ``seq``; absent ``details`` and ``actionId`` are left out, not null."""
    text = codec.encode(data.TYPE, data, session_id="s1", timestamp=2.5)
    envelope = {"type": data.TYPE, "data": expected, "seq": None, "timestamp": 2.5, "sessionId": "s1", "gameId": None}
    assert text == json.dumps(envelope, separators=(",", ":"))
    assert msgspec.convert(json.loads(text)["data"], type(data)) == data


def test_every_connection_frame_type_is_covered_and_named_in_the_docs() -> None:
    assert {type(data) for data, _ in CONNECTION_FRAMES} == set(protocol.CONNECTION_TYPES.values())
    prose = DOCS.read_text()
    for kind in protocol.CONNECTION_TYPES:
        assert f"`{kind}`" in prose
