"""Base stations in the back office: add one to a site, correct it (with its sectors as rows), delete it.

The forms carry the API's field names (``technologies`` repeated, ``sectors.0.azimuth_deg`` …) and are
checked by the API's own models; the stations service does the change under the grant the API would
give (an inspector may change a station's status only). After a change, back to the site's page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from api.access import require
from api.deps import SessionDep
from api.office.forms import Form, attempt, changed, form_values, posted_version, to_model
from api.office.pages import Office, OfficeDep, done, in_thread, page, stale_page
from maps.templating import Link, dmy
from registry.accounts.permissions import authorize
from registry.errors import StaleVersion
from registry.organisations.queries import operator_names
from registry.stations import service
from registry.stations.models import Station, StationStatus, Technology
from registry.stations.schemas import MAX_SECTORS, StationCreate, StationPatch
from registry.stations.template import STATUS_LABELS

router = APIRouter(prefix="/office/stations", tags=["Văn phòng"], include_in_schema=False)
StationId = Annotated[int, Path(ge=1, le=2**31 - 1)]
SiteCode = Annotated[str, Query(max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
HOME = ("/office/sites", "Vị trí và trạm")
EMPTY_ROWS = 3  # empty sector rows under the existing ones; an empty row is dropped

LABELS = {
    "operator": "Doanh nghiệp",
    "station_code": "Mã trạm của doanh nghiệp",
    "technologies": "Công nghệ",
    "bands": "Băng tần (MHz)",
    "status": "Trạng thái",
    "commissioning_date": "Ngày phát sóng",
    "equipment_model": "Thiết bị",
    "configuration": "Cấu hình",
}
SECTOR_FIELDS = {"azimuth_deg": "phương vị (°)", "tilt_deg": "góc ngẩng/chúc (°)", "eirp_w": "EIRP (W)"}
STATUSES = [(s.value, STATUS_LABELS[s.value]) for s in StationStatus]
TECHNOLOGIES = [(t.value, t.value) for t in Technology]


def _labels(rows: int) -> dict[str, str]:
    """The form's labels, sector rows included (the error summary names "Sector 2: phương vị")."""
    out = dict(LABELS)
    for i in range(rows):
        for name, label in SECTOR_FIELDS.items():
            out[f"sectors.{i}.{name}"] = f"Sector {i + 1}: {label}"
    return out


def _sector_rows(values: dict[str, Any]) -> int:
    """How many sector rows to draw: those posted or stored, plus the empty ones, up to the limit."""
    used = {int(k.split(".")[1]) for k in values if k.startswith("sectors.") and k.split(".")[1].isdigit()}
    filled = [i for i in used if any(values.get(f"sectors.{i}.{n}") not in (None, "") for n in SECTOR_FIELDS)]
    return min(MAX_SECTORS, max(filled, default=-1) + 1 + EMPTY_ROWS)


def _num(value: Any) -> str:
    if value is None:
        return ""
    r = repr(float(value))
    return r[:-2] if r.endswith(".0") else r


def _values(station: Station) -> dict[str, Any]:
    """A station as its form shows it: bands as "900, 1800", sectors as rows, dates dd/mm/yyyy."""
    values: dict[str, Any] = {
        "operator": station.operator.code,
        "station_code": station.station_code,
        "technologies": list(station.technologies),
        "bands": ", ".join(station.bands),
        "status": station.status,
        "commissioning_date": dmy(station.commissioning_date) or "",
        "equipment_model": station.equipment_model or "",
        "configuration": station.configuration or "",
    }
    for i, s in enumerate(station.sectors):
        values[f"sectors.{i}.azimuth_deg"] = _num(s.azimuth_deg)
        values[f"sectors.{i}.tilt_deg"] = _num(s.tilt_deg)
        values[f"sectors.{i}.eirp_w"] = _num(s.eirp_w)
    return values


