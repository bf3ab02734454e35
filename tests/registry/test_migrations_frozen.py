"""Migrations stand alone: no migration imports project code, so changing the code can never change how
an old migration builds the schema. What they once took from the code is frozen inside them as data, and
the copies are checked here against the code as it is now (and against what the migrations wrote)."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.crs import spatial_ref_sys_rows
from registry.calendar.seed import seed_rows

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = ROOT / "registry" / "migrations" / "versions"
MIGRATIONS = sorted(VERSIONS.glob("[0-9]*.py"))
# Every top-level package of the project: api, bench, fixtures, geo, maps, registry …, and the tests.
PROJECT = frozenset(p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()) | {"tests"}


def _top(module: str) -> str:
    return module.split(".", 1)[0]


def project_imports(source: str, packages: frozenset[str] = PROJECT) -> list[str]:
    """Every place a module's source reaches project code: import statements anywhere (in functions,
    under ``if TYPE_CHECKING``, in ``try``), relative imports, and ``importlib.import_module`` or
    ``__import__`` called with a literal name. Text in strings and docstrings is not an import."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names if _top(a.name) in packages]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.append(f"line {node.lineno}: relative import from {'.' * node.level}{node.module or ''}")
            elif node.module and _top(node.module) in packages:
                found.append(f"line {node.lineno}: from {node.module} import …")
        elif isinstance(node, ast.Call) and node.args:
            func, first = node.func, node.args[0]
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if (
                name in {"import_module", "__import__"}
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and (first.value.startswith(".") or _top(first.value) in packages)
            ):
                found.append(f"line {node.lineno}: {name}({first.value!r})")
    return found


def _load(stem: str) -> ModuleType:
    (path,) = [p for p in MIGRATIONS if p.stem.startswith(stem)]
    spec = importlib.util.spec_from_file_location(f"frozen_migration_{stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_project_packages_are_known() -> None:
    assert {"api", "geo", "maps", "registry", "fixtures", "tests"} <= PROJECT
    assert len(MIGRATIONS) >= 16


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda p: p.stem)
def test_no_migration_imports_project_code(path: Path) -> None:
    assert project_imports(path.read_text(encoding="utf-8")) == [], (
        f"{path.name} imports live project code: copy what it needs into the migration as data"
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from geo.crs import spatial_ref_sys_rows\n", ["line 1: from geo.crs import …"]),
        ("import registry.calendar.seed as seed\n", ["line 1: import registry.calendar.seed"]),
        ("from registry import calendar\n", ["line 1: from registry import …"]),
        ("def upgrade():\n    from fixtures.haiphong import x\n", ["line 2: from fixtures.haiphong import …"]),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import api\n", ["line 3: import api"]),
        ("try:\n    import maps.pages\nexcept ImportError:\n    pass\n", ["line 2: import maps.pages"]),
        ("from . import helpers\n", ["line 1: relative import from ."]),
        ("from ..calendar import seed\n", ["line 1: relative import from ..calendar"]),
        ("import importlib\nm = importlib.import_module('geo.crs')\n", ["line 2: import_module('geo.crs')"]),
        ("m = __import__('registry')\n", ["line 1: __import__('registry')"]),
        ("import os, tests.factories\n", ["line 1: import tests.factories"]),
        # Not project code: third-party names that merely start like a project package, and text.
        ("import geoalchemy2\nfrom geoalchemy2 import Geometry\n", []),
        ("import sqlalchemy as sa\nfrom alembic import op\nimport mapsy\n", []),
        ('"""Seeded with from registry.calendar.seed import seed_rows."""\nX = "import geo.crs"\n', []),
        ("import importlib\nm = importlib.import_module('geoalchemy2')\n", []),
    ],
)
def test_project_imports_finds_every_way_in(source: str, expected: list[str]) -> None:
    assert project_imports(source) == expected


def test_frozen_calendar_equals_todays_seed() -> None:
    frozen = _load("0007").calendar_rows()
    live = seed_rows()
    assert len(frozen) == len(live) == 314
    assert [r["day"] for r in frozen] == sorted({r["day"] for r in frozen})
    assert frozen == live, "registry.calendar.seed changed: the frozen 0007 copy stays; seed changes need a migration"


def test_calendar_the_migration_wrote_equals_the_frozen_rows(db: Session) -> None:
    sql = "SELECT day, kind, name, reason, legal_basis, source FROM calendar_day WHERE source = 'holidays' ORDER BY day"
    assert [dict(r) for r in db.execute(text(sql)).mappings()] == _load("0007").calendar_rows()


def test_frozen_crs_rows_equal_todays_geo_crs() -> None:
    migration = _load("0001")
    frozen = [tuple(r) for r in migration.SPATIAL_REF_SYS]
    assert [r[0] for r in frozen] == list(migration.VN2000_TM3_SRIDS) == list(range(9205, 9219))
    assert all("TOWGS84[-191.90441429" in r[3] and "+towgs84=-191.90441429" in r[4] for r in frozen)
    assert frozen == spatial_ref_sys_rows(migration.VN2000_TM3_SRIDS), (
        "geo.crs changed (or PROJ did): the frozen 0001 copy stays; new CRS rows need a migration"
    )


def test_crs_rows_the_migration_wrote_equal_the_frozen_rows(db: Session) -> None:
    sql = "SELECT srid, auth_name, auth_srid, srtext, proj4text FROM spatial_ref_sys WHERE srid BETWEEN 9205 AND 9218"
    written = [tuple(r) for r in db.execute(text(sql + " ORDER BY srid"))]
    assert written == [tuple(r) for r in _load("0001").SPATIAL_REF_SYS]
