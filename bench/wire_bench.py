"""Send-path benchmark: CPU per frame sent to N loopback sockets, the lean layer beside trio-websocket.

One server process holds N upgraded connections; a reader process (not
measured) drains them all. Each round sends one ~200-byte text frame to every
connection, then yields for a millisecond:

- ``wire``: :func:`checkgame.transport.ws.wire.encode_text_frame` once per round,
  the same bytes handed to every connection with ``send_nowait`` (a direct
  write; a writer task only if a socket pushes back);
- ``trio-websocket``: ``await send_message(text)`` on each connection in turn
  (each encodes its own frame and awaits ``send_all``).

It prints the server's CPU time (user + system, ``time.process_time``) over the
rounds divided by the frames sent. A benchmark, never a test.

    python bench/wire_bench.py [--connections 500] [--rounds 2000] [--stack wire|trio-websocket|both]
"""

from __future__ import annotations

import argparse
import os
import platform
import selectors
import socket
import sys
import time
from functools import partial

import trio
import trio.lowlevel
import trio_websocket

from checkgame.transport.ws.upgrade import open_websocket, receive_upgrade
from checkgame.transport.ws.wire import WebSocket, encode_text_frame

TEXT = '{"type":"card_played","data":{"player":"p1","card":{"suit":"hearts","rank":"7"},"next":"p2"},"seq":%d}'
HEAD = (
    b"GET /bench HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


def read(port: int, connections: int) -> None:
    """The reader process: open the connections, then drain them until the server goes away."""
    selector = selectors.DefaultSelector()
    for _ in range(connections):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(HEAD)
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
    total, open_sockets = 0, connections
    while open_sockets:
        for key, _ in selector.select():
            conn = key.fileobj
            assert isinstance(conn, socket.socket)
            try:
                data = conn.recv(1 << 16)
            except BlockingIOError:
                continue
            except ConnectionResetError:
                data = b""
            if not data:
                selector.unregister(conn)
                conn.close()
                open_sockets -= 1
            else:
                total += len(data)
    print(f"reader: {total / 1e6:.1f} MB received", file=sys.stderr)


async def measure(stack: str, connections: int, rounds: int) -> float:
    """Serve ``connections`` with ``stack``, send the rounds, return µs of CPU per frame sent."""
    ready = trio.Event()
    wire_sockets: list[WebSocket] = []
    tws_sockets: list[trio_websocket.WebSocketConnection] = []

    def one_more() -> None:
        if len(wire_sockets) + len(tws_sockets) == connections:
            ready.set()

    async def serve_wire(stream: trio.SocketStream) -> None:
        upgrade = await receive_upgrade(stream)
        async with trio.open_nursery() as nursery, open_websocket(stream, upgrade, nursery) as websocket:
            wire_sockets.append(websocket)
            one_more()
            async for _ in websocket:
                pass

    async def serve_tws(request: trio_websocket.WebSocketRequest) -> None:
        tws_sockets.append(await request.accept())
        one_more()
        await trio.sleep_forever()

    async with trio.open_nursery() as nursery:
        if stack == "wire":
            listeners = await nursery.start(partial(trio.serve_tcp, serve_wire, 0, host="127.0.0.1"))
            port = listeners[0].socket.getsockname()[1]
        else:
            server = await nursery.start(trio_websocket.serve_websocket, serve_tws, "127.0.0.1", 0, None)
            port = server.port
        reader = await trio.lowlevel.open_process(
            [sys.executable, __file__, "--read", str(port), "-n", str(connections)]
        )
        await ready.wait()
        await trio.sleep(0.5)
        started = time.process_time()
        for seq in range(rounds):
            text = TEXT % seq
            if stack == "wire":
                frame = encode_text_frame(text)
                for websocket in wire_sockets:
                    websocket.send_nowait(frame)
            else:
                for connection in tws_sockets:
                    await connection.send_message(text)
            await trio.sleep(0.001)
        cpu = time.process_time() - started  # the pauses between rounds included: they cost both stacks alike
        nursery.cancel_scope.cancel()
    await reader.wait()
    return cpu / (rounds * connections) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--connections", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--stack", choices=["wire", "trio-websocket", "both"], default="both")
    parser.add_argument("--read", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read:
        read(args.read, args.connections)
        return
    python = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"# {python}, {os.cpu_count()} CPUs, trio {trio.__version__}, trio-websocket {trio_websocket.__version__}")
    print(f"# {args.connections} loopback connections, {args.rounds} rounds, frame of {len(TEXT % 0)} bytes of text")
    for stack in ["wire", "trio-websocket"] if args.stack == "both" else [args.stack]:
        per_frame = trio.run(measure, stack, args.connections, args.rounds)
        print(f"{stack:>15}: {per_frame:6.2f} µs of server CPU per frame sent")


if __name__ == "__main__":
    main()
