"""The documents a procedure requires (thành phần hồ sơ) and those the desk received with a dossier:
kept by the API, refused when malformed, and told in words in the history."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.api.helpers import problem
from tests.procedures.helpers import make_procedure

CODE = "1.000001.000.00.00.H27"
DOCS = [
    {"name": "Đơn đề nghị cấp giấy phép (theo mẫu)", "form": "Bản chính", "copies": 1, "required": True},
    {"name": "Bản sao giấy chứng nhận đăng ký doanh nghiệp", "form": "Bản sao có chứng thực", "copies": 1},
    {"name": "Văn bản ủy quyền", "form": "Bản chính", "copies": 1, "required": False},
]


def words_of(history: dict[str, Any]) -> str:
    return repr([e["words"] for e in history["events"]])


def test_required_documents_kept_changed_and_told(client: TestClient, db: Session) -> None:
    make_procedure(db, CODE)
    p = client.get(f"/api/procedures/{CODE}")
    assert p.json()["required_documents"] == []
    r = client.patch(
        f"/api/procedures/{CODE}", json={"required_documents": DOCS}, headers={"If-Match": p.headers["etag"]}
    )
    assert r.status_code == 200, r.text
    got = r.json()["required_documents"]
    assert [d["name"] for d in got] == [d["name"] for d in DOCS]
    assert got[1]["required"] is True and got[2]["required"] is False  # default: required
    assert r.json()["version"] == p.json()["version"] + 1
    # Malformed rows are refused with their field named.
    for bad in (
        [{"name": "", "form": "Bản chính", "copies": 1}],
        [{"name": "Đơn", "form": "Bản chính", "copies": 0}],
        [{"name": "Đơn", "form": "Bản chính", "copies": 1}] * 51,
    ):
        body = problem(
            client.patch(
                f"/api/procedures/{CODE}", json={"required_documents": bad}, headers={"If-Match": r.headers["etag"]}
            ),
            422,
        )
        assert body["errors"][0]["field"].startswith("required_documents")
    same = client.patch(
        f"/api/procedures/{CODE}", json={"required_documents": DOCS}, headers={"If-Match": r.headers["etag"]}
    )
    assert same.json()["version"] == r.json()["version"]  # nothing changed: no new version
    history = client.get("/api/audit", params={"entity": "procedure"})
    assert history.status_code == 200, history.text
    told = repr(history.json())
    assert "Thành phần hồ sơ" in told and "Đơn đề nghị cấp giấy phép (theo mẫu) (Bản chính, 1 bản)" in told


def test_documents_received_with_a_dossier(client: TestClient, db: Session) -> None:
    make_procedure(db, CODE)
    body: dict[str, Any] = {
        "procedure_code": CODE,
        "applicant": {"kind": "organisation", "name": "Công ty Mẫu"},
        "channel": "in_person",
        "received_at": "2026-03-02T09:00:00+07:00",
        "documents": [
            {"name": "Đơn đề nghị cấp giấy phép (theo mẫu)", "form": "Bản chính", "copies": 2},
            {"name": "Bản vẽ thiết kế"},
        ],
    }
    r = client.post("/api/dossiers", json=body)
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["documents"] == [
        {"name": "Đơn đề nghị cấp giấy phép (theo mẫu)", "form": "Bản chính", "copies": 2},
        {"name": "Bản vẽ thiết kế", "form": "Bản chính", "copies": 1},
    ]
    history = client.get(f"/api/dossiers/{d['receipt_code']}/history").json()
    assert "Bản vẽ thiết kế (Bản chính, 1 bản)" in words_of(history)
    none = client.post("/api/dossiers", json={**body, "documents": []}).json()
    assert none["documents"] == []
    too_many = {**body, "documents": [{"name": "Giấy tờ"}] * 51}
    assert problem(client.post("/api/dossiers", json=too_many), 422)["errors"][0]["field"].startswith("documents")
    negative = {**body, "documents": [{"name": "Giấy tờ", "copies": -1}]}
    assert problem(client.post("/api/dossiers", json=negative), 422)["errors"][0]["field"].startswith("documents")
