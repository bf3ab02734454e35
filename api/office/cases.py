"""(stub: being written for issue #17)"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/office/cases", tags=["Văn phòng"], include_in_schema=False)
