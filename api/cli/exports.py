"""`tttt export` and `tttt template`: the registry out to files (re-importable) and the blank template."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import check_filter_words, err, fail
from registry.errors import RegistryError, ValidationFailed
from registry.text import grouped

app = typer.Typer(help="Xuất dữ liệu", no_args_is_help=True)


@app.command("press")
def export_press(
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv hoặc xlsx")] = "xlsx",
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("co-quan-bao-chi.xlsx"),
) -> None:
    """Xuất toàn bộ cơ quan báo chí (nhập lại được)."""
    from registry.db import session_scope
    from registry.press.tabular import export_outlets

    if fmt not in ("csv", "xlsx"):
        fail("Định dạng phải là csv hoặc xlsx", 2)
    with session_scope() as session:
        output.write_bytes(export_outlets(session, fmt))
    err.print(f"Đã ghi {output}")


@app.command("stations")
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
        fail(f"Định dạng {fmt} không hỗ trợ (csv, xlsx, geojson, kml)", 2)
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
            check_filter_words(session, filters)
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
        fail("; ".join(f"{e.field or ''}: {e.message}" for e in exc.errors) or exc.detail, 2)
    except RegistryError as exc:
        fail(exc.detail, 2)
    if output:
        err.print(f"Đã ghi {output} ({grouped(size)} byte)")


def template(
    fmt: Annotated[str, typer.Option("--format", "-f", help="xlsx hoặc csv")] = "xlsx",
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("mau-tram-goc.xlsx"),
) -> None:
    """Ghi mẫu bảng trạm gốc để điền."""
    from registry.stations.exporter import template_bytes

    if fmt not in ("xlsx", "csv"):
        fail("Mẫu chỉ có dạng xlsx hoặc csv", 2)
    output.write_bytes(template_bytes(fmt))
    err.print(f"Đã ghi {output}")