def _model_values(values: dict[str, Any]) -> dict[str, Any]:
    """The form's text as the API's fields: ``bands`` typed "900, 1800" is the list the API takes."""
    out = dict(values)
    if isinstance(out.get("bands"), str):
        out["bands"] = [b.strip() for b in out["bands"].split(",") if b.strip()]
    return out


def _form_page(office: Office, session: Any, form: Form, *, title: str, action: str, back: str, site_code: str,
               version: int | None = None, edit: bool = False) -> Response:  # fmt: skip
    rows = _sector_rows(form.values)
    form.labels = _labels(rows)
    return page(
        office,
        "station_form.html",
        title=title,
        status=422 if form.refused else 200,
        f=form,
        action=action,
        back=back,
        version=version,
        edit=edit,
        site_code=site_code,
        only=authorize(office.principal, "stations", "update").fields if edit else None,
        operators=operator_names(session),
        technologies=TECHNOLOGIES,
        statuses=STATUSES,
        sector_rows=range(rows),
        crumbs=[HOME, (f"/office/sites/{site_code}", site_code)],
    )


@router.get("/new", dependencies=[Depends(require("stations", "create"))], summary="Thêm trạm gốc")
def station_new(site_code: SiteCode, office: OfficeDep, session: SessionDep) -> Response:
    site = service.get_site(session, code=site_code)
    form = Form(labels=LABELS, values={"status": StationStatus.operating.value})
    return _form_page(office, session, form, title=f"Thêm trạm vào vị trí {site.code}",
                      action=f"/office/stations/new?site_code={site.code}", back=f"/office/sites/{site.code}",
                      site_code=site.code)  # fmt: skip


