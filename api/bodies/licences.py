"""What the routes of api/licences.py answer (see api.bodies)."""

from __future__ import annotations

from typing import Any

from api.bodies import Body


class ListLicence(Body):
    id: int
    operator: str
    operator_code: str
    band: str
    number: str
    issuer: Any
    issue_date: Any
    valid_from: Any
    valid_until: str | None
    conditions: Any
    suspended_from: Any
    suspended_until: Any
    revoked_on: str | None
    status_reason: Any
    notes: Any
    status: str | None
    status_name: str
    status_on: str
    days_until_expiry: int
    version: int
