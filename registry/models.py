"""Every mapped table, imported in one place for Alembic and for `configure_mappers`."""

from registry.admin_units.models import AdminUnit
from registry.base import Base
from registry.organisations.models import Organisation
from registry.stations.models import Sector, Site, Station

__all__ = ["AdminUnit", "Base", "Organisation", "Sector", "Site", "Station"]
