"""What the routes of api/press.py answer (see api.bodies)."""

from __future__ import annotations

from api.bodies import Body, Change
from api.bodies.common import CaseAbout, DossierLink, IsoDate, Location, Validity


class OutletParent(Body):
    code: str | None
    name: str | None


class OutletLicence(Body):
    """Tình trạng giấy phép của cơ quan (chỉ cán bộ)."""

    status: str | None
    status_name: str
    id: int | None
    number: str | None
    valid_until: IsoDate | None


class OutletLink(Body):
    """Một cơ quan tiền thân hoặc kế tục (registry.press.service.succession)."""

    code: str | None
    name: str | None
    kind: str | None
    effective_date: IsoDate
    decision: str | None


class OutletItem(Body):
    """Một cơ quan báo chí trong danh sách (registry.press.views.outlet_dict): công chúng chỉ nhận các
    trường công khai, các trường có mặc định là của cán bộ (bị bỏ đi, không gửi null)."""

    code: str | None
    kind: str | None
    kind_name: str
    name: str | None
    short_name: str | None
    governing_body: str | None
    head_name: str | None
    head_title: str | None
    address: str | None
    location: Location | None
    commune: str | None
    phone: str | None = None
    email: str | None = None
    domains: list[str]
    periodicity: str | None
    languages: list[str]
    status: str | None
    status_name: str
    parent: OutletParent | None
    notes: str | None = None
    version: int = None
    licence: OutletLicence = None


class ListOutlets(Body):
    total: int
    limit: int
    offset: int
    items: list[OutletItem]


class Outlet(OutletItem):
    """Một cơ quan báo chí khi đọc (registry.press.views.outlet_record): kèm tiền thân, kế tục và, cho
    cán bộ, các vụ việc liên quan."""

    predecessors: list[OutletLink]
    successors: list[OutletLink]
    cases: list[CaseAbout] = None


class StaffOutlet(Outlet):
    """Một cơ quan báo chí sau khi thêm, sửa, sáp nhập: người ghi là cán bộ, nên có mọi trường."""

    phone: str | None
    email: str | None
    notes: str | None
    version: int
    licence: OutletLicence
    cases: list[CaseAbout]


class LicenceAmendment(Body):
    amendment_no: int
    decision_number: str
    decided_on: IsoDate
    reason: str | None
    changes: dict[str, Change]


class LicenceItem(Validity):
    """Một giấy phép của cơ quan với các lần sửa đổi (registry.press.views.press_licence_dict)."""

    id: int
    outlet_code: str | None
    kind: str | None
    kind_name: str
    amendments: list[LicenceAmendment]


class Licence(LicenceItem):
    """Một giấy phép khi đọc, thêm, đính chính, sửa đổi (registry.press.licence_views.press_licence_record):
    kèm hồ sơ một cửa đã tạo ra nó."""

    dossier: DossierLink | None


class Notification(Body):
    id: int | None
    kind: str | None
    subject: str | None
    organiser: str | None
    location: Location | None
    filed_at: str
    event_at: str
    notes: str | None
    version: int
    outlet_code: str | None
    outlet_name: str
    rule: str
    min_lead: float
    unit: str | None
    legal_basis: str | None
    lead: float
    late: bool


class AnnualReport(Body):
    outlet_code: str | None
    year: int
    filed_on: IsoDate | None


class ReportItem(Body):
    id: int | None = None
    kind: str | None = None
    number: str | None = None
    issuer: str | None = None
    valid_until: str | None = None
    days_left: int = None
    outlet_code: str | None
    outlet_name: str
    outlet_kind: str = None
    licence_status: str = None
    licence_id: int | None = None
    licence_number: str | None = None
    licence_valid_until: str | None = None
    subject: str | None = None
    organiser: str | None = None
    location: str | None = None
    filed_at: str = None
    event_at: str = None
    notes: str | None = None
    version: int = None
    rule: str = None
    min_lead: float = None
    unit: str | None = None
    legal_basis: str | None = None
    lead: float = None
    late: bool = None
    domains: list[str] = None
    year: int = None
    filed_on: str | None = None
    state: str = None


class Report(Body):
    on: str | None
    count: int
    items: list[ReportItem]
