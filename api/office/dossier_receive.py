"""The one-stop desk receives a dossier in a page (/office/dossiers/new): the procedure picked from those
in force today (a search box filters the list as one types, with or without diacritics; without a script
the list and its «Chọn» button reload the form for that procedure), the channel, the applicant, the
documents received (the procedure's required documents as a checklist, more rows for other papers), the
fee, and the appointment shown before saving with the rule that gives it — the same
``service.schedule`` that ``service.create_dossier`` applies. Saving goes to the same service as
POST /api/dossiers, with the signed-in officer as the actor, and lands on the printable receipt."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import select

from api.access import require
from api.deps import SessionDep
from api.office.forms import Form, attempt, form_values, to_model
from api.office.pages import Office, OfficeDep, in_thread, page
from maps.dossier_pages import money
from maps.templating import dmy
from registry.calendar import service as calendar
from registry.calendar.days import VIETNAM
from registry.errors import FieldError, RegistryError, ValidationFailed
from registry.procedures import service
from registry.procedures.models import APPLICANT_KIND_NAMES, CHANNEL_NAMES, Channel, Procedure
from registry.procedures.schemas import DOCUMENT_FORMS, DossierCreate
from registry.procedures.views import procedure_dict
from registry.text import fold

router = APIRouter(prefix="/office/dossiers", tags=["Văn phòng"], include_in_schema=False)
MAX_ROWS = 60  # rows the form reads back (the service takes 50 documents: more are refused, not dropped)
SPARE_ROWS = 3  # empty rows for papers the catalogue does not list
MOMENT = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})$")

LABELS = {
    "procedure_code": "Thủ tục",
    "channel": "Hình thức nộp",
    "received_at": "Thời điểm tiếp nhận",
    "applicant.kind": "Người nộp là",
    "applicant.name": "Tên tổ chức, cá nhân nộp hồ sơ",
    "applicant.id_number": "Số định danh, CCCD hoặc mã số thuế",
    "applicant.address": "Địa chỉ",
    "applicant.phone": "Số điện thoại",
    "applicant.email": "Thư điện tử",
    "notes": "Ghi chú",
    "documents": "Giấy tờ đã nhận",
}
DOC_PARTS = {"name": "tên giấy tờ", "form": "hình thức", "copies": "số lượng"}


def _labels(rows: int) -> dict[str, str]:
    docs = {
        f"documents.{i}.{part}": f"Giấy tờ {i + 1}: {word}" for i in range(rows) for part, word in DOC_PARTS.items()
    }
    return {**LABELS, **docs}


def now() -> datetime:
    return datetime.now(VIETNAM)


def _in_force(session: Any) -> list[Procedure]:
    return service.procedures_in_force(session, now().date())


def fee_text(p: Procedure) -> str:
    """The fee as the receipt words it."""
    return p.fees or (money(p.fee_vnd) if p.fee_vnd else "Không thu phí, lệ phí")


def _received_at(raw: str) -> datetime | None:
    """The form's «dd/mm/yyyy hh:mm» (Vietnam time); blank is now. Anything else is refused by field."""
    raw = (raw or "").strip()
    if not raw:
        return None
    match = MOMENT.match(raw)
    try:
        if match is None:
            raise ValueError(raw)
        d, m, y, hh, mm = (int(g) for g in match.groups())
        return datetime(y, m, d, hh, mm, tzinfo=VIETNAM)
    except ValueError:
        raise ValidationFailed(
            "Thời điểm tiếp nhận không hợp lệ",
            [FieldError("Nhập ngày/tháng/năm giờ:phút, ví dụ 28/08/2026 15:30", field="received_at")],
        ) from None


def _documents(values: dict[str, Any]) -> list[tuple[int, dict[str, str]]]:
    """The rows received (with the form's row number): a catalogue row when ticked, another row when it
    has a name."""
    out = []
    for i in range(MAX_ROWS + 1):
        name = str(values.get(f"documents.{i}.name") or "").strip()
        listed = values.get(f"documents.{i}.listed") == "1"
        ticked = values.get(f"documents.{i}.received") == "1"
        if name and (ticked or not listed):
            out.append((i, {part: str(values.get(f"documents.{i}.{part}") or "").strip() for part in DOC_PARTS}))
    return out


def _data(values: dict[str, Any]) -> DossierCreate:
    """The API's DossierCreate from the form (refusals name the form's fields)."""
    flat = {k: v for k, v in values.items() if k in LABELS and k not in ("received_at", "documents")}
    at = _received_at(values.get("received_at") or "")
    if at is not None:
        flat["received_at"] = at.isoformat()
    for i, (_, doc) in enumerate(_documents(values)):
        for part, value in doc.items():
            flat[f"documents.{i}.{part}"] = value
    return to_model(DossierCreate, flat)


def _checklist(p: Procedure | None, values: dict[str, Any], *, fresh: bool) -> list[dict[str, Any]]:
    """The document rows the form shows: as posted, or (a fresh form) the procedure's required
    documents ticked when required, then a few empty rows."""
    if fresh:
        docs = list(p.required_documents or []) if p is not None else []
        for i, doc in enumerate(docs):
            values[f"documents.{i}.name"] = doc["name"]
            values[f"documents.{i}.form"] = doc["form"]
            values[f"documents.{i}.copies"] = str(doc["copies"])
            values[f"documents.{i}.listed"] = "1"
            values[f"documents.{i}.received"] = "1" if doc.get("required", True) else ""
            values[f"documents.{i}.required"] = "1" if doc.get("required", True) else ""
    numbers = (k.split(".")[1] for k in values if k.startswith("documents.") and k.count(".") == 2 and values[k])
    used = max((int(n) + 1 for n in numbers if n.isdigit() and len(n) < 4), default=0)
    rows = min(MAX_ROWS, used + SPARE_ROWS)
    return [
        {
            "i": i,
            "listed": values.get(f"documents.{i}.listed") == "1",
            "required": values.get(f"documents.{i}.required") == "1",
        }
        for i in range(rows)
    ]


