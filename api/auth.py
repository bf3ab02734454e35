"""Signing in and out (OAuth2 password flow → bearer token), who am I, changing one's password."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from api.access import COOKIE, require
from api.bodies.auth import IssueToken, Me
from api.clients import client_address, client_scheme
from api.deps import SessionDep
from registry.accounts import service, throttle, tokens
from registry.accounts.models import ROLE_NAMES, Role
from registry.accounts.permissions import Grant
from registry.accounts.schemas import PasswordChange
from registry.errors import FieldError, NotAuthenticated, TooManyAttempts, ValidationFailed

router = APIRouter(prefix="/api/auth", tags=["Tài khoản"])


@router.post(
    "/token",
    summary="Đăng nhập (OAuth2 password): trả về bearer token có hạn",
    dependencies=[Depends(require("sessions", "create"))],
    responses={
        401: {"description": "Sai tên đăng nhập hoặc mật khẩu (tên không có cũng trả lời y như vậy)"},
        429: {"description": "Địa chỉ này thử sai quá nhiều lần với tên này (hoặc với mọi tên): chờ Retry-After giây"},
    },
    response_model=IssueToken,
)
def issue_token(
    request: Request,
    response: Response,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    cookie: Annotated[
        bool, Query(description="Cũng lưu token vào cookie (cho các trang bản đồ và hồ sơ mở bằng trình duyệt)")
    ] = False,
) -> dict[str, Any]:
    if len(form.username) > 64 or len(form.password) > 256 or "\x00" in form.username + form.password:
        raise ValidationFailed(
            "Dữ liệu đăng nhập không hợp lệ", [FieldError("Quá dài hoặc có ký tự lạ", field="username")]
        )
    settings = request.app.state.settings
    client = client_address(request)
    sessions = request.app.state.sessionmaker
    # The attempt is counted first and committed at once (every worker sees it, parallel attempts
    # cannot all slip in, and no row stays locked while argon2 runs); the check then has its own
    # transaction, committed even when it refuses so that the refusal is audited.
    with sessions() as session, session.begin():
        ticket = throttle.take(session, client=client, name=form.username, settings=settings, now=datetime.now(UTC))
    refused: NotAuthenticated | TooManyAttempts | None = None
    with sessions() as session, session.begin():
        try:
            login = service.login(session, form.username, form.password, settings, ticket=ticket, client=client)
            body = {
                "access_token": login.token.token,
                "token_type": "bearer",
                "expires_in": int(settings.token_ttl_minutes * 60),
                "expires_at": login.token.expires_at.isoformat(),
                "user": service.user_dict(login.user),
            }
        except service.LoginRefused as exc:
            refused = exc.error
    if refused is not None:
        raise refused
    if cookie:
        response.set_cookie(
            COOKIE,
            body["access_token"],
            max_age=body["expires_in"],
            httponly=True,
            samesite="strict",
            secure=client_scheme(request) == "https",
            path="/",
        )
    return body


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, summary="Đăng xuất: thu hồi token đang dùng")
def logout(session: SessionDep, grant: Annotated[Grant, Depends(require("account", "update"))]) -> Response:
    assert grant.principal.token_id is not None
    tokens.revoke(session, grant.principal.token_id)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/me", summary="Tài khoản đang đăng nhập và vai trò", response_model=Me)
def me(session: SessionDep, grant: Annotated[Grant, Depends(require("account", "read"))]) -> dict[str, Any]:
    user = service.get_user(session, grant.principal.username or "")
    body = service.user_dict(user)
    body["role_names"] = [ROLE_NAMES[Role(r)] for r in body["roles"]]
    return body


@router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Đổi mật khẩu của mình (mọi token cũ bị thu hồi)",
)
def change_password(
    data: PasswordChange, session: SessionDep, grant: Annotated[Grant, Depends(require("account", "update"))]
) -> Response:
    assert grant.principal.user_id is not None
    service.change_own_password(session, grant.principal.user_id, data.current_password, data.new_password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
