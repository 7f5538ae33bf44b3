"""Objects the garbage collector must walk for each connection waiting for its next message.

A node's connections spend most of their life waiting for the client's next
frame, and each wait holds a chain of coroutines, a cancel scope and Trio's
wake-up closure. A player's wait lasts about as long as the table's pace (~2 s),
longer than the time between two young collections, so everything in that
chain is walked by every young collection that runs meanwhile; at 2,500 players
that set, not the moves, sets the length of the collector's pauses
(docs/performance.md, "Collector pauses").

This serves ``--connections`` lean WebSockets over socket pairs, each in a loop
shaped like the player's (``receive_until`` a deadline), lets every one handle a
message, freezes everything that existed before, lets each handle one more, and
counts the tracked objects created since that are still alive: the objects one
waiting connection holds.

    python bench/wait_objects.py [--connections 500] [--json out.json]
"""

from __future__ import annotations

import argparse
import collections
import gc
import json
from typing import Any

import trio
import trio.testing
from wsproto.frame_protocol import FrameProtocol

from checkgame.transport.ws.wire import Limits, WebSocket

PING = bytes(FrameProtocol(client=True, extensions=[]).send_data('{"type":"ping","data":{}}', fin=True))


async def _serve(websocket: WebSocket, handled: list[int]) -> None:
    while True:
        await websocket.receive_until(trio.current_time() + 60)
        handled[0] += 1


async def measure(connections: int) -> dict[str, Any]:
    handled = [0]
    clients: list[trio.socket.SocketType] = []
    async with trio.open_nursery() as nursery:
        for _ in range(connections):
            server, client = trio.socket.socketpair()
            websocket = WebSocket(trio.SocketStream(server), nursery, Limits(), b"")
            nursery.start_soon(_serve, websocket, handled)
            clients.append(client)

        async def one_message_each() -> None:
            target = handled[0] + connections
            for client in clients:
                await client.send(PING)
            await trio.testing.wait_all_tasks_blocked()  # every connection handled it and waits again
            assert handled[0] == target, "a connection did not handle its message"

        await one_message_each()
        gc.collect()
        gc.freeze()
        await one_message_each()
        alive = gc.get_objects()
        gc.unfreeze()
        kinds = collections.Counter(type(o).__qualname__ for o in alive)
        nursery.cancel_scope.cancel()
    return {
        "connections": connections,
        "objectsPerWaitingConnection": round(len(alive) / connections, 2),
        "byType": {kind: round(count / connections, 2) for kind, count in kinds.most_common(16)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--json", help="also write the result to this file")
    args = parser.parse_args()
    result = trio.run(measure, args.connections)
    print(f"tracked objects per waiting connection: {result['objectsPerWaitingConnection']}")
    for kind, count in result["byType"].items():
        print(f"  {count:6.2f}  {kind}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out, indent=1)


if __name__ == "__main__":
    main()
