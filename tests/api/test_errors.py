"""Every bad request gets application/problem+json naming what is wrong; never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.settings import Settings
from tests.api.helpers import PROBLEM, assert_names_field, media_type, problem, versioned
from tests.factories import make_site

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[106.6, 20.8], [106.7, 20.8], [106.7, 20.9], [106.6, 20.9], [106.6, 20.8]]],
}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[106.6, 20.8], [106.7, 20.9], [106.7, 20.8], [106.6, 20.9], [106.6, 20.8]]],
}
HUGE = {"type": "Polygon", "coordinates": [[[100, 5], [118, 5], [118, 24], [100, 24], [100, 5]]]}

# (query parameters, status, field the problem must name)
BAD_FILTERS: list[tuple[dict[str, Any], int, str]] = [
    ({"bbox": "a,b,c,d"}, 422, "bbox"),
    ({"bbox": "106.6,20.8,106.7"}, 422, "bbox"),
    ({"bbox": "106.6,20.8,106.7,20.9,1"}, 422, "bbox"),
    ({"bbox": "106.7,20.8,106.6,20.9"}, 422, "bbox"),  # min lon > max lon
    ({"bbox": "106.6,20.9,106.7,20.8"}, 422, "bbox"),  # min lat > max lat
    ({"bbox": "106.6,20.8,106.6,20.9"}, 422, "bbox"),  # empty
    ({"bbox": "nan,20.8,106.7,20.9"}, 422, "bbox"),
    ({"bbox": "inf,20.8,106.7,20.9"}, 422, "bbox"),
    ({"bbox": "-200,20.8,106.7,20.9"}, 422, "bbox"),
    ({"bbox": "100,5,118,24"}, 400, "bbox"),  # far above the area limit
    ({"radius_m": "500"}, 422, "radius_m"),  # radius without near
    ({"near": "106.68,20.86", "radius_m": "1e9"}, 400, "radius_m"),
    ({"near": "106.68,20.86", "radius_m": "-5"}, 422, "radius_m"),
    ({"near": "106.68,20.86", "radius_m": "0"}, 422, "radius_m"),
    ({"near": "106.68,20.86", "radius_m": "abc"}, 422, "radius_m"),
    ({"near": "abc"}, 422, "near"),
    ({"near": "106.68"}, 422, "near"),
    ({"near": "200,20"}, 422, "near"),
    ({"near": "106.68,95"}, 422, "near"),
    ({"within": "{not json"}, 422, "within"),
    ({"within": "[]"}, 422, "within"),
    ({"within": "42"}, 422, "within"),
    ({"within": json.dumps({"type": "Point", "coordinates": [106.6, 20.8]})}, 422, "within"),
    ({"within": json.dumps({"type": "Polygon", "coordinates": "x"})}, 422, "within"),
    ({"within": json.dumps({"type": "Polygon", "coordinates": [[[106.6, 20.8], [106.7]]]})}, 422, "within"),
    ({"within": json.dumps({"type": "Polygon"})}, 422, "within"),
    ({"within": json.dumps({"type": "Feature", "geometry": None})}, 422, "within"),
    ({"within": json.dumps(BOWTIE)}, 422, "within"),  # self-intersecting
    (
        {
            "within": json.dumps(
                {"type": "Polygon", "coordinates": [[[600, 20.8], [700, 20.8], [700, 21], [600, 20.8]]]}
            )
        },
        422,
        "within",
    ),
    ({"within": json.dumps(HUGE)}, 400, "within"),
    ({"technology": "6G"}, 422, "technology"),
    ({"technology": "4G,LTE-A"}, 422, "technology"),
    ({"pole_class": "B1"}, 422, "pole_class"),
    ({"pole_class": "A3a"}, 422, "pole_class"),
    ({"status": "broken"}, 422, "status"),
    ({"limit": "abc"}, 422, "limit"),
    ({"limit": "0"}, 422, "limit"),
    ({"limit": "1001"}, 400, "limit"),
    ({"offset": "-1"}, 422, "offset"),
    ({"offset": "x"}, 422, "offset"),
    ({"q": "x" * 201}, 422, "q"),
    ({"admin_unit": "x" * 201}, 422, "admin_unit"),
]


def _id(case: tuple[dict[str, Any], int, str]) -> str:
    params, status, _ = case
    return f"{status}-" + "&".join(f"{k}={str(v)[:24]}" for k, v in params.items())


# Exports take the list's filters but not its paging.
FILTER_CASES = [
    (url, case)
    for url in ("/api/sites", "/api/stations", "/api/stations.csv")
    for case in BAD_FILTERS
    if not (url.endswith(".csv") and set(case[0]) & {"limit", "offset"})
]


@pytest.mark.parametrize(("url", "case"), FILTER_CASES, ids=[f"{u}-{_id(c)}" for u, c in FILTER_CASES])
def test_bad_filter_parameters(client: TestClient, url: str, case: tuple[dict[str, Any], int, str]) -> None:
    params, status, field = case
    body = problem(client.get(url, params=params), status)
    assert_names_field(body, field)


def test_limit_error_says_what_the_maximum_is(client: TestClient, settings: Settings) -> None:
    body = problem(client.get("/api/sites", params={"limit": settings.max_page_size + 1}), 400)
    assert str(settings.max_page_size) in body["detail"]


def test_radius_at_the_maximum_is_accepted(client: TestClient, settings: Settings) -> None:
    response = client.get("/api/sites", params={"near": "106.68,20.86", "radius_m": settings.max_radius_m})
    assert response.status_code == 200


def test_valid_within_polygon_is_accepted(client: TestClient) -> None:
    response = client.get("/api/sites", params={"within": json.dumps(SQUARE)})
    assert response.status_code == 200


NEAREST_BAD: list[tuple[dict[str, Any], int, str]] = [
    ({"lon": 106.68, "lat": 20.86, "n": 101}, 400, "n"),
    ({"lon": 106.68, "lat": 20.86, "n": 0}, 422, "n"),
    ({"lon": 106.68, "lat": 20.86, "n": "ten"}, 422, "n"),
    ({"lat": 20.86}, 422, "lon"),
    ({"lon": 106.68}, 422, "lat"),
    ({"lon": 181, "lat": 20.86}, 422, "lon"),
    ({"lon": 106.68, "lat": -91}, 422, "lat"),
    ({"lon": "nan", "lat": 20.86}, 422, "lon"),
    ({"lon": "abc", "lat": 20.86}, 422, "lon"),
    ({"lon": 106.68, "lat": 20.86, "near": "106.6,20.8"}, 422, "near"),
    ({"lon": 106.68, "lat": 20.86, "technology": "6G"}, 422, "technology"),
    ({"lon": 106.68, "lat": 20.86, "bbox": "1,2"}, 422, "bbox"),
]


@pytest.mark.parametrize("case", NEAREST_BAD, ids=[_id(c) for c in NEAREST_BAD])
def test_bad_nearest_parameters(client: TestClient, case: tuple[dict[str, Any], int, str]) -> None:
    params, status, field = case
    assert_names_field(problem(client.get("/api/sites/nearest", params=params), status), field)


def test_malformed_json_body(client: TestClient) -> None:
    for url in ("/api/sites", "/api/stations"):
        response = client.post(
            url, content=b'{"position": {"lon": 106.6,', headers={"content-type": "application/json"}
        )
        body = problem(response, 422)
        assert "json_invalid" in {e.get("code") for e in body["errors"]}


def test_body_that_is_not_an_object(client: TestClient) -> None:
    problem(client.post("/api/sites", json=[1, 2, 3]), 422)


def test_extra_field_in_body_is_named(client: TestClient) -> None:
    body = problem(client.post("/api/sites", json={"position": {"lon": 106.68, "lat": 20.86}, "colour": "red"}), 422)
    assert_names_field(body, "colour")
    assert "extra_forbidden" in {e.get("code") for e in body["errors"]}
    nested = problem(client.post("/api/sites", json={"position": {"lon": 106.68, "lat": 20.86, "alt": 3}}), 422)
    assert "position.alt" in {e["field"] for e in nested["errors"]}


def test_extra_field_in_patch_is_named(client: TestClient, db: Session) -> None:
    make_site(db, code="HP-02000", lon=106.66, lat=20.84)
    body = problem(
        client.patch("/api/sites/HP-02000", headers=versioned(client, "/api/sites/HP-02000"), json={"version": 7}), 422
    )
    assert_names_field(body, "version")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"position": {"lon": "east", "lat": 20.86}}, "position.lon"),
        ({"position": {"lon": 106.68, "lat": 20.86}, "pole_height_m": -1}, "pole_height_m"),
        ({"position": {"lon": 106.68, "lat": 20.86}, "pole_class": "B9"}, "pole_class"),
        ({"position": {"lon": 106.68, "lat": 20.86}, "status": "gone"}, "status"),
        ({"position": {"lon": 106.68, "lat": 20.86}, "code": "HP 1"}, "code"),
        ({"position": {"lon": 106.68, "lat": 20.86, "provenance": "guess"}}, "position.provenance"),
        ({"address": "no position"}, "position"),
    ],
)
def test_wrong_types_in_body_name_the_field(client: TestClient, payload: dict[str, Any], field: str) -> None:
    assert_names_field(problem(client.post("/api/sites", json=payload), 422), field)


def test_unknown_route_is_404_problem(client: TestClient) -> None:
    for url in ("/api/nothing-here", "/no/such/page", "/api/sites/HP-00001/extra"):
        problem(client.get(url), 404)


def test_wrong_method_is_405_problem(client: TestClient) -> None:
    problem(client.put("/api/sites"), 405)


def test_station_id_must_be_an_integer(client: TestClient) -> None:
    assert_names_field(problem(client.get("/api/stations/abc"), 422), "station_id")


def test_request_id_is_echoed(client: TestClient) -> None:
    response = client.get("/api/sites/HP-404", headers={"X-Request-ID": "test-rid-1"})
    assert response.headers["x-request-id"] == "test-rid-1"
    assert problem(response, 404)["request_id"] == "test-rid-1"
    assert client.get("/health").headers.get("x-request-id")


def test_no_input_in_this_file_gives_a_500(client: TestClient) -> None:
    """A sweep of odd inputs on every read endpoint: the answer is never a server error.
    (NUL characters and non-finite radii have their own tests below.)"""
    odd = [
        "",
        " ",
        ",",
        "null",
        "'; DROP TABLE site; --",
        "１０６.６８,２０.８６",
        "1e400,1e400",
        "106.68,20.86,",
        "%",
        "\\",
        "[[[[",
        json.dumps(HUGE),
        "ĐƯỜNG",
    ]
    for value in odd:
        for name in (
            "operator",
            "technology",
            "pole_class",
            "status",
            "admin_unit",
            "q",
            "bbox",
            "within",
            "near",
            "radius_m",
            "limit",
            "offset",
        ):
            for url in ("/api/sites", "/api/stations", "/api/stations.geojson"):
                response = client.get(url, params={name: value})
                assert response.status_code < 500, (url, name, value, response.text)
                if response.status_code >= 400:
                    assert media_type(response) == PROBLEM
            response = client.get("/api/sites/nearest", params={"lon": 106.68, "lat": 20.86, name: value})
            assert response.status_code < 500, ("nearest", name, value, response.text)


def test_health(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["postgis"].split(".")[0] in ("3", "4")
    assert body["schema"]
    assert "replicas" not in body  # none configured: nothing to say of them


def test_openapi_documents_the_limits(client: TestClient, settings: Settings) -> None:
    schema = client.get("/openapi.json").json()
    text = json.dumps(schema, ensure_ascii=False)
    assert str(settings.max_page_size) in text
    assert "/api/sites/nearest" in schema["paths"]
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN", "Infinity"])
def test_non_finite_radius_is_a_422_not_a_500(client: TestClient, value: str) -> None:
    body = problem(client.get("/api/sites", params={"near": "106.68,20.86", "radius_m": value}), 422)
    assert_names_field(body, "radius_m")


@pytest.mark.parametrize(
    "name", ["operator", "technology", "pole_class", "status", "admin_unit", "q", "bbox", "within", "near"]
)
def test_nul_character_in_a_filter_is_a_422_not_a_500(client: TestClient, name: str) -> None:
    """PostgreSQL text cannot hold NUL; a filter with one must be refused, naming the parameter."""
    body = problem(client.get("/api/sites", params={name: "ab\x00c"}), 422)
    assert_names_field(body, name)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"position": {"lon": NaN, "lat": 20.86}}',
        b'{"position": {"lon": 106.68, "lat": Infinity}}',
        b'{"position": {"lon": 106.68, "lat": 20.86}, "pole_height_m": NaN}',
        b'{"position": {"lon": 106.68, "lat": 20.86}, "building_height_m": Infinity}',
    ],
)
def test_non_finite_numbers_in_a_body_are_a_422_not_a_500(client: TestClient, raw: bytes) -> None:
    problem(client.post("/api/sites", content=raw, headers={"content-type": "application/json"}), 422)
