"""The permit-check, press and cases maps and the record pages, without a browser: who may open
them, what they show to whom, that they load only local assets, and that the cases map never
carries a denouncer's identity."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from registry.settings import Settings
from tests.api.helpers import page_problem, problem
from tests.conftest import ClientAs
from tests.html_reader import elements
from tests.html_reader import text as page_text
from tests.maps.conftest import SECRET, SECRET_ID
from tests.maps.test_pages import assets

PAGES = [
    "/maps/",
    "/maps/stations",
    "/maps/sites/MAP-1",
    "/maps/press",
    "/maps/cases",
    "/records/sites/MAP-0",
    "/records/outlets/T-BAO",
    "/maps/sign-in",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_loads_only_local_assets(path: str, client: TestClient, world: dict[str, Any]) -> None:
    page = client.get(path)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    for url in assets(page.text):
        assert url.startswith(("/", "#", "javascript:")), url
        if url.startswith("/static/"):
            assert client.get(url).status_code == 200, url
    assert "https://" not in page.text and "http://" not in page.text.replace("http://www.w3.org", "")
    assert '<html lang="vi"' in page.text or "<!DOCTYPE html>" in page.text


@pytest.mark.parametrize("path", ["/maps/stations", "/maps/press", "/records/sites/MAP-0", "/maps/"])
def test_pages_link_staff_to_the_back_office_and_not_the_public(
    path: str, client: TestClient, anon: TestClient, world: dict[str, Any]
) -> None:
    assert 'href="/office/"' in client.get(path).text
    assert 'href="/office/"' not in anon.get(path).text


def test_staff_pages_send_the_public_to_sign_in(anon: TestClient, world: dict[str, Any]) -> None:
    code = world["denunciation"]
    for path in ("/maps/sites/MAP-1", "/maps/cases?kind=complaint", f"/records/cases/{code}"):
        response = anon.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/maps/sign-in?next=%2F"), path
    # A signed-in user whose roles do not reach the page is told so, not sent round in circles.
    assert anon.get("/maps/sign-in?next=//evil.example/x").status_code == 200
    assert '"/maps/"' in anon.get("/maps/sign-in?next=//evil.example/x").text  # never off the site


def test_the_sign_in_page_keeps_where_to_return(anon: TestClient) -> None:
    page = anon.get("/maps/sign-in", params={"next": "/maps/cases?kind=complaint"}).text
    assert '"/maps/cases?kind=complaint"' in page and "/api/auth/token?cookie=true" in page


def test_the_permit_check_map_shows_the_zone_spacing_and_neighbours(client: TestClient, world: dict[str, Any]) -> None:
    page = client.get("/maps/sites/MAP-1").text
    check = client.get("/api/sites/MAP-1/permit-check").json()
    assert check["verdict_name"] in page
    assert "Z-MAP" in page  # the zone, drawn and listed
    assert check["spacing"] is not None
    limit = check["spacing"]["min_distance_m"]
    assert f'"radius": {float(limit)}' in page  # the spacing circle
    assert [n["code"] for n in check["spacing"]["too_close"]] == ["MAP-0", "MAP-2"]  # 208 m apart, under the rule
    assert page.count("quá gần") >= 2 and "MAP-3" in page  # the next bulky pole, further away, is shown too
    page_problem(client.get("/maps/sites/NO-SUCH"), 404)


def test_the_press_map_fetches_outlets_with_the_pages_filters(
    anon: TestClient, client: TestClient, world: dict[str, Any]
) -> None:
    page = anon.get("/maps/press", params={"kind": ["print_newspaper", "representative_office"], "lang": "en"}).text
    assert "/api/press/outlets.geojson?kind=print_newspaper\\u0026kind=representative_office" in page or (
        "/api/press/outlets.geojson?kind=print_newspaper&kind=representative_office" in page
    )
    assert "<title>Press map</title>" in page and "<b>Kind</b>" in page  # the public: legend by kind
    assert "<b>Tình trạng giấy phép</b>" in client.get("/maps/press").text  # staff: by licence status
    public = anon.get("/api/press/outlets.geojson").json()["features"]
    assert {f["properties"]["code"] for f in public} >= {"T-BAO", "T-VPDD"}
    assert all("licence" not in f["properties"] and "phone" not in f["properties"] for f in public)
    staff = {
        f["properties"]["code"]: f["properties"] for f in client.get("/api/press/outlets.geojson").json()["features"]
    }
    assert staff["T-BAO"]["licence"]["status"] == "expiring"
    assert page_problem(anon.get("/maps/press", params={"kind": "blog"}), 422)["errors"][0]["field"] == "kind.0"


def test_the_cases_map_never_carries_a_denouncer(client_as: ClientAs, world: dict[str, Any]) -> None:
    inspector = client_as("inspector")
    page = inspector.get("/maps/cases").text
    assert "/api/cases.geojson" in page and "kind=complaint" in page  # the heat map's source
    data = inspector.get("/api/cases.geojson")
    assert data.status_code == 200 and data.headers["content-type"] == "application/geo+json"
    features = {f["properties"]["code"]: f for f in data.json()["features"]}
    assert set(features) >= {world["denunciation"], world["complaint"]}
    for text in (page, data.text, inspector.get("/api/cases.geojson?open=false").text):
        assert SECRET not in text and SECRET_ID not in text and "Lê Văn Khiếu" not in text
    props = features[world["denunciation"]]["properties"]
    assert set(props) == {
        "code", "kind", "kind_name", "state", "state_name", "received_on", "current_due", "working_days_left",
        "deadline_status", "deadline_status_name",
    }  # fmt: skip
    assert props["deadline_status"] == "overdue" and props["kind_name"] == "Tố cáo"
    assert features[world["complaint"]]["properties"]["deadline_status"] in ("within_deadline", "due_soon")
    overdue = inspector.get("/api/cases.geojson", params={"deadline": "overdue"}).json()["features"]
    assert world["denunciation"] in {f["id"] for f in overdue} and world["complaint"] not in {f["id"] for f in overdue}
    complaints = inspector.get("/api/cases.geojson", params={"kind": "complaint", "open": "false"}).json()
    assert {f["id"] for f in complaints["features"]} == {world["complaint"]}


def test_cases_map_parameters_are_checked(client: TestClient, anon: TestClient) -> None:
    problem(anon.get("/api/cases.geojson"), 401)
    assert problem(client.get("/api/cases.geojson", params={"deadline": "late"}), 422)["errors"][0]["field"].startswith(
        "deadline"
    )
    bad = client.get("/api/cases.geojson", params={"received_from": "2026-05-01", "received_to": "2026-04-01"})
    assert problem(bad, 422)["errors"][0]["field"] == "received_from"
    assert page_problem(client.get("/maps/cases", params={"heat_from": "2026-13-01"}), 422)["errors"][0]["field"] == (
        "heat_from"
    )
    bad = client.get("/maps/cases", params={"heat_from": "2026-05-01", "heat_to": "2026-04-01"})
    assert page_problem(bad, 422)["errors"][0]["field"] == "heat_from"


def test_a_site_record_page_for_the_public_and_for_staff(
    anon: TestClient, client: TestClient, world: dict[str, Any]
) -> None:
    staff = client.get("/records/sites/MAP-0").text
    public = anon.get("/records/sites/MAP-0").text
    assert "<title>Vị trí MAP-0</title>" in staff and "<title>Vị trí MAP-0</title>" in public
    assert 'id="permits"' in staff and "Còn hiệu lực".lower() in staff.lower()
    assert 'id="history"' in staff and "Thêm vị trí" in staff
    assert 'id="permits"' not in public and 'id="history"' not in public and 'id="stations"' not in public
    assert "@media print" in public  # printable
    linked = client.get("/records/sites/MAP-1").text
    assert world["denunciation"] in linked  # the case about it, for staff
    assert world["denunciation"] not in anon.get("/records/sites/MAP-1").text
    page_problem(anon.get("/records/sites/NO-SUCH"), 404)
    assert anon.get("/records/sites/bad code").status_code == 422


def test_an_outlet_record_page(anon: TestClient, client: TestClient, world: dict[str, Any]) -> None:
    staff = client.get("/records/outlets/T-BAO").text
    public = anon.get("/records/outlets/T-BAO").text
    assert "Báo Thử Bản Đồ" in staff and "GP-BAN-DO" in staff and "sắp hết hạn" in staff
    assert "0225 3000 111" in staff and "0225 3000 111" not in public  # no phone for the public
    assert "GP-BAN-DO" not in public and 'id="history"' not in public


def test_a_case_record_page_hides_the_denouncer_from_all_but_handler_and_admins(
    client: TestClient, client_as: ClientAs, world: dict[str, Any]
) -> None:
    code = world["denunciation"]
    other = client_as("inspector").get(f"/records/cases/{code}")
    assert other.status_code == 200
    assert SECRET not in other.text and SECRET_ID not in other.text and "(bảo mật)" in other.text
    assert "quá hạn" in other.text and 'id="deadlines"' in other.text and "MAP-1" in other.text
    # The history in words names the party by role only (the trail never held the name).
    history = other.text[other.text.index('id="history"') :]
    assert [a for a in elements(history, "a", href=f"/records/cases/{code}") if a.text == code]
    assert f"Thêm hồ sơ vụ việc {code}" in page_text(history)
    assert "Thêm người liên quan Người tố cáo" in history and "Loại: Tố cáo" in history
    assert "Thêm bản ghi liên quan vị trí MAP-1" in history
    assert SECRET not in history and SECRET_ID not in history and "denouncer" not in history
    assert SECRET in client.get(f"/records/cases/{code}").text  # an admin sees it
    page_problem(client_as("press_manager").get("/records/cases/NO-SUCH"), 404)


def test_the_cases_map_answer_is_capped_by_a_setting(
    client: TestClient, settings: Settings, world: dict[str, Any]
) -> None:
    settings.map_cases_max = 1
    capped = client.get("/api/cases.geojson").json()
    assert len(capped["features"]) == 1 and capped["truncated"] is True
    settings.map_cases_max = 20_000
    assert client.get("/api/cases.geojson").json()["truncated"] is False


def test_record_and_map_pages_refuse_bad_codes(client: TestClient, anon: TestClient) -> None:
    page_problem(anon.get("/records/outlets/NO-SUCH"), 404)
    page_problem(client.get("/records/cases/NO-SUCH"), 404)
    page_problem(anon.get("/records/outlets/bad code"), 422)
    page_problem(client.get("/maps/sites/" + "X" * 41), 422)
    assert page_problem(anon.get("/maps/stations", params={"z": 23}), 422)["errors"][0]["field"] == "z"
    assert page_problem(anon.get("/maps/stations", params={"lat": 91}), 422)["errors"][0]["field"] == "lat"


def test_the_bare_address_leads_to_the_maps_home(anon: TestClient) -> None:
    response = anon.get("/", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/maps/"
    followed = anon.get("/")
    assert followed.status_code == 200 and str(followed.url).endswith("/maps/")
    assert "content-security-policy" in followed.headers
