"""Managing accounts (admins): list, create, change roles and details, disable, reset a password."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response, status

from api.access import require
from api.bodies.users import CreateUser, ListUser, ResetPassword
from api.deps import VERSION_RESPONSES, IfMatch, SessionDep
from api.responses import created, versioned
from registry.accounts import service
from registry.accounts.permissions import Grant
from registry.accounts.schemas import UserCreate, UserPatch

router = APIRouter(prefix="/api/users", tags=["Tài khoản"])
Username = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]


@router.get(
    "",
    summary="Danh sách tài khoản",
    dependencies=[Depends(require("users", "read"))],
    response_model=list[ListUser],
)
def list_users(session: SessionDep) -> list[dict[str, Any]]:
    return [service.user_dict(u) for u in service.list_users(session)]


@router.get(
    "/{username}",
    summary="Một tài khoản (ETag = phiên bản)",
    dependencies=[Depends(require("users", "read"))],
    response_model=ListUser,
)
def get_user(username: Username, session: SessionDep, response: Response) -> dict[str, Any]:
    user = service.get_user(session, username)
    return versioned(response, service.user_dict(user), user)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Tạo tài khoản; bỏ trống mật khẩu để hệ thống tạo (chỉ hiện một lần)",
    dependencies=[Depends(require("users", "create"))],
    response_model=CreateUser,
)
def create_user(data: UserCreate, session: SessionDep, response: Response) -> dict[str, Any]:
    user, generated = service.create_user(session, data)
    body = service.user_dict(user)
    if generated:
        body["password"] = generated
    return created(response, body, location=f"/api/users/{user.username}", record=user)


@router.patch(
    "/{username}",
    summary="Sửa vai trò, thông tin, khóa/mở tài khoản (cần If-Match)",
    responses=VERSION_RESPONSES,
    dependencies=[Depends(require("users", "update"))],
    response_model=ListUser,
)
def update_user(
    username: Username, data: UserPatch, session: SessionDep, response: Response, if_match: IfMatch
) -> dict[str, Any]:
    user = service.update_user(session, username, data, expected_version=if_match)
    return versioned(response, service.user_dict(user), user)


@router.post(
    "/{username}/password",
    summary="Đặt lại mật khẩu: hệ thống tạo mật khẩu mới (hiện một lần), thu hồi mọi token",
    response_model=ResetPassword,
)
def reset_password(
    username: Username, session: SessionDep, _: Annotated[Grant, Depends(require("users", "update"))]
) -> dict[str, Any]:
    user, password = service.reset_password(session, username)
    return {"username": user.username, "password": password}
