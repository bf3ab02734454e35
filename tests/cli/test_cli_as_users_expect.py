"""The command line as a user expects it: a filter naming nothing is refused with what exists, tables
fold long names instead of cutting them, numbers are written the Vietnamese way, and the demo load
says how far it is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

import fixtures.demo
import registry.db
from api.cli import app
from registry.admin_units.models import AdminUnit
from registry.organisations.service import OrganisationIndex
from registry.stations.models import Station
from registry.text import grouped

TEMPLATES = Path(__file__).resolve().parents[2] / "fixtures" / "templates"
runner = CliRunner()


@pytest.fixture(autouse=True)
def bound(monkeypatch: pytest.MonkeyPatch, session_factory: sessionmaker[Session]) -> None:
    monkeypatch.setattr(registry.db, "get_sessionmaker", lambda: session_factory)


def _flat(text: str) -> str:
    """The output with rich's line breaks undone, so a message is matched whatever the width."""
    return " ".join(text.split())


@pytest.mark.parametrize(
    "command",
    [
        ["permits", "report", "expiring"],
        ["permits", "report", "missing"],
        ["permits", "report", "expired-inspections", "--format", "json"],
        ["export", "stations", "--format", "csv"],
    ],
)
def test_unknown_operator_exits_2_and_lists_known_operators(db: Session, command: list[str]) -> None:
    known = OrganisationIndex(db).operator_names()
    assert len(known) >= 4
    result = runner.invoke(app, [*command, "--operator", "viettel", "--operator", "vinafone"])
    assert result.exit_code == 2, result.output
    said = _flat(result.output)
    assert "Không có doanh nghiệp «vinafone»" in said
    assert all(name in said for name in known), said
    assert "«viettel»" not in said  # the known one is not complained about
    assert result.stdout == ""  # no empty table, no empty file


def test_known_operator_still_answers(db: Session) -> None:
    assert runner.invoke(app, ["import", "stations", str(TEMPLATES / "mau-tram-goc.csv")]).exit_code == 0
    out = runner.invoke(app, ["export", "stations", "--format", "csv", "--operator", "VIETTEL"])
    assert out.exit_code == 0, out.output
    assert "HPG1234" in out.stdout
    report = runner.invoke(app, ["permits", "report", "missing", "--operator", "viettel", "-f", "json"])
    assert report.exit_code == 0, report.output


@pytest.mark.parametrize(
    "word",
    [
        "vinafone",
        "[red]Viettel[/red]",
        "Viettel'; DROP TABLE station; --",
        "<script>alert(1)</script>",
        "ｖｉｅｔｔｅｌ",
    ],
)
def test_hostile_operator_words_are_refused_and_echoed_as_typed(db: Session, word: str) -> None:
    result = runner.invoke(app, ["permits", "report", "--operator", word])
    assert result.exit_code == 2, result.output
    assert f"«{word}»" in _flat(result.output)
    assert db.scalar(select(func.count()).select_from(Station)) == 0


def test_unknown_admin_unit_exits_2_and_suggests_close_names(db: Session) -> None:
    gone = fixtures.demo.REFORM_DATE
    db.add_all(
        [
            AdminUnit(code="T-90001", name="Phường Tràng Kênh Mới", level="commune", kind="phuong"),
            AdminUnit(code="T-90002", name="Xã Rất Khác Nhau", level="commune", kind="xa"),
            AdminUnit(code="T-H99", name="Huyện Thử Đã Bỏ", level="district", kind="huyen", valid_to=gone),
        ]
    )
    db.flush()
    for command in (["permits", "report"], ["export", "stations"]):
        bad = runner.invoke(app, [*command, "--admin-unit", "Trang Kenh Moii"])
        assert bad.exit_code == 2, bad.output
        said = _flat(bad.output)
        assert "Không có đơn vị hành chính «Trang Kenh Moii»" in said and "Phường Tràng Kênh Mới" in said
        assert "Rất Khác" not in said  # only close names are suggested
        assert bad.stdout == ""
    # A unit answers to its name without diacritics or kind word, and any unit (a former one too) to its code.
    for word in ("trang kenh moi", "Phường Tràng Kênh Mới", "T-90002", "T-H99"):
        ok = runner.invoke(app, ["permits", "report", "--admin-unit", word, "-f", "json"])
        assert ok.exit_code == 0, (word, ok.output)
    # A former unit's name is not in force: refused, as the station queries would match nothing by it.
    assert runner.invoke(app, ["permits", "report", "--admin-unit", "Huyện Thử Đã Bỏ"]).exit_code == 2


