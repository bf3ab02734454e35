"""Sites and stations in the back office, through plain requests signed in with the cookie: the list's
filters, sort, paging and total, its exports (exactly the filtered rows, inert cells), the forms with
the API's field names and the API's refusals, who may change what, and hostile text kept as text."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from geo.crs import from_wgs84
from registry.clock import today
from registry.permits.standing import problem_sites
from registry.stations.models import Site, Station
from registry.stations.queries import StationFilter, site_rows
from tests.factories import make_permit, make_site, make_station
from tests.office.conftest import csrf_of

LON, LAT = 106.70, 20.84
HOSTILE = "<script>alert('x')</script>"
CookieClient = Callable[..., TestClient]


def _post(c: TestClient, path: str, data: dict[str, Any], form: str | None = None) -> Any:
    token = csrf_of(c.get(form or path).text)
    return c.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


@pytest.fixture
def sites(db: Session) -> list[Site]:
    """Five sites: three Viettel 4G A2a in a row, a VNPT 5G A1b, a planned one without stations."""
    out = []
    for i in range(3):
        s = make_site(db, code=f"OF-{i}", lon=LON + i * 0.003, lat=LAT, pole_class="A2a",
                      address=f"Số {i} Đường Lạch Tray")  # fmt: skip
        make_station(db, site=s, operator_code="VIETTEL", station_code=f"VT-{i}", technologies=("4G",))
        out.append(s)
    s = make_site(db, code="OF-3", lon=LON, lat=LAT + 0.004, pole_class="A1b", address="Ngõ Phố Hàng Kênh")
    make_station(db, site=s, operator_code="VNPT", station_code="VN-3", technologies=("4G", "5G"))
    out.append(s)
    out.append(make_site(db, code="OF-4", lon=LON + 0.01, lat=LAT + 0.004, pole_class="A2b", status="planned",
                         address=HOSTILE))  # fmt: skip
    return out


def codes(html: str) -> list[str]:
    return re.findall(r'<a href="/office/sites/(OF-\d)">', html)


def test_the_list_filters_sorts_pages_and_counts(cookie_client: CookieClient, sites: list[Site]) -> None:
    c = cookie_client("licensing_officer")
    everything = c.get("/office/sites?q=OF-")
    assert everything.status_code == 200
    assert codes(everything.text) == ["OF-0", "OF-1", "OF-2", "OF-3", "OF-4"]
    assert "Tìm thấy 5 vị trí" in everything.text
    assert codes(c.get("/office/sites?q=OF-&operator=VNPT").text) == ["OF-3"]
    assert codes(c.get("/office/sites?q=OF-&technology=5G").text) == ["OF-3"]
    assert codes(c.get("/office/sites?q=OF-&pole_class=A2a&pole_class=A2b").text) == ["OF-0", "OF-1", "OF-2", "OF-4"]
    assert codes(c.get("/office/sites?q=OF-&status=planned").text) == ["OF-4"]
    # Search with or without diacritics, by address or by a station's code.
    assert codes(c.get("/office/sites?q=hang kenh").text) == ["OF-3"]
    assert codes(c.get("/office/sites?q=Hàng Kênh").text) == ["OF-3"]
    assert codes(c.get("/office/sites?q=VT-1").text) == ["OF-1"]
    # Sort by a column, both ways.
    assert codes(c.get("/office/sites?q=OF-&sort=-code").text) == ["OF-4", "OF-3", "OF-2", "OF-1", "OF-0"]
    by_class = codes(c.get("/office/sites?q=OF-&sort=pole_class").text)
    assert by_class[0] == "OF-3" and by_class[-1] == "OF-4"
    # Bad words come back as a page naming the field.
    bad = c.get("/office/sites?status=flying")
    assert bad.status_code == 422 and "status" in bad.text and bad.headers["content-type"].startswith("text/html")
    assert c.get("/office/sites?sort=secret").status_code == 422


def test_paging_keeps_the_total(cookie_client: CookieClient, db: Session) -> None:
    for i in range(53):
        make_site(db, code=f"PG-{i:02d}", lon=LON + (i % 10) * 0.002, lat=LAT + (i // 10) * 0.002)
    c = cookie_client("viewer")
    first = c.get("/office/sites?q=PG-")
    assert "Tìm thấy 53 vị trí; đang xem 1–50." in first.text and "Trang 1/2" in first.text
    second = c.get("/office/sites?q=PG-&page=2")
    assert "đang xem 51–53" in second.text
    assert re.findall(r'<a href="/office/sites/(PG-\d+)">', second.text) == ["PG-50", "PG-51", "PG-52"]
    past = c.get("/office/sites?q=PG-&page=9")
    assert past.status_code == 200 and "Tìm thấy 53 vị trí" in past.text


def test_the_permit_problem_filter_is_the_missing_list(
    cookie_client: CookieClient, client: TestClient, sites: list[Site], db: Session
) -> None:
    # OF-0 gets every permit it needs; the others (operating) lack theirs; OF-4 is planned: not listed.
    check = client.get("/api/sites/OF-0/permit-check").json()
    until = today() + timedelta(days=365)
    for need in check["required_permits"]:
        make_permit(db, kind=need["accepted_kinds"][0], site=sites[0], valid_until=until)
    for need in check["stations"][0]["required_permits"]:
        make_permit(db, kind=need["accepted_kinds"][0], station=sites[0].stations[0], valid_until=until)
    missing = client.get("/api/permits/missing?limit=1000").json()["items"]
    expected = sorted({r["site_code"] for r in missing if r["site_code"].startswith("OF-")})
    assert "OF-0" not in expected and expected  # the test means something
    c = cookie_client("licensing_officer")
    listed = c.get("/office/sites?q=OF-&permit_problem=1")
    assert codes(listed.text) == expected
    assert "Có vấn đề giấy phép hôm nay" in listed.text
    # Exports carry the same rows.
    text = c.get("/office/sites.csv?q=OF-&permit_problem=1").content.decode("utf-8-sig")
    assert sorted(r[0] for r in list(csv.reader(io.StringIO(text)))[1:]) == expected
    # The planner setting the working-out needs lasts for it only.
    extra = problem_sites(db, StationFilter(q="OF-"), on=today(), expiring_days=60)
    assert db.scalar(sql_text("SHOW enable_nestloop")) == "on"
    rows, total = site_rows(db, StationFilter(q="OF-"), limit=2, extra=extra)
    assert total == len(expected) and [r["code"] for r in rows] == expected[:2]
    # A permit recorded now takes its site off the list at once (the remembered answer is not reused).
    first = next(s for s in sites if s.code == expected[0])
    check = client.get(f"/api/sites/{first.code}/permit-check").json()
    assert len(first.stations) == len(check["stations"]) == 1
    for need in check["required_permits"]:
        make_permit(db, kind=need["accepted_kinds"][0], site=first, valid_until=until)
    for need in check["stations"][0]["required_permits"]:
        make_permit(db, kind=need["accepted_kinds"][0], station=first.stations[0], valid_until=until)
    assert expected[0] not in codes(c.get("/office/sites?q=OF-&permit_problem=1").text)


def test_exports_are_exactly_the_filtered_rows_with_inert_cells(
    cookie_client: CookieClient, db: Session, sites: list[Site]
) -> None:
    make_site(db, code="OF-9", lon=LON + 0.02, lat=LAT, address='=HYPERLINK("http://x","y")', pole_class="A2a")
    c = cookie_client("licensing_officer")
    page = c.get("/office/sites?q=OF-&pole_class=A2a")
    assert 'href="/office/sites.csv?q=OF-&amp;pole_class=A2a"' in page.text
    text = c.get("/office/sites.csv?q=OF-&pole_class=A2a").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[0] for r in rows[1:]] == ["OF-0", "OF-1", "OF-2", "OF-9"]
    assert rows[0][0] == "Mã vị trí" and "'=HYPERLINK" in text
    book = load_workbook(io.BytesIO(c.get("/office/sites.xlsx?q=OF-&pole_class=A2a").content))
    sheet = book.active
    assert [r[0].value for r in sheet.iter_rows(min_row=2)] == ["OF-0", "OF-1", "OF-2", "OF-9"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert '=HYPERLINK("http://x","y")' in [c.value for c in cells]  # kept as text …
    assert all(cell.data_type != "f" for cell in cells)  # … never a formula
    geo = c.get("/office/sites.geojson?q=OF-&pole_class=A2a")
    assert geo.headers["content-type"].startswith("application/geo+json")
    features = json.loads(geo.content)["features"]
    assert [f["id"] for f in features] == ["OF-0", "OF-1", "OF-2", "OF-9"]
    assert features[0]["geometry"]["coordinates"] == [pytest.approx(LON), pytest.approx(LAT)]
    kml = c.get("/office/sites.kml?q=OF-&status=planned").text
    assert "<name>OF-4</name>" in kml and "OF-0" not in kml
    assert "<script>" not in kml and "&lt;script&gt;" in kml


def test_an_officer_adds_a_site_in_vn2000_and_its_station(
    cookie_client: CookieClient, db: Session, client: TestClient
) -> None:
    c = cookie_client("licensing_officer")
    easting, northing = from_wgs84(9210, LON + 0.05, LAT + 0.01)
    base = {"position.crs": "9210", "address": "Số 5 Trần Phú", "pole_class": "A2b", "pole_height_m": "30",
            "status": "operating"}  # fmt: skip
    # X and Y swapped: refused with the position checks' words, by the coordinates.
    swapped = _post(c, "/office/sites/new", {**base, "position.northing": f"{easting:.2f}",
                                             "position.easting": f"{northing:.2f}"})  # fmt: skip
    assert swapped.status_code == 422, swapped.text
    assert 'role="alert"' in swapped.text and 'href="#f-position' in swapped.text
    assert f'value="{easting:.2f}"' in swapped.text  # the form comes back filled
    assert db.query(Site).filter_by(address="Số 5 Trần Phú").count() == 0
    made = _post(c, "/office/sites/new", {**base, "position.northing": f"{northing:.2f}",
                                          "position.easting": f"{easting:.2f}"})  # fmt: skip
    assert made.status_code == 303, made.text
    where = made.headers["location"].split("?")[0]
    site = db.query(Site).filter_by(address="Số 5 Trần Phú").one()
    assert where == f"/office/sites/{site.code}" and site.source_crs == 9210
    assert site.source_y == pytest.approx(northing, abs=0.01) and site.provenance == "survey"
    record = c.get(where)
    assert record.status_code == 200 and "EPSG:9210" in record.text and "X (Bắc)" in record.text
    # A station with two sectors (the empty third row is dropped), bands typed with commas.
    station = {"operator": "MOBIFONE", "station_code": "MB-77", "technologies": ["4G", "5G"], "bands": "1800, 3500",
               "status": "operating", "commissioning_date": "15/03/2025", "sectors.0.azimuth_deg": "0",
               "sectors.0.tilt_deg": "-4", "sectors.1.azimuth_deg": "120", "sectors.1.eirp_w": "250",
               "sectors.2.azimuth_deg": ""}  # fmt: skip
    added = _post(c, f"/office/stations/new?site_code={site.code}", station)
    assert added.status_code == 303 and added.headers["location"].startswith(where)
    st = db.query(Station).filter_by(station_code="MB-77").one()
    assert st.bands == ["1800", "3500"] and st.technologies == ["4G", "5G"] and len(st.sectors) == 2
    assert str(st.commissioning_date) == "2025-03-15"
    # A refused station comes back with the error by its sector field.
    bad = _post(c, f"/office/stations/new?site_code={site.code}", {**station, "station_code": "MB-78",
                "sectors.0.azimuth_deg": "400"})  # fmt: skip
    assert bad.status_code == 422 and 'href="#f-sectors-0-azimuth_deg"' in bad.text
    # Editing: change one sector and untick a technology; the rest stays.
    edit = c.get(f"/office/stations/{st.id}/edit").text
    assert 'value="120"' in edit and 'name="sectors.4.azimuth_deg"' in edit  # 2 rows + 3 empty
    changed = _post(c, f"/office/stations/{st.id}/edit", {"version": str(st.version), "technologies": ["5G"],
                    "bands": "1800, 3500", "status": "operating", "commissioning_date": "15/03/2025",
                    "sectors.0.azimuth_deg": "10", "sectors.0.tilt_deg": "-4", "sectors.1.azimuth_deg": "120",
                    "sectors.1.eirp_w": "250"}, form=f"/office/stations/{st.id}/edit")  # fmt: skip
    assert changed.status_code == 303, changed.text
    db.expire_all()
    st = db.get(Station, st.id)
    assert st is not None and st.technologies == ["5G"] and [s.azimuth_deg for s in st.sectors] == [10, 120]
    page = c.get(where).text
    assert "MB-77" in page and "MOBIFONE" in page.upper()


def test_editing_a_site_sends_only_what_changed(cookie_client: CookieClient, db: Session, sites: list[Site]) -> None:
    c = cookie_client("licensing_officer")
    form = c.get("/office/sites/OF-1/edit").text
    values = dict(re.findall(r'name="([a-z_.]+)" type="text" class="w-\w"\s+value="([^"]*)"', form))
    assert values["position.lon"] and values["position.lat"]
    version = sites[1].version
    r = _post(c, "/office/sites/OF-1/edit", {**values, "status": "dismantled", "position.crs": "4326",
              "version": str(version)}, form="/office/sites/OF-1/edit")  # fmt: skip
    assert r.status_code == 303, r.text
    db.expire_all()
    after = db.get(Site, sites[1].id)
    assert after is not None and after.status == "dismantled" and after.version == version + 1
    # The position was not sent: moving it next to OF-2 would have been refused as a duplicate.
    history = c.get("/office/sites/OF-1").text
    assert "đã tháo dỡ" in history


def test_an_inspector_may_change_a_sites_status_and_notes_only(
    cookie_client: CookieClient, db: Session, sites: list[Site]
) -> None:
    c = cookie_client("inspector")
    form = c.get("/office/sites/OF-0/edit")
    assert form.status_code == 200 and 'name="status"' in form.text and 'name="notes"' in form.text
    assert 'name="position.lon"' not in form.text and 'name="address"' not in form.text
    version = str(sites[0].version)
    ok = _post(c, "/office/sites/OF-0/edit", {"status": "dismantled", "notes": "Đã kiểm tra", "version": version},
               form="/office/sites/OF-0/edit")  # fmt: skip
    assert ok.status_code == 303, ok.text
    refused = _post(c, "/office/sites/OF-0/edit", {"status": "dismantled", "notes": "Đã kiểm tra",
                    "address": "Đổi địa chỉ", "version": str(sites[0].version + 1)},
                    form="/office/sites/OF-0/edit")  # fmt: skip
    assert refused.status_code == 422 and "Vai trò của bạn không được sửa trường này" in refused.text
    db.expire_all()
    site = db.get(Site, sites[0].id)
    assert site is not None and site.status == "dismantled" and site.address == "Số 0 Đường Lạch Tray"
    assert c.get("/office/sites/new").status_code == 403
    page = c.get("/office/sites/OF-0").text
    assert "/office/sites/OF-0/edit" in page and "/office/sites/OF-0/delete" not in page


def test_a_viewer_gets_no_forms_and_no_buttons(
    cookie_client: CookieClient, anon: TestClient, sites: list[Site]
) -> None:
    assert anon.get("/office/sites", follow_redirects=False).status_code == 303  # the public: sign in
    c = cookie_client("viewer")
    listed = c.get("/office/sites")
    assert listed.status_code == 200 and "OF-0" in listed.text
    assert 'href="/office/sites/new"' not in listed.text and 'href="/office/sites/import"' not in listed.text
    page = c.get("/office/sites/OF-0").text
    assert 'id="details"' in page
    for href in (
        "/office/sites/OF-0/edit",
        "/office/sites/OF-0/delete",
        "/office/stations/new?site_code=OF-0",
        f"/office/stations/{sites[0].stations[0].id}/edit",
    ):
        assert f'href="{href}"' not in page, href
    for path in (
        "/office/sites/new",
        "/office/sites/OF-0/edit",
        "/office/sites/OF-4/delete",
        "/office/stations/new?site_code=OF-0",
        f"/office/stations/{sites[0].stations[0].id}/edit",
    ):
        refused = c.get(path)
        assert refused.status_code == 403 and "<h1>Không có quyền</h1>" in refused.text, path


def test_hostile_text_stays_text(cookie_client: CookieClient, db: Session, sites: list[Site]) -> None:
    make_station(db, site=sites[4], operator_code="VIETTEL", station_code="<img src=x onerror=alert(1)>")
    sites[4].notes = HOSTILE
    db.flush()
    c = cookie_client("licensing_officer")
    for path in ("/office/sites?q=OF-", "/office/sites/OF-4", "/office/sites/OF-4/edit"):
        html = c.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;" in html, path
    blocked = c.get("/office/sites/OF-4/delete").text
    assert "&lt;img src=x" in blocked and "<img src=x" not in blocked


def test_deleting_shows_what_blocks_it(
    cookie_client: CookieClient, db: Session, sites: list[Site], client: TestClient
) -> None:
    make_permit(db, kind="construction_permit", site=sites[3], number="GPXD-9/2025")
    c = cookie_client("licensing_officer")
    blocked = c.get("/office/sites/OF-3/delete").text
    assert 'id="blockers"' in blocked and "VN-3" in blocked and "GPXD-9/2025" in blocked
    assert 'id="confirm-delete"' not in blocked
    station = sites[3].stations[0]
    # Forced anyway (an old tab): the service refuses and the page says why.
    token = csrf_of(c.get("/office/sites/OF-4/delete").text)
    forced = c.post("/office/sites/OF-3/delete", data={"csrf_token": token, "version": str(sites[3].version)})
    assert forced.status_code == 409 and "VN-3" in forced.text
    assert db.get(Site, sites[3].id) is not None
    # A station without permits goes after its confirmation; a site without stations and permits too.
    gone = _post(c, f"/office/stations/{station.id}/delete", {"version": str(station.version)},
                 form=f"/office/stations/{station.id}/delete")  # fmt: skip
    assert gone.status_code == 303 and gone.headers["location"].startswith("/office/sites/OF-3")
    ok = c.get("/office/sites/OF-4/delete").text
    assert 'id="confirm-delete"' in ok and 'id="blockers"' not in ok
    deleted = _post(c, "/office/sites/OF-4/delete", {"version": str(sites[4].version)},
                    form="/office/sites/OF-4/delete")  # fmt: skip
    assert deleted.status_code == 303 and deleted.headers["location"] == "/office/sites?msg=deleted"
    assert client.get("/api/sites/OF-4").status_code == 404


def test_the_record_page_shows_the_check_and_links_to_record_missing_permits(
    cookie_client: CookieClient, sites: list[Site], client: TestClient
) -> None:
    c = cookie_client("licensing_officer")
    html = c.get("/office/sites/OF-0").text
    api = client.get("/api/sites/OF-0/permit-check").json()
    assert api["verdict_name"] in html and 'id="verdict"' in html
    for reason in api["reasons"]:
        assert reason["message"].split(":")[0] in html
    missing_site = [n for n in api["required_permits"] if not n["met"]]
    assert missing_site  # an A2a pole without permits lacks something
    href = f"/office/permits/new?kind={missing_site[0]['accepted_kinds'][0]}&amp;site_code=OF-0"
    assert href in html and "Ghi giấy phép này" in html
    station_id = sites[0].stations[0].id
    if any(not n["met"] for n in api["stations"][0]["required_permits"]):
        assert f"station_id={station_id}" in html
    assert "/maps/stations?lat=20.840000&amp;lon=106.700000&amp;z=17" in html
    assert 'href="/records/sites/OF-0"' in html
    assert "Lịch sử thay đổi" in html


def test_the_public_record_page_links_staff_to_the_office(
    cookie_client: CookieClient, anon: TestClient, sites: list[Site]
) -> None:
    assert 'id="office-link"' not in anon.get("/records/sites/OF-0").text
    staff = cookie_client("viewer").get("/records/sites/OF-0").text
    assert '<a id="office-link" href="/office/sites/OF-0">' in staff
