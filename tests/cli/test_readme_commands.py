"""Every command the README's "Command line" block shows, run as the README shows it, each on a fresh
interpreter (a subprocess), against a scratch database of its own: a test process that has imported
everything hides a command that has not (``tttt import dossiers`` crashed that way).

The block is parsed, so the test follows the README: ``a | b | c`` alternatives are expanded, NAME is
the account the block creates, FILE a backup file, the files it names (``tram.xlsx``, ``ho-so-cu.csv``) are made here
from the template command and a legacy dossier file. ``db down`` is never run (it would stop the
shared cluster); ``db up`` is checked against the running cluster; ``serve`` is started on a free
port, asked ``/health`` and stopped.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from registry.cluster import Cluster
from registry.settings import get_settings
from registry.tabular import write_csv

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SECRET = "readme-test-secret-key-0123456789-abcdefghij"
LEGACY_HEADERS = ["Mã hồ sơ", "Mã thủ tục", "Người nộp", "Hình thức nộp", "Thời điểm tiếp nhận", "Ngày hẹn trả",
                  "Trạng thái", "Ngày có kết quả", "Ngày trả kết quả"]  # fmt: skip


def readme_commands() -> list[tuple[str, list[str]]]:
    """(the README line, the arguments after ``tttt``) for every command in the "Command line" block."""
    section = README.read_text(encoding="utf-8").split("\n## Command line", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    commands = []
    for line in block.splitlines():
        tokens = shlex.split(line, comments=True)
        if not tokens:
            continue
        assert tokens[0].endswith("/tttt"), f"not a tttt command: {line}"
        words = tokens[1:]
        if "|" not in words:
            commands.append((line.strip(), words))
            continue
        segments: list[list[str]] = [[]]
        for w in words:
            if w == "|":
                segments.append([])
            else:
                segments[-1].append(w)
        prefix = segments[0][:-1]
        for alternative in [segments[0][-1:], *segments[1:]]:
            commands.append((line.strip(), prefix + alternative))
    return commands


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Scratch:
    """The scratch database, the folder the commands run in, and the environment of a fresh process."""

    def __init__(self, url: str, folder: Path) -> None:
        self.url = url
        self.folder = folder
        self.env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "TTTT_DATABASE_URL")}
        self.env.update(DATABASE_URL=url, TTTT_SECRET_KEY=SECRET, COLUMNS="1000", TTTT_MAP_TILES_URL="")

    def argv(self, words: list[str]) -> list[str]:
        script = ROOT / ".venv" / "bin" / "tttt"
        return [str(script), *words] if script.exists() else [sys.executable, "-m", "api.cli", *words]

    def run(self, words: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv(words), cwd=self.folder, env=env or self.env, capture_output=True, text=True, timeout=900
        )

    def sql(self, query: str, *params: Any) -> Any:
        with psycopg.connect(make_url(self.url).set(drivername="postgresql").render_as_string(False)) as conn:
            row = conn.execute(query, params or None).fetchone()
        return None if row is None else row[0]


@pytest.fixture(scope="module")
def scratch(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scratch]:
    url = engine.url.set(database=f"{engine.url.database}_readme").render_as_string(hide_password=False)
    admin = make_url(url).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    name = make_url(url).database
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield Scratch(url, tmp_path_factory.mktemp("readme"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_readme_block_is_parsed() -> None:
    commands = [words for _, words in readme_commands()]
    groups = {tuple(w[:2]) if w[0] in ("db", "import", "export", "users", "demo", "report") else (w[0],)
              for w in commands}  # fmt: skip
    assert {("db", "up"), ("db", "status"), ("db", "migrate"), ("import", "dossiers"), ("serve",),
            ("users", "create"), ("users", "list"), ("demo", "load"), ("template",)} <= groups  # fmt: skip
    assert ["users", "set-roles", "NAME", "-r", "viewer"] in commands
    assert len(commands) >= 20


def _order(item: tuple[int, tuple[str, list[str]]]) -> tuple[int, int]:
    """db commands first (the schema), then the demo once (the data other commands read), then README order."""
    index, (_, words) = item
    return (0 if words[0] == "db" and words[1] in ("up", "status", "migrate") else 1 if words[:2] == ["demo", "load"]
            else 2, index)  # fmt: skip


def _serve(scratch: Scratch, words: list[str]) -> None:
    port = _free_port()
    words = list(words)
    if "--port" in words:
        words[words.index("--port") + 1] = str(port)
    else:
        words += ["--port", str(port)]
    process = subprocess.Popen(
        scratch.argv(words), cwd=scratch.folder, env=scratch.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )  # fmt: skip
    answer: dict[str, Any] | None = None
    try:
        deadline = time.monotonic() + 120  # a bound on the wait, not a timing assertion
        while answer is None and process.poll() is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
                    assert response.status == 200
                    answer = json.loads(response.read())
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
    assert answer is not None, f"/health never answered; serve said:\n{output[-3000:]}"
    assert answer["status"] == "ok" and answer["schema"] == scratch.sql("SELECT version_num FROM alembic_version")


def _db_up(scratch: Scratch) -> None:
    """``db up`` against the cluster that is already running: with this checkout's private cluster
    (no DATABASE_URL) when the scratch database lives there, else with DATABASE_URL."""
    settings = get_settings()
    cluster = Cluster(settings.data_dir)
    url = make_url(scratch.url)
    private = not settings.database_url and url.host == "127.0.0.1" and url.port == cluster.port and cluster.running()
    if private:
        env = {k: v for k, v in scratch.env.items() if k != "DATABASE_URL"} | {"TTTT_DATABASE_NAME": str(url.database)}
        result = scratch.run(["db", "up"], env)
        assert result.returncode == 0, result.stderr
        assert f"PostgreSQL chạy tại 127.0.0.1:{cluster.port}" in result.stderr
        assert cluster.running(), "db up left the running cluster running"
    else:
        result = scratch.run(["db", "up"])
        assert result.returncode == 0, result.stderr
        assert "DATABASE_URL đã đặt" in result.stderr


def _stations(scratch: Scratch) -> int:
    return int(scratch.sql("SELECT count(*) FROM station"))


def _user(scratch: Scratch, name: str) -> tuple[list[str], bool, str] | None:
    with psycopg.connect(make_url(scratch.url).set(drivername="postgresql").render_as_string(False)) as conn:
        row = conn.execute("SELECT roles, active, password_hash FROM app_user WHERE username = %s", [name]).fetchone()
    return None if row is None else (sorted(row[0]), row[1], row[2])


def _dossier_file(scratch: Scratch, path: Path, *, hostile: bool = False) -> None:
    """A file in the legacy one-stop system's shape (its Vietnamese headers) for procedures of the demo."""
    code = scratch.sql("SELECT code FROM procedure ORDER BY code LIMIT 1")
    rows = [
        ["README-190301-0001", code, "Công ty TNHH Thử", "Trực tiếp", "01/03/2019 10:15", "", "Đã trả kết quả",
         "2019-03-12", "2019-03-13"],
        ["README-190301-0002", code, "Trần Văn Thử", "Trực tuyến", "2019-03-01 17:45", "", "Đang giải quyết", "", ""],
        ["README-190304-0003", code, "Lê Thị Thử", "Bưu chính", "04/03/2019", "", "Trả lại hồ sơ", "2019-03-05", ""],
    ]  # fmt: skip
    if hostile:
        rows += [
            ["=HYPERLINK(\"http://x\")", "9.9.9", "<script>alert(1)</script>", "fax", "31/02/2019", "x", "xong", "",
             "9999-12-31"],
            ["README-190301-0001", code, "", "online", "01/01/0001", "", "returned", "", ""],
        ]  # fmt: skip
    path.write_bytes(write_csv(LEGACY_HEADERS, rows))


