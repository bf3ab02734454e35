"""The procedure catalogue in the back office: the list (search by code or name with or without
diacritics, filters by field and online level, paging, exports), a procedure's page with its ISO steps
and history, and the admin's edit form — name, fees, online level, statutory time and the steps as
rows, sent as the API's ``ProcedurePatch`` to the same service, which refuses steps that do not add up
to the statutory time and says by how much."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from api.access import require
from api.audit import history
from api.deps import SessionDep
from api.office import exports
from api.office.forms import Form, attempt, changed, form_values, posted_version, to_model
from api.office.lists import Column, Filter, Listing, paging
from api.office.pages import Office, OfficeDep, done, in_thread, page, stale_page
from maps.record_pages import history_rows
from maps.templating import Link, dmy
from registry.accounts.permissions import authorize
from registry.errors import StaleVersion, VersionRequired
from registry.procedures import queries, service
from registry.procedures.models import FIELD_NAMES, ONLINE_SERVICE_NAMES, UNIT_NAMES
from registry.procedures.schemas import DOCUMENT_FORMS, ProcedurePatch
from registry.procedures.views import procedure_dict
from registry.text import fold

router = APIRouter(prefix="/office/admin/procedures", tags=["Văn phòng"], include_in_schema=False)
ProcedureCode = Annotated[str, Path(max_length=40, pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]*$")]
HOME = ("/office/admin/procedures", "Thủ tục hành chính")
MAX_STEPS = 30  # as ProcedurePatch allows
SPARE_ROWS = 3  # empty step rows under the filled ones (no script needed to add a step)

LABELS = {
    "name": "Tên thủ tục",
    "field": "Lĩnh vực",
    "time_value": "Thời hạn giải quyết",
    "time_unit": "Đơn vị thời hạn",
    "fees": "Phí, lệ phí (như trong danh mục)",
    "fee_vnd": "Lệ phí (đồng)",
    "online_level": "Mức độ dịch vụ công trực tuyến (1–4)",
    "online_service": "Dịch vụ công trực tuyến",
    "legal_basis": "Căn cứ pháp lý",
    "effective_from": "Áp dụng từ ngày",
    "effective_to": "Áp dụng đến hết ngày",
    "notes": "Ghi chú",
    "steps": "Quy trình nội bộ (các bước)",
    "required_documents": "Thành phần hồ sơ",
}
STEP_PARTS = {"name": "công việc", "unit": "bộ phận thực hiện", "duration": "thời gian"}
DOC_PARTS = {"name": "tên giấy tờ", "form": "hình thức", "copies": "số lượng", "required": "bắt buộc"}
MAX_DOCS = 50  # as ProcedurePatch allows
CLEARABLE = frozenset({"fees", "fee_vnd", "effective_to", "notes", "online_service"})
LEVELS = [(str(n), f"Mức {n}") for n in range(1, 5)]
COLUMNS = (
    Column("code", "Mã thủ tục", "code"),
    Column("name", "Tên thủ tục", "name"),
    Column("field_name", "Lĩnh vực", "field"),
    Column("time_text", "Thời hạn", "time_value"),
    Column("online_level", "Mức độ", "online_level"),
    Column("online_service_name", "Dịch vụ công", None),
    Column("fees", "Phí, lệ phí", None),
)


def _labels(rows: int, docs: int = MAX_DOCS + SPARE_ROWS) -> dict[str, str]:
    steps = {f"steps.{i}.{part}": f"Bước {i + 1}: {word}" for i in range(rows) for part, word in STEP_PARTS.items()}
    parts = DOC_PARTS.items()
    papers = {f"required_documents.{i}.{part}": f"Giấy tờ {i + 1}: {word}" for i in range(docs) for part, word in parts}
    return {**LABELS, **steps, **papers}


def _num(value: Any) -> str:
    """A step's time as Vietnamese writes it (0,5); the form takes 0,5 or 0.5 back."""
    try:
        return f"{Decimal(str(value)).normalize():f}".replace(".", ",")
    except InvalidOperation:
        return str(value)


def _row(rec: dict[str, Any]) -> dict[str, Any]:
    return {**rec, "code": Link(f"/office/admin/procedures/{rec['code']}", rec["code"])}


def _listing(request: Request, office: Office, session: Any) -> tuple[Listing, list[dict[str, Any]]]:
    sorts = [c.sort for c in COLUMNS if c.sort]
    pg = paging(request, sorts=sorts, default_sort="code")
    listing = Listing(
        request,
        "thủ tục",
        COLUMNS,
        [],
        0,
        pg,
        filters=(
            Filter("field", "Lĩnh vực", [(f.value, name) for f, name in FIELD_NAMES.items()]),
            Filter("online_level", "Mức độ dịch vụ công", LEVELS),
        ),
        search="Mã hoặc tên thủ tục (có hoặc không dấu)",
    )
    rows = [procedure_dict(p) for p in queries.procedures(session)]
    if fields := listing.selected("field"):
        rows = [r for r in rows if r["field"] in fields]
    if levels := listing.selected("online_level"):
        rows = [r for r in rows if str(r["online_level"]) in levels]
    if listing.q:
        q = fold(listing.q)
        rows = [r for r in rows if q in fold(r["code"]) or q in fold(r["name"])]
    key = (pg.sort or "code").lstrip("-")
    numeric = key in ("time_value", "online_level")
    rows.sort(
        key=lambda r: (r.get(key) is None, r.get(key) if numeric else fold(str(r.get(key) or ""))),
        reverse=(pg.sort or "").startswith("-"),
    )
    listing.total = len(rows)
    listing.rows = [_row(r) for r in rows[pg.offset : pg.offset + pg.per_page]]
    query = listing.export_query()
    listing.exports = [(fmt.upper(), f"/office/admin/procedures.{fmt}?{query}") for fmt in ("csv", "xlsx")]
    return listing, [_row(r) for r in rows]


