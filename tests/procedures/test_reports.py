"""The report's figures equal a direct count over dossiers built here (random stories, fixed seed),
for many periods; the breakdowns add up to the totals; the CLI and the API give the same report."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

import registry.db
from registry.calendar.days import VIETNAM
from registry.calendar.service import load
from registry.procedures import reports, service
from registry.procedures.models import Channel, Dossier, Status
from tests.procedures.helpers import make_procedure


def _stories(db: Session, n: int = 400, seed: int = 8) -> list[Dossier]:
    cal = load(db)
    rules = service.deadlines.rules_on(db, date(2019, 10, 1))
    rng = random.Random(seed)
    procs = [
        make_procedure(db, "1.000011.000.00.00.H27", field="telecom", value=5, level=2),
        make_procedure(db, "1.000012.000.00.00.H27", field="press", value=15, unit="calendar_days"),
        make_procedure(db, "1.000013.000.00.00.H27", field="post", value=24, unit="hours"),
    ]
    rows = []
    for i in range(n):
        p = rng.choice(procs)
        day = date(2019, 10, 1) + timedelta(days=rng.randint(0, 300))
        at = datetime.combine(day, time(rng.randint(6, 22), rng.choice((0, 30))), tzinfo=VIETNAM)
        channel = rng.choice(list(Channel))
        _, due = service.deadlines.appointment(cal, received_at=at, channel=channel, value=p.time_value,
                                               unit=p.time_unit, rules=rules)  # fmt: skip
        status = rng.choice([Status.returned, Status.refused, Status.sent_back, Status.withdrawn, Status.in_progress,
                             Status.received, Status.awaiting_supplement, Status.result_ready])  # fmt: skip
        closed = day + timedelta(days=rng.randint(0, 40)) if status not in service.OPEN else None
        apology = rng.random() < 0.1 and closed is not None and status in (Status.returned, Status.result_ready)
        rows.append(
            service.DossierRow(
                receipt_code=f"T-{i:05d}", procedure=p, applicant="Người thử", applicant_kind="person",
                channel=channel, received_at=at, status=status,
                resolved_on=closed, returned_on=closed + timedelta(days=1) if status == Status.returned else None,
                due_date=due + timedelta(days=7) if apology else None,
                apology_on=max(day, due - timedelta(days=2)) if apology else None,
                pre_apology_due_date=due if apology else None,
            )
        )  # fmt: skip
    return service.bulk_create(db, cal, rows, actor="test")


def direct(ds: list[Dossier], since: date, until: date) -> dict[str, int]:
    """The definitions of registry/procedures/reports.py, applied one dossier at a time."""
    c = dict.fromkeys(reports.FIGURES, 0)
    for d in ds:
        closed = d.resolved_on or d.sent_back_on or d.withdrawn_on
        if d.received_on > until or (closed is not None and closed < since):
            continue
        c["carried_over" if d.received_on < since else "new"] += 1
        if d.resolved_on is not None and d.resolved_on <= until:
            if d.apology_on is not None or d.resolved_on > d.due_date:
                c["resolved_late"] += 1
            elif d.resolved_on < d.due_date:
                c["resolved_early"] += 1
            else:
                c["resolved_on_time"] += 1
            c["refused"] += d.result == "refused"
        elif d.sent_back_on is not None and d.sent_back_on <= until:
            c["returned"] += 1
        elif d.withdrawn_on is not None and d.withdrawn_on <= until:
            c["withdrawn"] += 1
        else:
            due = d.due_date
            if d.apology_on is not None and d.apology_on > until:
                due = d.pre_apology_due_date or due
            stopped = d.supplement_since is not None and d.supplement_since <= until and d.supplement_since <= due
            c["pending_within_deadline" if stopped or until <= due else "pending_overdue"] += 1
    c["received"] = c["carried_over"] + c["new"]
    c["resolved"] = c["resolved_early"] + c["resolved_on_time"] + c["resolved_late"]
    c["resolved_on_time_or_early"] = c["resolved_early"] + c["resolved_on_time"]
    return c


def test_report_equals_a_direct_count(db: Session) -> None:
    ds = _stories(db)
    rng = random.Random(3)
    periods = [(date(2019, 1, 1), date(2019, 12, 31)), (date(2020, 1, 1), date(2020, 6, 30)),
               (date(2020, 3, 15), date(2020, 3, 15)), (date(2018, 1, 1), date(2018, 12, 31))]  # fmt: skip
    for _ in range(25):
        a = date(2019, 9, 1) + timedelta(days=rng.randint(0, 420))
        periods.append((a, a + timedelta(days=rng.randint(0, 200))))
    for since, until in periods:
        report = reports.dossier_report(db, since, until)
        expected = direct(ds, since, until)
        assert report["figures"] == expected, (since, until)
        f = report["figures"]
        assert f["received"] == (
            f["resolved"] + f["returned"] + f["withdrawn"] + f["pending_within_deadline"] + f["pending_overdue"]
        )
        for breakdown in ("by_procedure", "by_field", "by_channel", "by_online_level"):
            for key in reports.FIGURES:
                assert sum(r[key] for r in report[breakdown]) == f[key], (breakdown, key)
        for channel in Channel:
            row = next((r for r in report["by_channel"] if r["channel"] == channel.value), None)
            sub = direct([d for d in ds if d.channel == channel.value], since, until)
            assert (row or dict.fromkeys(reports.FIGURES, 0))[reports.FIGURES[0]] == sub["received"]
    assert any(direct(ds, a, b)["resolved_late"] and direct(ds, a, b)["pending_overdue"] for a, b in periods)


def test_report_api_cli_and_excel(db: Session, anon: TestClient, session_factory: sessionmaker[Session],
                                  monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # fmt: skip
    from api.cli import app

    _stories(db, n=60)
    r = anon.get("/api/reports/dossiers", params={"from": "2020-01-01", "to": "2020-06-30"})
    assert r.status_code == 200, r.text
    monthly = anon.get("/api/reports/dossiers/monthly", params={"from": "2020-01-01", "to": "2020-06-30"}).json()
    assert [m["month"] for m in monthly["months"]] == [f"2020-0{m}" for m in range(1, 7)]
    assert sum(m["new"] for m in monthly["months"]) == r.json()["figures"]["new"]
    xlsx = anon.get("/api/reports/dossiers", params={"from": "2020-01-01", "to": "2020-06-30", "format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    monkeypatch.setattr(registry.db, "get_sessionmaker", lambda: session_factory)
    out = CliRunner().invoke(app, ["report", "dossiers", "--from", "2020-01-01", "--to", "2020-06-30"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["figures"] == r.json()["figures"]
    table = CliRunner().invoke(app, ["report", "dossiers", "--from", "2020-01-01", "--to", "2020-06-30", "-f", "table"])
    assert "Mới tiếp nhận trong kỳ" in table.stdout
    target = tmp_path / "bao-cao.xlsx"
    book = CliRunner().invoke(
        app, ["report", "dossiers", "--from", "2020-01-01", "--to", "2020-06-30", "-f", "xlsx", "-o", str(target)]
    )
    assert book.exit_code == 0 and target.read_bytes()[:2] == b"PK"
    from openpyxl import load_workbook

    sheet = load_workbook(target)["Tổng hợp"]
    values = {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}
    assert values["Mới tiếp nhận trong kỳ"] == r.json()["figures"]["new"]
    bad = CliRunner().invoke(app, ["report", "dossiers", "--from", "2020-07-01", "--to", "2020-06-30"])
    assert bad.exit_code == 2
    assert db.scalar(select(Dossier.id).limit(1)) is not None
