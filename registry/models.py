"""Every mapped table, imported in one place for Alembic and for `configure_mappers`."""

import registry.audit.listener  # noqa: F401  (installs the audit hook on every Session)
from registry.accounts.models import AuthToken, User
from registry.admin_units.models import AdminUnit
from registry.audit.models import AuditEvent
from registry.base import Base
from registry.organisations.models import Organisation
from registry.stations.models import Sector, Site, Station

__all__ = ["AdminUnit", "AuditEvent", "AuthToken", "User", "Base", "Organisation", "Sector", "Site", "Station"]
