"""The administrators' back office without a browser: the working-day calendar (the year's grid, a day
changed, returned, refused, stale), the procedure catalogue (list and search, steps that must add up
and say by how much, stale edits) and the audit trail (search by record, user, action and days, in
words, who may read what); CSRF, hostile text, dates dd/mm/yyyy."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.calendar.models import CalendarDay
from registry.clock import VIETNAM
from registry.procedures.models import Procedure
from tests.html_reader import elements
from tests.office.conftest import csrf_of
from tests.procedures.helpers import make_procedure

CODE = "1.000001.000.00.00.H27"
SWAP = {"kind": "working", "name": "Làm việc bù <script>alert(1)</script>", "reason": "Hoán đổi cho ngày 10/05",
        "legal_basis": "Thông báo số 1/TB-BNV"}  # fmt: skip


def _cell(html: str, iso: str) -> str:
    (cell,) = elements(html, "td", data_date=iso)
    return cell.attrs["data-state"]


def _caption(html: str, month: int, year: int) -> int:
    (caption,) = [c for c in elements(html, "caption") if c.text.startswith(f"Tháng {month}/{year} ")]
    match = re.search(r"· (\d+) ngày làm việc", caption.text)
    assert match, caption.text
    return int(match.group(1))


def test_the_year_grid_tells_each_day_in_words(cookie_client: Callable[..., TestClient]) -> None:
    c = cookie_client("admin")
    r = c.get("/office/admin/calendar?year=2027")
    assert r.status_code == 200, r.text
    html = r.text
    assert html.count('<table class="cal">') == 12 and html.count("<caption>") == 12
    assert _cell(html, "2027-02-08") == "tet" and "08/02/2027, Nghỉ Tết Nguyên đán: Mùng ba Tết Nguyên Đán" in html
    assert _cell(html, "2027-01-01") == "holiday" and _cell(html, "2027-05-03") == "exchange"
    assert _cell(html, "2027-05-08") == "weekend" and _cell(html, "2027-05-07") == "working"
    assert 'href="/office/admin/calendar/2027-05-08"' in html and 'href="?year=2028"' in html
    assert _caption(html, 2, 2027) == 15 and "Tết Nguyên đán (mùng 1): 06/02/2027" in html
    assert c.get("/office/admin/calendar?year=2099").status_code == 404  # the calendar lacks it
    assert c.get("/office/admin/calendar?year=abc").status_code == 422


def test_staff_read_the_grid_but_only_an_admin_changes_a_day(cookie_client: Callable[..., TestClient]) -> None:
    c = cookie_client("one_stop_officer")
    grid = c.get("/office/admin/calendar?year=2027")
    assert grid.status_code == 200 and "/office/admin/calendar/2027-05-08" not in grid.text
    assert _cell(grid.text, "2027-02-08") == "tet"
    assert c.get("/office/admin/calendar/2027-05-08").status_code == 403
    refused = c.post("/office/admin/calendar/2027-05-08", data=SWAP)
    assert refused.status_code == 403


def test_an_admin_swaps_a_saturday_and_the_month_counts_it(
    cookie_client: Callable[..., TestClient], client: TestClient, db: Session
) -> None:
    c = cookie_client("admin")
    before = _caption(c.get("/office/admin/calendar?year=2027").text, 5, 2027)
    due = client.get("/api/calendar/deadline", params={"start": "2027-05-06", "working_days": 2}).json()["due"]
    assert due == "2027-05-10"
    form = c.get("/office/admin/calendar/08-05-2027")  # dd-mm-yyyy in the address, as people write it
    assert form.status_code == 200 and "Thứ Bảy, ngày 08/05/2027" in form.text
    token = csrf_of(form.text)
    forged = c.post("/office/admin/calendar/2027-05-08", data=SWAP)
    assert forged.status_code == 403 and "CSRF" in forged.text
    r = c.post("/office/admin/calendar/2027-05-08", data={**SWAP, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/office/admin/calendar/2027-05-08?msg=saved"
    day = c.get(r.headers["location"]).text
    assert "Làm việc bù &lt;script&gt;alert(1)&lt;/script&gt;" in day and "<script>alert" not in day
    assert f"{before + 1} ngày làm việc" in day and "Thông báo số 1/TB-BNV" in day
    assert "Thêm ngày trong lịch làm việc" in day  # its history in words
    grid = c.get("/office/admin/calendar?year=2027").text
    assert _cell(grid, "2027-05-08") == "swapped" and _caption(grid, 5, 2027) == before + 1
    moved = client.get("/api/calendar/deadline", params={"start": "2027-05-06", "working_days": 2}).json()["due"]
    assert moved == "2027-05-08"
    record = db.get(CalendarDay, date(2027, 5, 8))
    assert record is not None and record.source == "admin" and record.kind == "working"


def test_a_day_refused_stale_and_returned(cookie_client: Callable[..., TestClient], client: TestClient) -> None:
    c = cookie_client("admin")
    token = csrf_of(c.get("/office/admin/calendar/2027-05-10").text)
    bad = c.post("/office/admin/calendar/2027-05-10", data={"kind": "holiday", "name": "", "reason": "",
                                                              "csrf_token": token})  # fmt: skip
    assert bad.status_code == 422 and 'href="#f-kind"' in bad.text and 'href="#f-reason"' in bad.text
    off = {"kind": "off", "name": "Nghỉ bù", "reason": "Đổi ngày", "legal_basis": "", "csrf_token": token}
    assert c.post("/office/admin/calendar/2027-05-10", data=off, follow_redirects=False).status_code == 303
    # Someone else changes it through the API; this form, opened at version 1, is stale.
    etag = '"1"'
    assert client.put("/api/calendar/days/2027-05-10", json={"kind": "off", "name": "Nghỉ bù (API)", "reason": "x"},
                      headers={"If-Match": etag}).status_code == 200  # fmt: skip
    stale = c.post("/office/admin/calendar/2027-05-10", data={**off, "name": "Của tôi", "version": "1"})
    assert stale.status_code == 409 and "Nghỉ bù (API)" in stale.text and "Của tôi" in stale.text
    page = c.get("/office/admin/calendar/2027-05-10").text
    assert "Nghỉ bù (API)" in page and _cell(c.get("/office/admin/calendar?year=2027").text, "2027-05-10") == "exchange"
    old = c.post("/office/admin/calendar/2027-05-10/delete", data={"version": "1", "csrf_token": token})
    assert old.status_code == 409 and "đã được sửa trong lúc bạn xem" in old.text
    gone = c.post("/office/admin/calendar/2027-05-10/delete", data={"version": "2", "csrf_token": token},
                  follow_redirects=False)  # fmt: skip
    assert gone.status_code == 303
    assert "Ngày theo tuần làm việc thường" in c.get("/office/admin/calendar/2027-05-10").text
    assert c.get("/office/admin/calendar/31-02-2027").status_code == 422
    assert c.get("/office/admin/calendar/2014-05-10").status_code == 422  # outside the calendar


def test_the_catalogue_list_searches_with_or_without_diacritics(
    cookie_client: Callable[..., TestClient], db: Session
) -> None:
    make_procedure(db, CODE, name="Cấp giấy phép thiết lập mạng viễn thông")
    make_procedure(db, "1.000002.000.00.00.H27", field="press", name="Cấp phép xuất bản bản tin", level=4)
    c = cookie_client("admin")
    for q in ("thiet lap mang", "Thiết lập", "000001"):
        r = c.get("/office/admin/procedures", params={"q": q})
        assert r.status_code == 200 and "Tìm thấy 1 thủ tục" in r.text and CODE in r.text, q
    press = c.get("/office/admin/procedures?field=press&online_level=4").text
    assert "Tìm thấy 1 thủ tục" in press and "bản tin" in press
    assert "Không có thủ tục nào khớp" in c.get("/office/admin/procedures?field=press&online_level=3").text
    csv = c.get("/office/admin/procedures.csv?field=press").content.decode("utf-8-sig")
    assert "bản tin" in csv and CODE not in csv
    record = c.get(f"/office/admin/procedures/{CODE}").text
    assert "Thẩm định" in record and "8,5 ngày làm việc" in record and "Thêm thủ tục hành chính" in record


def test_steps_that_do_not_add_up_say_by_how_much(
    cookie_client: Callable[..., TestClient], client: TestClient, db: Session
) -> None:
    make_procedure(db, CODE, value=10)
    c = cookie_client("admin")
    form = c.get(f"/office/admin/procedures/{CODE}/edit")
    assert form.status_code == 200 and 'name="steps.1.duration" type="text" value="8,5"' in form.text
    token = csrf_of(form.text)
    fields = dict(re.findall(r'name="(steps\.\d\.[a-z]+)" type="text" value="([^"]*)"', form.text))
    short = {**fields, "steps.1.duration": "6,5", "version": "1", "csrf_token": token}
    r = c.post(f"/office/admin/procedures/{CODE}/edit", data=short)
    assert r.status_code == 422 and "thiếu 2 ngày làm việc" in r.text and 'href="#f-steps"' in r.text
    long = {**fields, "steps.4.name": "Lưu hồ sơ <b>x</b>", "steps.4.unit": "Văn thư", "steps.4.duration": "1",
            "version": "1", "csrf_token": token}  # fmt: skip
    r = c.post(f"/office/admin/procedures/{CODE}/edit", data=long)
    assert r.status_code == 422 and "thừa 1 ngày làm việc" in r.text and "Lưu hồ sơ &lt;b&gt;x&lt;/b&gt;" in r.text
    fixed = {**long, "steps.1.duration": "7.5", "fees": "500.000 đồng", "online_level": "4"}
    ok = c.post(f"/office/admin/procedures/{CODE}/edit", data=fixed, follow_redirects=False)
    assert ok.status_code == 303, ok.text
    p = client.get(f"/api/procedures/{CODE}").json()
    assert [s["duration"] for s in p["steps"]] == [0.5, 7.5, 0.5, 0.5, 1.0]
    assert p["online_service"] == "end_to_end" and p["fees"] == "500.000 đồng" and p["version"] == 2
    # The API says it too.
    api = client.patch(f"/api/procedures/{CODE}", json={"time_value": 12}, headers={"If-Match": '"2"'})
    assert api.status_code == 422 and "thiếu 2 ngày làm việc" in api.json()["errors"][0]["message"]
    stale = c.post(f"/office/admin/procedures/{CODE}/edit", data={**fixed, "name": "Tên mới", "version": "1"})
    assert stale.status_code == 409 and "Tên mới" in stale.text
    assert db.query(Procedure).filter_by(code=CODE).one().name == "Thủ tục thử nghiệm"


def test_only_an_admin_edits_a_procedure(cookie_client: Callable[..., TestClient], db: Session) -> None:
    make_procedure(db, CODE)
    c = cookie_client("one_stop_officer")
    assert c.get("/office/admin/procedures").status_code == 200
    assert 'id="edit"' not in c.get(f"/office/admin/procedures/{CODE}").text
    assert c.get(f"/office/admin/procedures/{CODE}/edit").status_code == 403
    assert c.get("/office/admin/procedures/9.999").status_code == 404


def test_the_audit_trail_searched_in_words(cookie_client: Callable[..., TestClient], client: TestClient,
                                           db: Session) -> None:  # fmt: skip
    make_procedure(db, CODE)
    c = cookie_client("admin", username="quantri")
    token = csrf_of(c.get("/office/admin/calendar/2027-05-08").text)
    c.post("/office/admin/calendar/2027-05-08", data={**SWAP, "csrf_token": token})
    r = c.get("/office/admin/audit", params={"actor": "quantri", "action": "create"})
    assert r.status_code == 200 and "Tìm thấy 1 thay đổi" in r.text
    assert "Thêm ngày trong lịch làm việc" in r.text and 'href="/office/admin/calendar/2027-05-08"' in r.text
    assert "Làm việc bù &lt;script&gt;" in r.text and "<script>alert" not in r.text
    by_day = c.get("/office/admin/audit", params={"entity": "calendar_day", "id": "08/05/2027"}).text
    assert "Tìm thấy 1 thay đổi" in by_day
    by_code = c.get("/office/admin/audit", params={"entity": "procedure", "id": CODE}).text
    assert "Tìm thấy 1 thay đổi" in by_code and f'href="/office/admin/procedures/{CODE}"' in by_code
    none_yet = c.get("/office/admin/audit", params={"actor": "quantri", "since": "01/01/2099"}).text
    assert "Không có thay đổi nào khớp" in none_yet
    # The day the event happened (the database's clock), typed dd/mm/yyyy as both ends of the range.
    mine = client.get("/api/audit", params={"actor": "quantri", "action": "create"}).json()["events"]
    on = datetime.fromisoformat(mine[0]["occurred_at"]).astimezone(VIETNAM).strftime("%d/%m/%Y")
    same_day = c.get("/office/admin/audit", params={"actor": "quantri", "action": "create", "since": on, "until": on})
    assert "Tìm thấy 1 thay đổi" in same_day.text, re.findall(r'id="list-count"[^>]*>([^<]*)', same_day.text)
    bad = c.get("/office/admin/audit", params={"since": "31/02/2026", "entity": "site", "id": "KHONG-CO"})
    assert bad.status_code == 422 and "Ngày không hợp lệ (dd/mm/yyyy)" in bad.text and "KHONG-CO" in bad.text
    assert c.get("/office/admin/audit?page=0").status_code == 422
    # The API's list has the words too, from the same function.
    api = client.get("/api/audit", params={"actor": "quantri", "action": "create"}).json()
    assert api["total"] == 1 and api["events"][0]["words"]["what"] == "Thêm ngày trong lịch làm việc"
    assert api["events"][0]["words"]["subject"]["href"] == "/office/admin/calendar/2027-05-08"


def test_staff_read_the_trail_of_their_own_kinds_only(cookie_client: Callable[..., TestClient]) -> None:
    c = cookie_client("licensing_officer")
    page = c.get("/office/admin/audit")
    assert page.status_code == 200 and 'value="site"' in page.text and 'value="user"' not in page.text
    refused = c.get("/office/admin/audit", params={"entity": "user"})
    assert refused.status_code == 422 and "không được xem lịch sử" in refused.text


def test_the_audit_page_reads_a_change_told_only_by_a_version(
    cookie_client: Callable[..., TestClient], client: TestClient, db: Session
) -> None:
    from registry.audit.context import acting_as
    from registry.versions import touch
    from tests.factories import make_site, make_station

    station = make_station(db, site=make_site(db, code="AU-1", lon=106.7, lat=20.85), operator_code="VIETTEL")
    url = f"/api/stations/{station.id}"
    etag = client.get(url).headers["etag"]
    # A station's sectors are told in its own line, with its new version.
    changed = client.patch(url, json={"sectors": [{"azimuth_deg": 90}]}, headers={"If-Match": etag})
    assert changed.status_code == 200, changed.text
    # A version counted with none of the record's own fields changed (as a case's transition does).
    with acting_as("admin-test"):
        db.expire_all()
        touch(db.get(type(station), station.id))
        db.commit()
    events = client.get("/api/audit", params={"entity": "station", "id": str(station.id)}).json()["events"]
    assert any(e["action"] == "update" and not e["words"]["changes"] for e in events)  # the case this is about
    page = cookie_client("admin").get("/office/admin/audit", params={"actor": "admin-test"})
    assert page.status_code == 200, page.text[:300]
    assert "Các sector" in page.text and "1: 90°" in page.text
    assert page.text.count("Sửa trạm gốc") == 1  # the version alone says nothing: its line is left out
