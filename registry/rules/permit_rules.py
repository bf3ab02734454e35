"""A new version of a permit requirement rule from a day on: a new rule (its own code, as
``PermitRuleCreate`` takes it) and the rule it replaces ends that day, both through the permits
service (``create_rule``, ``update_rule``) in one transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from registry.errors import FieldError, ValidationFailed
from registry.permits import service
from registry.permits.models import PermitRule
from registry.permits.schemas import PermitRuleCreate, PermitRulePatch
from registry.versions import check_version


def new_permit_rule_version(
    session: Session, code: str, data: PermitRuleCreate, *, expected_version: int | None
) -> PermitRule:
    old = service.get_rule(session, code, for_update=True)
    check_version(old, expected_version, what=f"Quy tắc {code}")
    if data.effective_from <= old.effective_from:
        raise ValidationFailed(
            "Quy tắc không hợp lệ",
            [FieldError(f"Phải sau ngày hiệu lực của quy tắc hiện hành ({old.effective_from:%d/%m/%Y})",
                        field="effective_from")],
        )  # fmt: skip
    new = service.create_rule(session, data)
    if old.effective_to is None or old.effective_to > data.effective_from:
        patch = PermitRulePatch(effective_to=data.effective_from)
        service.update_rule(session, code, patch, expected_version=old.version)
    return new
