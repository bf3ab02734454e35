"""Exports read back by real readers (GDAL's ogrinfo from Debian, pyogrio's GDAL, fastkml): every format
carries the same fields for the same role, with their types; the public's field set is the API's;
VN-2000 GeoPackages are where pyproj puts them through EPSG:6960; hostile text comes back as it was."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from registry.accounts.permissions import PUBLIC_FIELDS
from registry.stations.exporter import SITE_LAYER, STATION_LAYER
from registry.stations.models import Station
from registry.zones.exporter import ZONE_LAYER
from tests.api.helpers import media_type, problem
from tests.conftest import ClientAs
from tests.factories import box, make_site, make_station, make_zone

KML = "{http://www.opengis.net/kml/2.2}"
SCRIPT = "<script>alert('x')</script>"
CDATA_END = "a]]>b"
FORMULA = "=cmd|' /C calc'!A0"
# GDAL's names for our field types, and numpy's for pyogrio.
OGR_TYPES = {"int": "Integer", "double": "Real", "string": "String", "strings": "String", "bool": "Integer(Boolean)",
             "date": "Date"}  # fmt: skip
# GDAL's LIBKML reads KML's types: bool as an integer, a date (a string in KML 2.2) as a string.
KML_OGR_TYPES = {**OGR_TYPES, "bool": "Integer", "date": "String"}
NUMPY_KINDS = {"int": "i", "double": "f", "string": "O", "strings": "O", "bool": "b", "date": "M"}


def _ogrinfo() -> str:
    found = shutil.which("ogrinfo")
    assert found, "ogrinfo missing: scripts/system-deps.sh installs gdal-bin"
    return found


def ogr_fields(path: Path, layer: str | None = None) -> dict[str, dict[str, str]]:
    """{layer: {field: GDAL type}} as `ogrinfo -so -al` (or of one layer) prints them."""
    args = [_ogrinfo(), "-ro", "-so", str(path)] + ([layer] if layer else ["-al"])
    out = subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout
    layers: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in out.splitlines():
        if line.startswith("Layer name: "):
            current = layers.setdefault(line.removeprefix("Layer name: ").strip(), {})
            continue
        m = re.match(r"^(\w+): (\w+(?:\(\w+\))?) \(", line)
        if m and not line.startswith(("Geometry", "Extent", "Feature Count", "FID Column")):
            current[m.group(1)] = m.group(2)
    return layers


def ogr_features(path: Path, layer: str) -> list[dict[str, str]]:
    """Every feature's fields as `ogrinfo` prints them (text), to compare values."""
    args = [_ogrinfo(), "-ro", "-q", "-geom=NO", str(path), layer]
    out = subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout
    features: list[dict[str, str]] = []
    for line in out.splitlines():
        if line.startswith("OGRFeature("):
            features.append({})
            continue
        m = re.match(r"^  (\w+) \([^)]*\)+ = (.*)$", line)
        if m and features:
            features[-1][m.group(1)] = m.group(2)
    return features


def save(tmp_path: Path, name: str, content: bytes) -> Path:
    target = tmp_path / name
    target.write_bytes(content)
    return target


