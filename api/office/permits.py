"""Permits and certificates of sites and stations in the back office: the list, record one (with its
scan) from a site's "missing" line, its page with the history, correct it, renew, suspend, revoke,
attach a scan, delete.

Every page calls what the API route calls (registry.permits.service and views) under the same
permission; the forms carry the API's field names and are checked by the API's own models
(PermitCreate, PermitPatch). Renewal (gia hạn) keeps the permit and moves its last valid day later
(the API's PATCH, as its summary says: "gia hạn, đình chỉ, thu hồi"); a new number and issue day may
come with it, the old ones stay in the history."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from api import audit
from api.access import require
from api.deps import SessionDep, SettingsDep, read_upload
from api.office import exports
from api.office.forms import (
    VALIDITY_DATES,
    VALIDITY_LABELS,
    Form,
    attempt,
    changed,
    form_values,
    posted_version,
    to_model,
    uploaded,
)
from api.office.lists import Column, Filter, Listing, paging
from api.office.pages import Office, OfficeDep, done, in_thread, page, stale_page
from maps.record_pages import history_rows
from maps.templating import Link, State, dmy
from registry.accounts.permissions import authorize, can_read_history
from registry.clock import today
from registry.errors import StaleVersion
from registry.permits import service
from registry.permits.models import KIND_NAMES, STATION_KINDS, STATUS_NAMES, Permit, PermitKind, PermitStatus
from registry.permits.schemas import PermitCreate, PermitPatch
from registry.permits.views import permit_dict, permit_record
from registry.procedures.service import dossier_for_record
from registry.stations import service as stations
from registry.versions import check_version

router = APIRouter(prefix="/office/permits", tags=["Văn phòng"], include_in_schema=False)
PermitId = Annotated[int, Path(ge=1, le=2**31 - 1)]
HOME = ("/office/permits", "Giấy phép")
HISTORY_ROWS = 200

LABELS = {
    "kind": "Loại giấy phép",
    "number": "Số giấy phép",
    "site_code": "Mã vị trí",
    "station_id": "Số hiệu trạm",
    **VALIDITY_LABELS,
    "file": "Bản scan (PDF, JPEG hoặc PNG)",
}
DATES = VALIDITY_DATES
# What each form sends (the rest of LABELS is not the form's).
EDIT_FIELDS = ("number", "issuer", "issue_date", "valid_from", "valid_until", "conditions", "suspended_from",
               "suspended_until", "revoked_on", "status_reason", "notes")  # fmt: skip
RENEW_FIELDS = ("valid_until", "number", "issue_date", "notes")
SUSPEND_FIELDS = ("suspended_from", "suspended_until", "status_reason")
REVOKE_FIELDS = ("revoked_on", "status_reason")
KIND_OPTIONS = [(k.value, KIND_NAMES[k]) for k in PermitKind]
STATUS_OPTIONS = [(s.value, STATUS_NAMES[s]) for s in PermitStatus]

COLUMNS = (
    Column("number", "Số giấy phép", "number"),
    Column("kind", "Loại", "kind"),
    Column("site", "Vị trí", "site"),
    Column("station", "Trạm", "station"),
    Column("issuer", "Cơ quan cấp", "issuer"),
    Column("issue_date", "Ngày cấp", "issue_date"),
    Column("valid_until", "Hiệu lực đến", "valid_until"),
    Column("status", "Tình trạng hôm nay", "status"),
)


# --- the list ------------------------------------------------------------------------------------


def _row(rec: dict[str, Any], *, for_page: bool) -> dict[str, Any]:
    day = dmy if for_page else (lambda v: date.fromisoformat(v) if v else None)
    return {
        "number": Link(f"/office/permits/{rec['id']}", rec["number"]),
        "kind": rec["kind_name"],
        "site": Link(f"/office/sites/{rec['site_code']}", rec["site_code"]),
        "station": rec["station_code"],
        "issuer": rec["issuer"],
        "issue_date": day(rec["issue_date"]),
        "valid_until": day(rec["valid_until"]),
        "status": State(rec["status_name"], rec["status"]),
    }


def _station_id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None


def _listing(request: Request, office: Office, session: Any, settings: Any, *, everything: bool = False
             ) -> tuple[Listing, list[dict[str, Any]]]:  # fmt: skip
    pg = paging(request, sorts=[c.sort for c in COLUMNS if c.sort], default_sort=None)
    params = request.query_params
    filters = [Filter("kind", "Loại", KIND_OPTIONS), Filter("status", "Tình trạng hôm nay", STATUS_OPTIONS)]
    # A holder narrows the list when a link asks for it (a site's page: "its permits"); shown as a filter
    # of one choice, so it is in the chips, the count and the exports, and can be cleared.
    site_code = (params.get("site_code") or "").strip()[:40] or None
    station_id = _station_id(params.get("station_id"))
    if site_code:
        filters.append(Filter("site_code", "Vị trí", [(site_code, site_code)], many=False))
    if station_id:
        filters.append(Filter("station_id", "Trạm (số hiệu)", [(str(station_id), str(station_id))], many=False))
    listing = Listing(request, "giấy phép", COLUMNS, [], 0, pg, filters=filters,
                      search="Số giấy phép, mã vị trí hoặc mã trạm")  # fmt: skip
    kinds = [k for k in listing.selected("kind") if k in PermitKind.__members__]
    states = [s for s in listing.selected("status") if s in PermitStatus.__members__]
    on = today()
    rows, total = service.list_permits(
        session,
        on=on,
        expiring_days=settings.permit_expiring_days,
        site_code=site_code,
        station_id=station_id,
        kind=None,
        status=None,
        kinds=kinds,
        statuses=states,
        q=listing.q.strip()[:200] or None,
        sort=pg.sort,
        limit=settings.max_export_rows if everything else pg.per_page,
        offset=0 if everything else pg.offset,
    )
    records = [permit_dict(p, status=s, on=on, site_code=sc, station_code=stc) for p, s, sc, stc in rows]
    listing.total = total
    listing.rows = [_row(r, for_page=True) for r in records]
    query = listing.export_query()
    listing.exports = [(fmt.upper(), f"/office/permits.{fmt}?{query}") for fmt in ("csv", "xlsx")]
    if office.can("permits", "create"):
        new = "/office/permits/new" + (f"?{urlencode({'site_code': site_code})}" if site_code else "")
        listing.actions = [("Ghi giấy phép", new)]
    return listing, [_row(r, for_page=False) for r in records]


@router.get("", dependencies=[Depends(require("permits", "read"))], summary="Danh sách giấy phép")
def permit_list(request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    listing, _ = _listing(request, office, session, settings)
    return page(office, "list.html", title="Giấy phép và chứng nhận", listing=listing,
                intro="Giấy phép của vị trí (xây dựng, thông báo, tĩnh không) và giấy tờ của trạm (kiểm định, "
                      "công bố); tình trạng tính cho hôm nay.")  # fmt: skip


@router.get(".{fmt}", dependencies=[Depends(require("permits", "read"))], summary="Xuất danh sách giấy phép")
def permit_export(
    fmt: exports.Format, request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep
) -> Response:
    _, rows = _listing(request, office, session, settings, everything=True)
    return exports.export(fmt, COLUMNS, rows, name="giay-phep", sheet="Giấy phép")


# --- record a permit -----------------------------------------------------------------------------


def _holder(session: Any, site_code: str | None, station_id: str | None) -> dict[str, Any] | None:
    """The holder a prefilled form names, in words (None: the form asks for it)."""
    from registry.errors import NotFound

    try:
        if site_code:
            site = stations.get_site(session, code=site_code)
            return {"site_code": site.code, "station_id": None,
                    "words": f"Vị trí {site.code}" + (f" — {site.address}" if site.address else "")}  # fmt: skip
        if station_id and station_id.isdigit() and len(station_id) < 10:
            st = stations.get_station(session, station_id=int(station_id))
            words = f"Trạm {st.station_code} ({st.operator.short_name}) trên vị trí {st.site.code}"
            return {"site_code": st.site.code, "station_id": st.id, "words": words}
    except NotFound:
        return None
    return None


def _kind_options(holder: dict[str, Any] | None) -> list[tuple[str, str]]:
    if holder is None:
        return KIND_OPTIONS
    station = holder["station_id"] is not None
    return [(k, name) for k, name in KIND_OPTIONS if (PermitKind(k) in STATION_KINDS) == station]


def _new_page(office: Office, form: Form, holder: dict[str, Any] | None) -> Response:
    return page(office, "permit_form.html", title="Ghi giấy phép", status=422 if form.refused else 200, f=form,
                action="/office/permits/new", mode="new", holder=holder, kinds=_kind_options(holder),
                back=f"/office/sites/{holder['site_code']}" if holder else HOME[0], version=None,
                crumbs=[HOME])  # fmt: skip


@router.get("/new", dependencies=[Depends(require("permits", "create"))], summary="Ghi giấy phép")
def permit_new(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    params = request.query_params
    holder = _holder(session, params.get("site_code"), params.get("station_id"))
    values: dict[str, Any] = {}
    if holder is not None:
        values = {"site_code": holder["site_code"]} if holder["station_id"] is None else {
            "station_id": str(holder["station_id"])}  # fmt: skip
    kind = params.get("kind")
    if kind in dict(_kind_options(holder)):
        values["kind"] = kind
    return _new_page(office, Form(labels=LABELS, values=values), holder)


@router.post("/new", dependencies=[Depends(require("permits", "create"))], summary="Ghi giấy phép")
async def permit_create(request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    posted = await request.form()
    values = form_values(posted)
    try:
        return await in_thread(_create, office, session, settings, values, uploaded(posted))
    finally:
        await posted.close()  # the spooled scan


def _create(office: Office, session: Any, settings: Any, values: dict[str, Any], file: Any) -> Response:
    form = Form(labels=LABELS, values=values)
    holder = _holder(session, values.get("site_code"), values.get("station_id"))
    permit = None
    # One transaction: the permit and its scan are saved together, or neither.
    with attempt(session, form):
        permit = service.create_permit(session, to_model(PermitCreate, values))
        if file is not None:
            service.attach_document(session, permit.id, read_upload(file, settings), file.filename or "",
                                    expected_version=permit.version, max_bytes=settings.max_upload_bytes)  # fmt: skip
    if form.refused or permit is None:
        if file is not None and not form.error("file"):
            form.general.append("Chưa lưu gì: hãy chọn lại tệp scan sau khi sửa.")
        return _new_page(office, form, holder)
    return done(f"/office/permits/{permit.id}", "created")


# --- the record ----------------------------------------------------------------------------------


def _record(session: Any, settings: Any, permit_id: int) -> tuple[Permit, dict[str, Any]]:
    permit = service.get_permit(session, permit_id)
    return permit, permit_record(session, permit, expiring_days=settings.permit_expiring_days, on=today())


def _title(rec: dict[str, Any]) -> str:
    return f"{rec['kind_name']} số {rec['number']}"


def _details(rec: dict[str, Any]) -> list[tuple[str, Any]]:
    doc = rec["document"]
    days = rec["days_until_expiry"]
    rows: list[tuple[str, Any]] = [
        (LABELS["kind"], rec["kind_name"]),
        (LABELS["number"], rec["number"]),
        ("Vị trí", Link(f"/office/sites/{rec['site_code']}", rec["site_code"])),
    ]
    if rec["station_code"] is not None:
        rows.append(("Trạm", f"{rec['station_code']} (số hiệu {rec['station_id']})"))
    rows += [
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
        ("Bản scan", None if doc is None else Link(doc["href"], f"{doc['filename']} ({_size(doc['size_bytes'])})")),
        ("Hồ sơ một cửa đã cấp", None if rec["dossier"] is None else rec["dossier"]["receipt_code"]),
        ("Phiên bản", rec["version"]),
    ]
    return rows


def _size(n: int) -> str:
    from maps.templating import number

    return f"{number(n / 1024)} KB" if n < 1024 * 1024 else f"{number(n / 1024 / 1024)} MB"


@router.get("/{permit_id}", dependencies=[Depends(require("permits", "read"))], summary="Giấy phép")
def permit_page(permit_id: PermitId, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    permit, rec = _record(session, settings, permit_id)
    history = None
    if can_read_history(office.principal, "permit"):
        grant = authorize(office.principal, "audit", "read")
        history = audit.history(session, grant, "permit", permit.id, limit=HISTORY_ROWS, offset=0)
    return page(office, "permit.html", title=_title(rec), details=_details(rec), permit=rec,
                history=history_rows(history), crumbs=[HOME])  # fmt: skip


# --- changes: correct, renew, suspend, revoke, attach a scan ---------------------------------------

ACTIONS = {
    # mode: (title, fields the form sends, what it says)
    "edit": ("Sửa giấy phép", EDIT_FIELDS, "Sửa các thông tin đã ghi nhầm. Gia hạn, đình chỉ, thu hồi có nút riêng."),
    "renew": ("Gia hạn giấy phép", RENEW_FIELDS,
              "Gia hạn giữ nguyên giấy phép và dời ngày hết hiệu lực. Nếu văn bản gia hạn có số hoặc ngày cấp mới, "
              "sửa luôn ở đây; số và ngày cũ vẫn còn trong lịch sử thay đổi."),
    "suspend": ("Đình chỉ giấy phép", SUSPEND_FIELDS,
                "Trong thời gian đình chỉ giấy phép không đáp ứng yêu cầu; bỏ trống ngày kết thúc nếu đình chỉ "
                "đến khi có quyết định gỡ."),
    "revoke": ("Thu hồi giấy phép", REVOKE_FIELDS,
               "Từ ngày thu hồi giấy phép không còn hiệu lực và không gia hạn được."),
}  # fmt: skip


def _values(rec: Mapping[str, Any]) -> dict[str, Any]:
    """A permit as its forms show it (dates dd/mm/yyyy)."""
    values = {name: rec.get(name) for name in EDIT_FIELDS}
    for name in DATES:
        values[name] = dmy(values[name])
    return {k: ("" if v is None else str(v)) for k, v in values.items()}


def _action_page(office: Office, mode: str, rec: dict[str, Any], form: Form, version: int | None) -> Response:
    title, fields, intro = ACTIONS[mode]
    return page(office, "permit_form.html", title=f"{title}: {_title(rec)}", status=422 if form.refused else 200,
                f=form, action=f"/office/permits/{rec['id']}/{mode}", mode=mode, fields=fields, intro=intro,
                permit=rec, holder=None, kinds=KIND_OPTIONS, version=version, back=f"/office/permits/{rec['id']}",
                crumbs=[HOME, (f"/office/permits/{rec['id']}", _title(rec))])  # fmt: skip


def _start(mode: str, rec: dict[str, Any]) -> dict[str, Any]:
    """What an action's form starts with."""
    values = _values(rec)
    if mode == "renew":
        return {"valid_until": "", "number": values["number"], "issue_date": values["issue_date"], "notes": ""}
    if mode == "suspend":
        return {"suspended_from": dmy(today()), "suspended_until": "", "status_reason": ""}
    if mode == "revoke":
        return {"revoked_on": dmy(today()), "status_reason": ""}
    return values


