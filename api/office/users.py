"""Accounts in the back office (admins): the list, create one (its password shown once), its page with
the history, change its roles or details, disable or enable it, reset its password.

Every page calls what ``/api/users`` calls (registry.accounts.service) under the same permission
(``users``: admins), with the API's own models (UserCreate, UserPatch). A generated password is shown
once, in the answer to the POST that made it (200, ``Cache-Control: no-store``): never stored in
clear, never in a URL, never on a page that a reload or a link could bring back."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response

from api import audit
from api.access import require
from api.deps import SessionDep
from api.office import exports
from api.office.forms import Form, attempt, changed, form_values, posted_version, to_model
from api.office.lists import Column, Filter, Listing, paging
from api.office.pages import Office, OfficeDep, done, in_thread, page
from maps.record_pages import history_rows
from maps.templating import Link, State
from registry.accounts import queries, service
from registry.accounts.models import ROLE_NAMES, USERNAME_PATTERN, Role, User
from registry.accounts.permissions import authorize
from registry.accounts.schemas import UserCreate, UserPatch
from registry.clock import VIETNAM
from registry.errors import Conflict, StaleVersion

router = APIRouter(prefix="/office/admin/users", tags=["Văn phòng"], include_in_schema=False)
# The same rule as the API's path (api/users.py).
Username = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
HOME = ("/office/admin/users", "Tài khoản")
HISTORY_ROWS = 200

LABELS = {
    "username": "Tên đăng nhập",
    "full_name": "Họ và tên",
    "email": "Thư điện tử",
    "unit": "Phòng, đơn vị",
    "roles": "Vai trò",
    "password": "Mật khẩu ban đầu",
}
DETAIL_FIELDS = ("full_name", "email", "unit")
ROLE_OPTIONS = [(r.value, ROLE_NAMES[r]) for r in Role]
USERNAME_HINT = "2–63 ký tự: chữ thường không dấu, số và dấu . _ - ; bắt đầu bằng chữ hoặc số. Ví dụ: nguyen.van.a"
STATE_NAMES = {True: "Đang hoạt động", False: "Đã khóa"}

COLUMNS = (
    Column("username", "Tên đăng nhập", "username"),
    Column("full_name", "Họ và tên", "full_name"),
    Column("unit", "Phòng, đơn vị", "unit"),
    Column("roles", "Vai trò"),
    Column("active", "Tình trạng", "active"),
    Column("created_at", "Tạo lúc", "created_at"),
    Column("last_login_at", "Đăng nhập gần nhất", "last_login_at"),
)


def when(value: datetime | None) -> str | None:
    """A moment as staff read it: dd/mm/yyyy HH:MM, Vietnam's time."""
    return None if value is None else value.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def role_names(roles: list[str]) -> list[str]:
    return [ROLE_NAMES[Role(r)] for r in sorted(roles) if r in Role.__members__]


def _state(active: bool) -> State:
    return State(STATE_NAMES[active], "active" if active else "disabled")


def _row(user: User, *, for_page: bool) -> dict[str, Any]:
    return {
        "username": Link(f"/office/admin/users/{user.username}", user.username) if for_page else user.username,
        "full_name": user.full_name,
        "unit": user.unit,
        "email": user.email,
        "roles": role_names(user.roles),
        "active": _state(user.active),
        "created_at": when(user.created_at),
        "last_login_at": when(user.last_login_at),
    }


