"""A licensing officer's sites and stations in Chromium, signed in on the sign-in page: a site entered in
VN-2000 X/Y (first refused, then corrected), found in the list, drawn on the stations map, a station
with three sectors added, its status changed and the change read in words in its history; deleting a
site after confirming, and a site with stations showing what blocks its deletion — on a phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from geo.crs import from_wgs84
from tests.factories import make_site, make_station
from tests.office.conftest import assert_clean, shoot

LON, LAT = 106.71, 20.85


def test_an_officer_enters_a_site_in_vn2000_and_its_station(office_browser: Callable[..., Any], db: Session) -> None:
    for i in range(3):
        site = make_site(db, code=f"BR-{i}", lon=LON + i * 0.004, lat=LAT - 0.01, address=f"Số {i + 1} Lê Lợi")
        make_station(db, site=site, operator_code=("VIETTEL", "VNPT", "MOBIFONE")[i], station_code=f"BRS-{i}")
    easting, northing = from_wgs84(9210, LON, LAT)
    b = office_browser("licensing_officer", viewport=(1280, 800))
    p = b.page
    p.click(".office-menu >> text=Vị trí và trạm")
    assert "Tìm thấy" in p.locator("#list-count").inner_text()
    shoot(b, "office-sites-list")
    p.click("text=Thêm vị trí")
    p.select_option("#f-position-crs", "9210")
    # The surveyor's sheet read with X and Y the wrong way round.
    p.fill("#f-position-northing", f"{easting:.2f}")
    p.fill("#f-position-easting", f"{northing:.2f}")
    p.fill("#f-address", "Số 9 Điện Biên Phủ <i>mới</i>")
    p.select_option("#f-pole_class", "A2b")
    p.fill("#f-pole_height_m", "36")
    p.click("#site-form button.primary")
    summary = p.locator("#error-summary")
    assert summary.is_visible() and "Tọa độ" in summary.inner_text()
    message = p.locator("#f-position-error").inner_text()
    assert message and message.split(" ", 1)[1] in summary.inner_text()  # the same words by the field
    assert p.input_value("#f-position-northing") == f"{easting:.2f}"  # the form comes back filled
    assert p.input_value("#f-position-crs") == "9210"
    shoot(b, "office-sites-form-errors")
    p.fill("#f-position-northing", f"{northing:.2f}")
    p.fill("#f-position-easting", f"{easting:.2f}")
    p.click("#site-form button.primary")
    p.wait_for_selector("#notice")
    assert "Đã thêm." in p.locator("#notice").inner_text()
    details = p.locator("#details").inner_text()
    assert "EPSG:9210" in details and f"{northing:.2f}" in details and "Số 9 Điện Biên Phủ <i>mới</i>" in details
    code = p.locator("h1").inner_text().split()[-1]
    # A station with three sectors.
    p.click("#site-actions >> text=Thêm trạm")
    p.select_option("#f-operator", "VIETTEL")
    p.fill("#f-station_code", "HP-BTS-901")
    p.check("input[name=technologies][value='4G']")
    p.check("input[name=technologies][value='5G']")
    p.fill("#f-bands", "1800, 3500")
    p.fill("#f-commissioning_date", "01/06/2025")
    for i, azimuth in enumerate((0, 120, 240)):
        p.fill(f"#f-sectors-{i}-azimuth_deg", str(azimuth))
        p.fill(f"#f-sectors-{i}-tilt_deg", "-3")
    p.click("#station-form button.primary")
    p.wait_for_selector("#notice")
    station = p.locator("section.station").first.inner_text()
    assert "HP-BTS-901" in station and "1800, 3500" in station and "01/06/2025" in station
    assert p.locator("section.station table.sectors tbody tr").count() == 3
    # Its status changes: under construction.
    p.click("#site-actions >> text=Sửa vị trí")
    p.select_option("#f-status", "under_construction")
    p.click("#site-form button.primary")
    p.wait_for_selector("#notice")
    assert "Đã lưu thay đổi." in p.locator("#notice").inner_text()
    assert "đang xây dựng" in p.locator("#details").inner_text()
    history = p.locator("#history").inner_text()
    assert "Trạng thái" in history and "đang hoạt động → đang xây dựng" in history
    assert "HP-BTS-901" in history  # the station added, in words
    assert "Các sector" in history and "1: 0°, nghiêng -3°; 2: 120°, nghiêng -3°; 3: 240°, nghiêng -3°" in history
    assert "permit-check" in p.content() and p.locator("#verdict").is_visible()
    shoot(b, "office-sites-record")
    # In the list by searching its address without diacritics.
    p.click(".office-menu >> text=Vị trí và trạm")
    p.fill("#q", "dien bien phu")
    p.click("form.filters button.primary")
    assert "Tìm thấy 1 vị trí" in p.locator("#list-count").inner_text()
    assert p.locator(f"#list >> text={code}").is_visible()
    # On the stations map, centred on it.
    p.click(f"#list >> text={code}")
    p.click("text=Xem trên bản đồ trạm")
    b.wait("window.siteLayer !== undefined")
    b.settle()  # the tiles of the view drawn
    assert code in b.codes()
    assert_clean(b)


def test_deleting_sites_on_a_phone(office_browser: Callable[..., Any], db: Session) -> None:
    busy = make_site(db, code="DEL-1", lon=LON, lat=LAT + 0.01, address="Cột có trạm")
    make_station(db, site=busy, operator_code="VNPT", station_code="VNP-DEL")
    make_site(db, code="DEL-2", lon=LON + 0.005, lat=LAT + 0.01, address="Cột bỏ không")
    b = office_browser("licensing_officer", viewport=(390, 844))
    p = b.page
    p.goto("http://127.0.0.1/office/sites?q=DEL-")
    assert "Tìm thấy 2 vị trí" in p.locator("#list-count").inner_text()
    b.assert_fits()
    shoot(b, "office-sites-list-phone")
    # The results come first: the filters fold behind one button that says how many are on.
    assert not p.locator("#q").is_visible() and "(1 đang áp dụng)" in p.locator(".filters-fold > summary").inner_text()
    p.click(".filters-fold > summary")
    assert p.input_value("#q") == "DEL-" and p.locator("#q").is_visible()
    p.goto("http://127.0.0.1/office/sites/new")
    p.click("#site-form button.primary")  # nothing typed
    assert p.locator("#error-summary").is_visible()
    b.assert_fits()
    shoot(b, "office-sites-form-errors-phone")
    # A site with a station: its page, then what blocks deleting it.
    p.goto("http://127.0.0.1/office/sites/DEL-1")
    b.assert_fits()
    shoot(b, "office-sites-record-phone")
    p.click("#site-actions >> text=Xóa vị trí")
    blockers = p.locator("#blockers").inner_text()
    assert "1 trạm gốc" in blockers and "VNP-DEL" in blockers
    assert p.locator("#confirm-delete").count() == 0
    # A site without stations goes once confirmed.
    p.goto("http://127.0.0.1/office/sites/DEL-2")
    p.click("#site-actions >> text=Xóa vị trí")
    assert "Xóa vị trí DEL-2?" in p.locator("#confirm-text").inner_text()
    p.click("#confirm-delete")
    p.wait_for_selector("#notice")
    assert "Đã xóa." in p.locator("#notice").inner_text() and p.url.split("?")[0].endswith("/office/sites")
    p.goto("http://127.0.0.1/office/sites?q=DEL-")
    assert "Tìm thấy 1 vị trí" in p.locator("#list-count").inner_text()
    assert_clean(b)
