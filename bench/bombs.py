"""Peak memory of the server for two memory bombs (issue #13 item 7), a one-off measurement.

    .venv/bin/python -m bench.bombs [--tree DIR] [--chunked-mb 500] [--bomb-mb 200]

Runs uvicorn on 127.0.0.1 in a subprocess from ``--tree`` (default: this checkout; point it at an
older checkout, e.g. ``git archive HEAD~N | tar -x -C /tmp/old``, for the "before" figure) on a
database of its own (``<db>_bench_bombs``, rebuilt by that tree's migrations), then sends:

1. an anonymous JSON body of ``--chunked-mb`` MB, chunked, without Content-Length, to POST /api/cases;
2. an .xlsx of about 200 KB whose one shared string unpacks to ``--bomb-mb`` MB, signed in as an
   admin, to POST /api/imports/stations.

For each it prints the answer's status, the bytes the server took before answering, and the
server's peak resident memory (VmHWM from /proc, reset between the two by a fresh server).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
SECRET = "bench-bombs-secret-key-0123456789abcdefghijkl"

SETUP = """
import sys
from datetime import timedelta
import psycopg
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from registry.accounts import tokens
from registry.accounts.models import User
from registry.migrations import upgrade
import registry.models  # noqa: F401 - every model, so relationships resolve
url = sys.argv[1]
u = make_url(url)
admin = u.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
with psycopg.connect(admin, autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{u.database}"')
upgrade(url)
engine = create_engine(url)
with Session(engine) as s, s.begin():
    user = User(username="bench-admin", roles=["admin"], active=True, password_hash="x", failed_logins=0)
    s.add(user)
    s.flush()
    print(tokens.issue(s, user, secret=sys.argv[2].encode(), ttl=timedelta(hours=1)).token)
"""


def bomb_xlsx(expanded_mb: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats'
            '.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
        z.writestr(
            "xl/worksheets/sheet1.xml",
            '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>',
        )
        with z.open("xl/sharedStrings.xml", "w") as f:
            f.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            f.write(b"<si><t>")
            for _ in range(expanded_mb):
                f.write(b"a" * MIB)
            f.write(b"</t></si></sst>")
    return out.getvalue()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Server:
    def __init__(self, tree: Path, url: str) -> None:
        self.port = free_port()
        env = dict(os.environ, DATABASE_URL=url, TTTT_SECRET_KEY=SECRET, TTTT_ENV="production", PYTHONPATH=str(tree))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "warning"],
            cwd=tree, env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.3)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def chunked_json(port: int, total_mb: int) -> tuple[int | None, int]:
    """(status, bytes sent) of a chunked anonymous JSON body; sending stops when the server answers."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=120)
    sock.sendall(
        b"POST /api/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b'Transfer-Encoding: chunked\r\n\r\n6\r\n{"a":"\r\n'
    )
    chunk = b"a" * (256 * 1024)
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent = 0
    answer = b""

    def answered() -> bool:
        nonlocal answer
        with contextlib.suppress(BlockingIOError):
            answer += sock.recv(65536)
        return bool(answer)

    sock.setblocking(False)
    try:
        while sent < total_mb * MIB and not answered():
            view = memoryview(frame)
            while view and not answer:
                try:
                    n = sock.send(view)
                    view = view[n:]
                    sent += n
                except BlockingIOError:
                    time.sleep(0.001)
                    answered()
        sock.setblocking(True)
        if not answer:
            sock.sendall(b'3\r\n"}\n\r\n0\r\n\r\n')
        while b"\r\n\r\n" not in answer:
            more = sock.recv(65536)
            if not more:
                break
            answer += more
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        sock.close()
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else None
    return status, sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument("--chunked-mb", type=int, default=500)
    parser.add_argument("--bomb-mb", type=int, default=200)
    parser.add_argument("--database-url", default=None, help="default: this checkout's database, suffix _bench_bombs")
    args = parser.parse_args()
    if args.database_url:
        url = args.database_url
    else:
        from sqlalchemy.engine import make_url

        from registry.db import database_url
        from registry.settings import get_settings

        base = make_url(database_url(get_settings()))
        url = base.set(database=f"{base.database}_bench_bombs").render_as_string(hide_password=False)
    token = subprocess.run(
        [sys.executable, "-c", SETUP, url, SECRET], cwd=args.tree, env=dict(os.environ, PYTHONPATH=str(args.tree)),
        check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    print(f"tree {args.tree}")

    server = Server(args.tree, url)
    try:
        idle = hwm_mb(server.proc.pid)
        status, sent = chunked_json(server.port, args.chunked_mb)
        time.sleep(0.5)
        print(
            f"chunked JSON {args.chunked_mb} MB, anonymous: status {status}, sent {sent / MIB:,.1f} MB before the "
            f"answer, server peak RSS {hwm_mb(server.proc.pid):,.0f} MB (idle {idle:,.0f} MB)"
        )
    finally:
        server.stop()

    data = bomb_xlsx(args.bomb_mb)
    server = Server(args.tree, url)
    try:
        idle = hwm_mb(server.proc.pid)
        response = httpx.post(
            f"http://127.0.0.1:{server.port}/api/imports/stations",
            files={"file": ("bom.xlsx", data, "application/octet-stream")},
            headers={"Authorization": f"Bearer {token}"},
            timeout=600,
        )
        print(
            f"xlsx bomb {len(data) / 1024:,.0f} KB -> {args.bomb_mb} MB shared string, admin: status "
            f"{response.status_code}, server peak RSS {hwm_mb(server.proc.pid):,.0f} MB (idle {idle:,.0f} MB)"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
