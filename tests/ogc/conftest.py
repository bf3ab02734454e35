"""A small registry for the OGC API tests, in two forms: inside the test's rolled-back transaction
(``world``, for the test client) and in a scratch database served by a real uvicorn on 127.0.0.1
(``live``, for GDAL and OWSLib, which run as clients of their own).

The world: 25 sites on a 5 × 5 grid in Hải Phòng, each with one station; a planning zone valid
over 2024; two press outlets with a telephone number (staff only); an open denunciation whose
denouncer must never appear, and an open complaint; a commune that ceased on 1/7/2025."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from registry.clock import today
from tests.factories import box, make_site, make_station, make_zone, operator

LON0, LAT0, STEP = 106.62, 20.82, 0.01
SITES = 25
SECRET = "Nguyễn Thị Tố Giác Kín"
PHONE = "0225 3888 999"
OLD_COMMUNE = "OGC-OLD-1"


def site_code(i: int) -> str:
    return f"OGC-{i:03d}"


def build_world(db: Session, post: Callable[[str, dict[str, Any]], httpx.Response]) -> dict[str, Any]:
    """The world above: rows by the factories in ``db``, outlets and cases through the API (``post``)."""
    owner = operator(db, "VNPT")
    sites = []
    for i in range(SITES):
        lon, lat = LON0 + (i % 5) * STEP, LAT0 + (i // 5) * STEP
        site = make_site(
            db,
            code=site_code(i),
            lon=lon,
            lat=lat,
            pole_class="A2b" if i % 2 == 0 else "A1a",
            pole_height_m=10.0 + i,
            owner=owner if i == 0 else None,
        )
        make_station(
            db,
            site=site,
            operator_code="VIETTEL" if i % 2 == 0 else "VNPT",
            station_code=f"OGC-ST-{i:03d}",
            technologies=("4G", "5G") if i % 3 == 0 else ("4G",),
            commissioning_date=date(2020, 1, 1) + timedelta(days=30 * i),
        )
        sites.append(site)
    zone = make_zone(db, polygon=box(LON0 + 0.02, LAT0 + 0.02, 0.015), kind="a1_only", code="OGC-Z1", max_height_m=6)
    zone.valid_from, zone.valid_to = date(2024, 1, 1), date(2025, 1, 1)
    db.execute(
        text(
            "INSERT INTO admin_unit (code, name, level, kind, valid_from, valid_to, urban, approximate, geom) "
            "SELECT :code, 'Xã Cũ Thử Nghiệm', 'commune', 'xa', DATE '2010-01-01', DATE '2025-07-01', false, true, "
            "ST_Multi(ST_MakeEnvelope(106.5, 20.7, 106.55, 20.75, 4326))"
        ),
        {"code": OLD_COMMUNE},
    )
    db.flush()
    outlets = [
        {"code": "OGC-BAO", "kind": "print_newspaper", "name": "Báo Thử OGC", "address": "Số 1 Lạch Tray",
         "position": {"lon": LON0, "lat": LAT0 + 0.06}, "phone": PHONE},
        {"code": "OGC-WEB", "kind": "general_website", "name": "Trang Tin Thử", "domains": ["thu.example.vn"],
         "position": {"lon": LON0 + 0.01, "lat": LAT0 + 0.06}, "phone": PHONE},
    ]  # fmt: skip
    for outlet in outlets:
        created = post("/api/press/outlets", outlet)
        assert created.status_code == 201, created.text
    on = today()
    denunciation = {
        "kind": "denunciation",
        "received_on": (on - timedelta(days=20)).isoformat(),
        "channel": "post",
        "subject": "Tố cáo trạm lắp không phép",
        "content": "Người tố cáo xin giữ bí mật",
        "position": {"lon": LON0 + 0.005, "lat": LAT0 + 0.005},
        "parties": [{"role": "denouncer", "name": SECRET, "id_number": "031099000111"}],
    }
    complaint = {
        "kind": "complaint",
        "received_on": (on - timedelta(days=3)).isoformat(),
        "channel": "in_person",
        "subject": "Khiếu nại nhiễu sóng",
        "position": {"lon": LON0 + 0.015, "lat": LAT0 + 0.005},
        "parties": [{"role": "complainant", "name": "Lê Văn Khiếu"}],
    }
    codes = []
    for case in (denunciation, complaint):
        created = post("/api/cases", case)
        assert created.status_code == 201, created.text
        codes.append(created.json()["code"])
    return {"sites": sites, "denunciation": codes[0], "complaint": codes[1]}


@pytest.fixture
def world(db: Session, client: TestClient) -> dict[str, Any]:
    return build_world(db, lambda path, body: client.post(path, json=body))


@dataclass(frozen=True)
class Live:
    base: str  # http://127.0.0.1:PORT
    token: str  # an admin's bearer token
    env: dict[str, str]  # the environment for GDAL's commands (no proxy, quiet)

    @property
    def ogc(self) -> str:
        return self.base + "/ogc"

    def gdal_env(self, **extra: str) -> dict[str, str]:
        return {**self.env, **extra}


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    """The app on a scratch database with the world committed, served on 127.0.0.1."""
    from api.app import create_app
    from registry.db import make_engine
    from tests.scratch import admin_token, scratch_database, scratch_settings, served

    with scratch_database("ogc") as url:
        settings = scratch_settings()
        engine = make_engine(url, settings)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        with factory() as session, session.begin():
            token = admin_token(session, settings)
        try:
            with served(create_app(settings, factory)) as base:
                headers = {"Authorization": f"Bearer {token}"}
                with factory() as session, session.begin(), httpx.Client(base_url=base, headers=headers) as http:
                    # The API's own writes commit in their own transactions; the factories' rows here.
                    build_world(session, lambda path, body: http.post(path, json=body))
                env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
                env.update(CPL_DEBUG="OFF", GDAL_HTTP_TIMEOUT="60", NO_PROXY="127.0.0.1")
                yield Live(base, token, env)
        finally:
            engine.dispose()
