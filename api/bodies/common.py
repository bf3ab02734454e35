"""Shapes that the bodies of several areas share (see api.bodies): a point, a day, the link to the
one-stop dossier behind a record, a case about a record, an import's error, a rule's legal basis and
time in force, and the validity columns of a permit or licence (registry.validity.ValidityColumns,
written by registry.permits.views._validity and registry.press.views.press_licence_dict)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import WithJsonSchema

from api.bodies import Body

IsoDate = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
"""A day as the views write it (``date.isoformat()``): the route builds a string, so the strict check
validates a string, and the document says it is a date."""


class Location(Body):
    """Kinh độ, vĩ độ (WGS 84)."""

    lon: float | None
    lat: float | None


class DossierLink(Body):
    """Hồ sơ một cửa mà việc giải quyết đã tạo ra bản ghi này."""

    receipt_code: str
    href: str


class CaseAbout(Body):
    """Một vụ việc liên quan đến bản ghi (không có đương sự)."""

    code: str
    kind: str
    state: str
    subject: str | None
    received_on: IsoDate


class Validity(Body):
    """Số, hiệu lực và tình trạng của một giấy phép vào ngày ``status_on``."""

    number: str
    issuer: str | None
    issue_date: IsoDate | None
    valid_from: IsoDate | None
    valid_until: IsoDate | None
    conditions: str | None
    suspended_from: IsoDate | None
    suspended_until: IsoDate | None
    revoked_on: IsoDate | None
    status_reason: str | None
    notes: str | None
    status: str
    status_name: str
    status_on: IsoDate
    days_until_expiry: int | None
    version: int


class RowError(Body):
    """Một lỗi của tệp nhập (registry.errors.FieldError.as_dict): dòng, cột, trường; không có thì bỏ đi."""

    message: str
    field: str = None
    row: int = None
    column: str = None
    # The cell as the file held it (text, a number, a date…): free-form by nature.
    value: Any = None
    code: str = None


class InForce(Body):
    """Căn cứ pháp lý và thời gian hiệu lực của một quy tắc (registry.base.InForce: hết hiệu lực từ
    ``effective_to``, không tính ngày đó)."""

    description: str | None
    legal_basis: str | None
    certainty: str | None
    effective_from: IsoDate | None
    effective_to: IsoDate | None
    version: int
