"""What the routes of api/procedures.py answer (see api.bodies)."""

from __future__ import annotations

from pydantic import Field

from api.bodies import Body
from api.bodies.common import IsoDate, RowError


class ProcedureStep(Body):
    step_no: int | None
    name: str | None
    unit: str | None
    duration: float


class Document(Body):
    """Một giấy tờ: tên, hình thức, số lượng (registry.procedures.schemas.DocumentIn)."""

    name: str | None
    form: str | None
    copies: int | None


class RequiredDocument(Document):
    """Một thành phần hồ sơ của thủ tục (registry.procedures.schemas.RequiredDocumentIn)."""

    required: bool | None


class Procedure(Body):
    """Một thủ tục với quy trình nội bộ (registry.procedures.views.procedure_dict)."""

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
    effective_from: IsoDate | None
    effective_to: IsoDate | None
    notes: str | None
    steps: list[ProcedureStep]
    required_documents: list[RequiredDocument]
    version: int


class ListProcedures(Body):
    total: int
    items: list[Procedure]


class DossierProcedure(Body):
    code: str | None
    name: str | None
    field: str | None
    online_level: int | None


class Applicant(Body):
    kind: str | None
    name: str | None
    id_number: str | None
    address: str | None
    phone: str | None
    email: str | None


class DossierStep(Body):
    step_no: int | None
    name: str | None
    unit: str | None
    of: int


class DossierEvent(Body):
    status: str | None
    status_name: str
    step_no: int | None
    at: str | None
    actor: str
    note: str | None


class DossierApology(Body):
    """Thư xin lỗi và hẹn lại ngày trả kết quả."""

    issued_on: IsoDate
    previous_due_date: IsoDate
    new_due_date: IsoDate
    reason: str | None


class IssuedRecordLink(Body):
    """Giấy phép mà hồ sơ đã tạo ra."""

    id: int
    href: str


class Dossier(Body):
    """Một hồ sơ một cửa (registry.procedures.views.dossier_dict): trong danh sách, khi đọc, tiếp nhận,
    chuyển bước, gắn kết quả."""

    receipt_code: str
    procedure: DossierProcedure
    applicant: Applicant
    channel: str
    channel_name: str
    received_at: str | None
    received_on: IsoDate
    counted_from: IsoDate
    first_due_date: IsoDate
    due_date: IsoDate
    apology: DossierApology | None
    supplement_since: IsoDate | None
    paused_working_days: int
    status: str | None
    status_name: str
    step: DossierStep | None
    result: str | None
    resolved_on: IsoDate | None
    returned_on: IsoDate | None
    sent_back_on: IsoDate | None
    withdrawn_on: IsoDate | None
    outcome: str | None
    outcome_name: str
    permit: IssuedRecordLink | None
    press_licence: IssuedRecordLink | None
    source: str
    notes: str | None
    documents: list[Document]
    events: list[DossierEvent]
    receipt_href: str
    version: int


class ListDossiers(Body):
    total: int
    limit: int
    offset: int
    items: list[Dossier]


class ApologisedDossier(Dossier):
    """Hồ sơ sau thư xin lỗi: có ngày hẹn mới."""

    apology: DossierApology


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
    errors: list[RowError]


# A row of the report: its key (procedure code and name, field, channel, online level) and the figures.
ReportKey = int | str | None


class CatalogueLevel(Body):
    online_level: int | None
    count: int
    share_percent: float


class CatalogueService(Body):
    online_service: str
    online_service_name: str
    count: int
    share_percent: float


class Catalogue(Body):
    """Các thủ tục có hiệu lực vào ngày ``on`` theo mức độ trực tuyến (registry.procedures.reports.catalogue_split)."""

    on: IsoDate
    total: int
    by_online_level: list[CatalogueLevel]
    by_online_service: list[CatalogueService]


class DossierReport(Body):
    """Các chỉ tiêu của một kỳ: tổng và theo thủ tục, lĩnh vực, kênh, mức độ trực tuyến; mỗi dòng
    nêu khóa của nó và cùng các chỉ tiêu."""

    from_: str = Field(alias="from")
    to: str
    figures: dict[str, int]
    by_procedure: list[dict[str, ReportKey]]
    by_field: list[dict[str, ReportKey]]
    by_channel: list[dict[str, ReportKey]]
    by_online_level: list[dict[str, ReportKey]]
    catalogue: Catalogue
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
    documents: list[Document]
    lookup: str
    lookup_url: str