def csv_headers(content: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def stations(db: Session) -> list[Station]:
    from registry.organisations.models import Organisation

    hostile_owner = Organisation(code="TX-OWNER", name=FORMULA, short_name=FORMULA)
    db.add(hostile_owner)
    db.flush()
    a = make_site(
        db,
        code="TX-A",
        lon=106.6812345,
        lat=20.8612345,
        address=SCRIPT,
        pole_height_m=12.5,
        building_height_m=18.0,
        owner=hostile_owner,
    )
    b = make_site(db, code="TX-B", lon=106.7012345, lat=20.8412345, address=CDATA_END, pole_class="A2c")
    return [
        make_station(
            db,
            site=a,
            operator_code="VIETTEL",
            station_code="TX-1",
            technologies=["2G", "4G"],
            bands=["900", "1800"],
            commissioning_date=date(2021, 3, 15),
        ),  # fmt: skip
        make_station(db, site=a, operator_code="VNPT", station_code=FORMULA, technologies=["5G"], bands=["n78"]),
        make_station(db, site=b, operator_code="MOBIFONE", station_code="TX-3", status="planned"),
    ]


# --- the same fields in every format ---------------------------------------------------------------


def test_station_exports_carry_the_same_fields_in_every_format(
    client: TestClient, stations: list[Station], tmp_path: Path
) -> None:
    keys = STATION_LAYER.keys
    titles = [f.title for f in STATION_LAYER.fields]
    assert {"owner", "building_height_m", "provenance", "source_crs", "source_x", "source_y"} <= set(keys)

    assert csv_headers(client.get("/api/stations.csv").content) == titles
    book = load_workbook(io.BytesIO(client.get("/api/stations.xlsx").content), read_only=True)
    assert [c for c in next(book.worksheets[0].iter_rows(values_only=True))] == titles
    book.close()

    fc = client.get("/api/stations.geojson").json()
    assert len(fc["features"]) == 3
    assert all(list(f["properties"]) == keys for f in fc["features"])
    first = next(f["properties"] for f in fc["features"] if f["properties"]["station_code"] == "TX-1")
    assert first["owner"] == FORMULA and first["building_height_m"] == 18.0 and first["pole_height_m"] == 12.5
    assert first["commissioning_date"] == "2021-03-15" and first["crs"] == 4326 and first["source_crs"] == 4326
    assert first["provenance"] == "gps" and first["status"] == "operating"

    gpkg = save(tmp_path, "tram.gpkg", client.get("/api/stations.gpkg").content)
    assert ogr_fields(gpkg) == {"tram_goc": {f.key: OGR_TYPES[f.kind] for f in STATION_LAYER.fields}}

    kml = save(tmp_path, "tram.kml", client.get("/api/stations.kml").content)
    by_folder = ogr_fields(kml)
    assert set(by_folder) == {"Viettel", "VNPT", "MobiFone"}  # a folder per operator: a layer each in GDAL
    for fields in by_folder.values():
        typed = {k: v for k, v in fields.items() if k in keys}
        assert typed == {f.key: KML_OGR_TYPES[f.kind] for f in STATION_LAYER.fields}


def test_gpkg_values_are_typed_and_hostile_text_comes_back(
    client: TestClient, stations: list[Station], tmp_path: Path
) -> None:
    from pyogrio import read_info
    from pyogrio.raw import read

    response = client.get("/api/stations.gpkg")
    assert response.status_code == 200
    assert media_type(response) == "application/geopackage+sqlite3"
    assert ".gpkg" in response.headers["content-disposition"]
    path = save(tmp_path, "tram.gpkg", response.content)
    info = read_info(path)
    assert info["crs"] == "EPSG:4326" and info["geometry_type"] == "Point" and info["features"] == 3
    meta, _, geometry, data = read(path, return_fids=True)
    columns = dict(zip(meta["fields"], data, strict=True))
    for f in STATION_LAYER.fields:
        assert columns[f.key].dtype.kind == NUMPY_KINDS[f.kind], f.key
    assert sorted(columns["station_code"]) == sorted(["TX-1", "TX-3", FORMULA])
    assert SCRIPT in list(columns["address"]) and CDATA_END in list(columns["address"])
    assert FORMULA in list(columns["owner"])
    i = list(columns["station_code"]).index("TX-1")
    assert columns["commissioning_date"][i] == np.datetime64("2021-03-15")
    assert columns["pole_height_m"][i] == 12.5 and columns["crs"][i] == 4326
    import shapely

    point = shapely.from_wkb(geometry[i])
    assert (point.x, point.y) == pytest.approx((106.6812345, 20.8612345), abs=1e-9)


def test_kml_has_one_schema_shared_styles_and_a_folder_per_operator(
    client: TestClient, stations: list[Station]
) -> None:
    from fastkml import KML as FastKML

    content = client.get("/api/stations.kml").content
    root = ET.fromstring(content)  # well-formed with <script>, ]]> and = in names and values
    document = root.find(f"{KML}Document")
    assert document is not None
    schemas = document.findall(f"{KML}Schema")
    assert len(schemas) == 1
    declared = {s.get("name"): s.get("type") for s in schemas[0].findall(f"{KML}SimpleField")}
    assert declared["pole_height_m"] == "double" and declared["crs"] == "int" and declared["owner"] == "string"
    styles = {s.get("id") for s in document.findall(f"{KML}Style")}
    placemarks = root.findall(f".//{KML}Placemark")
    assert len(placemarks) == 3
    assert all(p.find(f"{KML}Style") is None for p in placemarks), "no inline styles"
    assert {p.findtext(f"{KML}styleUrl") for p in placemarks} == {"#style-operating", "#style-planned"}
    assert {"style-operating", "style-planned"} <= styles
    folders = {f.findtext(f"{KML}name"): len(f.findall(f"{KML}Placemark")) for f in document.findall(f"{KML}Folder")}
    assert folders == {"Viettel": 1, "VNPT": 1, "MobiFone": 1}
    names = {p.findtext(f"{KML}name") for p in placemarks}
    assert f"{FORMULA} (TX-A)" in names
    values = [
        {d.get("name"): d.text for d in p.iter(f"{KML}SimpleData")} for p in placemarks
    ]  # fmt: skip
    assert {v["address"] for v in values} == {SCRIPT, CDATA_END}
    assert FORMULA in {v.get("owner") for v in values}
    # fastkml (the zone import's reader) reads the document too.
    kml = FastKML.from_string(content)
    assert len(list(kml.features[0].features)) == 3


def test_hostile_values_read_back_through_gdal(client: TestClient, stations: list[Station], tmp_path: Path) -> None:
    kml = save(tmp_path, "tram.kml", client.get("/api/stations.kml").content)
    texts = [f for layer in ogr_fields(kml) for f in ogr_features(kml, layer)]
    assert {f["address"] for f in texts} == {SCRIPT, CDATA_END}
    assert FORMULA in {f["station_code"] for f in texts}
    gpkg = save(tmp_path, "tram.gpkg", client.get("/api/stations.gpkg").content)
    rows = ogr_features(gpkg, "tram_goc")
    assert {r["address"] for r in rows} == {SCRIPT, CDATA_END}
    assert next(r for r in rows if r["station_code"] == "TX-1")["commissioning_date"] == "2021/03/15"


# --- roles -----------------------------------------------------------------------------------------


def test_public_site_exports_carry_the_public_fields_in_every_format(
    client_as: ClientAs, stations: list[Station], tmp_path: Path
) -> None:
    public, staff = client_as(), client_as("viewer")
    listed = public.get("/api/sites", params={"limit": 10}).json()["features"][0]["properties"]
    public_keys = [f.key for f in SITE_LAYER.fields if f.key in PUBLIC_FIELDS["site"] or f.key in ("lon", "lat", "crs")]
    assert set(public_keys) - {"lon", "lat", "crs"} <= set(listed), "the export shows no field the list hides"
    assert {"owner", "provenance", "source_x", "building_height_m"}.isdisjoint(public_keys)

    for who, keys in ((public, public_keys), (staff, SITE_LAYER.keys)):
        titles = [f.title for f in SITE_LAYER.fields if f.key in keys]
        assert csv_headers(who.get("/api/sites.csv").content) == titles
        fc = who.get("/api/sites.geojson").json()
        assert [list(f["properties"]) for f in fc["features"]] == [keys, keys]
        gpkg = save(tmp_path, "vt.gpkg", who.get("/api/sites.gpkg").content)
        assert list(ogr_fields(gpkg)["vi_tri_cot"]) == keys
        kml = save(tmp_path, "vt.kml", who.get("/api/sites.kml").content)
        for fields in ogr_fields(kml).values():
            assert [k for k in fields if k in SITE_LAYER.keys] == keys
    body = public.get("/api/sites.csv").content.decode("utf-8-sig")
    assert FORMULA not in body and "'" + FORMULA not in body, "the owner is not public"
    staff_body = staff.get("/api/sites.csv").content.decode("utf-8-sig")
    assert "'" + FORMULA in staff_body, "a formula is inert in CSV"


def test_public_outlet_files_carry_the_public_fields(client: TestClient, client_as: ClientAs, tmp_path: Path) -> None:
    from registry.press.exporter import OUTLET_LAYER

    outlet = {
        "kind": "magazine", "code": "TX-BC", "name": SCRIPT, "phone": "0225 3842 000", "email": "toa@soan.vn",
        "notes": CDATA_END, "address": FORMULA, "position": {"lon": 106.683, "lat": 20.864},
    }  # fmt: skip
    assert client.post("/api/press/outlets", json=outlet).status_code == 201
    assert (
        client.post(
            "/api/press/outlets", json={"kind": "magazine", "code": "TX-NO", "name": "Không vị trí"}
        ).status_code
        == 201
    )
    staff_gpkg = save(tmp_path, "staff.gpkg", client.get("/api/press/outlets.gpkg").content)
    assert list(ogr_fields(staff_gpkg)["co_quan_bao_chi"]) == OUTLET_LAYER.keys
    assert csv_headers(client.get("/api/press/outlets.csv").content) == [f.title for f in OUTLET_LAYER.fields]
    rows = {r["code"]: r for r in ogr_features(staff_gpkg, "co_quan_bao_chi")}
    assert rows["TX-BC"]["name"] == SCRIPT and rows["TX-BC"]["notes"] == CDATA_END
    assert rows["TX-BC"]["address"] == FORMULA and rows["TX-BC"]["email"] == "toa@soan.vn"
    assert "TX-NO" in rows, "an outlet without a place is exported with an empty geometry"

    public = client_as()
    gpkg = save(tmp_path, "public.gpkg", public.get("/api/press/outlets.gpkg").content)
    fields = list(ogr_fields(gpkg)["co_quan_bao_chi"])
    assert {"phone", "email", "notes"}.isdisjoint(fields) and {"code", "name", "lon", "lat", "parent_code"} <= set(
        fields
    )
    kml = public.get("/api/press/outlets.kml")
    assert kml.status_code == 200 and b"0225 3842 000" not in kml.content and b"toa@soan.vn" not in kml.content
    problem(public.get("/api/press/outlets.csv"), 401)


# --- VN-2000 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("crs", ["EPSG:9210", "9205", "http://www.opengis.net/def/crs/EPSG/0/5897"])
def test_vn2000_geopackage_is_within_a_decimetre_of_pyproj(
    client: TestClient, stations: list[Station], tmp_path: Path, crs: str
) -> None:
    import shapely
    from pyogrio.raw import read
    from pyproj import CRS, Transformer

    code = int(crs.rsplit(":", 1)[-1].rsplit("/", 1)[-1])
    path = save(tmp_path, "vn2000.gpkg", client.get("/api/stations.gpkg", params={"crs": crs}).content)
    info = subprocess.run([_ogrinfo(), "-ro", "-so", str(path), "tram_goc"], capture_output=True, text=True).stdout
    assert f'ID["EPSG",{code}]]' in info.replace("\n", "").replace(" ", "")
    meta, _, geometry, data = read(path, return_fids=True)
    lon, lat = data[meta["fields"].tolist().index("lon")], data[meta["fields"].tolist().index("lat")]
    # pyproj's own path through EPSG:6960: WGS 84 → VN-2000 geographic by the Helmert, then the projection.
    helmert = Transformer.from_pipeline("urn:ogc:def:coordinateOperation:EPSG::6960")
    project = Transformer.from_crs(CRS.from_epsg(4756), CRS.from_epsg(code), always_xy=True)
    for g, x0, y0 in zip(geometry, lon, lat, strict=True):
        point = shapely.from_wkb(g)
        vlat, vlon = helmert.transform(y0, x0, direction="INVERSE")  # EPSG axis order: lat, lon
        ex, ny = project.transform(vlon, vlat)
        assert abs(point.x - ex) < 0.1 and abs(point.y - ny) < 0.1, (point, ex, ny)
        assert 2_000_000 < point.y < 2_600_000, "metres, not degrees"


def test_the_gpkg_keeps_the_projects_towgs84(client: TestClient, stations: list[Station], tmp_path: Path) -> None:
    import sqlite3

    from geo.crs import VN2000_TOWGS84

    path = save(tmp_path, "vn.gpkg", client.get("/api/sites.gpkg", params={"crs": "EPSG:9210"}).content)
    with sqlite3.connect(path) as con:
        (srs_id, organization, definition), = con.execute(
            "SELECT srs_id, organization, definition FROM gpkg_spatial_ref_sys WHERE srs_id = 9210"
        ).fetchall()  # fmt: skip
        (layer_srs,) = con.execute("SELECT srs_id FROM gpkg_geometry_columns").fetchone()
    assert (srs_id, organization, layer_srs) == (9210, "EPSG", 9210)
    assert f"TOWGS84[{VN2000_TOWGS84}]" in definition


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"crs": "EPSG:3857"}, "crs"),
        ({"crs": "EPSG:9210; DROP TABLE site"}, "crs"),
        ({"crs": "<script>"}, "crs"),
        ({"crs": "9" * 40}, "crs"),
    ],
)
def test_unsupported_crs_is_refused(client: TestClient, params: dict[str, str], field: str) -> None:
    body = problem(client.get("/api/stations.gpkg", params=params), 422)
    assert field in {e.get("field") for e in body["errors"]}


