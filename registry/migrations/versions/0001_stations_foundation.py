"""Extensions, VN-2000 CRSs, organisations, administrative units, sites, stations, sectors.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import ARRAY

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VN2000_TM3_SRIDS = range(9205, 9219)


def _tracked() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
    ]


def upgrade() -> None:
    for ext in ("postgis", "pg_trgm", "unaccent"):
        op.execute(f"CREATE EXTENSION IF NOT EXISTS {ext}")
    # unaccent() is only STABLE; an IMMUTABLE wrapper with the dictionary named lets it be indexed.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
        """
    )
    # Debian's PostGIS lacks the provincial VN-2000 TM-3 zones; they were taken from PROJ's EPSG data
    # (geo.crs.spatial_ref_sys_rows) and are frozen below.
    insert = sa.text(
        "INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text) "
        "VALUES (:srid, :auth_name, :auth_srid, :srtext, :proj4text) ON CONFLICT (srid) DO NOTHING"
    )
    for srid, auth_name, auth_srid, srtext, proj4text in SPATIAL_REF_SYS:
        op.get_bind().execute(
            insert,
            {"srid": srid, "auth_name": auth_name, "auth_srid": auth_srid, "srtext": srtext, "proj4text": proj4text},
        )

    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("short_name", sa.String(80)),
        sa.Column("is_operator", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("tax_code", sa.String(20)),
        sa.Column("aliases", ARRAY(sa.Text()), server_default="{}", nullable=False),
        *_tracked(),
        sa.UniqueConstraint("code", name="uq_organisation_code"),
    )
    op.create_table(
        "admin_unit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(20)),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("admin_unit.id", name="fk_admin_unit_parent_id_admin_unit")),
        sa.Column("valid_from", sa.Date()),  # NULL: start not recorded
        sa.Column("valid_to", sa.Date()),
        sa.Column("urban", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("approximate", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("former_district", sa.Text()),
        sa.Column("geom", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False)),
        sa.UniqueConstraint(
            "code", "valid_from", name="uq_admin_unit_code_valid_from", postgresql_nulls_not_distinct=True
        ),
        sa.CheckConstraint("level IN ('province', 'district', 'commune')", name="ck_admin_unit_level"),
        sa.CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="ck_admin_unit_validity"),
    )
    op.create_index("ix_admin_unit_geom", "admin_unit", ["geom"], postgresql_using="gist")

    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.Column("source_crs", sa.Integer(), nullable=False),
        sa.Column("source_x", sa.Float(), nullable=False),
        sa.Column("source_y", sa.Float(), nullable=False),
        sa.Column("provenance", sa.String(16), nullable=False),
        sa.Column("address", sa.Text()),
        sa.Column(
            "admin_unit_id", sa.Integer(), sa.ForeignKey("admin_unit.id", name="fk_site_admin_unit_id_admin_unit")
        ),
        sa.Column("entered_admin_unit", sa.Text()),
        sa.Column("pole_class", sa.String(4)),
        sa.Column("pole_height_m", sa.Float()),
        sa.Column("building_height_m", sa.Float()),
        sa.Column("ground_elevation_m", sa.Float()),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("organisation.id", name="fk_site_owner_id_organisation")),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("notes", sa.Text()),
        *_tracked(),
        sa.UniqueConstraint("code", name="uq_site_code"),
        sa.CheckConstraint("pole_class IN ('A1a', 'A1b', 'A1c', 'A2a', 'A2b', 'A2c')", name="ck_site_pole_class"),
        sa.CheckConstraint(
            "status IN ('planned', 'under_construction', 'operating', 'dismantled')", name="ck_site_status"
        ),
        sa.CheckConstraint("provenance IN ('gps', 'survey', 'map', 'converted')", name="ck_site_provenance"),
        sa.CheckConstraint("pole_height_m IS NULL OR pole_height_m > 0", name="ck_site_pole_height"),
        sa.CheckConstraint("building_height_m IS NULL OR building_height_m >= 0", name="ck_site_building_height"),
    )
    op.create_index("ix_site_geom", "site", ["geom"], postgresql_using="gist")
    op.execute("CREATE INDEX ix_site_geog ON site USING gist ((geom::geography))")
    op.execute(
        "CREATE INDEX ix_site_search ON site USING gin "
        "(f_unaccent(lower(code || ' ' || coalesce(address, ''))) gin_trgm_ops)"
    )
    op.create_index("ix_site_admin_unit_id", "site", ["admin_unit_id"])
    op.create_index("ix_site_owner_id", "site", ["owner_id"])

    op.create_table(
        "station",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "operator_id",
            sa.Integer(),
            sa.ForeignKey("organisation.id", name="fk_station_operator_id_organisation"),
            nullable=False,
        ),
        sa.Column("station_code", sa.String(60), nullable=False),
        sa.Column(
            "site_id",
            sa.Integer(),
            sa.ForeignKey("site.id", ondelete="RESTRICT", name="fk_station_site_id_site"),
            nullable=False,
        ),
        sa.Column("technologies", ARRAY(sa.String(2)), server_default="{}", nullable=False),
        sa.Column("bands", ARRAY(sa.String(16)), server_default="{}", nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("commissioning_date", sa.Date()),
        sa.Column("equipment_model", sa.Text()),
        sa.Column("configuration", sa.String(40)),
        *_tracked(),
        sa.UniqueConstraint("operator_id", "station_code", name="uq_station_operator_id_station_code"),
        sa.CheckConstraint(
            "status IN ('planned', 'under_construction', 'operating', 'suspended', 'dismantled')",
            name="ck_station_status",
        ),
        sa.CheckConstraint("technologies <@ ARRAY['2G', '3G', '4G', '5G']::varchar[]", name="ck_station_technologies"),
    )
    op.create_index("ix_station_operator_id", "station", ["operator_id"])
    op.create_index("ix_station_site_id", "station", ["site_id"])
    op.create_index("ix_station_technologies", "station", ["technologies"], postgresql_using="gin")
    op.execute("CREATE INDEX ix_station_search ON station USING gin (f_unaccent(lower(station_code)) gin_trgm_ops)")

    op.create_table(
        "sector",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "station_id",
            sa.Integer(),
            sa.ForeignKey("station.id", ondelete="CASCADE", name="fk_sector_station_id_station"),
            nullable=False,
        ),
        sa.Column("sector_no", sa.SmallInteger(), nullable=False),
        sa.Column("azimuth_deg", sa.Float(), nullable=False),
        sa.Column("tilt_deg", sa.Float()),
        sa.Column("eirp_w", sa.Float()),
        sa.UniqueConstraint("station_id", "sector_no", name="uq_sector_station_id_sector_no"),
        sa.CheckConstraint("azimuth_deg >= 0 AND azimuth_deg < 360", name="ck_sector_azimuth"),
        sa.CheckConstraint("tilt_deg IS NULL OR tilt_deg BETWEEN -90 AND 90", name="ck_sector_tilt"),
        sa.CheckConstraint("eirp_w IS NULL OR eirp_w > 0", name="ck_sector_eirp"),
    )


