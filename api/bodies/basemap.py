"""What the routes of api/basemap.py answer (see api.bodies)."""

from __future__ import annotations