@pytest.mark.parametrize("path", ["/api/stations.kml", "/api/sites.geojson", "/api/zones.csv"])
def test_a_crs_is_only_for_geopackages(client: TestClient, path: str) -> None:
    body = problem(client.get(path, params={"crs": "EPSG:9210"}), 422)
    assert "gpkg" in body["errors"][0]["message"]


# --- zones -----------------------------------------------------------------------------------------


def test_zone_exports_are_typed_and_import_back(client: TestClient, db: Session, tmp_path: Path) -> None:
    zone = make_zone(
        db, polygon=box(106.68, 20.86, 0.01), kind="height_limited", code="TX-Z1",
        allowed_pole_classes=["A1a", "A1b"], max_height_m=30.0, urban=True,
    )  # fmt: skip
    zone.name = SCRIPT
    zone.notes = CDATA_END
    zone.source_decision = FORMULA
    zone.valid_from = date(2024, 1, 1)
    db.flush()
    gpkg = save(tmp_path, "z.gpkg", client.get("/api/zones.gpkg").content)
    assert ogr_fields(gpkg) == {"vung_quy_hoach": {f.key: OGR_TYPES[f.kind] for f in ZONE_LAYER.fields}}
    (row,) = [r for r in ogr_features(gpkg, "vung_quy_hoach") if r["code"] == "TX-Z1"]
    assert row["name"] == SCRIPT and row["notes"] == CDATA_END and row["source_decision"] == FORMULA
    assert row["urban"] == "1" and row["valid_from"] == "2024/01/01" and float(row["max_height_m"]) == 30.0
    assert float(row["area_km2"]) == pytest.approx(4.6, rel=0.05)

    kml = client.get("/api/zones.kml")
    assert kml.status_code == 200 and media_type(kml) == "application/vnd.google-earth.kml+xml"
    # GDAL's field names are case-blind: the zone's "name" is its Placemark's Name (the same text).
    by_kind = ogr_fields(save(tmp_path, "z.kml", kml.content))
    assert list(by_kind) == ["Khu vực hạn chế chiều cao"]  # a folder per kind
    for fields in by_kind.values():
        assert fields["Name"] == "String"
        assert {k: v for k, v in fields.items() if k in ZONE_LAYER.keys} == {
            f.key: KML_OGR_TYPES[f.kind] for f in ZONE_LAYER.fields if f.key != "name"
        }
    fc = client.get("/api/zones.geojson").json()
    feature = next(f for f in fc["features"] if f["id"] == "TX-Z1")
    assert list(feature["properties"]) == ZONE_LAYER.keys and feature["geometry"]["type"] == "MultiPolygon"
    assert csv_headers(client.get("/api/zones.csv").content) == [f.title for f in ZONE_LAYER.fields]

    for name, content in (("z.kml", kml.content), ("z.geojson", json.dumps(fc).encode())):
        report = client.post("/api/zones/import", files={"file": (name, content)}).json()
        assert report["unchanged"] >= 1 and report["created"] == 0 and report["updated"] == 0, report