@router.get("", dependencies=[Depends(require("office", "read"))], summary="Danh mục thủ tục hành chính")
def procedure_list(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    listing, _ = _listing(request, office, session)
    intro = "Danh mục thủ tục của Sở: thời hạn giải quyết, phí, mức độ dịch vụ công và quy trình nội bộ."
    return page(office, "list.html", title="Thủ tục hành chính", listing=listing, intro=intro)


@router.get(".{fmt}", dependencies=[Depends(require("office", "read"))], summary="Xuất danh mục thủ tục")
def procedure_export(fmt: exports.Format, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    _, rows = _listing(request, office, session)
    return exports.export(fmt, COLUMNS, rows, name="thu-tuc-hanh-chinh", sheet="Thủ tục hành chính")


@router.get("/{code}", dependencies=[Depends(require("office", "read"))], summary="Một thủ tục hành chính")
def procedure_page(code: ProcedureCode, office: OfficeDep, session: SessionDep) -> Response:
    p = service.get_procedure(session, code)
    rec = procedure_dict(p)
    details = [
        ("Mã thủ tục", rec["code"]),
        ("Lĩnh vực", rec["field_name"]),
        ("Thời hạn giải quyết", rec["time_text"]),
        ("Phí, lệ phí", rec["fees"]),
        ("Lệ phí (đồng)", rec["fee_vnd"]),
        ("Mức độ dịch vụ công", f"Mức {rec['online_level']} — {rec['online_service_name']}"),
        ("Căn cứ pháp lý", rec["legal_basis"]),
        ("Áp dụng từ ngày", dmy(rec["effective_from"])),
        ("Áp dụng đến hết ngày", dmy(rec["effective_to"])),
        ("Ghi chú", rec["notes"]),
    ]
    unit = UNIT_NAMES[p.time_unit]  # type: ignore[index]
    steps = [{**s, "duration": f"{_num(s['duration'])} {unit}"} for s in rec["steps"]]
    documents = [
        {**d, "no": i, "copies": f"{d['copies']} bản", "required": "Bắt buộc" if d.get("required", True) else "Nếu có"}
        for i, d in enumerate(rec["required_documents"], 1)
    ]
    grant = authorize(office.principal, "audit", "read") if office.can("audit", "read") else None
    said = history_rows(history(session, grant, "procedure", p.id, limit=200, offset=0)) if grant else None
    return page(
        office,
        "procedure.html",
        title=f"{rec['name']}",
        rec=rec,
        details=details,
        steps=steps,
        documents=documents,
        history=said,
        can_edit=office.can("procedures", "update"),
        crumbs=[HOME],
    )


def _values(rec: dict[str, Any]) -> dict[str, Any]:
    """A procedure as its form shows it: text, dates dd/mm/yyyy, one row of fields per step."""
    values: dict[str, Any] = {name: rec.get(name) for name in LABELS if name not in ("steps", "required_documents")}
    values["effective_from"] = dmy(values["effective_from"])
    values["effective_to"] = dmy(values["effective_to"])
    for name in ("time_value", "fee_vnd", "online_level"):
        values[name] = "" if values[name] is None else str(values[name])
    for i, s in enumerate(rec["steps"]):
        values[f"steps.{i}.name"] = s["name"]
        values[f"steps.{i}.unit"] = s["unit"]
        values[f"steps.{i}.duration"] = _num(s["duration"])
    for i, d in enumerate(rec["required_documents"]):
        values[f"required_documents.{i}.name"] = d["name"]
        values[f"required_documents.{i}.form"] = d["form"]
        values[f"required_documents.{i}.copies"] = str(d["copies"])
        values[f"required_documents.{i}.required"] = "true" if d.get("required", True) else ""
    return values


def _doc_rows(values: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The required documents as typed, rows without a name left out (a document is removed by
    emptying its name); «bắt buộc» is a ticked box ("true") or nothing."""
    rows = []
    for i in range(MAX_DOCS + SPARE_ROWS + 1):
        row = tuple(str(values.get(f"required_documents.{i}.{part}") or "").strip() for part in DOC_PARTS)
        if row[0] or row[1] or row[2]:
            rows.append((row[0], row[1], row[2], "true" if row[3] else ""))
    return rows  # type: ignore[return-value]


def _step_rows(values: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The steps as typed, blank rows left out (their order kept)."""
    rows = []
    for i in range(MAX_STEPS + SPARE_ROWS):
        row = tuple(str(values.get(f"steps.{i}.{part}") or "").strip() for part in STEP_PARTS)
        if any(row):
            rows.append(row)
    return rows  # type: ignore[return-value]


def _form_page(office: Office, rec: dict[str, Any], form: Form, version: int | None) -> Response:
    filled = max(
        (int(k.split(".")[1]) + 1 for k in form.values if k.startswith("steps.") and form.values[k]), default=0
    )
    rows = min(MAX_STEPS, max(filled, len(rec["steps"])) + SPARE_ROWS)
    papers = [k.split(".")[1] for k in form.values if k.startswith("required_documents.") and form.values[k]]
    typed = max((int(n) + 1 for n in papers if n.isdigit() and len(n) < 4), default=0)
    doc_rows = min(MAX_DOCS + SPARE_ROWS, max(typed, len(rec["required_documents"])) + SPARE_ROWS)
    form.labels = _labels(rows, doc_rows)
    return page(
        office,
        "procedure_form.html",
        title=f"Sửa thủ tục {rec['code']}",
        status=422 if form.refused else 200,
        f=form,
        rec=rec,
        rows=rows,
        doc_rows=doc_rows,
        forms=DOCUMENT_FORMS,
        version=version,
        action=f"/office/admin/procedures/{rec['code']}/edit",
        back=f"/office/admin/procedures/{rec['code']}",
        fields=[(f.value, name) for f, name in FIELD_NAMES.items()],
        units=[(u.value, name) for u, name in UNIT_NAMES.items()],
        levels=LEVELS,
        services=[(s.value, name) for s, name in ONLINE_SERVICE_NAMES.items()],
        crumbs=[HOME, (f"/office/admin/procedures/{rec['code']}", rec["code"])],
    )


@router.get("/{code}/edit", dependencies=[Depends(require("procedures", "update"))], summary="Sửa thủ tục")
def procedure_edit(code: ProcedureCode, office: OfficeDep, session: SessionDep) -> Response:
    p = service.get_procedure(session, code)
    rec = procedure_dict(p)
    values = _values(rec)
    for i in range(len(rec["required_documents"]), len(rec["required_documents"]) + SPARE_ROWS):
        values[f"required_documents.{i}.required"] = "true"  # a document added is required unless unticked
    return _form_page(office, rec, Form(values=values), p.version)


@router.post("/{code}/edit", dependencies=[Depends(require("procedures", "update"))], summary="Sửa thủ tục")
async def procedure_update(code: ProcedureCode, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    posted = await request.form()
    return await in_thread(_update, office, session, code, form_values(posted), posted_version(posted))


def _update(office: Office, session: Any, code: str, values: dict[str, Any], version: int | None) -> Response:
    p = service.get_procedure(session, code)
    rec = procedure_dict(p)
    original = _values(rec)
    form = Form(values=values, labels=_labels(MAX_STEPS + SPARE_ROWS))
    plain = {k: v for k, v in values.items() if k in LABELS and k not in ("steps", "required_documents")}
    edits = changed(plain, original)
    mine = _step_rows(values)
    if [(n, u, d.replace(".", ",")) for n, u, d in mine] != _step_rows(original):
        # The steps go as one list (the API replaces them together); a comma is a decimal point here.
        for i, (name, unit, duration) in enumerate(mine):
            edits[f"steps.{i}.name"] = name
            edits[f"steps.{i}.unit"] = unit
            edits[f"steps.{i}.duration"] = duration.replace(",", ".")
        if not mine:
            edits["steps"] = []
    papers = _doc_rows(values)
    if papers != _doc_rows(original):
        # The documents go as one list too: the API replaces them together.
        for i, (name, form_, copies, required) in enumerate(papers):
            edits[f"required_documents.{i}.name"] = name
            edits[f"required_documents.{i}.form"] = form_
            edits[f"required_documents.{i}.copies"] = copies
            edits[f"required_documents.{i}.required"] = required or "false"
        if not papers:
            edits["required_documents"] = []
    if not edits:
        return done(f"/office/admin/procedures/{code}", "saved")
    clear = frozenset(k for k, v in edits.items() if v == "" and k in LABELS)
    try:
        with attempt(session, form):
            data = to_model(ProcedurePatch, {k: v for k, v in edits.items() if not (v == "" and k in LABELS)},
                            clear=clear)  # fmt: skip
            service.update_procedure(session, code, data, expected_version=version)
    except (StaleVersion, VersionRequired):
        rows = max(len(mine), len(rec["steps"]))
        return stale_page(
            office,
            action=f"/office/admin/procedures/{code}/edit",
            back=f"/office/admin/procedures/{code}",
            labels=_labels(rows),
            current=original,
            mine=values,
            current_version=p.version,
            crumbs=[HOME],
        )
    if form.refused:
        return _form_page(office, rec, form, version)
    return done(f"/office/admin/procedures/{code}", "saved")
