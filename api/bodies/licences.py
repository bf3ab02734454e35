"""What the routes of api/licences.py answer (see api.bodies)."""

from __future__ import annotations

from datetime import date

from api.bodies import Body


class ListLicence(Body):
    id: int
    operator: str
    operator_code: str
    band: str
    number: str
    issuer: str | None
    issue_date: date | str | None
    valid_from: date | str | None
    valid_until: str | None
    conditions: str | None
    suspended_from: date | str | None
    suspended_until: date | str | None
    revoked_on: str | None
    status_reason: str | None
    notes: str | None
    status: str | None
    status_name: str
    status_on: str
    days_until_expiry: int | None
    version: int