# --- limits and refusals ---------------------------------------------------------------------------


def test_gpkg_is_bounded_like_the_other_formats(app: Any, client: TestClient, stations: list[Station]) -> None:
    from api.deps import get_app_settings
    from registry.settings import get_settings

    app.dependency_overrides[get_app_settings] = lambda: get_settings().model_copy(update={"max_export_rows": 2})
    try:
        for path in ("/api/stations.gpkg", "/api/stations.kml", "/api/stations.geojson"):
            body = problem(client.get(path), 413)
            assert body["limit"] == 2 and body["matched"] == 3
        assert client.get("/api/sites.gpkg").status_code == 200  # two sites
    finally:
        app.dependency_overrides.pop(get_app_settings, None)


def test_empty_exports_are_valid_files(client: TestClient, tmp_path: Path) -> None:
    from pyogrio import read_info

    params = {"operator": "không có"}
    gpkg = save(tmp_path, "empty.gpkg", client.get("/api/stations.gpkg", params=params).content)
    info = read_info(gpkg)
    assert info["features"] == 0 and list(info["fields"]) == STATION_LAYER.keys
    root = ET.fromstring(client.get("/api/stations.kml", params=params).content)
    assert root.findall(f".//{KML}Placemark") == [] and len(root.findall(f".//{KML}SimpleField")) == len(
        STATION_LAYER.fields
    )
    assert client.get("/api/stations.geojson", params=params).json()["features"] == []


