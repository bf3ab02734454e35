"""The OGC API's pages: the JSON documents drawn by the templates in maps/templates/ogc/ (autoescaped,
in the site's layout, under its Content-Security-Policy; no script of their own)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.maps import here
from maps.templating import render
from registry.accounts.permissions import Principal


def page(request: Request, principal: Principal, template: str, *, title: str, **context: Any) -> HTMLResponse:
    html = render(f"ogc/{template}", title=title, lang="vi", username=principal.username, here=here(request), **context)
    return HTMLResponse(html, headers={"Vary": "Accept"})
