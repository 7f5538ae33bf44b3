"""A spectator's delay on trio's fake clock: each frame goes out its table's delay after the hub wrote it."""

from __future__ import annotations

import trio
import trio.testing

from checkgame.transport.ws.frames import Frame
from checkgame.transport.ws.spectator import Delay


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
