"""The back office checked by axe-core (WCAG 2.1 A and AA rules: contrast, labels, names, structure)
on its main pages, and a form done with the keyboard alone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from tests.factories import make_site, make_station
from tests.office.conftest import assert_clean

AXE = Path(__file__).resolve().parents[2] / "maps" / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page: Any) -> list[Any]:
    """axe-core's WCAG 2.1 A/AA violations of the page as it is (injected by the test, not the app)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    return list(
        page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
            ".map(v => [v.id, v.impact, v.nodes.length, v.nodes[0].target.join(' '), v.nodes[0].failureSummary])",
            RULES,
        )
    )


def test_the_office_pages_pass_axe(office_browser: Callable[..., Any], db: Session) -> None:
    site = make_site(db, code="AX-1", lon=106.70, lat=20.85, pole_class="A2b", pole_height_m=30)
    make_station(db, site=site, operator_code="VIETTEL")
    b = office_browser("licensing_officer", viewport=(1280, 800))
    p = b.page
    found = {}
    for path in ("/office/", "/office/sites", "/office/sites/AX-1", "/office/sites/new", "/office/permits",
                 "/office/work/missing", "/office/check", "/office/zones", "/office/licences/new"):  # fmt: skip
        p.goto(f"http://127.0.0.1{path}")
        p.wait_for_load_state("networkidle")
        found[path] = violations(p)
    # A refused form: the error summary and the invalid fields.
    p.goto("http://127.0.0.1/office/licences/new")
    p.click("button.primary")
    p.wait_for_selector("#error-summary")
    found["refused form"] = violations(p)
    assert not any(found.values()), {k: v for k, v in found.items() if v}
    # The check is not vacuous: light grey text and an unlabelled field are caught.
    p.evaluate(
        "() => { const d = document.createElement('p'); d.textContent = 'mờ'; d.style.color = '#ccc';"
        " document.querySelector('main').append(d, document.createElement('input')); }"
    )
    assert {"color-contrast", "label"} <= {v[0] for v in violations(p)}
    assert_clean(b)


def test_a_licence_recorded_with_the_keyboard_alone(office_browser: Callable[..., Any]) -> None:
    b = office_browser("licensing_officer", viewport=(1280, 800))
    p = b.page
    p.goto("http://127.0.0.1/office/licences/new")
    p.keyboard.press("Tab")
    assert p.evaluate("document.activeElement.className") == "skip-link"
    p.keyboard.press("Enter")
    assert p.url.endswith("#main")
    # Submitting the empty form: the error summary takes the focus, its first link leads to the field.
    p.focus("button.primary")
    p.keyboard.press("Enter")
    p.wait_for_selector("#error-summary")
    # office.js moves the focus once it has loaded (after the element is in the page): wait for the
    # page's scripts, not only for the element.
    p.wait_for_load_state("load")
    assert p.evaluate("document.activeElement.id") == "error-summary"
    p.keyboard.press("Tab")
    p.keyboard.press("Enter")
    first = p.evaluate("document.activeElement.id")
    assert first.startswith("f-"), first
    p.focus("#f-operator")
    p.keyboard.press("ArrowDown")
    while p.evaluate("document.activeElement.id") != "f-band":
        p.keyboard.press("Tab")
    p.keyboard.type("900")
    p.keyboard.press("Tab")
    p.keyboard.type("GPTS-BAN-PHIM")
    p.keyboard.press("Enter")  # Enter in a text field submits the form
    p.wait_for_selector("#notice")
    assert "GPTS-BAN-PHIM" in p.locator("#details").inner_text()
    assert_clean(b)
