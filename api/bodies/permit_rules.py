"""What the routes of api/permit_rules.py answer (see api.bodies)."""

from __future__ import annotations

from typing import Any

from api.bodies import Body


class ListRule(Body):
    code: str | None
    applies_to: str
    permit_kinds: list[str]
    kind_names: list[str]
    pole_classes: list[str] | None
    min_height_m: float | None
    max_height_m: float | None
    zone_kinds: list[str] | None
    description: str | None
    legal_basis: str | None
    certainty: str | None
    effective_from: str | None
    effective_to: str | None
    version: int


class CreateRule(Body):
    code: str | None
    applies_to: str
    permit_kinds: list[str]
    kind_names: list[str]
    pole_classes: list[str]
    min_height_m: float | None
    max_height_m: float | None
    zone_kinds: Any
    description: str | None
    legal_basis: str | None
    certainty: str | None
    effective_from: str | None
    effective_to: str | None
    version: int
