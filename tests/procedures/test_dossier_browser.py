"""The dossier dashboard and the public look-up page in headless Chromium: no console error, no
request leaving 127.0.0.1, the figures the report API gives, a drawn chart, a screenshot each."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.maps.test_browser import ARTEFACTS, Browser, pytestmark  # noqa: F401 - the same skip rule
from tests.procedures.helpers import make_procedure
from tests.procedures.test_dossiers_api import go, receive


@pytest.fixture
def desk(db: Session, client: TestClient) -> dict[str, Any]:
    make_procedure(db, "1.000001.000.00.00.H27", field="telecom", value=10)
    make_procedure(db, "1.000002.000.00.00.H27", field="press", value=15, level=2)
    dossiers = [receive(client, "1.000001.000.00.00.H27", at=f"2026-03-{d:02d}T09:00:00+07:00") for d in (2, 3, 4)]
    dossiers.append(receive(client, "1.000002.000.00.00.H27", at="2026-04-01T10:00:00+07:00", channel="online"))
    go(client, dossiers[0], "transferred", "2026-03-02T10:00:00+07:00")
    return {"dossiers": dossiers}


def test_the_dashboard_draws_the_reports_figures(anon: TestClient, desk: dict[str, Any]) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    report = anon.get("/api/reports/dossiers", params={"from": "2026-01-01", "to": "2026-06-30"}).json()
    b = Browser(anon)
    try:
        b.open("/pages/dossiers/dashboard?from=2026-01-01&to=2026-06-30", ready="document.body.dataset.ready")
        assert b.page.evaluate("document.body.dataset.ready") == "1"
        for key in ("received", "new", "pending_within_deadline", "resolved_on_time_or_early"):
            shown = b.page.locator(f'[data-figure="{key}"]').inner_text()
            assert shown.replace(".", "") == str(report["figures"][key]), key
        assert report["figures"]["received"] == 4
        # Chart.js drew the monthly trend: the canvas holds pixels.
        assert (
            b.page.evaluate(
                "(function () { var c = document.getElementById('trend-chart');"
                " return c.width > 0 && Chart.getChart(c).data.labels.length; })()"
            )
            >= 6
        )
        b.page.screenshot(path=str(ARTEFACTS / "dossier-dashboard.png"), full_page=True)
        assert b.errors == [] and b.external == [], (b.errors, b.external)
    finally:
        b.close()


def test_the_public_look_up_page(anon: TestClient, desk: dict[str, Any]) -> None:
    code = desk["dossiers"][0]["receipt_code"]
    b = Browser(anon)
    try:
        b.open("/pages/dossiers/lookup", ready="document.body.dataset.ready === 'empty'")
        b.page.fill("#code", code)
        b.page.click("#lookup-form button")
        b.wait("document.body.dataset.ready === '200'", timeout=5000)
        text = b.page.locator("#result").inner_text()
        assert code in text and "Nguyễn Thị Mẫu" not in text and "0912345678" not in text
        assert f"code={code}" in b.page.url  # the look-up is in the URL
        b.page.screenshot(path=str(ARTEFACTS / "dossier-lookup.png"))
        b.page.fill("#code", "XX-000000-00000-00000")
        b.page.click("#lookup-form button")
        b.wait("document.body.dataset.ready === '404'", timeout=5000)
        b.errors.clear()  # the 404 of an unknown code is reported by the console
        assert b.external == []
    finally:
        b.close()
