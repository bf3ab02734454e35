"""The project's private PostgreSQL + PostGIS cluster under ``.data/``.

Used when ``DATABASE_URL`` is unset. It listens on 127.0.0.1 on a port of its own (the first free
one from 54329, remembered in ``.data/port``) and on a socket in ``.data/run``, with trust
authentication for a superuser ``tttt``: a development cluster, never exposed. A server already on
5432 is neither used nor touched. PostgreSQL refuses to run as root, so when we are root the
cluster belongs to the ``postgres`` account, which must be able to reach the project folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

FIRST_PORT = 54329
SUPERUSER = "tttt"


class ClusterError(RuntimeError):
    """The private cluster could not be set up, started or stopped."""


def postgres_bindir() -> Path:
    """The newest PostgreSQL whose share folder also has PostGIS."""
    base = Path("/usr/lib/postgresql")
    versions = sorted(
        (p for p in base.glob("*") if (p / "bin" / "pg_ctl").exists()),
        key=lambda p: int(p.name) if p.name.isdigit() else 0,
        reverse=True,
    )
    for v in versions:
        if Path(f"/usr/share/postgresql/{v.name}/extension/postgis.control").exists():
            return v / "bin"
    raise ClusterError(
        "Không tìm thấy PostgreSQL có PostGIS; cài gói postgresql và postgresql-15-postgis-3 "
        "(make run / make test tự cài)."
    )


def _free_port(start: int) -> int:
    for port in range(start, start + 200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise ClusterError(f"Không còn cổng trống từ {start}")


@dataclass(frozen=True)
class Cluster:
    data_dir: Path

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pg"

    @property
    def socket_dir(self) -> Path:
        # A Unix socket path is limited to 107 bytes; a deep checkout falls back to a short /tmp path.
        preferred = self.data_dir / "run"
        if len(str(preferred / ".s.PGSQL.65535")) <= 100:
            return preferred
        digest = hashlib.sha1(str(self.data_dir.resolve()).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"tttt-{digest}"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "postgresql.log"

    @property
    def port_file(self) -> Path:
        return self.data_dir / "port"

    @property
    def port(self) -> int:
        try:
            return int(self.port_file.read_text().strip())
        except (OSError, ValueError):
            return FIRST_PORT

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    @property
    def initialized(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists()

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, object] = {}
        if os.geteuid() == 0:
            kwargs["user"] = "postgres"
            kwargs["group"] = "postgres"
        return subprocess.run(list(args), capture_output=True, text=True, check=check, cwd="/", **kwargs)  # type: ignore[call-overload]

    def _pg(self, tool: str) -> str:
        return str(postgres_bindir() / tool)

    def running(self) -> bool:
        if not self.initialized:
            return False
        return self._run(self._pg("pg_ctl"), "-D", str(self.pgdata), "status", check=False).returncode == 0

    def _prepare_dirs(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.pgdata.mkdir(exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        if os.geteuid() != 0:
            return
        pg = pwd.getpwnam("postgres")
        for path in (self.data_dir, self.pgdata, self.socket_dir):
            os.chown(path, pg.pw_uid, pg.pw_gid)
        os.chmod(self.pgdata, 0o700)
        # The postgres account must be able to walk down to .data (a clone under a 0700 mktemp
        # folder would stop it); grant traverse-only permission, never read.
        for parent in self.data_dir.resolve().parents:
            mode = parent.stat().st_mode
            if not mode & 0o001:
                os.chmod(parent, mode | 0o001)

    def init(self) -> None:
        if self.initialized:
            return
        self._prepare_dirs()
        result = self._run(
            self._pg("initdb"),
            "-D",
            str(self.pgdata),
            f"--username={SUPERUSER}",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            check=False,
        )
        if result.returncode != 0:
            raise ClusterError(f"initdb thất bại: {result.stderr.strip()}")
        port = _free_port(FIRST_PORT)
        self.port_file.write_text(f"{port}\n")
        conf = self.pgdata / "postgresql.auto.conf"
        with conf.open("a") as f:
            f.write(
                "listen_addresses = '127.0.0.1'\n"
                f"port = {port}\n"
                f"unix_socket_directories = '{self.socket_dir}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "shared_buffers = '256MB'\nwork_mem = '32MB'\nmaintenance_work_mem = '256MB'\n"
            )

    def start(self) -> None:
        self.init()
        if self.running():
            return
        self._prepare_dirs()
        if os.geteuid() == 0 and not self.log_file.exists():
            self.log_file.touch()
            shutil.chown(self.log_file, "postgres", "postgres")
        # The remembered port may have been taken since (another clone, another server).
        port = self.port
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            busy = s.connect_ex(("127.0.0.1", port)) == 0
        if busy:
            port = _free_port(port + 1)
            self.port_file.write_text(f"{port}\n")
        result = self._run(
            self._pg("pg_ctl"),
            "-D",
            str(self.pgdata),
            "-l",
            str(self.log_file),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {port}",
            "start",
            check=False,
        )
        if result.returncode != 0:
            tail = self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
            raise ClusterError(f"Không khởi động được PostgreSQL: {result.stderr.strip()}\n{tail}")

    def stop(self) -> None:
        if self.running():
            self._run(self._pg("pg_ctl"), "-D", str(self.pgdata), "-m", "fast", "-w", "stop")

    def create_database(self, name: str) -> bool:
        """Create the database if missing; True when it was created."""
        psql = [self._pg("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-d", "postgres", "-tAc"]
        exists = self._run(*psql, f"SELECT 1 FROM pg_database WHERE datname = '{name}'").stdout.strip()
        if exists == "1":
            return False
        self._run(*psql, f'CREATE DATABASE "{name}"')
        return True


@dataclass(frozen=True)
class Standby:
    """A streaming replica (hot standby) of a PostgreSQL server, copied by ``pg_basebackup -R`` into
    ``pgdata`` and listening on 127.0.0.1:``port``: what the read-replica tests and benches run (a
    development copy belongs in ``.data/replica``, a test's in a temporary folder).

    It replicates through a physical replication slot of its own on the primary (``slot``), so the
    primary keeps every WAL segment the standby has not received yet, even while it is stopped; the
    slot must be dropped with the standby (``remove``), or the primary keeps WAL for it forever. The
    primary needs ``wal_level = replica`` (the default), a free WAL sender and a ``replication`` line
    in ``pg_hba.conf`` for its user: ``initdb`` writes one for 127.0.0.1, so the private cluster has
    all three. As root it runs as ``postgres``, as the private cluster does."""

    pgdata: Path
    port: int
    primary_host: str
    primary_port: int
    slot: str
    user: str = SUPERUSER

    @property
    def log_file(self) -> Path:
        return self.pgdata.with_name(self.pgdata.name + ".log")

    @property
    def socket_dir(self) -> Path:
        return Cluster(self.pgdata.parent).socket_dir

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def _cluster(self) -> Cluster:
        return Cluster(self.pgdata.parent)

    def create(self, *, timeout_s: int = 600) -> None:
        """Copy the primary (a fast checkpoint, then every file and the WAL written meanwhile)."""
        cluster = self._cluster()
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            for path in (self.pgdata.parent, self.socket_dir):
                shutil.chown(path, "postgres", "postgres")
        try:
            result = subprocess.run(
                [
                    cluster._pg("pg_basebackup"),
                    f"--pgdata={self.pgdata}",
                    f"--host={self.primary_host}",
                    f"--port={self.primary_port}",
                    f"--username={self.user}",
                    "--write-recovery-conf",
                    "--wal-method=stream",
                    "--checkpoint=fast",
                    "--create-slot",
                    f"--slot={self.slot}",
                    "--no-password",
                ],
                capture_output=True,
                text=True,
                check=False,
                cwd="/",
                timeout=timeout_s,
                **_as_postgres(),
            )
        except subprocess.TimeoutExpired as exc:
            raise ClusterError(f"pg_basebackup quá {timeout_s} s") from exc
        if result.returncode != 0:
            raise ClusterError(f"pg_basebackup thất bại: {result.stderr.strip()[-2000:]}")
        # Settings after the primary's (in the copied postgresql.auto.conf) win: the last line counts.
        with (self.pgdata / "postgresql.auto.conf").open("a") as f:
            f.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.socket_dir}'\n"
                "hot_standby = on\n"
            )

    def running(self) -> bool:
        if not (self.pgdata / "PG_VERSION").exists():
            return False
        args = [self._cluster()._pg("pg_ctl"), "-D", str(self.pgdata), "status"]
        return subprocess.run(args, capture_output=True, check=False, cwd="/", **_as_postgres()).returncode == 0

    def start(self, *, timeout_s: int = 60) -> None:
        args = [self._cluster()._pg("pg_ctl"), "-D", str(self.pgdata), "-l", str(self.log_file), "-w"]
        args += ["-t", str(timeout_s), "start"]
        if os.geteuid() == 0 and not self.log_file.exists():
            self.log_file.touch()
            shutil.chown(self.log_file, "postgres", "postgres")
        result = subprocess.run(args, capture_output=True, text=True, check=False, cwd="/", **_as_postgres())
        if result.returncode != 0:
            tail = self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
            raise ClusterError(f"Không khởi động được bản sao: {result.stderr.strip()}\n{tail}")

    def stop(self, *, mode: str = "fast", timeout_s: int = 60) -> None:
        if self.running():
            args = [self._cluster()._pg("pg_ctl"), "-D", str(self.pgdata), "-m", mode, "-w", "-t", str(timeout_s)]
            subprocess.run([*args, "stop"], capture_output=True, check=False, cwd="/", **_as_postgres())

    def remove(self) -> None:
        """Stop it, drop its slot on the primary and delete its files."""
        self.stop(mode="immediate")
        drop_slot(self.primary_host, self.primary_port, self.slot, user=self.user)
        shutil.rmtree(self.pgdata, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.log_file.unlink()


def drop_slot(host: str, port: int, slot: str, *, user: str = SUPERUSER) -> None:
    """Drop a physical replication slot (if it exists and nothing streams from it)."""
    import psycopg

    with psycopg.connect(host=host, port=port, user=user, dbname="postgres", autocommit=True, connect_timeout=10) as c:
        c.execute(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = %s AND NOT active",
            (slot,),
        )


def _as_postgres() -> dict[str, object]:
    return {"user": "postgres", "group": "postgres"} if os.geteuid() == 0 else {}
