"""Hostile text in every stored field the home, sign-in, record and dossier pages show, and in every
query parameter they echo, comes out as text: parsed as a browser would, no element or attribute is
made from it, no inline handler or inline script exists, every script is a local file or JSON data,
and the JSON data gives back the very value stored or asked for. (The map pages and a real browser
are tested in test_hostile_browser.py.)"""

from __future__ import annotations

import json
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from maps.home import safe_next
from maps.templating import script_json, who
from registry.organisations.models import Organisation
from registry.settings import Settings
from tests.api.helpers import page_problem
from tests.conftest import ClientAs
from tests.factories import make_permit, make_site, make_station
from tests.procedures.helpers import make_procedure

PAYLOADS = [
    "</script><script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "${alert(1)}",
    "'-alert(1)-'",
    "\u2028",
]
# 89 characters for free text; U+2028 in the middle, where no stripping of the ends removes it.
HOSTILE = PAYLOADS[0] + PAYLOADS[1] + PAYLOADS[4] + PAYLOADS[2] + PAYLOADS[3]
CODE = ("SỐ" + HOSTILE)[:60]  # for numbers and codes limited to 60 characters
SHORT = '"><img src=x onerror=alert(1)>\u2028${x}'  # for names limited to 80 characters
TINY = '"><img src=x>'  # for a 16-character band


