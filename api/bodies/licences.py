"""What the routes of api/licences.py answer (see api.bodies)."""

from __future__ import annotations

from api.bodies.common import Validity


class FrequencyLicence(Validity):
    """Một giấy phép tần số (registry.permits.views.licence_dict): đọc, thêm, sửa, trong danh sách."""

    id: int
    operator: str
    operator_code: str
    band: str
