"""What the routes of api/cases.py answer (see api.bodies)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from api.bodies import Body


class ListCasesItemParty(Body):
    role: str
    confidential: bool
    name: str | None = None
    id_number: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None


class ListCasesItemLink(Body):
    entity: str
    code: str | None


class ListCasesItemTransition(Body):
    from_: str | None = Field(alias="from")
    to: str
    on: str | None
    actor: str
    reason: str | None


class ListCasesItemDeadlinesStep(Body):
    rule: str
    step: str
    start: str
    due: str
    duration: int
    unit: str | None
    legal_basis: str | None


class ListCasesItemDeadlines(Body):
    steps: list[ListCasesItemDeadlinesStep]
    current_due: str | None
    working_days_left: int | None
    status: str | None


class ListCasesItem(Body):
    code: str | None
    kind: str | None
    received_on: str
    channel: str
    subject: str | None
    content: str | None
    location: CreateCaseLocation | None
    complex: bool | None
    especially_complex: bool | None
    remote: bool | None
    state: str
    state_name: str
    handler: str | None
    unit: str | None
    accepted_on: str | None
    concluded_on: str | None
    extensions: int
    outcome: str | None
    parties: list[ListCasesItemParty]
    links: list[ListCasesItemLink]
    transitions: list[ListCasesItemTransition]
    deadlines: ListCasesItemDeadlines
    version: int


class ListCases(Body):
    total: int
    limit: int
    offset: int
    items: list[ListCasesItem]


class CreateCaseLocation(Body):
    lon: float | None
    lat: float | None


class CreateCase(Body):
    code: str | None
    kind: str | None
    received_on: str
    channel: str
    subject: str | None
    content: str | None
    location: CreateCaseLocation | None
    complex: bool | None
    especially_complex: bool | None
    remote: bool | None
    state: str
    state_name: str
    handler: str | None
    unit: str | None
    accepted_on: str | None
    concluded_on: str | None
    extensions: int
    outcome: str | None
    parties: list[ListCasesItemParty]
    links: list[ListCasesItemLink]
    transitions: list[ListCasesItemTransition]
    deadlines: ListCasesItemDeadlines
    version: int


class GetCaseParty(Body):
    role: str
    name: str | None = None
    id_number: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    confidential: bool


class GetCase(Body):
    code: str | None
    kind: str | None
    received_on: str
    channel: str
    subject: str | None
    content: str | None
    location: CreateCaseLocation | None
    complex: bool | None
    especially_complex: bool | None
    remote: bool | None
    state: str
    state_name: str
    handler: str | None
    unit: str | None
    accepted_on: str | None
    concluded_on: str | None
    extensions: int
    outcome: str | None
    parties: list[GetCaseParty]
    links: list[Any]
    transitions: list[ListCasesItemTransition]
    deadlines: ListCasesItemDeadlines
    version: int


class MoveParty(Body):
    role: str
    name: str | None
    id_number: str | None
    address: str | None
    phone: str | None
    email: str | None
    confidential: bool


class MovedCase(Body):
    code: str | None
    kind: str | None
    received_on: str
    channel: str
    subject: str | None
    content: str | None
    location: CreateCaseLocation | None
    complex: bool | None
    especially_complex: bool | None
    remote: bool | None
    state: str
    state_name: str
    handler: str | None
    unit: str | None
    accepted_on: str | None
    concluded_on: str | None
    extensions: int
    outcome: str | None
    parties: list[MoveParty]
    links: list[Any]
    transitions: list[ListCasesItemTransition]
    deadlines: ListCasesItemDeadlines
    version: int


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


class DeadlineRule(Body):
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
    description: str | None
    legal_basis: str | None
    certainty: str | None
    effective_from: str | None
    effective_to: str | None
    version: int
