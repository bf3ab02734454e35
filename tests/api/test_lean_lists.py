"""The site list and nearest answer with one statement each (the page and its count together); the
count of matches stops at a ceiling, past which numberMatched is left out and the next link still
leads on to every match."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import settings as settings_profile
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from registry.db import WAITS, read_one
from registry.settings import Settings
from tests.api.helpers import codes, collection, link, problem
from tests.factories import make_random_sites, make_station

BOX = "106.60,20.80,106.75,20.90"


@pytest.fixture
def statements(connection: Connection) -> Iterator[list[str]]:
    """The statements sent on the test's connection (where the app's sessions run), bookkeeping aside."""
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "set_config('statement_timeout'" not in statement and not statement.lstrip().startswith(
            ("SAVEPOINT", "RELEASE", "ROLLBACK")
        ):
            sent.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    yield sent
    event.remove(connection, "before_cursor_execute", record)


def test_a_list_page_and_nearest_are_one_statement_each(anon: TestClient, db: Session, statements: list[str]) -> None:
    make_random_sites(db, count=30, seed=3)
    statements.clear()
    body = collection(anon.get("/api/sites", params={"bbox": BOX, "limit": 7, "operator": "viettel"}))
    assert len(statements) == 1 and body["numberReturned"] == len(body["features"]) <= 7
    statements.clear()
    near = collection(anon.get("/api/sites/nearest", params={"lon": 106.68, "lat": 20.85, "n": 5}))
    assert len(statements) == 1 and near["numberReturned"] == 5
    statements.clear()
    stations = collection(anon.get("/api/stations", params={"bbox": BOX, "limit": 4}))
    assert len(statements) == 1 and stations["numberMatched"] == 30


def test_number_matched_stops_at_the_ceiling_and_next_still_leads_on(
    anon: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = {s.code for s in make_random_sites(db, count=12, seed=4)}
    monkeypatch.setattr(anon.app.state.settings, "list_count_max", 5)
    seen: list[str] = []
    body = collection(anon.get("/api/sites", params={"bbox": BOX, "limit": 3}))
    assert "numberMatched" not in body  # 12 matches: more than 5 were not counted
    pages = 1
    while True:
        seen += codes(body)
        href = link(body, "next")
        if href is None:
            break
        body = collection(anon.get(href))
        assert body["features"], "a next link leads to a page with features"
        pages += 1
    assert sorted(seen) == sorted(made) and pages == 4
    # Near the end the count reaches past the page asked for, which is past the ceiling: exact again.
    assert body["numberMatched"] == 12 and link(body, "prev") is not None
    # A page past the end: nothing, no next, the exact count.
    past = collection(anon.get("/api/sites", params={"bbox": BOX, "limit": 3, "offset": 50}))
    assert past["features"] == [] and past["numberMatched"] == 12 and link(past, "next") is None


def test_counts_below_the_ceiling_are_exact(anon: TestClient, db: Session) -> None:
    site = make_station(db, operator_code="MOBIFONE", technologies=["5G"], lon=106.70, lat=20.85).site
    make_station(db, site=site, operator_code="MOBIFONE", technologies=["4G"])
    make_random_sites(db, count=9, seed=5, operators=["VNPT"])
    body = collection(anon.get("/api/sites", params={"bbox": BOX, "limit": 4}))
    assert body["numberMatched"] == 10 and link(body, "next") is not None
    # The last page, not full: the count is its offset and length (the counting subquery is not run).
    last = collection(anon.get("/api/sites", params={"bbox": BOX, "limit": 4, "offset": 8}))
    assert last["numberReturned"] == 2 and last["numberMatched"] == 10 and link(last, "next") is None
    only = collection(anon.get("/api/sites", params={"bbox": BOX, "operator": "mobifone", "technology": "5G"}))
    assert only["numberMatched"] == 1 and codes(only) == [site.code] and link(only, "next") is None
    assert only["features"][0]["properties"]["station_count"] == 2


def test_nearest_sends_one_statement_text_per_number_asked_whatever_the_point(
    anon: TestClient, db: Session, statements: list[str]
) -> None:
    """The same text for every point (so PostgreSQL keeps one prepared plan for it), another for another n."""
    make_random_sites(db, count=20, seed=6)
    statements.clear()
    first = collection(anon.get("/api/sites/nearest", params={"lon": 106.66, "lat": 20.82, "n": 4}))
    second = collection(anon.get("/api/sites/nearest", params={"lon": 106.71, "lat": 20.88, "n": 4}))
    more = collection(anon.get("/api/sites/nearest", params={"lon": 106.71, "lat": 20.88, "n": 6}))
    assert len(statements) == 3 and statements[0] == statements[1] != statements[2]
    assert [len(c["features"]) for c in (first, second, more)] == [4, 4, 6]
    assert codes(more)[:4] == codes(second)


@pytest.mark.parametrize("bad", [0, -1, True, 2.0, "10", "10; DROP TABLE site"])
def test_only_a_positive_int_is_written_into_the_nearest_sql(db: Session, bad: Any) -> None:
    from registry.stations.queries import StationFilter, nearest_page

    with pytest.raises(ValueError):
        nearest_page(db, StationFilter(), lon=106.7, lat=20.85, n=bad)


def test_fastapi_keeps_its_answer_whether_a_query_parameter_is_a_list(anon: TestClient, db: Session) -> None:
    """api.deps remembers, per parameter, what FastAPI's own is_sequence_field answers."""
    from fastapi.dependencies import utils
    from fastapi.dependencies.utils import get_flat_dependant
    from fastapi.routing import APIRoute

    remembered = utils.is_sequence_field
    original = remembered.__wrapped__
    params = [
        p
        for route in anon.app.routes
        if isinstance(route, APIRoute)
        for p in get_flat_dependant(route.dependant).query_params
    ]
    answers = {original(p) for p in params}
    assert answers == {True, False}  # lists (operator, technology …) and single values alike
    for p in params:
        assert remembered(p) == original(p) and remembered(p) == original(p)
    mine = {
        make_station(db, operator_code=code, lon=106.70 + i / 100, lat=20.85).site.code
        for i, code in enumerate(("VIETTEL", "VNPT"))
    }
    make_station(db, operator_code="MOBIFONE", lon=106.72, lat=20.85)
    for asked in ([("operator", "viettel"), ("operator", "vnpt")], [("operator", "viettel,vnpt")]):
        assert set(codes(collection(anon.get("/api/sites", params=[*asked, ("bbox", BOX)])))) == mine


