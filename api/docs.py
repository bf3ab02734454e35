"""The API documentation page: Swagger UI from the local copy (maps/node_modules/swagger-ui-dist, served
under /static/vendor), so /docs loads nothing from the internet. ReDoc is off.

The page is a template with no inline script: Swagger UI is started by /static/js/swagger-init.js from
the configuration the page carries as JSON data."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_flat_params
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute

from api.access import declared_permission, require
from api.bodies.geojson import FeatureCollection
from api.deps import GEOJSON, page, station_filter
from api.errors import PAGE_PREFIXES
from api.query_strings import calls, documented, parameters
from api.responses import PROBLEM_JSON, PROBLEM_REF, REASONS, Problem, page_problems, problems
from api.sites import nearest_point
from maps.assets import SWAGGER_CSS, SWAGGER_FAVICON, SWAGGER_JS, SWAGGER_OAUTH2_REDIRECT
from maps.templating import render
from registry.accounts.permissions import PUBLIC, Action, rule

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


# --- The document itself ----------------------------------------------------------------------------
# FastAPI writes what each route declares; this adds what every route shares, so no route has to repeat
# it and none can forget it:
# - the Problem schema (api.responses) for every refusal, or HTML for a page's;
# - 401 (a bad token) and 503 (the database down) wherever a permission is checked, and 403 where some
#   signed-in role is refused;
# - 400 where a page size or an area may go over its limit, where a body may not parse as JSON, and on
#   the OGC API for a parameter it does not know;
# - 404 where the path names a record; 422 (problem+json, not FastAPI's own shape) where a route reads
#   parameters or a body; 413 where it reads a body; 409 on any change (a collision with a record);
# - a FeatureCollection for a GeoJSON answer with no schema of its own (or a file's), a binary string
#   for a tile or an image, ETag and Location where the route sets them (api.responses).
# A refusal a route declared with a description only gets the Problem content.


def _permissions(dependant: Dependant) -> Iterator[tuple[str, Action]]:
    for dep in dependant.dependencies:
        found = declared_permission(dep.call)
        if found is not None:
            yield found
        yield from _permissions(dep)


# Dependencies that refuse a request over a documented limit (page size, area, radius): 400.
LIMITED: frozenset[object] = frozenset({page, station_filter, nearest_point})


def _error_content(page: bool) -> dict[str, Any]:
    if page:
        return {"text/html": {"schema": {"type": "string"}}}
    return {PROBLEM_JSON: {"schema": PROBLEM_REF}}


def _complete(operation: dict[str, Any], route: APIRoute) -> None:
    page = route.path == "/maps" or route.path.startswith(PAGE_PREFIXES)
    answers = operation.setdefault("responses", {})
    permissions = list(_permissions(route.dependant))
    _query_models(operation, route)
    params = get_flat_params(route.dependant) or operation.get("parameters")
    extra: list[int] = []
    if permissions:
        extra += [401, 503]
        if any(not rule(resource, action).allows({PUBLIC}) for resource, action in permissions):
            extra.append(403)
    over = LIMITED.intersection(calls(route.dependant)) or (route.path.startswith("/ogc") and params)
    if over or route.body_field is not None:
        extra.append(400)  # over a limit; the OGC API's invalid or unknown parameter; a body that is not JSON
    if any(p.name for p in route.dependant.path_params):
        extra.append(404)  # no record (or tile, or file) by that name
    if params or route.body_field is not None:
        extra.append(422)
        if answers.get("422", {}).get("content", {}).get("application/json"):
            del answers["422"]  # FastAPI's own HTTPValidationError: never what api.errors sends
    if route.body_field is not None:
        extra.append(413)
    if route.methods & {"POST", "PUT", "PATCH", "DELETE"}:
        extra.append(409)  # a change that collides with a record (a unique name, a record still in use)
    _headers(answers, route)
    made = page_problems(*extra) if page else problems(*extra)
    for code, answer in made.items():
        answers.setdefault(str(code), answer)
    for code, answer in answers.items():
        geojson = answer.get("content", {}).get(GEOJSON)
        bare = geojson is not None and geojson.get("schema", {}) in ({}, BINARY)
        if code == "200" and bare and not route.path.startswith("/ogc"):
            geojson["schema"] = {"$ref": "#/components/schemas/FeatureCollection"}
        for media_type, content in answer.get("content", {}).items():
            if not content.get("schema") and not media_type.endswith("json"):
                content["schema"] = BINARY if media_type != "text/html" else {"type": "string"}  # tiles, images
        if code[0] in "45" and not answer.get("content"):
            answer["content"] = _error_content(page)
            answer.setdefault("description", REASONS.get(int(code), "Lỗi"))


BINARY = {"type": "string", "format": "binary"}


def _query_models(operation: dict[str, Any], route: APIRoute) -> None:
    """The query parameters read by one model (api.query_strings), written as FastAPI writes a declared
    one, after the route's own."""
    declared = operation.setdefault("parameters", [])
    names = {(p["name"], p["in"]) for p in declared}
    for model in documented(calls(route.dependant)):
        declared += [p for p in parameters(model) if (p["name"], "query") not in names]
    if not declared:
        del operation["parameters"]


def _headers(answers: dict[str, Any], route: APIRoute) -> None:
    """ETag on the answer of a route that calls api.responses.versioned, Location (and ETag) on one that
    calls created: read from the route's own code, the one place that says which helper it uses."""
    try:
        code = inspect.getsource(route.endpoint)
    except (OSError, TypeError):
        return
    etag = {"description": "Phiên bản của bản ghi (gửi lại trong If-Match)", "schema": {"type": "string"}}
    if re.search(r"\bversioned\(\s*response", code) and "200" in answers:
        answers["200"].setdefault("headers", {})["ETag"] = {**etag, "required": True}
    if re.search(r"\bcreated\(\s*response", code) and "201" in answers:
        found = answers["201"].setdefault("headers", {})
        found["Location"] = {"description": "Địa chỉ của bản ghi mới", "schema": {"type": "string"}, "required": True}
        if "record=" in code:
            found["ETag"] = {**etag, "required": True}


def _unused(document: dict[str, Any], name: str) -> bool:
    return f'"#/components/schemas/{name}"' not in json.dumps(document["paths"])


def openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document, completed as above (built once, as FastAPI's own)."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    document = FastAPI.openapi(app)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for model in (Problem, FeatureCollection):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode="serialization")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods:
            operation = document["paths"].get(route.path_format, {}).get(method.lower())
            if operation is not None:
                _complete(operation, route)
    for name in ("HTTPValidationError", "ValidationError"):
        if name in schemas and _unused(document, name):
            del schemas[name]
    app.openapi_schema = document
    return document


def install(app: FastAPI) -> None:
    app.openapi = lambda: openapi(app)  # type: ignore[method-assign]