@pytest.mark.parametrize(
    "args",
    [["--technology", "6G"], ["--status", "foo"], ["--pole-class", "B9"]],
)
def test_every_choice_filter_lists_what_is_allowed(args: list[str]) -> None:
    result = runner.invoke(app, ["export", "stations", *args])
    assert result.exit_code == 2
    assert "cho phép:" in _flat(result.output)


def _first_column(output: str) -> str:
    """The first column of a rich table, its folded pieces joined back."""
    cells = [line.split("│")[1].strip() for line in output.splitlines() if line.startswith("│")]
    return "".join(cells)


def test_tables_fold_long_names_instead_of_cutting_them(db: Session) -> None:
    long_name = "demo-thanhtra-nguyen-van-truong-phong-thanh-tra-so"
    created = runner.invoke(
        app, ["users", "create", long_name, "-r", "inspector", "--full-name", "Nguyễn Văn Trưởng Phòng Thanh Tra Sở"]
    )
    assert created.exit_code == 0, created.output
    listed = runner.invoke(app, ["users", "list"], env={"COLUMNS": "70"})
    assert listed.exit_code == 0, listed.output
    assert "…" not in listed.stdout
    assert long_name in _first_column(listed.stdout)
    assert max(len(line) for line in listed.stdout.splitlines()) <= 70


def test_numbers_and_sizes_are_written_the_vietnamese_way(db: Session, tmp_path: Path) -> None:
    assert runner.invoke(app, ["import", "stations", str(TEMPLATES / "mau-tram-goc.csv")]).exit_code == 0
    target = tmp_path / "tram.xlsx"
    result = runner.invoke(app, ["export", "stations", "--format", "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    size = target.stat().st_size
    assert size >= 1000
    assert f"({grouped(size)} byte)" in result.output
    assert re.search(r"\(\d{1,3}(\.\d{3})+ byte\)", result.output) and f"{size:,}" not in result.output
    calendar = runner.invoke(app, ["calendar", "show", "2026"])
    assert calendar.exit_code == 0, calendar.output
    assert re.search(r"Lịch năm 2026: \d+ ngày làm việc", calendar.stdout)


def test_demo_load_reports_its_progress(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = fixtures.demo.demo_rows()[:40]
    monkeypatch.setattr(fixtures.demo, "demo_rows", lambda seed=2026: rows)
    first = runner.invoke(app, ["demo", "load"])
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    parts = [line for line in lines if line.startswith("Dữ liệu mẫu: ")]
    assert parts == [f"Dữ liệu mẫu: {i}/6" for i in range(7)]
    assert "Kiểm tra từng dòng: 40/40" in lines and "Ghi vào sổ: 40/40" in lines
    # Row stages come before the station part is done, the summary after everything.
    assert lines.index("Ghi vào sổ: 40/40") < lines.index("Dữ liệu mẫu: 1/6")
    assert "Đã nạp dữ liệu mẫu" in _flat(first.output)
    again = runner.invoke(app, ["demo", "load"])
    assert again.exit_code == 0, again.output
    assert [line for line in again.output.splitlines() if line.startswith("Dữ liệu mẫu: ")][-1] == "Dữ liệu mẫu: 5/5"
    assert "bỏ qua" in again.output


def test_demo_load_without_a_listener_is_unchanged(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = fixtures.demo.demo_rows()[:10]
    monkeypatch.setattr(fixtures.demo, "demo_rows", lambda seed=2026: rows)
    assert "Đã nạp" in fixtures.demo.load_demo(db)
    assert db.scalar(select(func.count()).select_from(Station)) == 10
