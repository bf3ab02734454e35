"""The licensing officer keeps planning zones in Chromium: a KML file with an error shows it as a table,
the fixed file passes the dry run and is imported, the zone is in the list and on its page with its
outline drawn, its height limit is changed and the change is in its history, and a spacing rule of
the zone is added."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from registry.settings import Settings
from registry.zones.models import PlanningZone, SpacingRule
from tests.conftest import TEST_SECRET
from tests.factories import make_site
from tests.office.conftest import shoot

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The checked upload is kept under data_dir: this test's own folder.
    return Settings(environment="production", secret_key=TEST_SECRET, map_tiles_url=None, data_dir=tmp_path)


def kml(kind: str, height: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Quy hoạch hạ tầng viễn thông</name>
<Placemark><name>Khu phố cổ (chỉ cột A1)</name>
<ExtendedData><Data name="code"><value>Z-PHOCO</value></Data><Data name="kind"><value>a1_only</value></Data>
<Data name="allowed_pole_classes"><value>A1</value></Data>
<Data name="source_decision"><value>QĐ 12/QĐ-UBND</value></Data></ExtendedData>
<Polygon><outerBoundaryIs><LinearRing><coordinates>
106.680,20.860,0 106.690,20.860,0 106.690,20.868,0 106.680,20.868,0 106.680,20.860,0
</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
<Placemark><name>Khu vực tĩnh không sân bay &lt;script&gt;alert(1)&lt;/script&gt;</name>
<ExtendedData><Data name="code"><value>Z-SANBAY</value></Data><Data name="kind"><value>{kind}</value></Data>
<Data name="max_height_m"><value>{height}</value></Data><Data name="urban"><value>true</value></Data></ExtendedData>
<Polygon><outerBoundaryIs><LinearRing><coordinates>
106.700,20.800,0 106.750,20.800,0 106.760,20.830,0 106.720,20.845,0 106.700,20.800,0
</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
</Document></kml>""".encode()


def _choose(b: Any, name: str, content: bytes) -> None:
    b.page.set_input_files("#f-file", files=[{"name": name, "mimeType": "application/xml", "buffer": content}])


def _both(b: Any, name: str) -> None:
    shoot(b, f"{name}-desktop")
    b.page.set_viewport_size(PHONE)
    b.assert_fits()
    shoot(b, f"{name}-phone")
    b.page.set_viewport_size(DESKTOP)


def test_an_officer_imports_a_zone_file_edits_a_zone_and_adds_a_spacing_rule(
    office_browser: Callable[..., Any], db: Session
) -> None:
    make_site(db, code="HP-COT-SB", lon=106.72, lat=20.82)  # inside the airport zone
    b = office_browser("licensing_officer", viewport=(DESKTOP["width"], DESKTOP["height"]))
    page = b.page
    page.click("nav.office-menu a[href='/office/zones']")
    page.click("text=Nhập vùng từ tệp GeoJSON hoặc KML")

    # A file with two mistakes in its second zone: nothing is written, the problems are a table.
    _choose(b, "quy-hoach.kml", kml("san-bay", "cao"))
    page.click("#check")
    page.wait_for_selector("#problems")
    rows = [r.split("\t") for r in page.locator("#problems tbody tr").all_inner_texts()]
    assert [r[:4] for r in rows] == [
        ["2", "Z-SANBAY", "kind · Loại vùng", "san-bay"],
        ["2", "Z-SANBAY", "max_height_m · Chiều cao cột tối đa (m)", "cao"],
    ]
    assert page.locator("#error-summary").count() == 1
    _both(b, "office-zones-import-errors")
    assert db.query(PlanningZone).count() == 0

    # The fixed file: the dry run passes (still nothing written), then "Nhập" imports that very file.
    _choose(b, "quy-hoach.kml", kml("airport", "45"))
    page.click("#check")
    page.wait_for_selector("#dry-run-ok")
    assert "sẽ thêm mới 2" in page.inner_text("#dry-run-ok")
    assert db.query(PlanningZone).count() == 0
    page.click("#import")
    page.wait_for_selector("#import-done")
    assert "thêm mới 2" in page.inner_text("#import-done")
    _both(b, "office-zones-import-done")

    # In the list, found without diacritics; its page draws the outline on a blank background.
    page.click("text=Xem danh sách vùng quy hoạch")
    page.fill("#q", "tinh khong san bay")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("#zones")
    assert page.inner_text("#zones-count").startswith("Tìm thấy 1 vùng quy hoạch")
    assert "<script>" in page.inner_text("#zones")  # the hostile name is text, not markup
    _both(b, "office-zones-list")
    page.click("#zones a[href='/office/zones/Z-SANBAY']")
    page.wait_for_selector("#zone-map[data-ready='1'] path.leaflet-interactive")
    outline = page.locator("#zone-map svg path.leaflet-interactive").get_attribute("d")
    assert outline and outline.count("L") >= 3  # a drawn polygon, not an empty path
    assert "HP-COT-SB" in page.inner_text("#sites")
    assert "Khu vực tĩnh không sân bay" in page.inner_text("#details")
    _both(b, "office-zones-record")

    # Its height limit changed from the edit form, and the change read in words in its history.
    page.click("#edit-zone")
    page.fill("#f-max_height_m", "30")
    page.click("form.record-form button[type=submit]")
    page.wait_for_selector("#notice")
    assert page.url.endswith("/office/zones/Z-SANBAY?msg=saved")
    history = page.inner_text("#history")
    assert "45 → 30" in history and "max_height_m" not in history
    assert db.query(PlanningZone).filter_by(code="Z-SANBAY").one().max_height_m == 30
    page.locator("#history").scroll_into_view_if_needed()
    _both(b, "office-zones-edited")

    # A spacing rule of this zone.
    page.click("text=Thêm quy tắc khoảng cách cho vùng")
    assert page.locator("#f-zone_code").input_value() == "Z-SANBAY"
    page.select_option("#f-pole_class", "A2")
    page.fill("#f-min_distance_m", "250")
    page.fill("#f-legal_basis", "QĐ 12/QĐ-UBND, điều 5")
    page.click("form.record-form button[type=submit]")
    page.wait_for_selector("#notice")
    assert "250" in page.inner_text("#rules") and "QĐ 12/QĐ-UBND, điều 5" in page.inner_text("#rules")
    rule = db.query(SpacingRule).filter(SpacingRule.zone_id.is_not(None)).one()
    assert (rule.pole_class, rule.min_distance_m) == ("A2", 250)
    page.goto("http://127.0.0.1/office/spacing-rules?scope=zone")
    assert "Z-SANBAY" in page.inner_text("#rules")
    _both(b, "office-zones-spacing-rules")
    # The refused file's page is answered 422 on purpose (as every refused form is), which Chromium
    # logs as a failed load; no other console error, no script error, nothing fetched from elsewhere.
    assert [e for e in b.errors if "status of 422" not in e] == [] and b.external == []
