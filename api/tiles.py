"""Vector tiles for the maps: /tiles/{layer}/{z}/{x}/{y}.pbf with the lists' filters, ETag and caching.

The strong ETag joins the tile's address, filters and settings with a fingerprint of the data under
it (``registry.stations.tiles.tile_version``: the sites in the tile and its buffer, or its grid cells),
so it changes only when the data under that tile changes, and an unchanged tile is answered 304
without being built again. Public tiles say ``Cache-Control: public, max-age=TTTT_PUBLIC_MAX_AGE_S``:
a reverse proxy or CDN in front answers repeats alone, then revalidates. A signed-in user's tiles are
``private, no-cache`` (the browser keeps them and asks each time: an officer sees an edit at once);
staff tiles carry each site's permit standing, which changes with permits and the day, so their
fingerprint is the newest audit event and the day.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlalchemy.orm import Session

from api.access import require
from api.caching import if_none_match
from api.deps import FilterDep, SessionDep, SettingsDep
from registry.accounts.permissions import Grant, rule
from registry.audit.queries import latest_event_id
from registry.clock import today
from registry.errors import FieldError, ValidationFailed
from registry.permits.standing import STANDINGS, standing_columns, standing_sites
from registry.settings import Settings
from registry.stations.queries import StationFilter
from registry.stations.tiles import site_tile, tile_version

router = APIRouter(tags=["Bản đồ"])
MVT = "application/vnd.mapbox-vector-tile"


def tile_headers(
    request: Request,
    session: Session,
    settings: Settings,
    filters: StationFilter,
    grant: Grant,
    *,
    z: int,
    x: int,
    y: int,
    address: str,
    version: str | None = None,
    extra: str = "",
) -> dict[str, str]:
    """A site tile's caching headers: a strong ETag of its address, filters and settings with a
    fingerprint of the data under it (``tile_version`` unless the caller gives ``version``), public
    for the public and private for staff. The maps' tiles and the OGC API's share them."""
    if version is None:
        version = tile_version(
            session, filters, z=z, x=x, y=y, max_features=settings.tile_max_features,
            cluster_below_zoom=settings.tile_cluster_below_zoom,
        )  # fmt: skip
    key = (
        f"{address}/{z}/{x}/{y}?{request.url.query}#{version}#{settings.tile_max_features}"
        f"#{settings.tile_cluster_below_zoom}#{extra}"
    )
    tag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    cache = "private, no-cache" if grant.principal.authenticated else f"public, max-age={settings.public_max_age_s}"
    return {"ETag": tag, "Cache-Control": cache, "Vary": "Authorization, Cookie"}


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
    version = f"a{latest_event_id(session)}" if permits_on else None
    headers = tile_headers(request, session, settings, filters, grant, z=z, x=x, y=y, address=layer,
                           version=version, extra=str(permits_on))  # fmt: skip
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
        columns=standing_columns(on=permits_on, expiring_days=settings.permit_expiring_days) if permits_on else None,
        extra=standing_sites(session, filters, permits, on=permits_on, expiring_days=settings.permit_expiring_days)
        if permits and permits_on and set(permits) != set(STANDINGS)
        else None,
    )
    headers.update({"X-Tile-Kind": kind, "X-Tile-Sites": str(count)})
    return Response(body, media_type=MVT, headers=headers)
