"""Shapes of cases, parties and transitions as the API takes them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from registry.cases.models import CaseKind, CaseState, Channel, PartyRole
from registry.stations.schemas import PositionIn, Strict


class PartyIn(Strict):
    role: PartyRole
    name: str = Field(min_length=1, max_length=300)
    id_number: str | None = Field(None, max_length=20, pattern=r"^[0-9A-Za-z]{6,20}$")
    address: str | None = Field(None, max_length=500)
    phone: str | None = Field(None, max_length=40, pattern=r"^[0-9 +().-]{6,40}$")
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$")


class LinkIn(Strict):
    entity: Literal["site", "station", "press_outlet", "organisation"]
    code: Annotated[
        str, Field(min_length=1, max_length=60, description="Mã vị trí, số hiệu trạm, mã cơ quan báo chí, mã tổ chức")
    ]


class _CaseFields(Strict):
    subject: str | None = Field(None, min_length=1, max_length=500)
    content: str | None = Field(None, max_length=20_000)
    position: PositionIn | None = None
    complex: bool | None = None
    especially_complex: bool | None = None
    remote: bool | None = None
    handler: str | None = Field(None, max_length=64, description="Tên đăng nhập người được giao xử lý")
    unit: str | None = Field(None, max_length=200)
    outcome: str | None = Field(None, max_length=4000)


class CaseCreate(_CaseFields):
    kind: CaseKind
    received_on: date
    channel: Channel
    subject: str = Field(min_length=1, max_length=500)  # type: ignore[assignment]
    parties: list[PartyIn] = Field(default_factory=list, max_length=50)
    links: list[LinkIn] = Field(default_factory=list, max_length=50)


class CasePatch(_CaseFields):
    pass


class TransitionIn(Strict):
    to: CaseState
    reason: str = Field(min_length=1, max_length=2000)
    on: date | None = Field(None, description="Ngày của bước (mặc định hôm nay)")


class ReceptionSessionCreate(Strict):
    held_on: date
    host: str = Field(min_length=1, max_length=300, description="Người chủ trì (Giám đốc Sở …)")
    place: str | None = Field(None, max_length=300)
    notes: str | None = Field(None, max_length=4000)
    cases: list[CaseCreate] = Field(default_factory=list, max_length=100, description="Vụ việc tiếp nhận tại buổi tiếp")
