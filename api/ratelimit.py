"""A small per-client rate limit for the public dossier lookup, so receipt codes cannot be guessed.

Fixed windows per client address (``api.clients.client_address``: the TCP peer, or the address a
configured trusted proxy forwarded; never a header a client wrote itself), in bounded memory: at most
``public_lookup_max_clients`` addresses are remembered, the least recently seen forgotten first.
Limits are settings (``TTTT_PUBLIC_LOOKUP_*``); the limiter is rebuilt when the application's
settings object changes (tests give each their own).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict

from fastapi import Request

from api.clients import client_address
from registry.errors import TooManyAttempts
from registry.settings import Settings


class WindowLimiter:
    def __init__(self, limit: int, window_s: float, max_clients: int) -> None:
        self.limit, self.window_s, self.max_clients = limit, window_s, max_clients
        self._hits: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> float | None:
        """Count one request of ``key``; the seconds to wait when it is over the limit, else None."""
        now = time.monotonic() if now is None else now
        with self._lock:
            start, count = self._hits.pop(key, (now, 0))
            if now - start >= self.window_s:
                start, count = now, 0
            count += 1
            self._hits[key] = (start, count)
            while len(self._hits) > self.max_clients:
                self._hits.popitem(last=False)
            if count > self.limit:
                return max(0.0, start + self.window_s - now)
            return None

    def __len__(self) -> int:
        return len(self._hits)


def _limiter(request: Request) -> WindowLimiter:
    settings: Settings = request.app.state.settings
    state = request.app.state
    current = getattr(state, "lookup_limiter", None)
    if current is None or current[0] is not settings:
        limiter = WindowLimiter(
            settings.public_lookup_limit, settings.public_lookup_window_seconds, settings.public_lookup_max_clients
        )
        state.lookup_limiter = current = (settings, limiter)
    return current[1]  # type: ignore[no-any-return]


def public_lookup_limit(request: Request) -> None:
    """A dependency: 429 with Retry-After once a client address has used up its look-ups."""
    client = client_address(request)
    wait = _limiter(request).hit(client)
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise TooManyAttempts(f"Tra cứu quá nhiều lần từ địa chỉ này; thử lại sau {seconds} giây", retry_after=seconds)
