"""Press licences in the back office: record one for an outlet (the outlet page's button opens
``/office/press/licences/new?outlet_code=X``), its page (details in words, standing today in colour,
each amendment as before → after, history in words), and the small forms that change it: an amendment
decided by the issuer (applied and kept, the API's amendment route), renew, suspend, revoke, and a
correction of what was entered wrongly (the API's PATCH).

Every page calls what the API route calls (registry.press.service, registry.press.licence_views)
under the same permission; the forms carry the API's field names and are checked by the API's own
models (LicenceCreate, LicencePatch, AmendmentCreate)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from api import audit
from api.access import require
from api.deps import SessionDep, SettingsDep
from api.office.forms import (
    VALIDITY_DATES,
    VALIDITY_LABELS,
    Form,
    attempt,
    changed,
    form_values,
    posted_version,
    to_model,
)
from api.office.pages import Office, OfficeDep, done, in_thread, page, stale_page
from maps.record_pages import history_rows
from maps.templating import Link, State, dmy
from registry.accounts.permissions import authorize, can_read_history
from registry.clock import today
from registry.errors import FieldError, NotFound, StaleVersion, ValidationFailed
from registry.permits.service import check_status_change
from registry.press import service
from registry.press.licence_views import AMENDMENT_LABELS, check_renewal, press_licence_record
from registry.press.models import LICENCE_KIND_NAMES, OUTLET_KIND_NAMES, REQUIRED_LICENCE, LicenceKind, OutletKind
from registry.press.schemas import AMENDABLE, OUTLET_AMENDABLE, AmendmentCreate, LicenceCreate, LicencePatch
from registry.schemas import vietnamese_day
from registry.versions import check_version

router = APIRouter(prefix="/office/press/licences", tags=["Văn phòng"], include_in_schema=False)
LicenceId = Annotated[int, Path(ge=1, le=2**31 - 1)]
OUTLETS = ("/office/press/outlets", "Báo chí")
HISTORY_ROWS = 200

LABELS = {
    "outlet_code": "Mã cơ quan",
    "kind": "Loại giấy phép",
    "number": "Số giấy phép",
    **VALIDITY_LABELS,
}
AMEND_LABELS = {
    "decision_number": "Số quyết định (giấy phép sửa đổi, bổ sung)",
    "decided_on": "Ngày quyết định",
    "reason": "Lý do sửa đổi",
    **{f"changes.{k}": v for k, v in AMENDMENT_LABELS.items()},
}
DATES = VALIDITY_DATES
KIND_OPTIONS = [(k.value, LICENCE_KIND_NAMES[k]) for k in LicenceKind]
EDIT_FIELDS = ("number", "issuer", "issue_date", "valid_from", "valid_until", "conditions", "suspended_from",
               "suspended_until", "revoked_on", "status_reason", "notes")  # fmt: skip
ACTIONS = {
    # mode: (title, fields the form sends, what it says)
    "edit": ("Đính chính giấy phép", EDIT_FIELDS,
             "Chỉ sửa những gì đã ghi nhầm. Thay đổi do cơ quan cấp quyết định là giấy phép sửa đổi, bổ sung "
             "(nút «Sửa đổi, bổ sung»); gia hạn, đình chỉ, thu hồi có nút riêng."),
    "renew": ("Gia hạn giấy phép", ("valid_until", "number", "issue_date", "notes"),
              "Gia hạn giữ nguyên giấy phép và dời ngày hết hiệu lực. Nếu văn bản gia hạn có số hoặc ngày cấp mới, "
              "sửa luôn ở đây; số và ngày cũ vẫn còn trong lịch sử thay đổi."),
    "suspend": ("Đình chỉ giấy phép", ("suspended_from", "suspended_until", "status_reason"),
                "Trong thời gian đình chỉ cơ quan không được hoạt động theo giấy phép; bỏ trống ngày kết thúc nếu "
                "đình chỉ đến khi có quyết định gỡ."),
    "revoke": ("Thu hồi giấy phép", ("revoked_on", "status_reason"),
               "Từ ngày thu hồi giấy phép không còn hiệu lực và không gia hạn được."),
}  # fmt: skip


def _lines(values: dict[str, Any]) -> dict[str, Any]:
    """A browser posts a textarea's lines ended by CRLF; stored text ends them by LF: compared as stored,
    an untouched multi-line field is no change."""
    return {k: v.replace("\r\n", "\n") if isinstance(v, str) else v for k, v in values.items()}


def _outlet(session: Any, code: str | None) -> Any:
    if not code:
        return None
    try:
        return service.get_outlet(session, code[:40])
    except NotFound:
        return None


def _outlet_words(outlet: Any) -> str:
    return f"{outlet.name} ({outlet.code}) — {OUTLET_KIND_NAMES[OutletKind(outlet.kind)]}"


# --- record a licence ------------------------------------------------------------------------------


def _new_page(office: Office, form: Form, outlet: Any) -> Response:
    back = f"/office/press/outlets/{outlet.code}" if outlet is not None else OUTLETS[0]
    crumbs = [OUTLETS] + ([(back, outlet.name)] if outlet is not None else [])
    return page(office, "press_licence_form.html", title="Ghi giấy phép báo chí", status=422 if form.refused else 200,
                f=form, action="/office/press/licences/new", mode="new", kinds=KIND_OPTIONS, version=None,
                holder=None if outlet is None else {"code": outlet.code, "words": _outlet_words(outlet)},
                back=back, crumbs=crumbs)  # fmt: skip


@router.get("/new", dependencies=[Depends(require("press_licences", "create"))], summary="Ghi giấy phép báo chí")
def licence_new(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    outlet = _outlet(session, request.query_params.get("outlet_code"))
    values: dict[str, Any] = {}
    if outlet is not None:
        values["outlet_code"] = outlet.code
        required = REQUIRED_LICENCE.get(OutletKind(outlet.kind))
        if required is not None:
            values["kind"] = required.value
            if required == LicenceKind.press_licence:
                values["issuer"] = "Bộ Văn hóa, Thể thao và Du lịch"
    return _new_page(office, Form(labels=LABELS, values=values), outlet)


@router.post("/new", dependencies=[Depends(require("press_licences", "create"))], summary="Ghi giấy phép báo chí")
async def licence_create(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    values = form_values(await request.form())
    return await in_thread(_create, office, session, values)


def _create(office: Office, session: Any, values: dict[str, Any]) -> Response:
    form = Form(labels=LABELS, values=values)
    licence = None
    with attempt(session, form):
        licence = service.create_licence(session, to_model(LicenceCreate, values))
    if form.refused or licence is None:
        return _new_page(office, form, _outlet(session, values.get("outlet_code")))
    return done(f"/office/press/licences/{licence.id}", "created")


# --- the record ------------------------------------------------------------------------------------


def _record(session: Any, settings: Any, licence_id: int) -> tuple[Any, dict[str, Any], Any]:
    licence = service.get_licence(session, licence_id)
    rec = press_licence_record(session, licence, expiring_days=settings.permit_expiring_days, on=today())
    outlet = service.get_outlet(session, rec["outlet_code"])
    return licence, rec, outlet


def _title(rec: dict[str, Any]) -> str:
    return f"{rec['kind_name']} số {rec['number']}"


def _crumbs(rec: dict[str, Any], outlet: Any, *, with_licence: bool = False) -> list[tuple[str, str]]:
    crumbs = [OUTLETS, (f"/office/press/outlets/{outlet.code}", outlet.name)]
    if with_licence:
        crumbs.append((f"/office/press/licences/{rec['id']}", _title(rec)))
    return crumbs


def _details(rec: dict[str, Any], outlet: Any) -> list[tuple[str, Any]]:
    days = rec["days_until_expiry"]
    rows: list[tuple[str, Any]] = [
        ("Cơ quan", Link(f"/office/press/outlets/{outlet.code}", f"{outlet.name} ({outlet.code})")),
        (LABELS["kind"], rec["kind_name"]),
        (LABELS["number"], rec["number"]),
        (LABELS["issuer"], rec["issuer"]),
        (LABELS["issue_date"], dmy(rec["issue_date"])),
        (LABELS["valid_from"], dmy(rec["valid_from"]) or (dmy(rec["issue_date"]) and "từ ngày cấp")),
        (LABELS["valid_until"], dmy(rec["valid_until"]) or "không thời hạn"),
        ("Tình trạng hôm nay", State(rec["status_name"], rec["status"])),
    ]
    if days is not None and rec["status"] in ("valid", "expiring"):
        rows.append(("Còn hiệu lực", "đến hết hôm nay" if days == 0 else f"{days} ngày nữa"))
    rows += [(LABELS[n], dmy(rec[n])) for n in ("suspended_from", "suspended_until", "revoked_on") if rec[n]]
    if rec["suspended_from"] and not rec["suspended_until"]:
        rows.append((LABELS["suspended_until"], "đến khi gỡ"))
    rows += [
        (LABELS["status_reason"], rec["status_reason"]),
        (LABELS["conditions"], rec["conditions"]),
        (LABELS["notes"], rec["notes"]),
        ("Số lần sửa đổi, bổ sung", len(rec["amendments"])),
        ("Hồ sơ một cửa đã cấp", None if rec["dossier"] is None else rec["dossier"]["receipt_code"]),
        ("Phiên bản", rec["version"]),
    ]
    return rows


def _shown(field: str, value: Any) -> Any:
    return dmy(value) if field == "valid_until" else value


def amendments_in_words(rec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each amendment with every change as (label, before, after), dates dd/mm/yyyy."""
    return [
        {
            "no": a["amendment_no"],
            "decision_number": a["decision_number"],
            "decided_on": dmy(a["decided_on"]),
            "reason": a["reason"],
            "changes": [
                (AMENDMENT_LABELS.get(k, k), _shown(k, c["before"]), _shown(k, c["after"]))
                for k, c in a["changes"].items()
            ],
        }
        for a in rec["amendments"]
    ]


