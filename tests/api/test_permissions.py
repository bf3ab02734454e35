"""The permission table, walked: every route of the API with every role and with no token.

Each route must declare exactly one permission (``require(resource, action)``); the answer for each
caller must be exactly what the table says: let through (anything but 401/403), 401 for the public
where the table does not admit it, 403 for a signed-in role it does not list.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.access import declared_permission
from registry.accounts.models import Role
from registry.accounts.permissions import PUBLIC, TABLE, Action, rule
from tests.api.helpers import problem
from tests.conftest import ClientAs

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
PATH_VALUES = {"code": "HP-NOPE", "station_id": "987654321", "username": "nobody", "fmt": "csv"}
CALLERS: list[str | None] = [None, *(r.value for r in Role)]


def permissions_of(route: APIRoute) -> list[tuple[str, Action]]:
    found: list[tuple[str, Action]] = []

    def walk(dependant: Any) -> None:
        for sub in dependant.dependencies:
            p = declared_permission(sub.call)
            if p is not None:
                found.append(p)
            walk(sub)

    walk(route.dependant)
    return found


def api_routes(app: FastAPI) -> list[APIRoute]:
    # Only FastAPI's own documentation pages are exempt (they are not APIRoutes).
    return [r for r in app.routes if isinstance(r, APIRoute)]


def test_every_route_declares_one_permission_from_the_table(app: FastAPI) -> None:
    routes = api_routes(app)
    assert len(routes) >= 20
    for route in routes:
        declared = permissions_of(route)
        assert len(declared) == 1, f"{sorted(route.methods)} {route.path} declares {declared}"
        rule(*declared[0])  # in the table


def test_a_route_without_a_declared_permission_is_caught() -> None:
    """The check above is not vacuous: a route added without require() fails it."""
    app = FastAPI()
    router = APIRouter()

    @router.post("/api/forgotten")
    def forgotten() -> None:  # pragma: no cover - never called
        return None

    app.include_router(router)
    (route,) = [r for r in api_routes(app) if r.path == "/api/forgotten"]
    assert permissions_of(route) == []


def test_every_table_entry_is_used_by_some_route(app: FastAPI) -> None:
    used = {p for route in api_routes(app) for p in permissions_of(route)}
    assert set(TABLE) == used, set(TABLE) - used


def _request(client: TestClient, method: str, path: str) -> Any:
    url = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: PATH_VALUES.get(m.group(1), "x"), path)
    if path == "/api/auth/token":
        return client.request(method, url, data={})
    if path.startswith("/api/imports/"):
        return client.request(method, url, files={"file": ("a.csv", b"x", "text/csv")})
    if method in WRITE_METHODS and method != "DELETE":
        return client.request(method, url, json={}, follow_redirects=False)
    return client.request(method, url, follow_redirects=False)


def _cases(app: FastAPI) -> list[tuple[str, str, str, Action]]:
    cases = []
    for route in api_routes(app):
        ((resource, action),) = permissions_of(route)
        for method in sorted(route.methods - {"HEAD"}):
            cases.append((method, route.path, resource, action))
    return cases


def _app() -> FastAPI:
    """Only to list the routes at collection time: no database is touched."""
    from sqlalchemy.orm import sessionmaker

    from api.app import create_app
    from registry.settings import Settings

    return create_app(Settings(secret_key="x" * 40), sessionmaker())


ROUTES = _cases(_app())


@pytest.mark.parametrize(("method", "path", "resource", "action"), ROUTES, ids=[f"{m} {p}" for m, p, *_ in ROUTES])
def test_every_route_with_every_caller(
    client_as: ClientAs, method: str, path: str, resource: str, action: Action
) -> None:
    allowed = rule(resource, action).roles
    for caller in CALLERS:
        client = client_as(caller) if caller else client_as()
        response = _request(client, method, path)
        who = caller or "anonymous"
        page = path.startswith("/office")
        if (caller or PUBLIC) in allowed:
            assert response.status_code not in (401, 403), (who, method, path, response.text)
            assert response.status_code < 500, (who, method, path, response.text)
        elif page:
            # Pages refuse as pages: the public is sent to sign in (a read) or told to (a change).
            if caller is None and method == "GET":
                assert response.status_code == 303 and response.headers["location"].startswith("/maps/sign-in?")
            else:
                assert response.status_code == (401 if caller is None else 403), (who, method, path)
                assert response.headers["content-type"].startswith("text/html"), (who, method, path)
        elif caller is None:
            body = problem(response, 401)
            assert response.headers["www-authenticate"] == "Bearer"
            assert "đăng nhập" in body["detail"].lower()
        else:
            body = problem(response, 403)
            assert body["type"].endswith("permission-denied"), body


def test_write_endpoints_are_covered() -> None:
    writes = {(m, p) for m, p, *_ in ROUTES if m in WRITE_METHODS}
    for expected in [
        ("POST", "/api/sites"),
        ("PATCH", "/api/sites/{code}"),
        ("DELETE", "/api/sites/{code}"),
        ("POST", "/api/stations"),
        ("PATCH", "/api/stations/{station_id}"),
        ("DELETE", "/api/stations/{station_id}"),
        ("POST", "/api/imports/stations"),
        ("POST", "/api/users"),
        ("PATCH", "/api/users/{username}"),
    ]:
        assert expected in writes


def test_every_resource_has_a_name_in_words() -> None:
    from registry.accounts.permissions import RESOURCE_NAMES

    assert {resource for resource, _ in TABLE} <= set(RESOURCE_NAMES)
