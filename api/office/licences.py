"""Operators' frequency licences in the back office: the list, record one, its page, correct it.

The worked example of an office area: every page calls what the API route calls (the service and
``registry.permits.views.licence_record``) under the same permission, forms carry the API's field
names and are checked by the API's own model, a refusal comes back filled with its errors, a stale
edit shows both versions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from api.access import require
from api.deps import SessionDep, SettingsDep
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
)
from api.office.lists import Column, Filter, Listing, paging
from api.office.pages import Office, OfficeDep, done, in_thread, page, stale_page
from maps.templating import Link, State
from registry.clock import today
from registry.errors import StaleVersion
from registry.organisations.queries import operator_names
from registry.permits import queries, service
from registry.permits.models import STATUS_NAMES, PermitStatus
from registry.permits.schemas import FrequencyLicenceCreate, FrequencyLicencePatch
from registry.permits.views import licence_record
from registry.text import fold

router = APIRouter(prefix="/office/licences", tags=["Văn phòng"], include_in_schema=False)
LicenceId = Annotated[int, Path(ge=1, le=2**31 - 1)]
HOME = ("/office/licences", "Giấy phép tần số")

LABELS = {
    "operator": "Doanh nghiệp",
    "band": "Băng tần (MHz)",
    "number": "Số giấy phép",
    **VALIDITY_LABELS,
}
DATES = VALIDITY_DATES
COLUMNS = (
    Column("number", "Số giấy phép", "number"),
    Column("operator", "Doanh nghiệp", "operator"),
    Column("band", "Băng tần", "band"),
    Column("issue_date", "Ngày cấp", "issue_date"),
    Column("valid_until", "Hiệu lực đến", "valid_until"),
    Column("status", "Tình trạng", "status"),
)


def _row(rec: dict[str, Any]) -> dict[str, Any]:
    return {
        **rec,
        "number": Link(f"/office/licences/{rec['id']}", rec["number"]),
        "status": State(rec["status_name"], rec["status"]),
    }


def _records(session: Any, settings: Any) -> list[dict[str, Any]]:
    on = today()
    return [
        licence_record(session, lic, expiring_days=settings.permit_expiring_days, on=on)
        for lic in queries.frequency_licences(session)
    ]


def _listing(request: Request, office: Office, session: Any, settings: Any) -> tuple[Listing, list[dict[str, Any]]]:
    pg = paging(request, sorts=[c.sort for c in COLUMNS if c.sort], default_sort="operator")
    operators = operator_names(session)
    listing = Listing(
        request,
        "giấy phép tần số",
        COLUMNS,
        [],
        0,
        pg,
        filters=(
            Filter("operator", "Doanh nghiệp", operators),
            Filter("status", "Tình trạng", [(s.value, STATUS_NAMES[s]) for s in PermitStatus]),
        ),
        search="Số giấy phép hoặc băng tần",
    )
    rows = _records(session, settings)
    if ops := listing.selected("operator"):
        rows = [r for r in rows if r["operator_code"] in ops]
    if states := listing.selected("status"):
        rows = [r for r in rows if r["status"] in states]
    if listing.q:
        q = fold(listing.q)
        rows = [r for r in rows if q in fold(r["number"]) or q in fold(r["band"])]
    key = (pg.sort or "operator").lstrip("-")
    rows.sort(key=lambda r: (r.get(key) is None, str(r.get(key) or "")), reverse=(pg.sort or "").startswith("-"))
    listing.total = len(rows)
    listing.rows = [_row(r) for r in rows[pg.offset : pg.offset + pg.per_page]]
    query = listing.export_query()
    listing.exports = [(f"{fmt.upper()}", f"/office/licences.{fmt}?{query}") for fmt in ("csv", "xlsx")]
    if office.can("frequency_licences", "create"):
        listing.actions = [("Ghi giấy phép tần số", "/office/licences/new")]
    return listing, [_row(r) for r in rows]


@router.get("", dependencies=[Depends(require("frequency_licences", "read"))], summary="Danh sách giấy phép tần số")
def licence_list(request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    listing, _ = _listing(request, office, session, settings)
    return page(office, "list.html", title="Giấy phép tần số", listing=listing)


@router.get(".{fmt}", dependencies=[Depends(require("frequency_licences", "read"))], summary="Xuất giấy phép tần số")
def licence_export(
    fmt: exports.Format, request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep
) -> Response:
    _, rows = _listing(request, office, session, settings)
    return exports.export(fmt, COLUMNS, rows, name="giay-phep-tan-so", sheet="Giấy phép tần số")


def _form_page(office: Office, session: Any, form: Form, *, title: str, action: str, version: int | None = None,
               edit: bool = False, back: str = HOME[0]) -> Response:  # fmt: skip
    return page(
        office,
        "licence_form.html",
        title=title,
        status=422 if form.refused else 200,
        f=form,
        action=action,
        version=version,
        edit=edit,
        back=back,
        operators=operator_names(session),
        crumbs=[HOME],
    )


@router.get("/new", dependencies=[Depends(require("frequency_licences", "create"))], summary="Ghi giấy phép tần số")
def licence_new(office: OfficeDep, session: SessionDep) -> Response:
    form = Form(labels=LABELS, values={"issuer": "Cục Tần số vô tuyến điện"})
    return _form_page(office, session, form, title="Ghi giấy phép tần số", action="/office/licences/new")


@router.post("/new", dependencies=[Depends(require("frequency_licences", "create"))], summary="Ghi giấy phép tần số")
async def licence_create(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    form = Form(labels=LABELS, values=form_values(await request.form()))
    return await in_thread(_create, office, session, form)


def _create(office: Office, session: Any, form: Form) -> Response:
    with attempt(session, form):
        licence = service.create_licence(session, to_model(FrequencyLicenceCreate, form.values))
    if form.refused:
        return _form_page(office, session, form, title="Ghi giấy phép tần số", action="/office/licences/new")
    return done(f"/office/licences/{licence.id}", "created")


def _values(rec: dict[str, Any]) -> dict[str, Any]:
    """A licence as its form shows it (dates dd/mm/yyyy)."""
    from maps.templating import dmy

    values = {name: rec.get(name) for name in LABELS}
    values["operator"] = rec["operator_code"]
    for name in DATES:
        values[name] = dmy(values[name])
    return values


@router.get("/{licence_id}", dependencies=[Depends(require("frequency_licences", "read"))], summary="Giấy phép tần số")
def licence_page(licence_id: LicenceId, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    licence = service.get_licence(session, licence_id)
    rec = licence_record(session, licence, expiring_days=settings.permit_expiring_days, on=today())
    details = [(LABELS[name], rec.get(name)) for name in ("operator", "band", "number", "issuer")]
    details[0] = (LABELS["operator"], rec["operator"])
    details += [(LABELS[name], _day(rec.get(name))) for name in ("issue_date", "valid_from", "valid_until")]
    details.append(("Tình trạng hôm nay", State(rec["status_name"], rec["status"])))
    details += [(LABELS[n], _day(rec.get(n)) if n in DATES else rec.get(n)) for n in (
        "suspended_from", "suspended_until", "revoked_on", "status_reason", "conditions", "notes")]  # fmt: skip
    return page(
        office,
        "licence.html",
        title=f"Giấy phép tần số {rec['number']}",
        details=details,
        licence=rec,
        crumbs=[HOME],
    )


def _day(value: Any) -> Any:
    from maps.templating import dmy

    return dmy(value)


@router.get(
    "/{licence_id}/edit", dependencies=[Depends(require("frequency_licences", "update"))], summary="Sửa giấy phép"
)
def licence_edit(licence_id: LicenceId, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    licence = service.get_licence(session, licence_id)
    rec = licence_record(session, licence, expiring_days=settings.permit_expiring_days, on=today())
    form = Form(labels=LABELS, values=_values(rec))
    return _form_page(office, session, form, title=f"Sửa giấy phép tần số {rec['number']}",
                      action=f"/office/licences/{licence_id}/edit", version=licence.version, edit=True,
                      back=f"/office/licences/{licence_id}")  # fmt: skip


@router.post(
    "/{licence_id}/edit", dependencies=[Depends(require("frequency_licences", "update"))], summary="Sửa giấy phép"
)
async def licence_update(
    licence_id: LicenceId, request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep
) -> Response:
    posted = await request.form()
    values = form_values(posted)
    version = posted_version(posted)
    return await in_thread(_update, office, session, settings, licence_id, values, version)


def _update(office: Office, session: Any, settings: Any, licence_id: int, values: dict[str, Any],
            version: int | None) -> Response:  # fmt: skip
    licence = service.get_licence(session, licence_id)
    rec = licence_record(session, licence, expiring_days=settings.permit_expiring_days, on=today())
    original = _values(rec)
    form = Form(labels=LABELS, values=values)
    edits = changed({k: v for k, v in values.items() if k in LABELS and k != "operator"}, original)
    if not edits:
        return done(f"/office/licences/{licence_id}", "saved")
    try:
        with attempt(session, form):
            service.update_licence(
                session,
                licence_id,
                to_model(FrequencyLicencePatch, edits, clear=frozenset(k for k, v in edits.items() if v == "")),
                expected_version=version,
            )
    except StaleVersion:
        return stale_page(
            office,
            action=f"/office/licences/{licence_id}/edit",
            back=f"/office/licences/{licence_id}",
            labels=LABELS,
            current=original,
            mine=values,
            current_version=licence.version,
            crumbs=[HOME],
        )
    if form.refused:
        return _form_page(office, session, form, title=f"Sửa giấy phép tần số {rec['number']}",
                          action=f"/office/licences/{licence_id}/edit", version=version, edit=True,
                          back=f"/office/licences/{licence_id}")  # fmt: skip
    return done(f"/office/licences/{licence_id}", "saved")
