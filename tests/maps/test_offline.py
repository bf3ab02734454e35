"""The maps as an installable web app that works offline, without a browser: the manifest, the service
worker served from the root with its headers, the pages that link them, and what the browser is told
to save for a commune (public vs staff fields, per-user scope, bounds)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from registry.settings import Settings
from tests.api.helpers import problem
from tests.conftest import ClientAs
from tests.html_reader import elements
from tests.html_reader import text as page_text


def commune_of(client: TestClient, code: str = "MAP-0") -> str:
    return str(client.get(f"/api/sites/{code}").json()["properties"]["commune_code"])


def test_the_manifest_installs_the_maps_as_an_app(anon: TestClient) -> None:
    r = anon.get("/manifest.webmanifest")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/manifest+json")
    m = r.json()
    assert m["name"] == "Trạm gốc — Thanh tra hiện trường"
    assert m["start_url"] == "/maps/stations" and m["display"] == "standalone" and m["theme_color"]
    sizes = {icon["sizes"] for icon in m["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in m["icons"]:
        png = anon.get(icon["src"])
        assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n", icon
        width, height = int.from_bytes(png.content[16:20], "big"), int.from_bytes(png.content[20:24], "big")
        assert f"{width}x{height}" == icon["sizes"]


def test_the_service_worker_is_served_from_the_root(anon: TestClient) -> None:
    r = anon.get("/sw.js")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    assert r.headers["service-worker-allowed"] == "/"
    assert "no-cache" in r.headers["cache-control"]
    assert 'addEventListener("fetch"' in r.text and "/static/js/offline-db.js" in r.text
    assert anon.get("/static/js/offline-db.js").status_code == 200
    # Pages allow this site's worker and manifest, and nothing else's.
    csp = dict(
        part.strip().split(" ", 1) for part in anon.get("/maps/stations").headers["content-security-policy"].split(";")
    )
    assert csp["worker-src"] == "'self'" and csp["manifest-src"] == "'self'"


def test_map_and_record_pages_link_the_manifest_and_the_stations_map_the_worker(
    anon: TestClient, world: dict[str, Any]
) -> None:
    for path in ("/maps/stations", "/maps/press", "/maps/", "/records/sites/MAP-0", "/maps/offline"):
        html = anon.get(path).text
        assert elements(html, "link", rel="manifest", href="/manifest.webmanifest"), path
    stations = anon.get("/maps/stations").text
    assert elements(stations, "script", src="/static/js/offline.js")
    assert elements(stations, "a", id="offline-link", href="/maps/offline?lang=vi")


def test_the_offline_page_lists_the_communes_with_sites(anon: TestClient, world: dict[str, Any]) -> None:
    commune = commune_of(anon)
    r = anon.get("/maps/offline")
    assert r.status_code == 200
    data = json.loads(elements(r.text, "script", id="page-data")[0].text)
    assert commune in [c[0] for c in data["communes"]]
    assert "Lưu để dùng khi mất mạng" in page_text(r.text)
    unsaved = anon.get("/maps/offline/unsaved")
    assert unsaved.status_code == 200 and "chưa được lưu" in page_text(unsaved.text)


def test_the_save_list_of_a_commune_public_vs_staff(client_as: ClientAs, world: dict[str, Any]) -> None:
    public, staff = client_as(), client_as("inspector", username="thanh-tra-1")
    commune = commune_of(public)
    plan = public.get(f"/api/offline/communes/{commune}").json()
    codes = {f["id"] for f in plan["sites"]["features"]}
    assert {"MAP-0", "MAP-1", "MAP-2", "MAP-3"} <= codes and plan["count"] == len(codes)
    assert plan["scope"] == "public" and plan["stale_days"] == 7
    assert "/maps/stations" in plan["pages"] and "/records/sites/MAP-0" in plan["pages"]
    assert "/static/vendor/leaflet/dist/leaflet.js" in plan["assets"] and "/static/js/offline.js" in plan["assets"]
    assert plan["tiles_saved"] and plan["tiles"] and all(t.startswith("/tiles/sites/1") for t in plan["tiles"])
    site = next(f for f in plan["sites"]["features"] if f["id"] == "MAP-0")["properties"]
    # The public sees the public fields only, no permit standing; each site's stations come with it.
    assert "permits" not in site and "owner" not in site
    assert [s["operator_code"] for s in site["stations"]] == ["VIETTEL"]

    staffed = staff.get(f"/api/offline/communes/{commune}").json()
    assert staffed["scope"].startswith("u") and staffed["scope"] != "public"
    assert staff.get("/api/offline/scope").json() == {"scope": staffed["scope"]}
    assert public.get("/api/offline/scope").json() == {"scope": "public"}
    by_code = {f["id"]: f["properties"] for f in staffed["sites"]["features"]}
    # MAP-0 holds every permit it needs (tests/maps/conftest.py); the others are missing theirs.
    assert by_code["MAP-0"]["permits"] == "valid"
    assert {by_code[c]["permits"] for c in ("MAP-1", "MAP-2", "MAP-3")} <= {"missing", "inactive"}


def test_the_save_list_is_bounded(anon: TestClient, settings: Settings, world: dict[str, Any]) -> None:
    commune = commune_of(anon)
    settings.offline_max_tiles = 3
    plan = anon.get(f"/api/offline/communes/{commune}").json()
    assert plan["tiles"] == [] and plan["tiles_saved"] is False and plan["count"] >= 4
    settings.offline_max_sites = 2
    body = problem(anon.get(f"/api/offline/communes/{commune}"), 400)
    assert "vị trí" in body["detail"] and "2" in body["detail"]
    assert problem(anon.get("/api/offline/communes/99999"), 404)["detail"]
    assert anon.get("/api/offline/communes/%3Cscript%3E").status_code == 422
    assert anon.get("/api/offline/communes/" + "9" * 300).status_code == 422
