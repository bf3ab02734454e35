"""The desk receives a dossier in a page, without a browser: the documents ticked and added land in the
dossier, the signed-in officer is its actor; the appointment shown before saving (the «Xem ngày hẹn»
post and the JSON the script asks) is the one the dossier gets, here for a paper dossier received after
15:00 on the Friday before the 2 September 2026 holidays; each refusal comes back filled with nothing
saved; roles that may not receive get a 403 page; hostile text is only text on the receipt."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.procedures.models import Dossier
from tests.html_reader import elements, text
from tests.procedures.helpers import make_procedure

CODE = "1.004194.000.00.00.H27"
LATER = "1.009999.000.00.00.H27"
NEW = "/office/dossiers/new"
EVIL = "<script>alert('x')</script>"
REQUIRED = [
    {"name": "Đơn đề nghị chấp thuận vị trí lắp đặt cột ăng ten (theo mẫu)", "form": "Bản chính", "copies": 1,
     "required": True},
    {"name": "Bản sao giấy phép thiết lập mạng viễn thông công cộng", "form": "Bản sao có chứng thực", "copies": 1,
     "required": True},
    {"name": "Văn bản chấp thuận độ cao công trình", "form": "Bản sao", "copies": 1, "required": False},
]  # fmt: skip
# Friday 28/08/2026 at 15:30, paper: 31/08–02/09 are off, so the time counts from Thursday 03/09.
FRIDAY_LATE = "28/08/2026 15:30"


@pytest.fixture
def procs(db: Session) -> None:
    p = make_procedure(db, CODE, name="Chấp thuận vị trí lắp đặt cột ăng ten thu, phát sóng thông tin di động")
    p.required_documents = REQUIRED
    p.fees = "Không"
    make_procedure(db, LATER, name="Thủ tục chưa áp dụng", effective_from=date(2099, 1, 1))
    db.flush()


def filled(html: str, **changes: str) -> dict[str, str]:
    """The form's inputs as the page drew them (ticked boxes only, not the script's row templates), with
    ``changes`` (the selects too)."""
    data: dict[str, str] = {}
    for el in elements(html, "input"):
        name, kind = el.attrs.get("name"), el.attrs.get("type", "text")
        if name and "__i__" not in name and not (kind == "checkbox" and "checked" not in el.attrs):
            data[name] = el.attrs.get("value", "")
    return {**data, **changes}


def count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Dossier)) or 0


def test_the_desk_receives_a_dossier_with_its_documents(
    cookie_client: Callable[..., TestClient], db: Session, procs: None
) -> None:
    c = cookie_client("one_stop_officer", username="mot-cua-1")
    empty = c.get(NEW)
    assert empty.status_code == 200
    options = [o.attrs["value"] for o in elements(empty.text, "option") if o.attrs.get("data-search")]
    assert CODE in options and LATER not in options  # only the procedures in force today
    search = next(o for o in elements(empty.text, "option") if o.attrs.get("value") == CODE).attrs["data-search"]
    assert "chap thuan vi tri lap dat cot ang ten" in search  # what the search box matches, without diacritics

    form = c.get(NEW, params={"procedure": CODE})
    html = form.text
    assert [e.attrs["value"] for e in elements(html, "input") if e.attrs.get("name", "").endswith(".name")
            and e.attrs.get("value")] == [d["name"] for d in REQUIRED]  # fmt: skip
    ticked = [e.attrs["name"] for e in elements(html, "input", type="checkbox") if "checked" in e.attrs]
    assert ticked == ["documents.0.received", "documents.1.received"]  # required ones ticked, the optional not
    assert "Không" in elements(html, id="proc-fee")[0].text
    assert elements(html, id="appointment-date")[0].text  # an appointment shown before anything is typed

    # «Xem ngày hẹn» for a paper dossier received after 15:00 on the Friday before the holidays.
    data = filled(html, **{"channel": "post", "received_at": FRIDAY_LATE, "applicant.name": "Công ty Viễn thông A",
                           "applicant.kind": "organisation", "applicant.email": "vt@example.vn"})  # fmt: skip
    data.update({"documents.3.name": "Bản vẽ thiết kế cột ăng ten", "documents.3.form": "Bản chính",
                 "documents.3.copies": "2", "documents.2.received": "1", "documents.1.copies": "2"})  # fmt: skip
    preview = c.post(NEW, data={**data, "preview": "1"})
    assert preview.status_code == 200 and count(db) == 0
    assert elements(preview.text, id="appointment-start")[0].text == "03/09/2026"
    shown = elements(preview.text, id="appointment-date")[0].text
    reason = elements(preview.text, id="appointment-reason")[0].text
    assert "Nhận từ 15:00 trở đi" in reason and shown in reason
    assert elements(preview.text, id="f-applicant-name")[0].attrs["value"] == "Công ty Viễn thông A"  # kept
    asked = c.get(f"{NEW}/appointment", params={"procedure": CODE, "channel": "post", "received_at": FRIDAY_LATE})
    assert asked.status_code == 200 and asked.json()["appointment"]["due_date"] == shown
    assert [d["name"] for d in asked.json()["procedure"]["documents"]] == [d["name"] for d in REQUIRED]
    online = c.get(f"{NEW}/appointment", params={"procedure": CODE, "channel": "online", "received_at": FRIDAY_LATE})
    assert online.json()["appointment"]["counted_from"] == "28/08/2026"  # online: 17:00 is the cut-off

    again = {"channel": "post", "applicant.kind": "organisation"}
    saved = c.post(NEW, data=filled(preview.text, **again), follow_redirects=False)
    assert saved.status_code == 303, text(saved.text)[:2000]
    d = db.scalars(select(Dossier)).one()
    assert saved.headers["location"] == f"/api/dossiers/{d.receipt_code}/receipt"
    assert d.due_date.strftime("%d/%m/%Y") == shown and d.channel == "post"
    assert d.events[0].actor == "mot-cua-1"
    assert d.documents_received == [
        {"name": REQUIRED[0]["name"], "form": "Bản chính", "copies": 1},
        {"name": REQUIRED[1]["name"], "form": "Bản sao có chứng thực", "copies": 2},
        {"name": REQUIRED[2]["name"], "form": "Bản sao", "copies": 1},
        {"name": "Bản vẽ thiết kế cột ăng ten", "form": "Bản chính", "copies": 2},
    ]
    receipt = c.get(saved.headers["location"])
    assert receipt.status_code == 200
    assert elements(receipt.text, id="who")[0].text == "mot-cua-1"
    cells = [row.text for row in elements(receipt.text, "tr") if "bản" in row.text and "Bản" in row.text]
    assert any("Bản vẽ thiết kế cột ăng ten" in row and "2 bản" in row for row in cells)
    assert elements(receipt.text, id="receipt-documents-note") == []  # no blank lines: documents listed


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"applicant.name": ""}, "f-applicant-name"),
        ({"procedure_code": "9.999999.000.00.00.H27"}, "f-procedure_code"),
        ({"procedure_code": LATER}, "f-procedure_code"),
        ({"applicant.email": "không phải thư"}, "f-applicant-email"),
        ({"received_at": "31/02/2026 10:00"}, "f-received_at"),
        ({"received_at": "01/01/2099 10:00"}, "f-received_at"),
        ({"channel": "fax"}, "f-channel"),
        ({"documents.0.copies": "-1"}, "f-documents-0-copies"),
        ({f"documents.{i}.name": f"Giấy tờ {i}" for i in range(3, 63)}, "f-documents"),
        ({"applicant.name": "x" * 5000}, "f-applicant-name"),
        ({"applicant.name": "", "documents.__i__.name": EVIL, "documents.99999.name": EVIL}, "f-applicant-name"),
    ],
)
def test_refusals_come_back_filled_and_save_nothing(
    cookie_client: Callable[..., TestClient], db: Session, procs: None, changes: dict[str, str], field: str
) -> None:
    c = cookie_client("one_stop_officer")
    html = c.get(NEW, params={"procedure": CODE}).text
    data = filled(html, **{"applicant.name": "Nguyễn Văn B", "applicant.kind": "person", "channel": "in_person"})
    r = c.post(NEW, data={**data, **changes})
    assert r.status_code == 422, text(r.text)[:1500]
    assert count(db) == 0
    summary = elements(r.text, id="error-summary")
    assert summary and any(a.attrs.get("href") == f"#{field}" for a in elements(r.text, "a")), text(r.text)[:1500]
    if "applicant.email" in changes:  # what was typed comes back
        assert elements(r.text, id="f-applicant-email")[0].attrs["value"] == changes["applicant.email"]


def test_only_the_desk_receives(cookie_client: Callable[..., TestClient], procs: None) -> None:
    for role in ("viewer", "licensing_officer", "inspector"):
        c = cookie_client(role)
        page = c.get(NEW)
        assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")
        assert c.get(f"{NEW}/appointment", params={"procedure": CODE}).status_code == 403
        assert not elements(c.get("/office/").text, "a", href=NEW)  # no «Tiếp nhận hồ sơ» on their home
    admin = cookie_client("admin")
    assert admin.get(NEW).status_code == 200
    desk = cookie_client("one_stop_officer").get("/office/").text
    assert [a.text for a in elements(desk, "a", href=NEW)] == ["Tiếp nhận hồ sơ"]


def test_hostile_text_is_only_text_on_the_receipt(
    cookie_client: Callable[..., TestClient], db: Session, procs: None
) -> None:
    c = cookie_client("one_stop_officer")
    html = c.get(NEW, params={"procedure": CODE}).text
    data: dict[str, Any] = filled(html, **{"applicant.name": EVIL, "applicant.kind": "person",
                                          "channel": "in_person", "documents.3.name": EVIL})  # fmt: skip
    saved = c.post(NEW, data=data, follow_redirects=False)
    assert saved.status_code == 303
    receipt = c.get(saved.headers["location"]).text
    assert EVIL not in receipt and EVIL in text(receipt)
    assert EVIL in elements(receipt, id="receipt-docs")[0].text


def test_the_admin_lists_a_procedures_documents_as_rows(
    cookie_client: Callable[..., TestClient], db: Session, procs: None
) -> None:
    admin = cookie_client("admin")
    edit = f"/office/admin/procedures/{CODE}/edit"
    html = admin.get(edit).text
    assert elements(html, id="f-required_documents-0-name")[0].attrs["value"] == REQUIRED[0]["name"]
    assert "checked" not in elements(html, id="f-required_documents-2-required")[0].attrs  # optional
    assert "checked" in elements(html, id="f-required_documents-3-required")[0].attrs  # a new row: required
    data = filled(html, **{"required_documents.1.name": "", "required_documents.1.form": "",
                           "required_documents.1.copies": "", "required_documents.3.name": "Bản vẽ thiết kế",
                           "required_documents.3.form": "Bản chính", "required_documents.3.copies": "2"})  # fmt: skip
    bad = admin.post(edit, data={**data, "required_documents.0.copies": "0"})
    assert bad.status_code == 422 and "Giấy tờ 1: số lượng" in text(bad.text)
    assert elements(bad.text, id="f-required_documents-3-name")[0].attrs["value"] == "Bản vẽ thiết kế"  # kept
    saved = admin.post(edit, data=data, follow_redirects=False)
    assert saved.status_code == 303
    p = admin.get(f"/api/procedures/{CODE}").json()
    assert [(d["name"], d["copies"], d["required"]) for d in p["required_documents"]] == [
        (REQUIRED[0]["name"], 1, True), (REQUIRED[2]["name"], 1, False), ("Bản vẽ thiết kế", 2, True)
    ]  # fmt: skip
    page = admin.get(f"/office/admin/procedures/{CODE}").text
    rows = [r.text for r in elements(page, "tr") if "Bản vẽ thiết kế" in r.text]
    assert rows and "2 bản" in rows[0] and "Bắt buộc" in rows[0]
    assert "Thành phần hồ sơ" in text(page)  # the history names the change
    assert "Chưa ghi thành phần hồ sơ" not in text(page)