@router.post("/new", dependencies=[Depends(require("stations", "create"))], summary="Thêm trạm gốc")
async def station_create(site_code: SiteCode, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    values = form_values(await request.form(), lists=frozenset({"technologies"}))
    return await in_thread(_create, office, session, site_code, values)


def _create(office: Office, session: Any, site_code: str, values: dict[str, Any]) -> Response:
    site = service.get_site(session, code=site_code)
    form = Form(labels=_labels(_sector_rows(values)), values=values)
    with attempt(session, form):
        data = to_model(StationCreate, {**_model_values(values), "site_code": site.code})
        service.create_station(session, data=data)
    if form.refused:
        return _form_page(office, session, form, title=f"Thêm trạm vào vị trí {site.code}",
                          action=f"/office/stations/new?site_code={site.code}", back=f"/office/sites/{site.code}",
                          site_code=site.code)  # fmt: skip
    return done(f"/office/sites/{site.code}", "created")


@router.get("/{station_id}/edit", dependencies=[Depends(require("stations", "update"))], summary="Sửa trạm gốc")
def station_edit(station_id: StationId, office: OfficeDep, session: SessionDep) -> Response:
    station = service.get_station(session, station_id=station_id)
    code = station.site.code
    form = Form(labels=LABELS, values=_values(station))
    return _form_page(office, session, form, title=f"Sửa trạm {station.station_code}",
                      action=f"/office/stations/{station_id}/edit", back=f"/office/sites/{code}", site_code=code,
                      version=station.version, edit=True)  # fmt: skip


@router.post("/{station_id}/edit", dependencies=[Depends(require("stations", "update"))], summary="Sửa trạm gốc")
async def station_update(station_id: StationId, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    posted = await request.form()
    values = form_values(posted, lists=frozenset({"technologies"}))
    return await in_thread(_update, office, session, station_id, values, posted_version(posted))


def _edits(values: dict[str, Any], original: dict[str, Any], only: frozenset[str] | None) -> dict[str, Any]:
    """What the officer changed; the sectors whole when any row changed (they are renumbered 1..n)."""
    if only is None or "technologies" in only:
        values.setdefault("technologies", [])  # no box ticked: the browser sends nothing
    plain = {k: v for k, v in values.items() if k in LABELS and k not in ("operator", "station_code")}
    edits = changed(plain, original)
    sectors = {k: v for k, v in values.items() if k.startswith("sectors.")}
    was = {k: v for k, v in original.items() if k.startswith("sectors.")}
    if changed(sectors, was) or changed(was, sectors):
        edits.update(sectors)  # every row blank: an empty list, which clears the sectors
    return edits


def _update(office: Office, session: Any, station_id: int, values: dict[str, Any], version: int | None) -> Response:
    station = service.get_station(session, station_id=station_id)
    code = station.site.code
    current_version = station.version
    original = _values(station)
    grant = authorize(office.principal, "stations", "update")
    edits = _edits(values, original, grant.fields)
    form = Form(labels=_labels(_sector_rows({**original, **values})), values={**original, **values})
    if not edits:
        return done(f"/office/sites/{code}", "saved")
    try:
        with attempt(session, form):
            grant.check_fields({k.split(".")[0] for k in edits})
            clear = frozenset(k for k, v in edits.items() if v == "" and k in LABELS)
            data = to_model(StationPatch, _model_values(edits), clear=clear)
            service.update_station(session, station_id=station_id, data=data, expected_version=version)
    except StaleVersion:
        return stale_page(office, action=f"/office/stations/{station_id}/edit", back=f"/office/sites/{code}",
                          labels=_labels(_sector_rows(original)), current=original, mine=values,
                          current_version=current_version, crumbs=[HOME, (f"/office/sites/{code}", code)])  # fmt: skip
    if form.refused:
        return _form_page(office, session, form, title=f"Sửa trạm {station.station_code}",
                          action=f"/office/stations/{station_id}/edit", back=f"/office/sites/{code}", site_code=code,
                          version=version, edit=True)  # fmt: skip
    return done(f"/office/sites/{code}", "saved")


# --- deleting ------------------------------------------------------------------------------------


def _blockers(session: Any, station: Station) -> list[Any]:
    from registry.permits.service import permits_of

    held = permits_of(session, station_ids=[station.id])
    if not held:
        return []
    return [f"Trạm có {len(held)} giấy phép trong hồ sơ; đặt trạng thái «đã tháo dỡ» thay vì xóa:"] + [
        Link(f"/office/permits/{p.id}", p.number) for p in held
    ]


def _confirm(office: Office, station: Station, blockers: list[Any], status: int = 200) -> Response:
    code = station.site.code
    return page(
        office,
        "confirm.html",
        title=f"Xóa trạm {station.station_code}",
        status=status,
        what=f"trạm {station.station_code} ({station.operator.short_name}) ở vị trí {code}",
        blockers=blockers,
        action=f"/office/stations/{station.id}/delete",
        back=f"/office/sites/{code}",
        version=station.version,
        crumbs=[HOME, (f"/office/sites/{code}", code)],
    )


@router.get("/{station_id}/delete", dependencies=[Depends(require("stations", "delete"))], summary="Xóa trạm gốc")
def station_delete_page(station_id: StationId, office: OfficeDep, session: SessionDep) -> Response:
    station = service.get_station(session, station_id=station_id)
    return _confirm(office, station, _blockers(session, station))


@router.post("/{station_id}/delete", dependencies=[Depends(require("stations", "delete"))], summary="Xóa trạm gốc")
async def station_delete(station_id: StationId, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    version = posted_version(await request.form())
    return await in_thread(_delete, office, session, station_id, version)


def _delete(office: Office, session: Any, station_id: int, version: int | None) -> Response:
    station = service.get_station(session, station_id=station_id)
    code = station.site.code
    form = Form()
    try:
        with attempt(session, form):
            service.delete_station(session, station_id=station_id, expected_version=version)
    except StaleVersion:
        form.general.append("Trạm vừa được người khác sửa; xem lại trước khi xóa.")
    if form.refused:
        session.expire_all()
        station = service.get_station(session, station_id=station_id)
        return _confirm(office, station, _blockers(session, station) or form.general, 409)
    return done(f"/office/sites/{code}", "deleted")
