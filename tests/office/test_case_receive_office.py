"""Receiving a case in the back office without a browser: each kind, parties, links and position
saved by the service, the record search for link rows, refusals on their row and field with nothing
saved, who may name the handler, hostile text escaped, citizen reception sessions, and a denouncer's
identity on no page but the handler's and an admin's."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.cases.models import Case, ReceptionSession
from registry.cases.vocabulary import KIND_NAMES, CaseKind
from registry.clock import today
from tests.factories import make_site, make_station
from tests.html_reader import elements
from tests.office.conftest import csrf_of

EVIL = "<script>alert('x')</script>"
SECRET = {
    "name": "Trần Thị Bímật",
    "id_number": "031099887766",
    "phone": "0912 345 678",
    "email": "to.cao.bimat@example.vn",
    "address": "Số 9 ngõ Kín, Lê Chân",
}


def _post(c: TestClient, fields: dict[str, str], path: str = "/office/cases/new") -> Any:
    form = c.get(path if "?" in path else "/office/cases/new")
    assert form.status_code == 200, form.text
    return c.post("/office/cases/new", data={"csrf_token": csrf_of(form.text), **fields}, follow_redirects=False)


def _case(kind: str = "complaint", **extra: str) -> dict[str, str]:
    return {"kind": kind, "channel": "in_person", "received_on": f"{today():%d/%m/%Y}",
            "subject": "Trạm gốc gây nhiễu sóng truyền hình", **extra}  # fmt: skip


def _count(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Case)) or 0


def _saved(db: Session, r: Any) -> Case:
    assert r.status_code == 303, r.text
    code = r.headers["location"].split("/office/cases/", 1)[1].split("?", 1)[0]
    db.expire_all()
    case = db.scalar(select(Case).where(Case.code == code))
    assert case is not None
    return case


def test_each_kind_is_received_with_its_code(cookie_client: Callable[..., TestClient], db: Session) -> None:
    c = cookie_client("inspector")
    page = c.get("/office/cases/new")
    options = [o.attrs["value"] for o in elements(page.text, "option") if o.attrs.get("value")]
    for kind in CaseKind:
        assert kind.value in options
        assert KIND_NAMES[kind] in page.text
    prefixes = {"complaint": "KN-", "second_complaint": "KN2-", "denunciation": "TC-", "petition": "PA-",
                "planned_inspection": "TT-", "adhoc_inspection": "TTDX-"}  # fmt: skip
    for kind, prefix in prefixes.items():
        case = _saved(db, _post(c, _case(kind)))
        assert case.code.startswith(prefix) and case.kind == kind and case.handler_id is None
        assert case.state == "received" and case.channel == "in_person"


def test_parties_links_position_and_handler_are_saved(
    cookie_client: Callable[..., TestClient], db: Session, make_user: Any
) -> None:
    site = make_site(db, code="CR-SITE-1", address="Số 5 Điện Biên Phủ")
    station = make_station(db, site=site, station_code="CR-ST-1")
    c = cookie_client("inspector", username="tra.vien")
    fields = _case(
        "denunciation", complex="true", remote="true", unit="Phòng Thanh tra", handler="tra.vien",
        **{"position.lon": "106.6881", "position.lat": "20.8449",
           # the first party row left blank: rows are kept in order, blanks dropped
           "parties.1.role": "denouncer", "parties.1.name": SECRET["name"], "parties.1.phone": SECRET["phone"],
           "parties.2.role": "respondent", "parties.2.name": "Công ty Viễn thông X",
           "links.0.entity": "site", "links.0.code": "CR-SITE-1",
           "links.1.entity": "station", "links.1.code": str(station.id),
           "links.2.entity": "organisation", "links.2.code": "VIETTEL"},
    )  # fmt: skip
    case = _saved(db, _post(c, fields))
    assert case.complex and case.remote and not case.especially_complex and case.unit == "Phòng Thanh tra"
    assert [(p.role, p.name, p.phone) for p in case.parties] == [
        ("denouncer", SECRET["name"], SECRET["phone"]),
        ("respondent", "Công ty Viễn thông X", None),
    ]
    assert [(link.entity, link.entity_code) for link in case.links] == [
        ("site", "CR-SITE-1"), ("station", str(station.id)), ("organisation", "VIETTEL")
    ]  # fmt: skip
    api = c.get(f"/api/cases/{case.code}").json()
    assert api["location"] == {"lon": 106.6881, "lat": 20.8449} and api["handler"] == "tra.vien"
    # On the cases map and its GeoJSON.
    geo = c.get("/api/cases.geojson").json()
    assert case.code in [f["properties"]["code"] for f in geo["features"]]
    assert c.get("/maps/cases").status_code == 200


def test_refusals_come_back_on_their_row_and_field_and_save_nothing(
    cookie_client: Callable[..., TestClient], db: Session
) -> None:
    c = cookie_client("inspector")
    before = _count(db)
    bad = _post(c, _case(**{
        "subject": EVIL, "received_on": "31/02/2026",
        "parties.0.role": "complainant", "parties.0.name": "Nguyễn Văn A",
        "parties.1.role": "complainant", "parties.1.name": "Lê B", "parties.1.email": "không-phải-thư",
        "links.0.entity": "site", "links.0.code": "KHONG-CO-MA",
        "position.lon": "-500", "position.lat": "20.8",
    }))  # fmt: skip
    assert bad.status_code == 422
    assert _count(db) == before
    summary = [a.attrs["href"] for a in elements(bad.text, "a") if a.attrs.get("href", "").startswith("#f-")]
    assert "#f-received_on" in summary
    # The form is back, filled, the hostile subject escaped.
    assert EVIL not in bad.text and "&lt;script&gt;" in bad.text
    assert elements(bad.text, "input", id="f-parties-1-email")[0].attrs["value"] == "không-phải-thư"
    # Fixing the date shows the next refusals (the model checks fields before the service's rules).
    bad2 = _post(c, _case(**{
        "parties.0.role": "complainant", "parties.0.name": "Nguyễn Văn A",
        "parties.1.role": "complainant", "parties.1.name": "Lê B", "parties.1.email": "không-phải-thư",
    }))  # fmt: skip
    assert bad2.status_code == 422 and _count(db) == before
    err = elements(bad2.text, "p", id="f-parties-1-email-error")
    assert err and elements(bad2.text, "input", id="f-parties-1-email")[0].attrs.get("aria-invalid") == "true"
    unknown = _post(c, _case(**{"links.0.entity": "site", "links.0.code": "KHONG-CO-MA"}))
    assert unknown.status_code == 422 and _count(db) == before
    assert "KHONG-CO-MA" in elements(unknown.text, "p", id="f-links-0-code-error")[0].text
    far = _post(c, _case(**{"position.lon": "-500", "position.lat": "20.8"}))
    assert far.status_code == 422 and _count(db) == before and "#f-position-lon" in far.text
    long = _post(c, _case(subject="x" * 600, content="y" * 30_000))
    assert long.status_code == 422 and _count(db) == before
    # "Thêm dòng" brings more rows and saves nothing.
    more = _post(c, _case(**{"parties.0.role": "complainant", "parties.0.name": "Nguyễn Văn A", "action": "more"}))
    assert more.status_code == 200 and _count(db) == before
    assert elements(more.text, "input", id="f-parties-4-name") and "Nguyễn Văn A" in more.text


def test_only_an_admin_names_another_handler(
    cookie_client: Callable[..., TestClient], db: Session, make_user: Any
) -> None:
    make_user("inspector", username="nguoi.khac")
    c = cookie_client("inspector", username="tu.nhan")
    page = c.get("/office/cases/new").text
    assert "Tôi nhận xử lý" in page and not elements(page, "select", id="f-handler")
    before = _count(db)
    refused = _post(c, _case(handler="nguoi.khac"))
    assert refused.status_code == 422 and _count(db) == before
    message = elements(refused.text, "p", id="f-handler-error")[0].text
    assert "chỉ được tự nhận xử lý" in message
    mine = _saved(db, _post(c, _case(handler="tu.nhan")))
    assert mine.handler_id is not None
    admin = cookie_client("admin", username="quan.tri")
    page = admin.get("/office/cases/new").text
    handlers = [o.attrs["value"] for o in elements(page, "option") if o.attrs.get("value") == "nguoi.khac"]
    assert handlers == ["nguoi.khac"]
    given = _saved(db, _post(admin, _case(handler="nguoi.khac")))
    assert admin.get(f"/api/cases/{given.code}").json()["handler"] == "nguoi.khac"


def test_the_record_search_finds_codes_and_names_without_diacritics(
    cookie_client: Callable[..., TestClient], db: Session, anon: TestClient
) -> None:
    for i in range(12):
        make_site(db, code=f"SRCH-{i:02d}", address=f"Số {i} đường Trần Nguyên Hãn")
    site = make_site(db, code="SRCH-ONE", address="Ngõ Điện Lực, Lê Chân")
    station = make_station(db, site=site, station_code="SRCH-ST")
    anonymous = anon.get("/office/search/records?entity=site&q=dien", follow_redirects=False)
    assert anonymous.status_code == 303 and "/maps/sign-in" in anonymous.headers["location"]
    c = cookie_client("viewer")
    found = c.get("/office/search/records?entity=site&q=ngo dien luc").json()["items"]
    assert [i["code"] for i in found] == ["SRCH-ONE"] and "Ngõ Điện Lực" in found[0]["label"]
    assert set(found[0]) == {"code", "label", "lon", "lat"}
    many = c.get("/office/search/records?entity=site&q=tran nguyen han").json()["items"]
    assert len(many) == 10
    st = c.get("/office/search/records?entity=station&q=srch-st").json()["items"]
    assert st == [{"code": str(station.id), "label": st[0]["label"]}] and "SRCH-ST" in st[0]["label"]
    org = c.get("/office/search/records?entity=organisation&q=viettel").json()["items"]
    assert "VIETTEL" in [o["code"] for o in org] and all(set(o) == {"code", "label"} for o in org)
    # Wildcards are text, not patterns; hostile text comes back as JSON text.
    assert c.get("/office/search/records?entity=site&q=%25").json()["items"] == []
    assert c.get("/office/search/records?entity=site&q=_").json()["items"] == []
    evil = c.get("/office/search/records", params={"entity": "organisation", "q": EVIL})
    assert evil.status_code == 200 and evil.json()["items"] == [] and evil.headers["content-type"] == "application/json"
    bad = c.get("/office/search/records?entity=party&q=a")
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("text/html")
    assert c.get("/office/search/records", params={"entity": "site", "q": "x" * 200}).status_code == 422


def test_a_case_received_at_a_reception_session(cookie_client: Callable[..., TestClient], db: Session) -> None:
    c = cookie_client("inspector")
    form = c.get("/office/reception/new")
    assert form.status_code == 200
    refused = c.post("/office/reception/new", data={"csrf_token": csrf_of(form.text), "held_on": "32/13/2026",
                                                    "host": ""})  # fmt: skip
    assert refused.status_code == 422 and 'href="#f-host"' in refused.text
    r = c.post("/office/reception/new", data={"csrf_token": csrf_of(form.text), "held_on": "15/01/2026",
               "host": f"Giám đốc Sở {EVIL}", "place": "Trụ sở tiếp công dân"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    sid = int(r.headers["location"].split("/office/reception/", 1)[1].split("?", 1)[0])
    page = c.get(f"/office/reception/{sid}")
    assert EVIL not in page.text and "Tiếp nhận vụ việc tại buổi này" in page.text
    assert elements(page.text, "a", id="receive-here")[0].attrs["href"] == f"/office/cases/new?reception={sid}"
    new = c.get(f"/office/cases/new?reception={sid}")
    chosen = [o.attrs["value"] for o in elements(new.text, "option") if "selected" in o.attrs]
    assert "reception_session" in chosen
    assert elements(new.text, "input", id="f-received_on")[0].attrs["value"] == "15/01/2026"
    fields = {"kind": "complaint", "channel": "reception_session", "received_on": "15/01/2026",
              "subject": "Khiếu nại quyết định xử phạt", "reception_session_id": str(sid),
              "parties.0.role": "complainant", "parties.0.name": "Phạm Văn C"}  # fmt: skip
    case = _saved(db, c.post("/office/cases/new", data={"csrf_token": csrf_of(new.text), **fields},
                             follow_redirects=False))  # fmt: skip
    assert case.reception_session_id == sid and case.channel == "reception_session"
    wrong = c.post("/office/cases/new", data={"csrf_token": csrf_of(new.text), **fields, "channel": "post"})
    assert wrong.status_code == 422 and "buổi tiếp công dân" in elements(wrong.text, "p", id="f-channel-error")[0].text
    gone = c.post("/office/cases/new", data={"csrf_token": csrf_of(new.text), **fields,
                                             "reception_session_id": "999999"})  # fmt: skip
    assert gone.status_code == 422
    assert c.get("/office/cases/new?reception=999999").status_code == 404
    assert case.code in c.get(f"/office/reception/{sid}").text
    listing = c.get("/office/reception?year=2026")
    assert listing.status_code == 200 and case.code in listing.text and "Tháng 12" in listing.text
    # The API gets the same link.
    db.expire_all()
    assert db.get(ReceptionSession, sid) is not None
    api = c.post("/api/cases", json={**{k: v for k, v in fields.items() if "." not in k},
                                     "received_on": "2026-01-15", "reception_session_id": sid},
                 headers={"X-CSRF-Token": csrf_of(new.text)})  # fmt: skip
    assert api.status_code == 201, api.text
    db.expire_all()
    assert db.scalar(select(Case.reception_session_id).where(Case.code == api.json()["code"])) == sid
    # A reader sees the sessions but no form.
    viewer = cookie_client("viewer")
    assert viewer.get("/office/reception").status_code == 200
    assert viewer.get("/office/reception/new").status_code == 403


@pytest.mark.parametrize("other", ["inspector", "viewer", "licensing_officer"])
def test_the_denouncer_is_on_no_page_but_the_handlers_and_an_admins(
    cookie_client: Callable[..., TestClient], db: Session, other: str
) -> None:
    handler = cookie_client("inspector", username="xu.ly")
    form = handler.get("/office/reception/new")
    r = handler.post("/office/reception/new", data={"csrf_token": csrf_of(form.text), "held_on": "15/01/2026",
                     "host": "Giám đốc Sở"}, follow_redirects=False)  # fmt: skip
    sid = r.headers["location"].split("/office/reception/", 1)[1].split("?", 1)[0]
    fields = {"kind": "denunciation", "channel": "reception_session", "received_on": "15/01/2026",
              "subject": "Tố cáo cán bộ nhận tiền", "handler": "xu.ly", "reception_session_id": sid,
              "position.lon": "106.69", "position.lat": "20.85",
              **{f"parties.0.{k}": v for k, v in SECRET.items()}, "parties.0.role": "denouncer",
              "parties.1.role": "respondent", "parties.1.name": "Cán bộ Y"}  # fmt: skip
    page = handler.get(f"/office/cases/new?reception={sid}")
    assert "Luật Tố cáo 2018" in page.text
    case = _saved(db, handler.post("/office/cases/new", data={"csrf_token": csrf_of(page.text), **fields},
                                   follow_redirects=False))  # fmt: skip
    secrets = [SECRET["name"], SECRET["id_number"], SECRET["phone"], SECRET["email"], SECRET["address"]]
    # The record page shows a party's name and address; the API the rest.
    mine = handler.get(f"/records/cases/{case.code}").text
    assert SECRET["name"] in mine and SECRET["address"] in mine
    assert handler.get(f"/api/cases/{case.code}").json()["parties"][0] == {"role": "denouncer", **SECRET,
                                                                            "confidential": True}  # fmt: skip
    c = cookie_client(other)
    pages = [f"/records/cases/{case.code}", f"/office/reception/{sid}", "/office/reception", "/maps/cases",
             "/api/cases.geojson", f"/api/cases/{case.code}"]  # fmt: skip
    if other == "inspector":
        pages.append(f"/office/cases/new?reception={sid}")
    for path in pages:
        r = c.get(path)
        assert r.status_code == 200, (path, r.status_code)
        body = r.text if "json" not in r.headers["content-type"] else json.dumps(r.json(), ensure_ascii=False)
        for s in secrets:
            assert s not in body, (other, path, s)
    assert case.code in c.get(f"/office/reception/{sid}").text
    admin = cookie_client("admin")
    seen = admin.get(f"/records/cases/{case.code}").text
    assert SECRET["name"] in seen and SECRET["address"] in seen
