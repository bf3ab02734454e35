"""`tttt db`: the private PostgreSQL cluster, migrations, backup and restore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import err, fail, print_user_errors, private_cluster
from registry.errors import RegistryError
from registry.text import grouped

app = typer.Typer(help="Cơ sở dữ liệu: cụm PostgreSQL riêng dưới .data/ hoặc DATABASE_URL", no_args_is_help=True)


@app.command("up")
def db_up() -> None:
    """Khởi tạo (lần đầu) và khởi động cụm PostgreSQL riêng, tạo cơ sở dữ liệu."""
    from registry.cluster import ClusterError
    from registry.settings import get_settings

    cluster = private_cluster()
    if cluster is None:
        err.print("DATABASE_URL đã đặt: dùng cơ sở dữ liệu đó, không khởi động cụm riêng.")
        return
    try:
        cluster.start()
        cluster.create_database(get_settings().database_name)
    except ClusterError as exc:
        fail(str(exc))
    err.print(f"PostgreSQL chạy tại 127.0.0.1:{cluster.port} (dữ liệu: {cluster.pgdata})")


@app.command("down")
def db_down() -> None:
    """Dừng cụm PostgreSQL riêng."""
    cluster = private_cluster()
    if cluster is None:
        err.print("DATABASE_URL đã đặt: không có cụm riêng để dừng.")
        return
    cluster.stop()
    err.print("Đã dừng PostgreSQL.")


@app.command("status")
def db_status() -> None:
    """Tình trạng cơ sở dữ liệu và phiên bản lược đồ."""
    from registry.db import database_url
    from registry.migrations import current

    cluster = private_cluster()
    url = database_url()
    if cluster is not None:
        state = "đang chạy" if cluster.running() else ("đã dừng" if cluster.initialized else "chưa khởi tạo")
        typer.echo(f"Cụm riêng: {state}, cổng {cluster.port}, thư mục {cluster.pgdata}")
        if not cluster.running():
            raise typer.Exit(1)
    try:
        typer.echo(f"Lược đồ: {current(url) or 'chưa có'}")
    except Exception as exc:  # noqa: BLE001 - any connection failure is a status to report
        fail(f"Không kết nối được cơ sở dữ liệu: {type(exc).__name__}")


@app.command("migrate")
def db_migrate(revision: Annotated[str, typer.Argument(help="Phiên bản đích")] = "head") -> None:
    """Chạy migration Alembic tới phiên bản đích."""
    from registry.db import database_url
    from registry.migrations import upgrade

    upgrade(database_url(), revision)
    err.print(f"Lược đồ đã cập nhật tới {revision}.")


@app.command("backup")
def db_backup(file: Annotated[Path, typer.Argument(dir_okay=False, help="Tệp sao lưu (.tar) sẽ ghi")]) -> None:
    """Sao lưu toàn bộ cơ sở dữ liệu (kèm tài liệu đã lưu) vào một tệp tar có manifest và mã SHA-256."""
    from registry.backup import BackupToolError, backup
    from registry.db import database_url
    from registry.settings import get_settings

    try:
        manifest = backup(database_url(), file, pg_bindir=get_settings().pg_bindir)
    except RegistryError as exc:
        print_user_errors(exc)
    except BackupToolError as exc:
        fail(str(exc))
    err.print(
        f"Đã sao lưu «{manifest['database']}» (lược đồ {manifest['schema_revision']}, "
        f"{grouped(len(manifest['tables']))} bảng, {grouped(sum(manifest['tables'].values()))} dòng) vào {file} "
        f"({grouped(file.stat().st_size)} byte)"
    )


@app.command("restore")
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
        print_user_errors(exc)
    except (BackupToolError, RestoreMismatch) as exc:
        fail(str(exc))
    err.print(
        f"Đã khôi phục «{summary['database']}» từ bản sao lưu lúc {summary['backup_created_at']} "
        f"(lược đồ {summary['schema_revision']}): {grouped(summary['tables'])} bảng, {grouped(summary['rows'])} dòng; "
        "số dòng từng bảng khớp manifest."
    )
