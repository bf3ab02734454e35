"""Costly answers are remembered while the database shows the same data (registry/memo.py), and
worked out afresh after any write: in this transaction, or committed by another."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from registry import memo
from tests.factories import make_site


def test_a_write_in_the_same_transaction_changes_the_answer(db: Session) -> None:
    memo.forget()
    calls: list[int] = []

    def work() -> list[Any]:
        calls.append(1)
        return list(db.execute(text("SELECT code FROM site WHERE code LIKE 'MEMO-%' ORDER BY code")).scalars())

    assert memo.remembered(db, "sites", work) == []
    assert memo.remembered(db, "sites", work) == [] and len(calls) == 1  # read twice, worked out once
    make_site(db, code="MEMO-1", lon=106.7, lat=20.85)
    assert memo.remembered(db, "sites", work) == ["MEMO-1"] and len(calls) == 2
    db.execute(text("UPDATE site SET code = 'MEMO-2' WHERE code = 'MEMO-1'"))  # a write the ORM never saw
    assert memo.remembered(db, "sites", work) == ["MEMO-2"] and len(calls) == 3


def test_a_commit_elsewhere_changes_the_answer_and_big_answers_are_not_kept(engine: Engine) -> None:
    memo.forget()
    with engine.connect() as c:
        c.execute(text("CREATE TABLE IF NOT EXISTS memo_probe (n int)"))
        c.commit()
    try:
        with Session(engine) as reader, Session(engine) as writer:
            count = lambda: [reader.execute(text("SELECT count(*) FROM memo_probe")).scalar_one()]  # noqa: E731
            first = memo.remembered(reader, "probe", count)
            reader.commit()
            writer.execute(text("INSERT INTO memo_probe VALUES (1)"))
            writer.commit()
            assert memo.remembered(reader, "probe", count) == [first[0] + 1]
            reader.commit()
            big = memo.remembered(reader, "big", lambda: list(range(10)), max_items=5)
            assert memo.remembered(reader, "big", lambda: [], max_items=5) == [] and big == list(range(10))
    finally:
        with engine.connect() as c:
            c.execute(text("DROP TABLE memo_probe"))
            c.commit()
