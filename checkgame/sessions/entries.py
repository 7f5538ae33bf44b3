"""Entries of a session's event log: what every connection of the session is sent.

An entry's ``data`` is one of the protocol's typed payloads
(:data:`checkgame.protocol.EntryData`), public by default; ``private`` holds,
per player, the version that only that player may see (their dealt hand, the
cards they drew — RULES.md §16). Any node renders an entry for any viewer,
from memory or from Redis (:meth:`Entry.encode` / :meth:`Entry.decode`, the
ring's JSON record ``{seq, type, data, timestamp, gameId, private}``).

:func:`game_entry` turns an engine event into the payload a viewer may see.
It builds the same shape as :func:`checkgame.rules.event_view` (the engine's
JSON view, which stays its public API), typed; a unit test holds the two
equal for every event and viewer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from checkgame import protocol, rules

__all__ = ["Entry", "EntryData", "game_entry", "wire_card", "wire_data"]


EntryData = protocol.EntryData | protocol.UnknownEntry
"""An entry's payload: one of the protocol's, or one of a newer version's kept as it came
(:class:`~checkgame.protocol.UnknownEntry`: stored and sent unchanged, so a rolling upgrade loses no entry)."""


class Entry(msgspec.Struct, frozen=True, gc=False):
    """One numbered event of a session."""

    seq: int
    data: EntryData
    timestamp: float
    game_id: str | None = None
    private: Mapping[str, EntryData] | None = None

    @property
    def type(self) -> str:
        """The protocol message type (``"card_played"``, ...)."""
        return self.data.TYPE

    def data_for(self, viewer: str | None) -> EntryData:
        """``data`` as ``viewer`` may see it."""
        if self.private is not None and viewer is not None:
            return self.private.get(viewer, self.data)
        return self.data

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible form: the Redis ring's record (the fan-out message's ``e`` items)."""
        record: dict[str, Any] = msgspec.to_builtins(self._record())
        return record

    def encode(self) -> bytes:
        """:meth:`to_dict`'s record as JSON, without building the dict."""
        return _encoder.encode(self._record())

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Entry:
        """Inverse of :meth:`to_dict`; a ``type`` this version does not know is kept as an ``UnknownEntry``.

        Raises:
            msgspec.ValidationError: the ``data`` of a known type does not have that type's shape.
        """
        kind = raw["type"]
        private = raw["private"]
        return cls(
            raw["seq"],
            _payload(kind, raw["data"]),
            raw["timestamp"],
            raw["gameId"],
            None if private is None else {p: _payload(kind, d) for p, d in private.items()},
        )

    @classmethod
    def decode(cls, raw: bytes | str) -> Entry:
        """Inverse of :meth:`encode` (raises like :meth:`from_dict`)."""
        return cls.from_dict(_record_decoder.decode(raw))

    def _record(self) -> _Record:
        private = self.private
        if private is not None and type(self.data) is protocol.UnknownEntry:
            private = {p: wire_data(d) for p, d in private.items()}
        return _Record(self.seq, self.data.TYPE, wire_data(self.data), self.timestamp, self.game_id, private)


def wire_data(data: EntryData) -> Any:
    """What encodes to ``data``'s JSON: the Struct itself, or an unknown entry's payload as it came."""
    return data.raw if type(data) is protocol.UnknownEntry else data


def _payload(type_: str, data: Any) -> EntryData:
    try:
        return protocol.decode_data(type_, data)
    except protocol.UnknownEntryTypeError:
        return protocol.UnknownEntry(type_, data)


class _Record(msgspec.Struct, gc=False):
    """The stored form of an entry; field names are the ring's (and the fan-out's) JSON keys."""

    seq: int
    type: str
    data: Any
    timestamp: float
    gameId: str | None  # noqa: N815 -- stored name
    private: Mapping[str, Any] | None


_encoder = msgspec.json.Encoder()
_record_decoder = msgspec.json.Decoder(dict[str, Any])


def _wire_card(card: rules.Card) -> protocol.WireCard:
    if card.suit is None:
        return protocol.WireCard(card.rank.value, color=card.color.value)
    return protocol.WireCard(card.rank.value, suit=card.suit.value)


_WIRE_CARDS = {card: _wire_card(card) for card in rules.DECK}
"""One immutable wire card per card of the deck, shared by every entry."""


def wire_card(card: rules.Card) -> protocol.WireCard:
    """``card`` as the protocol writes it."""
    return _WIRE_CARDS[card]


def _cards(cards: tuple[rules.Card, ...]) -> tuple[protocol.WireCard, ...]:
    return tuple(_WIRE_CARDS[c] for c in cards)


def game_entry(event: rules.Event, viewer: str | None) -> protocol.EntryData:
    """The payload of ``event`` as ``viewer`` may see it (``None``: the public version)."""
    match event:
        case rules.GameStarted(players, hands, starter, first_player, pile):
            return protocol.GameStarted(
                players,
                {p: len(h) for p, h in zip(players, hands, strict=True)},
                _WIRE_CARDS[starter],
                first_player,
                pile,
                _cards(hands[players.index(viewer)]) if viewer in players else None,
            )
        case rules.CardPlayed(player, card, suit, penalty, awaiting):
            return protocol.CardPlayed(
                player, _WIRE_CARDS[card], None if suit is None else suit.value, penalty, awaiting
            )
        case rules.SuitChosen(player, suit):
            return protocol.SuitChosen(player, suit.value)
        case rules.PileReshuffled(size):
            return protocol.PileReshuffled(size)
        case rules.CardsDrawn(player, cards, penalty):
            return protocol.CardDrawn(player, len(cards), penalty, _cards(cards) if viewer == player else None)
        case rules.TurnSkipped(player):
            return protocol.TurnSkipped(player)
        case rules.PlayerFinished(player, place):
            return protocol.PlayerFinished(player, place)
        case rules.TurnChanged(player, penalty, demanded):
            return protocol.TurnChanged(player, penalty, None if demanded is None else demanded.value)
        case rules.GameEnded(loser, placements, reason):
            return protocol.GameFinished(loser, placements, reason.value)
    raise TypeError(f"not an event: {event!r}")  # pragma: no cover - exhaustive over rules.Event
