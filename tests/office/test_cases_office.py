"""Inspectors' cases in the back office (api/office/cases.py): the list and the work lists with their
filters and exports, each move through its form (and the refusals), edit and stale edit, reassignment
allowed and refused, attachments (confidential by default for a denunciation, download rights, too big)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.cases.models import Case, CaseAttachment
from registry.clock import today
from registry.settings import Settings
from tests.api.helpers import versioned
from tests.conftest import TEST_SECRET
from tests.html_reader import elements, text
from tests.office.conftest import csrf_of

SECRET = "Trần Văn Kín Đáo"
PDF = b"%PDF-1.4\n% don to cao\n%%EOF\n"
HOSTILE = "<script>alert(1)</script>"
CookieClient = Callable[..., TestClient]


@pytest.fixture
def settings() -> Settings:
    # A small upload limit, so a too big attachment is a small file.
    return Settings(environment="production", secret_key=TEST_SECRET, map_tiles_url=None, max_upload_bytes=60_000)


def new_case(client: TestClient, **fields: Any) -> str:
    body = {"kind": "complaint", "received_on": today().isoformat(), "channel": "post", "subject": "Khiếu nại",
            **fields}  # fmt: skip
    r = client.post("/api/cases", json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["code"])


def denunciation(client: TestClient, **fields: Any) -> str:
    party = {"role": "denouncer", "name": SECRET, "phone": "0987 654 321"}
    return new_case(client, kind="denunciation", subject="Tố cáo trạm lắp đặt không phép", parties=[party], **fields)


def post_form(c: TestClient, url: str, form_url: str, **data: Any) -> Any:
    token = csrf_of(c.get(form_url).text)
    version = elements(c.get(form_url).text, "input", name="version")
    extra = {"version": version[0].attrs["value"]} if version and "version" not in data else {}
    return c.post(url, data={**extra, **data, "csrf_token": token}, follow_redirects=False)


def move(c: TestClient, code: str, to: str, **data: Any) -> Any:
    url = f"/office/cases/{code}/move/{to}"
    return post_form(c, url, url, **data)


def codes(html: str) -> list[str]:
    return [td.text for td in elements(html, "td", data_label="Mã hồ sơ")]


def test_the_lists_work_lists_filters_and_exports(cookie_client: CookieClient, client: TestClient) -> None:
    c = cookie_client("inspector", username="tt.giao")
    mine = denunciation(client, handler="tt.giao", unit="Phòng Thanh tra 1")
    long_ago = (today() - timedelta(days=200)).isoformat()
    old = new_case(client, received_on=long_ago, subject="Khiếu nại về trạm ở Đồng Nai", unit="Phòng Thanh tra 2")
    hostile = new_case(client, subject=f"Khiếu nại {HOSTILE}")
    closed = new_case(client, kind="petition", subject="Kiến nghị đã xong")
    for to in ("refused", "closed"):
        url = f"/api/cases/{closed}"
        r = client.post(f"{url}/transitions", json={"to": to, "reason": "Không đủ điều kiện"},
                        headers=versioned(client, url))  # fmt: skip
        assert r.status_code == 200, r.text

    everything = c.get("/office/cases")
    assert everything.status_code == 200
    assert set(codes(everything.text)) == {mine, old, hostile}  # open ones only
    assert "Tìm thấy 3 vụ việc" in everything.text and 'href="/office/cases/new"' in everything.text
    assert HOSTILE not in everything.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in everything.text
    assert SECRET not in everything.text
    page = text(everything.text)
    assert "quá hạn" in page and "còn " in page and "ngày làm việc" in page
    assert set(codes(c.get("/office/cases?state=closed").text)) == {closed}

    assert codes(c.get("/office/cases/mine").text) == [mine]
    assert codes(c.get("/office/cases/overdue").text) == [old]
    assert codes(c.get("/office/cases/due-soon?days=30").text) == [mine, hostile] or set(
        codes(c.get("/office/cases/due-soon?days=30").text)) == {mine, hostile}  # fmt: skip
    assert c.get("/office/cases/due-soon?days=abc").status_code == 422
    by_unit = c.get("/office/cases/by-unit")
    units = elements(by_unit.text, "table", id="units")[0].text
    assert "Phòng Thanh tra 1" in units and "Phòng Thanh tra 2" in units and "(chưa có đơn vị)" in units

    assert codes(c.get("/office/cases?q=dong nai").text) == [old]  # without diacritics
    assert codes(c.get(f"/office/cases?q={mine.lower()}").text) == [mine]
    assert codes(c.get("/office/cases?kind=denunciation").text) == [mine]
    assert codes(c.get("/office/cases", params={"unit": "Phòng Thanh tra 2"}).text) == [old]
    assert codes(c.get("/office/cases?handler=tt.giao").text) == [mine]
    ranged = c.get("/office/cases", params={"received_to": (today() - timedelta(days=100)).strftime("%d/%m/%Y")})
    assert codes(ranged.text) == [old] and "Nhận đến ngày" in ranged.text
    bad = c.get("/office/cases?received_from=31/02/2026")
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("text/html")

    overdue_csv = c.get("/office/cases/overdue.csv")
    assert overdue_csv.status_code == 200
    rows = list(csv.reader(io.StringIO(overdue_csv.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Mã hồ sơ" and [r[0] for r in rows[1:]] == [old]
    assert "quá hạn" in rows[1][-1]
    xlsx = c.get("/office/cases.xlsx?kind=denunciation&kind=complaint")
    cells = [str(v) for row in load_workbook(io.BytesIO(xlsx.content)).worksheets[0].iter_rows(values_only=True)
             for v in row]  # fmt: skip
    assert mine in cells and old in cells and not any(SECRET in v for v in cells)
    assert 'href="/office/cases/due-soon.xlsx?days=30"' in c.get("/office/cases/due-soon?days=30").text
    assert not elements(c.get("/office/cases/overdue").text, "p", id="truncated")


def test_deadline_lists_and_exports_stop_at_their_settings(
    cookie_client: CookieClient, client: TestClient, settings: Settings
) -> None:
    """A deadline list computes at most TTTT_CASE_DEADLINE_SCAN_MAX open cases (newest first) and says
    so; an export holds at most TTTT_CASE_EXPORT_MAX rows."""
    c = cookie_client("inspector")
    long_ago = today() - timedelta(days=200)
    oldest, older = (new_case(client, received_on=(long_ago - timedelta(days=i)).isoformat()) for i in (2, 1))
    assert set(codes(c.get("/office/cases/overdue").text)) == {oldest, older}
    settings.case_deadline_scan_max, settings.case_export_max = 1, 1
    overdue = c.get("/office/cases/overdue")
    assert codes(overdue.text) == [older]  # the newest only
    assert "Chỉ xét 1 vụ việc" in elements(overdue.text, "p", id="truncated")[0].text
    rows = list(csv.reader(io.StringIO(c.get("/office/cases.csv").content.decode("utf-8-sig"))))
    assert len(rows) == 2  # the heading and one case


def test_each_move_through_its_form_and_the_refusals(cookie_client: CookieClient, client: TestClient,
                                                      db: Session) -> None:  # fmt: skip
    c = cookie_client("inspector", username="tt.giao")
    start = today() - timedelta(days=20)
    code = denunciation(client, handler="tt.giao", received_on=start.isoformat(), complex=True)
    page = c.get(f"/office/cases/{code}")
    buttons = {
        a.attrs["id"] for a in elements(page.text, "a", cls="button") if a.attrs.get("id", "").startswith("move")
    }
    assert buttons == {"move-accepted", "move-refused", "move-transferred"}
    # Not allowed from here: no form, the state named.
    closed = c.get(f"/office/cases/{code}/move/closed")
    assert closed.status_code == 409 and not elements(closed.text, "form", id="move-form")

    form = c.get(f"/office/cases/{code}/move/accepted")
    assert elements(form.text, "input", name="on")[0].attrs["value"] == today().strftime("%d/%m/%Y")
    early = move(c, code, "accepted", reason="Đủ điều kiện", on=(start - timedelta(days=1)).strftime("%d/%m/%Y"))
    assert early.status_code == 422 and "Không được trước bước trước" in early.text
    blank = move(c, code, "accepted", reason="", on="")
    assert blank.status_code == 422 and 'href="#f-reason"' in blank.text
    junk = move(c, code, "accepted", reason=HOSTILE, on="99/99/2026")
    assert junk.status_code == 422 and HOSTILE not in junk.text and 'href="#f-on"' in junk.text
    assert db.scalar(select(Case.state).where(Case.code == code)) == "received"

    day = lambda n: (start + timedelta(days=n)).strftime("%d/%m/%Y")  # noqa: E731
    for to, n in (("accepted", 1), ("in_progress", 2), ("suspended", 3), ("in_progress", 5), ("extended", 6)):
        r = move(c, code, to, reason=f"Bước {to}", on=day(n))
        assert r.status_code == 303, (to, r.text)
    again = move(c, code, "extended", reason="Gia hạn lần hai", on=day(7))
    assert again.status_code == 422 and "không được gia hạn lần 2" in again.text  # one extension for a complex case
    concluded = move(c, code, "concluded", reason="Đã xác minh", on=day(8), outcome="Tố cáo đúng một phần")
    assert concluded.status_code == 303
    assert move(c, code, "closed", reason="Lưu hồ sơ", on=day(9)).status_code == 303
    page = c.get(f"/office/cases/{code}")
    moves = elements(page.text, "table", id="moves")[0].text
    for n in (1, 2, 3, 5, 6, 8, 9):
        assert day(n) in moves
    assert "tạm đình chỉ → đang giải quyết" in moves and "tt.giao" in moves
    assert "Tố cáo đúng một phần" in page.text and "đã đóng" in page.text
    assert not [a for a in elements(page.text, "a", cls="button") if a.attrs.get("id", "").startswith("move")]
    assert "Thời gian tạm đình chỉ không tính" in page.text and f"từ {day(3)} đến {day(5)}" in page.text

    # A stale move (someone moved it since the form was read) changes nothing.
    other = new_case(client)
    stale = post_form(c, f"/office/cases/{other}/move/accepted", f"/office/cases/{other}/move/accepted",
                      reason="x", on="", version="0")  # fmt: skip
    assert stale.status_code == 409 and db.scalar(select(Case.state).where(Case.code == other)) == "received"
    # A reader may not move cases.
    viewer = cookie_client("viewer")
    assert viewer.get(f"/office/cases/{other}/move/accepted").status_code == 403
    assert "move-accepted" not in viewer.get(f"/office/cases/{other}").text


def test_edit_and_stale_edit(cookie_client: CookieClient, client: TestClient, db: Session) -> None:
    c = cookie_client("inspector")
    code = new_case(client, subject="Khiếu nại cũ")
    form = c.get(f"/office/cases/{code}/edit")
    version = elements(form.text, "input", name="version")[0].attrs["value"]
    data = {"subject": "Khiếu nại về cột ăng ten", "content": HOSTILE, "flags": ["complex", "remote"],
            "unit": "Phòng Thanh tra 1", "position.lat": "10.95", "position.lon": "106.82", "outcome": ""}  # fmt: skip
    bad = post_form(c, f"/office/cases/{code}/edit", f"/office/cases/{code}/edit", **{**data, "position.lat": "200"})
    assert bad.status_code == 422 and 'href="#f-position-lat"' in bad.text
    assert db.scalar(select(Case.subject).where(Case.code == code)) == "Khiếu nại cũ"
    ok = post_form(c, f"/office/cases/{code}/edit", f"/office/cases/{code}/edit", **data)
    assert ok.status_code == 303
    page = c.get(f"/office/cases/{code}")
    details = elements(page.text, "table", id="details")[0].text
    assert "Khiếu nại về cột ăng ten" in details and "phức tạp, vùng sâu, vùng xa" in details
    assert "10.950000, 106.820000" in details and HOSTILE not in page.text and elements(page.text, "div", id="case-map")
    # Edited from the old version: nothing saved, both versions shown.
    stale = c.post(f"/office/cases/{code}/edit", data={**data, "subject": "Ghi đè", "version": version,
                                                      "csrf_token": csrf_of(page.text)})  # fmt: skip
    assert stale.status_code == 409 and "Ghi đè" in stale.text
    assert db.scalar(select(Case.subject).where(Case.code == code)) == "Khiếu nại về cột ăng ten"
    cleared = post_form(c, f"/office/cases/{code}/edit", f"/office/cases/{code}/edit",
                        **{**data, "flags": [], "position.lat": "", "position.lon": ""})  # fmt: skip
    assert cleared.status_code == 303
    case = db.scalars(select(Case).where(Case.code == code)).one()
    db.refresh(case)
    assert case.geom is None and not case.complex and not case.remote


def test_reassignment_allowed_and_refused(cookie_client: CookieClient, client: TestClient, db: Session) -> None:
    cookie_client("inspector", username="tt.b")
    cookie_client("inspector", username="tt.c")
    other = cookie_client("inspector", username="tt.khac")
    code = denunciation(client, handler="tt.b")
    page = other.get(f"/office/cases/{code}")
    assert not elements(page.text, "form", id="handler-form") and "tt.b" in text(page.text)
    assert SECRET not in page.text and "Người tố cáo (thông tin được giữ bí mật)" in page.text
    # The service refuses a crafted post anyway.
    refused = other.post(f"/office/cases/{code}/handler", data={"handler": "tt.khac", "version": "1",
                                                                "csrf_token": csrf_of(page.text)})  # fmt: skip
    assert refused.status_code == 403 and "Chỉ quản trị viên hoặc người đang xử lý" in refused.text
    assert SECRET not in refused.text

    b = sign_in(other, "tt.b")  # the cookie client is one TestClient: signed in again as the handler
    mine = b.get(f"/office/cases/{code}")
    assert SECRET in mine.text
    options = [(o.attrs["value"], "selected" in o.attrs) for o in elements(mine.text, "option")]
    # nobody preselected: the handler chooses whom to hand over to; choosing nobody is not theirs to do
    assert ("tt.c", False) in options and ("", False) in options and not any(v == "tt.b" for v, _ in options)
    unchosen = post_form(b, f"/office/cases/{code}/handler", f"/office/cases/{code}", handler="")
    assert unchosen.status_code == 422 and "Chọn thanh tra viên nhận hồ sơ" in unchosen.text
    assert SECRET in b.get(f"/office/cases/{code}").text  # still the handler
    moved = post_form(b, f"/office/cases/{code}/handler", f"/office/cases/{code}", handler="tt.c")
    assert moved.status_code == 303
    assert "tt.c" in elements(b.get(f"/office/cases/{code}").text, "p", id="handler-now")[0].text
    assert SECRET not in b.get(f"/office/cases/{code}").text  # no longer the handler

    admin = cookie_client("admin")
    page = admin.get(f"/office/cases/{code}")
    assert "" in [o.attrs["value"] for o in elements(page.text, "option")]  # nobody
    cleared = post_form(admin, f"/office/cases/{code}/handler", f"/office/cases/{code}", handler="")
    assert cleared.status_code == 303 and db.scalar(select(Case.handler_id).where(Case.code == code)) is None
    unknown = post_form(admin, f"/office/cases/{code}/handler", f"/office/cases/{code}", handler="khong-co")
    assert unknown.status_code == 422 and "không phải thanh tra viên đang hoạt động" in unknown.text


def sign_in(c: TestClient, username: str) -> TestClient:
    """Sign the cookie client in again as an existing user."""
    from tests.conftest import TEST_PASSWORD

    r = c.post("/api/auth/token?cookie=true", data={"username": username, "password": TEST_PASSWORD})
    assert r.status_code == 200, r.text
    return c


def test_attachments_confidential_by_default_for_denunciations(
    cookie_client: CookieClient, client: TestClient, db: Session, settings: Any
) -> None:
    h = cookie_client("inspector", username="tt.giao")
    code = denunciation(client, handler="tt.giao")
    page = h.get(f"/office/cases/{code}")
    assert "checked" in elements(page.text, "input", name="confidential")[0].attrs
    token = csrf_of(page.text)
    none = h.post(f"/office/cases/{code}/attachments", data={"csrf_token": token})
    assert none.status_code == 422 and 'href="#f-file"' in none.text
    r = h.post(f"/office/cases/{code}/attachments", data={"csrf_token": token, "confidential": "1",
               "description": "Đơn tố cáo gốc"}, files={"file": ("don.pdf", PDF, "application/pdf")},
               follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    listed = h.get(f"/office/cases/{code}")
    link = [a for a in elements(listed.text, "a") if a.text == "Đơn tố cáo gốc"][0].attrs["href"]
    got = h.get(link)
    assert got.status_code == 200 and got.content == PDF
    wrong_type = h.post(f"/office/cases/{code}/attachments", data={"csrf_token": token},
                        files={"file": ("x.pdf", b"MZ not a pdf", "application/pdf")})  # fmt: skip
    assert wrong_type.status_code == 422
    huge = b"%PDF-1.4" + b"0" * (settings.max_upload_bytes + 10)
    big = h.post(f"/office/cases/{code}/attachments", data={"csrf_token": token},
                 files={"file": ("big.pdf", huge, "application/pdf")})  # fmt: skip
    assert big.status_code == 413 and big.headers["content-type"].startswith("text/html")
    assert db.scalar(select(func.count(CaseAttachment.id))) == 1

    other = cookie_client("inspector")
    seen = other.get(f"/office/cases/{code}")
    assert "Đơn tố cáo gốc" not in seen.text and link not in seen.text
    refused = other.get(link)
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
    # Not a denunciation: not confidential unless ticked; everyone reading cases may download it.
    plain = new_case(client)
    page = other.get(f"/office/cases/{plain}")
    assert "checked" not in elements(page.text, "input", name="confidential")[0].attrs
    r = other.post(f"/office/cases/{plain}/attachments", data={"csrf_token": csrf_of(page.text)},
                   files={"file": ("anh.pdf", PDF, "application/pdf")}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    attached = db.scalars(select(CaseAttachment).order_by(CaseAttachment.id.desc())).first()
    assert attached is not None and attached.confidential is False
    viewer = cookie_client("viewer")
    assert viewer.get(f"/office/cases/{plain}/attachments/{attached.id}").status_code == 200
