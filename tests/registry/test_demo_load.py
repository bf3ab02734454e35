"""The Hải Phòng demo goes through the real importer and lands where the issue says it should."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from fixtures.demo import demo_rows, load_demo
from registry.stations.models import Site, Station


def test_demo_loads_through_the_importer(db: Session) -> None:
    message = load_demo(db)
    assert "Đã nạp" in message
    sites = db.scalar(select(func.count()).select_from(Site)) or 0
    stations = db.scalar(select(func.count()).select_from(Station)) or 0
    assert sites >= 3000 and stations >= 4500
    by_crs = dict(db.execute(select(Site.source_crs, func.count()).group_by(Site.source_crs)).all())
    assert by_crs.get(9210, 0) > 50, "some sites keep their VN-2000 source coordinates"
    no_commune = db.scalar(select(func.count()).select_from(Site).where(Site.admin_unit_id.is_(None)))
    assert no_commune == 0, "every demo site lies in a commune, none at sea"
    operators = set(
        db.scalars(text("SELECT DISTINCT o.short_name FROM station s JOIN organisation o ON o.id = s.operator_id"))
    )
    assert operators == {"Viettel", "VNPT", "MobiFone", "Vietnamobile"}
    colocated = db.scalar(
        text(
            "SELECT count(*) FROM (SELECT site_id FROM station GROUP BY site_id "
            "HAVING count(DISTINCT operator_id) > 1) t"
        )
    )
    assert colocated and colocated > sites * 0.3
    # loading again is a no-op
    assert "bỏ qua" in load_demo(db)
    assert db.scalar(select(func.count()).select_from(Station)) == stations


def test_demo_rows_are_reproducible() -> None:
    assert demo_rows(seed=2026)[:50] == demo_rows(seed=2026)[:50]


def test_synthetic_national_sites(db: Session) -> None:
    from fixtures.synthetic import add_synthetic_sites

    added = add_synthetic_sites(db, sites=500)
    assert added >= 500
    sites = db.scalar(text("SELECT count(*) FROM site WHERE code LIKE 'SY-%'"))
    assert sites == 500
    bad = db.scalar(text("SELECT count(*) FROM station WHERE cardinality(technologies) = 0"))
    assert bad == 0


def test_former_units_are_kept_for_old_addresses(db: Session) -> None:
    rows = db.execute(
        text("SELECT level, code, name, valid_to FROM admin_unit WHERE valid_to IS NOT NULL ORDER BY level, code")
    ).all()
    provinces = {(r.code, r.name) for r in rows if r.level == "province"}
    assert provinces == {("30", "Tỉnh Hải Dương"), ("31", "Thành phố Hải Phòng")}
    districts = [r for r in rows if r.level == "district"]
    assert len(districts) >= 20 and all(str(r.valid_to) == "2025-07-01" for r in districts)
    assert any(r.name == "quận Lê Chân" for r in districts)
    # a point in today's Lê Chân ward lies in the former Lê Chân district as well
    hit = db.scalar(
        text(
            "SELECT d.name FROM admin_unit d WHERE d.level = 'district' AND ST_Intersects(d.geom, "
            "(SELECT ST_PointOnSurface(geom) FROM admin_unit WHERE level = 'commune' AND name = 'Lê Chân'))"
        )
    )
    assert hit == "quận Lê Chân"
