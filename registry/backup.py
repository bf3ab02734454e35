"""Backup and restore of the whole registry in one file: ``tttt db backup FILE`` / ``tttt db restore FILE``.

The file is a tar holding

* ``database.dump``: ``pg_dump --format=custom`` of the database (schema, data, functions, triggers). Stored
  documents live in the database (``document.content``), so the dump carries them; no file lives beside it;
* ``manifest.json``: when, which database, the schema revision (``alembic_version``), the PostgreSQL and
  PostGIS versions, the row count of every table and the SHA-256 and size of every other member;
* ``manifest.sha256``: the SHA-256 of ``manifest.json`` (``sha256sum -c`` format), so a damaged manifest is
  caught too.

The counts are taken in the very snapshot ``pg_dump`` dumps (``pg_export_snapshot`` + ``--snapshot``), so a
backup of a live service is consistent and its counts match what a restore brings back.

Restore checks every checksum before touching any database, refuses to write over a database holding any
row in any registry table unless forced, restores with ``pg_restore --single-transaction`` (all or nothing;
``--clean --if-exists`` when the database already existed, else into a database it creates), then compares
every table's row count with the manifest and every document's bytes with its stored SHA-256.

The client programs are those of the server's major version (``/usr/lib/postgresql/<major>/bin``), or the
``TTTT_PG_BINDIR`` setting. They connect with the URL the application uses; a password goes through
``PGPASSWORD``, never the command line.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url

from registry.errors import Conflict, FieldError, Unavailable, ValidationFailed

FORMAT = "tttt-backup"
FORMAT_VERSION = 1
DUMP = "database.dump"
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"
MAX_MANIFEST_BYTES = 4 * 2**20
_CHUNK = 2**20
_MEMBER_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")

# Every user table, parents of partitions included, but not the tables an extension owns (PostGIS's
# spatial_ref_sys is rebuilt by CREATE EXTENSION on the target, possibly at another version).
_TABLES_SQL = """
SELECT n.nspname, c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                  AND d.deptype = 'e')
ORDER BY 1, 2
"""


class BackupToolError(RuntimeError):
    """pg_dump or pg_restore is missing or failed (an operations problem, not the user's input)."""


class RestoreMismatch(RuntimeError):
    """The restored database does not hold what the manifest says."""


@dataclass(frozen=True)
class Target:
    """Where to connect: a libpq URI without the password, the password apart, the database name."""

    uri: str
    password: str | None
    database: str

    @classmethod
    def from_url(cls, url: str | URL) -> Target:
        u = make_url(url).set(drivername="postgresql")
        if not u.database:
            raise ValidationFailed(
                "URL cơ sở dữ liệu không có tên cơ sở dữ liệu", [FieldError("Thiếu tên", field="url")]
            )
        return cls(
            # URL.set(password=None) keeps the password: build the URL without it.
            uri=URL.create(u.drivername, u.username, None, u.host, u.port, u.database, u.query).render_as_string(
                hide_password=False
            ),
            password=u.password,
            database=u.database,
        )

    def with_database(self, name: str) -> Target:
        return Target(
            uri=make_url(self.uri).set(database=name).render_as_string(hide_password=False),
            password=self.password,
            database=name,
        )

    def connect(self, **kwargs: Any) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(self.uri, password=self.password, connect_timeout=15, **kwargs)
        except psycopg.OperationalError as exc:
            raise Unavailable(
                f"Không kết nối được cơ sở dữ liệu «{self.database}»", retry_after=30, reason=type(exc).__name__
            ) from exc

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password is not None:
            env["PGPASSWORD"] = self.password
        return env


# --- client programs -------------------------------------------------------------------------------


def _major(version_text: str) -> int:
    found = re.search(r"(\d+)(?:\.\d+)?", version_text)
    if not found:
        raise BackupToolError(f"Không đọc được phiên bản từ «{version_text.strip()}»")
    return int(found.group(1))


def client_bindir(server_major: int, configured: Path | None = None) -> Path:
    """The folder holding pg_dump and pg_restore able to work with a server of ``server_major``: the
    same major, or else the oldest newer one (pg_dump reads older servers, not newer ones)."""
    if configured is not None:
        if not (configured / "pg_dump").exists() or not (configured / "pg_restore").exists():
            raise BackupToolError(f"TTTT_PG_BINDIR={configured} không có pg_dump và pg_restore")
        return configured
    base = Path("/usr/lib/postgresql")
    installed = sorted(int(p.name) for p in base.glob("*") if p.name.isdigit() and (p / "bin" / "pg_restore").exists())
    for major in [server_major] + [m for m in installed if m > server_major]:
        if major in installed:
            return base / str(major) / "bin"
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        version = subprocess.run([pg_config, "--version"], capture_output=True, text=True, check=False)
        bindir = Path(result.stdout.strip())
        if (
            result.returncode == 0
            and version.returncode == 0
            and _major(version.stdout) >= server_major
            and (bindir / "pg_restore").exists()
        ):
            return bindir
    raise BackupToolError(
        f"Không tìm thấy pg_dump/pg_restore phiên bản {server_major} trở lên; cài gói "
        f"postgresql-client-{server_major} hoặc đặt TTTT_PG_BINDIR"
    )


def _run_tool(args: list[str], target: Target, what: str) -> None:
    result = subprocess.run(args, capture_output=True, text=True, env=target.env(), check=False)
    if result.returncode != 0:
        # The operator's own tool output: the lines say which object failed.
        tail = "\n".join(result.stderr.strip().splitlines()[-15:])
        raise BackupToolError(f"{what} thất bại (mã {result.returncode}):\n{tail}")


# --- reading the database --------------------------------------------------------------------------


def _table_counts(conn: psycopg.Connection[Any]) -> dict[str, int]:
    counts = {}
    for schema, table in conn.execute(_TABLES_SQL).fetchall():
        query = sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        counts[f"{schema}.{table}"] = conn.execute(query).fetchone()[0]  # type: ignore[index]
    return counts


def _describe(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    def one(query: str) -> Any:
        row = conn.execute(query).fetchone()  # type: ignore[arg-type]
        return row[0] if row else None

    revision = one("SELECT version_num FROM alembic_version") if one("SELECT to_regclass('alembic_version')") else None
    documents = None
    if one("SELECT to_regclass('document')"):
        row = conn.execute("SELECT count(*), coalesce(sum(octet_length(content)), 0) FROM document").fetchone()
        documents = {"stored_in": "database", "table": "document", "count": row[0], "bytes": int(row[1])}  # type: ignore[index]
    return {
        "schema_revision": revision,
        "postgresql": {
            "server_version": one("SHOW server_version"),
            "server_version_num": int(one("SHOW server_version_num")),
        },
        "postgis": one("SELECT extversion FROM pg_extension WHERE extname = 'postgis'"),
        "documents": documents,
    }


def registry_tables_with_rows(conn: psycopg.Connection[Any]) -> list[str]:
    """The registry's tables (every mapped table) that hold at least one row."""
    import registry.models

    found = []
    for table in registry.models.Base.metadata.sorted_tables:
        name = f"{table.schema or 'public'}.{table.name}"
        exists = conn.execute("SELECT to_regclass(%s)", [name]).fetchone()[0]  # type: ignore[index]
        if exists is None:
            continue
        query = sql.SQL("SELECT EXISTS (SELECT 1 FROM {}.{})").format(
            sql.Identifier(table.schema or "public"), sql.Identifier(table.name)
        )
        if conn.execute(query).fetchone()[0]:  # type: ignore[index]
            found.append(table.name)
    return found


# --- backup ----------------------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def backup(url: str, target_file: Path, *, pg_bindir: Path | None = None) -> dict[str, Any]:
    """Write the database at ``url`` to ``target_file`` (replaced atomically, readable by its owner only);
    return the manifest."""
    target = Target.from_url(url)
    target_file = Path(target_file)
    folder = target_file.resolve().parent
    if not folder.is_dir():
        raise ValidationFailed(
            f"Thư mục {folder} không tồn tại", [FieldError("Thư mục đích không tồn tại", field="file")]
        )
    with tempfile.TemporaryDirectory(dir=folder, prefix=".tttt-backup-") as tmp:
        dump = Path(tmp) / DUMP
        with target.connect() as conn:
            # One snapshot for the counts and for pg_dump: held open until pg_dump has finished.
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
            described = _describe(conn)
            counts = _table_counts(conn)
            bindir = client_bindir(described["postgresql"]["server_version_num"] // 10000, pg_bindir)
            pg_dump = str(bindir / "pg_dump")
            _run_tool(
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dump}", f"--dbname={target.uri}"],
                target,
                "pg_dump",
            )
            conn.rollback()
        tool = subprocess.run([pg_dump, "--version"], capture_output=True, text=True, check=False).stdout.strip()
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": target.database,
            **described,
            "pg_dump": tool,
            "tables": counts,
            "files": {DUMP: {"sha256": _sha256_file(dump), "size": dump.stat().st_size}},
        }
        manifest_bytes = (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode()
        manifest_sum = f"{hashlib.sha256(manifest_bytes).hexdigest()}  {MANIFEST}\n".encode()
        partial = Path(tmp) / "backup.tar"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
            now = datetime.now(UTC).timestamp()
            for name, data in ((MANIFEST, manifest_bytes), (MANIFEST_SUM, manifest_sum)):
                info = tarfile.TarInfo(name)
                info.size, info.mtime, info.mode = len(data), now, 0o600
                tar.addfile(info, io.BytesIO(data))
            info = tar.gettarinfo(str(dump), arcname=DUMP)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mode = 0o600
            with dump.open("rb") as f:
                tar.addfile(info, f)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, target_file)
    return manifest


# --- restore ---------------------------------------------------------------------------------------


def _damaged(message: str, member: str | None = None) -> ValidationFailed:
    return ValidationFailed(
        "Tệp sao lưu hỏng hoặc đã bị sửa: không khôi phục gì", [FieldError(message, field=member or "file")]
    )


def _check_manifest(manifest: Any) -> dict[str, Any]:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _damaged("Không phải tệp sao lưu của hệ thống (manifest.json sai định dạng)", MANIFEST)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _damaged(f"Phiên bản định dạng {manifest.get('format_version')!r} không được hỗ trợ", MANIFEST)
    files, tables = manifest.get("files"), manifest.get("tables")
    if not isinstance(files, dict) or DUMP not in files or not isinstance(tables, dict):
        raise _damaged("manifest.json thiếu danh sách tệp hoặc số dòng của các bảng", MANIFEST)
    for name, entry in files.items():
        if (
            not _MEMBER_NAME.match(name)
            or name in (MANIFEST, MANIFEST_SUM)
            or not isinstance(entry, dict)
            or not re.fullmatch(r"[0-9a-f]{64}", str(entry.get("sha256")))
            or not isinstance(entry.get("size"), int)
            or entry["size"] < 0
        ):
            raise _damaged(f"Mục «{name}» trong manifest.json không hợp lệ", MANIFEST)
    for name, count in tables.items():
        if not isinstance(name, str) or not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise _damaged(f"Số dòng của bảng «{name}» trong manifest.json không hợp lệ", MANIFEST)
    return manifest


@contextmanager
def verified(source: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    """Check every checksum of the backup ``source``; yield its manifest and a folder holding the verified
    members (copied while hashed, so what is restored is exactly what was checked)."""
    source = Path(source)
    if not source.is_file():
        raise ValidationFailed(f"Không có tệp {source}", [FieldError("Tệp không tồn tại", field="file")])
    try:
        tar = tarfile.open(source, mode="r:*")  # noqa: SIM115 (closed by the with below; open errors reported apart)
    except (tarfile.TarError, OSError) as exc:
        raise _damaged(f"Không đọc được tệp tar ({type(exc).__name__})") from exc
    with tar, tempfile.TemporaryDirectory(dir=source.resolve().parent, prefix=".tttt-restore-") as tmp:
        try:
            members = {}
            for m in tar.getmembers():
                if m.name in members:
                    raise _damaged(f"Mục «{m.name}» xuất hiện hai lần", m.name)
                members[m.name] = m
            for name in (MANIFEST, MANIFEST_SUM):
                if name not in members or not members[name].isfile() or members[name].size > MAX_MANIFEST_BYTES:
                    raise _damaged(f"Thiếu {name} hoặc {name} không phải tệp thường", name)
            manifest_bytes = tar.extractfile(members[MANIFEST]).read()  # type: ignore[union-attr]
            expected = tar.extractfile(members[MANIFEST_SUM]).read().decode("ascii", "replace").split()  # type: ignore[union-attr]
            if not expected or expected[0] != hashlib.sha256(manifest_bytes).hexdigest():
                raise _damaged("Mã SHA-256 của manifest.json không khớp", MANIFEST)
            try:
                manifest = _check_manifest(json.loads(manifest_bytes))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise _damaged("manifest.json không phải JSON hợp lệ", MANIFEST) from exc
            extra = set(members) - {MANIFEST, MANIFEST_SUM} - set(manifest["files"])
            if extra:
                raise _damaged(f"Tệp có mục lạ không có trong manifest: {', '.join(sorted(extra)[:5])}")
            for name, entry in manifest["files"].items():
                member = members.get(name)
                if member is None or not member.isfile():
                    raise _damaged(f"Thiếu {name} hoặc {name} không phải tệp thường", name)
                if member.size != entry["size"]:
                    raise _damaged(f"Kích thước của {name} không khớp manifest", name)
                digest = hashlib.sha256()
                reader = tar.extractfile(member)
                with (Path(tmp) / name).open("wb") as out:
                    while chunk := reader.read(_CHUNK):  # type: ignore[union-attr]
                        digest.update(chunk)
                        out.write(chunk)
                if digest.hexdigest() != entry["sha256"]:
                    raise _damaged(f"Mã SHA-256 của {name} không khớp manifest", name)
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise _damaged(f"Không đọc được tệp tar ({type(exc).__name__})") from exc
        yield manifest, Path(tmp)


def _maintenance(target: Target) -> Target:
    return target.with_database("postgres")


def _database_exists(target: Target) -> bool | None:
    """Whether the database exists (None: the server's ``postgres`` database is not reachable to ask)."""
    try:
        with _maintenance(target).connect(autocommit=True) as conn:
            return (
                conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target.database]).fetchone() is not None
            )
    except Unavailable:
        return None


