"""The message buffer: fragments joined, and a message refused the moment it passes the limit, keeping nothing."""

from __future__ import annotations

import pytest
from wsproto.events import BytesMessage, TextMessage

from checkgame.transport.ws.assembly import MessageBuffer, MessageTooBigError


def test_fragments_make_one_message_and_the_buffer_starts_over() -> None:
    buffer = MessageBuffer(10)
    assert buffer.extend(TextMessage("ab", message_finished=False)) is None
    assert buffer.extend(TextMessage("cé", message_finished=True)) == "abcé"
    assert buffer.extend(BytesMessage(b"", message_finished=True)) == b""


def test_the_limit_counts_utf8_bytes_across_fragments() -> None:
    buffer = MessageBuffer(5)
    buffer.extend(TextMessage("éé", message_finished=False))  # four bytes
    with pytest.raises(MessageTooBigError):
        buffer.extend(TextMessage("xy", message_finished=False))
    assert buffer.refused
    assert buffer.extend(BytesMessage(b"12345", message_finished=True)) == b"12345"  # nothing of the refused one kept
