"""What a collection's features carry, as JSON Schema: /queryables (Part 3: the properties a filter
may name: those the caller may read, and the geometry) and /schema (the feature as a whole: GDAL
types its fields from it, so a page whose first rows are empty still gives numbers and dates)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from api.access import require
from api.ogc.collections import CollectionId, collection_for
from api.ogc.html import page
from api.ogc.links import SCHEMA, answer, url
from api.ogc.params import answer_format
from registry.accounts.permissions import Grant
from registry.ogc.collections import Collection, Prop

router = APIRouter(prefix="/ogc", tags=["OGC API"])
Read = Annotated[Grant, Depends(require("maps", "read"))]
Fmt = Annotated[str | None, Query(description="json hoặc html (mặc định theo Accept)")]
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _geometry(c: Collection) -> dict[str, Any]:
    return {
        "title": "Hình học",
        "format": "geometry-" + c.geometry_type.lower(),
        "x-ogc-role": "primary-geometry",
    }


def queryables_of(request: Request, c: Collection, props: tuple[Prop, ...]) -> dict[str, Any]:
    return {
        "$schema": DIALECT,
        "$id": url(request, f"/ogc/collections/{c.id}/queryables"),
        "type": "object",
        "title": f"{c.title}: các thuộc tính lọc được",
        "description": "Dùng trong filter (CQL2); thuộc tính danh sách: = và IN nghĩa là có chứa phần tử.",
        "properties": {"geometry": _geometry(c), **{p.name: p.schema() for p in props}},
        "additionalProperties": False,
    }


@router.get(
    "/collections/{collection_id}/queryables",
    summary="Các thuộc tính lọc được (JSON Schema)",
    response_class=Response,
    responses={200: {"content": {SCHEMA: {}}}},
)
def queryables(collection_id: CollectionId, request: Request, grant: Read, f: Fmt = None) -> Response:
    c = collection_for(collection_id, grant.principal)
    shown = answer_format(request, f)
    props = c.visible(grant.principal)
    body = queryables_of(request, c, props)
    if shown == "html":
        return page(request, grant.principal, "queryables.html", title=body["title"], doc=body, collection=c)
    return answer(body, SCHEMA)


@router.get(
    "/collections/{collection_id}/schema",
    summary="Lược đồ một đối tượng (JSON Schema của Feature)",
    response_class=Response,
    responses={200: {"content": {SCHEMA: {}}}},
)
def schema(collection_id: CollectionId, request: Request, grant: Read) -> Response:
    c = collection_for(collection_id, grant.principal)
    props = c.visible(grant.principal)
    body = {
        "$schema": DIALECT,
        "$id": url(request, f"/ogc/collections/{c.id}/schema"),
        "title": c.title,
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": c.id_type},
            "geometry": _geometry(c),
            "properties": {"type": "object", "properties": {p.name: p.schema() for p in props}},
        },
    }
    return answer(body, SCHEMA)
