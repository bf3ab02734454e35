"""Dates out of range (issue #13 item 9): every date and time a route takes, in a body, the query or
the path, is bounded (registry/schemas.py ``Day``/``Moment``), so ``9999-12-31`` or ``0001-01-01`` is
a 422 naming the field, never a 500 from a deadline, a calendar or PostgreSQL."""

from __future__ import annotations

import re
import types
import typing
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel, TypeAdapter, ValidationError

from registry.clock import today
from registry.schemas import Day, ReceivedDay, ReceivedMoment
from tests.api.helpers import assert_names_field, page_problem, problem

EXTREMES = ["9999-12-31", "0001-01-01", "2201-01-01"]
MOMENTS = ["9999-12-31T23:59:59+07:00", "0001-01-01T00:00:00Z", "1899-12-31T12:00:00+07:00"]


def _is(annotation: Any, kind: type) -> bool:
    """Whether a field's annotation is ``kind`` (or Optional/Annotated of it)."""
    if annotation is kind:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is(typing.get_args(annotation)[0], kind)
    if origin in (typing.Union, types.UnionType):
        return any(_is(a, kind) for a in typing.get_args(annotation) if a is not type(None))
    return False


def _kind(annotation: Any) -> str | None:
    if _is(annotation, datetime):
        return "datetime"
    if _is(annotation, date):
        return "date"
    return None


def date_inputs(app: Any) -> list[tuple[str, str, str, str, str]]:
    """(method, path, where, name, kind) for every date or datetime a route takes."""
    from fastapi.dependencies.utils import get_flat_dependant

    found = []
    for route in app.routes:
        if not isinstance(route, APIRoute):
            continue
        method = sorted(route.methods)[0]
        flat = get_flat_dependant(route.dependant)
        for where, params in (("query", flat.query_params), ("path", flat.path_params)):
            for p in params:
                kind = _kind(p.field_info.annotation)
                if kind:
                    found.append((method, route.path, where, p.alias, kind))
        if route.body_field is not None:
            model = route.body_field.field_info.annotation
            if isinstance(model, type) and issubclass(model, BaseModel):
                for name, field in model.model_fields.items():
                    kind = _kind(field.annotation)
                    if kind:
                        found.append((method, route.path, "body", field.alias or name, kind))
    return found


def test_the_routes_take_dates_at_all(app: Any) -> None:
    # The parametrised test below walks what this finds: make sure it finds the known ones.
    found = {(m, p, n) for m, p, _, n, _ in date_inputs(app)}
    assert ("POST", "/api/cases", "received_on") in found
    assert ("POST", "/api/cases/{code}/transitions", "on") in found
    assert any(n == "filed_at" for _, _, n in found)
    assert any(n == "received_at" for _, _, n in found)
    assert any(n == "from" for _, _, n in found)
    assert len(found) > 40


def _fill(path: str, where: str, name: str, value: str) -> str:
    def one(m: re.Match[str]) -> str:
        param = m.group(1).split(":")[0]
        return value if (where == "path" and param == name) else "1"

    return re.sub(r"\{([^}]+)\}", one, path)


@pytest.mark.parametrize("extreme", [0, 1, 2])
def test_no_route_takes_a_date_out_of_range(app: Any, client: TestClient, extreme: int) -> None:
    failures = []
    for method, path, where, name, kind in date_inputs(app):
        value = EXTREMES[extreme] if kind == "date" else MOMENTS[extreme]
        url = _fill(path, where, name, value)
        kwargs: dict[str, Any] = {}
        if where == "query":
            kwargs["params"] = {name: value}
        elif where == "body":
            kwargs["json"] = {name: value}
        response = client.request(method, url, **kwargs)
        if response.status_code != 422:
            failures.append((method, path, name, response.status_code, response.text[:200]))
            continue
        # Pages answer with an error page (in the layout), the API with problem+json.
        body = page_problem(response, 422) if not path.startswith("/api") else problem(response, 422)
        fields = {e.get("field") for e in body.get("errors", [])}
        if name not in fields and not any(str(f).startswith(name + ".") for f in fields):
            failures.append((method, path, name, "field not named", fields))
    assert not failures, failures


# --- samples per area, with the message the user reads ------------------------------------------------


def test_a_case_received_in_year_9999_is_422(client: TestClient) -> None:
    body = {"kind": "petition", "received_on": "9999-12-31", "channel": "online", "subject": "Thử"}
    error = problem(client.post("/api/cases", json=body), 422)
    assert_names_field(error, "received_on")
    message = next(e["message"] for e in error["errors"] if e["field"] == "received_on")
    assert "01/01/1900" in message and "31/12/2200" in message


def test_a_case_received_after_tomorrow_is_422(client: TestClient) -> None:
    later = (today() + timedelta(days=2)).isoformat()
    body = {"kind": "petition", "received_on": later, "channel": "online", "subject": "Thử"}
    error = problem(client.post("/api/cases", json=body), 422)
    assert_names_field(error, "received_on")
    assert "tương lai" in error["errors"][0]["message"]


def test_received_days_allow_tomorrow_and_no_later() -> None:
    received = TypeAdapter(ReceivedDay)
    assert received.validate_python(today() + timedelta(days=1)) == today() + timedelta(days=1)
    with pytest.raises(ValidationError):
        received.validate_python(today() + timedelta(days=2))
    moment = TypeAdapter(ReceivedMoment)
    with pytest.raises(ValidationError):
        moment.validate_python("9999-12-31T00:00:00+07:00")
    assert TypeAdapter(Day).validate_python("2200-12-31") == date(2200, 12, 31)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_transition_on_an_absurd_day_is_422(client: TestClient, day: str) -> None:
    created = client.post(
        "/api/cases",
        json={"kind": "petition", "received_on": today().isoformat(), "channel": "online", "subject": "Thử"},
    )
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    version = client.get(f"/api/cases/{code}").headers["ETag"]
    response = client.post(
        f"/api/cases/{code}/transitions",
        json={"to": "accepted", "reason": "x", "on": day},
        headers={"If-Match": version},
    )
    assert_names_field(problem(response, 422), "on")


def test_query_dates_are_bounded(client: TestClient) -> None:
    assert_names_field(problem(client.get("/api/permits/expiring", params={"on": "9999-12-31"}), 422), "on")
    assert_names_field(problem(client.get("/api/zones", params={"on": "0001-01-01"}), 422), "on")
    ok = client.get("/api/zones", params={"on": "2200-12-31"})
    assert ok.status_code == 200, ok.text


def test_a_dossier_received_in_year_9999_is_422(client: TestClient) -> None:
    response = client.post("/api/dossiers", json={"received_at": "9999-12-31T10:00:00+07:00"})
    assert_names_field(problem(response, 422), "received_at")


def test_a_station_commissioned_in_year_1_is_422(client: TestClient) -> None:
    response = client.post("/api/stations", json={"commissioning_date": "0001-01-01"})
    assert_names_field(problem(response, 422), "commissioning_date")


def test_days_are_taken_as_dd_mm_yyyy_too() -> None:
    day = TypeAdapter(Day)
    assert day.validate_python("05/12/2026") == date(2026, 12, 5)
    assert day.validate_python("5/1/2026") == date(2026, 1, 5)
    assert day.validate_python("2026-12-05") == date(2026, 12, 5)  # the API's ISO form stays
    for wrong in ("31/02/2026", "12/31/2026", "05/12/26", "05-12-2026x", "01/01/9999"):
        with pytest.raises(ValidationError):
            day.validate_python(wrong)
