"""The OGC API's landing page (/ogc) and its declaration of conformance (/ogc/conformance).

The conformance classes listed are only those implemented: Features Part 1 (core, GeoJSON, HTML),
Part 2 (CRS), Part 3 (queryables, filter, CQL2 text and JSON with the comparison, LIKE/BETWEEN/IN,
case- and accent-insensitive, spatial and temporal functions) and Tiles (core, tileset, tilesets
list, geodata tilesets, Mapbox Vector Tiles). Not declared: OpenAPI 3.0 (the app's document is 3.1),
CQL2 array and arithmetic functions and property-property comparisons (partly accepted, not
claimed), the S_DWITHIN extension (not a CQL2 class).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from api.access import require
from api.ogc.html import page
from api.ogc.links import HTML, JSON, OPENAPI, REL, answer, link, self_and_alternate, url
from api.ogc.params import answer_format
from registry.accounts.permissions import Grant

router = APIRouter(prefix="/ogc", tags=["OGC API"])
Read = Annotated[Grant, Depends(require("maps", "read"))]
Fmt = Annotated[str | None, Query(description="json hoặc html (mặc định theo Accept)")]

TITLE = "Dữ liệu không gian của Sở — OGC API"
DESCRIPTION = (
    "Vị trí cột ăng ten, trạm gốc, vùng quy hoạch hạ tầng viễn thông thụ động, xã/phường, cơ quan báo chí "
    "và (cho cán bộ) vụ việc đang mở, theo chuẩn OGC API – Features (Phần 1, 2, 3) và OGC API – Tiles. "
    "Kết nối bằng QGIS, GDAL/OGR hoặc OWSLib; thêm Authorization: Bearer <token> để xem các lớp của cán bộ."
)

_FEATURES = "http://www.opengis.net/spec/ogcapi-features-{part}/1.0/conf/{name}"
_CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/{name}"
_TILES = "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/{name}"
CONFORMS_TO: tuple[str, ...] = (
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    *(_FEATURES.format(part=1, name=n) for n in ("core", "geojson", "html")),
    _FEATURES.format(part=2, name="crs"),
    *(_FEATURES.format(part=3, name=n) for n in ("queryables", "filter", "features-filter")),
    *(
        _CQL2.format(name=n)
        for n in (
            "cql2-text",
            "cql2-json",
            "basic-cql2",
            "advanced-comparison-operators",
            "case-insensitive-comparison",
            "accent-insensitive-comparison",
            "basic-spatial-functions",
            "basic-spatial-functions-plus",
            "spatial-functions",
            "temporal-functions",
        )
    ),
    *(_TILES.format(name=n) for n in ("core", "tileset", "tilesets-list", "geodata-tilesets", "mvt")),
    "http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
    "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
)


def _landing(request: Request, shown: str) -> dict[str, Any]:
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "links": [
            *self_and_alternate(request, shown),
            link("service-desc", url(request, str(request.app.openapi_url)), OPENAPI, "Mô tả API (OpenAPI)"),
            link("service-doc", url(request, "/docs"), HTML, "Tài liệu API"),
            link("conformance", url(request, "/ogc/conformance"), JSON, "Các lớp phù hợp chuẩn"),
            link(REL + "conformance", url(request, "/ogc/conformance"), JSON, "Các lớp phù hợp chuẩn"),
            link("data", url(request, "/ogc/collections"), JSON, "Các tập dữ liệu"),
            link(REL + "data", url(request, "/ogc/collections"), JSON, "Các tập dữ liệu"),
            link(REL + "tiling-schemes", url(request, "/ogc/tileMatrixSets"), JSON, "Lưới ô bản đồ"),
        ],
    }


@router.get("", summary="Trang đầu OGC API (JSON hoặc HTML)", response_class=Response)
@router.get("/", summary="Trang đầu OGC API (đường dẫn có / cuối, như OWSLib gọi)", response_class=Response,
            include_in_schema=False)  # fmt: skip
def landing(request: Request, grant: Read, f: Fmt = None) -> Response:
    shown = answer_format(request, f)
    body = _landing(request, shown)
    if shown == "html":
        return page(request, grant.principal, "landing.html", title=TITLE, doc=body)
    return answer(body)


@router.get("/conformance", summary="Các lớp chuẩn OGC đã thực hiện", response_class=Response)
def conformance(request: Request, grant: Read, f: Fmt = None) -> Response:
    shown = answer_format(request, f)
    body = {"conformsTo": list(CONFORMS_TO), "links": self_and_alternate(request, shown)}
    if shown == "html":
        return page(request, grant.principal, "conformance.html", title="Các lớp phù hợp chuẩn OGC", doc=body)
    return answer(body)
