"""Parsed rows staged and checked a batch at a time while the next batch is parsed.

Python parses (holding the GIL); the database stages and checks. A thread of its own sends each batch
(``staging.copy_rows``, then ``Plan.batch``) and waits for the server, which lets the parsing go on
meanwhile: the two use both cores instead of taking turns. The thread is the import session's only
user until ``close`` has joined it; at most ``QUEUED`` batches wait for it, so memory stays bounded
whatever the file's length. Its first statement reads the registry's fingerprint (``seen``, before
any check reads the registry), while the first batch is being parsed.
"""

from __future__ import annotations

import queue
import threading
from typing import Any

from sqlalchemy.orm import Session

from registry.stations.importer import staging
from registry.stations.importer.plan import Plan, registry_state

QUEUED = 2  # batches parsed ahead of the database at most


class Batches:
    def __init__(self, session: Session, plan: Plan) -> None:
        self.session = session
        self.plan = plan
        self.waiting: queue.Queue[tuple[list[tuple[Any, ...]], int, int] | None] = queue.Queue(QUEUED)
        self.error: BaseException | None = None
        # What the checks read of the registry from the first batch on (plan.registry_state): a change
        # committed meanwhile is seen when the writes begin. Set by the thread before its first batch.
        self.seen: tuple[int, ...] = ()
        self.thread = threading.Thread(target=self._run, name="import-batches", daemon=True)
        self.thread.start()

    def send(self, rows: list[tuple[Any, ...]], first: int, last: int) -> None:
        """Stage and check rows ``first``..``last`` (``rows``: the parsed ones among them, each
        ``staging.staged(row)``); raises what went wrong with an earlier batch."""
        self._raise()
        self.waiting.put((rows, first, last))

    def close(self, *, raising: bool = True) -> None:
        """Wait for every batch sent; raises what went wrong with one (unless not ``raising``)."""
        self.waiting.put(None)
        self.thread.join()
        if raising:
            self._raise()

    def _raise(self) -> None:
        # Kept once raised: the thread goes on draining, never running a batch after a failed one.
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        try:
            self.seen = registry_state(self.session)
        except BaseException as exc:  # handed to the parsing thread, which raises it
            self.error = exc
        while (item := self.waiting.get()) is not None:
            if self.error is not None:
                continue  # a batch failed (its transaction is aborted): the rest are only drained
            rows, first, last = item
            try:
                staging.copy_rows(self.session, rows)
                self.plan.batch(first, last)
            except BaseException as exc:  # handed to the parsing thread, which raises it
                self.error = exc
