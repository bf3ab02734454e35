"""`tttt demo`: the Hải Phòng demo data, loaded once through the real importers."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import acting, err, fail, progress_bars
from registry.errors import ValidationFailed

app = typer.Typer(help="Dữ liệu mẫu Hải Phòng", no_args_is_help=True)


@app.command("load")
def demo_load(force: Annotated[bool, typer.Option("--force", help="Nạp lại dù đã có dữ liệu")] = False) -> None:
    """Nạp dữ liệu mẫu Hải Phòng (đơn vị hành chính gần đúng, ~3.200 vị trí, ~4.700 trạm) một lần."""
    from fixtures.demo import load_demo
    from registry.db import session_scope

    try:
        with progress_bars() as progress, acting(), session_scope() as session:
            summary = load_demo(session, force=force, progress=progress)
    except ValidationFailed as exc:
        for e in exc.errors[:20]:
            err.print(f"dòng {e.row}, cột {e.column}: {e.message}")
        fail(exc.detail, 2)
    err.print(summary)
