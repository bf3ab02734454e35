"""The stations page's filters (#18): operator, technology, status and, for staff, permit standing, in
one tile address (AND), kept in the page's URL and shown as chips that remove them; the permit standing
filter of the tiles is staff-only. And the permit-check page's dates and legal bases."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from registry.clock import today
from tests.api.test_tiles import features, xy
from tests.factories import make_station
from tests.html_reader import elements, text
from tests.maps.conftest import LAT, LON

Z = 16


def tile_codes(client: TestClient, **params: Any) -> set[str]:
    x, y = xy(LON + 0.003, LAT, Z)
    found: set[str] = set()
    for dx in (-1, 0, 1):  # the four sites lie within a tile or two of each other
        r = client.get(f"/tiles/sites/{Z}/{x + dx}/{y}.pbf", params=params)
        found |= {f["properties"]["code"] for f in features(r)}
    return found


def test_tiles_combine_filters_and_permit_standing_is_for_staff(
    client: TestClient, anon: TestClient, world: dict[str, Any], db: Any
) -> None:
    # MAP-3 (Viettel) also gets a 5G station: Viettel AND 5G is MAP-3 alone.
    make_station(db, site=world["sites"][3], operator_code="VIETTEL", technologies=("4G", "5G"))
    assert tile_codes(client) == {"MAP-0", "MAP-1", "MAP-2", "MAP-3"}
    assert tile_codes(client, operator="VIETTEL") == {"MAP-0", "MAP-3"}
    assert tile_codes(client, operator="VIETTEL", technology="5G") == {"MAP-3"}
    # MAP-0 holds every permit it needs; the others miss some.
    assert tile_codes(client, permits="valid") == {"MAP-0"}
    assert tile_codes(client, permits="missing") == {"MAP-1", "MAP-2", "MAP-3"}
    assert tile_codes(client, operator="VIETTEL", permits="missing") == {"MAP-3"}
    assert tile_codes(client, permits=["valid", "missing"]) == {"MAP-0", "MAP-1", "MAP-2", "MAP-3"}
    # Clustered far out: only the sites of the standing are counted.
    x, y = xy(LON, LAT, 8)
    counted = client.get(f"/tiles/sites/8/{x}/{y}.pbf", params={"permits": "missing"})
    assert counted.headers["X-Tile-Kind"] == "clusters" and counted.headers["X-Tile-Sites"] == "3"
    # The public may not filter on (and so learn) the permit standing.
    x, y = xy(LON, LAT, Z)
    refused = anon.get(f"/tiles/sites/{Z}/{x}/{y}.pbf", params={"permits": "missing"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "permits"
    assert client.get(f"/tiles/sites/{Z}/{x}/{y}.pbf", params={"permits": "bogus"}).status_code == 422


def page_tile_urls(html: str) -> list[str]:
    """The tile addresses in the page's script (JSON strings there)."""
    return [json.loads(u) for u in re.findall(r'"/tiles/sites/\{z\}/\{x\}/\{y\}\.pbf[^"]*"', html)]


