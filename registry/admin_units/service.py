"""Which unit a point lies in, units by name, and whether a point is inside the province."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from registry.admin_units.models import AdminUnit
from registry.text import fold


@dataclass(frozen=True)
class Placement:
    commune_id: int | None
    commune_name: str | None
    outside_province_m: float | None  # None when inside (or no province outline is loaded)


_PLACE_SQL = text(
    """
    WITH pt AS (
        SELECT i AS ord, ST_SetSRID(ST_MakePoint(x, y), 4326) AS g
        FROM unnest(CAST(:xs AS float8[]), CAST(:ys AS float8[])) WITH ORDINALITY AS t(x, y, i)
    ), province AS (
        SELECT geom FROM admin_unit
        WHERE level = 'province' AND code = :province AND valid_to IS NULL AND geom IS NOT NULL
        LIMIT 1
    )
    SELECT pt.ord, c.id, c.name,
           CASE WHEN p.geom IS NULL OR ST_Intersects(p.geom, pt.g) THEN NULL
                ELSE ST_Distance(p.geom::geography, pt.g::geography) END AS outside_m
    FROM pt
    LEFT JOIN province p ON true
    LEFT JOIN LATERAL (
        SELECT id, name FROM admin_unit a
        WHERE a.level = 'commune' AND a.valid_to IS NULL AND ST_Intersects(a.geom, pt.g)
        ORDER BY a.id LIMIT 1
    ) c ON true
    ORDER BY pt.ord
    """
)


def place_points(session: Session, points: list[tuple[float, float]], *, province_code: str) -> list[Placement]:
    """Commune and distance outside the province for many (lon, lat) points in one query."""
    if not points:
        return []
    rows = session.execute(
        _PLACE_SQL,
        {"xs": [p[0] for p in points], "ys": [p[1] for p in points], "province": province_code},
    ).all()
    return [Placement(r.id, r.name, r.outside_m) for r in rows]


def province_loaded(session: Session, province_code: str) -> bool:
    return (
        session.scalar(
            select(AdminUnit.id)
            .where(
                AdminUnit.level == "province",
                AdminUnit.code == province_code,
                AdminUnit.valid_to.is_(None),
                AdminUnit.geom.is_not(None),
            )
            .limit(1)
        )
        is not None
    )


class CommuneIndex:
    """Current communes by folded name, with and without the "xã/phường/đặc khu" prefix."""

    PREFIXES = ("phuong ", "xa ", "dac khu ", "thi tran ", "thanh pho ", "tinh ", "quan ", "huyen ", "thi xa ")

    def __init__(self, session: Session) -> None:
        self._by_name: dict[str, list[AdminUnit]] = {}
        units = session.scalars(select(AdminUnit).where(AdminUnit.level == "commune", AdminUnit.valid_to.is_(None)))
        for unit in units:
            self._by_name.setdefault(self.key(unit.name), []).append(unit)

    @classmethod
    def key(cls, name: str) -> str:
        """Folded name without the kind word: "Phường Lê Chân" and "le chan" give the same key."""
        key = fold(name)
        for prefix in cls.PREFIXES:
            if key.startswith(prefix):
                return key[len(prefix) :]
        return key

    def find(self, name: str) -> list[AdminUnit]:
        return self._by_name.get(self.key(name), [])

    def __bool__(self) -> bool:
        return bool(self._by_name)
