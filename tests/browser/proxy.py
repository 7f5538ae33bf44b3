"""A TCP relay between the browser and the server whose connections a test can cut, like a network drop.

Plain threads and sockets: the browser tests are synchronous (Playwright's sync API), and the relay must
keep accepting while the test cuts what it carries.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class Relay:
    """Listens on 127.0.0.1 and pipes each connection to ``target``; :meth:`cut` drops them all at once."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # the listener was closed
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._closed:
                    client.close()
                    upstream.close()
                    return
                self._open |= {client, upstream}
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        self._drop(source, sink)

    def _drop(self, *sockets: socket.socket) -> None:
        with self._lock:
            for s in sockets:
                if s in self._open:
                    self._open.discard(s)
                    with contextlib.suppress(OSError):  # already closed by the other side
                        s.shutdown(socket.SHUT_RDWR)
                    s.close()

    def cut(self) -> int:
        """Drop every connection in flight (new ones are still accepted); return how many sockets were cut."""
        with self._lock:
            victims = list(self._open)
        self._drop(*victims)
        return len(victims)

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self.listener.close()
        self.cut()