def downgrade() -> None:
    op.drop_table("sector")
    op.drop_table("station")
    op.drop_table("site")
    op.drop_table("admin_unit")
    op.drop_table("organisation")
    op.execute("DROP FUNCTION IF EXISTS f_unaccent(text)")
    op.execute(
        f"DELETE FROM spatial_ref_sys WHERE srid BETWEEN {VN2000_TM3_SRIDS.start} AND {VN2000_TM3_SRIDS.stop - 1}"
    )


# Frozen data: the rows geo.crs.spatial_ref_sys_rows(range(9205, 9219)) gave when frozen for issue #14 (PROJ's EPSG
# data, WKT1_GDAL with TOWGS84[EPSG:6960]). Copied here so that changing geo.crs can never change what
# this migration writes; tests/registry/test_migrations_frozen.py checks the copy against the code.
SPATIAL_REF_SYS: tuple[tuple[int, str, int, str, str], ...] = (
    (
        9205,
        "EPSG",
        9205,
        (
            'PROJCS["VN-2000 / TM-3 103-00",GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,'
            "298.257223563],TOWGS84[-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,"
            '0.00427372,0.252906278]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",'
            '0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]],'
            'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],'
            'PARAMETER["central_meridian",103],PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",'
            '500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",'
            'EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","9205"]]'
        ),
        (
            "+proj=tmerc +lat_0=0 +lon_0=103 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +towgs84=-191.90441429,"
            "-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 +units=m +no_defs"
        ),
    ),
    (
        9206,
        "EPSG",
        9206,
        (
            'PROJCS["VN-2000 / TM-3 104-00",GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,'
            "298.257223563],TOWGS84[-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,"
            '0.00427372,0.252906278]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",'
            '0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]],'
            'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],'
            'PARAMETER["central_meridian",104],PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",'
            '500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",'
            'EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","9206"]]'
        ),
        (
            "+proj=tmerc +lat_0=0 +lon_0=104 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +towgs84=-191.90441429,"
            "-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 +units=m +no_defs"
        ),
    ),
    (
        9207,
        "EPSG",
        9207,
        (
            'PROJCS["VN-2000 / TM-3 104-30",GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,'
            "298.257223563],TOWGS84[-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,"
            '0.00427372,0.252906278]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",'
            '0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]],'
            'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],'
            'PARAMETER["central_meridian",104.5],PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",'
            '500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",'
            'EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","9207"]]'
        ),
        (
            "+proj=tmerc +lat_0=0 +lon_0=104.5 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +towgs84=-191.90441429,"
            "-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 +units=m +no_defs"
        ),
    ),
    (
        9208,
        "EPSG",
        9208,
        (
            'PROJCS["VN-2000 / TM-3 104-45",GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,'
            "298.257223563],TOWGS84[-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,"
            '0.00427372,0.252906278]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",'
            '0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]],'
            'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],'
            'PARAMETER["central_meridian",104.75],PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",'
            '500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",'
            'EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","9208"]]'
        ),
        (
            "+proj=tmerc +lat_0=0 +lon_0=104.75 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +towgs84=-191.90441429,"
            "-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 +units=m +no_defs"
        ),
    ),
    (
        9209,
        "EPSG",
        9209,
        (
            'PROJCS["VN-2000 / TM-3 105-30",GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,'
            "298.257223563],TOWGS84[-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,"
            '0.00427372,0.252906278]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",'
            '0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]],'
            'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],'
            'PARAMETER["central_meridian",105.5],PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",'
            '500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",'
            'EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","9209"]]'
        ),
        (
            "+proj=tmerc +lat_0=0 +lon_0=105.5 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +towgs84=-191.90441429,"
            "-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 +units=m +no_defs"
        ),
    ),
    (
        9210,
        "EPSG",
        9210,
        (
            'PROJCS["VN-2000 / TM-3 105-45",GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,'
            "298.257223563],TOWGS84[-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,"
            '0.00427372,0.252906278]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",'
            '0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]],'
            'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],'
            'PARAMETER["central_meridian",105.75],PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",'
            '500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",'
            'EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","9210"]]'
        ),
        (
            "+proj=tmerc +lat_0=0 +lon_0=105.75 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +towgs84=-191.90441429,"
            "-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 +units=m +no_defs"
        ),
    ),
    (
        9211,
        "EPSG",
        9211,
        (
            'PROJCS["VN-2000 / TM-3 106-00",GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,'
            "298.257223563],TOWGS84[-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,"
            '0.00427372,0.252906278]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",'
            '0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]],'
            'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],'
            'PARAMETER["central_meridian",106],PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",'
            '500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",'
            'EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","9211"]]'
        ),
        (
            "+proj=tmerc +lat_0=0 +lon_0=106 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +towgs84=-191.90441429,"
            "-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 +units=m +no_defs"
        ),
    ),
    (
        9212,
        "EPSG",
        9212,
        (
            'PROJCS["VN-2000 / TM-3 106-15",GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,'
            "298.257223563],TOWGS84[-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,"
            '0.00427372,0.252906278]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",'
            '0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]],'
            'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],'
            'PARAMETER["central_meridian",106.25],PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",'
            '500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",'
            'EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","9212"]]'
        ),
        (
            "+proj=tmerc +lat_0=0 +lon_0=106.25 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +towgs84=-191.90441429,"
            "-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 +units=m +no_defs"
        ),
    ),
    (
        9213,
        "EPSG",
        9213,
        (
            'PROJCS["VN-2000 / TM-3 106-30",GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,'
            "298.257223563],TOWGS84[-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,"
            '0.00427372,0.252906278]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",'
            '0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]],'
            'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],'
            'PARAMETER["central_meridian",106.5],PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",'
            '500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",'
            'EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","9213"]]'
        ),
        (
            "+proj=tmerc +lat_0=0 +lon_0=106.5 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +towgs84=-191.90441429,"
            "-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 +units=m +no_defs"
        ),
    ),
    (
        9214,
        "EPSG",
        9214,
        (
            'PROJCS["VN-2000 / TM-3 107-00",GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,'
            "298.257223563],TOWGS84[-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,"
            '0.00427372,0.252906278]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",'
            '0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]],'
            'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],'
            'PARAMETER["central_meridian",107],PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",'
            '500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",'
            'EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","9214"]]'
        ),
        (
            "+proj=tmerc +lat_0=0 +lon_0=107 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +towgs84=-191.90441429,"
            "-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 +units=m +no_defs"
        ),
    ),
    (
        9215,
        "EPSG",
        9215,
        (
            'PROJCS["VN-2000 / TM-3 107-15",GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,'
            "298.257223563],TOWGS84[-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,"
            '0.00427372,0.252906278]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",'
            '0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]],'
            'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],'
            'PARAMETER["central_meridian",107.25],PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",'
            '500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",'
            'EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","9215"]]'
        ),
        (
            "+proj=tmerc +lat_0=0 +lon_0=107.25 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +towgs84=-191.90441429,"
            "-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 +units=m +no_defs"
        ),
    ),
    (
        9216,
        "EPSG",
        9216,
        (
            'PROJCS["VN-2000 / TM-3 107-30",GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,'
            "298.257223563],TOWGS84[-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,"
            '0.00427372,0.252906278]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",'
            '0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]],'
            'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],'
            'PARAMETER["central_meridian",107.5],PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",'
            '500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",'
            'EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","9216"]]'
        ),
        (
            "+proj=tmerc +lat_0=0 +lon_0=107.5 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +towgs84=-191.90441429,"
            "-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 +units=m +no_defs"
        ),
    ),
    (
        9217,
        "EPSG",
        9217,
        (
            'PROJCS["VN-2000 / TM-3 108-15",GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,'
            "298.257223563],TOWGS84[-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,"
            '0.00427372,0.252906278]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",'
            '0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]],'
            'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],'
            'PARAMETER["central_meridian",108.25],PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",'
            '500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",'
            'EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","9217"]]'
        ),
        (
            "+proj=tmerc +lat_0=0 +lon_0=108.25 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +towgs84=-191.90441429,"
            "-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 +units=m +no_defs"
        ),
    ),
    (
        9218,
        "EPSG",
        9218,
        (
            'PROJCS["VN-2000 / TM-3 108-30",GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,'
            "298.257223563],TOWGS84[-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,"
            '0.00427372,0.252906278]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",'
            '0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]],'
            'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],'
            'PARAMETER["central_meridian",108.5],PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",'
            '500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",'
            'EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","9218"]]'
        ),
        (
            "+proj=tmerc +lat_0=0 +lon_0=108.5 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +towgs84=-191.90441429,"
            "-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 +units=m +no_defs"
        ),
    ),
)
