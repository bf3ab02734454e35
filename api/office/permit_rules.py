"""Permit requirement rules in the back office: the list (what a rule applies to, the permits it asks
for in words, pole classes, heights, zone kinds, legal basis, certainty, validity), a new rule, one
rule with its history in words, its correction (only the changed fields, as PATCH
/api/permit-rules/{code} takes them; a stale edit shows both versions) and a new version from a day
on (a new rule; the one it replaces ends that day: POST /api/permit-rules/{code}/versions). Staff
read them; an administrator changes them (the ``permit_rules`` resource, as the API)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from api.access import require
from api.deps import SessionDep
from api.office import exports
from api.office.forms import Form, attempt, changed, form_values, posted_version, to_model
from api.office.lists import Column, Filter, Listing, paging
from api.office.pages import Office, OfficeDep, done, in_thread, page, stale_page
from api.office.rules import CERTAINTIES, TABS, certainty_state, history_of
from maps.templating import Link, State, dmy, number
from registry.clock import today
from registry.errors import StaleVersion
from registry.permits import service
from registry.permits.models import KIND_NAMES, PermitKind
from registry.permits.schemas import PermitRuleCreate, PermitRulePatch
from registry.permits.views import rule_dict
from registry.rules.permit_rules import new_permit_rule_version
from registry.rules.views import STANDING_NAMES, standing
from registry.stations.models import PoleClass
from registry.text import fold
from registry.zones.models import KIND_NAMES as ZONE_KIND_NAMES
from registry.zones.models import ZoneKind

router = APIRouter(prefix="/office/admin/permit-rules", tags=["Văn phòng"], include_in_schema=False)
RuleCode = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
HOME = ("/office/admin/permit-rules", "Giấy phép bắt buộc")
READ = [Depends(require("permit_rules", "read"))]

APPLIES = [("site", "Vị trí (cột ăng ten)"), ("station", "Trạm gốc")]
KINDS = [(k.value, KIND_NAMES[k]) for k in PermitKind]
CLASSES = [(c.value, c.value) for c in PoleClass]
ZONE_KINDS = [(k.value, ZONE_KIND_NAMES[k]) for k in ZoneKind]
LISTS = frozenset({"permit_kinds", "pole_classes", "zone_kinds"})
LABELS = {
    "code": "Mã quy tắc",
    "applies_to": "Áp dụng cho",
    "permit_kinds": "Giấy tờ cần có (một trong các loại)",
    "pole_classes": "Loại cột",
    "min_height_m": "Chiều cao từ (m, tính cả)",
    "max_height_m": "Chiều cao dưới (m)",
    "zone_kinds": "Loại vùng quy hoạch",
    "description": "Nội dung quy tắc",
    "legal_basis": "Căn cứ pháp lý",
    "certainty": "Mức tin cậy",
    "effective_from": "Áp dụng từ ngày",
    "effective_to": "Hết hiệu lực từ ngày",
}
EDITABLE = tuple(k for k in LABELS if k not in ("code", "applies_to"))  # PermitRulePatch's fields
DATES = ("effective_from", "effective_to")
COLUMNS = (
    Column("code", "Mã", "code"),
    Column("applies_to_name", "Áp dụng cho", "applies_to_name"),
    Column("kind_names", "Giấy tờ cần có"),
    Column("pole_classes", "Loại cột"),
    Column("heights", "Chiều cao"),
    Column("zone_kind_names", "Loại vùng"),
    Column("legal_basis", "Căn cứ pháp lý"),
    Column("certainty", "Mức tin cậy", "certainty"),
    Column("effective_from", "Áp dụng từ", "effective_from"),
    Column("effective_to", "Hết hiệu lực từ"),
    Column("standing", "Hôm nay", "standing"),
)


def _heights(r: dict[str, Any]) -> str | None:
    low, high = r["min_height_m"], r["max_height_m"]
    parts = [f"từ {number(low)} m" if low is not None else "", f"dưới {number(high)} m" if high is not None else ""]
    return " ".join(p for p in parts if p) or None


def _record(rule: Any) -> dict[str, Any]:
    """A rule as GET /api/permit-rules/{code} answers it, with its words."""
    r = rule_dict(rule)
    state = standing(rule, today())
    return {
        **r,
        "applies_to_name": dict(APPLIES).get(r["applies_to"], r["applies_to"]),
        "heights": _heights(r),
        "zone_kind_names": [dict(ZONE_KINDS).get(k, k) for k in r["zone_kinds"] or []] or None,
        "standing_key": state,
        "standing_name": STANDING_NAMES[state],
    }


def _row(r: dict[str, Any]) -> dict[str, Any]:
    return {
        **r,
        "code": Link(f"/office/admin/permit-rules/{r['code']}", r["code"]),
        "pole_classes": r["pole_classes"] or "Mọi loại cột",
        "heights": r["heights"] or "Mọi chiều cao",
        "zone_kind_names": r["zone_kind_names"] or "Mọi vùng",
        "effective_from": dmy(r["effective_from"]),
        "effective_to": dmy(r["effective_to"]),
        "certainty": certainty_state(r["certainty"]),
        "standing": State(r["standing_name"], r["standing_key"]),
    }


def _listing(request: Request, office: Office, session: Any) -> tuple[Listing, list[dict[str, Any]]]:
    sorts = ["code", "applies_to_name", "effective_from", "certainty", "standing"]
    pg = paging(request, sorts=sorts, default_sort=None)
    listing = Listing(
        request,
        "quy tắc giấy phép",
        COLUMNS,
        [],
        0,
        pg,
        filters=(
            Filter("applies_to", "Áp dụng cho", APPLIES),
            Filter("permit_kind", "Giấy tờ cần có", KINDS),
            Filter("standing", "Hôm nay", list(STANDING_NAMES.items())),
            Filter("certainty", "Mức tin cậy", CERTAINTIES),
        ),
        search="Mã, nội dung hoặc căn cứ (có hoặc không dấu)",
    )
    records = [_record(r) for r in service.list_rules(session)]  # what GET /api/permit-rules lists
    if applies := listing.selected("applies_to"):
        records = [r for r in records if r["applies_to"] in applies]
    if kinds := listing.selected("permit_kind"):
        records = [r for r in records if set(r["permit_kinds"]) & set(kinds)]
    if states := listing.selected("standing"):
        records = [r for r in records if r["standing_key"] in states]
    if certainty := listing.selected("certainty"):
        records = [r for r in records if r["certainty"] in certainty]
    if listing.q:
        q = fold(listing.q)
        records = [r for r in records if any(q in fold(r[k] or "") for k in ("code", "description", "legal_basis"))]
    if pg.sort:
        key = {"standing": "standing_name"}.get(pg.sort.lstrip("-"), pg.sort.lstrip("-"))
        records.sort(key=lambda r: str(r.get(key) or ""), reverse=pg.sort.startswith("-"))
    listing.total = len(records)
    rows = [_row(r) for r in records]
    listing.rows = rows[pg.offset : pg.offset + pg.per_page]
    query = listing.export_query()
    listing.exports = [(fmt.upper(), f"/office/admin/permit-rules.{fmt}?{query}") for fmt in ("csv", "xlsx")]
    if office.can("permit_rules", "create"):
        listing.actions = [("Thêm quy tắc", "/office/admin/permit-rules/new")]
    return listing, rows


@router.get("", dependencies=READ, summary="Quy tắc giấy phép bắt buộc")
def permit_rule_list(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    listing, _ = _listing(request, office, session)
    return page(office, "permit_rules.html", title="Quy định: giấy phép bắt buộc", listing=listing, tabs=TABS)


@router.get(".{fmt}", dependencies=READ, summary="Xuất quy tắc giấy phép")
def permit_rule_export(fmt: exports.Format, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    _, rows = _listing(request, office, session)
    return exports.export(fmt, COLUMNS, rows, name="quy-tac-giay-phep", sheet="Quy tắc giấy phép")


def _values(rule: Any) -> dict[str, Any]:
    """A rule as its form shows it: lists as lists, heights as typed numbers, dates dd/mm/yyyy."""
    r = rule_dict(rule)
    values = {k: r.get(k) for k in LABELS}
    for k in ("min_height_m", "max_height_m"):
        values[k] = "" if r[k] is None else f"{r[k]:g}"
    for k in DATES:
        values[k] = dmy(r[k]) or ""
    for k in LISTS:
        values[k] = list(r[k] or [])
    return values


def _posted(values: dict[str, Any]) -> dict[str, Any]:
    """No box ticked in a condition means "any" (null), never "none" (an empty list matches nothing);
    a browser sends nothing at all for a group with no box ticked."""
    return {**{k: "" for k in LISTS}, **{k: ("" if k in LISTS and v == [] else v) for k, v in values.items()}}


def _form_page(office: Office, form: Form, *, title: str, action: str, mode: str, back: str,
               version: int | None = None, rule: dict[str, Any] | None = None) -> Response:  # fmt: skip
    return page(
        office,
        "permit_rule_form.html",
        title=title,
        status=422 if form.refused else 200,
        f=form,
        action=action,
        mode=mode,
        back=back,
        version=version,
        rule=rule,
        applies=APPLIES,
        kinds=KINDS,
        classes=CLASSES,
        zone_kinds=ZONE_KINDS,
        certainties=CERTAINTIES,
        crumbs=[HOME],
    )


NEW = "/office/admin/permit-rules/new"


@router.get("/new", dependencies=[Depends(require("permit_rules", "create"))], summary="Thêm quy tắc giấy phép")
def permit_rule_new(office: OfficeDep) -> Response:
    form = Form(labels=LABELS, values={"applies_to": "site", "certainty": "check"})
    return _form_page(office, form, title="Thêm quy tắc giấy phép", action=NEW, mode="new", back=HOME[0])


@router.post("/new", dependencies=[Depends(require("permit_rules", "create"))], summary="Thêm quy tắc giấy phép")
async def permit_rule_create(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    values = form_values(await request.form(), lists=LISTS)
    return await in_thread(_create, office, session, values)


def _create(office: Office, session: Any, values: dict[str, Any]) -> Response:
    form = Form(labels=LABELS, values=values)
    with attempt(session, form):
        rule = service.create_rule(session, to_model(PermitRuleCreate, _posted(values)))
    if form.refused:
        return _form_page(office, form, title="Thêm quy tắc giấy phép", action=NEW, mode="new", back=HOME[0])
    return done(f"/office/admin/permit-rules/{rule.code}", "created")


@router.get("/{code}", dependencies=READ, summary="Một quy tắc giấy phép và lịch sử")
def permit_rule_page(code: RuleCode, office: OfficeDep, session: SessionDep) -> Response:
    rule = service.get_rule(session, code)
    r = _row(_record(rule))
    details = [
        ("Mã", code),
        (LABELS["description"], r["description"]),
        (LABELS["applies_to"], r["applies_to_name"]),
        ("Giấy tờ cần có", r["kind_names"]),
        (LABELS["pole_classes"], r["pole_classes"]),
        ("Chiều cao", r["heights"]),
        (LABELS["zone_kinds"], r["zone_kind_names"]),
        (LABELS["legal_basis"], r["legal_basis"]),
        (LABELS["certainty"], r["certainty"]),
        (LABELS["effective_from"], r["effective_from"]),
        (LABELS["effective_to"], r["effective_to"]),
        ("Hôm nay", r["standing"]),
    ]
    return page(
        office,
        "permit_rule.html",
        title=f"Quy tắc giấy phép {code}",
        code=code,
        details=details,
        history=history_of(session, office, "permit_rule", [rule.id]),
        tabs=TABS,
        crumbs=[HOME],
    )


@router.get("/{code}/edit", dependencies=[Depends(require("permit_rules", "update"))], summary="Sửa quy tắc")
def permit_rule_edit(code: RuleCode, office: OfficeDep, session: SessionDep) -> Response:
    rule = service.get_rule(session, code)
    form = Form(labels=LABELS, values=_values(rule))
    return _form_page(office, form, title=f"Sửa quy tắc {code}", action=f"/office/admin/permit-rules/{code}/edit",
                      mode="edit", back=f"/office/admin/permit-rules/{code}", version=rule.version,
                      rule=_record(rule))  # fmt: skip


@router.post("/{code}/edit", dependencies=[Depends(require("permit_rules", "update"))], summary="Sửa quy tắc")
async def permit_rule_update(code: RuleCode, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    posted = await request.form()
    values = form_values(posted, lists=LISTS)
    return await in_thread(_update, office, session, code, values, posted_version(posted))


def _update(office: Office, session: Any, code: str, values: dict[str, Any], version: int | None) -> Response:
    rule = service.get_rule(session, code)
    original = _values(rule)
    form = Form(labels=LABELS, values=values)
    edits = changed(_posted({k: v for k, v in values.items() if k in EDITABLE}), original)
    if not edits:
        return done(f"/office/admin/permit-rules/{code}", "saved")
    try:
        with attempt(session, form):
            patch = to_model(PermitRulePatch, edits, clear=frozenset(k for k, v in edits.items() if v == ""))
            service.update_rule(session, code, patch, expected_version=version)
    except StaleVersion:
        return stale_page(
            office,
            action=f"/office/admin/permit-rules/{code}/edit",
            back=f"/office/admin/permit-rules/{code}",
            labels={k: LABELS[k] for k in EDITABLE},
            current=original,
            mine=values,
            current_version=rule.version,
            crumbs=[HOME],
        )
    if form.refused:
        return _form_page(office, form, title=f"Sửa quy tắc {code}", action=f"/office/admin/permit-rules/{code}/edit",
                          mode="edit", back=f"/office/admin/permit-rules/{code}", version=version,
                          rule=_record(rule))  # fmt: skip
    return done(f"/office/admin/permit-rules/{code}", "saved")


def _version_page(office: Office, rule: Any, form: Form, version: int | None) -> Response:
    code = rule.code
    return _form_page(office, form, title=f"Quy tắc mới thay quy tắc {code}",
                      action=f"/office/admin/permit-rules/{code}/new-version", mode="version",
                      back=f"/office/admin/permit-rules/{code}", version=version, rule=_record(rule))  # fmt: skip


@router.get("/{code}/new-version", dependencies=[Depends(require("permit_rules", "create"))], summary="Phiên bản mới")
def permit_rule_new_version(code: RuleCode, office: OfficeDep, session: SessionDep) -> Response:
    rule = service.get_rule(session, code)
    values = _values(rule) | {"code": f"{code}-{today().year + 1}"[:40], "effective_from": "", "effective_to": ""}
    return _version_page(office, rule, Form(labels=LABELS, values=values), rule.version)


@router.post("/{code}/new-version", dependencies=[Depends(require("permit_rules", "create"))], summary="Phiên bản mới")
async def permit_rule_add_version(code: RuleCode, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    posted = await request.form()
    values = form_values(posted, lists=LISTS)
    return await in_thread(_add_version, office, session, code, values, posted_version(posted))


def _add_version(office: Office, session: Any, code: str, values: dict[str, Any], version: int | None) -> Response:
    rule = service.get_rule(session, code)
    form = Form(labels=LABELS, values=values)
    try:
        with attempt(session, form):
            data = to_model(PermitRuleCreate, _posted(values))
            new = new_permit_rule_version(session, code, data, expected_version=version)
    except StaleVersion:
        return stale_page(
            office,
            action=f"/office/admin/permit-rules/{code}/new-version",
            back=f"/office/admin/permit-rules/{code}",
            labels=LABELS,
            current=_values(rule),
            mine=values,
            current_version=rule.version,
            crumbs=[HOME],
        )
    if form.refused:
        return _version_page(office, rule, form, version)
    return done(f"/office/admin/permit-rules/{new.code}", "created")
