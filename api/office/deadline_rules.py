"""Case deadline rules in the back office: the list (case kind, step, conditions, the period, where it
counts from, validity, legal basis, certainty), one rule with its versions and history in words, and a
new version from a day on (the one before ends that day) through the service POST
/api/deadline-rules/{code}/versions calls. Reading them is what GET /api/deadline-rules allows
(staff); a new version is an administrator's (the ``rules`` resource, as for the legal constants).

The dossier deadlines of the one-stop desk are the legal constants ``one_stop.*`` (/office/admin/rules)
and the procedures' statutory times (the procedure catalogue): they have no rule table of their own."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from api.access import require
from api.deps import SessionDep
from api.office import exports
from api.office.forms import Form, attempt, form_values, posted_version, to_model
from api.office.lists import Column, Filter, Listing, paging
from api.office.pages import Office, OfficeDep, done, in_thread, page, stale_page
from api.office.rules import CERTAINTIES, TABS, certainty_state, history_of
from maps.templating import Link, State, dmy
from registry.cases import queries
from registry.cases.vocabulary import KIND_NAMES, STEP_NAMES, UNIT_NAMES
from registry.clock import today
from registry.errors import StaleVersion
from registry.rules.deadline_rules import deadline_rule_dict, get_deadline_rule, new_deadline_version, versions_of
from registry.rules.schemas import DeadlineRuleVersion
from registry.rules.views import STANDING_NAMES, standing
from registry.rules.words import STARTS_FROM_NAMES, deadline_conditions
from registry.text import fold

router = APIRouter(prefix="/office/admin/deadline-rules", tags=["Văn phòng"], include_in_schema=False)
RuleCode = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
HOME = ("/office/admin/deadline-rules", "Thời hạn giải quyết vụ việc")
READ = [Depends(require("cases", "read"))]  # as GET /api/deadline-rules
WRITE = [Depends(require("rules", "create"))]  # as POST /api/deadline-rules/{code}/versions

UNITS = list(UNIT_NAMES.items())
STARTS = list(STARTS_FROM_NAMES.items())
LABELS = {
    "code": "Mã của phiên bản mới",
    "duration": "Thời hạn",
    "unit": "Đơn vị",
    "starts_from": "Tính từ",
    "effective_from": "Áp dụng từ ngày",
    "legal_basis": "Căn cứ pháp lý",
    "certainty": "Mức tin cậy",
    "description": "Nội dung quy tắc",
}
COLUMNS = (
    Column("code", "Mã", "code"),
    Column("case_kind_name", "Loại vụ việc", "case_kind_name"),
    Column("step_name", "Bước", "step_name"),
    Column("conditions", "Áp dụng cho"),
    Column("period", "Thời hạn"),
    Column("starts_from_name", "Tính từ"),
    Column("effective_from", "Áp dụng từ", "effective_from"),
    Column("effective_to", "Hết hiệu lực từ"),
    Column("legal_basis", "Căn cứ pháp lý"),
    Column("certainty", "Mức tin cậy", "certainty"),
    Column("standing", "Hôm nay", "standing"),
)


def _record(rule: Any) -> dict[str, Any]:
    """A rule as the API answers it, with its words."""
    r = deadline_rule_dict(rule)
    state = standing(rule, today())
    return {
        **r,
        "case_kind_name": KIND_NAMES.get(r["case_kind"], r["case_kind"]),  # type: ignore[call-overload]
        "step_name": STEP_NAMES.get(r["step"], r["step"]),  # type: ignore[call-overload]
        "conditions": deadline_conditions(r),
        "period": f"{r['duration']} {UNIT_NAMES.get(r['unit'], r['unit'])}",
        "starts_from_name": STARTS_FROM_NAMES.get(r["starts_from"], r["starts_from"]),
        "standing_key": state,
        "standing_name": STANDING_NAMES[state],
    }


def _row(r: dict[str, Any]) -> dict[str, Any]:
    return {
        **r,
        "code": Link(f"/office/admin/deadline-rules/{r['code']}", r["code"]),
        "effective_from": dmy(r["effective_from"]),
        "effective_to": dmy(r["effective_to"]),
        "certainty": certainty_state(r["certainty"]),
        "standing": State(r["standing_name"], r["standing_key"]),
    }


def _listing(request: Request, session: Any) -> tuple[Listing, list[dict[str, Any]]]:
    sorts = ["code", "case_kind_name", "step_name", "effective_from", "certainty", "standing"]
    pg = paging(request, sorts=sorts, default_sort=None)
    listing = Listing(
        request,
        "quy tắc thời hạn",
        COLUMNS,
        [],
        0,
        pg,
        filters=(
            Filter("case_kind", "Loại vụ việc", [(k.value, n) for k, n in KIND_NAMES.items()]),
            Filter("standing", "Hôm nay", list(STANDING_NAMES.items())),
            Filter("certainty", "Mức tin cậy", CERTAINTIES),
        ),
        search="Mã, nội dung hoặc căn cứ (có hoặc không dấu)",
    )
    records = [_record(r) for r in queries.deadline_rules(session)]  # what GET /api/deadline-rules lists
    if kinds := listing.selected("case_kind"):
        records = [r for r in records if r["case_kind"] in kinds]
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
    listing.exports = [(fmt.upper(), f"/office/admin/deadline-rules.{fmt}?{query}") for fmt in ("csv", "xlsx")]
    return listing, rows


@router.get("", dependencies=READ, summary="Quy tắc thời hạn giải quyết vụ việc")
def deadline_rule_list(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    listing, _ = _listing(request, session)
    return page(office, "deadline_rules.html", title="Quy định: thời hạn giải quyết vụ việc", listing=listing,
                tabs=TABS)  # fmt: skip


@router.get(".{fmt}", dependencies=READ, summary="Xuất quy tắc thời hạn")
def deadline_rule_export(fmt: exports.Format, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    _, rows = _listing(request, session)
    return exports.export(fmt, COLUMNS, rows, name="quy-tac-thoi-han", sheet="Quy tắc thời hạn")


@router.get("/{code}", dependencies=READ, summary="Một quy tắc thời hạn: các phiên bản và lịch sử")
def deadline_rule_page(code: RuleCode, office: OfficeDep, session: SessionDep) -> Response:
    rule = get_deadline_rule(session, code)
    r = _record(rule)
    versions = versions_of(session, rule)
    details = [
        ("Mã", r["code"]),
        ("Nội dung", r["description"]),
        ("Loại vụ việc", r["case_kind_name"]),
        ("Bước", r["step_name"]),
        ("Áp dụng cho", r["conditions"]),
        ("Thời hạn", r["period"]),
        ("Tính từ", r["starts_from_name"]),
        ("Áp dụng từ", dmy(r["effective_from"])),
        ("Hết hiệu lực từ", dmy(r["effective_to"])),
        ("Căn cứ pháp lý", r["legal_basis"]),
        ("Mức tin cậy", certainty_state(r["certainty"])),
        ("Hôm nay", State(r["standing_name"], r["standing_key"])),
    ]
    return page(
        office,
        "deadline_rule.html",
        title=f"Quy tắc thời hạn {code}",
        code=code,
        details=details,
        versions=[_row(_record(v)) for v in reversed(versions)],
        latest=versions[-1].code == code,
        newest=versions[-1].code,
        history=history_of(session, office, "deadline_rule", [v.id for v in versions]),
        tabs=TABS,
        crumbs=[HOME],
    )


def _form_page(office: Office, rule: Any, form: Form, *, version: int | None) -> Response:
    r = _record(rule)
    return page(
        office,
        "deadline_rule_form.html",
        title=f"Phiên bản mới của quy tắc {rule.code}",
        status=422 if form.refused else 200,
        f=form,
        rule={**r, "effective_from": dmy(r["effective_from"]), "effective_to": dmy(r["effective_to"])},
        version=version,
        units=UNITS,
        starts=STARTS,
        certainties=CERTAINTIES,
        action=f"/office/admin/deadline-rules/{rule.code}/new-version",
        crumbs=[HOME, (f"/office/admin/deadline-rules/{rule.code}", rule.code)],
    )


@router.get("/{code}/new-version", dependencies=WRITE, summary="Phiên bản mới của quy tắc thời hạn")
def deadline_rule_new_version(code: RuleCode, office: OfficeDep, session: SessionDep) -> Response:
    rule = get_deadline_rule(session, code)
    values = {
        "code": f"{code}-{today().year + 1}"[:40],
        "duration": str(rule.duration),
        "unit": rule.unit,
        "starts_from": rule.starts_from,
        "certainty": "firm",
        "description": rule.description,
    }
    return _form_page(office, rule, Form(labels=LABELS, values=values), version=rule.version)


@router.post("/{code}/new-version", dependencies=WRITE, summary="Phiên bản mới của quy tắc thời hạn")
async def deadline_rule_add_version(
    code: RuleCode, request: Request, office: OfficeDep, session: SessionDep
) -> Response:
    posted = await request.form()
    return await in_thread(_add_version, office, session, code, form_values(posted), posted_version(posted))


def _add_version(office: Office, session: Any, code: str, values: dict[str, Any], version: int | None) -> Response:
    rule = get_deadline_rule(session, code)
    form = Form(labels=LABELS, values=values)
    sent = {k: v for k, v in values.items() if k in LABELS}
    if sent.get("description") == rule.description:
        sent.pop("description")  # unchanged: the service keeps the one before
    try:
        with attempt(session, form):
            new = new_deadline_version(session, code, to_model(DeadlineRuleVersion, sent), expected_version=version)
    except StaleVersion:
        current = {k: str(v) if v is not None else None for k, v in deadline_rule_dict(rule).items() if k in LABELS}
        return stale_page(
            office,
            action=f"/office/admin/deadline-rules/{code}/new-version",
            back=f"/office/admin/deadline-rules/{code}",
            labels=LABELS,
            current={**current, "effective_from": dmy(rule.effective_from)},
            mine=values,
            current_version=rule.version,
            crumbs=[HOME],
        )
    if form.refused:
        return _form_page(office, rule, form, version=version)
    return done(f"/office/admin/deadline-rules/{new.code}", "created")
