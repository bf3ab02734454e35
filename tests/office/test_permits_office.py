"""Permits in the back office without a browser: each form's refusals, the list's filters, search, sort
and exports, renew/suspend/revoke by the API's PATCH, a stale edit, the delete confirmation, who may do
what, CSRF, hostile text escaped and exported cells inert."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.clock import today
from registry.permits.models import Permit
from registry.settings import Settings
from tests.factories import make_permit, make_site, make_station
from tests.html_reader import elements
from tests.office.conftest import csrf_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EVIL = "<script>alert('x')</script>"


def dmy(d: Any) -> str:
    return f"{d:%d/%m/%Y}"


@pytest.fixture
def place(db: Session) -> dict[str, Any]:
    site = make_site(db, code="GP-SITE", pole_class="A2b", pole_height_m=30, address="Số 1 Lạch Tray")
    station = make_station(db, site=site, station_code="GP-ST1")
    other = make_site(db, code="GP-OTHER")
    return {"site": site, "station": station, "other": other}


def _form(c: TestClient, path: str) -> str:
    r = c.get(path)
    assert r.status_code == 200, r.text
    return csrf_of(r.text)


def _new(c: TestClient, data: dict[str, str], *, files: Any = None, query: str = "") -> Any:
    token = _form(c, f"/office/permits/new{query}")
    return c.post("/office/permits/new", data={**data, "csrf_token": token}, files=files, follow_redirects=False)


GOOD = {"kind": "construction_permit", "number": "12/GPXD", "site_code": "GP-SITE", "issuer": "Sở Xây dựng",
        "issue_date": "02/03/2026", "valid_until": "31/12/2030"}  # fmt: skip


def test_a_permit_recorded_from_the_missing_line_with_its_scan(
    cookie_client: Callable[..., TestClient], db: Session, place: dict[str, Any]
) -> None:
    c = cookie_client("licensing_officer")
    form = c.get("/office/permits/new?site_code=GP-SITE&kind=construction_permit")
    assert form.status_code == 200
    html = form.text
    # The holder is fixed and said in words; the kind is chosen; only a site's kinds are offered.
    assert '<input type="hidden" name="site_code" value="GP-SITE">' in html
    assert "Vị trí GP-SITE — Số 1 Lạch Tray" in html
    assert '<option value="construction_permit" selected>' in html
    assert 'value="inspection_certificate"' not in html
    data = {k: v for k, v in GOOD.items()}
    r = _new(c, data, files={"file": ("giay-phep.pdf", PDF, "application/pdf")})
    assert r.status_code == 303, r.text
    where = r.headers["location"]
    assert re.fullmatch(r"/office/permits/\d+\?msg=created", where)
    permit = db.query(Permit).filter_by(number="12/GPXD").one()
    assert permit.document is not None and permit.document.filename == "giay-phep.pdf"
    assert str(permit.issue_date) == "2026-03-02" and str(permit.valid_until) == "2030-12-31"
    page = c.get(where).text
    assert "Đã thêm." in page and "02/03/2026" in page and "31/12/2030" in page
    assert f'href="/api/permits/{permit.id}/document"' in page and 'href="/office/sites/GP-SITE"' in page
    assert 'class="state-valid status-badge"' in page
    assert c.get(f"/api/permits/{permit.id}/document").content == PDF
    # A station's certificate: the station named in words, only a station's kinds offered.
    station = place["station"]
    sform = c.get(f"/office/permits/new?station_id={station.id}&kind=inspection_certificate").text
    assert "Trạm GP-ST1 (Viettel) trên vị trí GP-SITE" in sform or "Trạm GP-ST1 (" in sform
    assert 'value="construction_permit"' not in sform


def test_refusals_come_back_filled(
    cookie_client: Callable[..., TestClient], db: Session, place: dict[str, Any]
) -> None:
    c = cookie_client("licensing_officer")
    bad_date = _new(c, {**GOOD, "valid_until": "31/13/2030", "number": EVIL})
    assert bad_date.status_code == 422
    html = bad_date.text
    assert 'href="#f-valid_until"' in html and "Ngày không hợp lệ (dd/mm/yyyy)" in html
    assert 'value="31/13/2030"' in html and "&lt;script&gt;" in html and EVIL not in html
    bad_kind = _new(c, {**GOOD, "kind": "driving_licence"})
    assert bad_kind.status_code == 422 and 'href="#f-kind"' in bad_kind.text
    no_holder = _new(c, {k: v for k, v in GOOD.items() if k != "site_code"})
    assert no_holder.status_code == 422 and "Cần đúng một trong site_code hoặc station_id" in no_holder.text
    # The holder fields are asked for when nothing was prefilled.
    assert 'name="site_code"' in no_holder.text and 'name="station_id"' in no_holder.text
    unknown = _new(c, {**GOOD, "site_code": "KHONG-CO"})
    assert unknown.status_code == 422 and 'href="#f-site_code"' in unknown.text
    wrong_holder = _new(c, {**GOOD, "kind": "inspection_certificate"})
    assert wrong_holder.status_code == 422 and "cần station_id" in wrong_holder.text
    not_a_scan = _new(c, GOOD, files={"file": ("giay-phep.pdf", b"MZ not a pdf", "application/pdf")})
    assert not_a_scan.status_code == 422 and 'href="#f-file"' in not_a_scan.text
    assert "Chỉ nhận PDF, JPEG hoặc PNG" in not_a_scan.text
    # Nothing of any refused attempt was kept (the scan's refusal took the permit back with it).
    assert db.query(Permit).filter(Permit.site_id == place["site"].id).count() == 0
    ok = _new(c, GOOD)
    assert ok.status_code == 303
    twice = _new(c, GOOD)
    assert twice.status_code == 422 and "đã có" in twice.text


def _permit(c: TestClient, **extra: str) -> str:
    r = _new(c, {**GOOD, **extra})
    assert r.status_code == 303, r.text
    return r.headers["location"].split("?")[0]


def test_renew_suspend_revoke_by_the_apis_patch(
    cookie_client: Callable[..., TestClient], client: TestClient, place: dict[str, Any]
) -> None:
    c = cookie_client("licensing_officer")
    where = _permit(c)
    pid = where.rsplit("/", 1)[1]
    token = _form(c, f"{where}/renew")
    version = lambda: client.get(f"/api/permits/{pid}").json()["version"]  # noqa: E731
    earlier = c.post(f"{where}/renew", data={"valid_until": "01/01/2030", "number": "12/GPXD", "issue_date":
                     "02/03/2026", "version": str(version()), "csrf_token": token})  # fmt: skip
    assert earlier.status_code == 422 and "Phải sau ngày hết hiệu lực hiện tại (31/12/2030)" in earlier.text
    blank = c.post(f"{where}/renew", data={"valid_until": "", "version": str(version()), "csrf_token": token})
    assert blank.status_code == 422 and 'href="#f-valid_until"' in blank.text
    renewed = c.post(f"{where}/renew", data={"valid_until": "31/12/2035", "number": "12/GPXD-GH", "issue_date":
                     "01/06/2030", "notes": "Gia hạn lần 1", "version": str(version()), "csrf_token": token},
                     follow_redirects=False)  # fmt: skip
    assert renewed.status_code == 303, renewed.text
    api = client.get(f"/api/permits/{pid}").json()
    assert (api["valid_until"], api["number"], api["issue_date"]) == ("2035-12-31", "12/GPXD-GH", "2030-06-01")
    assert api["notes"] == "Gia hạn lần 1"

    no_reason = c.post(f"{where}/suspend", data={"suspended_from": dmy(today()), "status_reason": "",
                       "version": str(version()), "csrf_token": token})  # fmt: skip
    assert no_reason.status_code == 422 and 'href="#f-status_reason"' in no_reason.text
    suspended = c.post(f"{where}/suspend", data={"suspended_from": dmy(today()), "suspended_until": "",
                       "status_reason": f"Vi phạm {EVIL}", "version": str(version()), "csrf_token": token},
                       follow_redirects=False)  # fmt: skip
    assert suspended.status_code == 303
    page = c.get(where).text
    assert 'class="state-suspended status-badge"' in page and "bị đình chỉ" in page
    assert "Vi phạm &lt;script&gt;" in page and EVIL not in page
    assert client.get(f"/api/permits/{pid}").json()["status"] == "suspended"

    revoked = c.post(f"{where}/revoke", data={"revoked_on": dmy(today()), "status_reason": "Thu hồi theo quyết định",
                     "version": str(version()), "csrf_token": token}, follow_redirects=False)  # fmt: skip
    assert revoked.status_code == 303
    assert client.get(f"/api/permits/{pid}").json()["status"] == "revoked"
    again = c.post(f"{where}/renew", data={"valid_until": "31/12/2040", "version": str(version()),
                   "csrf_token": token})  # fmt: skip
    assert again.status_code == 422 and "đã bị thu hồi" in again.text
    # The history says it in words.
    history = c.get(where).text
    assert "Lịch sử thay đổi" in history and "12/GPXD-GH" in history


def test_a_stale_edit_shows_the_conflict_page(
    cookie_client: Callable[..., TestClient], client: TestClient, place: dict[str, Any]
) -> None:
    c = cookie_client("licensing_officer")
    where = _permit(c)
    pid = where.rsplit("/", 1)[1]
    token = _form(c, f"{where}/edit")
    etag = client.get(f"/api/permits/{pid}").headers["etag"]
    assert client.patch(f"/api/permits/{pid}", json={"issuer": "UBND thành phố"}, headers={"If-Match": etag}
                        ).status_code == 200  # fmt: skip
    mine = {"number": "12/GPXD-S", "issuer": "Sở Xây dựng", "issue_date": "02/03/2026", "valid_until": "31/12/2030",
            "version": "1", "csrf_token": token}  # fmt: skip
    stale = c.post(f"{where}/edit", data=mine)
    assert stale.status_code == 409 and "Bản ghi đã được người khác sửa" in stale.text
    assert "UBND thành phố" in stale.text and "12/GPXD-S" in stale.text
    assert client.get(f"/api/permits/{pid}").json()["number"] == "12/GPXD"
    # A stale suspension too.
    late = c.post(f"{where}/suspend", data={"suspended_from": dmy(today()), "status_reason": "x", "version": "1",
                  "csrf_token": token})  # fmt: skip
    assert late.status_code == 409
    # Edit with the current version: saved; a date typed wrong comes back.
    bad = c.post(f"{where}/edit", data={**mine, "issue_date": "30/02/2026", "version": "2"})
    assert bad.status_code == 422 and 'href="#f-issue_date"' in bad.text
    ok = c.post(f"{where}/edit", data={**mine, "version": "2"}, follow_redirects=False)
    assert ok.status_code == 303
    assert client.get(f"/api/permits/{pid}").json()["number"] == "12/GPXD-S"


def test_scan_and_delete(cookie_client: Callable[..., TestClient], db: Session, place: dict[str, Any]) -> None:
    c = cookie_client("licensing_officer")
    where = _permit(c)
    token = _form(c, f"{where}/document")
    none = c.post(f"{where}/document", data={"version": "1", "csrf_token": token})
    assert none.status_code == 422 and 'href="#f-file"' in none.text
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    ok = c.post(f"{where}/document", data={"version": "1", "csrf_token": token},
                files={"file": ("scan.png", png, "image/png")}, follow_redirects=False)  # fmt: skip
    assert ok.status_code == 303
    assert "scan.png" in c.get(where).text
    confirm = c.get(f"{where}/delete")
    assert confirm.status_code == 200 and 'id="confirm-delete"' in confirm.text
    version = re.search(r'name="version" value="(\d+)"', confirm.text)
    assert version is not None
    gone = c.post(f"{where}/delete", data={"version": version.group(1), "csrf_token": csrf_of(confirm.text)},
                  follow_redirects=False)  # fmt: skip
    assert gone.status_code == 303 and gone.headers["location"] == "/office/permits?site_code=GP-SITE&msg=deleted"
    assert db.query(Permit).filter_by(number="12/GPXD").count() == 0


def test_the_list_filters_searches_sorts_and_exports_exactly_its_rows(
    cookie_client: Callable[..., TestClient], db: Session, place: dict[str, Any]
) -> None:
    on = today()
    site, other, station = place["site"], place["other"], place["station"]
    make_permit(db, kind="construction_permit", site=site, number="=HYPERLINK(\"http://x\")",
                valid_until=on + timedelta(days=10))  # fmt: skip
    make_permit(db, kind="construction_notification", site=other, number="TB-1", valid_until=on + timedelta(days=900))
    make_permit(db, kind="inspection_certificate", station=station, number="KD-1", valid_until=on - timedelta(days=3))
    make_permit(db, kind="construction_permit", site=other, number=f"GP-{EVIL}", revoked_on=on)
    c = cookie_client("viewer")
    listed = c.get("/office/permits")
    assert listed.status_code == 200 and "Tìm thấy 4 giấy phép" in listed.text
    assert "Ghi giấy phép" not in listed.text  # a viewer gets no write link
    assert "GP-&lt;script&gt;" in listed.text and EVIL not in listed.text
    expiring = c.get("/office/permits?status=expiring")
    assert "Tìm thấy 1 giấy phép" in expiring.text and "HYPERLINK" in expiring.text
    by_kind = c.get("/office/permits?kind=construction_permit&kind=inspection_certificate")
    assert "Tìm thấy 3 giấy phép" in by_kind.text
    searched = c.get("/office/permits?q=kd-1")
    assert "Tìm thấy 1 giấy phép" in searched.text and "KD-1" in searched.text
    of_site = c.get("/office/permits?site_code=GP-SITE")
    assert "Tìm thấy 2 giấy phép" in of_site.text and "Vị trí: GP-SITE" in of_site.text
    by_site_code = c.get("/office/permits?q=gp-other")
    assert "Tìm thấy 2 giấy phép" in by_site_code.text
    sorted_rows = c.get("/office/permits?sort=-valid_until").text
    assert sorted_rows.index("TB-1") < sorted_rows.index("KD-1")
    assert c.get("/office/permits?sort=secret").status_code == 422
    for key in ("number", "kind", "site", "station", "issuer", "issue_date", "valid_until", "status"):
        for sort in (key, f"-{key}"):
            assert "Tìm thấy 4 giấy phép" in c.get(f"/office/permits?sort={sort}").text, sort
    by_state = c.get("/office/permits?sort=status").text
    assert by_state.index("KD-1") < by_state.index("TB-1")  # expired before valid
    csv = c.get("/office/permits.csv?site_code=GP-SITE").content.decode("utf-8-sig")
    assert csv.count("\r\n") == 3 and "'=HYPERLINK" in csv and "TB-1" not in csv
    from openpyxl import load_workbook

    xlsx = c.get("/office/permits.xlsx?status=expired&status=revoked")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Số giấy phép" and sorted(r[0] for r in rows[1:]) == ["GP-" + EVIL, "KD-1"]


def _session_csrf(c: TestClient, db: Session, settings: Settings) -> str:
    """The CSRF token of ``c``'s session (a viewer's pages have no form to read it from)."""
    from api.access import COOKIE
    from api.csrf import token_for
    from registry.accounts.tokens import resolve

    row = resolve(db, c.cookies[COOKIE], secret=settings.secret())
    assert row is not None
    token = token_for(settings.secret(), row.id)
    assert token is not None
    return token


def test_who_may_do_what(
    cookie_client: Callable[..., TestClient], anon: TestClient, db: Session, settings: Settings, place: dict[str, Any]
) -> None:
    permit = make_permit(db, kind="construction_permit", site=place["site"], number="GP-V")
    signed_out = anon.get("/office/permits", follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/maps/sign-in")
    viewer = cookie_client("viewer")
    page = viewer.get(f"/office/permits/{permit.id}")
    assert page.status_code == 200 and "GP-V" in page.text and 'id="permit-actions"' not in page.text
    for action in ("new", f"{permit.id}/edit", f"{permit.id}/renew", f"{permit.id}/suspend", f"{permit.id}/revoke",
                   f"{permit.id}/document", f"{permit.id}/delete"):  # fmt: skip
        refused = viewer.get(f"/office/permits/{action}")
        assert refused.status_code == 403 and "Không có quyền" in refused.text, action
    token = _session_csrf(viewer, db, settings)
    posted = viewer.post(f"/office/permits/{permit.id}/revoke", data={"revoked_on": dmy(today()),
                         "status_reason": "x", "version": "1", "csrf_token": token})  # fmt: skip
    assert posted.status_code == 403 and "Không có quyền" in posted.text and "CSRF" not in posted.text
    db.refresh(permit)
    assert permit.revoked_on is None
    assert viewer.get("/office/permits/999999").status_code == 404


def test_changes_need_the_csrf_token(
    cookie_client: Callable[..., TestClient], db: Session, place: dict[str, Any]
) -> None:
    permit = make_permit(db, kind="construction_permit", site=place["site"], number="GP-C")
    c = cookie_client("licensing_officer")
    forged = c.post("/office/permits/new", data=GOOD)
    assert forged.status_code == 403 and "CSRF" in forged.text
    suspend = c.post(f"/office/permits/{permit.id}/suspend", data={"suspended_from": dmy(today()),
                     "status_reason": "x", "version": "1"})  # fmt: skip
    assert suspend.status_code == 403
    delete = c.post(f"/office/permits/{permit.id}/delete", data={"version": "1", "csrf_token": "0" * 40})
    assert delete.status_code == 403
    db.refresh(permit)
    assert permit.suspended_from is None and db.get(Permit, permit.id) is not None


def test_the_proposed_site_check_is_a_shareable_get_that_stores_nothing(
    cookie_client: Callable[..., TestClient], client: TestClient, db: Session, place: dict[str, Any]
) -> None:
    from registry.stations.models import Site

    c = cookie_client("licensing_officer")
    blank = c.get("/office/check")
    assert blank.status_code == 200 and 'id="check-map"' in blank.text and 'id="verdict"' not in blank.text
    assert "/static/js/check-map.js" in blank.text and "<script>" not in blank.text.replace("<script src", "")
    sites_before = db.query(Site).count()
    query = "position.lon=106.6835&position.lat=20.8605&pole_class=A2b&pole_height_m=36"
    page = c.get(f"/office/check?{query}")
    assert page.status_code == 200, page.text
    api = client.post("/api/permit-check", json={"position": {"lon": 106.6835, "lat": 20.8605}, "pole_class": "A2b",
                      "pole_height_m": 36}).json()  # fmt: skip
    assert api["verdict_name"] in [b.text for b in elements(page.text, "b")]
    for need in api["permits_to_obtain"]:
        assert need["kind_names"][0] in page.text
    assert "GP-SITE" in page.text  # the neighbour: too close or a co-location candidate
    assert db.query(Site).count() == sites_before
    # VN-2000 X (northing) / Y (easting) with its zone gives the same point's answer.
    from geo.crs import to_wgs84

    lon, lat = to_wgs84(9210, 571520.10, 2306012.35)
    vn = c.get("/office/check?position.crs=9210&position.northing=2306012.35&position.easting=571520.10"
               "&pole_class=A1a&pole_height_m=6")  # fmt: skip
    assert vn.status_code == 200 and f"{round(lat, 7)}, {round(lon, 7)}" in vn.text
    # Refusals on the form: a bad number, a missing class, a bad day, hostile text escaped.
    bad = c.get(f"/office/check?position.lon=abc&position.lat=20.86&pole_height_m=-1&on=31/02/2026&pole_class={EVIL}")
    assert bad.status_code == 422
    assert 'href="#f-position-lon"' in bad.text and 'href="#f-pole_height_m"' in bad.text
    assert 'href="#f-on"' in bad.text and 'href="#f-pole_class"' in bad.text and EVIL not in bad.text
    # A viewer may check; the public is sent to sign in.
    assert cookie_client("viewer").get(f"/office/check?{query}").status_code == 200
