"""The public lookup (rate limit, nothing personal, hostile input) and the legacy import (all or nothing,
row and column named)."""

from __future__ import annotations

import random
import string
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.procedures.models import Dossier, DossierEvent
from registry.settings import Settings
from registry.tabular import write_csv
from tests.api.helpers import media_type, page_problem, problem
from tests.conftest import ClientAs
from tests.procedures.helpers import make_procedure

HEADERS = ["receipt_code", "procedure_code", "applicant", "channel", "received_at", "due_date", "status",
           "resolved_at", "returned_at"]  # fmt: skip
P = "1.000021.000.00.00.H27"


def _upload(c: TestClient, rows: list[list[str]], headers: list[str] = HEADERS, **params: str) -> object:
    return c.post(
        "/api/imports/dossiers", params=params, files={"file": ("cu.csv", write_csv(headers, rows), "text/csv")}
    )


def test_import_all_or_nothing(db: Session, client_as: ClientAs) -> None:
    make_procedure(db, P, value=10)
    desk = client_as("one_stop_officer")
    good = [
        ["000.00.27.H27-190301-0001", P, "Công ty TNHH Thử", "trực tiếp", "01/03/2019 10:15", "", "Đã trả kết quả",
         "2019-03-12", "2019-03-13"],
        ["000.00.27.H27-190301-0002", P, "Trần Văn Thử", "online", "2019-03-01 17:45", "2019-03-20", "in_progress",
         "", ""],
        ["000.00.27.H27-190301-0003", P, "Lê Thị Thử", "post", "2019-03-04", "", "sent_back", "2019-03-05", ""],
    ]  # fmt: skip
    dry = _upload(desk, good, dry_run="true")
    assert dry.status_code == 200, dry.text
    assert dry.json()["created"] == 3 and db.scalar(select(func.count()).select_from(Dossier)) == 0
    bad = good + [
        ["000.00.27.H27-190301-0001", "9.9", "", "fax", "31/02/2019", "x", "done", "", "2019-01-01"],
    ]
    body = problem(_upload(desk, bad), 422)
    errors = {(e["row"], e["column"]) for e in body["errors"]}
    assert {(5, "receipt_code"), (5, "procedure_code"), (5, "applicant"), (5, "channel"), (5, "received_at"),
            (5, "due_date"), (5, "status")} <= errors, errors  # fmt: skip
    assert db.scalar(select(func.count()).select_from(Dossier)) == 0
    done = _upload(desk, good)
    assert done.status_code == 200 and done.json()["created"] == 3
    rows = {d.receipt_code: d for d in db.scalars(select(Dossier))}
    first = rows["000.00.27.H27-190301-0001"]
    # Friday 1/3/2019 10:15 in person, 10 working days → 15/3; resolved 12/3 → early.
    assert (first.due_date.isoformat(), first.status, first.result, first.applicant_kind) == (
        "2019-03-15", "returned", "approved", "organisation"
    )  # fmt: skip
    assert rows["000.00.27.H27-190301-0002"].due_date.isoformat() == "2019-03-20"  # as printed by the old system
    assert rows["000.00.27.H27-190301-0003"].sent_back_on.isoformat() == "2019-03-05"
    assert db.scalar(select(func.count()).select_from(DossierEvent)) == 3 + 2 + 1 + 1
    again = problem(_upload(desk, good[:1]), 422)
    assert again["errors"][0]["message"] == "Mã hồ sơ đã có trong sổ"
    missing = problem(_upload(desk, [["x"]], headers=["receipt_code"]), 422)
    assert {e["column"] for e in missing["errors"]} >= {"Mã thủ tục", "Người nộp"}
    problem(client_as("licensing_officer").post("/api/imports/dossiers", files={"file": ("a.csv", b"x")}), 403)


def test_public_lookup_is_rate_limited(db: Session, anon: TestClient, settings: Settings) -> None:
    settings.public_lookup_limit = 3
    settings.public_lookup_window_seconds = 60
    for _ in range(3):
        problem(anon.get("/public/dossiers/VT-260302-AAAAA-BBBBB"), 404)
    blocked = anon.get("/public/dossiers/VT-260302-AAAAA-BBBBB")
    body = problem(blocked, 429)
    assert 1 <= int(blocked.headers["retry-after"]) <= 60 and "thử lại" in body["detail"]
    problem(anon.get("/public/dossiers/a%20b"), 429)  # invalid codes count too


def test_limiter_memory_is_bounded() -> None:
    from api.ratelimit import WindowLimiter

    limiter = WindowLimiter(limit=2, window_s=10, max_clients=100)
    for i in range(10_000):
        limiter.hit(f"10.0.{i // 256}.{i % 256}", now=float(i))
    assert len(limiter) == 100
    assert limiter.hit("a", now=0) is None and limiter.hit("a", now=1) is None
    assert limiter.hit("a", now=2) == 8.0
    assert limiter.hit("a", now=10.5) is None  # a new window


def test_fuzz_lookup_and_report_parameters(db: Session, anon: TestClient, settings: Settings) -> None:
    settings.public_lookup_limit = 10_000
    rng = random.Random(11)
    alphabet = string.printable + "đĐơ€\u0000\u202e🙂%/?#"
    for _ in range(150):
        raw = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        r = anon.get("/public/dossiers/" + quote(raw, safe=""))
        assert r.status_code < 500, (raw, r.status_code)
        if r.status_code >= 400 and r.status_code != 405:
            assert media_type(r) == "application/problem+json", (raw, r.text)
        s, u = raw[:12], raw[-12:]
        rep = anon.get("/api/reports/dossiers", params={"from": s, "to": u, "format": rng.choice(["json", "xlsx", s])})
        assert rep.status_code in (200, 422), (s, u, rep.text)
        monthly = anon.get("/api/reports/dossiers/monthly", params={"from": "1900-01-01", "to": "2999-12-31"})
        assert monthly.status_code == 422
    assert (
        problem(anon.get("/api/reports/dossiers", params={"from": "2020-02-01", "to": "2020-01-01"}), 422)["errors"][0][
            "field"
        ]
        == "to"
    )


def test_pages(anon: TestClient) -> None:
    page = anon.get("/pages/dossiers/dashboard", params={"from": "2019-01-01", "to": "2019-12-31"})
    assert page.status_code == 200 and "chart.umd.min.js" in page.text and "Kết quả giải quyết" in page.text
    assert "http://" not in page.text.split("<script")[1] and "https://" not in page.text
    lookup = anon.get("/pages/dossiers/lookup", params={"code": "</script><b>x"})
    assert lookup.status_code == 200 and "</script><b>" not in lookup.text
    page_problem(anon.get("/pages/dossiers/dashboard", params={"from": "2020-01-01", "to": "2019-01-01"}), 422)
