"""Finding organisations by the many names spreadsheets give them, and recording new ones."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.organisations.models import Organisation
from registry.text import fold


class OrganisationIndex:
    """All organisations keyed by every folded name, code and alias: one query per import."""

    def __init__(self, session: Session) -> None:
        self._by_key: dict[str, Organisation] = {}
        for org in session.scalars(select(Organisation)):
            self.add(org)

    def add(self, org: Organisation) -> None:
        for name in (org.code, org.name, org.short_name, *org.aliases):
            if name:
                self._by_key.setdefault(fold(name), org)

    def find(self, name: str) -> Organisation | None:
        return self._by_key.get(fold(name))

    def find_operator(self, name: str) -> Organisation | None:
        org = self.find(name)
        return org if org is not None and org.is_operator else None

    def operator_names(self) -> list[str]:
        return sorted({o.short_name or o.code for o in self._by_key.values() if o.is_operator})


def new_organisation(session: Session, index: OrganisationIndex, *, name: str) -> Organisation:
    """A new (non-operator) organisation for an owner name seen for the first time."""
    base = re.sub(r"[^A-Z0-9]+", "-", fold(name).upper()).strip("-")[:32] or "ORG"
    code, n = base, 1
    while index.find(code) is not None:
        n += 1
        code = f"{base}-{n}"
    org = Organisation(code=code, name=name, short_name=name[:80], is_operator=False, aliases=[])
    session.add(org)
    session.flush()
    index.add(org)
    return org
