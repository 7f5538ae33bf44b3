"""Server frames rendered once: the JSON text and its WebSocket frame bytes, shared by every viewer of a view.

The session hub (:mod:`checkgame.rooms.hub`) asks the :class:`FrameRenderer`
for an entry's public frame once and for a private one only where a seat sees
more; each :class:`Frame` carries both the text (the protocol, docs/protocol.md)
and the encoded, unmasked WebSocket frame, so writing it to N sockets costs N
``send`` calls and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from checkgame import protocol, sessions
from checkgame.sessions import Entry, SessionState
from checkgame.transport.ws import codec
from checkgame.transport.ws.wire import encode_text_frame

__all__ = ["Frame", "FrameRenderer", "batches"]


class Frame:
    """One server message, ready for the wire."""

    __slots__ = ("count", "text", "type", "wire")

    def __init__(self, type_: str, text: str, count: int = 1) -> None:
        self.type = type_
        """The message ``type`` (``batch`` for an array of frames), for the metrics."""
        self.text = text
        self.wire = encode_text_frame(text)
        """The WebSocket frame: header and payload, unmasked, the same for every socket."""
        self.count = count
        """Protocol frames it carries (more than one in a batch)."""

    @classmethod
    def of(cls, data: protocol.ConnectionData, *, session_id: str | None, clock: Callable[[], float]) -> Frame:
        """A frame that is not a log entry (``connection_established``, ``pong``, ``error``...)."""
        return cls(data.TYPE, codec.encode(data.TYPE, data, session_id=session_id, timestamp=clock()))


class FrameRenderer:
    """Renders log entries and snapshots of one node's sessions (the hub's :class:`~checkgame.rooms.hub.Renderer`)."""

    def __init__(self, session_id: str, clock: Callable[[], float]) -> None:
        self._session_id = session_id
        self._clock = clock

    def entry(self, entry: Entry, viewer: str | None) -> Frame:
        """``entry`` as ``viewer`` may see it (None: the public view)."""
        return Frame(entry.type, codec.encode_entry(entry, viewer, self._session_id))

    def snapshot(self, state: SessionState, viewer: str | None) -> Frame:
        """``session_state``: the whole session as ``viewer`` may see it (None: a spectator's public view)."""
        text = codec.encode(
            "session_state",
            sessions.snapshot(state, viewer),
            session_id=state.id,
            seq=state.seq,
            timestamp=self._clock(),
            game_id=state.game_id,
        )
        return Frame("session_state", text)

    def batches(self, frames: Sequence[Frame]) -> list[Frame]:
        """Frames as JSON array messages, in order, each within the batch bounds (clients that asked ``batch=1``)."""
        return batches(frames)


def batches(frames: Sequence[Frame]) -> list[Frame]:
    """``frames`` as few messages as :data:`codec.BATCH_MAX_FRAMES` and :data:`codec.BATCH_MAX_CHARS` allow;
    a message of one frame is that frame itself (a plain object, not an array of one). A batch among ``frames``
    (the hub's, written while the connection was held) is spliced in: arrays never nest."""
    messages: list[Frame] = []
    group: list[Frame] = []
    count = size = 0
    for frame in frames:
        if group and (count >= codec.BATCH_MAX_FRAMES or size >= codec.BATCH_MAX_CHARS):
            messages.append(_joined(group))
            group, count, size = [], 0, 0
        group.append(frame)
        count += frame.count
        size += len(frame.text)
    if group:
        messages.append(_joined(group))
    return messages


def _joined(group: list[Frame]) -> Frame:
    if len(group) == 1:
        return group[0]
    members = [frame.text[1:-1] if frame.type == "batch" else frame.text for frame in group]  # see codec.batch
    return Frame("batch", codec.batch(members), sum(frame.count for frame in group))
