"""The `tttt` command line, bound to the test transaction."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

import registry.db
from api.cli import app
from registry.stations.models import Station
from registry.tabular import write_csv

TEMPLATES = Path(__file__).resolve().parents[2] / "fixtures" / "templates"
runner = CliRunner()


@pytest.fixture(autouse=True)
def bound(monkeypatch: pytest.MonkeyPatch, session_factory: sessionmaker[Session]) -> None:
    monkeypatch.setattr(registry.db, "get_sessionmaker", lambda: session_factory)


def test_shipped_templates_import(db: Session, tmp_path: Path) -> None:
    for name in ("mau-tram-goc.xlsx", "mau-tram-goc.csv"):
        result = runner.invoke(app, ["import", "stations", str(TEMPLATES / name), "--dry-run"])
        assert result.exit_code == 0, result.output
        assert "trạm mới 1" in result.output
    assert db.scalar(select(func.count()).select_from(Station)) == 0


def test_import_bad_file_exits_2_and_names_row(db: Session, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        write_csv(
            ["Mã trạm", "Doanh nghiệp", "Kinh độ", "Vĩ độ"],
            [["A1", "Viettel", "106.68", "20.86"], ["A2", "Viettel", "106.68", "abc"]],
        )
    )
    result = runner.invoke(app, ["import", "stations", str(bad)])
    assert result.exit_code == 2
    assert "Vĩ độ" in result.output and "3" in result.output
    assert db.scalar(select(func.count()).select_from(Station)) == 0


def test_import_then_export_every_format(db: Session, tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", "stations", str(TEMPLATES / "mau-tram-goc.csv")])
    assert result.exit_code == 0, result.output
    out = runner.invoke(app, ["export", "stations", "--format", "csv", "--operator", "viettel"])
    assert out.exit_code == 0
    rows = list(csv.reader(io.StringIO(out.stdout.lstrip("\ufeff"))))
    assert rows[0][:2] == ["Mã trạm", "Doanh nghiệp"] and rows[1][0] == "HPG1234"
    geo = runner.invoke(
        app, ["export", "stations", "--format", "geojson", "--near", "106.691136,20.851684", "--radius-m", "10"]
    )
    assert len(json.loads(geo.stdout)["features"]) == 1
    target = tmp_path / "x.kml"
    kml = runner.invoke(app, ["export", "stations", "--format", "kml", "-o", str(target)])
    assert kml.exit_code == 0 and b"<Placemark" in target.read_bytes()
    bad = runner.invoke(app, ["export", "stations", "--format", "pdf"])
    assert bad.exit_code == 2


@pytest.mark.parametrize(
    "args",
    [["--radius-m", "5"], ["--near", "200,100"], ["--status", "foo"], ["--bbox", "1,2,3"], ["--technology", "6G"]],
)
def test_export_filters_are_checked_like_the_api(args: list[str]) -> None:
    result = runner.invoke(app, ["export", "stations", *args])
    assert result.exit_code == 2, result.output


def test_export_pole_class_is_normalised(db: Session) -> None:
    runner.invoke(app, ["import", "stations", str(TEMPLATES / "mau-tram-goc.csv")])
    out = runner.invoke(app, ["export", "stations", "--pole-class", "a2a", "--format", "geojson"])
    assert out.exit_code == 0 and len(json.loads(out.stdout)["features"]) == 1
    assert runner.invoke(app, ["template", "--format", "pdf", "-o", "/tmp/x.pdf"]).exit_code == 2
