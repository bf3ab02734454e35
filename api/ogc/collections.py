"""The collections of the OGC API: the list (only those the caller may read) and one collection's
description, with its extent, the CRSs it is served in and the links a client follows."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlalchemy.orm import Session

from api.access import require
from api.deps import SessionDep
from api.ogc.html import page
from api.ogc.links import GEOJSON, HTML, JSON, REL, SCHEMA, answer, link, self_and_alternate, url
from api.ogc.params import answer_format
from registry.accounts.permissions import Grant, Principal
from registry.errors import NotFound
from registry.ogc import crs, queries
from registry.ogc.collections import COLLECTIONS, SITES, Collection

router = APIRouter(prefix="/ogc", tags=["OGC API"])
Read = Annotated[Grant, Depends(require("maps", "read"))]
Fmt = Annotated[str | None, Query(description="json hoặc html (mặc định theo Accept)")]
CollectionId = Annotated[str, Path(max_length=40, description="Mã tập dữ liệu: " + ", ".join(COLLECTIONS))]
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"


def collection_for(collection_id: str, principal: Principal) -> Collection:
    """The collection ``collection_id`` if ``principal`` may read it: 404 for none, 401/403 as the
    permission table says for one they may not."""
    found = COLLECTIONS.get(collection_id)
    if found is None:
        raise NotFound(f"Không có tập dữ liệu «{collection_id[:40]}»; có: {', '.join(COLLECTIONS)}")
    found.check(principal)
    return found


def describe(request: Request, session: Session, c: Collection) -> dict[str, Any]:
    here = f"/ogc/collections/{c.id}"
    ext = queries.extent(session, c)
    extent: dict[str, Any] = {}
    if ext.bbox is not None:
        extent["spatial"] = {"bbox": [list(ext.bbox)], "crs": crs.CRS84}
    if ext.interval is not None:
        first, last = ext.interval
        extent["temporal"] = {
            "interval": [[first.isoformat() if first else None, last.isoformat() if last else None]],
            "trs": GREGORIAN,
        }
    links = [
        link("self", url(request, here), JSON, c.title),
        link("alternate", url(request, here, f="html"), HTML, f"{c.title} (trang web)"),
        link("items", url(request, here + "/items"), GEOJSON, "Các đối tượng (GeoJSON)"),
        link("items", url(request, here + "/items", f="html"), HTML, "Các đối tượng (trang web)"),
        link(REL + "queryables", url(request, here + "/queryables"), SCHEMA, "Các thuộc tính được lọc"),
        link("describedby", url(request, here + "/schema"), SCHEMA, "Lược đồ đối tượng (JSON Schema)"),
        # GDAL 3.6 reads the schema of the fields only from a link named exactly so.
        link("describedBy", url(request, here + "/schema"), SCHEMA, "Lược đồ đối tượng (JSON Schema)"),
    ]
    if c is SITES:
        links.append(link(REL + "tilesets-vector", url(request, here + "/tiles"), JSON, "Ô bản đồ vector"))
    return {
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "keywords": list(c.keywords),
        "itemType": "feature",
        "extent": extent,
        "crs": [x.uri for x in crs.SERVED],
        "storageCrs": crs.CRS84,
        "links": links,
    }


@router.get("/collections", summary="Các tập dữ liệu mà người gọi được xem", response_class=Response)
def collections(request: Request, session: SessionDep, grant: Read, f: Fmt = None) -> Response:
    shown = answer_format(request, f)
    readable = [c for c in COLLECTIONS.values() if c.readable_by(grant.principal)]
    body = {
        "collections": [describe(request, session, c) for c in readable],
        "links": self_and_alternate(request, shown),
    }
    if shown == "html":
        return page(request, grant.principal, "collections.html", title="Các tập dữ liệu", doc=body)
    return answer(body)


@router.get("/collections/{collection_id}", summary="Mô tả một tập dữ liệu", response_class=Response)
def collection(
    collection_id: CollectionId, request: Request, session: SessionDep, grant: Read, f: Fmt = None
) -> Response:
    c = collection_for(collection_id, grant.principal)
    shown = answer_format(request, f)
    body = describe(request, session, c)
    if shown == "html":
        return page(request, grant.principal, "collection.html", title=c.title, doc=body)
    return answer(body)
