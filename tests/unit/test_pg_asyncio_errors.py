"""An asyncio error nobody retrieves (asyncpg's, while PostgreSQL drops connections) is logged, not fatal."""

from __future__ import annotations

import logging

import pytest
import trio

from checkgame.store._pg_conn import asyncio_loop


async def test_an_unretrieved_asyncio_error_is_one_log_line(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="checkgame.store.postgres"):
        async with asyncio_loop() as loop:
            loop.call_exception_handler(
                {"message": "Future exception was never retrieved", "exception": ConnectionError("connection lost")}
            )
            await trio.sleep(0.01)  # trio-asyncio's own handler would raise it in the loop's nursery by now
    assert [record.getMessage() for record in caplog.records] == [
        "asyncio: Future exception was never retrieved (ConnectionError('connection lost'))"
    ]
