"""CQL2 temporal functions (OGC 21-065, conformance class "Temporal Functions") through /ogc.

Each of the fifteen T_… functions on instants and intervals, in text and JSON, is checked against
the standard's definitions written out here on closed intervals of days (``RELATIONS``, from the
OWL-Time relations the standard cites, not from the translator): planning zones whose validity is
closed, open at either end or both (a null ``valid_from``/``valid_to``; ``valid_to`` the first day no
longer valid), stations' commissioning days as instants, and the ``datetime`` parameter as a second,
independent reading of "in force on". Hostile or wrong temporal filters are 400 naming ``filter``,
in Vietnamese, never a 500."""

from __future__ import annotations

import json
import math
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.clock import today
from tests.api.helpers import problem
from tests.conftest import ClientAs
from tests.factories import box, make_zone
from tests.ogc.conftest import LAT0, LON0, OLD_COMMUNE, Live

INF = math.inf
Period = tuple[float, float]  # first and last day (ordinals), ∓inf when open


def day(text: str) -> int:
    return date.fromisoformat(text).toordinal()


def _after(a: Period, b: Period) -> bool:
    return a[0] > b[1]


def _before(a: Period, b: Period) -> bool:
    return a[1] < b[0]


# CQL2's table of temporal functions, t1 = a, t2 = b, both closed (an instant: first = last).
RELATIONS = {
    "T_AFTER": _after,
    "T_BEFORE": _before,
    "T_DISJOINT": lambda a, b: _before(a, b) or _after(a, b),
    "T_EQUALS": lambda a, b: a == b,
    "T_INTERSECTS": lambda a, b: not (_before(a, b) or _after(a, b)),
    "T_CONTAINS": lambda a, b: a[0] < b[0] and b[1] < a[1],
    "T_DURING": lambda a, b: b[0] < a[0] and a[1] < b[1],
    "T_FINISHEDBY": lambda a, b: a[0] < b[0] and a[1] == b[1],
    "T_FINISHES": lambda a, b: b[0] < a[0] and a[1] == b[1],
    "T_MEETS": lambda a, b: a[1] == b[0],
    "T_METBY": lambda a, b: b[1] == a[0],
    "T_OVERLAPPEDBY": lambda a, b: b[0] < a[0] < b[1] < a[1],
    "T_OVERLAPS": lambda a, b: a[0] < b[0] < a[1] < b[1],
    "T_STARTEDBY": lambda a, b: a[0] == b[0] and b[1] < a[1],
    "T_STARTS": lambda a, b: a[0] == b[0] and a[1] < b[1],
}
INSTANTS_TOO = {"T_AFTER", "T_BEFORE", "T_DISJOINT", "T_EQUALS", "T_INTERSECTS"}
# CQL2 JSON as the standard's examples write some of the names.
JSON_NAMES = {"T_FINISHEDBY": "t_finishedBy", "T_METBY": "t_metBy", "T_OVERLAPPEDBY": "t_overlappedBy",
              "T_STARTEDBY": "t_startedBy"}  # fmt: skip

# Zones beside the world's OGC-Z1 (2024-01-01 to 2025-01-01): (valid_from, valid_to), None open.
ZONES = {
    "TZ-A": ("2024-03-01", "2024-09-01"),
    "TZ-B": ("2024-07-01", None),
    "TZ-C": (None, "2024-03-01"),
    "TZ-D": (None, None),
    "TZ-E": ("2023-01-01", "2024-01-01"),
    "TZ-F": ("2024-06-15", "2024-06-16"),
    "TZ-G": ("2025-01-01", None),
    "TZ-H": ("2024-01-01", "2024-09-01"),
}


def literal(text: str, as_json: Any, first: str, last: str | None = None) -> tuple[str, Any, Period, bool]:
    """A temporal literal: its text, its JSON, its period, whether it is an interval."""
    if last is None:
        return text, as_json, (day(first), day(first)), False
    ends = [-INF if first == ".." else day(first), INF if last == ".." else day(last)]
    return text, as_json, (ends[0], ends[1]), True


def interval(a: str, b: str, first: str | None = None, last: str | None = None) -> tuple[str, Any, Period, bool]:
    return literal(f"INTERVAL('{a}', '{b}')", {"interval": [a, b]}, first or a, last or b)