@router.get("/{licence_id}", dependencies=[Depends(require("press_licences", "read"))], summary="Giấy phép báo chí")
def licence_page(licence_id: LicenceId, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    licence, rec, outlet = _record(session, settings, licence_id)
    history = None
    if can_read_history(office.principal, "press_licence"):
        grant = authorize(office.principal, "audit", "read")
        history = audit.history(session, grant, "press_licence", licence.id, limit=HISTORY_ROWS, offset=0)
    return page(office, "press_licence.html", title=_title(rec), details=_details(rec, outlet), licence=rec,
                amendments=amendments_in_words(rec), history=history_rows(history),
                crumbs=_crumbs(rec, outlet))  # fmt: skip


# --- an amendment decided by the issuer -------------------------------------------------------------


def _amend_start(rec: dict[str, Any], outlet: Any) -> dict[str, str]:
    """The amendable fields as they are now (the form starts from them; what is changed is sent)."""
    values = {f"changes.{k}": rec.get(k) for k in AMENDABLE}
    values["changes.valid_until"] = dmy(rec["valid_until"])
    values.update({f"changes.outlet.{k}": getattr(outlet, k) for k in OUTLET_AMENDABLE})
    return {k: "" if v is None else str(v) for k, v in values.items()}


def _amend_page(office: Office, rec: dict[str, Any], outlet: Any, form: Form, version: int | None) -> Response:
    return page(office, "press_licence_form.html", title=f"Giấy phép sửa đổi, bổ sung: {_title(rec)}",
                status=422 if form.refused else 200, f=form, mode="amend",
                action=f"/office/press/licences/{rec['id']}/amend", licence=rec, version=version,
                licence_fields=[f"changes.{k}" for k in AMENDABLE],
                outlet_fields=[f"changes.outlet.{k}" for k in OUTLET_AMENDABLE], outlet_name=outlet.name,
                intro="Ghi quyết định của cơ quan cấp phép: sửa các ô cần thay đổi theo quyết định, để nguyên các ô "
                      "khác. Thay đổi được áp dụng ngay và lưu lại giá trị trước, sau.",
                back=f"/office/press/licences/{rec['id']}", crumbs=_crumbs(rec, outlet, with_licence=True))  # fmt: skip


@router.get("/{licence_id}/amend", dependencies=[Depends(require("press_licences", "update"))],
            summary="Giấy phép sửa đổi, bổ sung")  # fmt: skip
def licence_amend_form(licence_id: LicenceId, office: OfficeDep, session: SessionDep, settings: SettingsDep
                       ) -> Response:  # fmt: skip
    licence, rec, outlet = _record(session, settings, licence_id)
    form = Form(labels=AMEND_LABELS, values=_amend_start(rec, outlet))
    return _amend_page(office, rec, outlet, form, licence.version)


@router.post("/{licence_id}/amend", dependencies=[Depends(require("press_licences", "update"))],
             summary="Giấy phép sửa đổi, bổ sung")  # fmt: skip
async def licence_amend(licence_id: LicenceId, request: Request, office: OfficeDep, session: SessionDep,
                        settings: SettingsDep) -> Response:  # fmt: skip
    posted = await request.form()
    values = _lines(form_values(posted))
    return await in_thread(_amend, office, session, settings, licence_id, values, posted_version(posted))


def _amend_body(values: dict[str, Any], start: dict[str, str]) -> dict[str, Any]:
    """The API's amendment body: the decision, and only the fields whose value the officer changed
    (a field emptied is sent as null; the valid-until day in ISO as the API takes it)."""
    edits = changed({k: v for k, v in values.items() if k.startswith("changes.")}, start)
    changes: dict[str, Any] = {}
    for name, value in edits.items():
        key = name.removeprefix("changes.")
        if key not in AMENDMENT_LABELS:
            continue
        if key in ("number", "outlet.name") and not value:
            raise ValidationFailed("Thiếu thông tin", [FieldError("Không được để trống", field=name)])
        if key == "valid_until" and value:
            iso = vietnamese_day(value)
            if iso == value:  # not dd/mm/yyyy
                raise ValidationFailed(
                    "Ngày không hợp lệ", [FieldError("Ngày/tháng/năm, ví dụ 31/12/2026", field="changes.valid_until")]
                )
            value = iso
        changes[key] = value if value != "" else None
    body = {k: values.get(k) or None for k in ("decision_number", "decided_on", "reason")}
    return {**{k: v for k, v in body.items() if v is not None}, "changes": changes}


def _amend(office: Office, session: Any, settings: Any, licence_id: int, values: dict[str, Any],
           version: int | None) -> Response:  # fmt: skip
    licence, rec, outlet = _record(session, settings, licence_id)
    start = _amend_start(rec, outlet)
    form = Form(labels=AMEND_LABELS, values=values)
    try:
        with attempt(session, form):
            data = AmendmentCreate.model_validate(_amend_body(values, start))
            service.amend_licence(session, licence_id, data, expected_version=version)
    except StaleVersion:
        shown = {k: v for k, v in values.items() if k in AMEND_LABELS}
        return stale_page(office, action=f"/office/press/licences/{licence_id}/amend",
                          back=f"/office/press/licences/{licence_id}", labels=AMEND_LABELS, current=start, mine=shown,
                          current_version=licence.version,
                          crumbs=_crumbs(rec, outlet, with_licence=True))  # fmt: skip
    if form.refused:
        return _amend_page(office, rec, outlet, form, version)
    return done(f"/office/press/licences/{licence_id}", "saved")


# --- correct, renew, suspend, revoke (the API's PATCH) ------------------------------------------------


def _values(rec: Mapping[str, Any]) -> dict[str, str]:
    """A licence as its forms show it (dates dd/mm/yyyy)."""
    values = {name: rec.get(name) for name in EDIT_FIELDS}
    for name in DATES:
        values[name] = dmy(values[name])
    return {k: ("" if v is None else str(v)) for k, v in values.items()}


def _start(mode: str, rec: dict[str, Any]) -> dict[str, Any]:
    values = _values(rec)
    if mode == "renew":
        return {"valid_until": "", "number": values["number"], "issue_date": values["issue_date"], "notes": ""}
    if mode == "suspend":
        return {"suspended_from": dmy(today()), "suspended_until": "", "status_reason": ""}
    if mode == "revoke":
        return {"revoked_on": dmy(today()), "status_reason": ""}
    return values


def _action_page(office: Office, mode: str, rec: dict[str, Any], outlet: Any, form: Form, version: int | None
                 ) -> Response:  # fmt: skip
    title, fields, intro = ACTIONS[mode]
    return page(office, "press_licence_form.html", title=f"{title}: {_title(rec)}",
                status=422 if form.refused else 200, f=form, action=f"/office/press/licences/{rec['id']}/{mode}",
                mode=mode, fields=fields, intro=intro, licence=rec, version=version,
                back=f"/office/press/licences/{rec['id']}", crumbs=_crumbs(rec, outlet, with_licence=True))  # fmt: skip


def _patch(mode: str, values: dict[str, Any], original: dict[str, Any]) -> tuple[dict[str, Any], frozenset[str]]:
    """The fields the action's PATCH sends, and those it sends as null (cleared)."""
    fields = ACTIONS[mode][1]
    mine = {k: v for k, v in values.items() if k in fields}
    if mode == "edit":
        edits = changed(mine, {k: original.get(k) for k in fields})
        return edits, frozenset(k for k, v in edits.items() if v == "")
    if mode == "renew":
        edits = changed({k: mine.get(k, "") for k in ("number", "issue_date")}, original)
        edits["valid_until"] = mine.get("valid_until", "")
        if mine.get("notes"):
            edits["notes"] = mine["notes"]
        return edits, frozenset()
    # Suspension and revocation send every field of theirs: a blank end of suspension clears an old one.
    full = {k: mine.get(k, "") for k in fields}
    return full, frozenset(k for k, v in full.items() if v == "")


def _change(office: Office, session: Any, settings: Any, mode: str, licence_id: int, values: dict[str, Any],
            version: int | None) -> Response:  # fmt: skip
    licence, rec, outlet = _record(session, settings, licence_id)
    original = _values(rec)
    form = Form(labels=LABELS, values=values)
    edits, clear = _patch(mode, values, original)
    if mode == "edit" and not edits:
        return done(f"/office/press/licences/{licence_id}", "saved")
    if mode == "renew" and edits.get("notes"):
        # A note about the renewal is added to the licence's notes, not written over them.
        edits["notes"] = "\n".join(x for x in (rec["notes"], edits["notes"]) if x)
    try:
        with attempt(session, form):
            data = to_model(LicencePatch, edits, clear=clear)
            check_version(licence, version, what=f"Giấy phép số hiệu {licence_id}")
            if mode == "renew":
                check_renewal(licence, valid_until=data.valid_until)
            if mode in ("suspend", "revoke"):
                check_status_change(
                    day=data.suspended_from if mode == "suspend" else data.revoked_on,
                    day_field="suspended_from" if mode == "suspend" else "revoked_on",
                    reason=data.status_reason,
                )
            service.update_licence(session, licence_id, data, expected_version=version)
    except StaleVersion:
        fields = ACTIONS[mode][1]
        return stale_page(office, action=f"/office/press/licences/{licence_id}/{mode}",
                          back=f"/office/press/licences/{licence_id}", labels={k: LABELS[k] for k in fields},
                          current={k: original.get(k) for k in fields},
                          mine={k: v for k, v in values.items() if k in fields}, current_version=licence.version,
                          crumbs=_crumbs(rec, outlet, with_licence=True))  # fmt: skip
    if form.refused:
        return _action_page(office, mode, rec, outlet, form, version)
    return done(f"/office/press/licences/{licence_id}", "saved")


def _action_get(mode: str) -> Any:
    def show(licence_id: LicenceId, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
        licence, rec, outlet = _record(session, settings, licence_id)
        return _action_page(office, mode, rec, outlet, Form(labels=LABELS, values=_start(mode, rec)), licence.version)

    return show


def _action_post(mode: str) -> Any:
    async def post(licence_id: LicenceId, request: Request, office: OfficeDep, session: SessionDep,
                   settings: SettingsDep) -> Response:  # fmt: skip
        posted = await request.form()
        values = _lines(form_values(posted))
        return await in_thread(_change, office, session, settings, mode, licence_id, values, posted_version(posted))

    return post


for _mode in ACTIONS:
    router.add_api_route(
        f"/{{licence_id}}/{_mode}", _action_get(_mode), methods=["GET"], summary=ACTIONS[_mode][0],
        dependencies=[Depends(require("press_licences", "update"))],
    )  # fmt: skip
    router.add_api_route(
        f"/{{licence_id}}/{_mode}", _action_post(_mode), methods=["POST"], summary=ACTIONS[_mode][0],
        dependencies=[Depends(require("press_licences", "update"))],
    )  # fmt: skip
