"""The map pages as an installable web app that works without the network (maps/offline.py says how):
the manifest, the service worker at the root of the site, /maps/offline where a commune is saved, the
page a service worker shows for what was not saved, and what the browser saves for one commune."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from api.access import PrincipalDep, require
from api.bodies.offline import CommuneSaveList, Scope
from api.deps import SessionDep, SettingsDep
from api.maps import Lang, here
from api.responses import bodies
from maps import offline
from maps.templating import STATIC
from registry.accounts.permissions import rule, visible_fields
from registry.clock import today
from registry.errors import LimitExceeded, NotFound
from registry.permits.standing import site_standings
from registry.stations.queries import (
    StationFilter,
    commune_choices,
    site_count,
    site_feature_collection,
    station_feature_collection,
)

router = APIRouter(tags=["Dùng khi mất mạng"])
Maps = [Depends(require("maps", "read"))]
CommuneCode = Annotated[str, Path(max_length=20, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get(
    "/manifest.webmanifest",
    summary="Web app manifest: cài bản đồ như một ứng dụng",
    dependencies=Maps,
    response_class=Response,
    responses={200: {"content": {"application/manifest+json": {"schema": {"type": "object"}}}}},
)
def manifest() -> Response:
    return Response(
        json.dumps(offline.MANIFEST, ensure_ascii=False),
        media_type="application/manifest+json",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.get(
    "/sw.js",
    summary="Service worker của các trang bản đồ (phạm vi cả trang web)",
    dependencies=Maps,
    response_class=Response,
    responses=bodies("text/javascript"),
)
def service_worker() -> FileResponse:
    # Never kept by the HTTP cache: a new version reaches the browsers at their next visit.
    headers = {"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"}
    return FileResponse(STATIC / "sw.js", media_type="text/javascript; charset=utf-8", headers=headers)


@router.get(
    "/maps/offline", response_class=HTMLResponse, summary="Lưu một xã, phường để dùng khi mất mạng", dependencies=Maps
)
def offline_page(
    request: Request, session: SessionDep, settings: SettingsDep, principal: PrincipalDep, lang: Lang = "vi"
) -> HTMLResponse:
    return HTMLResponse(
        offline.offline_page(
            lang=lang,
            communes=commune_choices(session),
            username=principal.username,
            here=here(request),
            max_sites=settings.offline_max_sites,
        )
    )


@router.get(
    "/maps/offline/unsaved",
    response_class=HTMLResponse,
    summary="Trang báo «chưa lưu» mà service worker trả khi mất mạng",
    dependencies=Maps,
)
def unsaved_page(lang: Lang = "vi") -> HTMLResponse:
    return HTMLResponse(offline.unsaved_page(lang=lang))


@router.get(
    "/api/offline/scope",
    summary="Phạm vi dữ liệu đã lưu của người đang dùng (u<id> hoặc public)",
    dependencies=[Depends(require("sites", "read"))],
    response_model=Scope,
)
def scope(principal: PrincipalDep) -> dict[str, str]:
    return {"scope": offline.scope_of(principal.user_id)}


@router.get(
    "/api/offline/communes/{code}",
    summary="Những gì cần lưu để dùng một xã, phường khi mất mạng: vị trí (GeoJSON), trang, ô bản đồ",
    dependencies=[Depends(require("sites", "read"))],
    response_model=CommuneSaveList,
)
def commune_save_list(
    code: CommuneCode, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> dict[str, Any]:
    names = dict(commune_choices(session))
    if code not in names:
        raise NotFound(f"Không có xã, phường mã {code} có vị trí cột ăng ten")
    f = StationFilter(admin_unit=code)
    count = site_count(session, f)
    if count > settings.offline_max_sites:
        raise LimitExceeded(
            f"{names[code]} có {count} vị trí, nhiều hơn {settings.offline_max_sites} vị trí lưu được một lần; "
            "hãy lưu một xã, phường nhỏ hơn"
        )
    sites = json.loads(site_feature_collection(session, f, limit=count, fields=visible_fields(principal, "site")))
    stations = json.loads(
        station_feature_collection(
            session, f, limit=settings.offline_max_sites * 20, fields=visible_fields(principal, "station")
        )
    )
    by_site: dict[str, list[dict[str, Any]]] = {}
    for station in stations["features"]:
        by_site.setdefault(station["properties"]["site_code"], []).append(station["properties"])
    standing = None
    if rule("permits", "read").allows(principal.keys):
        standing = site_standings(session, f, on=today(), expiring_days=settings.permit_expiring_days)
    for feature in sites["features"]:
        feature["properties"]["stations"] = by_site.get(feature["id"], [])
        if standing is not None:
            feature["properties"]["permits"] = standing.get(feature["id"], "inactive")
    return offline.save_list(
        commune=(code, names[code]),
        sites=sites,
        scope=offline.scope_of(principal.user_id),
        saved_at=datetime.now(UTC).isoformat(timespec="seconds"),
        stale_days=settings.offline_stale_days,
        max_tiles=settings.offline_max_tiles,
    )
