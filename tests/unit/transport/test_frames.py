"""Batches of rendered frames: one JSON array per message, in order, never an array inside an array."""

from __future__ import annotations

import json

from checkgame.transport.ws import codec
from checkgame.transport.ws.frames import Frame, batches


def frame(n: int) -> Frame:
    return Frame("card_played", json.dumps({"type": "card_played", "seq": n}))


def decoded(message: Frame) -> list[int]:
    value = json.loads(message.text)
    assert isinstance(value, list), "a batch is an array"
    return [item["seq"] for item in value]


def test_a_single_frame_goes_out_as_itself() -> None:
    only = frame(1)
    assert batches([only]) == [only]


def test_frames_are_joined_in_order_and_counted() -> None:
    (message,) = batches([frame(1), frame(2), frame(3)])
    assert message.type == "batch"
    assert message.count == 3
    assert decoded(message) == [1, 2, 3]


def test_a_batch_held_with_other_frames_is_spliced_in_not_nested() -> None:
    # A joining connection holds what the hub writes; the hub may already have batched a commit for it.
    (hub_batch,) = batches([frame(2), frame(3)])
    (message,) = batches([frame(1), hub_batch, frame(4)])
    assert decoded(message) == [1, 2, 3, 4]
    assert message.count == 4


def test_the_frame_bound_counts_the_frames_inside_batches() -> None:
    (big,) = batches([frame(n) for n in range(codec.BATCH_MAX_FRAMES)])
    messages = batches([big, frame(99)])
    assert [decoded(m) if m.type == "batch" else [json.loads(m.text)["seq"]] for m in messages] == [
        list(range(codec.BATCH_MAX_FRAMES)),
        [99],
    ]
