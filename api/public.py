"""What anyone may look up without an account: a dossier's progress by its receipt code.

The answer names the procedure, the status, the step of the internal process and the appointment
date — never the applicant. Each client address has a limited number of look-ups per window
(api/ratelimit.py) so that receipt codes cannot be guessed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from api.access import require
from api.bodies.public import Lookup
from api.deps import SessionDep
from api.ratelimit import public_lookup_limit
from registry.accounts.permissions import Grant
from registry.clock import today
from registry.procedures import service
from registry.procedures.receipts import LOOKUP_PATTERN
from registry.procedures.views import public_dict

router = APIRouter(prefix="/public", tags=["Tra cứu công khai"])


@router.get(
    "/dossiers/{receipt_code}",
    summary="Tra cứu tình trạng hồ sơ theo mã biên nhận (không có thông tin cá nhân; giới hạn số lần tra cứu)",
    responses={429: {"description": "Tra cứu quá nhiều lần; thử lại sau Retry-After giây"}},
    response_model=Lookup,
)
def lookup(
    receipt_code: Annotated[
        str, Path(max_length=40, pattern=LOOKUP_PATTERN, description="Mã hồ sơ trên giấy biên nhận")
    ],
    session: SessionDep,
    response: Response,
    _: Annotated[Grant, Depends(require("public_dossiers", "read"))],
    __: Annotated[None, Depends(public_lookup_limit)],
) -> dict[str, Any]:
    d = service.get_dossier(session, receipt_code)
    response.headers["Cache-Control"] = "no-store"
    return public_dict(d, today=today())
