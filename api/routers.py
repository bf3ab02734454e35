"""Every router of the application, in the order the app includes them.

Order is meaning where two routers share a prefix (``imports`` and ``procedures.imports_router``
under /api/imports; a fixed path must come before a ``{code}`` one): Starlette answers with the
first route that matches. The OpenAPI document lists the paths in this order too. The static mounts
(``api.maps.mount_assets``) come after all of them; none of these routes lies under /vendor or /static.
"""

from __future__ import annotations

from fastapi import APIRouter

from api import (
    audit,
    auth,
    basemap,
    calendar,
    cases,
    docs,
    dossier_pages,
    enforcement,
    imports,
    licences,
    maps,
    office,
    offline,
    ogc,
    permit_check,
    permit_rules,
    permits,
    press,
    procedures,
    public,
    reception,
    record_pages,
    reference,
    rules,
    safety,
    search,
    sites,
    stations,
    tiles,
    users,
    zones,
)

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    users.router,
    permit_check.router,
    sites.router,
    safety.router,
    search.router,
    stations.router,
    imports.router,
    permits.router,
    licences.router,
    press.router,
    calendar.router,
    cases.router,
    reception.router,
    enforcement.router,
    tiles.router,
    basemap.router,
    maps.router,
    maps.root_router,
    record_pages.router,
    rules.router,
    permit_rules.router,
    zones.router,
    reference.router,
    audit.router,
    zones.spacing_router,
    docs.router,
    cases.deadline_rules_router,
    procedures.router,
    procedures.dossiers_router,
    procedures.reports_router,
    procedures.imports_router,
    public.router,
    dossier_pages.router,
    office.router,
    offline.router,
    ogc.router,
)