def test_every_readme_command_runs_in_a_fresh_process(scratch: Scratch) -> None:
    commands = sorted(enumerate(readme_commands()), key=_order)
    # The files the README names, made the way a user would: the template command, a legacy export.
    made = scratch.run(["template", "--format", "xlsx", "-o", "tram.xlsx"])
    assert made.returncode == 0, made.stderr
    created_user: str | None = None
    ran: list[str] = []
    for _, (line, words) in commands:
        if words[:2] == ["db", "down"]:
            continue  # never: it would stop the cluster every helper and test shares
        if "NAME" in words:
            assert created_user, f"{line}: NAME before any users create"
            words = [created_user if w == "NAME" else w for w in words]
        words = ["tttt-sao-luu.tar" if w == "FILE" else w for w in words]  # db backup FILE / db restore FILE
        label = " ".join(words)
        ran.append(label)
        if words[:2] == ["db", "up"]:
            _db_up(scratch)
            continue
        if words[0] == "serve":
            _serve(scratch, words)
            continue
        if words[:2] == ["import", "dossiers"]:
            _dossier_file(scratch, scratch.folder / words[2])
            dossiers = scratch.sql("SELECT count(*) FROM dossier")
        stations = _stations(scratch) if words[:2] == ["import", "stations"] else None
        before_user = _user(scratch, words[2]) if words[0] == "users" and len(words) > 2 else None
        result = scratch.run(words)
        expected = 2 if words[:2] == ["db", "restore"] and "--force" not in words else 0
        assert result.returncode == expected, f"{line}\n→ {label}: exit {result.returncode}\n{result.stderr[-3000:]}"
        out, err = result.stdout, result.stderr
        assert "Traceback" not in err, f"{label}\n{err[-3000:]}"

        if words[:2] == ["db", "status"]:
            assert "Lược đồ:" in out
        elif words[:2] == ["db", "migrate"]:
            assert scratch.sql("SELECT version_num FROM alembic_version")
        elif words[:2] == ["demo", "load"]:
            assert "Đã nạp dữ liệu mẫu" in err and _stations(scratch) >= 4500
        elif words[:2] == ["import", "stations"]:
            if "--dry-run" in words:
                assert "chạy thử" in err and _stations(scratch) == stations
            else:
                assert _stations(scratch) == (stations or 0) + 1
                assert scratch.sql("SELECT count(*) FROM station WHERE station_code = 'HPG1234'") == 1
        elif words[:2] == ["import", "dossiers"]:
            assert "3 dòng: 3 hồ sơ mới" in err
            if "--dry-run" in words:
                assert scratch.sql("SELECT count(*) FROM dossier") == dossiers
        elif words[:2] == ["export", "stations"] and "-o" in words:
            body = (scratch.folder / words[words.index("-o") + 1]).read_text(encoding="utf-8")
            assert "<kml" in body and body.count("<Placemark") >= 1
        elif words[:2] == ["export", "stations"]:
            lines = out.lstrip("\ufeff").splitlines()
            assert lines[0].startswith("Mã trạm,") and len(lines) >= 2
        elif words[0] == "template":
            assert (scratch.folder / words[words.index("-o") + 1]).read_bytes()[:2] == b"PK"
        elif words[:2] == ["report", "dossiers"]:
            assert "Kết quả giải quyết hồ sơ" in out
        elif words[:2] == ["users", "create"]:
            created_user = words[2]
            full_name = words[words.index("--full-name") + 1]
            roles = sorted(words[i + 1] for i, w in enumerate(words) if w in ("-r", "--role"))
            assert "Mật khẩu (chỉ hiện một lần): " in out
            assert _user(scratch, created_user)[0] == roles  # type: ignore[index]
            assert scratch.sql("SELECT full_name FROM app_user WHERE username = %s", created_user) == full_name
        elif words[:2] == ["users", "list"]:
            assert created_user and created_user in out
        elif words[:2] in (["users", "disable"], ["users", "enable"]):
            assert _user(scratch, words[2])[1] is (words[1] == "enable")  # type: ignore[index]
        elif words[:2] == ["users", "reset-password"]:
            assert "chỉ hiện một lần" in out
            assert _user(scratch, words[2])[2] != before_user[2]  # type: ignore[index]
        elif words[:2] == ["users", "set-roles"]:
            roles = sorted(words[i + 1] for i, w in enumerate(words) if w in ("-r", "--role"))
            assert _user(scratch, words[2])[0] == roles  # type: ignore[index]
        elif words[:2] == ["users", "ensure-admin"]:
            assert scratch.sql("SELECT count(*) FROM app_user WHERE 'admin' = ANY(roles) AND active") >= 1
            again = scratch.run(words)
            assert again.returncode == 0 and "Đã có quản trị viên" in again.stderr
        elif words[:2] == ["db", "backup"]:
            with tarfile.open(scratch.folder / words[2]) as tar:
                assert "manifest.json" in tar.getnames()
        elif words[:2] == ["db", "restore"] and expected == 2:
            assert "--force" in err
    assert "import dossiers ho-so-cu.csv --dry-run" in ran and "serve --port 8000" in ran