def _action_get(mode: str) -> Any:
    def show(permit_id: PermitId, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
        permit, rec = _record(session, settings, permit_id)
        return _action_page(office, mode, rec, Form(labels=LABELS, values=_start(mode, rec)), permit.version)

    return show


def _action_post(mode: str) -> Any:
    async def post(permit_id: PermitId, request: Request, office: OfficeDep, session: SessionDep,
                   settings: SettingsDep) -> Response:  # fmt: skip
        posted = await request.form()
        values = form_values(posted)
        return await in_thread(_change, office, session, settings, mode, permit_id, values, posted_version(posted))

    return post


def _patch(mode: str, values: dict[str, Any], original: dict[str, Any]) -> tuple[dict[str, Any], frozenset[str]]:
    """The fields the action's PATCH sends, and those it sends as null (cleared)."""
    fields = ACTIONS[mode][1]
    mine = {k: v for k, v in values.items() if k in fields}
    if mode == "edit":
        edits = changed(mine, {k: original.get(k) for k in fields})
        return edits, frozenset(k for k, v in edits.items() if v == "")
    if mode == "renew":
        # The new last day always; a new number or issue day when the renewal brought one; a note if any.
        edits = changed({k: mine.get(k, "") for k in ("number", "issue_date")}, original)
        edits["valid_until"] = mine.get("valid_until", "")
        if mine.get("notes"):
            edits["notes"] = mine["notes"]
        return edits, frozenset()
    # Suspension and revocation send every field of theirs: a blank end of suspension clears an old one.
    full = {k: mine.get(k, "") for k in fields}
    return full, frozenset(k for k, v in full.items() if v == "")


def _change(office: Office, session: Any, settings: Any, mode: str, permit_id: int, values: dict[str, Any],
            version: int | None) -> Response:  # fmt: skip
    permit, rec = _record(session, settings, permit_id)
    original = _values(rec)
    form = Form(labels=LABELS, values=values)
    edits, clear = _patch(mode, values, original)
    if mode == "edit" and not edits:
        return done(f"/office/permits/{permit_id}", "saved")
    if mode == "renew" and edits.get("notes"):
        # A note about the renewal is added to the permit's notes, not written over them.
        edits["notes"] = "\n".join(x for x in (rec["notes"], edits["notes"]) if x)
    try:
        with attempt(session, form):
            data = to_model(PermitPatch, edits, clear=clear)
            check_version(permit, version, what=f"Giấy phép số hiệu {permit_id}")
            if mode == "renew":
                service.check_renewal(permit, valid_until=data.valid_until)
            if mode in ("suspend", "revoke"):
                service.check_status_change(
                    day=data.suspended_from if mode == "suspend" else data.revoked_on,
                    day_field="suspended_from" if mode == "suspend" else "revoked_on",
                    reason=data.status_reason,
                )
            service.update_permit(session, permit_id, data, expected_version=version)
    except StaleVersion:
        fields = ACTIONS[mode][1]
        return stale_page(office, action=f"/office/permits/{permit_id}/{mode}", back=f"/office/permits/{permit_id}",
                          labels={k: LABELS[k] for k in fields}, current={k: original.get(k) for k in fields},
                          mine={k: v for k, v in values.items() if k in fields}, current_version=permit.version,
                          crumbs=[HOME, (f"/office/permits/{permit_id}", _title(rec))])  # fmt: skip
    if form.refused:
        return _action_page(office, mode, rec, form, version)
    return done(f"/office/permits/{permit_id}", "saved")


for _mode in ACTIONS:
    router.add_api_route(
        f"/{{permit_id}}/{_mode}", _action_get(_mode), methods=["GET"], summary=ACTIONS[_mode][0],
        dependencies=[Depends(require("permits", "update"))],
    )  # fmt: skip
    router.add_api_route(
        f"/{{permit_id}}/{_mode}", _action_post(_mode), methods=["POST"], summary=ACTIONS[_mode][0],
        dependencies=[Depends(require("permits", "update"))],
    )  # fmt: skip


# --- the scan --------------------------------------------------------------------------------------


def _document_page(office: Office, rec: dict[str, Any], form: Form, version: int | None) -> Response:
    return page(office, "permit_document.html", title=f"Gắn bản scan: {_title(rec)}",
                status=422 if form.refused else 200, f=form, permit=rec, version=version,
                crumbs=[HOME, (f"/office/permits/{rec['id']}", _title(rec))])  # fmt: skip


@router.get("/{permit_id}/document", dependencies=[Depends(require("permits", "update"))], summary="Gắn bản scan")
def permit_document_form(permit_id: PermitId, office: OfficeDep, session: SessionDep, settings: SettingsDep
                         ) -> Response:  # fmt: skip
    permit, rec = _record(session, settings, permit_id)
    return _document_page(office, rec, Form(labels=LABELS), permit.version)


@router.post("/{permit_id}/document", dependencies=[Depends(require("permits", "update"))], summary="Gắn bản scan")
async def permit_document(permit_id: PermitId, request: Request, office: OfficeDep, session: SessionDep,
                          settings: SettingsDep) -> Response:  # fmt: skip
    posted = await request.form()
    try:
        return await in_thread(_attach, office, session, settings, permit_id, uploaded(posted), posted_version(posted))
    finally:
        await posted.close()  # the spooled scan


def _attach(office: Office, session: Any, settings: Any, permit_id: int, file: Any, version: int | None) -> Response:
    permit, rec = _record(session, settings, permit_id)
    form = Form(labels=LABELS)
    if file is None:
        form.errors["file"] = "Chọn tệp PDF, JPEG hoặc PNG"
        return _document_page(office, rec, form, version)
    try:
        with attempt(session, form):
            service.attach_document(session, permit_id, read_upload(file, settings), file.filename or "",
                                    expected_version=version, max_bytes=settings.max_upload_bytes)  # fmt: skip
    except StaleVersion:
        form.general.append(
            "Giấy phép đã được người khác sửa trong lúc bạn chọn tệp; chưa gắn gì. Xem bản hiện tại rồi gắn lại."
        )
        return _document_page(office, rec, form, permit.version)
    if form.refused:
        return _document_page(office, rec, form, version)
    return done(f"/office/permits/{permit_id}", "saved")


# --- delete ----------------------------------------------------------------------------------------


def _blockers(session: Any, permit_id: int) -> list[str]:
    dossier = dossier_for_record(session, permit_id=permit_id)
    if dossier is None:
        return []
    return [f"Giấy phép do hồ sơ một cửa {dossier.receipt_code} cấp: hồ sơ giữ liên kết tới giấy phép này."]


def _confirm_page(office: Office, session: Any, permit: Permit, rec: dict[str, Any]) -> Response:
    return page(office, "confirm.html", title=f"Xóa {_title(rec)}", what=f"giấy phép {rec['number']} (nhập nhầm)",
                blockers=_blockers(session, permit.id), action=f"/office/permits/{permit.id}/delete",
                back=f"/office/permits/{permit.id}", version=permit.version,
                crumbs=[HOME, (f"/office/permits/{permit.id}", _title(rec))])  # fmt: skip


@router.get("/{permit_id}/delete", dependencies=[Depends(require("permits", "delete"))], summary="Xóa giấy phép")
def permit_delete_form(permit_id: PermitId, office: OfficeDep, session: SessionDep, settings: SettingsDep
                       ) -> Response:  # fmt: skip
    permit, rec = _record(session, settings, permit_id)
    return _confirm_page(office, session, permit, rec)


@router.post("/{permit_id}/delete", dependencies=[Depends(require("permits", "delete"))], summary="Xóa giấy phép")
async def permit_delete(permit_id: PermitId, request: Request, office: OfficeDep, session: SessionDep,
                        settings: SettingsDep) -> Response:  # fmt: skip
    posted = await request.form()
    return await in_thread(_delete, office, session, settings, permit_id, posted_version(posted))


def _delete(office: Office, session: Any, settings: Any, permit_id: int, version: int | None) -> Response:
    permit, rec = _record(session, settings, permit_id)
    if _blockers(session, permit_id):
        return _confirm_page(office, session, permit, rec)
    try:
        service.delete_permit(session, permit_id, expected_version=version)
    except StaleVersion:
        # Someone changed it since the confirmation was shown: show the current version; deleting it
        # again is the conflict page's "re-apply".
        current = _values(rec)
        return stale_page(office, action=f"/office/permits/{permit_id}/delete", back=f"/office/permits/{permit_id}",
                          labels={k: LABELS[k] for k in EDIT_FIELDS}, current=current, mine=current,
                          current_version=permit.version,
                          crumbs=[HOME, (f"/office/permits/{permit_id}", _title(rec))])  # fmt: skip
    return done(f"/office/permits?{urlencode({'site_code': rec['site_code']})}", "deleted")
