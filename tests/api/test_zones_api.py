"""Planning zones: create, read as GeoJSON, change, import from GeoJSON and KML (all or nothing)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.zones.models import PlanningZone
from tests.api.helpers import assert_names_field, problem, versioned
from tests.factories import box


def polygon(lon: float, lat: float, half: float = 0.01) -> dict:
    ring = [list(p) for p in box(lon, lat, half)]
    return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}


def feature(code: str, **props: object) -> dict:
    geometry = props.pop("geometry", polygon(106.68, 20.86))
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "code": code,
            "name": f"Vùng {code}",
            "kind": "a1_only",
            "allowed_pole_classes": ["A1"],
            **props,
        },
    }


def upload(client: TestClient, data: bytes, name: str, **params: object):  # type: ignore[no-untyped-def]
    return client.post("/api/zones/import", files={"file": (name, data)}, params=params)


def count(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(PlanningZone)) or 0)


def test_create_read_change_delete(client: TestClient, anon: TestClient) -> None:
    created = client.post(
        "/api/zones",
        json={
            "code": "Z-TT",
            "name": "Khu trung tâm chỉ cột A1",
            "kind": "a1_only",
            "geometry": polygon(106.68, 20.86),
            "allowed_pole_classes": ["A1"],
            "source_decision": "QĐ 1/QĐ-UBND (thử)",
            "valid_from": "2025-01-01",
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["properties"]["area_km2"] > 4
    # Zones are public planning documents.
    listed = anon.get("/api/zones", params={"on": "2026-11-28"})
    assert listed.headers["content-type"].startswith("application/geo+json")
    assert [f["id"] for f in listed.json()["features"]] == ["Z-TT"]
    assert anon.get("/api/zones", params={"on": "2024-12-31"}).json()["features"] == []
    problem(anon.post("/api/zones", json={}), 401)
    url = "/api/zones/Z-TT"
    changed = client.patch(url, json={"max_height_m": 18}, headers=versioned(client, url))
    assert changed.json()["properties"]["max_height_m"] == 18 and changed.headers["etag"] == '"2"'
    assert client.delete(url, headers=versioned(client, url)).status_code == 204
    problem(client.get(url), 404)


def test_bad_zones_name_the_field(client: TestClient) -> None:
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[106.6, 20.8], [106.7, 20.9], [106.7, 20.8], [106.6, 20.9], [106.6, 20.8]]],
    }
    swapped = polygon(20.86, 106.68)
    for payload, field in [
        ({"code": "Z1", "name": "x", "kind": "castle", "geometry": polygon(106.68, 20.86)}, "kind"),
        ({"code": "Z1", "name": "x", "kind": "rural", "geometry": bowtie}, "geometry"),
        ({"code": "Z1", "name": "x", "kind": "rural", "geometry": swapped}, "geometry"),
        (
            {"code": "Z1", "name": "x", "kind": "rural", "geometry": {"type": "Point", "coordinates": [1, 2]}},
            "geometry",
        ),
        (
            {
                "code": "Z1",
                "name": "x",
                "kind": "rural",
                "geometry": polygon(106.6, 20.8),
                "allowed_pole_classes": ["B1"],
            },
            "allowed_pole_classes",
        ),
        ({"code": "Z 1", "name": "x", "kind": "rural", "geometry": polygon(106.6, 20.8)}, "code"),
    ]:
        assert_names_field(problem(client.post("/api/zones", json=payload), 422), field)


def test_geojson_import_is_all_or_nothing_and_idempotent(client: TestClient, db: Session) -> None:
    good = {
        "type": "FeatureCollection",
        "features": [feature("Z-A"), feature("Z-B", kind="rural", allowed_pole_classes=None, urban=False)],
    }
    bad = {"type": "FeatureCollection", "features": [*good["features"], feature("Z-C", kind="moon"), feature("Z-A")]}
    body = problem(upload(client, json.dumps(bad).encode(), "zones.geojson"), 422)
    assert {(e["row"], e["column"]) for e in body["errors"]} == {(3, "kind"), (4, "code")}
    assert count(db) == 0
    dry = upload(client, json.dumps(good).encode(), "zones.geojson", dry_run=True).json()
    assert dry["created"] == 2 and count(db) == 0
    first = upload(client, json.dumps(good).encode(), "zones.geojson").json()
    assert (first["created"], first["updated"], first["unchanged"]) == (2, 0, 0)
    again = upload(client, json.dumps(good).encode(), "zones.geojson").json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    good["features"][0]["properties"]["max_height_m"] = 12
    changed = upload(client, json.dumps(good).encode(), "zones.geojson").json()
    assert (changed["updated"], changed["unchanged"]) == (1, 1)
    assert client.get("/api/zones/Z-A").json()["properties"]["max_height_m"] == 12


KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Quy hoạch</name><Folder>
<Placemark><name>Khu vực sân bay Cát Bi (thử)</name>
<ExtendedData><Data name="code"><value>Z-KML</value></Data><Data name="kind"><value>airport</value></Data>
<Data name="max_height_m"><value>45</value></Data><Data name="urban"><value>true</value></Data>
<Data name="allowed_pole_classes"><value>A1, A2a</value></Data></ExtendedData>
<Polygon><outerBoundaryIs><LinearRing><coordinates>
106.70,20.80,0 106.75,20.80,0 106.75,20.84,0 106.70,20.84,0 106.70,20.80,0
</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
</Folder></Document></kml>"""


def test_kml_import(client: TestClient) -> None:
    report = upload(client, KML.encode(), "quy-hoach.kml")
    assert report.status_code == 200, report.text
    assert report.json()["created"] == 1
    props = client.get("/api/zones/Z-KML").json()["properties"]
    assert props["name"] == "Khu vực sân bay Cát Bi (thử)" and props["kind"] == "airport"
    assert props["max_height_m"] == 45 and props["urban"] is True and props["allowed_pole_classes"] == ["A1", "A2a"]


def test_hostile_and_broken_files(client: TestClient, db: Session) -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaa">]><kml>&a;</kml>'
    for data, name in [
        (bomb, "x.kml"),
        (b"<kml><Document><Placemark>", "broken.kml"),
        (b"{not json", "x.geojson"),
        (b'{"type": "FeatureCollection", "features": []}', "empty.geojson"),
        (b"PK\x03\x04", "zones.zip"),
        (b"", "x.geojson"),
    ]:
        response = upload(client, data, name)
        assert response.status_code == 422, (name, response.text)
        assert_names_field(response.json(), "file")
    assert count(db) == 0
