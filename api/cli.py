"""The `tttt` command line: database lifecycle, imports, exports, demo data and the server."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table as RichTable

from registry.errors import RegistryError, ValidationFailed

app = typer.Typer(help="Sổ đăng ký trạm gốc, báo chí, thanh tra — dòng lệnh", no_args_is_help=True)
db_app = typer.Typer(help="Cơ sở dữ liệu: cụm PostgreSQL riêng dưới .data/ hoặc DATABASE_URL", no_args_is_help=True)
import_app = typer.Typer(help="Nhập dữ liệu từ bảng tính", no_args_is_help=True)
export_app = typer.Typer(help="Xuất dữ liệu", no_args_is_help=True)
demo_app = typer.Typer(help="Dữ liệu mẫu Hải Phòng", no_args_is_help=True)
users_app = typer.Typer(help="Tài khoản và vai trò", no_args_is_help=True)
permits_app = typer.Typer(help="Giấy phép: danh sách cho cán bộ cấp phép", no_args_is_help=True)
zones_app = typer.Typer(help="Vùng quy hoạch hạ tầng viễn thông thụ động", no_args_is_help=True)
calendar_app = typer.Typer(help="Lịch ngày làm việc", no_args_is_help=True)
report_app = typer.Typer(help="Báo cáo", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(demo_app, name="demo")
app.add_typer(users_app, name="users")
app.add_typer(permits_app, name="permits")
app.add_typer(zones_app, name="zones")
app.add_typer(calendar_app, name="calendar")
app.add_typer(report_app, name="report")

err = Console(stderr=True)


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[red]{escape(message)}[/red]")
    raise typer.Exit(code)


def _acting():  # type: ignore[no-untyped-def]
    """Changes made from the command line are recorded as made by the OS user."""
    import getpass

    from registry.audit.context import acting_as

    return acting_as(f"cli:{getpass.getuser()}")


def _private_cluster():  # type: ignore[no-untyped-def]
    from registry.cluster import Cluster
    from registry.settings import get_settings

    settings = get_settings()
    return None if settings.database_url else Cluster(settings.data_dir)


# --- db --------------------------------------------------------------------------------------------


@db_app.command("up")
def db_up() -> None:
    """Khởi tạo (lần đầu) và khởi động cụm PostgreSQL riêng, tạo cơ sở dữ liệu."""
    from registry.cluster import ClusterError
    from registry.settings import get_settings

    cluster = _private_cluster()
    if cluster is None:
        err.print("DATABASE_URL đã đặt: dùng cơ sở dữ liệu đó, không khởi động cụm riêng.")
        return
    try:
        cluster.start()
        cluster.create_database(get_settings().database_name)
    except ClusterError as exc:
        _fail(str(exc))
    err.print(f"PostgreSQL chạy tại 127.0.0.1:{cluster.port} (dữ liệu: {cluster.pgdata})")


@db_app.command("down")
def db_down() -> None:
    """Dừng cụm PostgreSQL riêng."""
    cluster = _private_cluster()
    if cluster is None:
        err.print("DATABASE_URL đã đặt: không có cụm riêng để dừng.")
        return
    cluster.stop()
    err.print("Đã dừng PostgreSQL.")


@db_app.command("status")
def db_status() -> None:
    """Tình trạng cơ sở dữ liệu và phiên bản lược đồ."""
    from registry.db import database_url
    from registry.migrations import current

    cluster = _private_cluster()
    url = database_url()
    if cluster is not None:
        state = "đang chạy" if cluster.running() else ("đã dừng" if cluster.initialized else "chưa khởi tạo")
        typer.echo(f"Cụm riêng: {state}, cổng {cluster.port}, thư mục {cluster.pgdata}")
        if not cluster.running():
            raise typer.Exit(1)
    try:
        typer.echo(f"Lược đồ: {current(url) or 'chưa có'}")
    except Exception as exc:  # noqa: BLE001 - any connection failure is a status to report
        _fail(f"Không kết nối được cơ sở dữ liệu: {type(exc).__name__}")


@db_app.command("migrate")
def db_migrate(revision: Annotated[str, typer.Argument(help="Phiên bản đích")] = "head") -> None:
    """Chạy migration Alembic tới phiên bản đích."""
    from registry.db import database_url
    from registry.migrations import upgrade

    upgrade(database_url(), revision)
    err.print(f"Lược đồ đã cập nhật tới {revision}.")


@db_app.command("backup")
def db_backup(file: Annotated[Path, typer.Argument(dir_okay=False, help="Tệp sao lưu (.tar) sẽ ghi")]) -> None:
    """Sao lưu toàn bộ cơ sở dữ liệu (kèm tài liệu đã lưu) vào một tệp tar có manifest và mã SHA-256."""
    from registry.backup import BackupToolError, backup
    from registry.db import database_url
    from registry.settings import get_settings

    try:
        manifest = backup(database_url(), file, pg_bindir=get_settings().pg_bindir)
    except RegistryError as exc:
        _print_user_errors(exc)
    except BackupToolError as exc:
        _fail(str(exc))
    rows = f"{sum(manifest['tables'].values()):,}".replace(",", ".")
    size = f"{file.stat().st_size:,}".replace(",", ".")
    err.print(
        f"Đã sao lưu «{manifest['database']}» (lược đồ {manifest['schema_revision']}, {len(manifest['tables'])} bảng, "
        f"{rows} dòng) vào {file} ({size} byte)"
    )


@db_app.command("restore")
def db_restore(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="Tệp sao lưu do tttt db backup ghi")],
    force: Annotated[bool, typer.Option("--force", help="Thay cơ sở dữ liệu đang có dữ liệu")] = False,
) -> None:
    """Khôi phục từ tệp sao lưu: kiểm tra mọi mã SHA-256 trước; không ghi đè dữ liệu đang có nếu thiếu --force."""
    from registry.backup import BackupToolError, RestoreMismatch, restore
    from registry.db import database_url
    from registry.settings import get_settings

    try:
        summary = restore(database_url(), file, force=force, pg_bindir=get_settings().pg_bindir)
    except RegistryError as exc:
        _print_user_errors(exc)
    except (BackupToolError, RestoreMismatch) as exc:
        _fail(str(exc))
    rows = f"{summary['rows']:,}".replace(",", ".")
    err.print(
        f"Đã khôi phục «{summary['database']}» từ bản sao lưu lúc {summary['backup_created_at']} "
        f"(lược đồ {summary['schema_revision']}): {summary['tables']} bảng, {rows} dòng; "
        "số dòng từng bảng khớp manifest."
    )


# --- import / export -------------------------------------------------------------------------------


def _print_report(report: dict) -> None:  # type: ignore[type-arg]
    if report.get("errors"):
        table = RichTable(title="Lỗi", show_lines=False)
        for col in ("Dòng", "Cột", "Giá trị", "Lỗi"):
            table.add_column(col)
        for e in report["errors"]:
            table.add_row(
                str(e.get("row", "")), str(e.get("column", e.get("field", ""))), str(e.get("value", "")), e["message"]
            )
        err.print(table)
    for w in report.get("warnings", [])[:50]:
        err.print(f"[yellow]Cảnh báo dòng {w.get('row', '')}, cột {w.get('column', '')}: {w['message']}[/yellow]")
    if report.get("rows") and not report.get("errors"):
        err.print(
            f"{report['rows']} dòng: vị trí mới {report.get('sites_created', 0)}, "
            f"vị trí cập nhật {report.get('sites_updated', 0)}, trạm mới {report.get('stations_created', 0)}, "
            f"trạm cập nhật {report.get('stations_updated', 0)}, "
            f"trạm không đổi {report.get('stations_unchanged', 0)}"
            + (" (chạy thử, chưa ghi)" if report.get("dry_run") else "")
        )


@import_app.command("stations")
def import_stations(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Tệp .xlsx hoặc .csv")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ kiểm tra, không ghi")] = False,
) -> None:
    """Nhập bảng trạm gốc; có bất kỳ dòng lỗi thì không ghi gì và liệt kê từng lỗi."""
    from registry.db import session_scope
    from registry.stations.importer import import_table
    from registry.tabular import read_table

    try:
        table = read_table(file.read_bytes(), file.name)
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err, transient=True
        ) as bar:
            tasks: dict[str, int] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done)

            with _acting(), session_scope() as session:
                report = import_table(session, table=table, dry_run=dry_run, progress=progress)
    except ValidationFailed as exc:
        _print_report(exc.extra.get("report") or {"errors": [e.as_dict() for e in exc.errors]})
        _fail(exc.detail, 2)
    except RegistryError as exc:
        _fail(exc.detail, 2)
    _print_report(report.as_dict())


@import_app.command("press")
def import_press(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Tệp .xlsx hoặc .csv")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ kiểm tra, không ghi")] = False,
) -> None:
    """Nhập bảng cơ quan báo chí; có bất kỳ dòng lỗi thì không ghi gì và liệt kê từng lỗi."""
    from registry.db import session_scope
    from registry.press.tabular import import_outlets
    from registry.tabular import read_table

    try:
        with _acting(), session_scope() as session:
            report = import_outlets(session, read_table(file.read_bytes(), file.name), dry_run=dry_run)
    except ValidationFailed as exc:
        _print_report(exc.extra.get("report") or {"errors": [e.as_dict() for e in exc.errors]})
        _fail(exc.detail, 2)
    err.print(
        f"{report.rows} dòng: mới {report.created}, cập nhật {report.updated}, không đổi {report.unchanged}"
        + (" (chạy thử, chưa ghi)" if dry_run else "")
    )


@import_app.command("dossiers")
def import_dossiers(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Tệp .csv hoặc .xlsx")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ kiểm tra, không ghi")] = False,
) -> None:
    """Nhập hồ sơ từ hệ thống một cửa cũ; có bất kỳ dòng lỗi thì không ghi gì và liệt kê từng lỗi."""
    import getpass

    from registry.calendar.service import load
    from registry.clock import today
    from registry.db import session_scope
    from registry.procedures.tabular import import_dossiers as run
    from registry.tabular import read_table

    try:
        with _acting(), session_scope() as session:
            report = run(
                session, load(session), read_table(file.read_bytes(), file.name), actor=f"cli:{getpass.getuser()}",
                today=today(), dry_run=dry_run,
            )  # fmt: skip
    except ValidationFailed as exc:
        _print_report(exc.extra.get("report") or {"errors": [e.as_dict() for e in exc.errors]})
        _fail(exc.detail, 2)
    err.print(f"{report.rows} dòng: {report.created} hồ sơ mới" + (" (chạy thử, chưa ghi)" if dry_run else ""))


@report_app.command("dossiers")
def report_dossiers(
    since: Annotated[str, typer.Option("--from", help="Từ ngày YYYY-MM-DD")],
    until: Annotated[str, typer.Option("--to", help="Đến ngày YYYY-MM-DD (tính cả ngày này)")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="json, xlsx hoặc table")] = "json",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Tệp đích (bắt buộc với xlsx)")] = None,
) -> None:
    """Kết quả giải quyết hồ sơ thủ tục hành chính của một kỳ (JSON ra màn hình khi không có --output)."""
    import json
    from datetime import date

    from registry.db import session_scope
    from registry.procedures import reports
    from registry.settings import get_settings

    if fmt not in ("table", "json", "xlsx"):
        _fail("--format phải là json, xlsx hoặc table", 2)
    if fmt == "xlsx" and output is None:
        _fail("Xuất xlsx cần --output TỆP", 2)
    try:
        first, last = date.fromisoformat(since), date.fromisoformat(until)
    except ValueError:
        _fail(f"Ngày không hợp lệ: {since} / {until} (YYYY-MM-DD)", 2)
    try:
        with session_scope() as session:
            report = reports.dossier_report(session, first, last)
    except RegistryError as exc:
        _print_user_errors(exc)
    if fmt == "xlsx":
        assert output is not None
        output.write_bytes(reports.to_xlsx(report, department=get_settings().department_name))
        err.print(f"Đã ghi {output}")
        return
    if fmt == "json":
        text = json.dumps(report, ensure_ascii=False, indent=1)
        if output:
            output.write_text(text + "\n", encoding="utf-8")
            err.print(f"Đã ghi {output}")
        else:
            typer.echo(text)
        return
    table = RichTable(title=f"Kết quả giải quyết hồ sơ từ {first:%d/%m/%Y} đến {last:%d/%m/%Y}")
    table.add_column("Chỉ tiêu")
    table.add_column("Số hồ sơ", justify="right")
    for key in reports.FIGURES:
        table.add_row(reports.FIGURE_NAMES[key], f"{report['figures'][key]:,}".replace(",", "."))
    Console(width=200).print(table)


@export_app.command("press")
def export_press(
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv hoặc xlsx")] = "xlsx",
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("co-quan-bao-chi.xlsx"),
) -> None:
    """Xuất toàn bộ cơ quan báo chí (nhập lại được)."""
    from registry.db import session_scope
    from registry.press.tabular import export_outlets

    if fmt not in ("csv", "xlsx"):
        _fail("Định dạng phải là csv hoặc xlsx", 2)
    with session_scope() as session:
        output.write_bytes(export_outlets(session, fmt))
    err.print(f"Đã ghi {output}")


@export_app.command("stations")
def export_stations_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, xlsx, geojson hoặc kml")] = "csv",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Tệp đích; bỏ trống: ra stdout")] = None,
    operator: Annotated[list[str] | None, typer.Option(help="Doanh nghiệp")] = None,
    technology: Annotated[list[str] | None, typer.Option(help="2G/3G/4G/5G")] = None,
    pole_class: Annotated[list[str] | None, typer.Option(help="Loại cột")] = None,
    status: Annotated[list[str] | None, typer.Option(help="Trạng thái trạm")] = None,
    admin_unit: Annotated[str | None, typer.Option(help="Mã hoặc tên xã/phường")] = None,
    q: Annotated[str | None, typer.Option(help="Tìm theo mã, địa chỉ")] = None,
    bbox: Annotated[str | None, typer.Option(help="minLon,minLat,maxLon,maxLat")] = None,
    within: Annotated[str | None, typer.Option(help="Đa giác GeoJSON")] = None,
    near: Annotated[str | None, typer.Option(help="lon,lat")] = None,
    radius_m: Annotated[float | None, typer.Option(help="Bán kính quanh near (m)")] = None,
) -> None:
    """Xuất danh sách trạm (cùng bộ lọc và cùng kiểm tra với API)."""
    from api.deps import parse_station_filter
    from registry.db import session_scope
    from registry.settings import get_settings
    from registry.stations.exporter import FORMATS, stream_stations

    if fmt not in FORMATS:
        _fail(f"Định dạng {fmt} không hỗ trợ (csv, xlsx, geojson, kml)", 2)
    try:
        filters = parse_station_filter(
            get_settings(),
            operator=operator,
            technology=technology,
            pole_class=pole_class,
            status=status,
            admin_unit=admin_unit,
            q=q,
            bbox=bbox,
            within=within,
            near=near,
            radius_m=radius_m,
        )
        with session_scope() as session:
            target = output.open("wb") if output else sys.stdout.buffer
            try:
                size = 0
                for chunk in stream_stations(session, filters=filters, fmt=fmt):
                    target.write(chunk)
                    size += len(chunk)
            finally:
                if output:
                    target.close()
                else:
                    target.flush()
    except ValidationFailed as exc:
        _fail("; ".join(f"{e.field or ''}: {e.message}" for e in exc.errors) or exc.detail, 2)
    except RegistryError as exc:
        _fail(exc.detail, 2)
    if output:
        err.print(f"Đã ghi {output} ({size:,} byte)")


@app.command("template")
def template(
    fmt: Annotated[str, typer.Option("--format", "-f", help="xlsx hoặc csv")] = "xlsx",
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("mau-tram-goc.xlsx"),
) -> None:
    """Ghi mẫu bảng trạm gốc để điền."""
    from registry.stations.exporter import template_bytes

    if fmt not in ("xlsx", "csv"):
        _fail("Mẫu chỉ có dạng xlsx hoặc csv", 2)
    output.write_bytes(template_bytes(fmt))
    err.print(f"Đã ghi {output}")


# --- users ----------------------------------------------------------------------------------------

ROLE_HELP = "admin, licensing_officer, inspector, press_manager, one_stop_officer, viewer (lặp lại cho nhiều vai trò)"


def _roles(values: list[str] | None) -> list:  # type: ignore[type-arg]
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
                _fail(f"Vai trò «{v}» không có; cho phép: {', '.join(r.value for r in Role)}", 2)
    if not roles:
        _fail("Cần ít nhất một vai trò (--role)", 2)
    return roles


def _print_user_errors(exc: RegistryError) -> None:
    if isinstance(exc, ValidationFailed) and exc.errors:
        _fail("; ".join(f"{e.field or ''}: {e.message}" for e in exc.errors), 2)
    _fail(exc.detail, 2)


@users_app.command("create")
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

        _fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {message_for(e)}" for e in exc.errors()), 2)
    try:
        with _acting(), session_scope() as session:
            user, generated = service.create_user(session, data)
            name, roles = user.username, ", ".join(user.roles)
    except RegistryError as exc:
        _print_user_errors(exc)
    err.print(f"Đã tạo tài khoản {name} ({roles}).")
    if generated:
        typer.echo(f"Mật khẩu (chỉ hiện một lần): {generated}")


@users_app.command("list")
def users_list() -> None:
    """Liệt kê tài khoản."""
    from registry.accounts import service
    from registry.db import session_scope

    with session_scope() as session:
        users = [service.user_dict(u) for u in service.list_users(session)]
    table = RichTable(title="Tài khoản")
    for col in ("Tên đăng nhập", "Họ tên", "Vai trò", "Trạng thái", "Đăng nhập gần nhất"):
        table.add_column(col)
    for u in users:
        state = "hoạt động" if u["active"] else "đã khóa"
        if u["locked_until"]:
            state += f" (tạm khóa tới {u['locked_until'][:16]})"
        table.add_row(
            u["username"], u["full_name"] or "", ", ".join(u["roles"]), state, (u["last_login_at"] or "")[:16]
        )
    Console().print(table)


@users_app.command("disable")
def users_disable(username: Annotated[str, typer.Argument(help="Tên đăng nhập")]) -> None:
    """Khóa tài khoản và thu hồi mọi token của nó."""
    _set_active(username, False)


@users_app.command("enable")
def users_enable(username: Annotated[str, typer.Argument(help="Tên đăng nhập")]) -> None:
    """Mở lại tài khoản đã khóa."""
    _set_active(username, True)


def _set_active(username: str, active: bool) -> None:
    from registry.accounts import service
    from registry.db import session_scope

    try:
        with _acting(), session_scope() as session:
            service.set_active(session, username, active)
    except RegistryError as exc:
        _print_user_errors(exc)
    err.print(f"Đã {'mở' if active else 'khóa'} tài khoản {username}.")


@users_app.command("set-roles")
def users_set_roles(
    username: Annotated[str, typer.Argument(help="Tên đăng nhập")],
    role: Annotated[list[str] | None, typer.Option("--role", "-r", help=ROLE_HELP)] = None,
) -> None:
    """Đặt lại toàn bộ vai trò của tài khoản."""
    from registry.accounts import service
    from registry.db import session_scope

    roles = _roles(role)
    try:
        with _acting(), session_scope() as session:
            user = service.set_roles(session, username, roles)
            now = ", ".join(user.roles)
    except RegistryError as exc:
        _print_user_errors(exc)
    err.print(f"{username}: {now}")


@users_app.command("reset-password")
def users_reset_password(username: Annotated[str, typer.Argument(help="Tên đăng nhập")]) -> None:
    """Tạo mật khẩu mới (in một lần) và thu hồi mọi token của tài khoản."""
    from registry.accounts import passwords, service
    from registry.db import session_scope

    password = passwords.generate_password()
    try:
        with _acting(), session_scope() as session:
            service.set_password(session, username, password)
    except RegistryError as exc:
        _print_user_errors(exc)
    typer.echo(f"Mật khẩu mới của {username} (chỉ hiện một lần): {password}")


@users_app.command("ensure-admin")
def users_ensure_admin(username: Annotated[str, typer.Option(help="Tên đăng nhập")] = "admin") -> None:
    """Tạo quản trị viên đầu tiên nếu chưa có (mật khẩu ngẫu nhiên, in một lần); đã có thì không làm gì."""
    from registry.accounts import service
    from registry.accounts.models import Role
    from registry.accounts.schemas import UserCreate
    from registry.db import session_scope

    with _acting(), session_scope() as session:
        if service.has_admin(session):
            err.print("Đã có quản trị viên; không tạo thêm (quên mật khẩu: tttt users reset-password admin).")
            return
        _, generated = service.create_user(
            session, UserCreate(username=username, roles=[Role.admin], full_name="Quản trị hệ thống")
        )
    typer.echo(f"Đã tạo quản trị viên «{username}». Mật khẩu (chỉ hiện một lần): {generated}")


# --- permits and zones -----------------------------------------------------------------------------

REPORTS = {
    "expiring": "Giấy phép sắp hết hạn",
    "missing": "Thiếu giấy phép bắt buộc",
    "expired-inspections": "Kiểm định đã hết hạn",
}


@permits_app.command("report")
def permits_report(
    kind: Annotated[str, typer.Argument(help="expiring, missing hoặc expired-inspections")] = "expiring",
    on: Annotated[str | None, typer.Option(help="Ngày xét YYYY-MM-DD (mặc định hôm nay, giờ Việt Nam)")] = None,
    days: Annotated[int, typer.Option(help="Với expiring: số ngày tới", min=0, max=3650)] = 60,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json hoặc xlsx")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Tệp đích (bắt buộc với xlsx)")] = None,
    operator: Annotated[list[str] | None, typer.Option(help="Doanh nghiệp")] = None,
    admin_unit: Annotated[str | None, typer.Option(help="Mã hoặc tên xã/phường")] = None,
) -> None:
    """Danh sách giấy phép sắp hết hạn, vị trí/trạm thiếu giấy phép, trạm hết hạn kiểm định."""
    import json
    from datetime import date

    from api.deps import parse_station_filter
    from registry.clock import today
    from registry.db import session_scope
    from registry.permits import reports
    from registry.settings import get_settings

    if kind not in REPORTS:
        _fail(f"Không có danh sách «{kind}»; chọn: {', '.join(REPORTS)}", 2)
    if fmt not in ("table", "json", "xlsx"):
        _fail("--format phải là table, json hoặc xlsx", 2)
    if fmt == "xlsx" and output is None:
        _fail("Xuất xlsx cần --output TỆP", 2)
    try:
        day = date.fromisoformat(on) if on else today()
    except ValueError:
        _fail(f"Ngày không hợp lệ: {on} (YYYY-MM-DD)", 2)
    settings = get_settings()
    try:
        filters = parse_station_filter(settings, operator=operator, admin_unit=admin_unit)
        with session_scope() as session:
            if kind == "expiring":
                rows = reports.expiring_permits(session, on=day, days=days, filters=filters)
                columns = reports.EXPIRING_COLUMNS
            elif kind == "missing":
                rows = reports.missing_permits(
                    session, on=day, expiring_days=settings.permit_expiring_days, filters=filters
                )
                columns = reports.NEED_COLUMNS
            else:
                rows = reports.expired_inspections(session, on=day, filters=filters)
                columns = reports.NEED_COLUMNS
    except RegistryError as exc:
        _print_user_errors(exc)
    title = f"{REPORTS[kind]} — ngày {day:%d/%m/%Y}"
    if fmt == "xlsx":
        assert output is not None
        output.write_bytes(reports.to_xlsx(rows, columns, title=REPORTS[kind], on=day))
        err.print(f"Đã ghi {output} ({len(rows)} dòng)")
        return
    if fmt == "json":
        text = json.dumps(
            {"on": day.isoformat(), "count": len(rows), "items": rows}, ensure_ascii=False, indent=1, default=str
        )
        if output:
            output.write_text(text + "\n", encoding="utf-8")
            err.print(f"Đã ghi {output} ({len(rows)} dòng)")
        else:
            typer.echo(text)
        return
    table = RichTable(title=f"{title}: {len(rows)} dòng")
    for header, _ in columns:
        table.add_column(header)
    for r in rows:
        table.add_row(*("" if r.get(k) is None else str(r.get(k)) for _, k in columns))
    Console(width=200).print(table)


@zones_app.command("import")
def zones_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Tệp .geojson hoặc .kml")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ kiểm tra, không ghi")] = False,
) -> None:
    """Nhập vùng quy hoạch; có lỗi ở bất kỳ vùng nào thì không ghi gì."""
    from registry.db import session_scope
    from registry.zones.importer import import_zones

    try:
        with _acting(), session_scope() as session:
            report = import_zones(session, file.read_bytes(), file.name, dry_run=dry_run)
    except ValidationFailed as exc:
        for e in exc.errors[:50]:
            where = f"vùng {e.row}, {e.column}" if e.row else (e.field or "")
            err.print(f"{escape(where)}: {escape(e.message)}")
        _fail(exc.detail, 2)
    err.print(
        f"{report.features} vùng: mới {report.created}, cập nhật {report.updated}, không đổi {report.unchanged}"
        + (" (chạy thử, chưa ghi)" if dry_run else "")
    )


# --- calendar ---------------------------------------------------------------------------------------


@calendar_app.command("show")
def calendar_show(year: Annotated[int, typer.Argument(help="Năm", min=1900, max=2100)]) -> None:
    """Ngày nghỉ lễ, Tết, ngày làm việc bù của một năm và số ngày làm việc."""
    from datetime import date

    from registry.calendar import service
    from registry.db import session_scope

    try:
        with session_scope() as session:
            body = service.year(session, year)
    except RegistryError as exc:
        _fail(exc.detail, 2)
    weekdays = ["", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]
    tet = date.fromisoformat(body["lunar_new_year"])
    table = RichTable(title=f"Lịch năm {year}: {body['working_days']} ngày làm việc; Tết âm lịch {tet:%d/%m/%Y}")
    for col in ("Ngày", "Thứ", "Loại", "Tên", "Lý do", "Nguồn"):
        table.add_column(col)
    for d in body["days"]:
        table.add_row(
            date.fromisoformat(d["date"]).strftime("%d/%m/%Y"),
            weekdays[d["weekday"]],
            "nghỉ" if d["kind"] == "off" else "làm bù",
            d["name"],
            d["reason"] or "",
            d["source"],
        )
    Console(width=160).print(table)


# --- demo and server -------------------------------------------------------------------------------


@demo_app.command("load")
def demo_load(force: Annotated[bool, typer.Option("--force", help="Nạp lại dù đã có dữ liệu")] = False) -> None:
    """Nạp dữ liệu mẫu Hải Phòng (đơn vị hành chính gần đúng, ~3.200 vị trí, ~4.700 trạm) một lần."""
    from fixtures.demo import load_demo
    from registry.db import session_scope

    try:
        with _acting(), session_scope() as session:
            summary = load_demo(session, force=force)
    except ValidationFailed as exc:
        for e in exc.errors[:20]:
            err.print(f"dòng {e.row}, cột {e.column}: {e.message}")
        _fail(exc.detail, 2)
    err.print(summary)


def default_workers() -> int:
    """Server processes by default: one per CPU, at most 8. Requests here spend most of their time in
    Python (routing, validation, building answers) rather than waiting on PostgreSQL, which usually
    runs on the same host; more processes than cores only queue behind each other. Measured by
    bench/load.py on the 2-core machine with PostgreSQL beside it (50 clients, read mix, 30 s):
    1 process 74 requests/s, p95 1.21 s; 2 processes 109–116 requests/s, p95 0.74–0.78 s;
    3 processes 111 requests/s, p95 1.19 s; 5 processes 97 requests/s, p95 1.29 s.
    workers × (pool + overflow) must stay under PostgreSQL's max_connections."""
    import os

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cpus, 8))