def _listing(request: Request, session: Any, *, everything: bool = False) -> tuple[Listing, list[dict[str, Any]]]:
    pg = paging(request, sorts=list(queries.SORTS), default_sort="username")
    listing = Listing(
        request,
        "tài khoản",
        COLUMNS,
        [],
        0,
        pg,
        filters=(
            Filter("role", "Vai trò", ROLE_OPTIONS),
            Filter("active", "Tình trạng", [("1", STATE_NAMES[True]), ("0", STATE_NAMES[False])]),
        ),
        search="Tên đăng nhập hoặc họ tên",
    )
    roles = [r for r in listing.selected("role") if r in Role.__members__]
    states = {s for s in listing.selected("active") if s in ("0", "1")}
    active = None if len(states) != 1 else states == {"1"}
    users, total = queries.user_page(
        session,
        q=listing.q[:200],
        roles=roles,
        active=active,
        sort=pg.sort or "username",
        offset=0 if everything else pg.offset,
        limit=None if everything else pg.per_page,
    )
    listing.total = total
    listing.rows = [_row(u, for_page=not everything) for u in users]
    query = listing.export_query()
    listing.exports = [(fmt.upper(), f"/office/admin/users.{fmt}?{query}") for fmt in ("csv", "xlsx")]
    listing.actions = [("Tạo tài khoản", "/office/admin/users/new")]
    return listing, listing.rows if everything else []


