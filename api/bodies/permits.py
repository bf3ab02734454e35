"""What the routes of api/permits.py answer (see api.bodies)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from api.bodies import Body
from api.bodies.common import DossierLink, IsoDate, Validity


class PermitDocument(Body):
    """Bản scan của giấy phép."""

    filename: str
    media_type: str
    size_bytes: int
    sha256: str
    href: str


class PermitItem(Validity):
    """Một giấy phép trong danh sách (registry.permits.views.permit_dict)."""

    id: int
    kind: str | None
    kind_name: str
    site_code: str | None
    station_id: int | None
    station_code: str | None
    document: PermitDocument | None


class ListPermits(Body):
    on: IsoDate | None
    total: int
    limit: int
    offset: int
    items: list[PermitItem]


class Permit(PermitItem):
    """Một giấy phép như khi đọc, thêm, sửa (registry.permits.views.permit_record): kèm hồ sơ một cửa."""

    dossier: DossierLink | None


class PermitWithDocument(Permit):
    """Giấy phép sau khi gắn bản scan."""

    document: PermitDocument


class WorkListPage(Body):
    """Một trang danh sách công việc (sắp hết hạn, thiếu giấy phép, kiểm định hết hạn)."""

    on: IsoDate
    count: int = Field(description="Số dòng của cả danh sách, không chỉ trang này")
    limit: int
    offset: int
    items: list[dict[str, Any]]
