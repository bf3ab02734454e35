"""What the routes of api/permits.py answer (see api.bodies)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from api.bodies import Body


class ListPermitsItem(Body):
    id: int
    kind: str | None
    kind_name: str
    site_code: str | None
    station_id: int | None
    station_code: str | None
    number: str
    issuer: str | None
    issue_date: str | None
    valid_from: str | None
    valid_until: str | None
    conditions: str | None
    suspended_from: str | None
    suspended_until: date | str | None
    revoked_on: date | str | None
    status_reason: str | None
    notes: str | None
    status: str | None
    status_name: str
    status_on: str
    days_until_expiry: int | None
    version: int
    document: Any


class ListPermits(Body):
    on: str | None
    total: int
    limit: int
    offset: int
    items: list[ListPermitsItem]


class CreatePermit(Body):
    id: int
    kind: str | None
    kind_name: str
    site_code: str | None
    station_id: int | None
    station_code: str | None
    number: str
    issuer: str | None
    issue_date: str | None
    valid_from: str | None
    valid_until: str | None
    conditions: str | None
    suspended_from: str | None
    suspended_until: date | str | None
    revoked_on: date | str | None
    status_reason: str | None
    notes: str | None
    status: str | None
    status_name: str
    status_on: str
    days_until_expiry: int | None
    version: int
    document: Any
    dossier: Any


class GetPermitDocument(Body):
    filename: str
    media_type: str
    size_bytes: int
    sha256: str
    href: str


class GetPermitDossier(Body):
    receipt_code: str
    href: str


class GetPermit(Body):
    id: int
    kind: str | None
    kind_name: str
    site_code: str | None
    station_id: int | None
    station_code: str | None
    number: str
    issuer: str | None
    issue_date: str | None
    valid_from: str | None
    valid_until: str | None
    conditions: str | None
    suspended_from: str | None
    suspended_until: date | str | None
    revoked_on: date | str | None
    status_reason: str | None
    notes: str | None
    status: str | None
    status_name: str
    status_on: str
    days_until_expiry: int | None
    version: int
    document: GetPermitDocument | None
    dossier: GetPermitDossier | None


class PutDocument(Body):
    id: int
    kind: str | None
    kind_name: str
    site_code: str | None
    station_id: int | None
    station_code: str | None
    number: str
    issuer: str | None
    issue_date: str | None
    valid_from: str | None
    valid_until: str | None
    conditions: str | None
    suspended_from: str | None
    suspended_until: date | str | None
    revoked_on: date | str | None
    status_reason: str | None
    notes: str | None
    status: str | None
    status_name: str
    status_on: str
    days_until_expiry: int | None
    version: int
    document: GetPermitDocument
    dossier: Any


# NO SAMPLE: ['GET'] /api/permits/expiring expiring
# NO SAMPLE: ['GET'] /api/permits/missing missing
# NO SAMPLE: ['GET'] /api/permits/expired-inspections expired_inspections
# ['GET'] /api/permits list_permits -> ListPermits  (n=12)
# ['POST'] /api/permits create_permit -> CreatePermit  (n=5)
# ['GET'] /api/permits/{permit_id} get_permit -> GetPermit  (n=9)
# ['PATCH'] /api/permits/{permit_id} update_permit -> CreatePermit  (n=1)
# ['PUT'] /api/permits/{permit_id}/document put_document -> PutDocument  (n=2)


class WorkListPage(Body):
    """Một trang danh sách công việc (sắp hết hạn, thiếu giấy phép, kiểm định hết hạn)."""

    on: str
    count: int = Field(description="Số dòng của cả danh sách, không chỉ trang này")
    limit: int
    offset: int
    items: list[dict[str, Any]]
