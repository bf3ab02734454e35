"""What every back-office page has: the signed-in user, the CSRF token for its forms, the menu of
the areas their roles work in, a message after a change, and the layout (maps/templates/office/)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from api.access import PrincipalDep
from api.csrf import token_for
from api.maps import here
from maps.templating import render
from registry.accounts.models import ROLE_NAMES, Role
from registry.accounts.permissions import Principal, rule

T = TypeVar("T")

# The back office's areas: (path, label, the resource and action a role needs to see it in the menu).
MENU: tuple[tuple[str, str, str, str], ...] = (
    ("/office/", "Việc của tôi", "office", "read"),
    ("/office/sites", "Vị trí và trạm", "sites", "read"),
    ("/office/permits", "Giấy phép", "permits", "read"),
    ("/office/work", "Danh sách công việc", "permit_reports", "read"),
    ("/office/check", "Kiểm tra vị trí dự kiến", "permit_checks", "read"),
    ("/office/zones", "Quy hoạch", "zones", "read"),
    ("/office/licences", "Giấy phép tần số", "frequency_licences", "read"),
    ("/office/press/outlets", "Báo chí", "press_outlets", "create"),
    ("/office/press/work", "Việc báo chí", "press_reports", "read"),
    ("/office/dossiers", "Hồ sơ một cửa", "dossiers", "update"),
    ("/office/cases", "Vụ việc, thanh tra", "cases", "create"),
    ("/office/admin/users", "Tài khoản", "users", "read"),
    ("/office/admin/rules", "Quy định", "rules", "create"),
    ("/office/admin/calendar", "Lịch làm việc", "calendar", "update"),
    ("/office/admin/procedures", "Thủ tục", "procedures", "update"),
    ("/office/admin/audit", "Nhật ký", "audit", "read"),
    ("/office/account", "Tài khoản của tôi", "account", "update"),
)

# Pages that belong to a menu item without lying under its path.
ALSO = {
    "/office/zones": ("/office/spacing-rules",),
    "/office/sites": ("/office/stations",),
    "/office/press/outlets": (
        "/office/press/licences",
        "/office/press/notifications",
        "/office/press/annual-reports",
        "/office/press/mergers",
        "/office/press/import",
    ),
    "/office/cases": ("/office/reception", "/office/inspections", "/office/sanctions"),
    "/office/admin/rules": ("/office/admin/deadline-rules", "/office/admin/permit-rules"),
}

# Messages after a change, by the key a redirect carries in ``?msg=`` (never text from the URL).
MESSAGES = {
    "created": "Đã thêm.",
    "saved": "Đã lưu thay đổi.",
    "deleted": "Đã xóa.",
    "imported": "Đã nhập dữ liệu.",
    "moved": "Đã chuyển bước hồ sơ; bước mới có trong các bước đã thực hiện.",
}


@dataclass(frozen=True)
class Office:
    """The request a page answers and who asks."""

    request: Request
    principal: Principal

    @property
    def csrf(self) -> str | None:
        return token_for(self.request.app.state.settings.secret(), self.principal.token_id)

    @property
    def menu(self) -> list[tuple[str, str, bool]]:
        path = self.request.url.path
        items = []
        for href, label, resource, action in MENU:
            if rule(resource, action).allows(self.principal.keys):
                current = path == href if href == "/office/" else path.startswith((href, *ALSO.get(href, ())))
                items.append((href, label, current))
        return items

    @property
    def role_names(self) -> list[str]:
        return [ROLE_NAMES[Role(r)] for r in sorted(self.principal.roles) if r in Role.__members__]

    def can(self, resource: str, action: str) -> bool:
        return rule(resource, action).allows(self.principal.keys)


def office_of(request: Request, principal: PrincipalDep) -> Office:
    return Office(request, principal)


OfficeDep = Annotated[Office, Depends(office_of)]


def page(office: Office, template: str, *, title: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The page ``template`` (under maps/templates/office/) in the back office's layout."""
    msg = office.request.query_params.get("msg")
    html = render(
        f"office/{template}",
        title=title,
        lang="vi",
        username=office.principal.username,
        here=here(office.request),
        office=office,
        csrf=office.csrf,
        message=MESSAGES.get(msg or ""),
        **context,
    )
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def done(path: str, msg: str) -> RedirectResponse:
    """After a change, the page that shows it (Post/Redirect/Get: a reload does not repeat the change)."""
    sep = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{sep}msg={quote(msg)}", status_code=303)


def stale_page(
    office: Office,
    *,
    action: str,
    back: str,
    labels: Mapping[str, str],
    current: Mapping[str, Any],
    mine: Mapping[str, Any],
    current_version: int,
    crumbs: list[tuple[str, str]] | None = None,
) -> HTMLResponse:
    """Someone saved the record after this officer opened it: nothing was saved; both versions are
    shown field by field, and the officer may re-apply their values on top of the current version."""

    def text(v: Any) -> str:
        return ", ".join(map(str, v)) if isinstance(v, list | tuple) else ("" if v is None else str(v))

    rows = [
        (label, text(current.get(name)), text(mine.get(name)), text(current.get(name)) != text(mine.get(name)))
        for name, label in labels.items()
        if name in mine or name in current
    ]
    resend = [
        (name, v) for name, value in mine.items() for v in (value if isinstance(value, list | tuple) else [value])
    ]
    return page(
        office,
        "conflict.html",
        title="Bản ghi đã thay đổi trong lúc bạn sửa",
        status=409,
        rows=rows,
        resend=resend,
        action=action,
        back=back,
        current_version=current_version,
        who_saved="Trong lúc bạn sửa, bản ghi đã được lưu bởi người khác.",
        crumbs=crumbs or [],
    )


async def in_thread(work: Callable[..., T], *args: Any) -> T:
    """A form handler reads the posted form asynchronously (``await request.form()``), then does its
    database work here, in the thread pool, as every synchronous route does."""
    return await run_in_threadpool(work, *args)
