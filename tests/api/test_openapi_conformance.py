"""The OpenAPI document tells the truth: schemathesis sends generated requests to every operation of
/openapi.json (in-process, against the ASGI app) and checks each answer against the document — its
status is declared, its content type is declared, its body matches the declared schema, its declared
headers are there, and it is never a 5xx. Once anonymously, once as an admin.

Bounded and reproducible: a few examples per operation, valid ones and invalid ones (the refusals must be
in the document too), derandomised (CI sees the same requests every run), no shrinking. Each operation is its own test, so what one operation writes is rolled back with
that test's transaction (the ``app`` is bound to the test's session factory, as in tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator

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
