"""`tttt users …`: create, list, disable, enable, set-roles, reset-password, ensure-admin."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

import registry.db
from api.cli import app
from registry.accounts.models import User
from registry.accounts.passwords import verify
from registry.audit.models import AuditEvent

runner = CliRunner()


@pytest.fixture(autouse=True)
def bound(monkeypatch: pytest.MonkeyPatch, session_factory: sessionmaker[Session]) -> None:
    monkeypatch.setattr(registry.db, "get_sessionmaker", lambda: session_factory)


def _user(db: Session, name: str) -> User:
    db.expire_all()
    user = db.scalar(select(User).where(User.username == name))
    assert user is not None
    return user


def test_create_prints_a_password_once(db: Session) -> None:
    result = runner.invoke(
        app, ["users", "create", "Le.Van.C", "-r", "inspector", "-r", "viewer", "--full-name", "Lê Văn C"]
    )
    assert result.exit_code == 0, result.output
    password = re.search(r"một lần\): (\S+)", result.stdout)
    assert password is not None
    user = _user(db, "le.van.c")
    assert sorted(user.roles) == ["inspector", "viewer"] and user.full_name == "Lê Văn C"
    assert verify(password.group(1), user.password_hash)[0]
    event = db.scalar(select(AuditEvent).where(AuditEvent.entity_type == "user", AuditEvent.entity_id == str(user.id)))
    assert event is not None and event.actor.startswith("cli:")
    listed = runner.invoke(app, ["users", "list"])
    assert "le.van.c" in listed.stdout and password.group(1) not in listed.stdout


def test_password_from_stdin(db: Session) -> None:
    result = runner.invoke(
        app, ["users", "create", "tu.nhap", "-r", "viewer", "--password-stdin"], input="mat-khau-du-dai\n"
    )
    assert result.exit_code == 0, result.output
    assert "Mật khẩu" not in result.stdout
    assert verify("mat-khau-du-dai", _user(db, "tu.nhap").password_hash)[0]
    short = runner.invoke(app, ["users", "create", "tu.nhap2", "-r", "viewer", "--password-stdin"], input="ngan\n")
    assert short.exit_code == 2 and "10 ký tự" in short.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "create", "x y", "-r", "viewer"], "username"),
        (["users", "create", "abc", "-r", "king"], "king"),
        (["users", "create", "abc"], "vai trò"),
        (["users", "disable", "khong.co"], "khong.co"),
        (["users", "set-roles", "khong.co", "-r", "viewer"], "khong.co"),
    ],
)
def test_bad_commands_exit_2_with_a_reason(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_disable_enable_set_roles_and_reset(db: Session) -> None:
    assert runner.invoke(app, ["users", "create", "doi.vai", "-r", "viewer"]).exit_code == 0
    assert runner.invoke(app, ["users", "set-roles", "doi.vai", "-r", "licensing_officer,inspector"]).exit_code == 0
    assert sorted(_user(db, "doi.vai").roles) == ["inspector", "licensing_officer"]
    assert runner.invoke(app, ["users", "disable", "doi.vai"]).exit_code == 0
    assert _user(db, "doi.vai").active is False
    assert runner.invoke(app, ["users", "enable", "doi.vai"]).exit_code == 0
    assert _user(db, "doi.vai").active is True
    reset = runner.invoke(app, ["users", "reset-password", "doi.vai"])
    new = re.search(r"một lần\): (\S+)", reset.stdout)
    assert new is not None and verify(new.group(1), _user(db, "doi.vai").password_hash)[0]


def test_ensure_admin_creates_one_once(db: Session) -> None:
    first = runner.invoke(app, ["users", "ensure-admin"])
    assert first.exit_code == 0 and "một lần" in first.stdout
    assert _user(db, "admin").roles == ["admin"]
    again = runner.invoke(app, ["users", "ensure-admin"])
    assert again.exit_code == 0 and "một lần" not in again.stdout
    # The only admin cannot be demoted or disabled.
    assert runner.invoke(app, ["users", "set-roles", "admin", "-r", "viewer"]).exit_code == 2
    assert runner.invoke(app, ["users", "disable", "admin"]).exit_code == 2


def test_serve_refuses_to_start_without_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from registry.settings import get_settings

    monkeypatch.delenv("TTTT_SECRET_KEY", raising=False)
    monkeypatch.setenv("TTTT_ENV", "production")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["serve", "--port", "1"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2 and "TTTT_SECRET_KEY" in result.output


def test_permits_report_and_zones_import(db: Session, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json as _json

    from tests.factories import make_permit, make_station

    st = make_station(db, code="CLI-P1", lon=106.66, lat=20.84)
    make_permit(db, kind="inspection_certificate", station=st, valid_until=__import__("datetime").date(2026, 12, 1))
    out = runner.invoke(app, ["permits", "report", "expiring", "--on", "2026-11-28", "--days", "5", "--format", "json"])
    assert out.exit_code == 0, out.output
    body = _json.loads(out.stdout)
    assert [r["site_code"] for r in body["items"]] == ["CLI-P1"] and body["items"][0]["days_left"] == 3
    xlsx = tmp_path / "thieu.xlsx"
    done = runner.invoke(app, ["permits", "report", "missing", "--on", "2026-11-28", "-f", "xlsx", "-o", str(xlsx)])
    assert done.exit_code == 0 and xlsx.read_bytes()[:2] == b"PK"
    assert runner.invoke(app, ["permits", "report", "expiring", "--on", "28/11/2026"]).exit_code == 2
    zones = tmp_path / "z.geojson"
    ring = [[106.6, 20.8], [106.61, 20.8], [106.61, 20.81], [106.6, 20.8]]
    feature = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}}
    feature["properties"] = {"code": "CLI-Z", "name": "Vùng thử", "kind": "rural", "urban": False}
    zones.write_text(_json.dumps({"type": "FeatureCollection", "features": [feature]}))
    first = runner.invoke(app, ["zones", "import", str(zones)])
    assert first.exit_code == 0 and "mới 1" in first.output
    assert "không đổi 1" in runner.invoke(app, ["zones", "import", str(zones)]).output
    feature["properties"]["kind"] = "moon"
    zones.write_text(_json.dumps({"type": "FeatureCollection", "features": [feature]}))
    bad = runner.invoke(app, ["zones", "import", str(zones)])
    assert bad.exit_code == 2 and "vùng 1, kind" in bad.output


def test_press_import_and_export(db: Session, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from registry.tabular import write_csv

    sheet = tmp_path / "bao-chi.csv"
    sheet.write_bytes(write_csv(["Mã", "Loại hình", "Tên"], [["CLI-B1", "Tạp chí", "Tạp chí Thử nghiệm"]]))
    first = runner.invoke(app, ["import", "press", str(sheet)])
    assert first.exit_code == 0 and "mới 1" in first.output, first.output
    assert "không đổi 1" in runner.invoke(app, ["import", "press", str(sheet)]).output
    out = tmp_path / "xuat.xlsx"
    assert runner.invoke(app, ["export", "press", "-o", str(out)]).exit_code == 0 and out.read_bytes()[:2] == b"PK"
    sheet.write_bytes(write_csv(["Mã", "Loại hình", "Tên"], [["CLI-B2", "Lâu đài", "X"]]))
    bad = runner.invoke(app, ["import", "press", str(sheet)])
    assert bad.exit_code == 2 and "Loại hình" in bad.output
