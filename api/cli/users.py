"""`tttt users`: accounts and roles; a password is shown once, never stored in clear."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from api.cli.common import acting, err, fail, print_user_errors, table
from registry.errors import RegistryError

if TYPE_CHECKING:
    from registry.accounts.models import Role

app = typer.Typer(help="Tài khoản và vai trò", no_args_is_help=True)

ROLE_HELP = "admin, licensing_officer, inspector, press_manager, one_stop_officer, viewer (lặp lại cho nhiều vai trò)"


def _roles(values: list[str] | None) -> list[Role]:
    from registry.accounts.models import Role

    roles = []
    for raw in values or []:
        for v in raw.split(","):
            v = v.strip()
            if not v:
                continue
            try:
                roles.append(Role(v))
            except ValueError:
                fail(f"Vai trò «{v}» không có; cho phép: {', '.join(r.value for r in Role)}", 2)
    if not roles:
        fail("Cần ít nhất một vai trò (--role)", 2)
    return roles


@app.command("create")
def users_create(
    username: Annotated[str, typer.Argument(help="Tên đăng nhập (chữ thường, số, . _ -)")],
    role: Annotated[list[str] | None, typer.Option("--role", "-r", help=ROLE_HELP)] = None,
    full_name: Annotated[str | None, typer.Option(help="Họ và tên")] = None,
    email: Annotated[str | None, typer.Option(help="Thư điện tử")] = None,
    unit: Annotated[str | None, typer.Option(help="Phòng/đơn vị")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Đọc mật khẩu từ stdin; mặc định: tạo ngẫu nhiên và in một lần")
    ] = False,
) -> None:
    """Tạo tài khoản; mật khẩu ngẫu nhiên được in ra đúng một lần."""
    from pydantic import ValidationError

    from registry.accounts import service
    from registry.accounts.schemas import UserCreate
    from registry.db import session_scope

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        data = UserCreate(
            username=username, roles=_roles(role), full_name=full_name, email=email, unit=unit, password=password
        )
    except ValidationError as exc:
        from api.errors import message_for

        fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {message_for(e)}" for e in exc.errors()), 2)
    try:
        with acting(), session_scope() as session:
            user, generated = service.create_user(session, data)
            name, roles = user.username, ", ".join(user.roles)
    except RegistryError as exc:
        print_user_errors(exc)
    err.print(f"Đã tạo tài khoản {name} ({roles}).")
    if generated:
        typer.echo(f"Mật khẩu (chỉ hiện một lần): {generated}")


@app.command("list")
def users_list() -> None:
    """Liệt kê tài khoản."""
    from registry.accounts import service
    from registry.db import session_scope

    with session_scope() as session:
        users = [service.user_dict(u) for u in service.list_users(session)]
    out = table("Tài khoản", ["Tên đăng nhập", "Họ tên", "Vai trò", "Trạng thái", "Đăng nhập gần nhất"])
    for u in users:
        state = "hoạt động" if u["active"] else "đã khóa"
        if u["locked_until"]:
            state += f" (tạm khóa tới {u['locked_until'][:16]})"
        out.add_row(u["username"], u["full_name"] or "", ", ".join(u["roles"]), state, (u["last_login_at"] or "")[:16])
    Console().print(out)


@app.command("disable")
def users_disable(username: Annotated[str, typer.Argument(help="Tên đăng nhập")]) -> None:
    """Khóa tài khoản và thu hồi mọi token của nó."""
    _set_active(username, False)


@app.command("enable")
def users_enable(username: Annotated[str, typer.Argument(help="Tên đăng nhập")]) -> None:
    """Mở lại tài khoản đã khóa."""
    _set_active(username, True)


def _set_active(username: str, active: bool) -> None:
    from registry.accounts import service
    from registry.db import session_scope

    try:
        with acting(), session_scope() as session:
            service.set_active(session, username, active)
    except RegistryError as exc:
        print_user_errors(exc)
    err.print(f"Đã {'mở' if active else 'khóa'} tài khoản {username}.")


@app.command("set-roles")
def users_set_roles(
    username: Annotated[str, typer.Argument(help="Tên đăng nhập")],
    role: Annotated[list[str] | None, typer.Option("--role", "-r", help=ROLE_HELP)] = None,
) -> None:
    """Đặt lại toàn bộ vai trò của tài khoản."""
    from registry.accounts import service
    from registry.db import session_scope

    roles = _roles(role)
    try:
        with acting(), session_scope() as session:
            user = service.set_roles(session, username, roles)
            now = ", ".join(user.roles)
    except RegistryError as exc:
        print_user_errors(exc)
    err.print(f"{username}: {now}")


@app.command("reset-password")
def users_reset_password(username: Annotated[str, typer.Argument(help="Tên đăng nhập")]) -> None:
    """Tạo mật khẩu mới (in một lần) và thu hồi mọi token của tài khoản."""
    from registry.accounts import passwords, service
    from registry.db import session_scope

    password = passwords.generate_password()
    try:
        with acting(), session_scope() as session:
            service.set_password(session, username, password)
    except RegistryError as exc:
        print_user_errors(exc)
    typer.echo(f"Mật khẩu mới của {username} (chỉ hiện một lần): {password}")


@app.command("ensure-admin")
def users_ensure_admin(username: Annotated[str, typer.Option(help="Tên đăng nhập")] = "admin") -> None:
    """Tạo quản trị viên đầu tiên nếu chưa có (mật khẩu ngẫu nhiên, in một lần); đã có thì không làm gì."""
    from registry.accounts import service
    from registry.accounts.models import Role
    from registry.accounts.schemas import UserCreate
    from registry.db import session_scope

    with acting(), session_scope() as session:
        if service.has_admin(session):
            err.print("Đã có quản trị viên; không tạo thêm (quên mật khẩu: tttt users reset-password admin).")
            return
        _, generated = service.create_user(
            session, UserCreate(username=username, roles=[Role.admin], full_name="Quản trị hệ thống")
        )
    typer.echo(f"Đã tạo quản trị viên «{username}». Mật khẩu (chỉ hiện một lần): {generated}")
