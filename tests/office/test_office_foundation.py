"""The back office's foundation, through frequency licences (its worked example): sign-in by cookie,
CSRF on every change, forms that come back filled with their errors, stale edits, error pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.permits.models import FrequencyLicence
from tests.office.conftest import csrf_of

GOOD = {"operator": "VIETTEL", "band": "1800", "number": "GPTS-1/2026", "issue_date": "01/02/2026",
        "valid_until": "31/01/2036"}  # fmt: skip


def _create(c: TestClient, **extra: str) -> str:
    token = csrf_of(c.get("/office/licences/new").text)
    r = c.post("/office/licences/new", data={**GOOD, **extra, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r.headers["location"]


def test_an_officer_records_a_licence_from_the_form(cookie_client: Callable[..., TestClient], db: Session) -> None:
    c = cookie_client("licensing_officer")
    where = _create(c)
    assert where.startswith("/office/licences/") and where.endswith("?msg=created")
    page = c.get(where)
    assert page.status_code == 200 and "GPTS-1/2026" in page.text and "Đã thêm." in page.text
    assert "01/02/2026" in page.text and "31/01/2036" in page.text  # dates dd/mm/yyyy
    lic = db.query(FrequencyLicence).filter_by(number="GPTS-1/2026").one()
    assert str(lic.issue_date) == "2026-02-01"
    listed = c.get("/office/licences?q=gpts")
    assert "GPTS-1/2026" in listed.text and "Tìm thấy 1 giấy phép tần số" in listed.text


def test_a_refused_form_comes_back_filled_with_its_errors(
    cookie_client: Callable[..., TestClient], db: Session
) -> None:
    c = cookie_client("licensing_officer")
    token = csrf_of(c.get("/office/licences/new").text)
    bad = {**GOOD, "number": "GPTS-<script>alert(1)</script>", "valid_until": "31/13/2036", "csrf_token": token}
    r = c.post("/office/licences/new", data=bad)
    assert r.status_code == 422
    html = r.text
    assert 'role="alert"' in html and 'href="#f-valid_until"' in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="f-valid_until-hint f-valid_until-error"' in html
    assert "Ngày không hợp lệ (dd/mm/yyyy)" in html
    assert 'value="31/13/2036"' in html and 'value="GPTS-&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert "<script>alert" not in html
    assert db.query(FrequencyLicence).filter(FrequencyLicence.number.like("GPTS-%")).count() == 0
    unknown = c.post("/office/licences/new", data={**GOOD, "operator": "KHONG-CO", "csrf_token": token})
    assert unknown.status_code == 422 and 'href="#f-operator"' in unknown.text


def test_changes_need_the_session_csrf_token_and_this_site_as_origin(
    cookie_client: Callable[..., TestClient], db: Session
) -> None:
    c = cookie_client("licensing_officer")
    token = csrf_of(c.get("/office/licences/new").text)
    forged = c.post("/office/licences/new", data=GOOD)
    assert forged.status_code == 403 and forged.headers["content-type"].startswith("text/html")
    assert "CSRF" in forged.text
    wrong = c.post("/office/licences/new", data={**GOOD, "csrf_token": "0" * 40})
    assert wrong.status_code == 403
    elsewhere = c.post(
        "/office/licences/new", data={**GOOD, "csrf_token": token}, headers={"Origin": "https://evil.example"}
    )
    assert elsewhere.status_code == 403 and "Origin" in elsewhere.text
    # The API takes the session cookie too, with the token as a header.
    api = c.post("/api/frequency-licences", json={"operator": "VNPT", "band": "900", "number": "GPTS-API"})
    assert api.status_code == 403 and api.headers["content-type"] == "application/problem+json"
    ok = c.post("/api/frequency-licences", json={"operator": "VNPT", "band": "900", "number": "GPTS-API"},
                headers={"X-CSRF-Token": token})  # fmt: skip
    assert ok.status_code == 201, ok.text
    assert db.query(FrequencyLicence).filter(FrequencyLicence.number.like("GPTS-%")).count() == 1


def test_a_stale_edit_shows_both_versions_and_can_be_reapplied(
    cookie_client: Callable[..., TestClient], client: TestClient
) -> None:
    c = cookie_client("licensing_officer")
    where = _create(c).split("?")[0]
    form = c.get(f"{where}/edit").text
    token = csrf_of(form)
    # Someone else saves first, through the API.
    lic_id = where.rsplit("/", 1)[1]
    etag = client.get(f"/api/frequency-licences/{lic_id}").headers["etag"]
    assert client.patch(f"/api/frequency-licences/{lic_id}", json={"notes": "sửa trước"},
                        headers={"If-Match": etag}).status_code == 200  # fmt: skip
    mine = {**GOOD, "number": "GPTS-1/2026-S", "notes": "", "version": "1", "csrf_token": token}
    mine.pop("operator")
    mine.pop("band")
    stale = c.post(f"{where}/edit", data=mine)
    assert stale.status_code == 409 and "Bản ghi đã được người khác sửa" in stale.text
    assert "sửa trước" in stale.text and "GPTS-1/2026-S" in stale.text
    assert client.get(f"/api/frequency-licences/{lic_id}").json()["number"] == "GPTS-1/2026"  # nothing saved
    again = csrf_of(stale.text)
    resend = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', stale.text))
    assert resend["version"] == "2"
    r = c.post(f"{where}/edit", data={**resend, "csrf_token": again}, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert client.get(f"/api/frequency-licences/{lic_id}").json()["number"] == "GPTS-1/2026-S"


def test_pages_refuse_as_pages(cookie_client: Callable[..., TestClient], anon: TestClient) -> None:
    signed_out = anon.get("/office/licences", follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/maps/sign-in?next=")
    viewer = cookie_client("viewer")
    listed = viewer.get("/office/licences")
    assert listed.status_code == 200 and "Ghi giấy phép tần số" not in listed.text
    refused = viewer.get("/office/licences/new")
    assert refused.status_code == 403 and "<h1>Không có quyền</h1>" in refused.text
    assert "Về trang làm việc" in refused.text
    missing = viewer.get("/office/licences/999999")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    bad = viewer.get("/office/licences?page=abc")
    assert bad.status_code == 422 and "Số trang không hợp lệ" in bad.text
    # The API keeps problem+json.
    assert viewer.get("/api/frequency-licences/999999").headers["content-type"] == "application/problem+json"


def test_exports_are_the_filtered_rows_with_inert_cells(cookie_client: Callable[..., TestClient]) -> None:
    c = cookie_client("licensing_officer")
    _create(c, number='=HYPERLINK("http://x")')
    _create(c, number="GPTS-2", operator="VNPT")
    csv = c.get("/office/licences.csv?operator=VIETTEL")
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "GPTS-2" not in text


def test_a_refused_upload_is_closed_and_an_oversized_one_is_a_page(
    cookie_client: Callable[..., TestClient], settings: Any
) -> None:
    c = cookie_client("licensing_officer")
    forged = c.post(
        "/office/licences/new", data=GOOD, files={"file": ("a.pdf", b"%PDF-1.4 x" * 100, "application/pdf")}
    )
    assert forged.status_code == 403 and "CSRF" in forged.text  # and no temporary file left open (warnings = errors)
    big = c.post("/office/licences/new", data={"notes": "x" * (settings.max_json_bytes + 10)})
    assert big.status_code == 413 and big.headers["content-type"].startswith("text/html")
    assert 'data-status="413"' in big.text


def test_the_home_shows_each_role_its_own_work(cookie_client: Callable[..., TestClient], client: TestClient) -> None:
    from datetime import timedelta

    from registry.clock import today

    late = {"kind": "complaint", "received_on": (today() - timedelta(days=200)).isoformat(), "channel": "post",
            "subject": "Khiếu nại <b>cũ</b>"}  # fmt: skip
    assert client.post("/api/cases", json=late).status_code == 201
    inspector = cookie_client("inspector").get("/office/").text
    assert "vụ việc quá hạn giải quyết" in inspector and 'href="/office/cases/overdue"' in inspector
    assert "giấy phép hết hạn trong" in inspector  # staff read the permit lists too
    desk = cookie_client("one_stop_officer").get("/office/").text
    assert "hồ sơ đang giải quyết trong lĩnh vực của bạn" in desk and "vụ việc quá hạn" not in desk
    officer = cookie_client("licensing_officer").get("/office/").text
    assert "Thêm vị trí cột ăng ten" in officer and "hồ sơ quá hạn hẹn trả" in officer
