"""What the routes of api/procedures.py answer (see api.bodies)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from api.bodies import Body


class ListProceduresItemStep(Body):
    step_no: int | None
    name: str | None
    unit: str | None
    duration: float


class ListProceduresItem(Body):
    code: str | None
    name: str | None
    field: str | None
    field_name: str
    time_value: int | None
    time_unit: str | None
    time_text: str
    fees: str | None
    fee_vnd: int | None
    legal_basis: str | None
    online_level: int | None
    online_service: str | None
    online_service_name: str
    effective_from: str | None
    effective_to: date | str | None
    notes: str | None
    steps: list[ListProceduresItemStep]
    required_documents: list[Any]
    version: int


class ListProcedures(Body):
    total: int
    items: list[ListProceduresItem]


class UpdateProcedureRequiredDocument(Body):
    name: str | None
    form: str | None
    copies: int | None
    required: bool | None


class UpdateProcedure(Body):
    code: str | None
    name: str | None
    field: str | None
    field_name: str
    time_value: int | None
    time_unit: str | None
    time_text: str
    fees: str | None
    fee_vnd: int | None
    legal_basis: str | None
    online_level: int | None
    online_service: str | None
    online_service_name: str
    effective_from: str | None
    effective_to: date | str | None
    notes: str | None
    steps: list[ListProceduresItemStep]
    required_documents: list[UpdateProcedureRequiredDocument]
    version: int


class ListDossiersItemProcedure(Body):
    code: str | None
    name: str | None
    field: str | None
    online_level: int | None


class ListDossiersItemApplicant(Body):
    kind: str | None
    name: str | None
    id_number: str | None
    address: str | None
    phone: str | None
    email: str | None


class ListDossiersItemStep(Body):
    step_no: int | None
    name: str | None
    unit: str | None
    of: int


class ListDossiersItemEvent(Body):
    status: str | None
    status_name: str
    step_no: int | None
    at: str | None
    actor: str
    note: str | None


class ListDossiersItem(Body):
    receipt_code: str
    procedure: ListDossiersItemProcedure
    applicant: ListDossiersItemApplicant
    channel: str
    channel_name: str
    received_at: str | None
    received_on: str
    counted_from: str
    first_due_date: str
    due_date: str
    apology: Any
    supplement_since: str | None
    paused_working_days: int
    status: str | None
    status_name: str
    step: ListDossiersItemStep
    result: str | None
    resolved_on: str | None
    returned_on: str | None
    sent_back_on: str | None
    withdrawn_on: date | str | None
    outcome: str | None
    outcome_name: str
    permit: Any
    press_licence: Any
    source: str
    notes: str | None
    documents: list[Any]
    events: list[ListDossiersItemEvent]
    receipt_href: str
    version: int


class ListDossiers(Body):
    total: int
    limit: int
    offset: int
    items: list[ListDossiersItem]


class CreateDossierDocument(Body):
    name: str | None
    form: str | None
    copies: int | None


class CreateDossier(Body):
    receipt_code: str
    procedure: ListDossiersItemProcedure
    applicant: ListDossiersItemApplicant
    channel: str
    channel_name: str
    received_at: str | None
    received_on: str
    counted_from: str
    first_due_date: str
    due_date: str
    apology: Any
    supplement_since: str | None
    paused_working_days: int
    status: str | None
    status_name: str
    step: ListDossiersItemStep
    result: str | None
    resolved_on: str | None
    returned_on: str | None
    sent_back_on: str | None
    withdrawn_on: date | str | None
    outcome: str | None
    outcome_name: str
    permit: Any
    press_licence: Any
    source: str
    notes: str | None
    documents: list[CreateDossierDocument]
    events: list[ListDossiersItemEvent]
    receipt_href: str
    version: int


class MoveApology(Body):
    issued_on: str
    previous_due_date: str
    new_due_date: str
    reason: str | None


class MovePermit(Body):
    id: int
    href: str


class MovedDossier(Body):
    receipt_code: str
    procedure: ListDossiersItemProcedure
    applicant: ListDossiersItemApplicant
    channel: str
    channel_name: str
    received_at: str | None
    received_on: str
    counted_from: str
    first_due_date: str
    due_date: str
    apology: MoveApology | None
    supplement_since: str | None
    paused_working_days: int
    status: str | None
    status_name: str
    step: ListDossiersItemStep
    result: str | None
    resolved_on: str | None
    returned_on: str | None
    sent_back_on: str | None
    withdrawn_on: date | str | None
    outcome: str | None
    outcome_name: str
    permit: MovePermit | None
    press_licence: MovePermit | None
    source: str
    notes: str | None
    documents: list[Any]
    events: list[ListDossiersItemEvent]
    receipt_href: str
    version: int


class Apology(Body):
    receipt_code: str
    procedure: ListDossiersItemProcedure
    applicant: ListDossiersItemApplicant
    channel: str
    channel_name: str
    received_at: str | None
    received_on: str
    counted_from: str
    first_due_date: str
    due_date: str
    apology: MoveApology
    supplement_since: str | None
    paused_working_days: int
    status: str | None
    status_name: str
    step: ListDossiersItemStep
    result: str | None
    resolved_on: str | None
    returned_on: str | None
    sent_back_on: str | None
    withdrawn_on: date | str | None
    outcome: str | None
    outcome_name: str
    permit: Any
    press_licence: Any
    source: str
    notes: str | None
    documents: list[Any]
    events: list[ListDossiersItemEvent]
    receipt_href: str
    version: int


class DossierReportMonthlyMonth(Body):
    month: str
    from_: str = Field(alias="from")
    to: str
    received: int
    carried_over: int
    new: int
    resolved: int
    resolved_early: int
    resolved_on_time: int
    resolved_late: int
    resolved_on_time_or_early: int
    refused: int
    returned: int
    withdrawn: int
    pending_within_deadline: int
    pending_overdue: int


class DossierReportMonthly(Body):
    from_: str = Field(alias="from")
    to: str
    months: list[DossierReportMonthlyMonth]


class ImportDossiers(Body):
    rows: int
    created: int
    dry_run: bool
    errors: list[Any]


class DossierReport(Body):
    """Các chỉ tiêu của một kỳ: tổng và theo thủ tục, lĩnh vực, kênh, mức độ trực tuyến; mỗi dòng
    nêu khóa của nó và cùng các chỉ tiêu."""

    from_: str = Field(alias="from")
    to: str
    figures: dict[str, int]
    by_procedure: list[dict[str, Any]]
    by_field: list[dict[str, Any]]
    by_channel: list[dict[str, Any]]
    by_online_level: list[dict[str, Any]]
    catalogue: dict[str, Any]
    figure_names: dict[str, str] = Field(description="chỉ tiêu → tên chỉ tiêu")


class Receipt(Body):
    """Giấy tiếp nhận hồ sơ (format=json): nội dung như bản in."""

    department: str
    receipt_code: str
    procedure_code: str
    procedure_name: str
    applicant: str
    applicant_id_number: str | None
    applicant_address: str | None
    applicant_phone: str | None
    channel: str
    fees: str | None
    fee_vnd: int | float | None
    received_at: str
    received_by: str | None
    due_date: str
    documents: list[Any]
    lookup: str
    lookup_url: str
