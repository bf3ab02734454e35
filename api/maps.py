"""The map pages and the local Leaflet assets they load."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from api.access import require
from api.deps import SessionDep, SettingsDep
from maps import pages
from maps.assets import NODE_MODULES, PACKAGES, VENDOR

router = APIRouter(prefix="/maps", tags=["Bản đồ"], dependencies=[Depends(require("maps", "read"))])
Lang = Annotated[Literal["vi", "en"], Query(description="Ngôn ngữ: vi (mặc định) hoặc en")]
Filter = Annotated[str | None, Query(max_length=200)]


@router.get("/", response_class=HTMLResponse, summary="Trang chủ bản đồ")
def home(lang: Lang = "vi") -> HTMLResponse:
    return HTMLResponse(pages.home_page(lang))


@router.get("/stations", response_class=HTMLResponse, summary="Bản đồ trạm gốc; bộ lọc trong URL")
def stations(
    settings: SettingsDep,
    session: SessionDep,
    lang: Lang = "vi",
    operator: Filter = None,
    technology: Filter = None,
    pole_class: Filter = None,
    status: Filter = None,  # noqa: A002
    admin_unit: Filter = None,
    q: Filter = None,
) -> HTMLResponse:
    filters = {"operator": operator, "technology": technology, "pole_class": pole_class, "status": status,
               "admin_unit": admin_unit, "q": q}  # fmt: skip
    operators = [
        (str(code), str(name))
        for code, name in session.execute(
            text("SELECT code, coalesce(short_name, name) FROM organisation WHERE is_operator ORDER BY short_name")
        )
    ]
    html = pages.stations_page(
        lang=lang,
        filters={k: v for k, v in filters.items() if v},
        tiles_url=settings.map_tiles_url,
        operators=operators,
    )
    return HTMLResponse(html)


def mount_assets(app: FastAPI) -> None:
    """Leaflet and plugins from maps/node_modules (installed by make), only their dist folders."""
    for package in PACKAGES:
        app.mount(
            f"{VENDOR}/{package}/dist",
            StaticFiles(directory=NODE_MODULES / package / "dist", check_dir=False),
            name=f"vendor-{package}",
        )
