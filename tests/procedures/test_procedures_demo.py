"""The demo catalogue and dossiers reproduce the department's published figures, computed from the records."""

from __future__ import annotations

from collections import Counter
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fixtures.procedures_demo import load_procedures
from registry.procedures.models import Dossier, Procedure


def test_demo_reports_show_the_published_figures(db: Session, anon: TestClient) -> None:
    assert "37 thủ tục" in load_procedures(db)
    levels = Counter(db.scalars(select(Procedure.online_level)))
    assert levels == {2: 8, 3: 29}
    y2019 = anon.get("/api/reports/dossiers", params={"from": "2019-01-01", "to": "2019-12-31"}).json()
    assert y2019["figures"] == {
        "received": 1429, "carried_over": 0, "new": 1429, "resolved": 1264, "resolved_early": 897,
        "resolved_on_time": 367, "resolved_late": 0, "resolved_on_time_or_early": 1264, "refused": 9, "returned": 0,
        "withdrawn": 0, "pending_within_deadline": 165, "pending_overdue": 0,
    }  # fmt: skip
    h1 = anon.get("/api/reports/dossiers", params={"from": "2020-01-01", "to": "2020-06-30"}).json()
    assert h1["figures"] == {
        "received": 487, "carried_over": 165, "new": 322, "resolved": 317, "resolved_early": 241,
        "resolved_on_time": 76, "resolved_late": 0, "resolved_on_time_or_early": 317, "refused": 4, "returned": 0,
        "withdrawn": 0, "pending_within_deadline": 170, "pending_overdue": 0,
    }  # fmt: skip
    split = {r["online_level"]: (r["count"], r["share_percent"]) for r in h1["catalogue"]["by_online_level"]}
    assert split == {2: (8, 21.62), 3: (29, 78.38)}
    # Computed, not stored: a dossier removed changes the figure.
    assert db.scalar(select(func.count()).select_from(Dossier).where(Dossier.received_on < date(2020, 1, 1))) == 1429
    # 2026 went through the desk: histories with several steps, an apology, open and overdue dossiers.
    y2026 = anon.get("/api/reports/dossiers", params={"from": "2026-01-01", "to": "2026-11-27"}).json()["figures"]
    assert y2026["new"] > 50 and y2026["resolved_late"] >= 2 and y2026["pending_overdue"] >= 1
    assert "bỏ qua" in load_procedures(db)