@pytest.fixture
def one_connection_engine(engine: Engine) -> Iterator[Engine]:
    """An engine of one pooled connection on the test database (what is committed there: the admin units)."""
    own = create_engine(engine.url, pool_size=1, max_overflow=0, connect_args={"options": "-c jit=off"})
    yield own
    own.dispose()


def test_a_read_of_its_own_commits_and_keeps_its_prepared_statement(
    one_connection_engine: Engine, settings: Settings
) -> None:
    """registry.db.read_one on an engine: the session begins nothing, and the statement stays prepared
    on the connection (psycopg forgets them all at a ROLLBACK)."""
    factory = sessionmaker(bind=one_connection_engine)
    statement = text("SELECT count(*) FROM admin_unit WHERE level = :level")
    for _ in range(7):  # psycopg prepares a statement at its fifth run on a connection
        with factory(info={WAITS: ("ordinary", settings)}) as session:
            (communes,) = read_one(session, statement, {"level": "commune"})
            assert not session.in_transaction()
    with one_connection_engine.connect() as conn:
        prepared = conn.execute(text("SELECT statement FROM pg_prepared_statements")).scalars().all()
    assert communes > 0 and any("FROM admin_unit WHERE level" in p for p in prepared), prepared


def test_a_read_of_its_own_has_the_bounds_of_its_session(one_connection_engine: Engine, settings: Settings) -> None:
    factory = sessionmaker(bind=one_connection_engine)
    statement = text("SELECT setting::int FROM pg_settings WHERE name = :name")
    for kind, expected in (
        ("ordinary", settings.db_statement_timeout_ms),
        ("long", settings.db_long_statement_timeout_ms),
    ):
        with factory(info={WAITS: (kind, settings)}) as session:
            assert read_one(session, statement, {"name": "statement_timeout"}) == (expected,)


@settings_profile(max_examples=150)
@given(
    query=st.lists(
        st.tuples(st.sampled_from(["bbox", "offset", "limit", "operator", "q", "a b", "đ"]), st.text(max_size=8)),
        max_size=6,
    ),
    limit=st.integers(1, 1000),
    offset=st.integers(0, 5000),
)
def test_page_links_are_the_request_url_with_offset_and_limit(
    query: list[tuple[str, str]], limit: int, offset: int
) -> None:
    """api.deps.page_links writes what Starlette's URL.include_query_params would, link by link."""
    from urllib.parse import urlencode

    from starlette.requests import Request

    from api.deps import Page, page_links

    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "server": ("example.org", 8000),
        "path": "/api/sites",
        "root_path": "",
        "query_string": urlencode(query).encode(),
        "headers": [(b"host", b"example.org:8000")],
    }
    request = Request(scope)
    pg = Page(limit, offset)
    links = page_links(request, pg, matched=offset + 2 * limit)
    offsets = {"self": offset, "next": offset + limit, "prev": max(0, offset - limit)}
    assert [lk["rel"] for lk in links] == ["self", "next"] + (["prev"] if offset else [])
    for lk in links:
        assert lk["href"] == str(request.url.include_query_params(offset=offsets[lk["rel"]], limit=limit))


