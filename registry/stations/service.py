"""The only place that changes sites and stations. Services add and flush; the caller commits.

Keyword-only arguments, registry errors only (never HTTP ones), Vietnamese messages.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from registry.admin_units.service import place_points
from registry.errors import Conflict, FieldError, NotFound, ValidationFailed
from registry.organisations.models import Organisation
from registry.organisations.service import OrganisationIndex, new_organisation
from registry.positions import Position, point, position_from_input
from registry.settings import Settings, get_settings
from registry.stations.models import Sector, Site, SiteStatus, Station, StationStatus
from registry.stations.schemas import (
    SectorIn,
    SiteCreate,
    SitePatch,
    StationCreate,
    StationPatch,
)
from registry.versions import check_version, touch

# --- reading ---------------------------------------------------------------------------------------


def get_site(session: Session, *, code: str, for_update: bool = False) -> Site:
    query = select(Site).where(Site.code == code).options(selectinload(Site.stations).selectinload(Station.sectors))
    # A change locks the row it read, so two writers on the same version cannot both pass the check.
    if for_update:
        query = query.with_for_update(of=Site).execution_options(populate_existing=True)
    site = session.scalar(query)
    if site is None:
        raise NotFound(f"Không có vị trí (cột ăng ten) mã {code}")
    return site


def get_station(session: Session, *, station_id: int, for_update: bool = False) -> Station:
    # An id outside the column's range cannot exist; asking PostgreSQL would be an error, not a miss.
    in_range = 1 <= station_id <= 2**31 - 1
    station = None
    if in_range:
        query = select(Station).where(Station.id == station_id).options(selectinload(Station.sectors))
        if for_update:
            query = query.with_for_update(of=Station).execution_options(populate_existing=True)
        station = session.scalar(query)
    if station is None:
        raise NotFound(f"Không có trạm gốc số {station_id}")
    return station


def site_lon_lat(session: Session, site: Site) -> tuple[float, float]:
    lon, lat = session.execute(select(func.ST_X(Site.geom), func.ST_Y(Site.geom)).where(Site.id == site.id)).one()
    return float(lon), float(lat)


def sites_within(
    session: Session, *, lon: float, lat: float, metres: float, exclude_id: int | None = None
) -> list[tuple[str, float]]:
    """(code, distance in metres) of the sites closer than ``metres`` to a point, nearest first."""
    rows = session.execute(
        text(
            "SELECT code, ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography) d "
            "FROM site WHERE ST_DWithin(geom::geography, "
            "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :m) AND id IS DISTINCT FROM :ex "
            "ORDER BY d, code"
        ),
        {"lon": lon, "lat": lat, "m": metres, "ex": exclude_id},
    ).all()
    return [(r.code, float(r.d)) for r in rows]


# --- positions -------------------------------------------------------------------------------------


def lock_site_writes(session: Session) -> None:
    """Serialise writers of sites until the transaction ends: new codes are max + 1, and the
    duplicate-site and placement checks read before they write.

    The wait is bounded by the transaction's ``lock_timeout`` (registry.db.bound_waits: 3 s for an
    ordinary request by default), after which the request gets 503 with Retry-After; the station
    import holds the lock only while it writes, never while it reads and checks its file."""
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext('tttt:site-writes'))"))


def _check_placement(session: Session, pos: Position, settings: Settings, *, exclude_id: int | None) -> int | None:
    """The commune the point is in; refuses points outside the province or on top of another site."""
    placement = place_points(session, [(pos.lon, pos.lat)], province_code=settings.province_code)[0]
    errors: list[FieldError] = []
    if placement.outside_province_m is not None and placement.outside_province_m > settings.province_tolerance_m:
        errors.append(
            FieldError(
                f"Điểm nằm ngoài địa bàn tỉnh (cách ranh giới {placement.outside_province_m / 1000:.1f} km)",
                field="position",
                code="outside_province",
            )
        )
    near = sites_within(
        session, lon=pos.lon, lat=pos.lat, metres=settings.duplicate_site_distance_m, exclude_id=exclude_id
    )
    if near:
        code, d = near[0]
        errors.append(
            FieldError(
                f"Trùng vị trí với cột {code} (cách {d:.1f} m): có thể là cùng một vị trí nhập hai lần; "
                "hãy thêm trạm vào vị trí đó",
                field="position",
                code="duplicate_site",
            )
        )
    if errors:
        raise ValidationFailed("Vị trí không hợp lệ", errors)
    return placement.commune_id


# --- sites -----------------------------------------------------------------------------------------

_CODE_NUMBER = re.compile(r"(\d+)$")


def next_site_code(session: Session, settings: Settings | None = None) -> str:
    prefix = (settings or get_settings()).site_code_prefix
    last = session.scalar(
        text("SELECT max(CAST(substring(code FROM '[0-9]+$') AS bigint)) FROM site WHERE code ~ :p"),
        {"p": f"^{re.escape(prefix)}-[0-9]{{1,12}}$"},
    )
    return f"{prefix}-{(last or 0) + 1:05d}"


def _owner(session: Session, name: str | None) -> Organisation | None:
    if not name:
        return None
    index = OrganisationIndex(session)
    return index.find(name) or new_organisation(session, index, name=name)


def _apply_site_fields(session: Session, site: Site, fields: dict[str, Any]) -> None:
    for key in ("address", "pole_class", "pole_height_m", "building_height_m", "ground_elevation_m", "status", "notes"):
        if key in fields:
            value = fields[key]
            setattr(site, key, value.value if hasattr(value, "value") else value)
    if "commune" in fields:
        site.entered_admin_unit = fields["commune"]
    if "owner" in fields:
        owner = _owner(session, fields["owner"])
        site.owner_id = owner.id if owner else None


def _flush(session: Session, what: str) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{what} đã tồn tại hoặc vi phạm ràng buộc dữ liệu") from exc


def create_site(session: Session, *, data: SiteCreate, settings: Settings | None = None) -> Site:
    settings = settings or get_settings()
    pos = position_from_input(data.position)
    lock_site_writes(session)
    commune_id = _check_placement(session, pos, settings, exclude_id=None)
    code = data.code or next_site_code(session, settings)
    if session.scalar(select(Site.id).where(Site.code == code)) is not None:
        raise Conflict(f"Mã vị trí {code} đã tồn tại")
    site = Site(
        code=code,
        geom=point(pos.lon, pos.lat),
        source_crs=pos.source_crs,
        source_x=pos.source_x,
        source_y=pos.source_y,
        provenance=data.position.provenance_or_default,
        admin_unit_id=commune_id,
        status=SiteStatus.operating.value,
    )
    _apply_site_fields(session, site, data.model_dump(exclude_unset=True, exclude={"code", "position"}))
    session.add(site)
    _flush(session, f"Vị trí {code}")
    return site


def update_site(
    session: Session, *, code: str, data: SitePatch, expected_version: int | None, settings: Settings | None = None
) -> Site:
    settings = settings or get_settings()
    site = get_site(session, code=code, for_update=True)
    check_version(site, expected_version, what=f"Vị trí {code}")
    changes = data.model_dump(exclude_unset=True, exclude={"position"})
    if data.position is not None:
        pos = position_from_input(data.position)
        lock_site_writes(session)
        site.admin_unit_id = _check_placement(session, pos, settings, exclude_id=site.id)
        site.geom = point(pos.lon, pos.lat)
        site.source_crs, site.source_x, site.source_y = pos.source_crs, pos.source_x, pos.source_y
        site.provenance = data.position.provenance_or_default
    _apply_site_fields(session, site, changes)
    _flush(session, f"Vị trí {code}")
    return site


def delete_site(session: Session, *, code: str, expected_version: int | None) -> None:
    site = get_site(session, code=code, for_update=True)
    check_version(site, expected_version, what=f"Vị trí {code}")
    if site.stations:
        raise Conflict(
            f"Vị trí {code} còn {len(site.stations)} trạm gốc; chuyển hoặc xóa các trạm trước",
            stations=[s.station_code for s in site.stations],
        )
    _refuse_if_permits(session, "site_id", site.id, f"Vị trí {code}")
    session.delete(site)
    session.flush()


def _refuse_if_permits(session: Session, column: str, record_id: int, what: str) -> None:
    """A record that holds permits is part of the official file: dismantle it, do not delete it.

    Read from the permit table by name: the permits area builds on stations, never the reverse."""
    assert column in ("site_id", "station_id")
    numbers = list(
        session.scalars(text(f"SELECT number FROM permit WHERE {column} = :id ORDER BY id LIMIT 20"), {"id": record_id})
    )
    if numbers:
        raise Conflict(
            f"{what} có {len(numbers)} giấy phép trong hồ sơ; đặt trạng thái «dismantled» thay vì xóa",
            permits=numbers,
        )


# --- stations --------------------------------------------------------------------------------------


def _operator(session: Session, name: str) -> Organisation:
    index = OrganisationIndex(session)
    operator = index.find_operator(name)
    if operator is None:
        raise ValidationFailed(
            "Doanh nghiệp không hợp lệ",
            [
                FieldError(
                    f"Không biết doanh nghiệp viễn thông «{name}» (có: {', '.join(index.operator_names())})",
                    field="operator",
                    value=name,
                )
            ],
        )
    return operator


def _site_by_code(session: Session, code: str) -> Site:
    site = session.scalar(select(Site).where(Site.code == code))
    if site is None:
        raise ValidationFailed(
            "Vị trí không tồn tại", [FieldError(f"Không có vị trí mã {code}", field="site_code", value=code)]
        )
    return site


def set_sectors(station: Station, sectors: list[tuple[float, float | None, float | None]]) -> bool:
    """Make the station's sectors 1..n equal (azimuth, tilt, EIRP) ``sectors``; True when anything changed.

    Rows are updated in place and only extra ones removed, so the unique (station, sector number)
    key never sees two rows at once.
    """
    changed = len(station.sectors) != len(sectors)
    del station.sectors[len(sectors) :]
    for i, (azimuth, tilt, eirp) in enumerate(sectors, start=1):
        if i <= len(station.sectors):
            sector = station.sectors[i - 1]
            if (sector.azimuth_deg, sector.tilt_deg, sector.eirp_w) != (azimuth, tilt, eirp):
                sector.azimuth_deg, sector.tilt_deg, sector.eirp_w = azimuth, tilt, eirp
                changed = True
        else:
            station.sectors.append(Sector(sector_no=i, azimuth_deg=azimuth, tilt_deg=tilt, eirp_w=eirp))
    return changed


def _apply_station_fields(station: Station, fields: dict[str, Any], sectors: list[SectorIn] | None) -> bool:
    """Set the given fields; True when the sectors changed."""
    for key in ("bands", "status", "commissioning_date", "equipment_model", "configuration"):
        if key in fields:
            value = fields[key]
            setattr(station, key, value.value if hasattr(value, "value") else value)
    if "technologies" in fields:
        station.technologies = [str(t) for t in fields["technologies"] or []]
    if sectors is not None:
        return set_sectors(station, [(s.azimuth_deg, s.tilt_deg, s.eirp_w) for s in sectors])
    return False


def create_station(session: Session, *, data: StationCreate) -> Station:
    operator = _operator(session, data.operator)
    site = _site_by_code(session, data.site_code)
    exists = session.scalar(
        select(Station.id).where(Station.operator_id == operator.id, Station.station_code == data.station_code)
    )
    if exists is not None:
        raise Conflict(f"{operator.short_name} đã có trạm mã {data.station_code} (số {exists})")
    station = Station(
        operator_id=operator.id,
        station_code=data.station_code,
        site_id=site.id,
        status=StationStatus.operating.value,
        technologies=[],
        bands=[],
    )
    fields = data.model_dump(exclude_unset=True, exclude={"operator", "station_code", "site_code", "sectors"})
    _apply_station_fields(station, fields, data.sectors)
    session.add(station)
    _flush(session, f"Trạm {data.station_code}")
    return station


def update_station(session: Session, *, station_id: int, data: StationPatch, expected_version: int | None) -> Station:
    station = get_station(session, station_id=station_id, for_update=True)
    check_version(station, expected_version, what=f"Trạm số {station_id}")
    fields = data.model_dump(exclude_unset=True, exclude={"site_code", "sectors"})
    if data.site_code is not None:
        station.site_id = _site_by_code(session, data.site_code).id
    sectors_changed = _apply_station_fields(station, fields, data.sectors)
    if sectors_changed:
        touch(station)  # sectors are rows of their own; their station still counts a version
    _flush(session, f"Trạm {station.station_code}")
    return station


def delete_station(session: Session, *, station_id: int, expected_version: int | None) -> None:
    station = get_station(session, station_id=station_id, for_update=True)
    check_version(station, expected_version, what=f"Trạm số {station_id}")
    _refuse_if_permits(session, "station_id", station.id, f"Trạm số {station_id}")
    session.delete(station)
    session.flush()
