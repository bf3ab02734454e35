"""Answers that are costly to work out (the unmet-permit list of every site, the sites with a permit
problem) remembered for as long as the database shows the same data.

The key of an answer is what it depends on (the day, the settings, the filter) and the database
snapshot it was read from: ``pg_current_snapshot()`` names which transactions a reader sees, and two
readers with the same snapshot see the same rows (that is what a snapshot is). Any transaction that
writes takes a transaction id and so moves the next reader's snapshot: the next request works the
answer out afresh. Reads move nothing, so officers paging, sorting and exporting one list share one
working-out. A transaction that wrote sees its own changes: its id and the count of rows it has
written (``pg_stat_xact_user_tables``) are part of the key. An answer is taken from a statement that
starts after the key's, so it is never older than its key says.

Per process, bounded: at most ``ENTRIES`` answers, each of at most ``max_items`` items (a national
unmet list of 350,000 rows is worked out each time rather than held in memory).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sized
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.orm import Session

T = TypeVar("T", bound=Sized)
ENTRIES = 16
_answers: OrderedDict[Hashable, object] = OrderedDict()
_lock = threading.Lock()


def snapshot(session: Session) -> tuple[str, int | None, int]:
    """What the session sees: the snapshot, its own transaction if it wrote, and how many rows it has
    written so far (a transaction's later writes change neither of the first two)."""
    row = session.execute(
        text(
            "SELECT pg_current_snapshot()::text, txid_current_if_assigned(), "
            "(SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables)"
        )
    ).one()
    return str(row[0]), row[1], int(row[2])


def remembered(session: Session, key: Hashable, work: Callable[[], T], *, max_items: int = 50_000) -> T:
    """``work()``'s answer for ``key`` on the data ``session`` sees, worked out once per snapshot. The
    answer is shared: callers copy before changing it."""
    full = (key, snapshot(session))
    with _lock:
        if full in _answers:
            _answers.move_to_end(full)
            return _answers[full]  # type: ignore[return-value]
    answer = work()
    if len(answer) <= max_items:
        with _lock:
            _answers[full] = answer
            while len(_answers) > ENTRIES:
                _answers.popitem(last=False)
    return answer


def forget() -> None:
    with _lock:
        _answers.clear()
