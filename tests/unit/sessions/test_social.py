"""Chat and spectators in the session machine: limits, channels, mutes, reports, spectator counts."""

from __future__ import annotations

import msgspec
import pytest

from checkgame import protocol, sessions
from checkgame.errors import ClientError
from checkgame.sessions import Chat, DeleteChat, Join, MuteChat, ReportChat, Seat, SessionSettings, Unwatch, Watch
from checkgame.sessions.social import CHAT_MAX_CHARS, REPORT_MAX_CHARS


def table() -> sessions.SessionState:
    state = sessions.new_session("S", Seat("ann", "Ann"), 1, SessionSettings(spectator_delay_s=10.0), 0.0)
    return sessions.apply(state, Join("bob", "Bob"), 1.0).state


def refused(state: sessions.SessionState, command: sessions.Command, code: str) -> None:
    with pytest.raises(ClientError) as info:
        sessions.apply(state, command, 2.0)
    assert info.value.code == code


def test_a_chat_message_is_one_entry_for_its_channel_with_the_text_trimmed_of_controls() -> None:
    state = table()
    outcome = sessions.apply(state, Chat("ann", "Ann", "players", "  gl\u202e hf\n "), 2.0)
    (entry,) = outcome.entries
    assert (entry.type, entry.seq) == ("chat_message", state.seq + 1)
    assert entry.data == protocol.ChatMessage("players", "ann", "Ann", "gl hf")
    wire = {"channel": "players", "from": "ann", "name": "Ann", "text": "gl hf"}
    assert msgspec.to_builtins(entry.data) == wire
    assert sessions.Entry.decode(entry.encode()) == entry  # through the Redis ring and back
    assert sessions.audience(entry) is sessions.Audience.PLAYERS
    spectators = sessions.apply(outcome.state, Chat("w1", "Wes", "spectators", "go"), 3.0).entries[0]
    assert sessions.audience(spectators) is sessions.Audience.SPECTATORS


def test_chat_refuses_empty_too_long_wrong_channel_and_muted_senders() -> None:
    state = table()
    refused(state, Chat("ann", "Ann", "players", " \n\t"), "VALIDATION_ERROR")
    refused(state, Chat("ann", "Ann", "players", "x" * (CHAT_MAX_CHARS + 1)), "MESSAGE_TOO_LONG")
    sessions.apply(state, Chat("ann", "Ann", "players", "x" * CHAT_MAX_CHARS), 2.0)  # the limit itself is fine
    refused(state, Chat("ann", "Ann", "everyone", "hi"), "VALIDATION_ERROR")
    refused(state, Chat("w1", "Wes", "players", "hi"), "NOT_IN_SESSION")
    refused(state, Chat("ann", "Ann", "spectators", "hi"), "NOT_A_SPECTATOR")
    muted = sessions.apply(state, MuteChat("bob"), 2.0)
    assert muted.entries[0].data == protocol.ChatMuted("bob", muted=True)
    refused(muted.state, Chat("bob", "Bob", "players", "hi"), "CHAT_MUTED")
    unmuted = sessions.apply(muted.state, MuteChat("bob", muted=False), 3.0).state
    assert unmuted.chat_muted == ()
    sessions.apply(unmuted, Chat("bob", "Bob", "players", "thanks"), 4.0)


def test_a_report_is_for_operators_and_a_deletion_for_everyone() -> None:
    said = sessions.apply(table(), Chat("ann", "Ann", "players", "hi"), 2.0)
    seq = said.state.seq
    report = sessions.apply(said.state, ReportChat("bob", seq, "spam"), 3.0).entries[0]
    assert msgspec.to_builtins(report.data) == {"messageSeq": seq, "reporter": "bob", "reason": "spam"}
    assert sessions.audience(report) is sessions.Audience.OPERATORS
    refused(said.state, ReportChat("bob", seq + 5), "MESSAGE_NOT_FOUND")
    refused(said.state, ReportChat("bob", seq, "x" * (REPORT_MAX_CHARS + 1)), "VALIDATION_ERROR")
    deleted = sessions.apply(said.state, DeleteChat(seq), 3.0).entries[0]
    assert (deleted.type, deleted.data) == ("chat_deleted", protocol.ChatDeleted(seq))
    assert sessions.audience(deleted) is sessions.Audience.EVERYONE


def test_spectators_are_counted_per_node_capped_per_table_and_lost_with_their_node() -> None:
    state = table()
    for node in ("n1", "n1", "n2"):
        outcome = sessions.apply(state, Watch(node, cap=3), 2.0)
        state = outcome.state
    assert outcome.entries[0].data == protocol.SpectatorsChanged(3)
    assert state.spectators == (("n1", 2), ("n2", 1))
    refused(state, Watch("n2", cap=3), "SPECTATORS_FULL")
    assert sessions.snapshot(state, None)["spectators"] == 3
    state = sessions.apply(state, Unwatch("n2"), 3.0).state
    assert state.spectators == (("n1", 2),)
    lost = sessions.apply(state, sessions.NodeLost("n1"), 4.0)
    assert lost.state.spectator_count == 0
    assert [e.data for e in lost.entries] == [protocol.SpectatorsChanged(0)]
    assert sessions.apply(lost.state, Unwatch("n1"), 5.0).state.spectators == ()  # never below zero


def test_spectators_mutes_and_the_delay_survive_serialisation() -> None:
    state = sessions.apply(table(), Watch("n1", cap=5), 2.0).state
    state = sessions.apply(state, MuteChat("bob"), 2.0).state
    again = sessions.from_dict(sessions.to_dict(state))
    assert again == state
    assert again.settings.spectator_delay_s == 10.0
    older = sessions.to_dict(table())
    older["settings"] = older["settings"][:6]
    del older["spectators"], older["chat_muted"]
    assert sessions.from_dict(older).settings.spectator_delay_s == 0.0
