"""The map pages, the browser sign-in page and the local Leaflet assets they load.

Pages anyone may open (stations, press) show staff more (permit standing, licence status) when the
browser is signed in; pages for staff only (a site's permit-check map, the cases map) send the
public to the sign-in page and come back after it."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.access import PrincipalDep, require
from api.basemap import base_tiles
from api.deps import SessionDep, SettingsDep
from api.press import LicenceStatus
from maps import cases_map, home, pages, press_map, site_map
from maps.assets import NODE_MODULES, PACKAGE_FILES, PACKAGES, VENDOR
from maps.templating import STATIC
from registry.accounts.permissions import Principal, authorize, rule
from registry.cases.vocabulary import CaseKind
from registry.clock import today
from registry.errors import FieldError, ValidationFailed
from registry.organisations.queries import operator_names
from registry.press.models import OutletKind, OutletStatus
from registry.schemas import Day
from registry.zones.queries import zone_geometries

router = APIRouter(prefix="/maps", tags=["Bản đồ"], dependencies=[Depends(require("maps", "read"))])
# The site's root: whoever types the bare address lands on the maps' home page.
root_router = APIRouter(tags=["Bản đồ"], dependencies=[Depends(require("maps", "read"))])
Lang = Annotated[Literal["vi", "en"], Query(description="Ngôn ngữ: vi (mặc định) hoặc en")]
Filter = Annotated[str | None, Query(max_length=200)]


def here(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def staff_only(request: Request, principal: Principal, resource: str) -> Response | None:
    """None when ``principal`` may read ``resource``; the sign-in page for the public; 403 otherwise."""
    if rule(resource, "read").allows(principal.keys):
        return None
    if not principal.authenticated:
        return RedirectResponse(f"/maps/sign-in?next={quote(here(request), safe='')}", status_code=303)
    authorize(principal, resource, "read")  # raises PermissionDenied with the reason
    return None


@root_router.get("/", summary="Địa chỉ gốc: chuyển tới trang chủ bản đồ", status_code=307, include_in_schema=False)
def root() -> RedirectResponse:
    return RedirectResponse("/maps/", status_code=307)


@router.get("/", response_class=HTMLResponse, summary="Trang chủ bản đồ")
def home_page(principal: PrincipalDep, lang: Lang = "vi") -> HTMLResponse:
    return HTMLResponse(home.home_page(lang, username=principal.username))


@router.get("/sign-in", response_class=HTMLResponse, summary="Đăng nhập cho các trang bản đồ và hồ sơ (cookie)")
def sign_in(lang: Lang = "vi", next: Annotated[str | None, Query(max_length=2000)] = None) -> HTMLResponse:  # noqa: A002
    return HTMLResponse(home.sign_in_page(lang, next))


@router.get("/stations", response_class=HTMLResponse, summary="Bản đồ trạm gốc; bộ lọc trong URL")
def stations(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    principal: PrincipalDep,
    lang: Lang = "vi",
    operator: Filter = None,
    technology: Filter = None,
    pole_class: Filter = None,
    status: Filter = None,  # noqa: A002
    admin_unit: Filter = None,
    q: Filter = None,
    permits: Annotated[
        Literal["valid", "expiring", "expired", "missing", "inactive"] | None,
        Query(description="Tình trạng giấy phép của vị trí (chỉ cán bộ)"),
    ] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90, description="Tâm bản đồ: vĩ độ")] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180, description="Tâm bản đồ: kinh độ")] = None,
    z: Annotated[int, Query(ge=0, le=22, description="Mức thu phóng")] = 12,
) -> HTMLResponse:
    filters = {"operator": operator, "technology": technology, "pole_class": pole_class, "status": status,
               "admin_unit": admin_unit, "q": q, "permits": permits}  # fmt: skip
    operators = operator_names(session)
    html = pages.stations_page(
        lang=lang,
        filters={k: v for k, v in filters.items() if v},
        tiles_url=base_tiles(settings),
        operators=operators,
        username=principal.username,
        staff=rule("permits", "read").allows(principal.keys),
        here=here(request),
        view=(lat, lon, z) if lat is not None and lon is not None else None,
        nonce=request.state.csp_nonce,
    )
    return HTMLResponse(html)


@router.get(
    "/sites/{code}",
    response_class=HTMLResponse,
    summary="Bản đồ kiểm tra giấy phép một vị trí: vùng quy hoạch, vòng khoảng cách, cột lân cận (cán bộ)",
)
def site_check_map(
    code: Annotated[str, Path(max_length=40)],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    lang: Lang = "vi",
) -> Response:
    from registry.permits.check import Subject, check_site, nearby
    from registry.stations import service

    if (redirect := staff_only(request, principal, "permit_checks")) is not None:
        return redirect
    site = service.get_site(session, code=code)
    result = check_site(session, site, on=today(), settings=settings)
    zone_codes = [z["code"] for z in result["zones"]]
    geometries = zone_geometries(session, zone_codes)
    zones = [dict(z, geometry={"type": "Feature", "geometry": geometries[z["code"]], "properties": {}})
             for z in result["zones"] if z["code"] in geometries]  # fmt: skip
    pos = result["site"]["position"]
    spacing = result.get("spacing")
    # Bulky poles as far as co-location is considered, or twice the spacing rule when that is wider.
    radius = max(settings.colocation_radius_m, 2 * float(spacing["min_distance_m"]) if spacing else 0.0)
    subject = Subject(pos["lon"], pos["lat"], site.pole_class, site.pole_height_m, site.building_height_m, site.id)
    bulky = nearby(session, subject, radius=radius, limit=200, bulky_only=True)
    return HTMLResponse(
        site_map.site_check_page(
            result,
            zones=zones,
            bulky=bulky,
            lang=lang,
            tiles_url=base_tiles(settings),
            username=principal.username,
            here=here(request),
            nonce=request.state.csp_nonce,
        )
    )


@router.get("/press", response_class=HTMLResponse, summary="Bản đồ báo chí theo loại hình và tình trạng giấy phép")
def press(
    request: Request,
    settings: SettingsDep,
    principal: PrincipalDep,
    lang: Lang = "vi",
    kind: Annotated[list[OutletKind] | None, Query()] = None,
    status: Annotated[list[OutletStatus] | None, Query()] = None,  # noqa: A002
    licence_status: Annotated[list[LicenceStatus] | None, Query()] = None,
    admin_unit: Filter = None,
    q: Filter = None,
) -> HTMLResponse:
    filters: dict[str, list[str] | str] = {
        "kind": [k.value for k in kind or []],
        "status": [s.value for s in status or []],
        "licence_status": [str(s) for s in licence_status or []],
        "admin_unit": admin_unit or "",
        "q": q or "",
    }
    html = press_map.press_page(
        lang=lang,
        filters=filters,
        tiles_url=base_tiles(settings),
        username=principal.username,
        staff=rule("press_licences", "read").allows(principal.keys),
        here=here(request),
        nonce=request.state.csp_nonce,
    )
    return HTMLResponse(html)


@router.get(
    "/cases",
    response_class=HTMLResponse,
    summary="Bản đồ vụ việc đang mở theo loại và tình trạng hạn, bản đồ nhiệt khiếu nại (cán bộ)",
)
def cases(
    request: Request,
    settings: SettingsDep,
    principal: PrincipalDep,
    lang: Lang = "vi",
    kind: Annotated[list[CaseKind] | None, Query()] = None,
    deadline: Annotated[list[Literal["overdue", "due_soon", "within_deadline", "suspended"]] | None, Query()] = None,
    heat_from: Annotated[Day | None, Query(description="Bản đồ nhiệt: khiếu nại nhận từ ngày (mặc định 1 năm)")] = None,
    heat_to: Annotated[Day | None, Query(description="Bản đồ nhiệt: đến ngày (mặc định hôm nay)")] = None,
) -> Response:
    if (redirect := staff_only(request, principal, "cases")) is not None:
        return redirect
    end = heat_to or today()
    start = heat_from or end - timedelta(days=365)
    if start > end:
        raise ValidationFailed("Khoảng ngày không hợp lệ", [FieldError("Phải không sau heat_to", field="heat_from")])
    html = cases_map.cases_page(
        lang=lang,
        kinds=[k.value for k in kind or []],
        deadlines=list(deadline or []),
        heat_from=start,
        heat_to=end,
        tiles_url=base_tiles(settings),
        username=principal.username,
        here=here(request),
        nonce=request.state.csp_nonce,
    )
    return HTMLResponse(html)


class ListedFiles(StaticFiles):
    """Static files of one folder, only those named (a package whose files lie at its root, beside its
    own demo page and sources)."""

    def __init__(self, *, directory: str | os.PathLike[str], files: frozenset[str]) -> None:
        super().__init__(directory=directory, check_dir=False)
        self.files = files

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        return super().lookup_path(path) if path in self.files else ("", None)


def mount_assets(app: FastAPI) -> None:
    """Leaflet, plugins and Swagger UI from maps/node_modules (installed by make): only their dist
    folders, or the files listed in ``PACKAGE_FILES`` for a package without one."""
    for package in PACKAGES:
        if package in PACKAGE_FILES:
            files = ListedFiles(directory=NODE_MODULES / package, files=PACKAGE_FILES[package])
            app.mount(f"{VENDOR}/{package}", files, name=f"vendor-{package}")
            continue
        app.mount(
            f"{VENDOR}/{package}/dist",
            StaticFiles(directory=NODE_MODULES / package / "dist", check_dir=False),
            name=f"vendor-{package}",
        )
    # The pages' own scripts (no inline script: the CSP forbids them), mounted after the vendor folders so
    # those keep matching first.
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
