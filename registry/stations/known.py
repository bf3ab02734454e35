"""Filter words a person types (an operator, an administrative unit) checked against the registry, so
a misspelt one is refused with what exists instead of answering with an empty list. Operators are
resolved as the station importer resolves them (``OrganisationIndex``); a unit as the station
queries match it (any unit's code, or the name of a unit in force without its kind word)."""

from __future__ import annotations

import difflib

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.admin_units.models import AdminUnit
from registry.admin_units.service import CommuneIndex
from registry.errors import FieldError, ValidationFailed
from registry.organisations.service import OrganisationIndex
from registry.stations.queries import StationFilter


def check_filter_words(session: Session, filters: StationFilter) -> None:
    """Raises ValidationFailed naming each operator and unit that matches nothing in the registry."""
    errors: list[FieldError] = []
    if filters.operators:
        orgs = OrganisationIndex(session)
        for word in filters.operators:
            if orgs.find_operator(word) is None:
                errors.append(
                    FieldError(
                        f"Không có doanh nghiệp «{word}» (có: {', '.join(orgs.operator_names()) or 'chưa có'})",
                        field="operator",
                        value=word,
                        code="unknown_operator",
                    )
                )
    if filters.admin_unit:
        word = filters.admin_unit
        units = session.execute(select(AdminUnit.code, AdminUnit.name, AdminUnit.valid_to)).all()
        key = CommuneIndex.key(word)
        current = {CommuneIndex.key(u.name): u.name for u in units if u.valid_to is None}
        if not any(u.code == word for u in units) and key not in current:
            close = [current[k] for k in difflib.get_close_matches(key, list(current), n=5, cutoff=0.6)]
            errors.append(
                FieldError(
                    f"Không có đơn vị hành chính «{word}» (ghi mã, hoặc tên xã/phường hiện hành"
                    + (f"; gần giống: {', '.join(close)})" if close else ")"),
                    field="admin_unit",
                    value=word,
                    code="unknown_admin_unit",
                )
            )
    if errors:
        raise ValidationFailed("Tham số không hợp lệ", errors)
