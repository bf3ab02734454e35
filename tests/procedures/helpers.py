"""Procedures and dossiers for the tests, made through the services."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from registry.calendar.days import VIETNAM
from registry.procedures import service
from registry.procedures.models import Procedure
from registry.procedures.schemas import ProcedureCreate, StepIn


def vn(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VIETNAM)


def steps(value: int) -> list[StepIn]:
    return [
        StepIn(name="Tiếp nhận", unit="Bộ phận Một cửa", duration=Decimal("0.5")),
        StepIn(name="Thẩm định", unit="Phòng chuyên môn", duration=Decimal(value) - Decimal("1.5")),
        StepIn(name="Lãnh đạo Sở ký", unit="Ban Giám đốc Sở", duration=Decimal("0.5")),
        StepIn(name="Trả kết quả", unit="Bộ phận Một cửa", duration=Decimal("0.5")),
    ]


def make_procedure(
    db: Session,
    code: str = "1.000001.000.00.00.H27",
    *,
    field: str = "telecom",
    value: int = 10,
    unit: str = "working_days",
    level: int = 3,
    name: str = "Thủ tục thử nghiệm",
    effective_from: date = date(2015, 1, 1),
) -> Procedure:
    return service.create_procedure(
        db,
        ProcedureCreate(
            code=code, name=name, field=field, time_value=value, time_unit=unit, legal_basis="Nghị định thử nghiệm",
            online_level=level, effective_from=effective_from, steps=steps(value),
        ),  # type: ignore[arg-type]
    )  # fmt: skip