@pytest.mark.parametrize("path", ["/api/sites", "/api/sites/nearest"])
def test_a_list_that_does_not_match_its_documented_model_fails_in_the_tests(
    anon: TestClient, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """The lists' GeoJSON is PostGIS's text, sent unparsed; under TTTT_STRICT_RESPONSES it is checked
    against the FeatureCollection of the OpenAPI document all the same, and otherwise sent as built."""
    import api.sites
    from registry.stations.queries import FeaturePage

    wrong = FeaturePage('[{"type": "Feature", "id": "X-1", "properties": {}}]', 1)  # no geometry member
    monkeypatch.setattr(api.sites, "site_page", lambda *a, **k: wrong)
    monkeypatch.setattr(api.sites, "nearest_sites", lambda *a, **k: wrong.collection())
    params = {"bbox": BOX} if path == "/api/sites" else {"lon": 106.7, "lat": 20.85}
    assert anon.app.state.settings.strict_responses
    failed = problem(anon.get(path, params=params), 500)
    assert failed["type"].endswith("/internal")
    monkeypatch.setattr(anon.app.state.settings, "strict_responses", False)
    sent = anon.get(path, params=params)
    assert sent.status_code == 200 and sent.json()["features"] == [{"type": "Feature", "id": "X-1", "properties": {}}]


# --- The lists' parameters read by one model each (api.query_strings) -------------------------------


@pytest.mark.parametrize(
    ("path", "query", "fields"),
    [
        # One model's value and another's, together: both named in one answer, as FastAPI names its own.
        ("/api/sites", "limit=abc&radius_m=far&offset=-1", {"limit", "radius_m", "offset"}),
        ("/api/sites/nearest", "lon=abc&lat=91&status=a&q=" + "x" * 201, {"lon", "lat", "q"}),
        ("/api/sites/nearest", "lat=20.8", {"lon"}),  # a required one missing
        ("/api/sites/nearest", "lon=nan&lat=inf&n=0", {"lon", "lat", "n"}),
        ("/api/stations", "offset=10000001&admin_unit=" + "đ" * 201, {"offset", "admin_unit"}),
    ],
)
def test_every_bad_list_parameter_is_named_in_one_answer(
    anon: TestClient, path: str, query: str, fields: set[str]
) -> None:
    from tests.api.helpers import error_fields

    body = problem(anon.get(f"{path}?{query}"), 422)
    assert error_fields(body) == fields, body
    assert all(e["message"] and e["code"] for e in body["errors"]), body


def test_list_parameters_given_twice_repeat_or_keep_the_last(anon: TestClient, db: Session) -> None:
    make_random_sites(db, count=20, seed=11)
    site = make_station(db, operator_code="MOBIFONE").site
    # A list repeats; a single value given twice keeps the last (Starlette's, and so FastAPI's, rule).
    one = collection(anon.get("/api/sites", params=[("operator", "viettel"), ("limit", 100)]))
    both = collection(
        anon.get("/api/sites", params=[("operator", "viettel"), ("operator", "mobifone"), ("limit", 100)])
    )
    assert site.code not in codes(one) and set(codes(one)) | {site.code} <= set(codes(both))
    kept = collection(anon.get("/api/sites", params=[("q", "no such site"), ("q", site.code), ("limit", 100)]))
    assert codes(kept) == [site.code]
    assert (
        problem(anon.get("/api/sites", params=[("limit", "5"), ("limit", "0")]), 422)["errors"][0]["field"] == "limit"
    )


def test_the_document_lists_the_models_parameters_as_declared_ones(anon: TestClient) -> None:
    document = anon.get("/openapi.json").json()

    def parameters(path: str) -> dict[str, dict[str, Any]]:
        return {p["name"]: p for p in document["paths"][path]["get"]["parameters"]}

    nearest = parameters("/api/sites/nearest")
    assert list(nearest)[:4] == ["lon", "lat", "n", "operator"]
    assert nearest["lon"]["required"] and nearest["lon"]["in"] == "query"
    assert (nearest["lon"]["schema"]["minimum"], nearest["lon"]["schema"]["maximum"]) == (-180, 180)
    assert nearest["n"]["schema"]["default"] == 10 and not nearest["n"]["required"]
    assert nearest["operator"]["schema"]["anyOf"][0] == {"items": {"type": "string"}, "type": "array"}
    assert "default" not in nearest["q"]["schema"] and nearest["q"]["description"]
    listed = parameters("/api/sites")
    assert {"bbox", "within", "limit", "offset"} <= set(listed) and "lon" not in listed
    assert listed["offset"]["schema"]["maximum"] == 10_000_000
    # Every route that reads a page documents it, and answers 422 for a bad one.
    audit = document["paths"]["/api/audit"]["get"]
    assert {"limit", "offset"} <= {p["name"] for p in audit["parameters"]} and "422" in audit["responses"]
