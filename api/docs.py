"""The API documentation page: Swagger UI from the local copy (maps/node_modules/swagger-ui-dist, served
under /static/vendor), so /docs loads nothing from the internet. ReDoc is off.

The page is a template with no inline script: Swagger UI is started by /static/js/swagger-init.js from
the configuration the page carries as JSON data."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from api.access import require
from maps.assets import SWAGGER_CSS, SWAGGER_FAVICON, SWAGGER_JS, SWAGGER_OAUTH2_REDIRECT
from maps.templating import render

router = APIRouter(tags=["Hệ thống"])


@router.get(
    "/docs",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(require("system", "read"))],
)
def docs(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    config = {
        "url": root + str(request.app.openapi_url),
        "layout": "BaseLayout",
        "deepLinking": True,
        "showExtensions": True,
        "showCommonExtensions": True,
        # The package's own redirect page loads its script from a file: no inline script to allow.
        "oauth2RedirectUrl": root + SWAGGER_OAUTH2_REDIRECT,
        # No badge from the public validator (a request leaving the site).
        "validatorUrl": None,
    }
    page = render(
        "docs.html",
        title=f"{request.app.title} — tài liệu API",
        config=config,
        js_url=root + SWAGGER_JS,
        css_url=root + SWAGGER_CSS,
        favicon_url=root + SWAGGER_FAVICON,
    )
    return HTMLResponse(page)
