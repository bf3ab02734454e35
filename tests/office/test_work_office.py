"""The work lists as pages: the index with counts, each list with the API's filters, paging and sort,
rows linking to their site (and permit), and an Excel file of exactly the filtered rows — the same
file the API gives for the same filters."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from registry.clock import today
from tests.factories import make_permit, make_site, make_station
from tests.html_reader import elements

EVIL = "<script>alert('x')</script>"


def _sheet(content: bytes) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))


@pytest.fixture
def lists(db: Session) -> dict[str, Any]:
    on = today()
    a = make_site(db, code="WK-A", pole_class="A2b", pole_height_m=30, address=f"Đường {EVIL}")
    b = make_site(db, code="WK-B", pole_class="A2b", pole_height_m=30)
    sa = make_station(db, site=a, operator_code="VIETTEL", station_code="WK-A-V")
    sb = make_station(db, site=b, operator_code="VNPT", station_code="WK-B-N")
    soon = make_permit(db, kind="construction_permit", site=a, number="=1+1", valid_until=on + timedelta(days=5))
    later = make_permit(db, kind="construction_permit", site=b, number="GP-B", valid_until=on + timedelta(days=40))
    make_permit(db, kind="inspection_certificate", station=sa, number="KD-A", valid_until=on - timedelta(days=2))
    make_permit(db, kind="inspection_certificate", station=sb, number="KD-B", valid_until=on + timedelta(days=400))
    return {"soon": soon, "later": later, "stations": (sa, sb)}


def test_the_index_counts_each_list(cookie_client: Callable[..., TestClient], client: TestClient, lists: Any) -> None:
    c = cookie_client("licensing_officer")
    page = c.get("/office/work")
    assert page.status_code == 200
    api_missing = client.get("/api/permits/missing").json()["count"]
    api_expiring = client.get("/api/permits/expiring?days=60").json()["count"]
    assert api_missing > 0 and api_expiring >= 2
    html = page.text
    for card_id, count in (("work-missing", api_missing), ("work-expiring", api_expiring)):
        card = html[html.index(f'id="{card_id}"') :].split("</li>")[0]
        assert [f.text for f in elements(card, "span", cls="figure")] == [str(count)]
    assert 'href="/office/work/expiring.xlsx?days=60"' in html


def test_the_expiring_list_filters_and_its_excel_is_the_apis(
    cookie_client: Callable[..., TestClient], client: TestClient, lists: Any
) -> None:
    c = cookie_client("licensing_officer")
    ten = c.get("/office/work/expiring?days=10")
    assert ten.status_code == 200
    assert "Tìm thấy 1 dòng" in ten.text and "=1+1" in ten.text and "GP-B" not in ten.text
    assert f'href="/office/permits/{lists["soon"].id}"' in ten.text and 'href="/office/sites/WK-A"' in ten.text
    assert "&lt;script&gt;" in ten.text and EVIL not in ten.text
    assert 'href="/office/work/expiring.xlsx?days=10"' in ten.text
    # Both, and by operator: a site's own permit concerns the operators on it.
    both = c.get("/office/work/expiring?days=60&sort=-valid_until").text
    assert "Tìm thấy 2 dòng" in both and both.index("GP-B") < both.index("=1+1")
    vnpt = c.get("/office/work/expiring?days=60&operator=VNPT")
    assert "Tìm thấy 1 dòng" in vnpt.text and "GP-B" in vnpt.text and "Doanh nghiệp: VNPT" in vnpt.text
    mine = c.get("/office/work/expiring.xlsx?days=60&operator=VNPT")
    assert mine.headers["content-type"].startswith("application/vnd.openxmlformats")
    api = client.get("/api/permits/expiring?days=60&operator=VNPT&format=xlsx")
    assert _sheet(mine.content) == _sheet(api.content)
    rows = _sheet(c.get("/office/work/expiring.xlsx?days=60").content)
    assert [r[2] for r in rows[1:]] == ["=1+1", "GP-B"]  # the formula is text, not a formula
    book = load_workbook(io.BytesIO(c.get("/office/work/expiring.xlsx?days=60").content))
    assert book.worksheets[0]["C2"].data_type == "s"
    assert c.get("/office/work/expiring?days=abc").status_code == 422
    assert c.get("/office/work/elsewhere").status_code == 422


def test_the_missing_list_links_to_record_the_permit(
    cookie_client: Callable[..., TestClient], client: TestClient, lists: Any
) -> None:
    c = cookie_client("licensing_officer")
    page = c.get("/office/work/missing?q=wk-")
    assert page.status_code == 200
    api = client.get("/api/permits/missing?q=wk-").json()
    assert f"Tìm thấy {api['count']} dòng" in page.text
    # Each unmet need links to its site, to its permit when there is one, and to the form that records it.
    assert 'href="/office/sites/WK-A"' in page.text
    assert "/office/permits/new?site_code=WK-A&amp;kind=construction_notification" in page.text
    station = lists["stations"][0]
    assert f"/office/permits/new?station_id={station.id}&amp;kind=inspection_certificate" in page.text
    assert 'class="state-expired"' in page.text and 'class="state-missing"' in page.text
    excel = _sheet(c.get("/office/work/missing.xlsx?q=wk-").content)
    assert len(excel) - 1 == api["count"]
    assert _sheet(client.get("/api/permits/missing?q=wk-&format=xlsx").content) == excel
    # A viewer reads the list but gets no link to record a permit.
    viewer = cookie_client("viewer")
    read = viewer.get("/office/work/missing?q=wk-")
    assert read.status_code == 200 and "/office/permits/new" not in read.text


def test_expired_inspections_and_paging(cookie_client: Callable[..., TestClient], db: Session, lists: Any) -> None:
    c = cookie_client("licensing_officer")
    page = c.get("/office/work/expired-inspections")
    assert page.status_code == 200 and "WK-A-V" in page.text and "WK-B-N" not in page.text
    assert 'href="/office/permits/' in page.text
    # The national list is paged: 60 more sites with nothing make more than one page.
    for i in range(60):
        make_station(db, site=make_site(db, code=f"WK-P{i:02d}", place=False), operator_code="VIETTEL")
    first = c.get("/office/work/missing?q=wk-p")
    assert "đang xem 1–50" in first.text and 'rel="next"' in first.text
    second = c.get("/office/work/missing?q=wk-p&page=2")
    assert "đang xem 51–" in second.text and 'rel="prev"' in second.text
    assert c.get("/office/work/missing?page=0").status_code == 422


def test_the_database_counts_the_missing_list_as_it_builds_it(db: Session, lists: Any) -> None:
    from registry.permits import reports
    from registry.stations.queries import StationFilter

    for f in (StationFilter(), StationFilter(operators=["VIETTEL"]), StationFilter(q="no-such-site")):
        rows = reports.missing_permits(db, on=today(), expiring_days=60, filters=f)
        assert reports.missing_count(db, on=today(), expiring_days=60, filters=f) == len(rows)
    assert reports.missing_count(db, on=today(), expiring_days=60, filters=StationFilter()) > 0