def _procedure(session: Any, code: str | None) -> Procedure | None:
    if not code:
        return None
    p = session.scalar(select(Procedure).where(Procedure.code == code[:40]))
    return p if p is not None and p.is_in_force(now().date()) else None


def _appointment(session: Any, values: dict[str, Any]) -> tuple[dict[str, str] | None, str | None]:
    """The appointment the form's procedure, channel and time give (or why there is none yet)."""
    try:
        plan = service.schedule(
            session,
            calendar.load(session),
            str(values.get("procedure_code") or ""),
            Channel(values.get("channel") or Channel.in_person.value),
            _received_at(values.get("received_at") or "") or now(),
            now=now(),
        )
    except ValueError:
        return None, "Hình thức nộp không hợp lệ"
    except RegistryError as exc:
        errors = exc.extra.get("errors") or []
        return None, "; ".join(str(e.get("message")) for e in errors) or exc.detail
    return {
        "counted_from": dmy(plan.counted_from),
        "due_date": dmy(plan.due_date),
        "reason": plan.reason,
    }, None


def _form_page(
    office: Office, session: Any, values: dict[str, Any], form: Form | None = None, *, fresh: bool = False
) -> Response:
    procedures = _in_force(session)
    p = _procedure(session, values.get("procedure_code"))
    rows = _checklist(p, values, fresh=fresh)
    form = form or Form(values=values)
    form.values = values
    form.labels = _labels(len(rows))
    appointment, why_not = _appointment(session, values) if p is not None else (None, None)
    return page(
        office,
        "dossier_receive.html",
        title="Tiếp nhận hồ sơ",
        status=422 if form.refused else 200,
        f=form,
        proc=procedure_dict(p) if p is not None else None,
        fee=fee_text(p) if p is not None else None,
        procedures=[(x.code, f"{x.name} ({x.code})", fold(f"{x.code} {x.name}")) for x in procedures],
        channels=[(c.value, CHANNEL_NAMES[c]) for c in (Channel.in_person, Channel.post, Channel.online)],
        kinds=[(k.value, name[:1].upper() + name[1:]) for k, name in APPLICANT_KIND_NAMES.items()],
        forms=DOCUMENT_FORMS,
        rows=rows,
        blank=Form(),
        appointment=appointment,
        why_not=why_not,
        crumbs=[("/office/dossiers", "Hồ sơ một cửa")],
    )


@router.get("/new", dependencies=[Depends(require("dossiers", "create"))], summary="Tiếp nhận hồ sơ")
def receive_form(
    office: OfficeDep, session: SessionDep, procedure: Annotated[str | None, Query(max_length=100)] = None
) -> Response:
    values: dict[str, Any] = {
        "procedure_code": (procedure or "").strip()[:40],
        "channel": Channel.in_person.value,
        "applicant.kind": "organisation",
    }
    return _form_page(office, session, values, fresh=True)


@router.get(
    "/new/appointment",
    dependencies=[Depends(require("dossiers", "create"))],
    summary="Ngày hẹn trả của hồ sơ sắp tiếp nhận (JSON cho trang tiếp nhận)",
)
def receive_appointment(
    session: SessionDep,
    procedure: Annotated[str, Query(max_length=100)] = "",
    channel: Annotated[str, Query(max_length=20)] = Channel.in_person.value,
    received_at: Annotated[str, Query(max_length=40)] = "",
) -> JSONResponse:
    """The chosen procedure (fee, required documents) and the appointment the desk would give now."""
    p = _procedure(session, procedure.strip())
    if p is None:
        return JSONResponse({"error": "Không có thủ tục đang áp dụng với mã này"}, status_code=422)
    values = {"procedure_code": p.code, "channel": channel, "received_at": received_at}
    appointment, why_not = _appointment(session, values)
    return JSONResponse(
        {
            "procedure": {
                "code": p.code,
                "name": p.name,
                "time_text": procedure_dict(p)["time_text"],
                "fee": fee_text(p),
                "documents": p.required_documents,
            },
            "appointment": appointment,
            "error": why_not,
        },
        status_code=200 if appointment else 422,
    )


@router.post("/new", dependencies=[Depends(require("dossiers", "create"))], summary="Tiếp nhận hồ sơ")
async def receive(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    posted = await request.form()
    values = form_values(posted)
    preview = values.pop("preview", "") == "1"
    return await in_thread(_receive, office, session, values, preview)


def _receive(office: Office, session: Any, values: dict[str, Any], preview: bool) -> Response:
    if preview:  # «Xem ngày hẹn» (without a script): the form back filled, the appointment shown
        return _form_page(office, session, values)
    form = Form(values=values, labels=_labels(MAX_ROWS + 1))
    with attempt(session, form):
        data = _data(values)
        d = service.create_dossier(session, calendar.load(session), data, actor=office.principal.actor, now=now())
    if form.refused:
        # A document's message goes back to the row the officer typed it in (the service saw them renumbered).
        rows = [i for i, _ in _documents(values)]
        form.errors = {_row_of(k, rows): v for k, v in form.errors.items()}
        return _form_page(office, session, values, form)
    return RedirectResponse(f"/api/dossiers/{d.receipt_code}/receipt", status_code=303)


def _row_of(key: str, rows: list[int]) -> str:
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "documents" and parts[1].isdigit() and int(parts[1]) < len(rows):
        return f"documents.{rows[int(parts[1])]}.{parts[2]}"
    return key
