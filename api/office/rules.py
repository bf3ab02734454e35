"""Legal constants in the back office (issue #16, administrators): every constant grouped by area with
its value in force today, its unit, validity dates, legal basis and certainty, and the next value when
one is already entered; one constant's values through time and its history in words; a new value from
a day on (the value before it ends that day), through the same service as POST /api/rules.

The case deadline rules (api/office/deadline_rules.py), the permit requirement rules
(api/office/permit_rules.py) and the spacing rules (/office/spacing-rules, api/office/zones.py) are
the other rule pages; ``TABS`` links the four."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from api import audit
from api.access import require
from api.deps import SessionDep
from api.office import exports
from api.office.forms import Form, attempt, form_values, to_model
from api.office.lists import Column, Filter, Listing, paging
from api.office.pages import Office, OfficeDep, done, in_thread, page
from maps.record_pages import history_rows
from maps.templating import Link, State, dmy
from registry.accounts.permissions import authorize, can_read_history
from registry.clock import today
from registry.rules import service, views
from registry.rules.schemas import RuleValueCreate
from registry.rules.words import AREA_NAMES, CERTAINTY_NAMES, KIND_HINTS
from registry.text import fold

router = APIRouter(prefix="/office/admin/rules", tags=["Văn phòng"], include_in_schema=False)
RuleCode = Annotated[str, Path(max_length=60, pattern=r"^[a-z][a-z0-9_.]*$")]
HOME = ("/office/admin/rules", "Quy định")
READ = [Depends(require("office", "read"))]  # the constants are public law: staff pages, the public signs in
HISTORY_ROWS = 200

# The four kinds of rule an administrator keeps, each on its own page.
TABS = (
    ("/office/admin/rules", "Hằng số pháp lý"),
    ("/office/admin/deadline-rules", "Thời hạn giải quyết vụ việc"),
    ("/office/admin/permit-rules", "Giấy phép bắt buộc"),
    ("/office/spacing-rules", "Khoảng cách giữa cột cồng kềnh"),
)
CERTAINTIES = list(CERTAINTY_NAMES.items())
LABELS = {
    "value": "Giá trị mới",
    "effective_from": "Áp dụng từ ngày",
    "legal_basis": "Căn cứ pháp lý",
    "certainty": "Mức tin cậy",
    "description": "Nội dung quy định",
}
# On the page the code is under the rule's words (rules.html); the exports have it in a column of its own.
COLUMNS = (
    Column("description", "Quy định", "description"),
    Column("value", "Giá trị đang áp dụng"),
    Column("unit", "Đơn vị"),
    Column("effective_from", "Áp dụng từ", "effective_from"),
    Column("effective_to", "Hết hiệu lực từ"),
    Column("legal_basis", "Căn cứ pháp lý"),
    Column("certainty", "Mức tin cậy", "certainty"),
    Column("next", "Giá trị tiếp theo"),
)
EXPORT_COLUMNS = (Column("area_name", "Lĩnh vực"), COLUMNS[0], Column("code", "Mã"), *COLUMNS[1:])


def certainty_state(certainty: str) -> State:
    """The certainty flag in words, "cần kiểm tra lại" drawn as a warning."""
    return State(CERTAINTY_NAMES.get(certainty, certainty), "check" if certainty == "check" else "firm")


def history_of(session: Any, office: Office, entity: str, ids: Iterable[int]) -> dict[str, Any] | None:
    """The history in words of one or more records of ``entity`` (a rule's versions), newest first;
    None when the user's roles may not read it (as GET /api/audit answers)."""
    if not can_read_history(office.principal, entity):
        return None
    grant = authorize(office.principal, "audit", "read")
    events: list[dict[str, Any]] = []
    total = 0
    for entity_id in ids:
        h = audit.history(session, grant, entity, entity_id, limit=HISTORY_ROWS, offset=0)
        events += h["events"]
        total += h["total"]
    events.sort(key=lambda e: (e["occurred_at"], e["id"]), reverse=True)
    return history_rows({"events": events[:HISTORY_ROWS], "total": total})


def _row(c: dict[str, Any]) -> dict[str, Any]:
    cur, nxt = c["current"], c["next"]
    return {
        "area": c["area"],
        "area_name": c["area_name"],
        "description": Link(f"/office/admin/rules/{c['code']}", c["description"]),
        "code": c["code"],
        "value": cur["shown"] if cur else None,
        "unit": c["unit"],
        "effective_from": dmy(cur["effective_from"]) if cur else None,
        "effective_to": dmy(cur["effective_to"]) if cur else None,
        "legal_basis": cur["legal_basis"] if cur else None,
        "certainty": certainty_state(cur["certainty"]) if cur else None,
        "next": f"{nxt['shown']} từ {dmy(nxt['effective_from'])}" if nxt else None,
    }


def _listing(request: Request, office: Office, session: Any) -> tuple[Listing, list[dict[str, Any]]]:
    pg = paging(request, sorts=["description", "effective_from", "certainty"], default_sort=None,
                per_page=500)  # fmt: skip
    constants = views.constants(session, on=today())
    areas = sorted({c["area"] for c in constants} | set(AREA_NAMES), key=lambda a: AREA_NAMES.get(a, a))
    listing = Listing(
        request,
        "quy định",
        COLUMNS,
        [],
        0,
        pg,
        filters=(
            Filter("area", "Lĩnh vực", [(a, AREA_NAMES.get(a, a)) for a in areas]),
            Filter("certainty", "Mức tin cậy", CERTAINTIES),
        ),
        search="Mã, nội dung hoặc căn cứ (có hoặc không dấu)",
    )
    if wanted := listing.selected("area"):
        constants = [c for c in constants if c["area"] in wanted]
    if certainty := listing.selected("certainty"):
        constants = [c for c in constants if c["current"] and c["current"]["certainty"] in certainty]
    if listing.q:
        q = fold(listing.q)
        constants = [
            c for c in constants
            if any(q in fold(t or "") for t in (c["code"], c["description"], (c["current"] or {}).get("legal_basis")))
        ]  # fmt: skip
    rows = [_row(c) for c in constants]
    if pg.sort:
        key = pg.sort.lstrip("-")

        def sort_key(r: dict[str, Any]) -> tuple[str, str]:
            v = r.get(key)
            text = v.label if isinstance(v, Link) else v.name if isinstance(v, State) else v
            if key == "effective_from" and text:
                text = "/".join(reversed(str(text).split("/")))
            return (r["area_name"], str(text or ""))

        rows.sort(key=sort_key, reverse=pg.sort.startswith("-"))
        if pg.sort.startswith("-"):  # areas stay in their order; only the rows inside them turn round
            rows.sort(key=lambda r: r["area_name"])
    listing.total = len(rows)
    listing.rows = rows
    query = listing.export_query()
    listing.exports = [(fmt.upper(), f"/office/admin/rules.{fmt}?{query}") for fmt in ("csv", "xlsx")]
    return listing, rows


def _groups(rows: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r["area_name"], []).append(r)
    return list(groups.items())


@router.get("", dependencies=READ, summary="Hằng số pháp lý")
def rule_list(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    listing, rows = _listing(request, office, session)
    return page(
        office, "rules.html", title="Quy định: hằng số pháp lý", listing=listing, groups=_groups(rows), tabs=TABS,
        today=dmy(today()),
    )  # fmt: skip


@router.get(".{fmt}", dependencies=READ, summary="Xuất hằng số pháp lý")
def rule_export(fmt: exports.Format, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    _, rows = _listing(request, office, session)
    return exports.export(fmt, EXPORT_COLUMNS, rows, name="hang-so-phap-ly", sheet="Hằng số pháp lý")


def _value_row(r: dict[str, Any]) -> dict[str, Any]:
    return {
        **r,
        "effective_from": dmy(r["effective_from"]),
        "effective_to": dmy(r["effective_to"]),
        "certainty": certainty_state(r["certainty"]),
        "standing": State(r["standing_name"], r["standing"]),
    }


def _constant(session: Any, code: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The values of ``code`` (404 when it has none) and the one a form starts from: the latest."""
    values = views.constant_history(session, code, on=today())
    return values, values[-1]


@router.get("/{code}", dependencies=READ, summary="Một hằng số pháp lý: các giá trị và lịch sử")
def rule_page(code: RuleCode, office: OfficeDep, session: SessionDep) -> Response:
    values, latest = _constant(session, code)
    current = next((v for v in values if v["standing"] == "current"), None)
    details = [
        ("Mã quy định", code),
        ("Nội dung", latest["description"]),
        ("Lĩnh vực", views.area_name(views.area_of(code))),
        ("Đơn vị", latest["unit"]),
        ("Giá trị đang áp dụng", current["shown"] if current else "Không có giá trị áp dụng hôm nay"),
    ]
    return page(
        office,
        "rule.html",
        title=f"Quy định: {latest['description']}",
        code=code,
        details=details,
        values=[_value_row(v) for v in reversed(values)],
        history=history_of(session, office, "rule_value", [v["id"] for v in values]),
        tabs=TABS,
        crumbs=[HOME],
    )


def _form_page(office: Office, code: str, latest: dict[str, Any], form: Form) -> Response:
    return page(
        office,
        "rule_form.html",
        title=f"Giá trị mới: {latest['description']}",
        status=422 if form.refused else 200,
        f=form,
        code=code,
        latest={**latest, "effective_from": dmy(latest["effective_from"]), "effective_to": dmy(latest["effective_to"])},
        value_hint=KIND_HINTS.get(latest["kind"]),
        certainties=CERTAINTIES,
        action=f"/office/admin/rules/{code}/new-value",
        crumbs=[HOME, (f"/office/admin/rules/{code}", code)],
    )


@router.get("/{code}/new-value", dependencies=[Depends(require("rules", "create"))], summary="Giá trị mới từ một ngày")
def rule_new_value(code: RuleCode, office: OfficeDep, session: SessionDep) -> Response:
    _, latest = _constant(session, code)
    form = Form(labels=LABELS, values={"certainty": "firm", "description": latest["description"]})
    return _form_page(office, code, latest, form)


@router.post("/{code}/new-value", dependencies=[Depends(require("rules", "create"))], summary="Giá trị mới từ một ngày")
async def rule_add_value(code: RuleCode, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    values = form_values(await request.form())
    return await in_thread(_add_value, office, session, code, values)


def _add_value(office: Office, session: Any, code: str, values: dict[str, Any]) -> Response:
    _, latest = _constant(session, code)
    form = Form(labels=LABELS, values=values)
    sent = {k: v for k, v in values.items() if k in LABELS}
    if sent.get("description") == latest["description"]:
        sent.pop("description")  # unchanged: the service keeps the one before
    with attempt(session, form):
        service.add_value(session, to_model(RuleValueCreate, {**sent, "code": code}))
    if form.refused:
        return _form_page(office, code, latest, form)
    return done(f"/office/admin/rules/{code}", "created")
