"""The `tttt` command line: one module per command group (``db``, ``imports``, ``exports``, ``users``,
``permits``, ``zones``, ``calendar``, ``reports``, ``demo``, ``serve``), what they share in
``common``. Commands import what they use inside their body, so ``tttt --help`` stays quick."""

from __future__ import annotations

import typer

from api.cli import calendar, db, demo, exports, imports, permits, reports, serve, users, zones
from api.cli.serve import default_workers

__all__ = ["app", "default_workers", "main"]

app = typer.Typer(help="Sổ đăng ký trạm gốc, báo chí, thanh tra — dòng lệnh", no_args_is_help=True)
app.add_typer(db.app, name="db")
app.add_typer(imports.app, name="import")
app.add_typer(exports.app, name="export")
app.add_typer(demo.app, name="demo")
app.add_typer(users.app, name="users")
app.add_typer(permits.app, name="permits")
app.add_typer(zones.app, name="zones")
app.add_typer(calendar.app, name="calendar")
app.add_typer(reports.app, name="report")
app.command("template")(exports.template)
app.command("serve")(serve.serve)


def main() -> None:
    app()
