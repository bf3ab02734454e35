"""The words of a case: its kinds, channels, states and steps, the moves its state machine allows,
party roles, and their Vietnamese names. No table here: the mapped classes are in `models.py`, and
pages, schemas and services read these without loading the ORM models."""

from __future__ import annotations

from enum import StrEnum


class CaseKind(StrEnum):
    complaint = "complaint"
    second_complaint = "second_complaint"
    denunciation = "denunciation"
    petition = "petition"
    planned_inspection = "planned_inspection"
    adhoc_inspection = "adhoc_inspection"


KIND_NAMES = {
    CaseKind.complaint: "Khiếu nại",
    CaseKind.second_complaint: "Khiếu nại lần hai",
    CaseKind.denunciation: "Tố cáo",
    CaseKind.petition: "Kiến nghị, phản ánh",
    CaseKind.planned_inspection: "Thanh tra theo kế hoạch",
    CaseKind.adhoc_inspection: "Thanh tra đột xuất",
}


class Step(StrEnum):
    acceptance = "acceptance"  # decide whether to accept (thụ lý)
    initial_handling = "initial_handling"  # denunciations: classify and handle the information
    transfer = "transfer"  # outside competence: transfer to the competent body
    resolution = "resolution"  # resolve (giải quyết)
    extension = "extension"  # one extension of the resolution


class Channel(StrEnum):
    in_person = "in_person"
    post = "post"
    online = "online"
    reception_session = "reception_session"
    transferred = "transferred"


class CaseState(StrEnum):
    received = "received"
    accepted = "accepted"
    refused = "refused"
    transferred = "transferred"
    in_progress = "in_progress"
    suspended = "suspended"
    extended = "extended"
    concluded = "concluded"
    closed = "closed"


CHANNEL_NAMES = {
    Channel.in_person: "trực tiếp",
    Channel.post: "qua bưu chính",
    Channel.online: "trực tuyến",
    Channel.reception_session: "buổi tiếp công dân",
    Channel.transferred: "cơ quan khác chuyển đến",
}
STEP_NAMES = {
    Step.acceptance: "thụ lý",
    Step.initial_handling: "xử lý ban đầu",
    Step.transfer: "chuyển đơn",
    Step.resolution: "giải quyết",
    Step.extension: "gia hạn",
}
UNIT_NAMES = {"working_days": "ngày làm việc", "calendar_days": "ngày"}

STATE_NAMES = {
    CaseState.received: "đã nhận",
    CaseState.accepted: "đã thụ lý",
    CaseState.refused: "không thụ lý",
    CaseState.transferred: "đã chuyển",
    CaseState.in_progress: "đang giải quyết",
    CaseState.suspended: "tạm đình chỉ",
    CaseState.extended: "đã gia hạn",
    CaseState.concluded: "đã kết luận",
    CaseState.closed: "đã đóng",
}

# The only moves a case may make; anything else is refused with the allowed ones named.
TRANSITIONS: dict[CaseState, frozenset[CaseState]] = {
    CaseState.received: frozenset({CaseState.accepted, CaseState.refused, CaseState.transferred}),
    CaseState.accepted: frozenset({CaseState.in_progress}),
    CaseState.in_progress: frozenset({CaseState.suspended, CaseState.extended, CaseState.concluded}),
    CaseState.suspended: frozenset({CaseState.in_progress}),
    CaseState.extended: frozenset({CaseState.extended, CaseState.suspended, CaseState.concluded}),
    CaseState.concluded: frozenset({CaseState.closed}),
    CaseState.refused: frozenset({CaseState.closed}),
    CaseState.transferred: frozenset({CaseState.closed}),
    CaseState.closed: frozenset(),
}


class PartyRole(StrEnum):
    complainant = "complainant"
    denouncer = "denouncer"
    petitioner = "petitioner"
    respondent = "respondent"  # the person or body complained about or denounced


PARTY_ROLE_NAMES = {
    PartyRole.complainant: "Người khiếu nại",
    PartyRole.denouncer: "Người tố cáo",
    PartyRole.petitioner: "Người kiến nghị, phản ánh",
    PartyRole.respondent: "Người bị khiếu nại, bị tố cáo",
}
# Parties whose identity the law protects (Luật Tố cáo 2018): only the assigned handler and admins.
CONFIDENTIAL_ROLES = frozenset({PartyRole.denouncer})
