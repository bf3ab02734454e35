"""Every mapped table, imported in one place: for Alembic, and by `registry.db` so that every entry point
that opens a session (API, CLI, jobs) has them all, however little of the registry it imported itself."""

import registry.audit.listener  # noqa: F401  (installs the audit hook on every Session)
from registry.accounts.models import AuthToken, SignInThrottle, User
from registry.admin_units.models import AdminUnit
from registry.audit.models import AuditEvent
from registry.base import Base
from registry.calendar.models import CalendarDay
from registry.cases.enforcement_models import Finding, Inspection, RemedialMeasure, Sanction
from registry.cases.models import (
    Case,
    CaseAttachment,
    CaseLink,
    CaseParty,
    CaseTransition,
    DeadlineRule,
    ReceptionSession,
)
from registry.documents.models import Document
from registry.organisations.models import Organisation
from registry.permits.models import FrequencyLicence, Permit, PermitRule
from registry.press.models import (
    AnnualReport,
    LicenceAmendment,
    NotificationRule,
    OutletLink,
    PressLicence,
    PressNotification,
    PressOutlet,
)
from registry.procedures.models import Dossier, DossierEvent, Procedure, ProcedureStep
from registry.rules.models import RuleValue
from registry.stations.importer.jobs import ImportJob
from registry.stations.models import Sector, Site, Station
from registry.zones.models import PlanningZone, SpacingRule

__all__ = [
    "RuleValue",
    "Dossier",
    "DossierEvent",
    "Procedure",
    "ProcedureStep",
    "Finding",
    "Inspection",
    "RemedialMeasure",
    "Sanction",
    "Case",
    "CaseAttachment",
    "ReceptionSession",
    "CaseLink",
    "CaseParty",
    "CaseTransition",
    "DeadlineRule",
    "CalendarDay",
    "AnnualReport",
    "LicenceAmendment",
    "NotificationRule",
    "OutletLink",
    "PressLicence",
    "PressNotification",
    "PressOutlet",
    "Document",
    "FrequencyLicence",
    "Permit",
    "PermitRule",
    "PlanningZone",
    "SpacingRule",
    "AdminUnit",
    "AuditEvent",
    "AuthToken",
    "SignInThrottle",
    "User",
    "Base",
    "Organisation",
    "Sector",
    "Site",
    "Station",
    "ImportJob",
]
