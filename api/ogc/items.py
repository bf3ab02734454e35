"""Features of a collection: /items (a page, with bbox, datetime, a CQL2 filter and the answer's
CRS) and /items/{featureId}, as GeoJSON (built by PostGIS) or as a page.

Paging is by ``offset``: ``next`` and ``prev`` repeat this request with the offset moved (every other
parameter kept), as absolute links GDAL and QGIS follow. ``numberMatched`` is given when it is known
cheaply (the last page, or a count that stops at TTTT_LIST_COUNT_MAX)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from api.access import require
from api.deps import SessionDep, SettingsDep, count_ceiling
from api.ogc.collections import CollectionId, collection_for
from api.ogc.html import page
from api.ogc.links import GEOJSON, HTML, JSON, answer, link, url
from api.ogc.params import answer_format, bbox_of, check_known, datetime_of, limit_of, offset_of
from registry.accounts.permissions import Grant
from registry.errors import NotFound
from registry.ogc import cql2
from registry.ogc.crs import crs_for
from registry.ogc.errors import BadParameter
from registry.ogc.queries import ItemsQuery, items_page, one_item

router = APIRouter(prefix="/ogc", tags=["OGC API"])
Read = Annotated[Grant, Depends(require("maps", "read"))]
Text = str | None
ITEMS_PARAMETERS = frozenset(
    {"f", "limit", "offset", "bbox", "bbox-crs", "datetime", "crs", "filter", "filter-lang", "filter-crs"}
)
ITEM_PARAMETERS = frozenset({"f", "crs"})


@router.get(
    "/collections/{collection_id}/items",
    summary="Các đối tượng của tập dữ liệu (GeoJSON hoặc HTML), lọc theo bbox, datetime, CQL2; theo trang",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}, HTML: {}}}, 400: {"description": "Tham số không hợp lệ"}},
)
def items(
    collection_id: CollectionId,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    grant: Read,
    f: Annotated[Text, Query(description="json, geojson hoặc html")] = None,
    limit: Annotated[Text, Query(description="Số đối tượng mỗi trang (mặc định 100, tối đa 1000)")] = None,
    offset: Annotated[Text, Query(description="Bỏ qua bao nhiêu đối tượng (theo link next/prev)")] = None,
    bbox: Annotated[Text, Query(description="minx,miny,maxx,maxy theo bbox-crs (mặc định CRS84: kinh, vĩ)")] = None,
    bbox_crs: Annotated[Text, Query(alias="bbox-crs", description="Hệ tọa độ của bbox (URI)")] = None,
    dt: Annotated[Text, Query(alias="datetime", description="Ngày, hoặc khoảng a/b (.. để ngỏ)")] = None,
    crs: Annotated[Text, Query(description="Hệ tọa độ của kết quả (URI; VN-2000: EPSG 4756, 3405, 9205–9218…)")] = None,
    filter: Annotated[Text, Query(description="Biểu thức CQL2 theo các thuộc tính lọc (queryables)")] = None,  # noqa: A002
    filter_lang: Annotated[Text, Query(alias="filter-lang", description="cql2-text (mặc định) hoặc cql2-json")] = None,
    filter_crs: Annotated[Text, Query(alias="filter-crs", description="Hệ tọa độ của hình học trong filter")] = None,
) -> Response:
    c = collection_for(collection_id, grant.principal)
    check_known(request, ITEMS_PARAMETERS)
    shown = answer_format(request, f)
    out = crs_for(crs, "crs")
    box_crs = crs_for(bbox_crs, "bbox-crs")
    interval = datetime_of(dt)
    if interval is not None and c.temporal is None:
        raise BadParameter("datetime", f"Tập dữ liệu «{c.id}» không có ngày để lọc", dt)
    props = c.visible(grant.principal)
    geometry_crs = crs_for(filter_crs, "filter-crs")
    sql_filter = None
    if filter is not None and filter.strip():
        sql_filter = cql2.to_sql(
            cql2.parse(filter, filter_lang),
            collection=c,
            props=props,
            crs=geometry_crs,
            max_vertices=settings.max_geometry_vertices,
            max_distance_m=settings.max_radius_m,
        )
    elif filter_lang is not None and filter_lang not in cql2.LANGS:
        raise BadParameter("filter-lang", f"Chỉ hỗ trợ {', '.join(cql2.LANGS)}", filter_lang)
    q = ItemsQuery(
        collection=c,
        props=props,
        crs=out,
        limit=limit_of(limit, settings),
        offset=offset_of(offset),
        bbox=bbox_of(bbox, box_crs),
        bbox_crs=box_crs,
        dates=None if interval is None else (interval.first, interval.last),
        filter=sql_filter,
    )
    found = items_page(session, q, count_max=count_ceiling(settings, q.offset, q.limit))
    members: dict[str, Any] = {"numberReturned": found.returned}
    if found.matched is not None:
        members["numberMatched"] = found.matched
    members["timeStamp"] = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    members["links"] = _page_links(request, q, found.more, shown)
    headers = {"Content-Crs": out.header}
    if shown == "html":
        body = json.loads(_collection_text(found.features, members))
        response = page(request, grant.principal, "items.html", title=c.title, doc=body, collection=c, props=props,
                        crs=out)  # fmt: skip
        response.headers.update(headers)
        return response
    return Response(
        _collection_text(found.features, members), media_type=GEOJSON, headers={"Vary": "Accept", **headers}
    )


def _collection_text(features: str, members: dict[str, Any]) -> str:
    """The FeatureCollection as text: the features as PostGIS wrote them, never parsed."""
    parts = ['"type": "FeatureCollection"', f'"features": {features}']
    parts += [f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in members.items()]
    return "{" + ", ".join(parts) + "}"


def _page_links(request: Request, q: ItemsQuery, more: bool, shown: str) -> list[dict[str, Any]]:
    media, other, other_media = (HTML, "json", GEOJSON) if shown == "html" else (GEOJSON, "html", HTML)

    def at(offset: int, fmt: str | None = None) -> str:
        return str(request.url.include_query_params(offset=offset, limit=q.limit, **({"f": fmt} if fmt else {})))

    links = [
        link("self", at(q.offset), media, "Trang này"),
        link("alternate", at(q.offset, other), other_media, "Trang này ở dạng khác"),
    ]
    if more:
        links.append(link("next", at(q.offset + q.limit), media, "Trang sau"))
    if q.offset > 0:
        links.append(link("prev", at(max(0, q.offset - q.limit)), media, "Trang trước"))
    here = f"/ogc/collections/{q.collection.id}"
    links.append(link("collection", url(request, here), JSON, q.collection.title))
    return links


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    summary="Một đối tượng (GeoJSON hoặc HTML)",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}, HTML: {}}}},
)
def item(
    collection_id: CollectionId,
    feature_id: Annotated[str, Path(max_length=60)],
    request: Request,
    session: SessionDep,
    grant: Read,
    f: Annotated[Text, Query(description="json, geojson hoặc html")] = None,
    crs: Annotated[Text, Query(description="Hệ tọa độ của kết quả (URI)")] = None,
) -> Response:
    c = collection_for(collection_id, grant.principal)
    check_known(request, ITEM_PARAMETERS)
    shown = answer_format(request, f)
    out = crs_for(crs, "crs")
    props = c.visible(grant.principal)
    found = one_item(session, c, props, out, feature_id)
    if found is None:
        raise NotFound(f"Tập dữ liệu «{c.id}» không có đối tượng «{feature_id}»")
    feature = json.loads(found)
    here = f"/ogc/collections/{c.id}/items/{feature_id}"
    media, other, other_media = (HTML, "json", GEOJSON) if shown == "html" else (GEOJSON, "html", HTML)
    feature["links"] = [
        link("self", str(request.url.include_query_params(f=shown)), media, "Đối tượng này"),
        link("alternate", str(request.url.include_query_params(f=other)), other_media, "Dạng khác"),
        link("collection", url(request, f"/ogc/collections/{c.id}"), JSON, c.title),
    ]
    headers = {"Content-Crs": out.header}
    if shown == "html":
        response = page(request, grant.principal, "item.html", title=f"{c.title}: {feature_id}", doc=feature,
                        collection=c, props=props, crs=out, here_path=here)  # fmt: skip
        response.headers.update(headers)
        return response
    return answer(feature, GEOJSON, headers)
