"""The back office (/office/): staff do their work in pages. One module per area, each a router whose
pages call the same services and views as the area's API routes, under the same permissions."""

from __future__ import annotations

from fastapi import APIRouter

from api.office import (
    account,
    audit,
    calendar,
    case_receive,
    cases,
    check,
    deadline_rules,
    dossier_import,
    dossier_receive,
    dossiers,
    home,
    imports,
    inspections,
    licences,
    permit_rules,
    permits,
    press_import,
    press_licences,
    press_notifications,
    press_outlets,
    press_reports,
    press_work,
    procedures,
    record_search,
    rules,
    sanctions,
    sites,
    stations,
    users,
    work,
    zones,
)

router = APIRouter()
# imports before the sites' pages: /office/sites/import is not a site called "import".
for area in (
    home.router,
    imports.router,
    licences.router,
    zones.router,
    permits.router,
    sites.router,
    stations.router,
    work.router,
    check.router,
    users.router,
    account.router,
    calendar.router,
    rules.router,
    deadline_rules.router,
    permit_rules.router,
    procedures.router,
    audit.router,
    press_import.router,
    press_outlets.router,
    press_licences.router,
    press_notifications.router,
    press_reports.router,
    press_work.router,
    # the desk's /new and /import before /office/dossiers/{code}; /office/cases/new before a case's code
    dossier_receive.router,
    dossier_import.router,
    dossiers.router,
    case_receive.router,
    cases.router,
    record_search.router,
    inspections.router,
    sanctions.router,
):
    router.include_router(area)
