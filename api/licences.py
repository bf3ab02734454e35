"""HTTP face of operators' frequency licences (per operator and band)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response, status

from api.access import require
from api.bodies.licences import FrequencyLicence as FrequencyLicenceBody
from api.deps import VERSION_RESPONSES, IfMatch, SessionDep, SettingsDep
from api.responses import created, deleted, versioned
from registry.clock import today
from registry.permits import queries, service
from registry.permits.models import FrequencyLicence
from registry.permits.schemas import FrequencyLicenceCreate, FrequencyLicencePatch
from registry.permits.views import licence_record
from registry.schemas import Day

router = APIRouter(prefix="/api/frequency-licences", tags=["Giấy phép tần số"])
LicenceId = Annotated[int, Path(ge=1, le=2**31 - 1)]
On = Annotated[Day | None, Query(description="Ngày xét (mặc định hôm nay)")]


def _dict(session: Any, licence: FrequencyLicence, settings: Any, on: date | None = None) -> dict[str, Any]:
    return licence_record(session, licence, expiring_days=settings.permit_expiring_days, on=on or today())


@router.get(
    "",
    summary="Giấy phép tần số theo doanh nghiệp và băng",
    dependencies=[Depends(require("frequency_licences", "read"))],
    response_model=list[FrequencyLicenceBody],
)
def list_licences(session: SessionDep, settings: SettingsDep, on: On = None) -> list[dict[str, Any]]:
    rows = queries.frequency_licences(session)
    return [_dict(session, lic, settings, on) for lic in rows]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Thêm giấy phép tần số",
    dependencies=[Depends(require("frequency_licences", "create"))],
    response_model=FrequencyLicenceBody,
)
def create_licence(
    data: FrequencyLicenceCreate, session: SessionDep, settings: SettingsDep, response: Response
) -> dict[str, Any]:
    licence = service.create_licence(session, data)
    return created(
        response, _dict(session, licence, settings), location=f"/api/frequency-licences/{licence.id}", record=licence
    )


@router.get(
    "/{licence_id}",
    summary="Một giấy phép tần số",
    dependencies=[Depends(require("frequency_licences", "read"))],
    response_model=FrequencyLicenceBody,
)
def get_licence(
    licence_id: LicenceId, session: SessionDep, settings: SettingsDep, response: Response, on: On = None
) -> dict[str, Any]:
    licence = service.get_licence(session, licence_id)
    return versioned(response, _dict(session, licence, settings, on), licence)


@router.patch(
    "/{licence_id}",
    summary="Sửa giấy phép tần số (cần If-Match)",
    responses=VERSION_RESPONSES,
    dependencies=[Depends(require("frequency_licences", "update"))],
    response_model=FrequencyLicenceBody,
)
def update_licence(
    licence_id: LicenceId,
    data: FrequencyLicencePatch,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch,
) -> dict[str, Any]:
    licence = service.update_licence(session, licence_id, data, expected_version=if_match)
    return versioned(response, _dict(session, licence, settings), licence)


@router.delete(
    "/{licence_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Xóa giấy phép tần số nhập nhầm (cần If-Match)",
    responses=VERSION_RESPONSES,
    dependencies=[Depends(require("frequency_licences", "delete"))],
)
def delete_licence(licence_id: LicenceId, session: SessionDep, if_match: IfMatch) -> Response:
    service.delete_licence(session, licence_id, expected_version=if_match)
    return deleted()
