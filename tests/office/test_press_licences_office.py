"""Press licences, notifications, annual reports and the press work lists in the back office without a
browser: each form's refusals, an amendment kept as before → after, renew/suspend/revoke by the API's
PATCH, a stale edit, the lateness of a notification as the API computes it, the late list and the work
lists with Excel identical to the API's, who may do what, CSRF, hostile text escaped and exported cells
inert; the standings' colours one definition, distinct and readable."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from registry.clock import VIETNAM, today
from registry.press.models import PressLicence, PressNotification, PressOutlet
from tests.conftest import ClientAs
from tests.html_reader import elements
from tests.office.conftest import csrf_of

EVIL = "<script>alert('x')</script>"


def dmy(d: Any) -> str:
    return f"{d:%d/%m/%Y}"


@pytest.fixture
def api(client_as: ClientAs) -> TestClient:
    return client_as("press_manager", username="api.baochi")


def _outlet(api: TestClient, **body: Any) -> dict[str, Any]:
    r = api.post("/api/press/outlets", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _licence(api: TestClient, code: str, until: Any, kind: str = "press_licence", number: str | None = None) -> int:
    body = {
        "outlet_code": code,
        "kind": kind,
        "number": number or f"GP-{code}",
        "issue_date": "2020-01-01",
        "valid_until": until.isoformat(),
    }
    r = api.post("/api/press/licences", json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


@pytest.fixture
def outlets(api: TestClient) -> dict[str, Any]:
    _outlet(
        api,
        code="T-BAO",
        kind="e_newspaper",
        name="Báo Điện tử Thử",
        head_name="Nguyễn Văn Cũ",
        address="Số 1 Lạch Tray",
    )
    _outlet(api, code="T-WEB", kind="general_website", name="Trang Tin Thử", domains=["trangtinthu.vn"])
    _outlet(api, code="T-WEB2", kind="general_website", name="Trang Tổng hợp Hai", domains=["trang2.vn"])
    return {
        "web": _licence(api, "T-WEB", today() + timedelta(days=2000), kind="website_licence"),
        "web2": _licence(api, "T-WEB2", today() + timedelta(days=2000), kind="website_licence"),
    }


def _post(c: TestClient, form_path: str, data: dict[str, str], action: str | None = None) -> Any:
    page = c.get(form_path)
    assert page.status_code == 200, page.text
    version = re.search(r'name="version" value="(\d+)"', page.text)
    body = {**data, "csrf_token": csrf_of(page.text)}
    if version and "version" not in data:
        body["version"] = version.group(1)
    return c.post(action or form_path.split("?")[0], data=body, follow_redirects=False)


def test_a_licence_recorded_for_an_outlet_then_amended_before_after(
    cookie_client: Callable[..., TestClient], api: TestClient, db: Session, outlets: dict[str, Any]
) -> None:
    c = cookie_client("press_manager")
    form = c.get("/office/press/licences/new?outlet_code=T-BAO")
    assert form.status_code == 200
    # The outlet is fixed and named in words; the licence its kind needs is chosen.
    assert '<input type="hidden" name="outlet_code" value="T-BAO">' in form.text
    assert "Báo Điện tử Thử (T-BAO) — Báo điện tử" in form.text
    assert '<option value="press_licence" selected>' in form.text
    refused = _post(
        c,
        "/office/press/licences/new?outlet_code=T-BAO",
        {
            "outlet_code": "T-BAO",
            "kind": "press_licence",
            "number": "",
            "valid_until": "31/02/2030",
            "issuer": "Bộ VHTTDL",
        },
        action="/office/press/licences/new",
    )
    assert refused.status_code == 422
    assert 'href="#f-number"' in refused.text and 'href="#f-valid_until"' in refused.text
    assert 'value="Bộ VHTTDL"' in refused.text  # the form comes back filled
    until = today() + timedelta(days=1500)
    r = _post(
        c,
        "/office/press/licences/new?outlet_code=T-BAO",
        {
            "outlet_code": "T-BAO",
            "kind": "press_licence",
            "number": "123/GP-BVHTTDL",
            "issuer": "Bộ VHTTDL",
            "issue_date": "02/03/2021",
            "valid_until": dmy(until),
        },
        action="/office/press/licences/new",
    )
    assert r.status_code == 303, r.text
    where = r.headers["location"]
    assert re.fullmatch(r"/office/press/licences/\d+\?msg=created", where)
    lid = int(where.split("/")[-1].split("?")[0])
    page = c.get(where).text
    assert "Đã thêm." in page and "02/03/2021" in page and dmy(until) in page
    assert 'class="state-valid status-badge"' in page and 'href="/office/press/outlets/T-BAO"' in page
    assert "Chưa có lần sửa đổi, bổ sung nào." in page
    # An amendment decided by the ministry: the head and the conditions change, the rest is left.
    amend = c.get(f"/office/press/licences/{lid}/amend").text
    assert 'name="changes.outlet.head_name"' in amend and 'value="Nguyễn Văn Cũ"' in amend
    nothing = _post(c, f"/office/press/licences/{lid}/amend", {"decision_number": "45/GP", "decided_on": "01/03/2026"})
    assert nothing.status_code == 422 and "Cần ít nhất một thay đổi" in nothing.text
    bad_day = _post(
        c,
        f"/office/press/licences/{lid}/amend",
        {"decision_number": "45/GP", "decided_on": "01/03/2026", "changes.valid_until": "2031"},
    )
    assert bad_day.status_code == 422 and 'href="#f-changes-valid_until"' in bad_day.text
    no_name = _post(
        c,
        f"/office/press/licences/{lid}/amend",
        {"decision_number": "45/GP", "decided_on": "01/03/2026", "changes.outlet.name": ""},
    )
    assert no_name.status_code == 422 and "Không được để trống" in no_name.text
    start = c.get(f"/office/press/licences/{lid}/amend").text
    values = dict(re.findall(r'name="(changes\.[a-z_.]+)" type="text" class="w-[slm]"\s+value="([^"]*)"', start))
    assert values["changes.number"] == "123/GP-BVHTTDL" and values["changes.outlet.address"] == "Số 1 Lạch Tray"
    new_until = today() + timedelta(days=2500)
    done = _post(
        c,
        f"/office/press/licences/{lid}/amend",
        {
            **values,
            "decision_number": "45/GP-BVHTTDL",
            "decided_on": "01/03/2026",
            "reason": "Đổi Tổng Biên tập",
            "changes.outlet.head_name": "Trần Thị Mới",
            "changes.valid_until": dmy(new_until),
            "changes.conditions": "Xuất bản 8 trang",
        },
    )
    assert done.status_code == 303, done.text
    page = c.get(f"/office/press/licences/{lid}").text
    assert "Lần 1" in page and "45/GP-BVHTTDL" in page and "Đổi Tổng Biên tập" in page
    amendments = page.split('id="amendments"')[1].split("</ol>")[0]
    rows = {r.text for r in elements(amendments, "tr")}
    assert "Người đứng đầu Nguyễn Văn Cũ → Trần Thị Mới" in rows
    assert f"Hiệu lực đến hết ngày {dmy(until)} → {dmy(new_until)}" in rows
    assert [e.text for e in elements(amendments, "del")] and {e.text for e in elements(amendments, "ins")} >= {
        "Trần Thị Mới", dmy(new_until)}  # fmt: skip
    assert "Địa chỉ</th>" not in page.split('id="amendments"')[1].split("</ol>")[0]  # unchanged: not sent
    # The API reads the same amendment; the outlet changed with it; the history says it in words.
    body = api.get(f"/api/press/licences/{lid}").json()
    assert body["amendments"][0]["changes"]["outlet.head_name"] == {"before": "Nguyễn Văn Cũ", "after": "Trần Thị Mới"}
    assert db.query(PressOutlet).filter_by(code="T-BAO").one().head_name == "Trần Thị Mới"
    history = re.sub(r"<[^>]+>", " ", page.split('id="history"')[1])
    assert "Thêm sửa đổi giấy phép báo chí lần 1" in history and "45/GP-BVHTTDL" in history


def test_renew_suspend_revoke_and_the_colours_of_the_standing(
    cookie_client: Callable[..., TestClient], outlets: dict[str, Any], db: Session
) -> None:
    c = cookie_client("press_manager")
    lid = outlets["web"]
    base = f"/office/press/licences/{lid}"
    current = db.get(PressLicence, lid).valid_until  # type: ignore[union-attr]
    early = _post(c, f"{base}/renew", {"valid_until": dmy(current - timedelta(days=1))})
    assert early.status_code == 422 and "Phải sau ngày hết hiệu lực hiện tại" in early.text
    later = current + timedelta(days=365)
    assert _post(c, f"{base}/renew", {"valid_until": dmy(later), "notes": "Gia hạn theo QĐ 9"}).status_code == 303
    db.expire_all()
    assert db.get(PressLicence, lid).valid_until == later  # type: ignore[union-attr]
    no_reason = _post(c, f"{base}/suspend", {"suspended_from": dmy(today())})
    assert no_reason.status_code == 422 and 'href="#f-status_reason"' in no_reason.text
    assert _post(c, f"{base}/suspend", {"suspended_from": dmy(today()), "status_reason": "Vi phạm"}).status_code == 303
    page = c.get(base).text
    assert 'class="state-suspended status-badge"' in page and "bị đình chỉ" in page
    assert f'href="{base}/suspend"' not in page  # no second suspension
    assert _post(c, f"{base}/revoke", {"revoked_on": dmy(today()), "status_reason": "Thu hồi"}).status_code == 303
    page = c.get(base).text
    assert 'class="state-revoked status-badge"' in page and f'href="{base}/renew"' not in page
    again = _post(c, f"{base}/renew", {"valid_until": dmy(later + timedelta(days=9))})
    assert again.status_code == 422 and "đã bị thu hồi" in again.text


def test_a_stale_amendment_shows_both_versions_and_can_be_reapplied(
    cookie_client: Callable[..., TestClient], api: TestClient, outlets: dict[str, Any]
) -> None:
    c = cookie_client("press_manager")
    lid = outlets["web"]
    form = c.get(f"/office/press/licences/{lid}/amend").text
    old_version = re.search(r'name="version" value="(\d+)"', form).group(1)  # type: ignore[union-attr]
    etag = api.get(f"/api/press/licences/{lid}").headers["etag"]
    assert (
        api.patch(
            f"/api/press/licences/{lid}", json={"notes": "người khác sửa"}, headers={"If-Match": etag}
        ).status_code
        == 200
    )
    mine = {
        "decision_number": "7/QĐ",
        "decided_on": "02/02/2026",
        "changes.conditions": "Điều kiện mới",
        "version": old_version,
        "csrf_token": csrf_of(form),
    }
    stale = c.post(f"/office/press/licences/{lid}/amend", data=mine, follow_redirects=False)
    assert stale.status_code == 409 and 'id="versions"' in stale.text and "Điều kiện mới" in stale.text
    current = re.search(r'name="version" value="(\d+)"', stale.text).group(1)  # type: ignore[union-attr]
    resend = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', stale.text))
    resend.update(version=current)
    again = c.post(f"/office/press/licences/{lid}/amend", data=resend, follow_redirects=False)
    assert again.status_code == 303, again.text
    assert api.get(f"/api/press/licences/{lid}").json()["conditions"] == "Điều kiện mới"
    # A stale suspension too.
    form = c.get(f"/office/press/licences/{lid}/suspend").text
    data = {"suspended_from": dmy(today()), "status_reason": "x", "version": "1", "csrf_token": csrf_of(form)}
    assert c.post(f"/office/press/licences/{lid}/suspend", data=data).status_code == 409


def _moment(d: datetime) -> str:
    return f"{d:%d/%m/%Y %H:%M}"


def test_a_notification_says_at_once_whether_it_was_late_and_by_how_much(
    cookie_client: Callable[..., TestClient], api: TestClient, outlets: dict[str, Any], db: Session
) -> None:
    c = cookie_client("press_manager")
    form = c.get("/office/press/notifications/new?outlet_code=T-BAO")
    assert form.status_code == 200 and "Báo Điện tử Thử (T-BAO)" in form.text
    assert 'id="lead-rules"' in form.text and "24 giờ" in form.text and "15 ngày" in form.text
    now = datetime.now(VIETNAM).replace(second=0, microsecond=0) - timedelta(hours=2)
    base = {"outlet_code": "T-BAO", "kind": "press_conference", "subject": "Họp báo ra mắt"}
    bad = _post(
        c, "/office/press/notifications/new", {**base, "filed_at": "32/13/2026 09:00", "event_at": _moment(now)}
    )
    assert bad.status_code == 422 and 'href="#f-filed_at"' in bad.text and "Ngày giờ không có thật" in bad.text
    no_time = _post(
        c,
        "/office/press/notifications/new",
        {**base, "filed_at": _moment(now), "event_at": dmy(now + timedelta(days=3))},
    )
    assert no_time.status_code == 422 and "tính theo giờ" in no_time.text
    # Filed 22 h 30 min before a press conference: 1 h 30 min short of the 24 h rule.
    late = _post(
        c,
        "/office/press/notifications/new",
        {**base, "filed_at": _moment(now), "event_at": _moment(now + timedelta(hours=22, minutes=30))},
    )
    assert late.status_code == 303, late.text
    assert re.fullmatch(r"/office/press/notifications/\d+\?msg=created", late.headers["location"])
    page = c.get(late.headers["location"]).text
    assert "Nộp muộn 1 giờ 30 phút" in page and "báo trước 22 giờ 30 phút" in page and "tối thiểu 24 giờ" in page
    nid = int(late.headers["location"].split("/")[-1].split("?")[0])
    api_row = next(r for r in api.get("/api/press/notifications").json() if r["id"] == nid)
    assert api_row["late"] is True and api_row["lead"] == 22.5
    # An office opening filed 20 days ahead (a day alone is enough where the rule counts days): on time.
    ok = _post(
        c,
        "/office/press/notifications/new",
        {
            "outlet_code": "T-BAO",
            "kind": "representative_office_opening",
            "subject": "Mở VPĐD",
            "filed_at": _moment(now),
            "event_at": dmy(now + timedelta(days=20)),
        },
    )
    assert ok.status_code == 303
    assert "Đúng hạn: báo trước 20 ngày; quy định tối thiểu 15 ngày" in c.get(ok.headers["location"]).text
    # The late list: the filter keeps only the late one; its Excel has exactly that row.
    everything = c.get("/office/press/notifications").text
    assert "Tìm thấy 2 thông báo" in everything
    late_list = c.get("/office/press/notifications?late=1").text
    assert "Tìm thấy 1 thông báo" in late_list and "Họp báo ra mắt" in late_list and "Mở VPĐD" not in late_list
    assert "muộn 1 giờ 30 phút" in late_list and "<h1>Thông báo nộp muộn</h1>" in late_list
    sheet = load_workbook(io.BytesIO(c.get("/office/press/notifications.xlsx?late=1").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Nội dung" and [r[0] for r in rows[1:]] == ["Họp báo ra mắt"]
    assert db.query(PressNotification).count() == 2
    # A notification by an organiser outside the registry.
    other = _post(
        c,
        "/office/press/notifications/new",
        {
            "organiser": "Công ty X",
            "kind": "press_conference",
            "subject": "Họp báo X",
            "filed_at": _moment(now),
            "event_at": _moment(now + timedelta(hours=30)),
        },
    )
    assert other.status_code == 303 and "Công ty X" in c.get(other.headers["location"]).text


def _xlsx_rows(content: bytes) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))


def test_the_work_lists_link_to_outlets_and_give_the_apis_excel(
    cookie_client: Callable[..., TestClient], api: TestClient, outlets: dict[str, Any]
) -> None:
    _outlet(api, code="T-NOLIC", kind="magazine", name="Tạp chí Chưa phép")
    _licence(api, "T-BAO", today() + timedelta(days=10), number="GP-SAP-HET")
    now = datetime.now(VIETNAM) - timedelta(days=2)
    api.post(
        "/api/press/notifications",
        json={
            "outlet_code": "T-BAO",
            "kind": "press_conference",
            "subject": "Muộn",
            "filed_at": now.isoformat(),
            "event_at": (now + timedelta(hours=3)).isoformat(),
        },
    )
    c = cookie_client("press_manager")
    index = c.get("/office/press/work").text
    for key in ("expiring", "unlicensed", "missing-reports", "late-notifications"):
        assert f'id="work-{key}"' in index and f'href="/office/press/work/{key}' in index
    expiring = c.get("/office/press/work/expiring?days=30").text
    assert "GP-SAP-HET" in expiring and 'href="/office/press/outlets/T-BAO"' in expiring
    assert "/office/press/licences/" in expiring and "Gia hạn" in expiring
    unlicensed = c.get("/office/press/work/unlicensed").text
    assert 'href="/office/press/outlets/T-NOLIC"' in unlicensed and 'class="state-none"' in unlicensed
    assert "/office/press/licences/new?outlet_code=T-NOLIC" in unlicensed
    missing = c.get("/office/press/work/missing-reports").text
    assert (
        'href="/office/press/outlets/T-WEB2"' in missing
        and "/office/press/annual-reports/new?outlet_code=T-WEB2" in missing
    )
    late = c.get("/office/press/work/late-notifications").text
    assert "Muộn" in late and "muộn 21 giờ" in late and 'href="/office/press/outlets/T-BAO"' in late
    searched = c.get("/office/press/work/unlicensed?q=tap chi").text
    assert "Tìm thấy 1 dòng" in searched
    assert c.get("/office/press/work/unlicensed?sort=nope").status_code == 422
    for key, name in (
        ("expiring", "expiring-licences"),
        ("unlicensed", "unlicensed"),
        ("missing-reports", "missing-annual-reports"),
        ("late-notifications", "late-notifications"),
    ):
        query = "?days=30" if key == "expiring" else ""
        mine = c.get(f"/office/press/work/{key}.xlsx{query}")
        theirs = api.get(f"/api/press/reports/{name}", params={"format": "xlsx", "days": 30})
        assert mine.status_code == 200 and mine.headers["content-disposition"] == theirs.headers["content-disposition"]
        assert _xlsx_rows(mine.content) == _xlsx_rows(theirs.content), key
        assert len(_xlsx_rows(mine.content)) > 1, key


def test_an_annual_report_recorded_and_the_missing_list(
    cookie_client: Callable[..., TestClient], outlets: dict[str, Any]
) -> None:
    c = cookie_client("press_manager")
    before = c.get("/office/press/work/missing-reports").text
    assert "T-WEB" in before
    form = c.get("/office/press/annual-reports/new?outlet_code=T-WEB")
    assert form.status_code == 200 and "Trang Tin Thử (T-WEB)" in form.text
    year = re.search(r'name="year" type="text" class="w-s"\s+value="(\d{4})"', form.text).group(1)  # type: ignore[union-attr]
    future = _post(
        c,
        "/office/press/annual-reports/new?outlet_code=T-WEB",
        {"outlet_code": "T-WEB", "year": year, "filed_on": dmy(today() + timedelta(days=30))},
        action="/office/press/annual-reports/new",
    )
    assert future.status_code == 422 and 'href="#f-filed_on"' in future.text
    r = _post(
        c,
        "/office/press/annual-reports/new?outlet_code=T-WEB",
        {"outlet_code": "T-WEB", "year": year, "filed_on": dmy(today()), "notes": EVIL},
        action="/office/press/annual-reports/new",
    )
    assert (
        r.status_code == 303 and r.headers["location"] == "/office/press/annual-reports?outlet_code=T-WEB&msg=created"
    )
    listed = c.get(r.headers["location"]).text
    assert "Tìm thấy 1 báo cáo" in listed and EVIL not in listed and "&lt;script&gt;" in listed
    twice = _post(
        c,
        "/office/press/annual-reports/new?outlet_code=T-WEB",
        {"outlet_code": "T-WEB", "year": year, "filed_on": dmy(today())},
        action="/office/press/annual-reports/new",
    )
    assert twice.status_code == 422 and f"đã có báo cáo năm {year}" in twice.text
    not_site = _post(
        c, "/office/press/annual-reports/new", {"outlet_code": "T-BAO", "year": year, "filed_on": dmy(today())}
    )
    assert not_site.status_code == 422 and "Chỉ trang thông tin điện tử tổng hợp" in not_site.text


def test_who_may_do_what_and_csrf(
    cookie_client: Callable[..., TestClient], outlets: dict[str, Any], client_as: ClientAs
) -> None:
    lid = outlets["web"]
    officer = cookie_client("licensing_officer")
    for path in (
        "/office/press/licences/new?outlet_code=T-WEB",
        f"/office/press/licences/{lid}/amend",
        f"/office/press/licences/{lid}/suspend",
        "/office/press/notifications/new",
        "/office/press/annual-reports/new",
    ):
        r = officer.get(path)
        assert r.status_code == 403 and r.headers["content-type"].startswith("text/html"), path
    page = officer.get(f"/office/press/licences/{lid}")  # staff read licences, but get no form
    assert page.status_code == 200 and 'id="licence-actions"' not in page.text
    assert "Ghi nhận thông báo" not in officer.get("/office/press/notifications").text
    home = officer.get("/office/").text
    assert "/office/press/work/late-notifications" not in home
    token = csrf_of(officer.get("/office/sites/new").text)
    refused = officer.post(
        f"/office/press/licences/{lid}/suspend",
        data={"csrf_token": token, "suspended_from": dmy(today()), "status_reason": "x"},
    )
    assert refused.status_code == 403
    manager = cookie_client("press_manager")
    home = manager.get("/office/").text
    assert "/office/press/work/late-notifications" in home and "/office/press/work/missing-reports" in home
    assert home.index("<h2>Báo chí</h2>") < home.index("<h2>Giấy phép trạm gốc</h2>")  # their own work first
    no_token = manager.post(
        f"/office/press/licences/{lid}/suspend",
        data={"suspended_from": dmy(today()), "status_reason": "x", "version": "1"},
    )
    assert no_token.status_code == 403
    public = client_as().get(f"/office/press/licences/{lid}", follow_redirects=False)
    assert public.status_code in (303, 307) and "/maps/sign-in" in public.headers["location"]


def test_hostile_text_is_escaped_and_exported_cells_are_inert(
    cookie_client: Callable[..., TestClient], api: TestClient, outlets: dict[str, Any]
) -> None:
    _outlet(api, code="T-EVIL", kind="newsletter", name=EVIL)
    lid = _licence(api, "T-EVIL", today() + timedelta(days=5), kind="newsletter_licence", number='=HYPERLINK("x")')
    now = datetime.now(VIETNAM) - timedelta(days=1)
    api.post(
        "/api/press/notifications",
        json={
            "outlet_code": "T-EVIL",
            "kind": "press_conference",
            "subject": "=1+2" + EVIL,
            "filed_at": now.isoformat(),
            "event_at": (now + timedelta(hours=1)).isoformat(),
        },
    )
    c = cookie_client("press_manager")
    for path in (
        f"/office/press/licences/{lid}",
        "/office/press/notifications",
        "/office/press/work/expiring",
        "/office/press/work/late-notifications",
        f"/office/press/licences/{lid}/amend",
        "/office/press/notifications/new?outlet_code=T-EVIL",
    ):
        text = c.get(path).text
        assert EVIL not in text and "&lt;script&gt;" in text, path
    csv = c.get("/office/press/notifications.csv").content.decode("utf-8-sig")
    assert "'=1+2" in csv
    rows = _xlsx_rows(c.get("/office/press/work/expiring.xlsx?days=30").content)
    cell = next(v for r in rows for v in r if isinstance(v, str) and "HYPERLINK" in v)
    assert cell == '=HYPERLINK("x")'  # text, not a formula: openpyxl reads a formula back with its data type
    sheet = load_workbook(io.BytesIO(c.get("/office/press/work/expiring.xlsx?days=30").content)).worksheets[0]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_the_standings_colours_are_one_definition_distinct_and_readable() -> None:
    from maps.licence_states import BACKGROUNDS, BOLD_STATES, STATE_COLOURS, contrast
    from maps.press_map import LICENCE_COLOURS
    from maps.templating import render

    assert LICENCE_COLOURS is STATE_COLOURS
    five = [STATE_COLOURS[k] for k in ("valid", "expiring", "expired", "suspended", "revoked")]
    assert len(set(five)) == 5 and len(set(STATE_COLOURS.values())) == len(STATE_COLOURS)
    for key, colour in STATE_COLOURS.items():
        for background in BACKGROUNDS:
            assert contrast(colour, background) >= 4.5, (key, background)
    # The page's CSS (the last rule for each class wins) gives the same colours.
    css = render("page.css")
    for key, colour in STATE_COLOURS.items():
        rules = re.findall(rf"\.state-{key}(?:,[^{{]*)?\{{([^}}]*)\}}", css)
        colours = [m for r in rules for m in re.findall(r"color:(#[0-9a-f]{6})", r)]
        assert colours and colours[-1] == colour, key
        assert ("font-weight:600" in rules[-1]) == (key in BOLD_STATES), key
    assert contrast("#ffffff", "#000000") == pytest.approx(21)


def test_the_press_map_legend_uses_the_same_colours(client_as: ClientAs) -> None:
    from maps.licence_states import STATE_COLOURS

    staff = client_as("press_manager").get("/maps/press")
    assert staff.status_code == 200
    for colour in (STATE_COLOURS["suspended"], STATE_COLOURS["revoked"], STATE_COLOURS["expired"]):
        assert colour in staff.text


def test_an_untouched_multi_line_field_is_no_amendment(
    cookie_client: Callable[..., TestClient], api: TestClient, outlets: dict[str, Any]
) -> None:
    lid = outlets["web2"]
    etag = api.get(f"/api/press/licences/{lid}").headers["etag"]
    assert api.patch(f"/api/press/licences/{lid}", json={"conditions": "Dòng một\nDòng hai"},
                     headers={"If-Match": etag}).status_code == 200  # fmt: skip
    c = cookie_client("press_manager")
    r = _post(c, f"/office/press/licences/{lid}/amend",
              {"decision_number": "3/QĐ", "decided_on": "02/02/2026", "changes.conditions": "Dòng một\r\nDòng hai",
               "changes.issuer": "Sở Văn hóa và Thể thao"})  # fmt: skip
    assert r.status_code == 303, r.text
    (amendment,) = api.get(f"/api/press/licences/{lid}").json()["amendments"]
    assert set(amendment["changes"]) == {"issuer"}
