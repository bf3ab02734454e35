"""Reading permits and frequency licences."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.permits.models import FrequencyLicence


def frequency_licences(session: Session) -> list[FrequencyLicence]:
    """Every frequency licence, by operator and band."""
    stmt = select(FrequencyLicence).order_by(FrequencyLicence.operator_id, FrequencyLicence.band)
    return list(session.scalars(stmt))
