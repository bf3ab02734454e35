"""A TCP relay on 127.0.0.1 between a test engine and PostgreSQL that a test can cut and restore.

Cutting it closes every relayed connection and the listening socket, so new connections are
refused, as when PostgreSQL is stopped; restoring listens on the same port again. One thread with a
selector moves the bytes; the shared cluster itself is never touched.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading


class Relay:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._sel = selectors.DefaultSelector()
        self._peers: dict[socket.socket, socket.socket] = {}
        self._listener: socket.socket | None = None
        self._commands: list[tuple[str, threading.Event]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listen()
        self._thread = threading.Thread(target=self._run, name="db-relay", daemon=True)
        self._thread.start()

    # --- control (any thread) --------------------------------------------------------------------

    def cut(self) -> None:
        """Close every relayed connection and refuse new ones."""
        self._command("cut")

    def restore(self) -> None:
        self._command("restore")

    def close(self) -> None:
        self._command("cut")
        self._stop.set()
        self._thread.join(timeout=5)

    @property
    def connections(self) -> int:
        return len(self._peers) // 2

    def _command(self, name: str) -> None:
        done = threading.Event()
        with self._lock:
            self._commands.append((name, done))
        if not done.wait(timeout=5):
            raise RuntimeError(f"relay did not {name} within 5 s")

    # --- the relay thread ------------------------------------------------------------------------

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        listener.setblocking(False)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._sel.register(listener, selectors.EVENT_READ, "accept")

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                commands, self._commands = self._commands, []
            for name, done in commands:
                if name == "cut":
                    for sock in list(self._peers):
                        self._drop(sock)
                    if self._listener is not None:
                        self._sel.unregister(self._listener)
                        self._listener.close()
                        self._listener = None
                elif name == "restore" and self._listener is None:
                    self._listen()
                done.set()
            for key, _ in self._sel.select(timeout=0.05):
                if key.data == "accept":
                    self._accept()
                else:
                    self._pipe(key.fileobj)  # type: ignore[arg-type]
        for sock in list(self._peers):
            self._drop(sock)

    def _accept(self) -> None:
        assert self._listener is not None
        try:
            client, _ = self._listener.accept()
        except BlockingIOError:
            return
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        for a, b in ((client, upstream), (upstream, client)):
            a.settimeout(5)  # a stuck peer cannot stall the relay for more than this
            self._peers[a] = b
            self._sel.register(a, selectors.EVENT_READ, "pipe")

    def _pipe(self, sock: socket.socket) -> None:
        other = self._peers.get(sock)
        if other is None:
            return
        try:
            data = sock.recv(65536)
            if data:
                other.sendall(data)
                return
        except OSError:
            pass
        self._drop(sock)

    def _drop(self, sock: socket.socket) -> None:
        other = self._peers.pop(sock, None)
        for s in (sock, other):
            if s is None:
                continue
            self._peers.pop(s, None)
            with contextlib.suppress(KeyError, ValueError):
                self._sel.unregister(s)
            s.close()