def test_commands_refuse_bad_input_in_a_fresh_process(scratch: Scratch) -> None:
    """The README's promise for a bad file (exit 2, a table naming rows and columns, nothing written),
    with hostile content, and serve without a secret key."""
    if scratch.sql("SELECT to_regclass('procedure')") is None or not scratch.sql("SELECT count(*) FROM procedure"):
        assert scratch.run(["db", "migrate"]).returncode == 0
        assert scratch.run(["demo", "load"]).returncode == 0
    stations = _stations(scratch)
    bad = scratch.folder / "tram-loi.csv"
    bad.write_bytes(
        write_csv(
            ["Mã trạm", "Doanh nghiệp", "Kinh độ", "Vĩ độ", "Địa chỉ"],
            [["=cmd|' /C calc'!A0", "Viettel", "106.68", "abc", "<script>alert(1)</script>"],
             ["X2", "Không có", "999", "20.86", "${alert(1)}"]],
        )
    )  # fmt: skip
    for args in (["--dry-run"], []):
        result = scratch.run(["import", "stations", str(bad), *args])
        assert result.returncode == 2, result.stderr
        assert "Vĩ độ" in result.stderr and "Traceback" not in result.stderr
    assert _stations(scratch) == stations

    dossiers = scratch.sql("SELECT count(*) FROM dossier")
    _dossier_file(scratch, scratch.folder / "ho-so-loi.csv", hostile=True)
    result = scratch.run(["import", "dossiers", "ho-so-loi.csv"])
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "Mã thủ tục" in result.stderr or "procedure_code" in result.stderr
    assert scratch.sql("SELECT count(*) FROM dossier") == dossiers

    missing = scratch.run(["import", "dossiers", "khong-co.csv"])
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    bad_dates = scratch.run(["report", "dossiers", "--from", "2019-02-30", "--to", "9999-99-99"])
    assert bad_dates.returncode == 2 and "Traceback" not in bad_dates.stderr

    env = {k: v for k, v in scratch.env.items() if k != "TTTT_SECRET_KEY"} | {"TTTT_ENV": "production"}
    no_secret = scratch.run(["serve", "--port", str(_free_port())], env)
    assert no_secret.returncode == 2 and "TTTT_SECRET_KEY" in no_secret.stderr
