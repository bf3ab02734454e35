"""Search as you type for the back office's forms: registry records by code or name, with or without
diacritics, at most ten, each as its code and a short label every staff member may read (a site's
address, a station's code, operator and address, an outlet's or organisation's name) — nothing else.

The case form's link rows call it (maps/static/js/case-form.js); without a script the code typed is
checked by the service when the form is saved. The queries are the registers' own searches
(registry/stations/queries, registry/press/queries, registry/organisations)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.access import require
from api.deps import SessionDep, SettingsDep
from registry.clock import today
from registry.organisations.queries import organisations
from registry.press.queries import PressFilter, find_outlets
from registry.stations.queries import StationFilter, site_rows, station_where
from registry.text import fold

router = APIRouter(prefix="/office/search", tags=["Văn phòng"], include_in_schema=False)
LIMIT = 10
Entity = Literal["site", "station", "press_outlet", "organisation"]


def _label(*parts: Any) -> str:
    return " · ".join(str(p) for p in parts if p)


def _sites(session: Session, q: str) -> list[dict[str, Any]]:
    rows, _ = site_rows(session, StationFilter(q=q), limit=LIMIT)
    return [
        {"code": r["code"], "label": _label(r["code"], r["address"], r["commune"]),
         "lon": float(r["lon"]), "lat": float(r["lat"])}
        for r in rows
    ]  # fmt: skip


def _stations(session: Session, q: str) -> list[dict[str, Any]]:
    """A station is linked by its number (id); found by its code, its site's code or address."""
    w = station_where(StationFilter(q=q))
    rows = session.execute(
        text(
            "SELECT st.id, st.station_code, o.short_name AS operator, s.code AS site_code, s.address "
            "FROM station st JOIN site s ON s.id = st.site_id JOIN organisation o ON o.id = st.operator_id "
            f"WHERE {w.sql()} ORDER BY st.station_code, st.id LIMIT :limit"
        ),
        dict(w.params, limit=LIMIT),
    ).mappings()
    return [
        {"code": str(r["id"]), "label": _label(r["station_code"], r["operator"], r["site_code"], r["address"])}
        for r in rows
    ]


def _outlets(session: Session, q: str, days: int) -> list[dict[str, Any]]:
    found, _ = find_outlets(session, PressFilter(q=q), on=today(), days=days, limit=LIMIT, offset=0)
    return [{"code": o.code, "label": _label(o.code, o.name)} for o, _ in found]


def _organisations(session: Session, q: str) -> list[dict[str, Any]]:
    wanted = fold(q)
    out = []
    for org in organisations(session):
        names = [org["code"], org["name"], org["short_name"] or "", *(org["aliases"] or [])]
        if any(wanted in fold(n) for n in names):
            out.append({"code": org["code"], "label": _label(org["code"], org["short_name"], org["name"])})
        if len(out) == LIMIT:
            break
    return out


@router.get("/records", dependencies=[Depends(require("office", "read"))], summary="Tìm bản ghi để liên kết")
def search_records(
    session: SessionDep,
    settings: SettingsDep,
    entity: Annotated[Entity, Query(description="site, station, press_outlet, organisation")],
    q: Annotated[str, Query(max_length=100, description="Mã hoặc tên, có hoặc không dấu")] = "",
) -> JSONResponse:
    q = q.strip()
    if not fold(q):
        items: list[dict[str, Any]] = []
    elif entity == "site":
        items = _sites(session, q)
    elif entity == "station":
        items = _stations(session, q)
    elif entity == "press_outlet":
        items = _outlets(session, q, settings.permit_expiring_days)
    else:
        items = _organisations(session, q)
    return JSONResponse({"entity": entity, "q": q, "items": items[:LIMIT]}, headers={"Cache-Control": "no-store"})