def test_station_exports_still_need_a_sign_in(client_as: ClientAs) -> None:
    for fmt in ("gpkg", "kml"):
        problem(client_as().get(f"/api/stations.{fmt}"), 401)


# --- the command line ------------------------------------------------------------------------------


def test_cli_writes_the_same_files(
    monkeypatch: pytest.MonkeyPatch, session_factory: Any, stations: list[Station], db: Session, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    import registry.db
    from api.cli import app

    monkeypatch.setattr(registry.db, "get_sessionmaker", lambda: session_factory)
    make_zone(db, polygon=box(106.68, 20.86, 0.01), code="TX-CLI")
    runner = CliRunner()
    target = tmp_path / "tram-vn2000.gpkg"
    result = runner.invoke(app, ["export", "stations", "-f", "gpkg", "--crs", "EPSG:9210", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert ogr_fields(target) == {"tram_goc": {f.key: OGR_TYPES[f.kind] for f in STATION_LAYER.fields}}
    sites = tmp_path / "vi-tri.kml"
    assert runner.invoke(app, ["export", "sites", "-f", "kml", "-o", str(sites), "--operator", "vnpt"]).exit_code == 0
    assert [p for layer in ogr_fields(sites) for p in ogr_features(sites, layer)][0]["code"] == "TX-A"
    zones = tmp_path / "vung.gpkg"
    assert runner.invoke(app, ["export", "zones", "-o", str(zones)]).exit_code == 0
    assert "TX-CLI" in {r["code"] for r in ogr_features(zones, "vung_quy_hoach")}
    refused = runner.invoke(app, ["export", "stations", "-f", "kml", "--crs", "EPSG:9210"])
    assert refused.exit_code == 2 and "gpkg" in refused.output
    assert runner.invoke(app, ["export", "sites", "-f", "pdf"]).exit_code == 2


# --- any text is data ------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=40), number=st.floats(allow_nan=False, allow_infinity=False))
def test_kml_holds_any_text_and_number(text: str, number: float) -> None:
    import shapely

    from registry.geofiles import Field, Layer, Record, kml_chunks

    layer = Layer("t", text or "t", (Field("s", "string", text or "s"), Field("x", "double", "x")), "Point")
    record = Record(id=None, label=text, values={"s": text, "x": number}, geometry=shapely.Point(106, 20), group=text)
    root = ET.fromstring(b"".join(kml_chunks(layer, [record])))
    kept = re.sub("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", "", text)
    (mark,) = root.iter(f"{KML}Placemark")
    assert (mark.findtext(f"{KML}name") or "") == kept
    values = {d.get("name"): d.text or "" for d in mark.iter(f"{KML}SimpleData")}
    assert values["s"] == kept and float(values["x"]) == number
    assert (root.find(f".//{KML}Folder/{KML}name").text or "") == (kept if text else "t")  # type: ignore[union-attr]


def test_geojson_lists_are_lists_and_stations_have_their_id(
    client: TestClient, stations: list[Station], tmp_path: Path
) -> None:
    """Technologies, bands and a site's operators are JSON arrays in GeoJSON (a comma-joined text in the
    formats without lists); each station feature carries the station's id."""
    fc = client.get("/api/stations.geojson").json()
    by_code = {f["properties"]["station_code"]: f for f in fc["features"]}
    first = by_code["TX-1"]
    assert first["id"] == stations[0].id
    assert first["properties"]["technologies"] == ["2G", "4G"] and first["properties"]["bands"] == ["900", "1800"]
    assert by_code["TX-3"]["properties"]["technologies"] == ["4G"]
    sites = {f["id"]: f for f in client.get("/api/sites.geojson").json()["features"]}
    assert sites["TX-A"]["properties"]["operators"] == ["VNPT", "Viettel"]
    assert sites["TX-A"]["properties"]["technologies"] == ["2G", "4G", "5G"]
    # Joined where the format has no lists, as the import template writes them.
    rows = list(csv.DictReader(io.StringIO(client.get("/api/stations.csv").content.decode("utf-8-sig"))))
    assert next(r for r in rows if r["Mã trạm"] == "TX-1")["Công nghệ"] == "2G,4G"
    gpkg = save(tmp_path, "s.gpkg", client.get("/api/sites.gpkg").content)
    from pyogrio.raw import read

    meta, _, _, data = read(gpkg)
    columns = {name: list(values) for name, values in zip(meta["fields"], data, strict=True)}
    assert columns["operators"][columns["code"].index("TX-A")] == "VNPT,Viettel"
