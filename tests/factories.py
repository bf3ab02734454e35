"""Small factories that put sites and stations straight into the database with the ORM.

They bypass the services on purpose (no duplicate or province checks) so that a test can arrange
exactly the data it needs; each one flushes and returns the new object. Call them with keyword
arguments; every argument has a sensible default.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.admin_units.service import place_points
from registry.organisations.models import Organisation
from registry.permits.models import FrequencyLicence, Permit
from registry.positions import point
from registry.stations.models import Sector, Site, Station
from registry.zones.models import PlanningZone

OPERATORS = ("VIETTEL", "VNPT", "MOBIFONE", "VIETNAMOBILE", "GTEL")
# Hải Phòng's urban core (Lê Chân, Ngô Quyền, Hồng Bàng, Hải An, Kiến An): dry land, dense sites.
URBAN_CORE = (106.60, 20.80, 106.75, 20.90)
CENTRE = (106.683, 20.860)

_counter = itertools.count(1)


def _next() -> int:
    return next(_counter)


def operator(db: Session, code: str = "VIETTEL") -> Organisation:
    """A seeded operator by its code (VIETTEL, VNPT, MOBIFONE, VIETNAMOBILE, GTEL)."""
    org = db.scalar(select(Organisation).where(Organisation.code == code.upper()))
    if org is None:
        raise LookupError(f"operator {code} is not seeded")
    return org


def make_site(
    db: Session,
    *,
    code: str | None = None,
    lon: float = CENTRE[0],
    lat: float = CENTRE[1],
    address: str | None = None,
    pole_class: str | None = "A2a",
    pole_height_m: float | None = 15.0,
    building_height_m: float | None = None,
    status: str = "operating",
    provenance: str = "gps",
    admin_unit_id: int | None = None,
    place: bool = True,
    owner: Organisation | None = None,
) -> Site:
    """A site at (lon, lat) in WGS 84; ``place`` puts it in the commune its point lies in."""
    n = _next()
    if admin_unit_id is None and place:
        admin_unit_id = place_points(db, [(lon, lat)], province_code="31")[0].commune_id
    site = Site(
        code=code or f"TS-{n:06d}",
        geom=point(lon, lat),
        source_crs=4326,
        source_x=lon,
        source_y=lat,
        provenance=provenance,
        address=address if address is not None else f"Số {n} đường thử nghiệm",
        admin_unit_id=admin_unit_id,
        pole_class=pole_class,
        pole_height_m=pole_height_m,
        building_height_m=building_height_m,
        owner_id=owner.id if owner is not None else None,
        status=status,
    )
    db.add(site)
    db.flush()
    return site


def make_station(
    db: Session,
    *,
    site: Site | None = None,
    operator_code: str = "VIETTEL",
    station_code: str | None = None,
    technologies: Sequence[str] = ("4G",),
    bands: Sequence[str] = ("1800",),
    status: str = "operating",
    commissioning_date: date | None = None,
    sectors: Sequence[tuple[float, float | None, float | None]] = (),
    **site_kwargs: object,
) -> Station:
    """A station of ``operator_code`` on ``site`` (a new site made from ``site_kwargs`` if none)."""
    if site is None:
        site = make_site(db, **site_kwargs)  # type: ignore[arg-type]
    elif site_kwargs:
        raise TypeError("site keyword arguments given together with a site")
    n = _next()
    station = Station(
        operator_id=operator(db, operator_code).id,
        station_code=station_code or f"ST{n:06d}",
        site_id=site.id,
        technologies=sorted(set(technologies)),
        bands=list(bands),
        status=status,
        commissioning_date=commissioning_date,
        sectors=[
            Sector(sector_no=i, azimuth_deg=a, tilt_deg=t, eirp_w=e) for i, (a, t, e) in enumerate(sectors, start=1)
        ],
    )
    db.add(station)
    db.flush()
    db.expire(site, ["stations"])
    return station


def random_points(
    rng: random.Random, count: int, box: tuple[float, float, float, float] = URBAN_CORE
) -> list[tuple[float, float]]:
    x0, y0, x1, y1 = box
    return [(rng.uniform(x0, x1), rng.uniform(y0, y1)) for _ in range(count)]


def make_random_sites(
    db: Session,
    *,
    count: int,
    seed: int = 1,
    box: tuple[float, float, float, float] = URBAN_CORE,
    operators: Sequence[str] = OPERATORS[:4],
    prefix: str = "RS",
) -> list[Site]:
    """``count`` sites at random points in ``box`` (a seeded random.Random), each with one station
    of an operator picked at random; without commune placement (fast)."""
    rng = random.Random(seed)
    sites = []
    ids = {code: operator(db, code).id for code in operators}
    for i, (lon, lat) in enumerate(random_points(rng, count, box), start=1):
        site = Site(
            code=f"{prefix}-{seed}-{i:05d}",
            geom=point(lon, lat),
            source_crs=4326,
            source_x=lon,
            source_y=lat,
            provenance="gps",
            address=f"Điểm ngẫu nhiên {i}",
            status="operating",
            pole_class=rng.choice(["A1a", "A1b", "A2a", "A2b", "A2c"]),
            pole_height_m=15.0,
        )
        sites.append(site)
    db.add_all(sites)
    db.flush()
    stations = [
        Station(
            operator_id=ids[rng.choice(list(operators))],
            station_code=f"{s.code}-S",
            site_id=s.id,
            technologies=sorted(rng.sample(["2G", "3G", "4G", "5G"], 2)),
            bands=["1800"],
            status="operating",
        )
        for s in sites
    ]
    db.add_all(stations)
    db.flush()
    return sites


def make_permit(
    db: Session,
    *,
    kind: str,
    site: Site | None = None,
    station: Station | None = None,
    number: str | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
    suspended_from: date | None = None,
    suspended_until: date | None = None,
    revoked_on: date | None = None,
) -> Permit:
    """A permit of ``kind`` held by ``site`` or ``station`` (exactly one)."""
    permit = Permit(
        kind=kind,
        site_id=site.id if site is not None else None,
        station_id=station.id if station is not None else None,
        number=number or f"GP-{_next():06d}",
        valid_from=valid_from,
        valid_until=valid_until,
        suspended_from=suspended_from,
        suspended_until=suspended_until,
        revoked_on=revoked_on,
    )
    db.add(permit)
    db.flush()
    return permit


def make_licence(
    db: Session, *, operator_code: str = "VIETTEL", band: str = "1800", valid_until: date | None = None
) -> FrequencyLicence:
    licence = FrequencyLicence(
        operator_id=operator(db, operator_code).id, band=band, number=f"TS-{_next():06d}", valid_until=valid_until
    )
    db.add(licence)
    db.flush()
    return licence


def make_zone(
    db: Session,
    *,
    polygon: Sequence[tuple[float, float]],
    kind: str = "general",
    code: str | None = None,
    allowed_pole_classes: list[str] | None = None,
    max_height_m: float | None = None,
    urban: bool | None = None,
) -> PlanningZone:
    """A planning zone over the ring ``polygon`` (lon, lat pairs)."""
    from geoalchemy2.shape import from_shape
    from shapely.geometry import MultiPolygon, Polygon

    zone = PlanningZone(
        code=code or f"Z-{_next():05d}",
        name="Vùng thử nghiệm",
        kind=kind,
        geom=from_shape(MultiPolygon([Polygon(polygon)]), srid=4326),
        allowed_pole_classes=allowed_pole_classes,
        max_height_m=max_height_m,
        urban=urban,
    )
    db.add(zone)
    db.flush()
    return zone


def box(lon: float, lat: float, half: float) -> list[tuple[float, float]]:
    """A square ring of half-side ``half`` degrees around (lon, lat)."""
    return [(lon - half, lat - half), (lon + half, lat - half), (lon + half, lat + half), (lon - half, lat + half)]