def restore(url: str, source: Path, *, force: bool = False, pg_bindir: Path | None = None) -> dict[str, Any]:
    """Restore the backup ``source`` into the database at ``url``; return a summary. Raises
    ValidationFailed for a damaged file (nothing touched), Conflict for a non-empty database without
    ``force`` (nothing touched), RestoreMismatch when the restored counts differ from the manifest."""
    target = Target.from_url(url)
    with verified(Path(source)) as (manifest, folder):
        exists = _database_exists(target)
        if exists is False:
            with _maintenance(target).connect(autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.database)))
            created = True
        else:
            created = False
        with target.connect() as conn:
            busy = registry_tables_with_rows(conn)
            server_num = int(conn.execute("SHOW server_version_num").fetchone()[0])  # type: ignore[index]
        if busy and not force:
            shown = ", ".join(busy[:8]) + (", …" if len(busy) > 8 else "")
            raise Conflict(
                f"Cơ sở dữ liệu «{target.database}» đã có dữ liệu (bảng {shown}); không khôi phục đè. "
                "Thêm --force để thay toàn bộ bằng bản sao lưu",
                tables=busy,
            )
        pg_restore = str(client_bindir(server_num // 10000, pg_bindir) / "pg_restore")
        # One transaction: a failure half-way leaves the database as it was. Owner and grants become
        # those of the restoring user, so a backup restores on a server without the original roles.
        args = [pg_restore, "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges"]
        if not created:
            args += ["--clean", "--if-exists"]
        # pg_restore sets lock_timeout to 0: with the service running, the --clean drops wait for its
        # transactions to end: the service is stopped before a restore.
        _run_tool([*args, f"--dbname={target.uri}", str(folder / DUMP)], target, "pg_restore")
    with target.connect() as conn:
        counts = _table_counts(conn)
        bad_documents = 0
        if conn.execute("SELECT to_regclass('document')").fetchone()[0]:  # type: ignore[index]
            bad_documents = conn.execute(
                "SELECT count(*) FROM document WHERE encode(sha256(content), 'hex') <> sha256"
            ).fetchone()[0]  # type: ignore[index]
    wrong = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
    if wrong or bad_documents:
        lines = [f"{t}: sao lưu {n}, sau khôi phục {m}" for t, (n, m) in sorted(wrong.items())[:20]]
        if bad_documents:
            lines.append(f"{bad_documents} tài liệu có nội dung không khớp SHA-256")
        raise RestoreMismatch("Dữ liệu sau khôi phục không khớp manifest:\n" + "\n".join(lines))
    return {
        "database": target.database,
        "created": created,
        "replaced": bool(busy),
        "schema_revision": manifest.get("schema_revision"),
        "backup_created_at": manifest.get("created_at"),
        "tables": len(counts),
        "rows": sum(counts.values()),
    }
