"""Vector tiles for the maps: /tiles/{layer}/{z}/{x}/{y}.pbf with the lists' filters, ETag and caching.

The ETag joins the tile's address and filters with the newest audit event id: every change to the
registry writes one, so an unchanged tile is answered 304 without being built again.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from api.access import require
from api.deps import FilterDep, SessionDep, SettingsDep
from registry.accounts.permissions import Grant, rule
from registry.audit.queries import latest_event_id
from registry.clock import today
from registry.errors import FieldError, ValidationFailed
from registry.permits.standing import STANDINGS, standing_columns, standing_sites
from registry.stations.tiles import site_tile

router = APIRouter(tags=["Bản đồ"])
MVT = "application/vnd.mapbox-vector-tile"


@router.get(
    "/tiles/{layer}/{z}/{x}/{y}.pbf",
    summary="Ô bản đồ vector (MVT) của vị trí cột; gom cụm có đếm ở mức thu phóng thấp; cùng bộ lọc",
    response_class=Response,
    responses={200: {"content": {MVT: {}}}, 304: {"description": "Không đổi (If-None-Match)"}},
)
def tile(
    layer: Literal["sites"],
    z: Annotated[int, Path(ge=0, le=22)],
    x: Annotated[int, Path(ge=0)],
    y: Annotated[int, Path(ge=0)],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    filters: FilterDep,
    grant: Annotated[Grant, Depends(require("tiles", "read"))],
    permits: Annotated[
        list[Literal["valid", "expiring", "expired", "missing", "inactive"]] | None,
        Query(description="Tình trạng giấy phép của vị trí (cán bộ): valid, expiring, expired, missing, inactive"),
    ] = None,
) -> Response:
    if x >= 2**z or y >= 2**z:
        raise ValidationFailed("Ô không tồn tại", [FieldError(f"x và y phải nhỏ hơn {2**z} ở mức {z}", field="x")])
    # Staff see each site's permit standing, which changes with the day as well as with the data.
    permits_on = today() if rule("permits", "read").allows(grant.principal.keys) else None
    if permits and permits_on is None:
        raise ValidationFailed(
            "Bộ lọc không dùng được", [FieldError("Chỉ cán bộ được lọc theo tình trạng giấy phép", field="permits")]
        )
    version = latest_event_id(session)
    key = f"{layer}/{z}/{x}/{y}?{request.url.query}#{version}#{settings.tile_max_features}#{permits_on}"
    tag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    cache = "private" if permits_on else "public"
    headers = {"ETag": tag, "Cache-Control": f"{cache}, max-age=60, must-revalidate", "Vary": "Authorization, Cookie"}
    if tag in (request.headers.get("if-none-match") or ""):
        return Response(status_code=304, headers=headers)
    body, kind, count = site_tile(
        session,
        filters,
        z=z,
        x=x,
        y=y,
        max_features=settings.tile_max_features,
        cluster_below_zoom=settings.tile_cluster_below_zoom,
        columns=standing_columns(on=permits_on, expiring_days=settings.permit_expiring_days) if permits_on else None,
        extra=standing_sites(session, filters, permits, on=permits_on, expiring_days=settings.permit_expiring_days)
        if permits and permits_on and set(permits) != set(STANDINGS)
        else None,
    )
    headers.update({"X-Tile-Kind": kind, "X-Tile-Sites": str(count)})
    return Response(body, media_type=MVT, headers=headers)
