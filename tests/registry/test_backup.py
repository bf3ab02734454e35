"""tttt db backup / restore: the demo (and stored documents) round-trips table by table and byte by byte;
a restore refuses a database with data unless forced, and refuses a damaged or altered file before it
touches any database. Two scratch databases beside the test database, dropped at the end."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from fixtures.demo import load_demo
from registry.audit.context import acting_as
from registry.backup import DUMP, MANIFEST, MANIFEST_SUM, Target, backup, restore
from registry.db import make_engine
from registry.documents.store import store
from registry.errors import Conflict, ValidationFailed
from registry.migrations import upgrade

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n" + 'Quyết định <script>alert(1)</script> =HYPERLINK("x")\n'.encode() + b"\x00\xff" * 300
HOSTILE_NAMES = ["<script>alert('tên')</script>.png", "=cmd|' /C calc'!A0.pdf", "../../etc/passwd.png"]


def _admin(url: str) -> str:
    return make_url(url).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)


def _drop(url: str) -> None:
    with psycopg.connect(_admin(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def _psycopg(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))


def _fingerprint(url: str) -> dict[str, tuple[int, str | None]]:
    """Every user table's row count and an order-independent checksum of its rows, every sequence's value."""
    out: dict[str, tuple[int, str | None]] = {}
    with _psycopg(url) as conn:
        tables = conn.execute(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        for schema, table in tables:
            row = conn.execute(
                f'SELECT count(*), md5(string_agg(t::text, E\'\\n\' ORDER BY t::text)) FROM "{schema}"."{table}" t'
            ).fetchone()
            assert row is not None
            out[f"{schema}.{table}"] = (row[0], row[1])
        for schema, name, value in conn.execute(
            "SELECT schemaname, sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        ).fetchall():
            out[f"sequence {schema}.{name}"] = (value or 0, None)
    return out


def _documents(url: str) -> dict[int, tuple[str, str]]:
    with _psycopg(url) as conn:
        rows = conn.execute("SELECT id, filename, content FROM document").fetchall()
    return {i: (name, hashlib.sha256(content).hexdigest()) for i, name, content in rows}


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "TTTT_DATABASE_URL")}
    env["DATABASE_URL"] = url
    env["COLUMNS"] = "1000"  # messages on one line
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def demo_backup(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """The demo with a few stored documents in scratch database A, its backup file, and the URL of B (absent)."""
    base = engine.url
    url_a = base.set(database=f"{base.database}_backup_a").render_as_string(hide_password=False)
    url_b = base.set(database=f"{base.database}_backup_b").render_as_string(hide_password=False)
    for url in (url_a, url_b):
        _drop(url)
    with psycopg.connect(_admin(url_a), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{make_url(url_a).database}"')
    upgrade(url_a)
    scratch = make_engine(url_a)
    try:
        with acting_as("test:backup"), Session(scratch) as session, session.begin():
            load_demo(session)
            for i, name in enumerate(HOSTILE_NAMES):
                store(session, (PNG if name.endswith(".png") else PDF) + bytes([i]), name, max_bytes=2**20)
    finally:
        scratch.dispose()
    file = tmp_path_factory.mktemp("backup") / "sao-luu.tar"
    backup(url_a, file)
    yield url_a, url_b, file
    for url in (url_a, url_b):
        _drop(url)


def test_round_trip_restores_every_table_and_document(demo_backup: tuple[str, str, Path]) -> None:
    url_a, url_b, file = demo_backup
    assert oct(file.stat().st_mode & 0o777) == "0o600", "a backup holds personal data: owner only"
    with tarfile.open(file) as tar:
        assert sorted(tar.getnames()) == sorted([MANIFEST, MANIFEST_SUM, DUMP])
        manifest = json.loads(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]
    before = _fingerprint(url_a)
    assert manifest["schema_revision"] and manifest["postgis"] and manifest["postgresql"]["server_version"]
    assert manifest["database"] == make_url(url_a).database
    assert manifest["documents"]["count"] == len(HOSTILE_NAMES)
    assert {t: n for t, (n, _) in before.items() if not t.startswith("sequence")} == manifest["tables"] | {
        "public.spatial_ref_sys": before["public.spatial_ref_sys"][0]
    }
    assert manifest["tables"]["public.station"] >= 4500 and manifest["tables"]["public.dossier"] > 2000

    summary = restore(url_b, file)
    assert summary["created"] and not summary["replaced"]
    after = _fingerprint(url_b)
    assert after.keys() == before.keys()
    differ = [t for t in before if before[t] != after[t]]
    assert not differ, differ
    assert _documents(url_b) == _documents(url_a)
    assert {name for name, _ in _documents(url_b).values()} == set(HOSTILE_NAMES)


def test_restore_refuses_a_database_with_data_unless_forced(demo_backup: tuple[str, str, Path]) -> None:
    url_a, url_b, file = demo_backup
    if not _database_exists(url_b):
        restore(url_b, file)
    with _psycopg(url_b) as conn:
        conn.execute("UPDATE site SET address = 'sửa sau sao lưu' WHERE id = (SELECT min(id) FROM site)")
    changed = _fingerprint(url_b)
    with pytest.raises(Conflict) as refused:
        restore(url_b, file)
    assert "site" in refused.value.extra["tables"] and "--force" in refused.value.detail
    result = _cli(url_b, "db", "restore", str(file))
    assert result.returncode == 2, result.stderr
    assert "đã có dữ liệu" in result.stderr and "--force" in result.stderr
    assert _fingerprint(url_b) == changed, "a refused restore touches nothing"

    forced = _cli(url_b, "db", "restore", str(file), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "khớp manifest" in forced.stderr
    assert _fingerprint(url_b) == _fingerprint(url_a)


def _database_exists(url: str) -> bool:
    with psycopg.connect(_admin(url), autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [make_url(url).database]).fetchone()
    return row is not None


def _flip_byte_in(file: Path, member: str, out: Path, at: float = 0.5) -> None:
    data = bytearray(file.read_bytes())
    with tarfile.open(file) as tar:
        info = tar.getmember(member)
    offset = info.offset_data + int(info.size * at)
    data[offset] ^= 0x01
    out.write_bytes(bytes(data))


def _tar(out: Path, members: dict[str, bytes]) -> None:
    with tarfile.open(out, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_a_damaged_or_altered_file_is_refused_before_anything_is_touched(
    demo_backup: tuple[str, str, Path], tmp_path: Path
) -> None:
    url_a, _, file = demo_backup
    url_c = make_url(url_a).set(database=f"{make_url(url_a).database[:-2]}_c").render_as_string(hide_password=False)
    _drop(url_c)
    with tarfile.open(file) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    manifest = json.loads(members[MANIFEST])

    cases: dict[str, Path] = {}
    for member, at in ((DUMP, 0.5), (DUMP, 0.0), (MANIFEST, 0.3), (MANIFEST_SUM, 0.0)):
        cases[f"one byte of {member} at {at}"] = tmp_path / f"{member}-{at}.tar"
        _flip_byte_in(file, member, cases[f"one byte of {member} at {at}"], at)
    cases["truncated"] = tmp_path / "truncated.tar"
    cases["truncated"].write_bytes(file.read_bytes()[: len(file.read_bytes()) // 2])
    cases["not a tar"] = tmp_path / "not-a-tar.tar"
    cases["not a tar"].write_bytes(b"=1+1\x00<script>" * 100)
    cases["extra member"] = tmp_path / "extra.tar"
    _tar(cases["extra member"], members | {"../../evil.sh": b"rm -rf /"})
    cases["no dump"] = tmp_path / "no-dump.tar"
    _tar(cases["no dump"], {k: v for k, v in members.items() if k != DUMP})
    # A manifest rewritten consistently (its checksum recomputed) but naming a different dump checksum.
    forged = json.dumps(manifest | {"files": {DUMP: {"sha256": "0" * 64, "size": len(members[DUMP])}}}).encode()
    cases["forged manifest"] = tmp_path / "forged.tar"
    _tar(cases["forged manifest"], members | {MANIFEST: forged,
         MANIFEST_SUM: f"{hashlib.sha256(forged).hexdigest()}  {MANIFEST}\n".encode()})  # fmt: skip
    cases["hostile manifest"] = tmp_path / "hostile.tar"
    bad = json.dumps(manifest | {"files": {"../x": {"sha256": "a" * 64, "size": -1}}}).encode()
    _tar(cases["hostile manifest"], members | {MANIFEST: bad,
         MANIFEST_SUM: f"{hashlib.sha256(bad).hexdigest()}  {MANIFEST}\n".encode()})  # fmt: skip

    for label, path in cases.items():
        with pytest.raises(ValidationFailed) as refused:
            restore(url_c, path, force=True)
        assert "không khôi phục gì" in refused.value.detail, label
        assert not _database_exists(url_c), f"{label}: the database was touched"
    result = _cli(url_c, "db", "restore", str(cases[f"one byte of {DUMP} at 0.5"]), "--force")
    assert result.returncode == 2, result.stderr
    assert "SHA-256" in result.stderr and "database.dump" in result.stderr
    assert not _database_exists(url_c)
    assert not list(tmp_path.glob(".tttt-restore-*")), "verified copies are removed"


def test_target_url_keeps_the_password_off_the_command_line() -> None:
    target = Target.from_url("postgresql+psycopg://u:s%40cret@db.example:6543/reg?sslmode=require")
    assert "s@cret" not in target.uri and "cret" not in target.uri
    assert target.password == "s@cret" and target.env()["PGPASSWORD"] == "s@cret"
    assert target.uri.startswith("postgresql://u@db.example:6543/reg") and "sslmode=require" in target.uri
    with pytest.raises(ValidationFailed):
        Target.from_url("postgresql+psycopg://u@host:5432")