def test_the_page_shows_its_filters_as_chips_and_asks_one_tile_address(
    client: TestClient, anon: TestClient, world: dict[str, Any]
) -> None:
    params = {"operator": "VIETTEL", "technology": "5G", "permits": "missing", "lat": LAT, "lon": LON, "z": 15}
    html = client.get("/maps/stations", params=params).text
    # One vector layer, every filter in its address (no per-operator or per-technology layers any more).
    [url] = page_tile_urls(html)
    assert parse_qs(urlsplit(url).query) == {"operator": ["VIETTEL"], "technology": ["5G"], "permits": ["missing"]}
    chips = elements(html, "a", cls="filter-chip")
    labels = [c.text for c in chips]
    assert labels[:3] == ["Viettel ×", "5G ×", "thiếu giấy phép ×"] and labels[-1] == "Xoá tất cả bộ lọc"
    # Each chip links to the page without its filter, at the same place.
    without_5g = parse_qs(urlsplit(chips[1].attrs["href"]).query)
    assert without_5g == {"lang": ["vi"], "operator": ["VIETTEL"], "permits": ["missing"], "lat": [f"{LAT:.5f}"],
                          "lon": [f"{LON:.5f}"], "z": ["15"]}  # fmt: skip
    assert parse_qs(urlsplit(chips[-1].attrs["href"]).query).keys() == {"lang", "lat", "lon", "z"}
    assert chips[0].attrs["aria-label"] == "Bỏ bộ lọc: Viettel"
    # The form shows what is chosen; staff have the permit standing select.
    [operator] = elements(html, "select", id="filter-operator")
    assert 'value="VIETTEL" selected' in html and elements(html, "select", id="filter-permits")
    assert operator.attrs["name"] == "operator"
    # The public: no permit standing in the form, the tiles or the chips, even when asked in the URL.
    public = anon.get("/maps/stations", params={"technology": "5G", "permits": "missing"}).text
    assert not elements(public, "select", id="filter-permits")
    assert [c.text for c in elements(public, "a", cls="filter-chip")] == ["5G ×", "Xoá tất cả bộ lọc"]
    [public_url] = page_tile_urls(public)
    assert "permits" not in public_url
    # No filter: no chips.
    assert not elements(anon.get("/maps/stations").text, "a", cls="filter-chip")


def test_a_filter_in_another_case_or_by_name_shows_its_option(client: TestClient, world: dict[str, Any]) -> None:
    """The lists read ?operator=viettel (any case, code or name) as Viettel: the form and the chip say so."""
    for asked in ("viettel", "Viettel", "VIETTEL"):
        html = client.get("/maps/stations", params={"operator": asked, "technology": "5g", "status": "OPERATING"}).text
        # The selects' options are distinct codes (operators, technologies, statuses).
        selected = re.findall(r'<option value="([^"]*)" selected', html)
        assert selected == ["VIETTEL", "5G", "operating"], asked
        labels = [c.text for c in elements(html, "a", cls="filter-chip")]
        assert labels[:3] == ["Viettel ×", "5G ×", "đang hoạt động ×"], asked
        # The address keeps the words as given (the tiles read them the same).
        [url] = page_tile_urls(html)
        assert parse_qs(urlsplit(url).query)["operator"] == [asked]
    # A value no option means: no option chosen, the chip shows it as given.
    html = client.get("/maps/stations", params={"operator": "viettel,mobifone"}).text
    assert "selected" not in str(elements(html, "select", id="filter-operator")[0])
    assert [c.text for c in elements(html, "a", cls="filter-chip")][0] == "viettel,mobifone ×"


def test_hostile_filters_are_text(anon: TestClient, world: dict[str, Any]) -> None:
    hostile = '<script>alert(1)</script>"'
    r = anon.get("/maps/stations", params={"operator": hostile, "q": hostile})
    assert r.status_code == 200
    assert "<script>alert" not in r.text
    labels = [c.text for c in elements(r.text, "a", cls="filter-chip")]
    assert labels.count(f"{hostile} ×") == 2
    [hidden] = elements(r.text, "input", name="q")
    assert hidden.attrs["value"] == hostile
    assert anon.get("/maps/stations", params={"permits": "<b>"}).status_code == 422


def test_the_permit_check_page_shows_dates_and_legal_bases(client: TestClient, world: dict[str, Any]) -> None:
    html = client.get("/maps/sites/MAP-1").text
    panel = text(html)
    assert f"Ngày xét: {today():%d/%m/%Y}" in panel
    assert today().isoformat() not in panel
    check = client.get("/api/sites/MAP-1/permit-check").json()
    bases = [li.text for li in elements(html, "li") if "Căn cứ:" in li.text]
    assert bases and len(bases) == len(check["required_permits"])
    for need in check["required_permits"]:
        assert f"{need['description']} — Căn cứ: {need['legal_basis']}" in bases
    assert "ví dụ; đối chiếu" not in panel
    # The panel becomes the bottom sheet on a phone (map-sheet.js), its words from the page.
    assert elements(html, "div", id="check-panel")[0].attrs["data-sheet"] == "open"
    assert json.dumps("Chi tiết")[1:-1] in html or "Chi tiết" in text(html)
