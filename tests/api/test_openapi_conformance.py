"""The OpenAPI document tells the truth: schemathesis sends generated requests to every operation of
/openapi.json (in-process, against the ASGI app) and checks each answer against the document — its
status is declared, its content type is declared, its body matches the declared schema, its declared
headers are there, and it is never a 5xx. Once anonymously, once as an admin.

Bounded and reproducible: a few examples per operation, valid ones and invalid ones (the refusals must be
in the document too), derandomised (CI sees the same requests every run), no shrinking. Each operation is
its own test, so what one operation writes is rolled back with that test's transaction (the ``app`` is
bound to the test's session factory, as in tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from registry.settings import Settings
from tests.conftest import TEST_SECRET, TokenFor

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

# Not exercised here, and why (everything else is):
# - POST /api/auth/token: every attempt costs an argon2 check and counts towards the sign-in throttle,
#   which would turn the rest of the run into 429s; tests/api/test_auth.py and test_fuzz.py cover it.
EXCLUDED = {("POST", "/api/auth/token")}

CONFIG = schemathesis.Config.from_dict(
    {
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "generation": {"mode": "all", "max-examples": 5, "deterministic": True, "no-shrink": True},
    }
)

# Its own app (the document is read at import, before any fixture): bound per test like the shared one.
APP = create_app(Settings(secret_key=TEST_SECRET), sessionmaker())
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG).exclude(
    func=lambda ctx: (ctx.operation.method.upper(), ctx.operation.path) in EXCLUDED
)

BOUNDED = hypothesis_settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def bound_app(session_factory: sessionmaker[Session], settings: Settings) -> Iterator[object]:
    APP.state.sessionmaker = session_factory
    APP.state.settings = settings
    yield APP


@schema.parametrize()
@BOUNDED
def test_anonymous_answers_match_the_document(case: schemathesis.Case, bound_app: object) -> None:
    case.call_and_validate(checks=CHECKS)


@pytest.fixture
def admin_token(token_for: TokenFor) -> str:
    return token_for("admin", username="admin-conformance")


@schema.parametrize()
@BOUNDED
def test_admin_answers_match_the_document(case: schemathesis.Case, bound_app: object, admin_token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"}, checks=CHECKS)


# --- The document itself ---------------------------------------------------------------------------------

DOCUMENT = APP.openapi()
OPERATIONS = [
    (method.upper(), path, operation) for path, item in DOCUMENT["paths"].items() for method, operation in item.items()
]
# JSON answers with a schema of their own elsewhere: the base map's TileJSON (as the archive says it) and
# the web app manifest (W3C).
OPEN_BODIES = {("GET", "/basemap/tiles.json"), ("GET", "/manifest.webmanifest")}
PROBLEM = {"$ref": "#/components/schemas/Problem"}


def _is_open(schema: dict[str, Any]) -> bool:
    """A schema that says nothing of its members: what ``-> dict[str, Any]`` used to give."""
    bare = {k: v for k, v in schema.items() if k not in ("title", "description")}
    return bare in ({}, {"type": "object"}, {"type": "object", "additionalProperties": True})


def test_every_json_answer_names_its_members() -> None:
    open_ones = [
        (method, path, code)
        for method, path, operation in OPERATIONS
        for code, answer in operation["responses"].items()
        for media_type, content in (answer.get("content") or {}).items()
        if media_type.endswith("json")
        and _is_open(content.get("schema", {}))
        and not path.startswith("/ogc")
        and (method, path) not in OPEN_BODIES
    ]
    assert open_ones == []


def test_every_refusal_is_a_problem_or_a_page() -> None:
    wrong = []
    for method, path, operation in OPERATIONS:
        for code, answer in operation["responses"].items():
            if code[0] not in "45":
                continue
            content = answer.get("content") or {}
            problem = content.get("application/problem+json", {}).get("schema") == PROBLEM
            if not problem and "text/html" not in content:
                wrong.append((method, path, code, sorted(content)))
    assert wrong == []
    assert "HTTPValidationError" not in DOCUMENT["components"]["schemas"]  # FastAPI's 422 shape, never sent


def test_the_problem_schema_names_each_refused_field() -> None:
    schemas = DOCUMENT["components"]["schemas"]
    assert set(schemas["Problem"]["required"]) == {"type", "title", "status", "detail"}
    item = schemas[schemas["Problem"]["properties"]["errors"]["anyOf"][0]["items"]["$ref"].rsplit("/", 1)[1]]
    assert {"field", "row", "column", "value", "code", "message"} <= set(item["properties"])


def test_a_guarded_change_documents_its_refusals_and_its_headers() -> None:
    patch = DOCUMENT["paths"]["/api/sites/{code}"]["patch"]["responses"]
    assert {"200", "400", "401", "403", "404", "412", "413", "422", "428", "503"} <= set(patch)
    assert patch["200"]["headers"]["ETag"]["required"] is True
    created = DOCUMENT["paths"]["/api/sites"]["post"]["responses"]["201"]["headers"]
    assert created["Location"]["required"] is True
    listed = DOCUMENT["paths"]["/api/sites"]["get"]["responses"]["200"]["content"]
    assert listed == {"application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}}}
    assert "403" not in DOCUMENT["paths"]["/api/sites/{code}"]["get"]["responses"]  # everyone may read a site


def test_a_refusal_as_sent_matches_the_problem_schema(bound_app: object) -> None:
    from fastapi.testclient import TestClient

    with TestClient(APP, raise_server_exceptions=False) as anon:
        answer = anon.get("/api/sites", params={"limit": 0, "bbox": "<script>"})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    operation = schema["/api/sites"]["GET"]
    operation.validate_response(answer)  # raises when the body is not a Problem
