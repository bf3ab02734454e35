"""`tttt export` and `tttt template`: the registry out to files (re-importable) and the blank template."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli.common import check_filter_words, err, fail
from registry.errors import RegistryError, ValidationFailed
from registry.text import grouped

app = typer.Typer(help="Xuất dữ liệu", no_args_is_help=True)


@app.command("press")
def export_press(
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, xlsx, kml hoặc gpkg")] = "xlsx",
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("co-quan-bao-chi.xlsx"),
    crs: Annotated[str | None, typer.Option("--crs", help="Hệ tọa độ của tệp gpkg (mặc định EPSG:4326)")] = None,
) -> None:
    """Xuất toàn bộ cơ quan báo chí (csv, xlsx nhập lại được; kml, gpkg cùng các cột)."""
    from registry.db import session_scope
    from registry.press.exporter import stream_outlets
    from registry.press.tabular import export_outlets

    if fmt not in ("csv", "xlsx", "kml", "gpkg"):
        fail("Định dạng phải là csv, xlsx, kml hoặc gpkg", 2)
    try:
        with session_scope() as session:
            if fmt in ("csv", "xlsx"):
                output.write_bytes(export_outlets(session, fmt))
            else:
                _write(stream_outlets(session, fmt=fmt, crs=crs), output)
    except RegistryError as exc:
        fail(exc.detail, 2)
    err.print(f"Đã ghi {output}")


def _write(chunks: Iterator[bytes], output: Path | None) -> int:
    target = output.open("wb") if output else sys.stdout.buffer
    size = 0
    try:
        for chunk in chunks:
            target.write(chunk)
            size += len(chunk)
    finally:
        if output:
            target.close()
        else:
            target.flush()
    return size


def _export_list(what: str, fmt: str, output: Path | None, crs: str | None, **filters: Any) -> None:
    """Stations or sites (``what``) with the API's filters, checks and fields (the CLI reads as staff)."""
    from api.deps import parse_station_filter
    from registry.db import session_scope
    from registry.settings import get_settings
    from registry.stations.exporter import FORMATS, stream_sites, stream_stations

    if fmt not in FORMATS:
        fail(f"Định dạng {fmt} không hỗ trợ ({', '.join(FORMATS)})", 2)
    stream = stream_stations if what == "stations" else stream_sites
    try:
        parsed = parse_station_filter(get_settings(), **filters)
        with session_scope() as session:
            check_filter_words(session, parsed)
            size = _write(stream(session, filters=parsed, fmt=fmt, crs=crs), output)
    except ValidationFailed as exc:
        fail("; ".join(f"{e.field or ''}: {e.message}" for e in exc.errors) or exc.detail, 2)
    except RegistryError as exc:
        fail(exc.detail, 2)
    if output:
        err.print(f"Đã ghi {output} ({grouped(size)} byte)")


CrsOption = Annotated[
    str | None, typer.Option("--crs", help="Hệ tọa độ của tệp gpkg: EPSG:4326 (mặc định) hoặc VN-2000, vd. EPSG:9210")
]


@app.command("stations")
def export_stations_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, xlsx, geojson, kml hoặc gpkg")] = "csv",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Tệp đích; bỏ trống: ra stdout")] = None,
    crs: CrsOption = None,
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
    """Xuất danh sách trạm (cùng bộ lọc, cùng kiểm tra và cùng các trường với API)."""
    _export_list(
        "stations", fmt, output, crs, operator=operator, technology=technology, pole_class=pole_class,
        status=status, admin_unit=admin_unit, q=q, bbox=bbox, within=within, near=near, radius_m=radius_m,
    )  # fmt: skip


@app.command("sites")
def export_sites_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, xlsx, geojson, kml hoặc gpkg")] = "csv",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Tệp đích; bỏ trống: ra stdout")] = None,
    crs: CrsOption = None,
    operator: Annotated[list[str] | None, typer.Option(help="Doanh nghiệp")] = None,
    technology: Annotated[list[str] | None, typer.Option(help="2G/3G/4G/5G")] = None,
    pole_class: Annotated[list[str] | None, typer.Option(help="Loại cột")] = None,
    status: Annotated[list[str] | None, typer.Option(help="Trạng thái")] = None,
    admin_unit: Annotated[str | None, typer.Option(help="Mã hoặc tên xã/phường")] = None,
    q: Annotated[str | None, typer.Option(help="Tìm theo mã, địa chỉ")] = None,
    bbox: Annotated[str | None, typer.Option(help="minLon,minLat,maxLon,maxLat")] = None,
) -> None:
    """Xuất danh sách vị trí cột ăng ten (cùng bộ lọc và cùng các trường với API)."""
    _export_list(
        "sites", fmt, output, crs, operator=operator, technology=technology, pole_class=pole_class,
        status=status, admin_unit=admin_unit, q=q, bbox=bbox,
    )  # fmt: skip


@app.command("zones")
def export_zones_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, xlsx, geojson, kml hoặc gpkg")] = "gpkg",
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("vung-quy-hoach.gpkg"),
    crs: CrsOption = None,
) -> None:
    """Xuất các vùng quy hoạch hạ tầng viễn thông."""
    from registry.db import session_scope
    from registry.zones.exporter import stream_zones

    try:
        with session_scope() as session:
            size = _write(stream_zones(session, fmt=fmt, crs=crs), output)
    except ValidationFailed as exc:
        fail("; ".join(f"{e.field or ''}: {e.message}" for e in exc.errors) or exc.detail, 2)
    except RegistryError as exc:
        fail(exc.detail, 2)
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
