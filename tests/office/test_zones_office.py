"""Planning zones and spacing rules in the back office (TestClient): the list with its filters and
exports, the upload's dry run and import, a zone's page and edit, spacing rules, and the refusals."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from registry.settings import Settings
from registry.zones.models import PlanningZone, SpacingRule
from tests.conftest import TEST_SECRET
from tests.factories import box, make_site, make_zone
from tests.office.conftest import csrf_of

HOSTILE = "<script>alert('z')</script>"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The checked upload is kept under data_dir: this test's own folder.
    return Settings(environment="production", secret_key=TEST_SECRET, map_tiles_url=None, data_dir=tmp_path)


def feature(code: str, **props: object) -> dict:
    ring = [list(p) for p in box(106.68, 20.86, 0.01)]
    geometry = props.pop("geometry", {"type": "Polygon", "coordinates": [[*ring, ring[0]]]})
    return {"type": "Feature", "geometry": geometry,
            "properties": {"code": code, "name": f"Vùng {code}", "kind": "a1_only", **props}}  # fmt: skip


def collection(*features: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def check(c: TestClient, data: bytes, name: str = "vung.geojson"):  # type: ignore[no-untyped-def]
    token = csrf_of(c.get("/office/zones/import").text)
    return c.post("/office/zones/import", data={"action": "check", "csrf_token": token},
                  files={"file": (name, data)})  # fmt: skip


def test_list_filters_searches_without_diacritics_and_exports_exactly_the_filtered_zones(
    cookie_client: Callable[..., TestClient], db: Session
) -> None:
    a = make_zone(db, polygon=box(106.68, 20.86, 0.01), kind="a1_only", code="Z-HK", max_height_m=18)
    a.name = "Khu phố cổ Hoàn Kiếm"
    b = make_zone(db, polygon=box(106.70, 20.80, 0.02), kind="airport", code="Z-SB", urban=True)
    b.name = '=HYPERLINK("http://x")'
    make_zone(db, polygon=box(106.60, 20.90, 0.01), kind="rural", code="Z-NT", urban=False)
    db.flush()
    c = cookie_client("licensing_officer")
    listed = c.get("/office/zones?q=hoan kiem")
    assert listed.status_code == 200
    assert "Tìm thấy 1 vùng quy hoạch" in listed.text and "Z-HK" in listed.text and "Z-SB" not in listed.text
    assert "Khu vực chỉ được lắp cột A1" in listed.text  # the kind in words
    airports = c.get("/office/zones?kind=airport&kind=rural&sort=-code")
    assert re.findall(r'href="/office/zones/(Z-[A-Z]+)"', airports.text) == ["Z-SB", "Z-NT"]
    assert "Tìm thấy 2 vùng quy hoạch" in airports.text
    assert 'href="/office/zones.kml?kind=airport&amp;kind=rural"' in airports.text
    urban = c.get("/office/zones?urban=yes")
    assert "Z-SB" in urban.text and "Z-NT" not in urban.text and "Z-HK" not in urban.text
    geo = c.get("/office/zones.geojson?kind=airport&kind=rural")
    assert geo.headers["content-type"].startswith("application/geo+json")
    assert [f["id"] for f in geo.json()["features"]] == ["Z-NT", "Z-SB"]
    kml = c.get("/office/zones.kml?kind=airport")
    assert kml.headers["content-type"].startswith("application/vnd.google-earth.kml+xml")
    assert kml.text.count("<Placemark") == 1 and "Z-SB" in kml.text and "Z-NT" not in kml.text
    csv = c.get("/office/zones.csv?kind=airport").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv and "Z-HK" not in csv
    book = load_workbook(io.BytesIO(c.get("/office/zones.xlsx?q=HYPERLINK").content))
    cells = [cell for row in book.active.iter_rows() for cell in row]
    assert "Z-SB" in [cell.value for cell in cells] and '=HYPERLINK("http://x")' in [cell.value for cell in cells]
    assert not [cell for cell in cells if cell.data_type == "f"]  # the formula-like name stays text
    bad = c.get("/office/zones?sort=geom")
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("text/html")


def test_a_file_with_errors_shows_them_as_a_table_then_the_fixed_file_is_checked_and_imported(
    cookie_client: Callable[..., TestClient], db: Session
) -> None:
    c = cookie_client("licensing_officer")
    bad = collection(feature("Z-1"), feature("Z-2", kind="moon", name=HOSTILE), feature("Z-1"))
    refused = check(c, bad)
    assert refused.status_code == 422
    rows = re.findall(r"<tr><td data-label=\"Vùng thứ\">(\d+)</td><td data-label=\"Mã vùng\">([^<]*)</td>"
                      r"<td data-label=\"Thuộc tính\">([^<]*)</td><td data-label=\"Giá trị\">([^<]*)</td>",
                      refused.text)  # fmt: skip
    assert rows == [("2", "Z-2", "kind · Loại vùng", "moon"), ("3", "Z-1", "code · Mã vùng", "Z-1")]
    assert "Giá trị không hợp lệ; cho phép" in refused.text  # the API's Vietnamese words
    assert db.query(PlanningZone).count() == 0
    good = collection(feature("Z-1"), feature("Z-2", kind="airport", name=HOSTILE, max_height_m=45))
    dry = check(c, good)
    assert dry.status_code == 200 and "sẽ thêm mới 2" in dry.text
    assert db.query(PlanningZone).count() == 0  # a dry run writes nothing
    key = re.search(r'name="upload" value="([0-9a-f]+)"', dry.text).group(1)  # type: ignore[union-attr]
    done = c.post("/office/zones/import", data={"action": "import", "upload": key, "csrf_token": csrf_of(dry.text)})
    assert done.status_code == 200 and "thêm mới 2" in done.text
    assert db.query(PlanningZone).filter_by(code="Z-2").one().max_height_m == 45
    # The kept file is gone once imported.
    again = c.post("/office/zones/import", data={"action": "import", "upload": key, "csrf_token": csrf_of(dry.text)})
    assert again.status_code == 422 and "hãy chọn lại tệp" in again.text
    page = c.get("/office/zones/Z-2")
    assert HOSTILE not in page.text and "&lt;script&gt;" in page.text


def test_the_kept_file_is_its_uploaders_only(cookie_client: Callable[..., TestClient], db: Session) -> None:
    c = cookie_client("licensing_officer")
    dry = check(c, collection(feature("Z-9")))
    key = re.search(r'name="upload" value="([0-9a-f]+)"', dry.text).group(1)  # type: ignore[union-attr]
    other = cookie_client("licensing_officer")  # the same browser, signed in as someone else
    token = csrf_of(other.get("/office/zones/import").text)
    stolen = other.post("/office/zones/import", data={"action": "import", "upload": key, "csrf_token": token})
    assert stolen.status_code == 422 and db.query(PlanningZone).count() == 0
    for name, data in [("x.kml", b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "a">]><kml>&a;</kml>'),
                       ("x.geojson", b"{not json")]:  # fmt: skip
        broken = check(other, data, name)
        assert broken.status_code == 422 and 'href="#f-file"' in broken.text


def test_zone_page_edit_and_history(cookie_client: Callable[..., TestClient], client: TestClient, db: Session) -> None:
    zone = make_zone(db, polygon=box(106.68, 20.86, 0.01), kind="height_limited", code="Z-CH", max_height_m=30)
    zone.name = HOSTILE
    make_site(db, code="S-TRONG", lon=106.68, lat=20.86)
    make_site(db, code="S-NGOAI", lon=106.9, lat=20.5)
    db.add(SpacingRule(zone_id=zone.id, pole_class="A2", min_distance_m=300, legal_basis="QĐ thử",
                       effective_from=__import__("datetime").date(2025, 1, 1)))  # fmt: skip
    db.flush()
    c = cookie_client("licensing_officer")
    page = c.get("/office/zones/Z-CH")
    assert page.status_code == 200
    assert 'href="/office/sites/S-TRONG"' in page.text and "S-NGOAI" not in page.text
    assert "Khu vực hạn chế chiều cao" in page.text and "<script>alert" not in page.text
    data = json.loads(re.search(r'id="page-data">(.*?)</script>', page.text, re.S).group(1))  # type: ignore[union-attr]
    assert data["geometry"]["type"] == "MultiPolygon" and data["tiles"] is None
    assert "\\u003cscript" in page.text  # the name in the page data is escaped JSON
    assert "300" in page.text and "QĐ thử" in page.text
    form = c.get("/office/zones/Z-CH/edit").text
    token = csrf_of(form)
    version = re.search(r'name="version" value="(\d+)"', form).group(1)  # type: ignore[union-attr]
    assert 'value="30"' in form  # the height as typed, not 30.0
    refused = c.post("/office/zones/Z-CH/edit", data={"csrf_token": token, "version": version, "name": HOSTILE,
                     "kind": "height_limited", "max_height_m": "-5", "valid_from": "01/01/2026",
                     "valid_to": "31/12/2025"})  # fmt: skip
    assert refused.status_code == 422 and 'href="#f-max_height_m"' in refused.text
    assert 'value="-5"' in refused.text and 'value="31/12/2025"' in refused.text
    assert db.get(PlanningZone, zone.id).max_height_m == 30  # type: ignore[union-attr]
    saved = c.post("/office/zones/Z-CH/edit", data={"csrf_token": token, "version": version, "name": "Khu hạn chế",
                   "kind": "height_limited", "max_height_m": "25", "allowed_pole_classes": ["A1", "A2a"],
                   "valid_from": "01/01/2026"}, follow_redirects=False)  # fmt: skip
    assert saved.status_code == 303, saved.text
    api = client.get("/api/zones/Z-CH").json()["properties"]
    assert api["max_height_m"] == 25 and api["allowed_pole_classes"] == ["A1", "A2a"]
    assert api["valid_from"] == "2026-01-01" and api["name"] == "Khu hạn chế"
    after = c.get("/office/zones/Z-CH")
    history = after.text.split('id="history"', 1)[1]
    assert "30 → 25" in history and "01/01/2026" in history
    # A stale edit (version 1 again) shows both versions and saves nothing.
    stale = c.post("/office/zones/Z-CH/edit", data={"csrf_token": token, "version": version, "name": "Khu hạn chế",
                   "kind": "height_limited", "max_height_m": "20"})  # fmt: skip
    assert stale.status_code == 409 and "20" in stale.text
    assert client.get("/api/zones/Z-CH").json()["properties"]["max_height_m"] == 25


def test_spacing_rules_new_edit_delete(cookie_client: Callable[..., TestClient], db: Session) -> None:
    make_zone(db, polygon=box(106.68, 20.86, 0.01), code="Z-KC")
    c = cookie_client("licensing_officer")
    token = csrf_of(c.get("/office/spacing-rules/new?zone_code=Z-KC").text)
    rule = {
        "zone_code": "Z-KC",
        "pole_class": "A2b",
        "height_above_m": "50",
        "height_up_to_m": "20",
        "min_distance_m": "500",
        "legal_basis": HOSTILE,
        "effective_from": "01/07/2026",
        "csrf_token": token,
    }
    refused = c.post("/office/spacing-rules/new", data=rule)
    assert refused.status_code == 422 and 'href="#f-height_up_to_m"' in refused.text
    assert "<script>alert" not in refused.text
    created = c.post("/office/spacing-rules/new", data={**rule, "height_up_to_m": "80"}, follow_redirects=False)
    assert created.status_code == 303 and created.headers["location"].startswith("/office/zones/Z-KC")
    saved = db.query(SpacingRule).filter(SpacingRule.zone_id.is_not(None)).one()
    assert (saved.height_above_m, saved.height_up_to_m, str(saved.effective_from)) == (50, 80, "2026-07-01")
    listed = c.get("/office/spacing-rules?pole_class=A2b&q=z-kc")
    assert "Tìm thấy 1 quy tắc" in listed.text and "trên 50 m đến hết 80 m" in listed.text
    assert "<script>alert" not in listed.text
    assert "Z-KC" not in c.get("/office/spacing-rules?scope=general").text.split('id="rules-count"')[1]
    csv = c.get("/office/spacing-rules.csv?scope=zone").content.decode("utf-8-sig")
    assert "Z-KC" in csv and "500" in csv
    edit = c.get(f"/office/spacing-rules/{saved.id}/edit").text
    edited = c.post(f"/office/spacing-rules/{saved.id}/edit", data={"csrf_token": csrf_of(edit), "version": "1",
                    "pole_class": "A2b", "height_above_m": "50", "height_up_to_m": "", "min_distance_m": "400",
                    "legal_basis": "QCVN", "effective_from": "01/07/2026"}, follow_redirects=False)  # fmt: skip
    assert edited.status_code == 303, edited.text
    db.refresh(saved)
    assert (saved.min_distance_m, saved.height_up_to_m, saved.legal_basis) == (400, None, "QCVN")
    confirm = c.get(f"/office/spacing-rules/{saved.id}/delete")
    assert "400 m" in confirm.text
    gone = c.post(f"/office/spacing-rules/{saved.id}/delete",
                  data={"csrf_token": csrf_of(confirm.text), "version": "2"}, follow_redirects=False)  # fmt: skip
    assert gone.status_code == 303 and db.query(SpacingRule).filter(SpacingRule.zone_id.is_not(None)).count() == 0


def test_deleting_a_zone_asks_first(cookie_client: Callable[..., TestClient], db: Session) -> None:
    make_zone(db, polygon=box(106.68, 20.86, 0.01), code="Z-XOA")
    c = cookie_client("licensing_officer")
    confirm = c.get("/office/zones/Z-XOA/delete")
    assert confirm.status_code == 200 and "Xóa vùng quy hoạch Z-XOA" in confirm.text
    stale = c.post("/office/zones/Z-XOA/delete", data={"csrf_token": csrf_of(confirm.text), "version": "7"})
    assert stale.status_code == 412 and db.query(PlanningZone).count() == 1
    gone = c.post("/office/zones/Z-XOA/delete", data={"csrf_token": csrf_of(confirm.text), "version": "1"},
                  follow_redirects=False)  # fmt: skip
    assert gone.status_code == 303 and gone.headers["location"] == "/office/zones?msg=deleted"
    assert db.query(PlanningZone).count() == 0


def test_viewers_and_the_public_get_no_write_and_forged_posts_are_refused(
    cookie_client: Callable[..., TestClient], anon: TestClient, db: Session
) -> None:
    make_zone(db, polygon=box(106.68, 20.86, 0.01), code="Z-XEM", max_height_m=30)
    signed_out = anon.get("/office/zones", follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/maps/sign-in?next=")
    viewer = cookie_client("viewer")
    listed = viewer.get("/office/zones")
    assert listed.status_code == 200 and "Z-XEM" in listed.text and "/office/zones/import" not in listed.text
    page = viewer.get("/office/zones/Z-XEM")
    assert page.status_code == 200 and "/edit" not in page.text and "/delete" not in page.text
    for path in ("/office/zones/import", "/office/zones/Z-XEM/edit", "/office/zones/Z-XEM/delete",
                 "/office/spacing-rules/new"):  # fmt: skip
        refused = viewer.get(path)
        assert refused.status_code == 403 and "<h1>Không có quyền</h1>" in refused.text, path
    token = csrf_of(viewer.get("/office/").text) if 'name="csrf_token"' in viewer.get("/office/").text else "0"
    post = viewer.post("/office/zones/Z-XEM/edit", data={"csrf_token": token, "max_height_m": "1", "version": "1"})
    assert post.status_code == 403
    officer = cookie_client("licensing_officer")
    forged = officer.post("/office/zones/Z-XEM/edit", data={"max_height_m": "1", "version": "1"})
    assert forged.status_code == 403 and "CSRF" in forged.text
    assert officer.get("/office/zones/NOPE").status_code == 404
    assert db.query(PlanningZone).filter_by(code="Z-XEM").one().max_height_m == 30


def test_the_kml_export_is_well_formed_with_hostile_text_and_imports_back(
    cookie_client: Callable[..., TestClient], db: Session
) -> None:
    from geoalchemy2.shape import from_shape
    from shapely.geometry import MultiPolygon, Polygon

    from registry.zones.importer import read_zone_features

    two = make_zone(db, polygon=box(106.60, 20.90, 0.01), code="Z-HAI")
    two.geom = from_shape(MultiPolygon([Polygon(box(106.6, 20.9, 0.01)), Polygon(box(106.7, 20.9, 0.01))]), srid=4326)
    two.name = HOSTILE + " & =1+1"
    two.notes = "a<b>&c"
    two.allowed_pole_classes = ["A1", "A2a"]
    db.flush()
    c = cookie_client("licensing_officer")
    kml = c.get("/office/zones.kml?q=z-hai")
    assert kml.status_code == 200 and "<script>" not in kml.text
    [(props, geometry)] = read_zone_features(kml.content, "vung.kml")
    assert props["name"] == HOSTILE + " & =1+1" and props["notes"] == "a<b>&c"
    assert props["code"] == "Z-HAI" and props["allowed_pole_classes"] == "A1, A2a"
    assert geometry["type"] == "MultiPolygon" and len(geometry["coordinates"]) == 2


def test_a_spacing_rule_gets_a_new_value_from_a_day(
    cookie_client: Callable[..., TestClient], client: TestClient
) -> None:
    from datetime import timedelta

    from registry.clock import today
    from tests.office.conftest import csrf_of as token_of

    body = {
        "pole_class": "A2",
        "min_distance_m": 300,
        "legal_basis": "Thông tư thử <b>1</b>",
        "effective_from": "2024-01-01",
    }
    created = client.post("/api/spacing-rules", json=body)
    assert created.status_code == 201, created.text
    rule_id = created.json()["id"]
    c = cookie_client("licensing_officer")
    listed = c.get("/office/spacing-rules")
    assert f'href="/office/spacing-rules/{rule_id}/new-version"' in listed.text
    form = c.get(f"/office/spacing-rules/{rule_id}/new-version")
    assert form.status_code == 200 and 'value="300"' in form.text
    token = token_of(form.text)
    version = re.search(r'name="version" value="(\d+)"', form.text).group(1)  # type: ignore[union-attr]
    fields = {"pole_class": "A2", "min_distance_m": "500", "legal_basis": "Thông tư thử 2", "csrf_token": token,
              "version": version}  # fmt: skip
    early = c.post(f"/office/spacing-rules/{rule_id}/new-version", data={**fields, "effective_from": "01/01/2023"})
    assert early.status_code == 422 and "Phải sau ngày hiệu lực của quy tắc hiện hành (01/01/2024)" in early.text
    day = today() + timedelta(days=10)
    ok = c.post(
        f"/office/spacing-rules/{rule_id}/new-version",
        data={**fields, "effective_from": f"{day:%d/%m/%Y}"},
        follow_redirects=False,
    )
    assert ok.status_code == 303, ok.text
    rules = {r["id"]: r for r in client.get("/api/spacing-rules").json()}
    assert rules[rule_id]["effective_to"] == day.isoformat() and rules[rule_id]["min_distance_m"] == 300
    (new,) = [r for r in rules.values() if r["legal_basis"] == "Thông tư thử 2"]
    assert new["effective_from"] == day.isoformat() and new["min_distance_m"] == 500
    # The API refuses the same without the version it is based on.
    api = client.post(f"/api/spacing-rules/{rule_id}/versions", json={**body, "effective_from": "2030-01-01"})
    assert api.status_code == 428