@app.command("serve")
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    reload: bool = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Số tiến trình phục vụ (mặc định 2 × số CPU + 1, tối đa 8). Mỗi tiến trình giữ tối đa "
            "TTTT_DB_POOL_SIZE + TTTT_DB_MAX_OVERFLOW kết nối: tổng phải nhỏ hơn max_connections của PostgreSQL",
        ),
    ] = None,
) -> None:
    """Chạy API và bản đồ (cần TTTT_SECRET_KEY, trừ khi TTTT_ENV=development)."""
    import uvicorn

    from registry.settings import MissingSecret, get_settings

    settings = get_settings()
    try:
        settings.secret()
    except MissingSecret as exc:
        _fail(str(exc), 2)
    if reload and workers not in (None, 1):
        _fail("--reload chỉ chạy một tiến trình; bỏ --workers", 2)
    count = 1 if reload else workers or default_workers()
    err.print(
        f"{count} tiến trình × tối đa {settings.db_pool_size + settings.db_max_overflow} kết nối = "
        f"{count * (settings.db_pool_size + settings.db_max_overflow)} kết nối tới PostgreSQL"
    )
    # proxy_headers=False: client addresses are resolved inside the app from the trusted proxies
    # setting; uvicorn must not rewrite them from X-Forwarded-For on its own.
    uvicorn.run("api.main:app", host=host, port=port, reload=reload, workers=count, proxy_headers=False)


def main() -> None:
    app()


if __name__ == "__main__":  # python -m api.cli, as the tests run it on a fresh interpreter
    main()
