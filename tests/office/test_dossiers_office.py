"""The one-stop desk's back office without a browser: the queue's filters, order and exports; each move
through its form (and the service's refusals, with nothing saved); buttons by state and role; hostile
text escaped; the legacy import's dry run then import; dashboard figures and home cards linking to the queue."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.calendar import service as calendar
from registry.calendar.days import VIETNAM
from registry.procedures import queries
from registry.procedures.models import Procedure
from tests.conftest import ClientAs
from tests.factories import make_permit, make_site
from tests.html_reader import elements, text
from tests.office.conftest import csrf_of
from tests.procedures.helpers import make_procedure

TELECOM = "1.000001.000.00.00.H27"
PRESS = "1.000002.000.00.00.H27"
EVIL = "<script>alert('x')</script>"
DOCUMENTS = [
    {"name": "Đơn đề nghị cấp phép", "form": "bản chính", "copies": 1, "required": True},
    {"name": "Bản sao giấy chứng nhận đăng ký doanh nghiệp", "form": "bản sao", "copies": 1, "required": True},
    {"name": "Bản vẽ thiết kế", "form": "bản chính", "copies": 2, "required": True},
]


def today() -> date:
    return datetime.now(VIETNAM).date()


def dmy(d: date) -> str:
    return f"{d:%d/%m/%Y}"


@pytest.fixture
def procs(db: Session) -> None:
    p = make_procedure(db, TELECOM, field="telecom", value=10, name="Cấp giấy phép xây dựng trạm BTS")
    p.required_documents = DOCUMENTS
    make_procedure(db, PRESS, field="press", value=15, name="Cấp giấy phép xuất bản bản tin")
    db.flush()


def receive(c: TestClient, code: str = TELECOM, *, at: str | None = None, name: str = "Nguyễn Thị Mẫu",
            channel: str = "in_person") -> dict[str, Any]:  # fmt: skip
    body: dict[str, Any] = {"procedure_code": code, "applicant": {"kind": "person", "name": name}, "channel": channel}
    if at:
        body["received_at"] = at
    r = c.post("/api/dossiers", json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def go(c: TestClient, d: dict[str, Any], to: str, **kw: Any) -> dict[str, Any]:
    r = c.post(f"/api/dossiers/{d['receipt_code']}/transitions", json={"to": to, **kw},
               headers={"If-Match": f'"{d["version"]}"'})  # fmt: skip
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def codes(html: str) -> list[str]:
    table = elements(html, "table", id="list")
    if not table:
        return []
    return [a.text for a in elements(html, "a") if a.attrs.get("href", "").startswith("/office/dossiers/")
            and a.text and "-" in a.text and not a.attrs["href"].endswith(("/new", "/import"))]  # fmt: skip


def submit(c: TestClient, code: str, kind: str, data: dict[str, Any]) -> Any:
    form = c.get(f"/office/dossiers/{code}/{kind}")
    assert form.status_code == 200, form.text
    version = elements(form.text, "input", name="version")[0].attrs["value"]
    return c.post(f"/office/dossiers/{code}/{kind}", data={**data, "csrf_token": csrf_of(form.text),
                  "version": version}, follow_redirects=False)  # fmt: skip


def api_state(c: TestClient, code: str) -> dict[str, Any]:
    return c.get(f"/api/dossiers/{code}").json()  # type: ignore[no-any-return]


@pytest.mark.usefixtures("procs")
def test_queue_filters_order_search_and_exports(
    client_as: ClientAs, cookie_client: Callable[..., TestClient], db: Session
) -> None:
    desk = client_as("one_stop_officer")
    admin = client_as("admin")
    old = receive(desk, at="2026-03-02T09:00:00+07:00", name="Trần Văn Cũ")
    press = receive(desk, PRESS, at="2026-11-02T09:00:00+07:00", name="Công ty Báo Mới", channel="online")
    new = receive(desk, name=EVIL)
    closed = receive(desk, at="2026-03-03T09:00:00+07:00", name="Lê Thị Rút")
    closed = go(admin, closed, "withdrawn", note="Người nộp xin rút")
    actor = closed["events"][-1]["actor"]

    c = cookie_client("one_stop_officer")
    r = c.get("/office/dossiers")
    assert r.status_code == 200, r.text
    # Open dossiers only, the overdue first (by appointment), then the rest by appointment.
    assert codes(r.text) == [old["receipt_code"], press["receipt_code"], new["receipt_code"]]
    assert EVIL not in r.text and EVIL in text(r.text)  # escaped, shown as typed
    page_text = text(r.text)
    assert "quá hạn" in page_text and "Tiếp nhận hồ sơ" in page_text
    # Late as the law counts time: in working days after the appointment, on the calendar.
    due = date.fromisoformat(old["due_date"])
    late = calendar.load(db).count_working_days(due, today())
    assert f"quá hạn {late} ngày làm việc" in page_text and late < (today() - due).days
    assert elements(r.text, "a", href="/office/dossiers/new")
    assert "16/03/2026" in page_text  # appointments dd/mm/yyyy

    def listed(**params: Any) -> list[str]:
        got = c.get("/office/dossiers", params=params)
        assert got.status_code == 200, got.text
        return codes(got.text)

    assert listed(overdue="1") == [old["receipt_code"], press["receipt_code"]]
    assert listed(field="press") == [press["receipt_code"]]
    assert listed(channel="online") == [press["receipt_code"]]
    assert listed(procedure=PRESS) == [press["receipt_code"]]
    assert listed(q="tran van cu") == [old["receipt_code"]]  # without diacritics
    assert listed(q="Trần Văn") == [old["receipt_code"]]
    assert listed(q=old["receipt_code"][-5:].lower()) == [old["receipt_code"]]
    assert listed(status="withdrawn") == [closed["receipt_code"]]
    assert len(listed(status="all")) == 4
    assert listed(status="all", actor=actor) == [closed["receipt_code"]]
    assert listed(received_from="01/11/2026", received_to="30/11/2026") == [press["receipt_code"]]
    assert listed(sort="code", status="all") == sorted(
        [old["receipt_code"], press["receipt_code"], new["receipt_code"], closed["receipt_code"]]
    )
    # Bad parameters are a 422 page, never a 500.
    for bad in ({"received_from": "31/02/2026"}, {"sort": "<x>"}, {"page": "-1"}, {"figure": "nope"}):
        assert c.get("/office/dossiers", params=bad).status_code == 422, bad
    # The export is exactly the filtered rows.
    exported = c.get("/office/dossiers.csv", params={"overdue": "1"})
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [old["receipt_code"], press["receipt_code"]]
    assert rows[0][0] == "Mã hồ sơ"
    assert c.get("/office/dossiers.xlsx", params={"field": "press"}).content[:2] == b"PK"

    # A licensing officer sees the dossiers of their own fields by default (no press dossier).
    lic = cookie_client("licensing_officer")
    mine = codes(lic.get("/office/dossiers").text)
    assert press["receipt_code"] not in mine and old["receipt_code"] in mine
    assert press["receipt_code"] in codes(lic.get("/office/dossiers", params={"field": "all"}).text)


@pytest.mark.usefixtures("procs")
def test_each_move_through_its_form(
    db: Session, client_as: ClientAs, cookie_client: Callable[..., TestClient], anon: TestClient
) -> None:
    desk = client_as("one_stop_officer")
    d = receive(desk, name="Phạm Văn Nộp")
    other = receive(desk, name="Hồ sơ khác")
    code = d["receipt_code"]
    site = make_site(db, code="DQ-SITE")
    taken = make_permit(db, kind="construction_permit", site=site, number="GP-01/2026")
    mine = make_permit(db, kind="construction_permit", site=site, number="GP-02/2026")
    db.flush()
    go(desk, go(desk, other, "in_progress"), "result_ready", permit_id=taken.id)

    c = cookie_client("one_stop_officer")
    r = c.get(f"/office/dossiers/{code}")
    assert r.status_code == 200, r.text
    moves = {a.attrs["data-move"] for a in elements(r.text, "a") if "data-move" in a.attrs}
    assert moves == {"transfer", "step", "supplement", "send_back", "withdraw", "result", "refuse", "apology"}
    assert "Phạm Văn Nộp" in text(r.text) and elements(r.text, "a", href=f"/api/dossiers/{code}/receipt")

    # Transfer to the specialist office at step 2.
    form = c.get(f"/office/dossiers/{code}/transfer").text
    assert [o.text for o in elements(form, "option")][1].startswith("Bước 2: Thẩm định")
    r = submit(c, code, "transfer", {"step_no": "2", "note": "Chuyển Phòng Bưu chính, Viễn thông"})
    assert r.status_code == 303 and r.headers["location"].endswith("msg=moved")
    page = c.get(r.headers["location"]).text
    assert "Đã chuyển bước hồ sơ" in text(page)
    assert "Chuyển phòng chuyên môn giải quyết" in text(elements(page, "ol", id="steps")[0].text)

    # A supplement: nothing ticked and nothing written is refused; two documents ticked stop the clock.
    r = submit(c, code, "supplement", {})
    assert r.status_code == 422 and "Đánh dấu giấy tờ còn thiếu" in text(r.text)
    assert api_state(desk, code)["status"] == "transferred"
    r = submit(c, code, "supplement", {"missing": [DOCUMENTS[0]["name"], DOCUMENTS[2]["name"]], "note": "Ký tên"})
    assert r.status_code == 303, r.text
    state = api_state(desk, code)
    assert state["status"] == "awaiting_supplement"
    assert state["events"][-1]["note"] == f"Cần bổ sung: {DOCUMENTS[0]['name']}, {DOCUMENTS[2]['name']}; Ký tên"
    page = c.get(f"/office/dossiers/{code}").text
    assert "dừng tính thời gian từ" in text(page)
    moves = {a.attrs["data-move"] for a in elements(page, "a") if "data-move" in a.attrs}
    assert moves == {"resume", "withdraw", "refuse", "apology"}
    public = anon.get(f"/public/dossiers/{code}").json()
    assert public["paused"] is not None and public["steps"][-1]["kind"] == "awaiting_supplement"
    assert "Phạm" not in str(public)

    r = submit(c, code, "resume", {"step_no": "2"})
    assert r.status_code == 303 and api_state(desk, code)["status"] == "in_progress"
    assert anon.get(f"/public/dossiers/{code}").json()["steps"][-1]["kind"] == "supplement_received"

    # The apology: a new appointment, once.
    cal = calendar.load(db)
    due = date.fromisoformat(api_state(desk, code)["due_date"])
    new_due = cal.add_working_days(due, 5)
    r = submit(c, code, "apology", {"new_due_date": dmy(due), "reason": "Chờ ý kiến"})
    assert r.status_code == 422 and "Ngày hẹn mới phải sau ngày hẹn hiện tại" in text(r.text)
    r = submit(c, code, "apology", {"new_due_date": dmy(new_due), "reason": "Cần xin ý kiến Bộ"})
    assert r.status_code == 303, r.text
    assert api_state(desk, code)["due_date"] == new_due.isoformat()
    again = submit(c, code, "apology", {"new_due_date": dmy(cal.add_working_days(new_due, 3)), "reason": "Lần hai"})
    assert again.status_code == 422 and "chỉ được hẹn lại một lần" in text(again.text)
    assert api_state(desk, code)["due_date"] == new_due.isoformat()
    page = c.get(f"/office/dossiers/{code}").text
    assert not [a for a in elements(page, "a") if a.attrs.get("data-move") == "apology"]
    assert "chỉ được hẹn lại một lần" in elements(page, "p", id="apology-why")[0].text

    # The result with a licence: an unknown number, another dossier's permit, then its own.
    r = submit(c, code, "result", {"licence": "KHONG-CO"})
    assert r.status_code == 422 and "Không có giấy phép số «KHONG-CO»" in text(r.text)
    r = submit(c, code, "result", {"licence": taken.number})
    assert r.status_code == 422 and other["receipt_code"] in text(r.text)
    assert api_state(desk, code)["status"] == "in_progress"
    r = submit(c, code, "result", {"licence": mine.number.lower()})
    assert r.status_code == 303, r.text
    page = c.get(f"/office/dossiers/{code}").text
    assert elements(page, "a", href=f"/office/permits/{mine.id}")
    assert {a.attrs["data-move"] for a in elements(page, "a") if "data-move" in a.attrs} == {"handover"}

    # Hand over the result: a future day is refused, today is fine.
    r = submit(c, code, "handover", {"at": dmy(today() + timedelta(days=3))})
    assert r.status_code == 422 and "tương lai" in text(r.text)
    r = submit(c, code, "handover", {"at": dmy(today())})
    assert r.status_code == 303
    page = c.get(f"/office/dossiers/{code}").text
    steps = elements(page, "ol", id="steps")[0].text
    for words in ("Tiếp nhận hồ sơ", "Chuyển phòng chuyên môn", "Yêu cầu bổ sung", "Đã nhận đủ hồ sơ bổ sung",
                  "Xin lỗi và hẹn lại", "Có kết quả", "Đã trả kết quả"):  # fmt: skip
        assert words in steps, words
    assert not [a for a in elements(page, "a") if "data-move" in a.attrs]
    assert "Hồ sơ đã kết thúc" in text(page)
    # Hostile text in a note is escaped on the page.
    assert elements(page, "table", id="details")


@pytest.mark.usefixtures("procs")
def test_refusals_save_nothing_and_say_why(client_as: ClientAs, cookie_client: Callable[..., TestClient]) -> None:
    desk = client_as("one_stop_officer")
    old = receive(desk, at="2026-03-02T09:00:00+07:00")
    press = receive(desk, PRESS)
    fresh = receive(desk)
    c = cookie_client("one_stop_officer")
    # Sending back after 3 working days; without a reason; the apology after the appointment day.
    r = submit(c, old["receipt_code"], "send_back", {"note": "Thiếu giấy tờ"})
    assert r.status_code == 422 and "Quá thời hạn trả lại hồ sơ" in text(r.text)
    r = submit(c, fresh["receipt_code"], "send_back", {"note": ""})
    assert r.status_code == 422 and "Cần nêu lý do" in text(r.text)
    r = submit(c, old["receipt_code"], "apology", {"new_due_date": "30/12/2026", "reason": "Chậm"})
    assert r.status_code == 422 and "chậm nhất" in text(r.text)
    page = c.get(f"/office/dossiers/{old['receipt_code']}").text
    assert "chậm nhất" in elements(page, "p", id="apology-why")[0].text
    for d in (old, fresh):
        assert api_state(desk, d["receipt_code"])["version"] == d["version"]
    # Hostile and nonsense input: a 422 page, never a 500.
    r = submit(c, fresh["receipt_code"], "transfer", {"step_no": "99", "note": EVIL * 300})
    assert r.status_code == 422 and EVIL not in r.text
    r = submit(c, fresh["receipt_code"], "handover", {"at": "99/99/9999"})
    assert r.status_code == 422
    assert c.get("/office/dossiers/KHONG-CO").status_code == 404
    # A licensing officer: no buttons on a press dossier, the forms are a 403 page.
    lic = cookie_client("licensing_officer")
    page = lic.get(f"/office/dossiers/{press['receipt_code']}")
    assert page.status_code == 200 and not [a for a in elements(page.text, "a") if "data-move" in a.attrs]
    assert "lĩnh vực khác" in text(page.text)
    refused = lic.get(f"/office/dossiers/{press['receipt_code']}/transfer")
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    token = csrf_of(lic.get(f"/office/dossiers/{fresh['receipt_code']}/transfer").text)
    r = lic.post(f"/office/dossiers/{press['receipt_code']}/transfer", data={"csrf_token": token, "version": "1"})
    assert r.status_code == 403
    assert api_state(desk, press["receipt_code"])["status"] == "received"
    # A stale form: someone moved the dossier meanwhile.
    form = lic.get(f"/office/dossiers/{fresh['receipt_code']}/transfer").text
    go(desk, fresh, "transferred")
    r = lic.post(f"/office/dossiers/{fresh['receipt_code']}/step", data={
        "csrf_token": csrf_of(form), "version": str(fresh["version"]), "step_no": "3"})  # fmt: skip
    assert r.status_code == 422 and "người khác" in text(r.text)
    # Without the CSRF token nothing happens.
    assert lic.post(f"/office/dossiers/{fresh['receipt_code']}/step", data={"step_no": "3"}).status_code == 403


@pytest.mark.usefixtures("procs")
def test_dashboard_figures_link_to_exactly_their_dossiers(
    db: Session, client_as: ClientAs, cookie_client: Callable[..., TestClient]
) -> None:
    desk = client_as("one_stop_officer")
    a = receive(desk, at="2026-03-02T09:00:00+07:00")
    b = receive(desk, PRESS, at="2026-03-03T09:00:00+07:00", channel="online")
    receive(desk, at="2025-12-01T09:00:00+07:00")  # carried over
    go(desk, go(desk, a, "in_progress"), "result_ready")
    go(desk, b, "sent_back", at="2026-03-03T15:00:00+07:00", note="Thiếu đơn")
    c = cookie_client("one_stop_officer")
    since, until = "2026-01-01", "2026-06-30"
    report = c.get("/api/reports/dossiers", params={"from": since, "to": until}).json()
    assert report["figures"]["received"] == 3 and report["figures"]["returned"] == 1

    def shown(**params: str) -> int:
        got = c.get("/office/dossiers.csv", params={"period_from": since, "period_to": until, "field": "all", **params})
        assert got.status_code == 200, got.text
        return len(list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))) - 1

    for key in queries.FIGURE_KEYS:
        assert shown(figure=key) == report["figures"][key], key
    for row in report["by_field"]:
        for key in ("received", "returned", "pending_overdue", "resolved_late"):
            assert shown(figure=key, field=row["field"]) == row[key], (row["field"], key)
    for row in report["by_channel"]:
        assert shown(figure="received", channel=row["channel"]) == row["received"]
    # The page names the figure in a chip.
    page = c.get("/office/dossiers", params={"figure": "returned", "period_from": since, "period_to": until})
    assert "Chỉ tiêu: Trả lại hồ sơ" in text(page.text)
    # The API list takes the same filters.
    api = desk.get("/api/dossiers", params={"figure": "returned", "period_from": since, "period_to": until})
    assert api.status_code == 200 and api.json()["total"] == 1
    assert desk.get("/api/dossiers", params={"field": "press", "q": "nguyen thi"}).json()["total"] == 1
    assert desk.get("/api/dossiers", params={"figure": "received"}).status_code == 422


@pytest.mark.usefixtures("procs")
def test_home_cards_link_to_the_queue(client_as: ClientAs, cookie_client: Callable[..., TestClient]) -> None:
    receive(client_as("one_stop_officer"), at="2026-03-02T09:00:00+07:00")
    c = cookie_client("one_stop_officer")
    home = c.get("/office/").text
    hrefs = {a.attrs.get("href") for a in elements(home, "a")}
    assert {"/office/dossiers", "/office/dossiers?overdue=1"} <= hrefs
    assert len(codes(c.get("/office/dossiers?overdue=1").text)) == 1


@pytest.mark.usefixtures("procs")
def test_import_dry_run_with_row_errors_then_import(
    db: Session, cookie_client: Callable[..., TestClient], client_as: ClientAs
) -> None:
    c = cookie_client("one_stop_officer")
    form = c.get("/office/dossiers/import")
    assert form.status_code == 200 and "Mã hồ sơ" in text(form.text)
    header = (
        "Mã hồ sơ,Mã thủ tục,Người nộp,Hình thức nộp,Thời điểm tiếp nhận,Ngày hẹn trả,Trạng thái,"
        "Ngày có kết quả,Ngày trả kết quả\n"
    )
    bad = header + f"VT-1,KHONG-CO,{EVIL},Trực tiếp,02/03/2026 09:00,,Đã tiếp nhận,,\n"
    good = header + (
        f"VT-LEGACY-1,{TELECOM},Nguyễn Văn Cũ,Trực tiếp,02/03/2026 09:00,,Đã trả kết quả cho người nộp,"
        "13/03/2026,16/03/2026\n"
        f"VT-LEGACY-2,{TELECOM},Công ty Mẫu,Trực tuyến,03/03/2026,,Đang giải quyết,,\n"
    )  # fmt: skip
    token = csrf_of(form.text)
    r = c.post("/office/dossiers/import", data={"csrf_token": token, "action": "check"},
               files={"file": ("ho-so.csv", bad.encode("utf-8"), "text/csv")})  # fmt: skip
    assert r.status_code == 422, r.text
    problems = elements(r.text, "table", id="problems")
    assert problems and "KHONG-CO" in problems[0].text and EVIL not in r.text
    r = c.post("/office/dossiers/import", data={"csrf_token": token, "action": "check"},
               files={"file": ("ho-so.csv", good.encode("utf-8"), "text/csv")})  # fmt: skip
    assert r.status_code == 200, r.text
    assert "2 hồ sơ sẽ được nhập" in text(r.text)
    assert db.query(Procedure).count() == 2
    desk = client_as("one_stop_officer")
    assert desk.get("/api/dossiers/VT-LEGACY-1").status_code == 404  # a dry run writes nothing
    key = elements(r.text, "input", name="upload")[0].attrs["value"]
    r = c.post("/office/dossiers/import", data={"csrf_token": token, "action": "import", "upload": key})
    assert r.status_code == 200 and "Đã nhập ho-so.csv" in text(r.text)
    assert desk.get("/api/dossiers/VT-LEGACY-1").json()["status"] == "returned"
    # The same upload cannot be imported twice.
    again = c.post("/office/dossiers/import", data={"csrf_token": token, "action": "import", "upload": key})
    assert again.status_code == 422
    assert cookie_client("licensing_officer").get("/office/dossiers/import").status_code == 403