ZONE_LITERALS = [
    literal("DATE('2024-06-15')", {"date": "2024-06-15"}, "2024-06-15"),
    # 20:00 UTC on 30 June is 03:00 on 1 July in Việt Nam.
    literal("TIMESTAMP('2024-06-30T20:00:00Z')", {"timestamp": "2024-06-30T20:00:00Z"}, "2024-07-01"),
    literal("DATE('2024-12-31')", {"date": "2024-12-31"}, "2024-12-31"),
    interval("2024-01-01", "2024-12-31"),
    interval("2024-03-01", ".."),
    interval("..", "2023-12-31"),
    interval("..", "2024-02-29"),
    interval("2024-06-15", "2024-06-15"),
    interval("2023-12-31T17:00:00Z", "2024-08-31T16:59:59Z", "2024-01-01", "2024-08-31"),
    interval("2024-12-31", "2025-06-30"),
    interval("2024-02-01", "2024-10-31"),
    interval("..", ".."),
]
VALIDITY_TEXT = "INTERVAL(valid_from, valid_to)"
VALIDITY_JSON = {"interval": [{"property": "valid_from"}, {"property": "valid_to"}]}


def items(client: TestClient, collection: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"/ogc/collections/{collection}/items", params={"limit": 1000, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["numberReturned"] == body.get("numberMatched", body["numberReturned"]) < 1000
    return list(body["features"])


def ids(client: TestClient, collection: str, cql: Any, lang: str | None = None, **params: Any) -> set[Any]:
    query = {"filter": cql if isinstance(cql, str) else json.dumps(cql), **params}
    if lang:
        query["filter-lang"] = lang
    return {f["id"] for f in items(client, collection, **query)}


def validity(props: dict[str, Any]) -> Period:
    """A record's validity as CQL2 reads it: closed, its last day the day before ``valid_to``."""
    first, end = props["valid_from"], props["valid_to"]
    return (-INF if first is None else day(first)), (INF if end is None else day(end) - 1)


def refused(client: TestClient, collection: str, cql: Any, lang: str | None = None) -> str:
    """The 400 of a filter: it names ``filter`` and says why in Vietnamese; the detail."""
    params = {"filter": cql if isinstance(cql, str) else json.dumps(cql)} | ({"filter-lang": lang} if lang else {})
    body = problem(client.get(f"/ogc/collections/{collection}/items", params=params), 400)
    assert body["errors"][0]["field"] == "filter", body
    assert re.search(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", body["detail"]), body
    return str(body["detail"])


@pytest.fixture
def zones(world: dict[str, Any], db: Session) -> None:
    """The world with the zones above."""
    for n, (code, (first, end)) in enumerate(ZONES.items()):
        zone = make_zone(db, polygon=box(LON0 + 0.004 * n, LAT0 - 0.05, 0.0015), code=code)
        zone.valid_from = date.fromisoformat(first) if first else None
        zone.valid_to = date.fromisoformat(end) if end else None
    db.flush()


def zone_periods(client: TestClient) -> dict[str, Period]:
    return {f["id"]: validity(f["properties"]) for f in items(client, "planning_zones")}


@pytest.mark.parametrize("op", sorted(RELATIONS))
def test_each_function_on_the_validity_of_zones_in_text_and_json(zones: None, anon: TestClient, op: str) -> None:
    periods = zone_periods(anon)
    assert set(ZONES) | {"OGC-Z1"} <= set(periods)
    name = JSON_NAMES.get(op, op.lower())
    matched = 0
    for text, as_json, period, is_interval in ZONE_LITERALS:
        for validity_first in (True, False):
            args_text = (VALIDITY_TEXT, text) if validity_first else (text, VALIDITY_TEXT)
            args_json = [VALIDITY_JSON, as_json] if validity_first else [as_json, VALIDITY_JSON]
            cql, cql_json = f"{op}({', '.join(args_text)})", {"op": name, "args": args_json}
            if op not in INSTANTS_TOO and not is_interval:
                assert "INTERVAL" in refused(anon, "planning_zones", cql), cql
                refused(anon, "planning_zones", cql_json, "cql2-json")
                continue
            relation = RELATIONS[op]
            expected = {
                code for code, p in periods.items() if (relation(p, period) if validity_first else relation(period, p))
            }
            assert ids(anon, "planning_zones", cql) == expected, cql
            assert ids(anon, "planning_zones", cql_json, "cql2-json") == expected, cql_json
            matched += bool(expected)
    assert matched >= 2, op  # the operator is seen to choose, not only to refuse


def test_open_ended_zones_and_the_exclusive_end_day(zones: None, anon: TestClient) -> None:
    def zones_where(cql: str) -> set[str]:
        return ids(anon, "planning_zones", cql)

    # valid_to is the first day no longer valid: OGC-Z1 (2024-01-01 … 2025-01-01) is over 2024 exactly.
    assert zones_where(f"T_EQUALS({VALIDITY_TEXT}, INTERVAL('2024-01-01', '2024-12-31'))") == {"OGC-Z1"}
    assert "OGC-Z1" in zones_where(f"T_INTERSECTS({VALIDITY_TEXT}, DATE('2024-12-31'))")
    assert "OGC-Z1" not in zones_where(f"T_INTERSECTS({VALIDITY_TEXT}, DATE('2025-01-01'))")
    assert zones_where(f"T_MEETS({VALIDITY_TEXT}, INTERVAL('2024-12-31', '..'))") == {"OGC-Z1"}
    # Null ends are open: in force in 2099 are the zones without an end; in 1900 those without a start.
    assert zones_where(f"T_INTERSECTS({VALIDITY_TEXT}, DATE('2099-01-01'))") == {"TZ-B", "TZ-D", "TZ-G"}
    assert zones_where(f"T_INTERSECTS({VALIDITY_TEXT}, DATE('1900-01-01'))") == {"TZ-C", "TZ-D"}
    assert zones_where(f"T_EQUALS({VALIDITY_TEXT}, INTERVAL('..', '..'))") == {"TZ-D"}
    assert zones_where(f"T_STARTEDBY({VALIDITY_TEXT}, INTERVAL('2024-07-01', '2030-01-01'))") == {"TZ-B"}
    assert zones_where(f"T_FINISHES({VALIDITY_TEXT}, INTERVAL('2024-01-01', '..'))") == {"TZ-B", "TZ-G"}
    assert zones_where(f"T_BEFORE({VALIDITY_TEXT}, DATE('2024-01-01'))") == {"TZ-E"}
    # The validity's start and end named alone are the dates they hold (instants), null unknown.
    assert zones_where("T_EQUALS(valid_to, DATE('2024-09-01'))") == {"TZ-A", "TZ-H"}
    assert zones_where("T_AFTER(valid_from, DATE('2024-06-30'))") == {"TZ-B", "TZ-G"}
    # An INTERVAL may mix a property with a literal or '..'.
    assert zones_where("T_DURING(INTERVAL(valid_from, '2024-06-20'), INTERVAL('2024-06-01', '..'))") == {"TZ-F"}
    # … which a record may turn backwards (TZ-B and TZ-G start after 20 June): no interval, unknown.
    backwards = "T_DURING(INTERVAL(valid_from, '2024-06-20'), INTERVAL('..', '..'))"
    assert zones_where(backwards) == {"OGC-Z1", "TZ-A", "TZ-E", "TZ-F", "TZ-H"}
    assert zones_where(f"NOT {backwards}") == {"TZ-C", "TZ-D"}  # open at the start: not during (..)
    assert zones_where("T_CONTAINS(INTERVAL('2024-02-01', '2024-12-31'), INTERVAL(valid_from, valid_to))") == {
        "TZ-A",
        "TZ-F",
    }


def test_the_functions_agree_with_the_datetime_parameter(zones: None, anon: TestClient) -> None:
    """T_INTERSECTS of the validity is the `datetime` parameter (registry/ogc/queries.py), on zones and
    on communes (Hải Phòng's, open-ended, and one that ceased on 1/7/2025)."""
    days = ["1900-01-01", "2009-12-31", "2010-01-01", "2024-06-15", "2024-12-31", "2025-01-01", "2025-06-30",
            "2025-07-01", "2099-01-01"]  # fmt: skip
    spans = [("2024-01-01", "2024-12-31"), ("..", "2010-01-01"), ("2025-07-01", ".."), ("2024-09-01", "2024-09-01"),
             ("2030-01-01", "..")]  # fmt: skip
    for collection in ("planning_zones", "communes"):
        for d in days:
            cql = f"T_INTERSECTS({VALIDITY_TEXT}, DATE('{d}'))"
            assert ids(anon, collection, cql) == ids(anon, collection, "INCLUDE", datetime=d), (collection, cql)
        for a, b in spans:
            cql = f"T_INTERSECTS({VALIDITY_TEXT}, INTERVAL('{a}', '{b}'))"
            assert ids(anon, collection, cql) == ids(anon, collection, "INCLUDE", datetime=f"{a}/{b}"), cql
    old = {f["id"] for f in items(anon, "communes") if f["properties"]["code"] == OLD_COMMUNE}
    assert old and old <= ids(anon, "communes", f"T_INTERSECTS({VALIDITY_TEXT}, DATE('2025-06-30'))")
    assert not old & ids(anon, "communes", f"T_INTERSECTS({VALIDITY_TEXT}, DATE('2025-07-01'))")


def test_instants_of_stations_and_cases(world: dict[str, Any], client_as: ClientAs) -> None:
    staff = client_as("inspector")
    stations = {f["id"]: day(f["properties"]["commissioning_date"]) for f in items(staff, "stations")}
    assert len(stations) == 25
    first = date(2020, 1, 1)  # the world's: station i commissioned 30·i days after
    d3, d7, d10 = (str(first + timedelta(days=30 * i)) for i in (3, 7, 10))
    literals = [
        literal(f"DATE('{d7}')", {"date": d7}, d7),
        # 17:30 UTC is 00:30 the next day in Việt Nam.
        literal(f"TIMESTAMP('{d7}T17:30:00Z')", {"timestamp": f"{d7}T17:30:00Z"}, str(first + timedelta(30 * 7 + 1))),
        interval(d3, d10),
        interval("..", d3),
        interval(d10, ".."),
    ]
    one_day = "INTERVAL(commissioning_date, commissioning_date)"
    for op, relation in RELATIONS.items():
        name = JSON_NAMES.get(op, op.lower())
        for text, as_json, period, is_interval in literals:
            expected = {i for i, d in stations.items() if relation((d, d), period)}
            if op in INSTANTS_TOO:
                assert ids(staff, "stations", f"{op}(commissioning_date, {text})") == expected, (op, text)
                cql_json = {"op": name, "args": [as_json, {"property": "commissioning_date"}]}
                reverse = {i for i, d in stations.items() if relation(period, (d, d))}
                assert ids(staff, "stations", cql_json, "cql2-json") == reverse, cql_json
            else:  # an instant where CQL2 wants intervals; INTERVAL(d, d) is the one-day interval
                refused(staff, "stations", f"{op}(commissioning_date, {text})")
            if op in INSTANTS_TOO or is_interval:
                assert ids(staff, "stations", f"{op}({one_day}, {text})") == expected, (op, text)
    assert len(ids(staff, "stations", f"T_STARTS({one_day}, INTERVAL('{d3}', '{d10}'))")) == 1
    assert len(ids(staff, "stations", f"T_FINISHES({one_day}, INTERVAL('{d3}', '{d10}'))")) == 1
    assert len(ids(staff, "stations", f"T_DURING({one_day}, INTERVAL('{d3}', '{d10}'))")) == 6
    # Cases: received 20 and 3 days ago.
    cut = (today() - timedelta(days=10)).isoformat()
    assert ids(staff, "cases", f"T_AFTER(received_on, DATE('{cut}'))") == {world["complaint"]}
    assert ids(staff, "cases", f"T_BEFORE(received_on, DATE('{cut}'))") == {world["denunciation"]}
    assert ids(staff, "cases", f"T_INTERSECTS(received_on, INTERVAL('{cut}', '..'))") == {world["complaint"]}
    # Not yet accepted (accepted_on null): the interval is unknown, matched by no temporal function.
    assert ids(staff, "cases", "T_INTERSECTS(INTERVAL(received_on, accepted_on), INTERVAL('..', '..'))") == set()


@pytest.mark.parametrize(
    ("collection", "cql"),
    [
        ("sites", "T_AFTER(code, DATE('2024-01-01'))"),
        ("sites", "T_INTERSECTS(pole_height_m, INTERVAL('2024-01-01', '..'))"),
        ("sites", "T_INTERSECTS(geometry, DATE('2024-01-01'))"),
        ("planning_zones", "T_AFTER(valid_from, DATE('2024-02-30'))"),
        ("planning_zones", "T_AFTER(valid_from, DATE('2024-1-1'))"),
        ("planning_zones", "T_AFTER(valid_from, DATE('hôm qua'))"),
        ("planning_zones", "T_AFTER(valid_from, DATE('0000-01-01'))"),
        ("planning_zones", "T_AFTER(valid_from, TIMESTAMP('2024-01-01T24:00:00Z'))"),
        ("planning_zones", "T_AFTER(valid_from, TIMESTAMP('ngày mai'))"),
        ("planning_zones", "T_AFTER(valid_from, TIMESTAMP('9999-12-31T23:00:00-07:00'))"),  # year 10000 in VN
        ("planning_zones", "valid_from < TIMESTAMP('9999-12-31T23:00:00-07:00')"),
        ("planning_zones", f"T_DURING({VALIDITY_TEXT}, INTERVAL('2024-12-31', '2024-01-01'))"),
        ("planning_zones", f"T_DURING({VALIDITY_TEXT}, INTERVAL('2024-01-02T00:00:00Z', '2024-01-01T20:00:00Z'))"),
        ("planning_zones", f"T_DURING({VALIDITY_TEXT}, INTERVAL('2024-01-01', 'sau này'))"),
        ("planning_zones", f"T_DURING({VALIDITY_TEXT}, INTERVAL('2024-01-01', ''))"),
        ("planning_zones", "T_DURING(INTERVAL(name, valid_to), INTERVAL('2024-01-01', '..'))"),
        ("planning_zones", "T_DURING(INTERVAL(nope, valid_to), INTERVAL('2024-01-01', '..'))"),
        ("planning_zones", "T_DURING(valid_from, INTERVAL('2024-01-01', '..'))"),
        ("planning_zones", f"T_MEETS(DATE('2024-01-01'), {VALIDITY_TEXT})"),
        ("planning_zones", "T_AFTER(valid_from, '2024-01-01')"),
        ("planning_zones", "T_AFTER(valid_from, 20240101)"),
        ("planning_zones", "T_AFTER(valid_from, casei(name))"),
        ("planning_zones", "T_AFTER(valid_from)"),
        ("planning_zones", "T_AFTER(valid_from, DATE('2024-01-01'), DATE('2024-01-02'))"),
        ("planning_zones", f"T_BEGINS({VALIDITY_TEXT}, INTERVAL('2024-01-01', '..'))"),  # pygeofilter's draft name
        ("planning_zones", "valid_from T_AFTER DATE('2024-01-01')"),  # pygeofilter's infix form
        ("planning_zones", "valid_from = INTERVAL('2024-01-01', '..')"),
        ("planning_zones", "T_AFTER(nope, DATE('2024-01-01'))"),
        ("planning_zones", "NOT (" * 80 + "T_AFTER(valid_from, DATE('2024-01-01'))" + ")" * 80),
        ("planning_zones", " OR ".join(["T_AFTER(valid_from, DATE('2024-01-01'))"] * 300)),
    ],
)
def test_wrong_temporal_filters_are_400_in_vietnamese(
    world: dict[str, Any], anon: TestClient, collection: str, cql: str
) -> None:
    refused(anon, collection, cql)
    assert len(items(anon, "planning_zones")) >= 1  # and the service is still whole


@pytest.mark.parametrize(
    "cql",
    [
        {"op": "t_after", "args": [{"property": "valid_from"}, {"date": "2024-02-30"}]},
        {"op": "t_after", "args": [{"property": "valid_from"}, {"date": 20240101}]},
        {"op": "t_after", "args": [{"property": "valid_from"}, {"date": "2024-01-01", "extra": 1}]},
        {"op": "t_after", "args": [{"property": "valid_from"}, {"timestamp": "tomorrow"}]},  # dateparser would read it
        {"op": "t_during", "args": [VALIDITY_JSON, {"interval": ["2024-12-31", "2024-01-01"]}]},
        {"op": "t_during", "args": [VALIDITY_JSON, {"interval": ["2024-01-01"]}]},
        {"op": "t_during", "args": [VALIDITY_JSON, {"interval": ["2024-01-01", 5]}]},
        {"op": "t_during", "args": [VALIDITY_JSON, {"interval": "2024-01-01/.."}]},
        {"op": "t_during", "args": [VALIDITY_JSON, {"interval": [{"op": "casei", "args": ["x"]}, ".."]}]},
        {"op": "t_during", "args": [{"property": "valid_from"}, {"interval": ["2024-01-01", ".."]}]},
        {"op": "t_after", "args": [{"property": "name"}, {"date": "2024-01-01"}]},
        {"op": "t_after", "args": [{"property": "valid_from"}]},
        {"op": "t_after", "args": {"property": "valid_from"}},
        {"op": "t_sometime", "args": [{"property": "valid_from"}, {"date": "2024-01-01"}]},
        {"op": "t_begins", "args": [VALIDITY_JSON, {"interval": ["2024-01-01", ".."]}]},
    ],
)
def test_wrong_temporal_json_is_400_in_vietnamese(world: dict[str, Any], anon: TestClient, cql: Any) -> None:
    refused(anon, "planning_zones", cql, "cql2-json")


def test_the_readme_example_request(zones: None, anon: TestClient) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    (line,) = [ln for ln in readme.splitlines() if "planning_zones/items?filter=T_INTERSECTS" in ln]
    path = line.split("http://127.0.0.1:8000", 1)[1].rstrip("'")
    response = anon.get(path)
    assert response.status_code == 200, response.text
    assert {f["id"] for f in response.json()["features"]} == {"TZ-B", "TZ-D", "TZ-G"}  # open-ended ones


def test_temporal_values_are_bound_never_pasted() -> None:
    from registry.ogc import cql2
    from registry.ogc.collections import PLANNING_ZONES
    from registry.ogc.crs import crs_for

    text = (
        "T_DURING(INTERVAL(valid_from, valid_to), INTERVAL('1987-06-05', '..')) "
        "OR T_AFTER(valid_to, TIMESTAMP('1986-05-04T03:02:01Z'))"
    )
    crs = crs_for(None, "filter-crs")
    found = cql2.to_sql(
        cql2.parse(text, None), collection=PLANNING_ZONES, props=PLANNING_ZONES.properties, crs=crs,
        max_vertices=100, max_distance_m=1000.0,
    )  # fmt: skip
    assert "198" not in found.sql
    assert "'" not in re.sub(r"DATE '-?infinity'", "", found.sql)  # our constants the only quoted text
    assert sorted(found.params.values()) == [date(1986, 5, 4), date(1987, 6, 5)]


def test_ogr2ogr_reads_through_temporal_functions(live: Live, tmp_path: Path) -> None:
    """GDAL's OAPIF driver passes the filter written after the URL on every page it asks for."""
    from tests.ogc.test_clients import read

    after = "2021-06-01"
    source = f"OAPIF:{live.ogc}/collections/stations?filter={quote(f'T_AFTER(commissioning_date, DATE({after!r}))')}"
    body = read(live, tmp_path, source, "stations", "-oo", "PAGE_SIZE=4")
    dates = sorted(f["properties"]["commissioning_date"] for f in body["features"])
    expected = [str(date(2020, 1, 1) + timedelta(days=30 * i)) for i in range(25)]
    assert dates == sorted(d for d in expected if d > after) and len(dates) > 4
    zones = f"OAPIF:{live.ogc}/collections/planning_zones?filter="
    for on, expected_codes in (("2024-12-31", ["OGC-Z1"]), ("2025-01-01", [])):  # valid to 1/1/2025, exclusive
        cql = f"T_INTERSECTS(INTERVAL(valid_from, valid_to), DATE('{on}'))"
        body = read(live, tmp_path, zones + quote(cql), f"zones-{on}")
        assert [f["properties"]["code"] for f in body["features"]] == expected_codes
