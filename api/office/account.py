"""One's own account in the back office (every signed-in member of staff): who am I, and changing
my password with the same model and service as ``POST /api/auth/password``. A changed password ends
every session of the account, this one too, as the API does: the page says so and sends the user to
sign in again."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.access import COOKIE, require
from api.deps import SessionDep
from api.maps import here
from api.office.forms import Form, attempt, to_model
from api.office.pages import Office, OfficeDep, in_thread, page
from api.office.users import role_names, when
from maps.templating import render
from registry.accounts import service
from registry.accounts.schemas import PasswordChange
from registry.errors import FieldError, ValidationFailed

router = APIRouter(prefix="/office/account", tags=["Văn phòng"], include_in_schema=False)

LABELS = {
    "current_password": "Mật khẩu hiện tại",
    "new_password": "Mật khẩu mới",
    "new_password_again": "Nhập lại mật khẩu mới",
}


def _page(office: Office, session: Any, form: Form) -> Response:
    user = service.get_user(session, office.principal.username or "")
    details = [
        ("Tên đăng nhập", user.username),
        ("Họ và tên", user.full_name),
        ("Thư điện tử", user.email),
        ("Phòng, đơn vị", user.unit),
        ("Vai trò", role_names(user.roles)),
        ("Đăng nhập gần nhất", when(user.last_login_at)),
    ]
    form.values.clear()  # passwords are never sent back, not even a refused one
    return page(office, "account.html", title="Tài khoản của tôi", status=422 if form.refused else 200, f=form,
                details=details)  # fmt: skip


@router.get("", dependencies=[Depends(require("account", "update"))], summary="Tài khoản của tôi")
def account_page(office: OfficeDep, session: SessionDep) -> Response:
    return _page(office, session, Form(labels=LABELS, values={}))


@router.post("/password", dependencies=[Depends(require("account", "update"))], summary="Đổi mật khẩu của mình")
async def account_password(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    posted = await request.form()
    # Passwords as typed; the API's model (PasswordChange) then reads them as it reads the API's body.
    values = {k: v for k in LABELS if isinstance(v := posted.get(k), str)}
    return await in_thread(_change, office, session, values)


def _change(office: Office, session: Any, values: dict[str, str]) -> Response:
    form = Form(labels=LABELS, values=dict(values))
    with attempt(session, form):
        data = to_model(PasswordChange, {k: values.get(k, "") for k in ("current_password", "new_password")})
        if values.get("new_password_again", "") != values.get("new_password", ""):
            raise ValidationFailed(
                "Hai lần nhập mật khẩu mới không khớp",
                [FieldError("Không khớp với mật khẩu mới", field="new_password_again")],
            )
        assert office.principal.user_id is not None
        service.change_own_password(session, office.principal.user_id, data.current_password, data.new_password)
    if form.refused:
        return _page(office, session, form)
    # Every session of the account is revoked (this one too): the cookie goes, the user signs in again.
    html = render("office/account_done.html", title="Đã đổi mật khẩu", lang="vi", username=None,
                  here=here(office.request))  # fmt: skip
    response = HTMLResponse(html, headers={"Cache-Control": "no-store"})
    response.delete_cookie(COOKIE, path="/")
    return response
