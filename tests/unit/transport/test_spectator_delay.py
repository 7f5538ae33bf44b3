"""A spectator's delay on trio's fake clock: each frame goes out its table's delay after the hub wrote it."""

from __future__ import annotations

from types import SimpleNamespace

import trio
import trio.testing

from checkgame import protocol
from checkgame.config import Settings
from checkgame.observability.metrics import Metrics
from checkgame.rooms.admin import NodeMonitor
from checkgame.transport.ws.frames import Frame
from checkgame.transport.ws.spectator import HELD_FRAMES_FACTOR, Delay, Spectator


def frame(name: str) -> Frame:
    return Frame(name, f'{{"type":"{name}"}}')


async def test_frames_go_out_the_delay_after_they_were_written_in_order(mock_clock: trio.testing.MockClock) -> None:
    sent: list[tuple[float, str]] = []
    delay = Delay(10.0, lambda f: sent.append((trio.current_time(), f.type)), max_held=8)
    start = trio.current_time()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(delay.run)
        delay.put(frame("a"))
        mock_clock.jump(4.0)
        delay.put(frame("b"))
        delay.put(frame("c"))
        await trio.testing.wait_all_tasks_blocked()
        mock_clock.jump(5.9)  # 9.9 s after the first: nothing yet
        await trio.testing.wait_all_tasks_blocked()
        assert sent == []
        assert delay.held == 3
        mock_clock.jump(0.1)
        await trio.testing.wait_all_tasks_blocked()
        assert [name for _, name in sent] == ["a"]
        mock_clock.jump(4.0)
        await trio.testing.wait_all_tasks_blocked()
        mock_clock.jump(100.0)  # an idle delay waits for the next frame, however long
        await trio.testing.wait_all_tasks_blocked()
        delay.put(frame("d"))
        mock_clock.jump(10.0)
        await trio.testing.wait_all_tasks_blocked()
        nursery.cancel_scope.cancel()
    assert [(round(at - start, 6), name) for at, name in sent] == [(10.0, "a"), (14.0, "b"), (14.0, "c"), (124.0, "d")]


async def test_a_reader_that_lets_too_many_frames_pile_up_is_refused_more() -> None:
    delay = Delay(60.0, lambda _frame: None, max_held=2)
    assert delay.put(frame("a"))
    assert delay.put(frame("b"))
    assert not delay.put(frame("c"))
    assert delay.held == 2


class _Socket:
    """What a Spectator needs of its WebSocket: sends are recorded with trio's time."""

    def __init__(self) -> None:
        self.sent: list[tuple[float, str]] = []
        self.closed: tuple[int, str] | None = None

    def send_nowait(self, wire: bytes) -> bool:
        self.sent.append((trio.current_time(), wire.decode(errors="replace")))  # a frame header, then the text
        return True

    def close_nowait(self, code: int, reason: str) -> None:
        self.closed = (code, reason)

    def statistics(self) -> SimpleNamespace:
        return SimpleNamespace(queued_frames=0)


def _spectator(delay_s: float) -> tuple[Spectator, _Socket]:
    socket = _Socket()
    services = SimpleNamespace(
        settings=Settings(outbox_size=4), metrics=Metrics(), node=NodeMonitor("n1", 0.0, lambda: 0.0), clock=lambda: 0.0
    )
    spectator = Spectator(
        services,  # type: ignore[arg-type]
        socket,  # type: ignore[arg-type]
        "S",
        "spectator-1",
        "",
        batching=False,
        can_chat=False,
        delay_s=delay_s,
    )
    return spectator, socket


async def test_a_spectator_gets_the_sessions_frames_late_and_its_own_at_once(
    mock_clock: trio.testing.MockClock,
) -> None:
    spectator, socket = _spectator(30.0)
    start = trio.current_time()
    async with trio.open_nursery() as nursery:
        assert spectator._delay is not None
        nursery.start_soon(spectator._delay.run)
        spectator.write(frame("card_played"))  # what the hub writes: the session, held back
        spectator.send(protocol.Ping(1))  # the connection's own: now
        await trio.testing.wait_all_tasks_blocked()
        assert [("ping" in text) for _, text in socket.sent] == [True]
        mock_clock.jump(30.0)
        await trio.testing.wait_all_tasks_blocked()
        nursery.cancel_scope.cancel()
    assert [(at - start, text.endswith('{"type":"card_played"}')) for at, text in socket.sent[1:]] == [(30.0, True)]


async def test_a_live_spectator_is_written_to_at_once_and_one_too_far_behind_is_closed() -> None:
    live, socket = _spectator(0.0)
    live.write(frame("card_played"))
    assert len(socket.sent) == 1
    late, socket = _spectator(60.0)
    for _ in range(4 * HELD_FRAMES_FACTOR + 1):  # outbox_size 4: this many held frames and one more
        late.write(frame("card_played"))
    assert socket.closed is not None
    assert socket.closed[0] == 1013
