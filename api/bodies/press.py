"""What the routes of api/press.py answer (see api.bodies)."""

from __future__ import annotations

from datetime import date
from typing import Any

from api.bodies import Body, Change


class ListOutletsItemLocation(Body):
    lon: float | None
    lat: float | None


class ListOutletsItemLicence(Body):
    status: str | None
    status_name: str
    id: int | None
    number: str | None
    valid_until: str | None


class ListOutletsItem(Body):
    code: str | None
    kind: str | None
    kind_name: str
    name: str | None
    short_name: str | None
    governing_body: str | None
    head_name: str | None
    head_title: str | None
    address: str | None
    location: ListOutletsItemLocation | None
    commune: str | None
    domains: list[str]
    periodicity: str | None
    languages: list[str]
    status: str | None
    status_name: str
    parent: Any
    phone: str | None = None
    email: str | None = None
    notes: str | None = None
    version: int = None
    licence: ListOutletsItemLicence = None


class ListOutlets(Body):
    total: int
    limit: int
    offset: int
    items: list[ListOutletsItem]


class CreateOutletParent(Body):
    code: str | None
    name: str | None


class CreateOutlet(Body):
    code: str | None
    kind: str | None
    kind_name: str
    name: str | None
    short_name: str | None
    governing_body: str | None
    head_name: str | None
    head_title: str | None
    address: str | None
    location: ListOutletsItemLocation | None
    commune: str | None
    phone: str | None
    email: str | None
    domains: list[str]
    periodicity: str | None
    languages: list[str]
    status: str | None
    status_name: str
    parent: CreateOutletParent | None
    notes: str | None
    version: int
    licence: ListOutletsItemLicence
    predecessors: list[Any]
    successors: list[Any]
    cases: list[Any]


class CreateMergerPredecessor(Body):
    code: str | None
    name: str | None
    kind: str | None
    effective_date: str
    decision: str | None


class CreateMerger(Body):
    code: str | None
    kind: str | None
    kind_name: str
    name: str | None
    short_name: str | None
    governing_body: str | None
    head_name: str | None
    head_title: str | None
    address: str | None
    location: ListOutletsItemLocation | None
    commune: str | None
    phone: str | None
    email: str | None
    domains: list[Any]
    periodicity: str | None
    languages: list[str]
    status: str | None
    status_name: str
    parent: Any
    notes: str | None
    version: int
    licence: ListOutletsItemLicence
    predecessors: list[CreateMergerPredecessor]
    successors: list[Any]
    cases: list[Any]


class GetOutlet(Body):
    code: str | None
    kind: str | None
    kind_name: str
    name: str | None
    short_name: str | None
    governing_body: str | None
    head_name: str | None
    head_title: str | None
    address: str | None
    location: ListOutletsItemLocation | None
    commune: str | None
    phone: str | None = None
    email: str | None = None
    domains: list[str]
    periodicity: str | None
    languages: list[str]
    status: str | None
    status_name: str
    parent: CreateOutletParent | None
    notes: str | None = None
    version: int = None
    licence: ListOutletsItemLicence = None
    predecessors: list[CreateMergerPredecessor]
    successors: list[CreateMergerPredecessor]
    cases: list[Any] = None


class UpdateOutlet(Body):
    code: str | None
    kind: str | None
    kind_name: str
    name: str | None
    short_name: str | None
    governing_body: str | None
    head_name: str | None
    head_title: str | None
    address: str | None
    location: ListOutletsItemLocation | None
    commune: str | None
    phone: str | None
    email: str | None
    domains: list[str]
    periodicity: str | None
    languages: list[str]
    status: str | None
    status_name: str
    parent: Any
    notes: str | None
    version: int
    licence: ListOutletsItemLicence
    predecessors: list[Any]
    successors: list[Any]
    cases: list[Any]


class CreateLicence(Body):
    id: int | None
    outlet_code: str | None
    kind: str | None
    kind_name: str
    number: str | None
    issuer: str | None
    issue_date: str | None
    valid_from: date | str | None
    valid_until: str | None
    conditions: str | None
    suspended_from: date | str | None
    suspended_until: date | str | None
    revoked_on: date | str | None
    status_reason: str | None
    notes: str | None
    status: str | None
    status_name: str
    status_on: str
    days_until_expiry: int | None
    amendments: list[Any]
    version: int
    dossier: Any


class GetLicenceAmendment(Body):
    amendment_no: int
    decision_number: str
    decided_on: str
    reason: str | None
    changes: dict[str, Change]


class GetLicenceDossier(Body):
    receipt_code: str
    href: str


class GetLicence(Body):
    id: int | None
    outlet_code: str | None
    kind: str | None
    kind_name: str
    number: str | None
    issuer: str | None
    issue_date: str | None
    valid_from: date | str | None
    valid_until: str | None
    conditions: str | None
    suspended_from: date | str | None
    suspended_until: date | str | None
    revoked_on: date | str | None
    status_reason: str | None
    notes: str | None
    status: str | None
    status_name: str
    status_on: str
    days_until_expiry: int | None
    amendments: list[GetLicenceAmendment]
    version: int
    dossier: GetLicenceDossier | None


class AmendLicence(Body):
    id: int | None
    outlet_code: str | None
    kind: str | None
    kind_name: str
    number: str | None
    issuer: str | None
    issue_date: str | None
    valid_from: date | str | None
    valid_until: str | None
    conditions: str | None
    suspended_from: date | str | None
    suspended_until: date | str | None
    revoked_on: date | str | None
    status_reason: str | None
    notes: str | None
    status: str | None
    status_name: str
    status_on: str
    days_until_expiry: int | None
    amendments: list[GetLicenceAmendment]
    version: int
    dossier: Any


class CreateNotification(Body):
    id: int | None
    kind: str | None
    subject: str | None
    organiser: str | None
    location: ListOutletsItemLocation | None
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


class CreateAnnualReport(Body):
    outlet_code: str | None
    year: int
    filed_on: str | None


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
