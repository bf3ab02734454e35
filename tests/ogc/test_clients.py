"""The real clients against the served /ogc: GDAL's ogrinfo and ogr2ogr (Debian's gdal-bin, the OAPIF
driver) and OWSLib's ``Features``, on a scratch database with the world of tests/ogc/conftest.py.

GDAL 3.6 has no open option for a CRS or a CQL2 filter: the query parameters written after the
connection URL are added by the driver to every request it makes, which is how these tests (and the
README's steps) ask for them. No duration is asserted."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from geo.crs import from_wgs84
from tests.ogc.conftest import SECRET, SITES, Live, site_code

PUBLIC = {"sites", "stations", "planning_zones", "communes", "press_outlets"}
EPSG_9210 = "http://www.opengis.net/def/crs/EPSG/0/9210"


def run(args: list[str], live: Live, **env: str) -> subprocess.CompletedProcess[str]:
    # No skip when GDAL is missing: scripts/system-deps.sh installs gdal-bin, and a skip would hide that it did not.
    assert shutil.which(args[0]) is not None, f"{args[0]} missing: run scripts/system-deps.sh (gdal-bin)"
    return subprocess.run(args, capture_output=True, text=True, timeout=300, env=live.gdal_env(**env), check=False)


def layers(output: str) -> set[str]:
    """Layer names of ``ogrinfo -so`` (lines "1: sites (Point)")."""
    found = set()
    for line in output.splitlines():
        head, sep, rest = line.partition(": ")
        if sep and head.strip().isdigit():
            found.add(rest.split(" (")[0].strip())
    return found


def read(live: Live, tmp_path: Path, source: str, name: str, *extra: str, **env: str) -> dict[str, Any]:
    """``ogr2ogr -f GeoJSON`` of ``source``; the file written, as JSON."""
    out = tmp_path / f"{name}.geojson"
    done = run(["ogr2ogr", "-f", "GeoJSON", str(out), source, *extra], live, **env)
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def test_ogrinfo_lists_every_public_collection_and_the_staff_one_with_a_token(live: Live) -> None:
    public = run(["ogrinfo", "-ro", "-so", "-q", f"OAPIF:{live.ogc}"], live)
    assert public.returncode == 0, public.stderr
    assert layers(public.stdout) == PUBLIC
    staff = run(
        ["ogrinfo", "-ro", "-so", "-q", f"OAPIF:{live.ogc}"],
        live,
        GDAL_HTTP_HEADERS=f"Authorization: Bearer {live.token}",
    )
    assert staff.returncode == 0, staff.stderr
    assert layers(staff.stdout) == PUBLIC | {"cases"}


def test_ogrinfo_reads_each_collection_with_typed_fields(live: Live) -> None:
    summary = run(["ogrinfo", "-ro", "-so", f"OAPIF:{live.ogc}", "sites"], live)
    assert summary.returncode == 0, summary.stderr
    text = summary.stdout
    assert "Feature Count: 25" in text
    assert "pole_height_m: Real" in text
    assert "station_count: Integer" in text
    assert "operators: StringList" in text
    assert "owner" not in text  # a staff-only field: the public's schema lacks it
    stations = run(["ogrinfo", "-ro", "-so", f"OAPIF:{live.ogc}", "stations"], live)
    assert "commissioning_date: Date" in stations.stdout, stations.stdout


def test_ogr2ogr_reads_all_sites_over_several_pages(live: Live, tmp_path: Path) -> None:
    # Seven a page: 25 sites are four pages, reached only by following the next links.
    body = read(live, tmp_path, f"OAPIF:{live.ogc}/collections/sites", "paged", "-oo", "PAGE_SIZE=7")
    codes = [f["properties"]["code"] for f in body["features"]]
    assert sorted(codes) == [site_code(i) for i in range(SITES)]
    first = next(f for f in body["features"] if f["properties"]["code"] == site_code(4))
    assert first["properties"]["pole_height_m"] == 14.0  # a number, not text
    assert first["properties"]["station_count"] == 1


def test_ogr2ogr_reads_through_a_cql2_filter(live: Live, tmp_path: Path) -> None:
    cql = "pole_class = 'A2b' AND pole_height_m >= 20 AND S_DWITHIN(geometry, POINT(106.62 20.82), 10, km)"
    source = f"OAPIF:{live.ogc}/collections/sites?filter={quote(cql)}&filter-lang=cql2-text"
    body = read(live, tmp_path, source, "filtered", "-oo", "PAGE_SIZE=3")
    codes = sorted(f["properties"]["code"] for f in body["features"])
    expected = [site_code(i) for i in range(SITES) if i % 2 == 0 and 10 + i >= 20]
    assert codes == expected and len(codes) > 3  # more than one page of the filtered set


def test_ogr2ogr_reads_sites_in_vn2000_tm3_zone_of_hai_phong(live: Live, tmp_path: Path) -> None:
    source = f"OAPIF:{live.ogc}/collections/sites?crs={quote(EPSG_9210, safe='')}"
    body = read(live, tmp_path, source, "vn2000", "-a_srs", "EPSG:9210", "-oo", "PAGE_SIZE=10")
    assert len(body["features"]) == SITES
    for feature in body["features"]:
        i = int(feature["properties"]["code"].split("-")[1])
        lon, lat = 106.62 + (i % 5) * 0.01, 20.82 + (i // 5) * 0.01
        east, north = from_wgs84(9210, lon, lat)  # pyproj through EPSG:6960 (geo.crs)
        x, y = feature["geometry"]["coordinates"][:2]
        assert abs(x - east) < 0.1 and abs(y - north) < 0.1, (feature["properties"]["code"], x, y, east, north)


def test_staff_collection_with_a_bearer_token_through_gdal_http_headers(live: Live, tmp_path: Path) -> None:
    header = f"Authorization: Bearer {live.token}"
    body = read(live, tmp_path, f"OAPIF:{live.ogc}/collections/cases", "cases", GDAL_HTTP_HEADERS=header)
    assert len(body["features"]) == 2
    assert {f["properties"]["kind"] for f in body["features"]} == {"denunciation", "complaint"}
    written = json.dumps(body, ensure_ascii=False)
    assert SECRET not in written and "subject" not in written and "content" not in written
    refused = run(["ogrinfo", "-ro", "-so", f"OAPIF:{live.ogc}/collections/cases"], live)
    assert refused.returncode != 0
    assert "401" in refused.stderr or "Chưa đăng nhập" in refused.stderr or "đăng nhập" in refused.stderr
    with httpx.Client(base_url=live.base) as http:
        assert http.get("/ogc/collections/cases/items").status_code == 401
        assert http.get("/ogc/collections/no_such/items").status_code == 404
        anonymous = http.get("/ogc/collections").json()
        assert "cases" not in {c["id"] for c in anonymous["collections"]}


def test_owslib_lists_collections_queryables_and_items(live: Live) -> None:
    from owslib.ogcapi.features import Features

    api = Features(live.ogc + "/")  # OWSLib joins paths to a URL ending with /
    assert set(api.feature_collections()) == PUBLIC
    assert {c["id"] for c in api.collections()["collections"]} == PUBLIC
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in api.conformance()["conformsTo"]
    queryables = api.collection_queryables("sites")
    assert {"pole_height_m", "operators", "geometry"} <= set(queryables["properties"])
    assert queryables["properties"]["pole_height_m"]["type"] == "number"
    assert "owner" not in queryables["properties"]
    page = api.collection_items("sites", limit=5)
    assert page["numberReturned"] == 5 and page["numberMatched"] == SITES
    assert any(link["rel"] == "next" for link in page["links"])
    filtered = api.collection_items("sites", limit=50, filter="operators = 'VNPT'")
    assert {f["properties"]["code"] for f in filtered["features"]} == {site_code(i) for i in range(1, SITES, 2)}
    one = api.collection_item("sites", site_code(3))
    assert one["id"] == site_code(3)
