"""What the routes of api/cases.py answer (see api.bodies)."""

from __future__ import annotations

from pydantic import Field

from api.bodies import Body
from api.bodies.common import InForce, IsoDate, Location


class Party(Body):
    """Một đương sự: người không được xem danh tính của vai trò cần giữ bí mật chỉ nhận vai trò và cờ."""

    role: str
    confidential: bool
    name: str | None = None
    id_number: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None


class CaseLink(Body):
    """Bản ghi của sổ đăng ký mà vụ việc liên quan."""

    entity: str
    code: str | None


class Transition(Body):
    from_: str | None = Field(alias="from")
    to: str
    on: IsoDate | None
    actor: str
    reason: str | None


class DeadlineStep(Body):
    rule: str
    step: str
    start: str
    due: str
    duration: int
    unit: str | None
    legal_basis: str | None


class Deadlines(Body):
    steps: list[DeadlineStep]
    current_due: str | None
    working_days_left: int | None
    status: str | None


class Case(Body):
    """Một hồ sơ vụ việc (registry.cases.views.case_dict): trong danh sách, khi đọc, thêm, sửa, chuyển bước."""

    code: str | None
    kind: str | None
    received_on: IsoDate
    channel: str
    subject: str | None
    content: str | None
    location: Location | None
    complex: bool | None
    especially_complex: bool | None
    remote: bool | None
    state: str
    state_name: str
    handler: str | None
    unit: str | None
    accepted_on: IsoDate | None
    concluded_on: IsoDate | None
    extensions: int
    outcome: str | None
    parties: list[Party]
    links: list[CaseLink]
    transitions: list[Transition]
    deadlines: Deadlines
    version: int


class ListCases(Body):
    total: int
    limit: int
    offset: int
    items: list[Case]


class CountsOfHandler(Body):
    total: int
    open: int
    overdue: int


class Counts(Body):
    from_: str | None = Field(alias="from")
    to: str
    total: int
    by_kind_and_state: dict[str, dict[str, int]] = Field(description="loại → trạng thái → số vụ việc")
    per_handler_and_unit: dict[str, CountsOfHandler] = Field(description="«người xử lý · đơn vị» → số vụ việc")


class AddAttachment(Body):
    id: int
    description: str | None
    confidential: bool
    added_at: str
    href: str


class DeadlineRule(InForce):
    code: str | None
    case_kind: str
    step: str
    duration: int
    unit: str | None
    starts_from: str | None
    complex: bool | None
    especially_complex: bool | None
    remote: bool | None
    extension_no: int | None
