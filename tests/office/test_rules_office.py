"""Rules as data in the back office (TestClient): the legal constants grouped by area with today's value,
a new value from a day (refused before the current one's start, a bad value), the case deadline rules
and a new version of one, the permit requirement rules (new, edit, new version), non-admins refused
(403 pages, no forms), CSRF, hostile legal basis text escaped, dates dd/mm/yyyy."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date, timedelta

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.cases.models import DeadlineRule
from registry.clock import today
from registry.permits.models import PermitRule
from registry.rules.book import RuleBook
from registry.rules.models import RuleValue
from tests.office.conftest import csrf_of

HOSTILE = "<script>alert('luật')</script>"
FORMULA = '=HYPERLINK("http://x","bấm")'


def dmy(d: date) -> str:
    return f"{d:%d/%m/%Y}"


def _post(c: TestClient, form_url: str, data: dict[str, object]):  # type: ignore[no-untyped-def]
    token = csrf_of(c.get(form_url).text)
    return c.post(form_url, data={**data, "csrf_token": token}, follow_redirects=False)


def test_the_constants_are_grouped_by_area_with_todays_value_and_dates(
    cookie_client: Callable[..., TestClient],
) -> None:
    c = cookie_client("viewer")  # staff read them; the API lets everyone read them
    r = c.get("/office/admin/rules")
    assert r.status_code == 200
    areas = re.findall(r'<h2 id="area-\d+">([^<]+)</h2>', r.text)
    assert areas == [
        "Báo chí",
        "Một cửa, hồ sơ thủ tục hành chính",
        "Trường điện từ, khoảng cách an toàn quanh trạm gốc",
        "Xử phạt vi phạm hành chính",
    ]
    row = re.search(r'<tr data-code="sanction.late_fee_percent_per_day">(.*?)</tr>', r.text, re.S).group(1)  # type: ignore[union-attr]
    assert ">0,05<" in row and "% mỗi ngày" in row and "01/01/1990" in row and "Điều 78" in row
    assert "Chắc chắn" in row
    cutoff = re.search(r'<tr data-code="press.annual_report_due">(.*?)</tr>', r.text, re.S).group(1)  # type: ignore[union-attr]
    assert ">15/01<" in cutoff and "Cần kiểm tra lại" in cutoff
    # The other kinds of rule are a link away, the spacing rules on their own (existing) page.
    for href in ("/office/admin/deadline-rules", "/office/admin/permit-rules", "/office/spacing-rules"):
        assert f'href="{href}"' in r.text
    # A viewer gets no form to change them.
    page = c.get("/office/admin/rules/sanction.payment_days")
    assert page.status_code == 200 and "new-value" not in page.text and "csrf_token" not in page.text
    refused = c.get("/office/admin/rules/sanction.payment_days/new-value")
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
    assert 'name="csrf_token"' not in refused.text


def test_filters_search_without_diacritics_and_exports_of_the_filtered_constants(
    cookie_client: Callable[..., TestClient], db: Session
) -> None:
    db.execute(select(RuleValue))  # the seeded rows are there (migration 0014)
    c = cookie_client("admin")
    one_stop = c.get("/office/admin/rules?area=one_stop")
    assert "Tìm thấy 5 quy định" in one_stop.text and "sanction.payment_days" not in one_stop.text
    found = c.get("/office/admin/rules?q=tien phat")  # "Tiền chậm nộp phạt", without diacritics
    assert 'data-code="sanction.late_fee_percent_per_day"' in found.text
    assert 'data-code="one_stop.paper_cutoff"' not in found.text
    assert 'href="/office/admin/rules.xlsx?area=one_stop"' in one_stop.text
    book = load_workbook(io.BytesIO(c.get("/office/admin/rules.xlsx?area=one_stop").content))
    values = [[cell.value for cell in row] for row in book.active.iter_rows()]
    assert values[0][:3] == ["Lĩnh vực", "Quy định", "Mã"] and len(values) == 6
    assert {v[2] for v in values[1:]} == {
        "one_stop.paper_cutoff", "one_stop.online_cutoff", "one_stop.send_back_working_days",
        "one_stop.apology_lead_days", "one_stop.hours_per_working_day",
    }  # fmt: skip
    bad = c.get("/office/admin/rules?sort=value")
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("text/html")
    missing = c.get("/office/admin/rules/khong.co")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")


def test_a_new_value_from_a_day_ends_the_one_before_and_refusals_come_back_filled(
    cookie_client: Callable[..., TestClient], db: Session
) -> None:
    c = cookie_client("admin")
    url = "/office/admin/rules/sanction.late_fee_percent_per_day/new-value"
    form = c.get(url)
    assert form.status_code == 200 and 'name="effective_from"' in form.text and "0,05" in form.text
    start = today() + timedelta(days=30)
    before = _post(c, url, {"value": "0,03", "effective_from": "31/12/1989", "legal_basis": "Luật mới",
                            "certainty": "firm"})  # fmt: skip
    assert before.status_code == 422
    assert "Phải sau ngày hiệu lực của giá trị hiện hành (01/01/1990)" in before.text
    assert 'href="#f-effective_from"' in before.text and 'value="0,03"' in before.text  # filled again
    bad = _post(c, url, {"value": "ba phần trăm", "effective_from": "31/02/2027", "legal_basis": "",
                         "certainty": "firm"})  # fmt: skip
    assert bad.status_code == 422
    assert 'href="#f-effective_from"' in bad.text and 'href="#f-legal_basis"' in bad.text
    words = _post(c, url, {"value": "ba phần trăm", "effective_from": dmy(start), "legal_basis": "Luật",
                           "certainty": "firm"})  # fmt: skip
    assert words.status_code == 422 and 'href="#f-value"' in words.text and "ví dụ 0,05" in words.text
    assert db.scalar(select(RuleValue).where(RuleValue.value == "0.03")) is None  # nothing written
    ok = _post(c, url, {"value": "0,03", "effective_from": dmy(start), "legal_basis": f"Nghị định mới {HOSTILE}",
                        "certainty": "check"})  # fmt: skip
    assert ok.status_code == 303, ok.text
    assert ok.headers["location"] == "/office/admin/rules/sanction.late_fee_percent_per_day?msg=created"
    stored = db.scalar(select(RuleValue).where(RuleValue.value == "0.03"))
    assert stored is not None and stored.certainty == "check" and stored.effective_from == start
    book = RuleBook.load(db)
    assert str(book.value("sanction.late_fee_percent_per_day", start - timedelta(days=1))) == "0.05"
    assert str(book.value("sanction.late_fee_percent_per_day", start)) == "0.03"
    listed = c.get("/office/admin/rules")
    row = re.search(r'<tr data-code="sanction.late_fee_percent_per_day">(.*?)</tr>', listed.text, re.S).group(1)  # type: ignore[union-attr]
    assert ">0,05<" in row and dmy(start) in row and f"0,03 từ {dmy(start)}" in row
    page = c.get("/office/admin/rules/sanction.late_fee_percent_per_day")
    assert HOSTILE not in page.text and "Nghị định mới &lt;script&gt;" in page.text
    values = re.search(r'<table id="values">(.*?)</table>', page.text, re.S).group(1)  # type: ignore[union-attr]
    assert values.index("Sắp áp dụng") < values.index("Đang áp dụng")  # newest first
    assert "Lịch sử thay đổi" in page.text and "Giá trị" in page.text
    # A later start than the latest value is needed again: the day of the new one is now the floor.
    again = _post(c, url, {"value": "0,04", "effective_from": dmy(start), "legal_basis": "x", "certainty": "firm"})
    assert again.status_code == 422 and f"({dmy(start)})" in again.text


def test_only_an_admin_changes_rules_and_every_change_needs_the_token(
    cookie_client: Callable[..., TestClient], anon: TestClient
) -> None:
    public = anon.get("/office/admin/rules", follow_redirects=False)
    assert public.status_code in (302, 303, 307) and "/sign-in" in public.headers["location"]
    c = cookie_client("licensing_officer")
    for url in ("/office/admin/rules/sanction.payment_days/new-value",
                "/office/admin/deadline-rules/KN1/new-version",
                "/office/admin/permit-rules/new", "/office/admin/permit-rules/SITE-NOTIFY/edit",
                "/office/admin/permit-rules/SITE-NOTIFY/new-version"):  # fmt: skip
        r = c.get(url)
        assert r.status_code == 403 and r.headers["content-type"].startswith("text/html"), url
        assert 'name="csrf_token"' not in r.text
    listed = c.get("/office/admin/permit-rules")
    assert listed.status_code == 200 and "/office/admin/permit-rules/new" not in listed.text
    assert "/edit" not in c.get("/office/admin/permit-rules/SITE-NOTIFY").text
    admin = cookie_client("admin")
    forged = admin.post("/office/admin/rules/sanction.payment_days/new-value",
                        data={"value": "15", "effective_from": "01/01/2030", "legal_basis": "x"})  # fmt: skip
    assert forged.status_code == 403 and "CSRF" in forged.text
    forged = admin.post("/office/admin/permit-rules/new", data={"code": "X", "csrf_token": "0" * 40})
    assert forged.status_code == 403


def test_a_deadline_rule_gets_a_new_version_from_a_day(cookie_client: Callable[..., TestClient], db: Session) -> None:
    c = cookie_client("admin")
    listed = c.get("/office/admin/deadline-rules?case_kind=complaint&standing=current")
    assert listed.status_code == 200 and 'href="/office/admin/deadline-rules/KN1"' in listed.text
    assert "30 ngày" in listed.text and "ngày thụ lý" in listed.text
    # An old version points to the newest one instead of offering a form.
    old = c.get("/office/admin/deadline-rules/KN-THULY")
    assert "KN-THULY-2026" in old.text and "/office/admin/deadline-rules/KN-THULY/new-version" not in old.text
    url = "/office/admin/deadline-rules/KN1/new-version"
    form = c.get(url)
    assert form.status_code == 200 and 'name="version"' in form.text
    start = today() + timedelta(days=60)
    refused = _post(c, url, {"code": "KN1", "duration": "0", "unit": "working_days", "starts_from": "accepted",
                             "effective_from": "01/01/2000", "legal_basis": "Luật Khiếu nại sửa đổi",
                             "certainty": "firm", "version": "1"})  # fmt: skip
    assert refused.status_code == 422 and 'href="#f-duration"' in refused.text
    taken = _post(c, url, {"code": "KN1", "duration": "20", "unit": "working_days", "starts_from": "accepted",
                           "effective_from": dmy(start), "legal_basis": "Luật", "certainty": "firm",
                           "version": "1"})  # fmt: skip
    assert taken.status_code == 422 and "Mã quy tắc KN1 đã có" in taken.text
    ok = _post(c, url, {"code": "KN1-2027", "duration": "20", "unit": "working_days", "starts_from": "accepted",
                        "effective_from": dmy(start), "legal_basis": f"Luật Khiếu nại sửa đổi {HOSTILE}",
                        "certainty": "check", "version": "1"})  # fmt: skip
    assert ok.status_code == 303, ok.text
    assert ok.headers["location"] == "/office/admin/deadline-rules/KN1-2027?msg=created"
    kn1 = db.scalar(select(DeadlineRule).where(DeadlineRule.code == "KN1"))
    assert kn1 is not None and kn1.effective_to == start
    new = c.get("/office/admin/deadline-rules/KN1-2027")
    assert HOSTILE not in new.text and "&lt;script&gt;" in new.text
    versions = re.search(r'<table id="versions">(.*?)</table>', new.text, re.S).group(1)  # type: ignore[union-attr]
    assert "KN1-2027" in versions and "20 ngày làm việc" in versions and dmy(start) in versions
    stale = _post(c, url, {"code": "KN1-2028", "duration": "25", "unit": "working_days", "starts_from": "accepted",
                           "effective_from": dmy(start + timedelta(days=1)), "legal_basis": "x",
                           "certainty": "firm", "version": "1"})  # fmt: skip
    assert stale.status_code == 409  # the old rule changed (it ended) since version 1


def test_permit_rules_new_edit_and_a_new_version(cookie_client: Callable[..., TestClient], db: Session) -> None:
    c = cookie_client("admin")
    listed = c.get("/office/admin/permit-rules?applies_to=site")
    assert listed.status_code == 200 and "SITE-A2B-PERMIT" in listed.text and "Giấy phép xây dựng" in listed.text
    assert "Mọi loại cột" in listed.text and "từ 45 m" in listed.text
    new = "/office/admin/permit-rules/new"
    wrong = _post(c, new, {"code": "SITE-A1-NOTE", "applies_to": "site", "permit_kinds": ["inspection_certificate"],
                           "description": "x", "legal_basis": "y", "effective_from": "01/01/2027"})  # fmt: skip
    assert wrong.status_code == 422 and "Quy tắc cho vị trí không nhận giấy tờ của trạm" in wrong.text
    assert 'value="inspection_certificate" checked' in wrong.text  # filled again
    none = _post(c, new, {"code": "SITE-A1-NOTE", "applies_to": "site", "description": "x", "legal_basis": "y",
                          "effective_from": "1/1/2027", "min_height_m": "20", "max_height_m": "10"})  # fmt: skip
    assert none.status_code == 422 and 'href="#f-permit_kinds"' in none.text
    ok = _post(c, new, {"code": "SITE-A1-NOTE", "applies_to": "site", "permit_kinds": ["construction_notification"],
                        "pole_classes": ["A1a", "A1b"], "description": f"Cột A1 {HOSTILE}", "legal_basis": FORMULA,
                        "certainty": "check", "effective_from": "01/01/2027"})  # fmt: skip
    assert ok.status_code == 303, ok.text
    rule = db.scalar(select(PermitRule).where(PermitRule.code == "SITE-A1-NOTE"))
    assert rule is not None and rule.pole_classes == ["A1a", "A1b"] and rule.zone_kinds is None  # none ticked: any
    page = c.get("/office/admin/permit-rules/SITE-A1-NOTE")
    assert HOSTILE not in page.text and "Cột A1 &lt;script&gt;" in page.text and "01/01/2027" in page.text
    csv = c.get("/office/admin/permit-rules.csv?q=a1-note").content.decode("utf-8-sig")
    assert "SITE-A1-NOTE" in csv and "'=HYPERLINK" in csv and "SITE-NOTIFY" not in csv
    # Edit: untick the classes (→ any class), a stale version is a conflict page.
    edit = "/office/admin/permit-rules/SITE-A1-NOTE/edit"
    form = c.get(edit)
    assert 'value="01/01/2027"' in form.text and 'name="code"' not in form.text
    kept = {"permit_kinds": ["construction_notification"], "description": f"Cột A1 {HOSTILE}", "legal_basis": FORMULA,
            "certainty": "check", "effective_from": "01/01/2027", "effective_to": ""}  # fmt: skip
    saved = _post(c, edit, {**kept, "min_height_m": "6", "version": "1"})
    assert saved.status_code == 303, saved.text
    db.refresh(rule)
    assert rule.pole_classes is None and rule.min_height_m == 6
    stale = _post(c, edit, {**kept, "min_height_m": "7", "version": "1"})
    assert stale.status_code == 409 and "Bản ghi đã thay đổi" in stale.text
    # A new version from a day: the new rule starts, the old one ends that day.
    url = "/office/admin/permit-rules/SITE-A1-NOTE/new-version"
    form = c.get(url)
    assert 'value="SITE-A1-NOTE-' in form.text and 'value="construction_notification" checked' in form.text
    early = _post(c, url, {**kept, "code": "SITE-A1-NOTE-2", "applies_to": "site", "effective_from": "01/01/2026",
                           "version": str(rule.version)})  # fmt: skip
    assert early.status_code == 422 and "Phải sau ngày hiệu lực của quy tắc hiện hành (01/01/2027)" in early.text
    done = _post(c, url, {**kept, "code": "SITE-A1-NOTE-2", "applies_to": "site", "effective_from": "01/07/2027",
                          "version": str(rule.version)})  # fmt: skip
    assert done.status_code == 303, done.text
    db.refresh(rule)
    assert rule.effective_to == date(2027, 7, 1)
    assert db.scalar(select(PermitRule).where(PermitRule.code == "SITE-A1-NOTE-2")) is not None
    history = c.get("/office/admin/permit-rules/SITE-A1-NOTE").text
    assert "Lịch sử thay đổi" in history and "01/07/2027" in history


def test_the_api_takes_the_same_new_versions(client: TestClient, db: Session) -> None:
    """The routes the pages' services answer: If-Match of the old rule is needed."""
    body = {"code": "KN1-API", "duration": "21", "unit": "working_days", "effective_from": "2031-01-01",
            "legal_basis": "Luật"}  # fmt: skip
    assert client.post("/api/deadline-rules/KN1/versions", json=body).status_code == 428
    made = client.post("/api/deadline-rules/KN1/versions", json=body, headers={"If-Match": '"1"'})
    assert made.status_code == 201, made.text
    assert made.json()["starts_from"] == "accepted" and made.json()["effective_from"] == "2031-01-01"
    rules = {r["code"]: r for r in client.get("/api/deadline-rules").json()}
    assert rules["KN1"]["effective_to"] == "2031-01-01"
    rule = {"code": "SITE-A2B-2031", "applies_to": "site", "permit_kinds": ["construction_permit"],
            "pole_classes": ["A2b"], "description": "x", "legal_basis": "y",
            "effective_from": "2031-01-01"}  # fmt: skip
    etag = client.get("/api/permit-rules/SITE-A2B-PERMIT").headers["ETag"]
    v = client.post("/api/permit-rules/SITE-A2B-PERMIT/versions", json=rule, headers={"If-Match": etag})
    assert v.status_code == 201, v.text
    assert client.get("/api/permit-rules/SITE-A2B-PERMIT").json()["effective_to"] == "2031-01-01"
    # A month-day typed as pages show it is stored in its canonical form.
    r = client.post("/api/rules", json={"code": "press.annual_report_due", "value": "31/01",
                                        "effective_from": "2031-01-01", "legal_basis": "x"})  # fmt: skip
    assert r.status_code == 201 and r.json()["value"] == "01-31"