class Page(HTMLParser):
    """What a browser would build from the page: tags with attributes, scripts, and the visible text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self._in: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style", "title"):
            self._in = tag
            if tag == "script":
                self.scripts.append((dict(attrs), ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        elif self._in is None:
            self.text.append(data)

    @property
    def visible(self) -> str:
        return "".join(self.text)

    def attr(self, tag: str, attribute: str, **match: str) -> str | None:
        for t, attrs in self.tags:
            if t == tag and all(attrs.get(k) == v for k, v in match.items()):
                return attrs.get(attribute)
        raise AssertionError(f"no <{tag} {match}>")

    def data(self) -> Any:
        """The page data the page scripts read (JSON.parse of the element's text)."""
        blocks = [body for attrs, body in self.scripts if attrs.get("id") == "page-data"]
        assert len(blocks) == 1, self.scripts
        return json.loads(blocks[0])


QR_SRC = "data:image/svg+xml;base64,"


def safe(response: Any, *shown: str) -> Page:
    """The page parsed; it carries no markup, handler or script made from text, and shows ``shown`` as text."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    raw = response.text
    page = Page(raw)
    for tag, attrs in page.tags:
        # The one image a template draws: the receipt's QR code, SVG made by segno as a base64 data: URI.
        qr = tag == "img" and attrs.get("id") == "receipt-qr" and (attrs.get("src") or "").startswith(QR_SRC)
        assert qr or tag not in ("img", "svg", "iframe", "object", "embed", "base"), (tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)  # no inline event handler
            assert "javascript:" not in (value or "").lower(), (tag, name, value)
            assert "<" not in name and '"' not in name, (tag, name)
    for attrs, body in page.scripts:
        if attrs.get("type") == "application/json":
            assert "<" not in body and "\u2028" not in body and "\u2029" not in body, body
            json.loads(body)
        else:
            assert attrs.get("src", "").startswith("/static/") and body.strip() == "", (attrs, body)
    assert "<img" not in raw.replace('<img id="receipt-qr" src="' + QR_SRC, "") and "<script>alert" not in raw
    for text in shown:
        assert text in page.visible, (text, page.visible[:2000])
    return page


# --- the pure pieces ------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [*PAYLOADS, HOSTILE, "\u2029</SCRIPT>&amp;<!--"])
def test_script_json_escapes_what_could_end_a_script_and_round_trips(payload: str) -> None:
    value = {"text": payload, "list": [payload, 1.5, None, True]}
    out = script_json(value)
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in out
    assert json.loads(str(out)) == value


def test_who_escapes_the_name_and_the_way_back() -> None:
    signed = Page(str(who("vi", HOSTILE, "/")))
    assert signed.tags == [("b", {"id": "who"})] and signed.visible == "Đã đăng nhập: " + HOSTILE
    here = "/records/sites/A?x=" + HOSTILE
    link = Page(str(who("en", None, here)))
    href = link.attr("a", "href", id="sign-in")
    assert href is not None and parse_qs(urlsplit(href).query) == {"lang": ["en"], "next": [here]}
    assert [t for t, _ in link.tags] == ["a"]


@pytest.mark.parametrize(
    "target",
    ["//evil.example/x", "/\\evil.example", "\\\\evil.example", "https://evil.example", "/\t/evil.example",
     "/\n/evil.example", "javascript:alert(1)", "", None],
)  # fmt: skip
def test_safe_next_keeps_only_paths_on_this_site(target: str | None) -> None:
    assert safe_next(target) == "/maps/"


# --- echoed query parameters ------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/maps/cases?kind=" + p for p in PAYLOADS] + ["/maps/" + HOSTILE])
def test_the_sign_in_next_reaches_the_script_only_as_json(anon: TestClient, target: str) -> None:
    page = safe(anon.get("/maps/sign-in", params={"next": target}))
    assert page.data() == {"next": target, "failed": "Không đăng nhập được"}
    # The sign-in page's own link back carries it URL-encoded.
    assert page.attr("form", "action", id="sign-in-form") == "/api/auth/token?cookie=true"
    off_site = safe(anon.get("/maps/sign-in", params={"next": "//evil.example/" + HOSTILE}))
    assert off_site.data()["next"] == "/maps/"


def test_the_lookup_code_is_an_attribute_value_only(anon: TestClient) -> None:
    code = '"><img src=x onerror=alert(1)></script>'  # 38 characters: the parameter allows 40
    page = safe(anon.get("/pages/dossiers/lookup", params={"code": code, "lang": "en"}))
    assert page.attr("input", "value", id="code") == code
    assert page.data() == {"text": page.data()["text"], "lang": "en"} and page.data()["text"]["search"] == "Look up"
    assert anon.get("/pages/dossiers/lookup", params={"code": HOSTILE}).status_code == 422  # over 40


def test_the_dashboard_period_is_dates_only(anon: TestClient) -> None:
    page = safe(anon.get("/pages/dossiers/dashboard", params={"from": "2026-01-01", "to": "2026-06-30"}))
    data = page.data()
    assert (data["from"], data["to"], data["lang"]) == ("2026-01-01", "2026-06-30", "vi")
    assert page.attr("input", "value", name="from") == "2026-01-01"
    assert "(01/01/2026 – 30/06/2026)" in page.visible
    for name in ("from", "to"):
        refused = anon.get("/pages/dossiers/dashboard", params={name: HOSTILE})
        assert page_problem(refused, 422)["errors"][0]["field"] == name
        assert HOSTILE not in refused.text  # the value, if shown at all, is escaped


def test_a_record_page_echoes_its_address_only_url_encoded(anon: TestClient, db: Session) -> None:
    make_station(db, site=make_site(db, code="ESC-URL"))
    page = safe(anon.get("/records/sites/ESC-URL", params={"lang": "vi", "x": HOSTILE}))
    href = page.attr("a", "href", id="sign-in")
    assert href is not None
    back = parse_qs(urlsplit(href).query)["next"][0]
    assert back.startswith("/records/sites/ESC-URL?") and parse_qs(urlsplit(back).query) == {
        "lang": ["vi"],
        "x": [HOSTILE],
    }


# --- stored text ------------------------------------------------------------------------------------


@pytest.fixture
def hostile_site(db: Session) -> str:
    db.execute(update(Organisation).where(Organisation.code == "VIETTEL").values(short_name=SHORT))
    owner = Organisation(code="ESC-OWNER", name=HOSTILE, short_name=SHORT[::-1])
    db.add(owner)
    db.flush()
    site = make_site(db, code="ESC-1", address=HOSTILE, owner=owner)
    site.notes = HOSTILE
    station = make_station(db, site=site, station_code=CODE, bands=[TINY])
    permit = make_permit(db, kind="construction_permit", site=site, number=CODE, valid_until=date.today())
    permit.issuer = HOSTILE
    make_permit(db, kind="inspection_certificate", station=station, number=SHORT[:60])
    db.flush()
    return site.code


def test_a_site_record_page(client: TestClient, anon: TestClient, hostile_site: str) -> None:
    staff = safe(client.get(f"/records/sites/{hostile_site}"), HOSTILE, SHORT, SHORT[::-1], CODE, TINY)
    assert staff.visible.count(HOSTILE) >= 2  # the address and the notes (and the issuer)
    public = safe(anon.get(f"/records/sites/{hostile_site}"), HOSTILE)
    assert CODE not in public.visible  # no station codes for the public, as before


@pytest.fixture
def hostile_outlet(client: TestClient) -> str:
    outlet = {
        "code": "ESC-BAO",
        "kind": "print_newspaper",
        "name": HOSTILE,
        "short_name": SHORT,
        "governing_body": HOSTILE,
        "head_name": HOSTILE,
        "head_title": SHORT,
        "address": HOSTILE,
        "notes": HOSTILE,
    }
    assert client.post("/api/press/outlets", json=outlet).status_code == 201
    office = {"code": "ESC-VP", "kind": "representative_office", "name": SHORT, "address": HOSTILE,
              "parent_code": "ESC-BAO"}  # fmt: skip
    assert client.post("/api/press/outlets", json=office).status_code == 201
    licence = {"outlet_code": "ESC-BAO", "kind": "press_licence", "number": CODE, "issuer": HOSTILE,
               "issue_date": "2020-01-01", "valid_until": (date.today() + timedelta(days=30)).isoformat()}  # fmt: skip
    created = client.post("/api/press/licences", json=licence)
    assert created.status_code == 201, created.text
    return "ESC-BAO"


def test_an_outlet_record_page(client: TestClient, anon: TestClient, hostile_outlet: str) -> None:
    staff = safe(client.get(f"/records/outlets/{hostile_outlet}"), HOSTILE, SHORT, CODE)
    assert staff.visible.count(HOSTILE) >= 4  # name (heading), governing body, head, address, notes, issuer
    assert (
        "<title>" + HOSTILE.replace("<", "&lt;").replace(">", "&gt;")[:20]
        in client.get(f"/records/outlets/{hostile_outlet}").text
    )  # the title is escaped text too
    public = safe(anon.get(f"/records/outlets/{hostile_outlet}"), HOSTILE)
    assert CODE not in public.visible  # licence numbers are for staff
    office = safe(anon.get("/records/outlets/ESC-VP"), SHORT, HOSTILE)
    assert office.attr("a", "href", href="/records/outlets/ESC-BAO?lang=vi") is not None  # the parent, as a link


def test_a_case_record_page(client: TestClient, client_as: ClientAs) -> None:
    body = {
        "kind": "denunciation",
        "received_on": (date.today() - timedelta(days=5)).isoformat(),
        "channel": "post",
        "subject": HOSTILE,
        "content": HOSTILE,
        "parties": [
            {"role": "denouncer", "name": "Kín " + HOSTILE, "address": HOSTILE},
            {"role": "respondent", "name": "Bị " + HOSTILE, "address": HOSTILE},
        ],
    }
    created = client.post("/api/cases", json=body)
    assert created.status_code == 201, created.text
    case = created.json()
    moved = client.post(
        f"/api/cases/{case['code']}/transitions",
        json={"to": "accepted", "reason": HOSTILE},
        headers={"If-Match": f'"{case["version"]}"'},
    )
    assert moved.status_code == 200, moved.text
    admin = safe(client.get(f"/records/cases/{case['code']}"), HOSTILE, "Kín " + HOSTILE, "Bị " + HOSTILE)
    assert admin.visible.count(HOSTILE) >= 5  # subject, content, both names and addresses, the reason
    inspector = safe(client_as("inspector").get(f"/records/cases/{case['code']}"), "Bị " + HOSTILE, "(bảo mật)")
    assert "Kín" not in inspector.visible  # the denouncer stays hidden


def test_the_receipt(client: TestClient, db: Session, settings: Settings) -> None:
    settings.department_name = HOSTILE
    make_procedure(db, "1.000009.000.00.00.H27", name=HOSTILE)
    body = {
        "procedure_code": "1.000009.000.00.00.H27",
        "applicant": {"kind": "person", "name": HOSTILE, "phone": "0912345678"},
        "channel": "in_person",
        "received_at": "2026-03-02T09:00:00+07:00",
    }
    made = client.post("/api/dossiers", json=body)
    assert made.status_code == 201, made.text
    code = made.json()["receipt_code"]
    page = safe(client.get(f"/api/dossiers/{code}/receipt"), HOSTILE, f"{HOSTILE} (1.000009.000.00.00.H27)")
    assert page.visible.count(HOSTILE) >= 3  # department, procedure, applicant
    assert "02/03/2026" in page.visible


def test_the_home_page_for_a_signed_in_user(client: TestClient) -> None:
    page = safe(client.get("/maps/", params={"lang": "en"}), "Signed in: admin-test")
    assert page.attr("button", "id", id="print-page") == "print-page"  # printing is a button print.js wires
    assert {a.get("src") for a, _ in page.scripts} == {"/static/js/print.js"}
    assert client.get("/static/js/print.js").status_code == 200
