"""`tttt serve`: the API and the maps under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import err, fail


def default_workers() -> int:
    """Server processes by default: one per CPU, at most 8. Requests here spend most of their time in
    Python (routing, validation, building answers) rather than waiting on PostgreSQL, which usually
    runs on the same host; more processes than cores only queue behind each other. Measured by
    bench/load.py on the 2-core machine with PostgreSQL beside it (50 clients, read mix, 30 s):
    1 process 74 requests/s, p95 1.21 s; 2 processes 109–116 requests/s, p95 0.74–0.78 s;
    3 processes 111 requests/s, p95 1.19 s; 5 processes 97 requests/s, p95 1.29 s.
    workers × (pool + overflow) must stay under PostgreSQL's max_connections."""
    import os

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cpus, 8))


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    reload: bool = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Số tiến trình phục vụ (mặc định 2 × số CPU + 1, tối đa 8). Mỗi tiến trình giữ tối đa "
            "TTTT_DB_POOL_SIZE + TTTT_DB_MAX_OVERFLOW kết nối: tổng phải nhỏ hơn max_connections của PostgreSQL",
        ),
    ] = None,
) -> None:
    """Chạy API và bản đồ (cần TTTT_SECRET_KEY, trừ khi TTTT_ENV=development)."""
    import uvicorn

    from registry.settings import MissingSecret, get_settings

    settings = get_settings()
    try:
        settings.secret()
    except MissingSecret as exc:
        fail(str(exc), 2)
    if reload and workers not in (None, 1):
        fail("--reload chỉ chạy một tiến trình; bỏ --workers", 2)
    count = 1 if reload else workers or default_workers()
    per_process = settings.db_pool_size + settings.db_max_overflow
    err.print(f"{count} tiến trình × tối đa {per_process} kết nối = {count * per_process} kết nối tới PostgreSQL")
    # proxy_headers=False: client addresses are resolved inside the app from the trusted proxies
    # setting; uvicorn must not rewrite them from X-Forwarded-For on its own.
    uvicorn.run("api.main:app", host=host, port=port, reload=reload, workers=count, proxy_headers=False)
