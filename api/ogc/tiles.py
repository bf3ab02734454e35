"""OGC API – Tiles for the sites: the tilesets list, the WebMercatorQuad tileset (OGC metadata or,
with ``f=tilejson``, TileJSON 3.0), its tiles (note: ``{z}/{y}/{x}``, row before column) and the
tile matrix set itself.

A tile is the maps' own vector tile: the same function (registry.stations.tiles.site_tile), the same
station filters, clustering and limits, and the same ETag rule (the tile's address and filters with
a fingerprint of the data under it, ``tile_version``: an unchanged tile is a 304). Only public
fields are in a tile; the maps' staff-only permit standing is not offered here."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from api.access import require
from api.caching import if_none_match
from api.deps import FilterDep, SessionDep, SettingsDep
from api.ogc.links import JSON, MVT, REL, answer, link, url
from api.ogc.params import answer_format
from api.tiles import tile_headers
from registry.accounts.permissions import Grant
from registry.errors import NotFound
from registry.ogc import queries
from registry.ogc.collections import SITES
from registry.ogc.crs import CRS84, EPSG_URI
from registry.stations.tiles import site_tile

router = APIRouter(prefix="/ogc", tags=["OGC API – Tiles"])
Read = Annotated[Grant, Depends(require("tiles", "read"))]
TMS_ID = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
MAX_ZOOM = 22
_HALF = math.pi * 6378137.0  # half the world's width in Web Mercator metres
TILESET = f"/collections/{SITES.id}/tiles/{TMS_ID}"  # under the router's /ogc
# What a point of a tile carries (clusters carry point_count and cluster).
TILE_FIELDS = {
    "code": "Mã vị trí",
    "pole_class": "Loại cột",
    "status": "Trạng thái",
    "pole_height_m": "Chiều cao cột (m)",
    "stations": "Số trạm gốc",
    "operators": "Doanh nghiệp",
    "point_count": "Số vị trí trong cụm",
    "cluster": "Là cụm",
}


def tile_matrix_set() -> dict[str, Any]:
    """WebMercatorQuad as OGC Two Dimensional Tile Matrix Set 2.0 (JSON), levels 0–22."""
    matrices = []
    for z in range(MAX_ZOOM + 1):
        cell = 2 * _HALF / 256 / 2**z
        matrices.append(
            {
                "id": str(z),
                "scaleDenominator": cell / 0.00028,
                "cellSize": cell,
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": [-_HALF, _HALF],
                "tileWidth": 256,
                "tileHeight": 256,
                "matrixWidth": 2**z,
                "matrixHeight": 2**z,
            }
        )
    return {
        "id": TMS_ID,
        "title": "Google Maps Compatible (Web Mercator)",
        "uri": TMS_URI,
        "crs": EPSG_URI + "3857",
        "orderedAxes": ["X", "Y"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": matrices,
    }


@router.get("/tileMatrixSets", summary="Các lưới ô bản đồ", response_class=Response)
def tile_matrix_sets(request: Request, _: Read) -> Response:
    here = f"/ogc/tileMatrixSets/{TMS_ID}"
    return answer(
        {
            "tileMatrixSets": [
                {
                    "id": TMS_ID,
                    "title": "Web Mercator",
                    "uri": TMS_URI,
                    "links": [link("self", url(request, here), JSON, "WebMercatorQuad")],
                }  # fmt: skip
            ]
        }
    )


@router.get(f"/tileMatrixSets/{TMS_ID}", summary="Lưới ô WebMercatorQuad (OGC TMS 2.0)", response_class=Response)
def web_mercator_quad(_: Read) -> Response:
    return answer(tile_matrix_set())


def _tileset_links(request: Request) -> list[dict[str, Any]]:
    template = url(request, "/ogc" + TILESET) + "/{tileMatrix}/{tileRow}/{tileCol}"
    return [
        link("self", url(request, "/ogc" + TILESET), JSON, "Bộ ô vị trí cột (WebMercatorQuad)"),
        link("alternate", url(request, "/ogc" + TILESET, f="tilejson"), JSON, "TileJSON"),
        link(REL + "tiling-scheme", url(request, f"/ogc/tileMatrixSets/{TMS_ID}"), JSON, "Lưới ô WebMercatorQuad"),
        link(REL + "geodata", url(request, f"/ogc/collections/{SITES.id}"), JSON, SITES.title),
        link("item", template, MVT, "Một ô (Mapbox Vector Tile)", templated=True),
    ]


@router.get(f"/collections/{SITES.id}/tiles", summary="Các bộ ô vector của vị trí cột", response_class=Response)
def tilesets(request: Request, _: Read) -> Response:
    return answer(
        {
            "tilesets": [
                {
                    "title": f"{SITES.title} — ô vector",
                    "dataType": "vector",
                    "crs": EPSG_URI + "3857",
                    "tileMatrixSetURI": TMS_URI,
                    "links": _tileset_links(request),
                }
            ],
            "links": [link("self", url(request, f"/ogc/collections/{SITES.id}/tiles"), JSON, "Các bộ ô")],
        }
    )


@router.get(
    TILESET,
    summary="Bộ ô vector vị trí cột: siêu dữ liệu OGC, hoặc TileJSON với f=tilejson",
    response_class=Response,
)
def tileset(
    request: Request,
    session: SessionDep,
    _: Read,
    f: Annotated[str | None, Query(description="json (OGC) hoặc tilejson")] = None,
) -> Response:
    shown = answer_format(request, f, extra=("tilejson",))
    ext = queries.extent(session, SITES)
    bounds = list(ext.bbox) if ext.bbox is not None else [-180.0, -85.0511, 180.0, 85.0511]
    template = url(request, "/ogc" + TILESET) + "/{z}/{y}/{x}"
    if shown == "tilejson":
        return answer(
            {
                "tilejson": "3.0.0",
                "name": SITES.title,
                "description": SITES.description,
                "tiles": [template],
                "minzoom": 0,
                "maxzoom": MAX_ZOOM,
                "bounds": bounds,
                "center": [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, 10],
                "vector_layers": [{"id": "sites", "fields": TILE_FIELDS, "minzoom": 0, "maxzoom": MAX_ZOOM}],
            }
        )
    return answer(
        {
            "title": f"{SITES.title} — ô vector",
            "description": "Gom cụm có đếm ở mức thu phóng thấp, từng vị trí ở mức gần (như bản đồ của Sở).",
            "dataType": "vector",
            "crs": EPSG_URI + "3857",
            "tileMatrixSetURI": TMS_URI,
            "boundingBox": {"lowerLeft": bounds[:2], "upperRight": bounds[2:], "crs": CRS84},
            "layers": [
                {
                    "id": "sites",
                    "title": SITES.title,
                    "dataType": "vector",
                    "geometryType": "points",
                    "minTileMatrix": "0",
                    "maxTileMatrix": str(MAX_ZOOM),
                    "propertiesSchema": {
                        "type": "object",
                        "properties": {name: {"title": title} for name, title in TILE_FIELDS.items()},
                    },
                }
            ],
            "links": _tileset_links(request),
        }
    )


@router.get(
    TILESET + "/{z}/{y}/{x}",
    summary="Một ô vector (MVT) vị trí cột: {z}/{y}/{x} (hàng trước cột); cùng bộ lọc như bản đồ",
    response_class=Response,
    responses={200: {"content": {MVT: {}}}, 304: {"description": "Không đổi (If-None-Match)"}},
)
def tile(
    z: Annotated[int, Path(ge=0, le=MAX_ZOOM, description="Mức (tileMatrix)")],
    y: Annotated[int, Path(ge=0, description="Hàng (tileRow)")],
    x: Annotated[int, Path(ge=0, description="Cột (tileCol)")],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    filters: FilterDep,
    grant: Read,
) -> Response:
    if x >= 2**z or y >= 2**z:
        raise NotFound(f"Không có ô {z}/{y}/{x}: hàng và cột phải nhỏ hơn {2**z} ở mức {z}")
    # The maps' caching rule (api/tiles.py): the tag changes when the data under the tile does.
    headers = tile_headers(request, session, settings, filters, grant, z=z, x=x, y=y, address="ogc/sites")
    if if_none_match(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    body, kind, count = site_tile(
        session,
        filters,
        z=z,
        x=x,
        y=y,
        max_features=settings.tile_max_features,
        cluster_below_zoom=settings.tile_cluster_below_zoom,
    )
    headers.update({"X-Tile-Kind": kind, "X-Tile-Sites": str(count)})
    return Response(body, media_type=MVT, headers=headers)
