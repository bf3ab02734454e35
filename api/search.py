"""HTTP face of the maps' one search box: codes, the registry's addresses, communes, coordinates."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.access import require
from api.bodies.search import Find
from api.deps import SessionDep
from registry.accounts.permissions import Grant, visible_fields
from registry.search import MAX_LIMIT, MAX_QUERY, search

router = APIRouter(prefix="/api/search", tags=["Tìm kiếm"])


@router.get(
    "",
    summary="Tìm mã vị trí, mã trạm, địa chỉ, xã/phường hoặc tọa độ (tốt nhất trước, không cần mạng ngoài)",
    response_model=Find,
)
def find(
    session: SessionDep,
    grant: Annotated[Grant, Depends(require("sites", "read"))],
    q: Annotated[
        str,
        Query(
            max_length=MAX_QUERY,
            description="Mã vị trí hoặc trạm, địa chỉ, tên xã/phường (có hoặc không dấu), tọa độ thập phân "
            "hoặc độ-phút-giây, hay VN-2000 «X=… Y=… 105°45'» / «… EPSG:9210»",
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Số kết quả (tối đa {MAX_LIMIT})")] = 10,
) -> dict[str, Any]:
    found = search(session, q, limit=limit, station_fields=visible_fields(grant.principal, "station"))
    return {"query": q, "results": [f.as_dict() for f in found]}
