"""The FastAPI application factory."""

from __future__ import annotations

import json
import logging

from fastapi import Depends, FastAPI, Response
from sqlalchemy.orm import Session, sessionmaker

from api import docs, errors, limits, maps, request_context, security
from api.access import require
from api.bodies.system import Health
from api.caching import ListCaching
from api.reads import ReadRouting
from api.routers import ROUTERS
from registry.db import database_url, database_versions, get_sessionmaker
from registry.replicas import ReadReplicas, read_replicas
from registry.settings import Settings, get_settings

log = logging.getLogger("tttt.api")
# An antenna mast: the pages' icon, drawn here so that no file has to be fetched for it.
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" '
    'fill="#0b3d91"/><path d="M16 8 10 28M16 8l6 20M12 21h8M16 8v0" stroke="#fff" stroke-width="2.5" '
    'fill="none"/><circle cx="16" cy="7" r="3" fill="#f2cc60"/></svg>'
)

DESCRIPTION = """
Sổ đăng ký viễn thông và báo chí của tỉnh: trạm gốc và vị trí cột ăng ten, giấy phép xây dựng công trình
viễn thông và giấy phép tần số, quy hoạch hạ tầng viễn thông; cơ quan báo chí và giấy phép báo chí; thanh tra,
xử phạt, khiếu nại, tố cáo và tiếp công dân; thủ tục hành chính và hồ sơ một cửa với hạn xử lý theo lịch ngày
làm việc; bản đồ, tra cứu công khai và nhật ký thay đổi.

Giới hạn: mỗi trang mặc định {default_page_size}, tối đa {max_page_size} bản ghi; bán kính tối đa
{max_radius_m:g} m; bbox/đa giác tối đa {max_bbox_area_km2:g} km²; gần nhất tối đa {max_nearest};
tệp tải lên tối đa {max_upload_mb} MB và {max_import_rows} dòng; xuất tối đa {max_export_rows} dòng.
Lỗi trả về `application/problem+json` nêu rõ trường (hoặc dòng và cột).
"""


def create_app(
    settings: Settings | None = None,
    session_factory: sessionmaker[Session] | None = None,
    replicas: ReadReplicas | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    settings.secret()  # outside development, no secret key means no start (MissingSecret)
    app = FastAPI(
        title="tttt-registry",
        version="0.1.0",
        description=DESCRIPTION.format(**settings.model_dump(), max_upload_mb=settings.max_upload_bytes // 2**20),
        docs_url=None,  # api.docs serves Swagger UI from the local copy
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.sessionmaker = session_factory or get_sessionmaker()
    # Read replicas (TTTT_READ_DATABASE_URLS; api.reads): none unless configured, or given by a test.
    if replicas is None and session_factory is None:
        replicas = read_replicas(settings, database_url(settings))
    app.state.replicas = replicas
    errors.install(app)

    for router in ROUTERS:
        app.include_router(router)
    maps.mount_assets(app)  # after every route: none lies under the mounted /vendor and /static
    docs.install(app)  # the OpenAPI document completed with the refusals every route shares

    @app.get(
        "/favicon.ico",
        tags=["Hệ thống"],
        summary="Biểu tượng trang (SVG)",
        include_in_schema=False,
        dependencies=[Depends(require("system", "read"))],
    )
    def favicon() -> Response:
        # Browsers ask for it on every page; a 404 would be a console error on each of them.
        return Response(FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})

    @app.get(
        "/health",
        tags=["Hệ thống"],
        summary="Kiểm tra ứng dụng và cơ sở dữ liệu",
        dependencies=[Depends(require("system", "read"))],
        responses={200: {"model": Health}},
    )
    def health() -> Response:
        try:
            with app.state.sessionmaker() as session:
                postgis, revision = database_versions(session)
        except Exception:
            log.exception("Health check failed")
            retry = app.state.settings.db_retry_after_s
            down = errors.problem(503, "Cơ sở dữ liệu không sẵn sàng", "Không kết nối được PostGIS", "unavailable")
            down.headers["Retry-After"] = str(retry)
            return down
        body: dict[str, object] = {"status": "ok", "database": "ok", "postgis": postgis, "schema": revision}
        if app.state.replicas is not None:
            # How the read replicas were last seen, without where they are or what went wrong (the
            # logs say): reads go to the primary when none is usable, so the service stays "ok".
            keep = ("name", "up", "usable", "lag_s")
            body["replicas"] = [{k: r[k] for k in keep} for r in app.state.replicas.status()]
        return Response(json.dumps(body), media_type="application/json")

    app.add_middleware(ReadRouting)  # innermost: a read a replica failed runs again, with nothing else redone
    app.add_middleware(ListCaching)  # the public lists' ETag, Cache-Control and 304, on the final answer
    limits.install(app)  # body limits before any other work of the app
    # The request id and audit context, around everything that may answer (a 413 carries the id too).
    app.add_middleware(request_context.RequestContext)
    # Outside even the body limits (it reads no body, only adds headers): every answer carries them.
    app.add_middleware(security.SecurityHeaders)
    return app