@router.get("", dependencies=[Depends(require("users", "read"))], summary="Danh sách tài khoản")
def user_list(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    listing, _ = _listing(request, session)
    return page(office, "list.html", title="Tài khoản", listing=listing)


EXPORT_COLUMNS = (*COLUMNS[:3], Column("email", "Thư điện tử"), *COLUMNS[3:])


@router.get(".{fmt}", dependencies=[Depends(require("users", "read"))], summary="Xuất danh sách tài khoản")
def user_export(fmt: exports.Format, request: Request, session: SessionDep) -> Response:
    _, rows = _listing(request, session, everything=True)
    return exports.export(fmt, EXPORT_COLUMNS, rows, name="tai-khoan", sheet="Tài khoản")


# --- create ----------------------------------------------------------------------------------------


def _new_page(office: Office, form: Form, *, status: int = 200) -> Response:
    form.values.pop("password", None)  # a password typed is never sent back
    return page(office, "user_form.html", title="Tạo tài khoản", status=422 if form.refused else status, f=form,
                mode="new", action="/office/admin/users/new", roles=ROLE_OPTIONS, username_hint=USERNAME_HINT,
                username_pattern=USERNAME_PATTERN.strip("^$"), version=None, back=HOME[0], crumbs=[HOME])  # fmt: skip


@router.get("/new", dependencies=[Depends(require("users", "create"))], summary="Tạo tài khoản")
def user_new(office: OfficeDep) -> Response:
    return _new_page(office, Form(labels=LABELS, values={}))


@router.post("/new", dependencies=[Depends(require("users", "create"))], summary="Tạo tài khoản")
async def user_create(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    values = form_values(await request.form(), lists=frozenset({"roles"}))
    return await in_thread(_create, office, session, values)


def _create(office: Office, session: Any, values: dict[str, Any]) -> Response:
    form = Form(labels=LABELS, values=values)
    created: tuple[User, str | None] | None = None
    with attempt(session, form):
        created = service.create_user(session, to_model(UserCreate, values))
    if form.refused or created is None:
        return _new_page(office, form)
    user, generated = created
    # Shown here, once: this answer to the POST is the only place the password ever appears.
    return page(office, "user_password.html", title=f"Đã tạo tài khoản {user.username}", user=user,
                roles=role_names(user.roles), password=generated, created=True, crumbs=[HOME])  # fmt: skip


# --- the record ------------------------------------------------------------------------------------


def _details(session: Any, user: User) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = [
        (LABELS["username"], user.username),
        (LABELS["full_name"], user.full_name),
        (LABELS["email"], user.email),
        (LABELS["unit"], user.unit),
        (LABELS["roles"], role_names(user.roles)),
        ("Tình trạng", _state(user.active)),
        ("Tạo lúc", when(user.created_at)),
        ("Đăng nhập gần nhất", when(user.last_login_at) or "chưa đăng nhập lần nào"),
        ("Phiên đăng nhập còn hiệu lực", queries.live_sessions(session, user.id)),
    ]
    if user.locked_until is not None:
        rows.append(("Tạm khóa đăng nhập đến", when(user.locked_until)))
    rows.append(("Phiên bản", user.version))
    return rows


@router.get("/{username}", dependencies=[Depends(require("users", "read"))], summary="Tài khoản")
def user_page(username: Username, office: OfficeDep, session: SessionDep) -> Response:
    user = service.get_user(session, username)
    grant = authorize(office.principal, "audit", "read")
    history = audit.history(session, grant, "user", user.id, limit=HISTORY_ROWS, offset=0)
    return page(office, "user.html", title=f"Tài khoản {user.username}", user=user,
                details=_details(session, user), history=history_rows(history),
                myself=user.username == office.principal.username, crumbs=[HOME])  # fmt: skip


# --- changes: roles, details, disable/enable -------------------------------------------------------

ACTIONS = {
    # mode: (title, what it says)
    "roles": ("Đổi vai trò", "Vai trò mới có hiệu lực ngay, cả với các phiên đang đăng nhập."),
    "edit": ("Sửa thông tin", "Tên đăng nhập không đổi được; sai tên thì khóa tài khoản này và tạo tài khoản mới."),
    "active": ("Khóa hoặc mở khóa", ""),
}


def _values(user: User) -> dict[str, Any]:
    return {"full_name": user.full_name or "", "email": user.email or "", "unit": user.unit or "",
            "roles": sorted(user.roles), "active": "true" if user.active else "false"}  # fmt: skip


def _action_page(office: Office, mode: str, user: User, form: Form, version: int | None, *, status: int = 200
                 ) -> Response:  # fmt: skip
    title, intro = ACTIONS[mode]
    if form.refused and status == 200:
        status = 422
    return page(office, "user_form.html", title=f"{title}: {user.username}", status=status, f=form, mode=mode,
                action=f"/office/admin/users/{user.username}/{mode}", roles=ROLE_OPTIONS, intro=intro, user=user,
                myself=user.username == office.principal.username, version=version, username_hint="",
                username_pattern="", back=f"/office/admin/users/{user.username}",
                crumbs=[HOME, (f"/office/admin/users/{user.username}", user.username)])  # fmt: skip


def _action_get(mode: str) -> Any:
    def show(username: Username, office: OfficeDep, session: SessionDep) -> Response:
        user = service.get_user(session, username)
        values = _values(user)
        if mode == "active":
            values["active"] = "false" if user.active else "true"  # the form offers the other state
        return _action_page(office, mode, user, Form(labels=LABELS, values=values), user.version)

    return show


def _action_post(mode: str) -> Any:
    async def post(username: Username, request: Request, office: OfficeDep, session: SessionDep) -> Response:
        posted = await request.form()
        values = form_values(posted, lists=frozenset({"roles"}))
        if mode == "roles":
            values.setdefault("roles", [])  # no box ticked: no field posted at all
        return await in_thread(_change, office, session, mode, username, values, posted_version(posted))

    return post


def _patch(mode: str, values: Mapping[str, Any], original: Mapping[str, Any]) -> tuple[dict[str, Any], frozenset[str]]:
    if mode == "roles":
        return changed({"roles": values.get("roles", [])}, original), frozenset()
    if mode == "active":
        wanted = values.get("active")
        return ({"active": wanted} if wanted in ("true", "false") else {"active": ""}), frozenset()
    edits = changed({k: values.get(k, "") for k in DETAIL_FIELDS}, original)
    return edits, frozenset(k for k, v in edits.items() if v == "")


def _change(office: Office, session: Any, mode: str, username: str, values: dict[str, Any],
            version: int | None) -> Response:  # fmt: skip
    user = service.get_user(session, username)
    original = _values(user)
    form = Form(labels={**LABELS, "active": "Tình trạng"}, values=values)
    edits, clear = _patch(mode, values, original)
    back = f"/office/admin/users/{user.username}"
    if not edits:
        return done(back, "saved")
    conflict = False
    try:
        with attempt(session, form):
            try:
                service.update_user(session, user.username, to_model(UserPatch, edits, clear=clear),
                                    expected_version=version)  # fmt: skip
            except Conflict:
                conflict = True
                raise
    except StaleVersion:
        return _stale(office, mode, user, original, values)
    if form.refused:
        session.refresh(user)
        return _action_page(office, mode, user, form, version, status=409 if conflict else 422)
    if mode == "active" and edits["active"] == "false" and user.username == office.principal.username:
        return RedirectResponse("/maps/sign-in?next=/office/", status_code=303)  # one's own sessions are gone
    return done(back, "saved")


def _shown(mode: str, values: Mapping[str, Any]) -> dict[str, str]:
    """A form's values as the conflict page says them."""
    if mode == "roles":
        return {"roles": ", ".join(role_names(list(values.get("roles") or [])))}
    if mode == "active":
        return {"active": STATE_NAMES[values.get("active") == "true"]}
    return {k: str(values.get(k) or "") for k in DETAIL_FIELDS}


def _stale(office: Office, mode: str, user: User, current: Mapping[str, Any], mine: Mapping[str, Any]) -> Response:
    """Someone saved the account after this admin opened the form: nothing saved, both versions shown
    in words, and a button that re-applies this admin's values on top of the current version."""
    labels = {**LABELS, "active": "Tình trạng"}
    now, wanted = _shown(mode, current), _shown(mode, mine)
    rows = [(labels[k], now[k], wanted[k], now[k] != wanted[k]) for k in now]
    fields = {"roles": ("roles",), "active": ("active",), "edit": DETAIL_FIELDS}[mode]
    resend = [(k, v) for k in fields for v in (mine.get(k) if isinstance(mine.get(k), list) else [mine.get(k, "")])]
    back = f"/office/admin/users/{user.username}"
    return page(office, "conflict.html", title="Bản ghi đã thay đổi trong lúc bạn sửa", status=409, rows=rows,
                resend=resend, action=f"{back}/{mode}", back=back, current_version=user.version,
                who_saved="Trong lúc bạn sửa, tài khoản đã được lưu bởi người khác.",
                crumbs=[HOME, (back, user.username)])  # fmt: skip


for _mode in ACTIONS:
    router.add_api_route(
        f"/{{username}}/{_mode}", _action_get(_mode), methods=["GET"], summary=ACTIONS[_mode][0],
        dependencies=[Depends(require("users", "update"))],
    )  # fmt: skip
    router.add_api_route(
        f"/{{username}}/{_mode}", _action_post(_mode), methods=["POST"], summary=ACTIONS[_mode][0],
        dependencies=[Depends(require("users", "update"))],
    )  # fmt: skip


# --- reset the password ----------------------------------------------------------------------------


RESET = {"dependencies": [Depends(require("users", "update"))], "summary": "Đặt lại mật khẩu"}


@router.get("/{username}/reset-password", **RESET)
def user_reset_form(username: Username, office: OfficeDep, session: SessionDep) -> Response:
    user = service.get_user(session, username)
    back = f"/office/admin/users/{user.username}"
    return page(office, "user_reset.html", title=f"Đặt lại mật khẩu: {user.username}", user=user, back=back,
                myself=user.username == office.principal.username, crumbs=[HOME, (back, user.username)])  # fmt: skip


@router.post("/{username}/reset-password", **RESET)
def user_reset(username: Username, office: OfficeDep, session: SessionDep) -> Response:
    user, password = service.reset_password(session, username)
    back = f"/office/admin/users/{user.username}"
    # Shown here, once, as the API's reset route answers it.
    return page(office, "user_password.html", title=f"Mật khẩu mới của {user.username}", user=user,
                roles=role_names(user.roles), password=password, created=False,
                myself=user.username == office.principal.username, crumbs=[HOME, (back, user.username)])  # fmt: skip
