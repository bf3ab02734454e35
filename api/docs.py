"""The API documentation page: Swagger UI from the local copy (maps/node_modules/swagger-ui-dist, served
under /static/vendor), so /docs loads nothing from the internet. ReDoc is off."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from api.access import require
from maps.assets import SWAGGER_CSS, SWAGGER_FAVICON, SWAGGER_JS, SWAGGER_OAUTH2_REDIRECT

router = APIRouter(tags=["Hệ thống"])


@router.get(
    "/docs",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(require("system", "read"))],
)
def docs(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    page = get_swagger_ui_html(
        openapi_url=root + str(request.app.openapi_url),
        title=f"{request.app.title} — tài liệu API",
        swagger_js_url=root + SWAGGER_JS,
        swagger_css_url=root + SWAGGER_CSS,
        swagger_favicon_url=root + SWAGGER_FAVICON,
        # The package's own redirect page loads its script from a file: no inline script to allow.
        oauth2_redirect_url=root + SWAGGER_OAUTH2_REDIRECT,
        # No badge from the public validator (a request leaving the site).
        swagger_ui_parameters={"validatorUrl": None},
    )
    html = bytes(page.body).decode()
    # FastAPI writes one inline script (the one starting Swagger UI) beside the bundle's <script src>:
    # it gets this response's CSP nonce, as it is generated, from text that holds no request data.
    if html.count("<script>") != 1:
        raise RuntimeError("Swagger UI page changed shape: expected one inline <script>")
    html = html.replace("<script>", f'<script nonce="{request.state.csp_nonce}">', 1)
    return HTMLResponse(html)
