"""The OGC API at /ogc (issue #20): Features (Parts 1–3) for the registry's collections and Tiles for
the sites. Modules by what they hold: landing.py (landing page, conformance), collections.py,
items.py, queryables.py (queryables and the feature schema), tiles.py (tilesets, tiles, the tile
matrix set), params.py (query strings parsed, 400s named), links.py (links and JSON answers),
html.py (the pages). The data and its SQL are in registry/ogc/."""

from __future__ import annotations

from fastapi import APIRouter

from api.ogc import collections, items, landing, queryables, tiles

router = APIRouter()
# Tiles before collections: /collections/sites/tiles is a fixed path, not a collection's id.
for part in (landing.router, tiles.router, collections.router, items.router, queryables.router):
    router.include_router(part)
