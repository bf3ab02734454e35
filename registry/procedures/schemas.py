"""Shapes of procedures, dossiers and their moves as the API and the CLI take them."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from registry.procedures.models import ApplicantKind, Channel, OnlineService, ProcedureField, Status, TimeUnit
from registry.procedures.receipts import LOOKUP_PATTERN
from registry.schemas import Day, Moment, ReceivedMoment, Strict

CODE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z._-]{2,39}$"


class StepIn(Strict):
    name: str = Field(min_length=1, max_length=500)
    unit: str = Field(min_length=1, max_length=200, description="Đơn vị thực hiện (Bộ phận Một cửa, Phòng …)")
    duration: Decimal = Field(gt=0, le=10_000, max_digits=7, decimal_places=2, description="Cùng đơn vị với thời hạn")


# How a paper is handed in, as the national catalogue words it (free text: these are the usual ones).
DOCUMENT_FORMS = ("Bản chính", "Bản sao có chứng thực", "Bản sao", "Bản sao kèm bản chính để đối chiếu")


class DocumentIn(Strict):
    """A paper received with a dossier."""

    name: str = Field(min_length=1, max_length=500, description="Tên giấy tờ")
    form: str = Field("Bản chính", min_length=1, max_length=100, description="Bản chính, bản sao có chứng thực…")
    copies: int = Field(1, ge=1, le=100, description="Số lượng (bản)")


class RequiredDocumentIn(DocumentIn):
    """A paper the procedure requires (thành phần hồ sơ), as the national catalogue lists it."""

    required: bool = Field(True, description="Bắt buộc (không: chỉ khi có, tùy trường hợp)")


class _ProcedureFields(Strict):
    name: str | None = Field(None, min_length=1, max_length=1000)
    field: ProcedureField | None = None
    time_value: int | None = Field(None, ge=1, le=3650, description="Thời hạn giải quyết theo quy định")
    time_unit: TimeUnit | None = None
    fees: str | None = Field(None, max_length=2000, description="Phí, lệ phí như trong danh mục")
    fee_vnd: int | None = Field(None, ge=0, le=10**11)
    legal_basis: str | None = Field(None, min_length=1, max_length=4000)
    online_level: int | None = Field(None, ge=1, le=4, description="Mức độ dịch vụ công trực tuyến cũ (1–4)")
    online_service: OnlineService | None = Field(
        None, description="Một phần / toàn trình (mặc định suy ra từ mức độ: 3 → một phần, 4 → toàn trình)"
    )
    effective_from: Day | None = None
    effective_to: Day | None = None
    notes: str | None = Field(None, max_length=4000)
    steps: list[StepIn] | None = Field(None, min_length=1, max_length=30, description="Quy trình nội bộ ISO 9001")
    required_documents: list[RequiredDocumentIn] | None = Field(
        None, max_length=50, description="Thành phần hồ sơ (tên, hình thức, số lượng, bắt buộc)"
    )


class ProcedureCreate(_ProcedureFields):
    code: str = Field(pattern=CODE_PATTERN, description="Mã thủ tục quốc gia, ví dụ 1.004474.000.00.00.H27")
    name: str = Field(min_length=1, max_length=1000)
    field: ProcedureField
    time_value: int = Field(ge=1, le=3650)
    time_unit: TimeUnit
    legal_basis: str = Field(min_length=1, max_length=4000)
    online_level: int = Field(ge=1, le=4)
    effective_from: Day
    steps: list[StepIn] = Field(min_length=1, max_length=30)


class ProcedurePatch(_ProcedureFields):
    pass


class ApplicantIn(Strict):
    kind: ApplicantKind
    name: str = Field(min_length=1, max_length=300)
    id_number: str | None = Field(
        None, max_length=20, pattern=r"^[0-9A-Za-z-]{6,20}$", description="Số định danh, CCCD hoặc mã số thuế"
    )
    address: str | None = Field(None, max_length=500)
    phone: str | None = Field(None, max_length=40, pattern=r"^[0-9 +().-]{6,40}$")
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$")


class DossierCreate(Strict):
    procedure_code: str = Field(pattern=CODE_PATTERN)
    applicant: ApplicantIn
    channel: Channel
    received_at: ReceivedMoment | None = Field(None, description="Thời điểm tiếp nhận (mặc định: bây giờ)")
    notes: str | None = Field(None, max_length=4000)
    documents: list[DocumentIn] = Field(default_factory=list, max_length=50, description="Giấy tờ đã nhận")


class DossierMove(Strict):
    to: Status
    at: Moment | None = Field(None, description="Thời điểm (mặc định: bây giờ)")
    step_no: int | None = Field(None, ge=1, le=30, description="Bước của quy trình nội bộ")
    note: str | None = Field(None, max_length=2000, description="Ghi chú; bắt buộc khi từ chối, trả lại, rút")
    permit_id: int | None = Field(None, ge=1, le=2**31 - 1, description="Giấy phép đã cấp (khi có kết quả)")
    press_licence_id: int | None = Field(None, ge=1, le=2**31 - 1, description="Giấy phép báo chí đã cấp")


class ApologyIn(Strict):
    new_due_date: Day
    reason: str = Field(min_length=1, max_length=2000)
    on: Day | None = Field(None, description="Ngày phát hành phiếu xin lỗi (mặc định hôm nay)")


class RecordLink(Strict):
    permit_id: int | None = Field(None, ge=1, le=2**31 - 1)
    press_licence_id: int | None = Field(None, ge=1, le=2**31 - 1)


ReceiptCode = Annotated[str, Field(max_length=40, pattern=LOOKUP_PATTERN)]
