"""One site or station as the API shows it (a GeoJSON Feature for a site)."""

from __future__ import annotations

from collections.abc import Collection
from functools import cache
from typing import Any

from sqlalchemy.orm import Session, object_session

from geo.crs import SUPPORTED_EPSG, WGS84_EPSG, is_geographic
from registry.accounts.permissions import PUBLIC_FIELDS, Principal, visible_fields
from registry.clock import today
from registry.rules.book import RuleBook
from registry.stations import emf
from registry.stations.models import Site, Station
from registry.stations.service import site_lon_lat


def _only(record: dict[str, Any], fields: Collection[str] | None) -> dict[str, Any]:
    return record if fields is None else {k: v for k, v in record.items() if k in fields}


def emf_limit(session: Session) -> float:
    """Today's public power-density limit (W/m²), that the safety distances are computed with."""
    return emf.limit_on(RuleBook.load(session), today())


def station_dict(
    station: Station,
    *,
    site_code: str | None = None,
    fields: Collection[str] | None = None,
    limit_w_m2: float | None = None,
) -> dict[str, Any]:
    """A station as the API shows it; ``fields`` keeps only those a reader may see (None: all). A reader
    kept to some fields (the public) sees of each sector only its public fields: its number, azimuth and
    safety distance, never its EIRP. ``limit_w_m2``: the EMF limit (read from the rule book if not given)."""
    if limit_w_m2 is None:
        session = object_session(station)
        assert session is not None, "a station read from the database"
        limit_w_m2 = emf_limit(session)
    record = _only(_station(station, site_code, limit_w_m2), fields)
    if fields is not None and "sectors" in record:
        record["sectors"] = [_only(s, PUBLIC_FIELDS["sector"]) for s in record["sectors"]]
    return record


def _station(station: Station, site_code: str | None, limit_w_m2: float) -> dict[str, Any]:
    return {
        "id": station.id,
        "station_code": station.station_code,
        "operator": station.operator.short_name,
        "operator_code": station.operator.code,
        "site_code": site_code or station.site.code,
        "technologies": list(station.technologies),
        "bands": list(station.bands),
        "status": station.status,
        "commissioning_date": station.commissioning_date.isoformat() if station.commissioning_date else None,
        "equipment_model": station.equipment_model,
        "configuration": station.configuration,
        "sectors": [
            {
                "sector_no": s.sector_no,
                "azimuth_deg": s.azimuth_deg,
                "tilt_deg": s.tilt_deg,
                "eirp_w": s.eirp_w,
                "compliance_distance_m": emf.sector_distance_m(s.eirp_w, limit_w_m2),
            }
            for s in station.sectors
        ],
        "version": station.version,
        "created_at": station.created_at.isoformat() if station.created_at else None,
        "updated_at": station.updated_at.isoformat() if station.updated_at else None,
    }


def site_feature(
    session: Session,
    site: Site,
    *,
    fields: Collection[str] | None = None,
    station_fields: Collection[str] | None = None,
) -> dict[str, Any]:
    lon, lat = site_lon_lat(session, site)
    unit = site.admin_unit
    limit_w_m2 = emf_limit(session)
    stations = [
        station_dict(st, site_code=site.code, fields=station_fields, limit_w_m2=limit_w_m2) for st in site.stations
    ]
    return {
        "type": "Feature",
        "id": site.code,
        "geometry": {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]},
        "properties": _only(
            {
                "code": site.code,
                "address": site.address,
                "commune": unit.name if unit else None,
                "commune_code": unit.code if unit else None,
                "entered_admin_unit": site.entered_admin_unit,
                "source": {
                    "crs": site.source_crs,
                    "x": site.source_x,
                    "y": site.source_y,
                    "provenance": site.provenance,
                },
                "pole_class": site.pole_class,
                "pole_height_m": site.pole_height_m,
                "building_height_m": site.building_height_m,
                "ground_elevation_m": site.ground_elevation_m,
                "owner": site.owner.short_name if site.owner else None,
                "status": site.status,
                "notes": site.notes,
                "stations": stations,
                "max_compliance_distance_m": emf.largest(
                    emf.sector_distance_m(s.eirp_w, limit_w_m2) for st in site.stations for s in st.sectors
                ),
                "version": site.version,
                "created_at": site.created_at.isoformat() if site.created_at else None,
                "updated_at": site.updated_at.isoformat() if site.updated_at else None,
            },
            fields,
        ),
    }


def site_feature_for(session: Session, site: Site, principal: Principal) -> dict[str, Any]:
    """A site as ``principal`` may read it (the API's answer and the office page's record)."""
    return site_feature(
        session,
        site,
        fields=visible_fields(principal, "site"),
        station_fields=visible_fields(principal, "station"),
    )


def site_record(session: Session, site: Site, principal: Principal) -> dict[str, Any]:
    """A site as ``principal`` may read it and, for staff, the cases about it: what ``GET /api/sites/{code}``
    answers and the record pages show."""
    feature = site_feature_for(session, site, principal)
    if visible_fields(principal, "site") is None:  # staff: the cases about this site
        from registry.cases.service import cases_about

        feature["properties"]["cases"] = cases_about(session, "site", site.code)
    return feature


@cache
def crs_names() -> dict[int, str]:
    """Each supported CRS by a name an officer recognises, e.g. "VN-2000 TM-3 kinh tuyến trục 105°45′
    (EPSG:9210)"; WGS 84 first, then VN-2000 by kind and meridian."""
    from pyproj import CRS

    names: dict[int, str] = {WGS84_EPSG: f"WGS 84 – kinh độ, vĩ độ (EPSG:{WGS84_EPSG})"}
    keyed = []
    for code in SUPPORTED_EPSG - {WGS84_EPSG}:
        crs = CRS.from_epsg(code)
        if is_geographic(code):
            keyed.append(((0, 0.0), code, f"VN-2000 – kinh độ, vĩ độ (EPSG:{code})"))
            continue
        op = crs.coordinate_operation
        meridian = next((p.value for p in (op.params if op else []) if "longitude" in p.name.lower()), None)
        if "UTM" in crs.name:
            keyed.append(((1, meridian or 0.0), code, f"VN-2000 {crs.name.split('/')[-1].strip()} (EPSG:{code})"))
        else:
            degrees = int(meridian or 0)
            minutes = round(((meridian or 0) - degrees) * 60)
            keyed.append(
                ((2, meridian or 0.0), code, f"VN-2000 TM-3 kinh tuyến trục {degrees}°{minutes:02d}′ (EPSG:{code})")
            )
    for _, code, name in sorted(keyed):
        names[code] = name
    return names


def sites_kml(rows: Collection[dict[str, Any]], *, title: str, labels: dict[str, str]) -> bytes:
    """The rows of a site list as KML placemarks (Google Earth): the code as the name, the list's
    columns (``labels``: key → heading) as plain-text description lines and as extended data."""
    from xml.sax.saxutils import escape

    import simplekml

    kml = simplekml.Kml(name=title)
    for r in rows:
        placemark = kml.newpoint(name=str(r["code"]), coords=[(float(r["lon"]), float(r["lat"]))])
        lines = []
        for key, label in labels.items():
            value = r.get(key)
            if isinstance(value, list | tuple):
                text = ", ".join(map(str, value))
            else:
                text = "" if value is None else str(value)
            # simplekml escapes names and descriptions, but writes extended data as given.
            placemark.extendeddata.newdata(name=key, value=escape(text), displayname=escape(label))
            if text:
                lines.append(f"{label}: {text}")
        placemark.description = "\n".join(lines)
    return kml.kml().encode("utf-8")
