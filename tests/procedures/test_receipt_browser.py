"""The receipt in Chromium, as the one-stop officer prints it: signed in on the page, the receipt shows
who is signed in, its QR code (a screenshot of the image, decoded by zxing-cpp) reads back as the full
look-up address, the PDF Chromium prints is one A4 page, no script error, screenshots on a desk and a phone."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import zxingcpp
from PIL import Image
from sqlalchemy.orm import Session

from registry.settings import Settings
from tests.maps.test_browser import ARTEFACTS, pytestmark  # noqa: F401 - the same skip rule
from tests.office.conftest import assert_clean, office_browser, shoot  # noqa: F401 - the fixture
from tests.office.test_accessibility_browser import violations
from tests.procedures.helpers import make_procedure
from tests.procedures.test_dossiers_api import receive


def test_the_officer_prints_the_receipt_and_its_qr_code_reads_back(
    db: Session,
    client_as: Any,
    settings: Settings,
    office_browser: Callable[..., Any],  # noqa: F811 - imported fixture
) -> None:
    settings.public_base_url = "https://dichvucong.example.vn"
    proc = make_procedure(db, "1.000001.000.00.00.H27", name="Cấp giấy phép thiết lập mạng viễn thông công cộng")
    proc.fees, proc.fee_vnd = "1.000.000 đồng/giấy phép", 1_000_000
    db.flush()
    applicant = {"kind": "organisation", "name": "Công ty <b>Viễn thông</b> Hải Phòng", "id_number": "0200123456",
                 "address": "Số 1 Lạch Tray, Ngô Quyền, Hải Phòng", "phone": "0225 3 123 456"}  # fmt: skip
    documents = [  # eight papers, as a postal licence asks: the receipt still prints on one page
        {"name": "Đơn đề nghị cấp giấy phép bưu chính (theo mẫu)", "form": "Bản chính", "copies": 1},
        {"name": "Bản sao giấy chứng nhận đăng ký doanh nghiệp hoặc quyết định thành lập",
         "form": "Bản sao có chứng thực", "copies": 1},
        {"name": "Điều lệ tổ chức và hoạt động của doanh nghiệp", "form": "Bản sao", "copies": 1},
        {"name": "Phương án kinh doanh", "form": "Bản chính", "copies": 1},
        {"name": "Mẫu hợp đồng cung ứng và sử dụng dịch vụ bưu chính", "form": "Bản chính", "copies": 1},
        {"name": "Mẫu biểu trưng, nhãn hiệu, ký hiệu đặc thù của doanh nghiệp", "form": "Bản chính", "copies": 1},
        {"name": "Bảng giá cước dịch vụ bưu chính", "form": "Bản chính", "copies": 2},
        {"name": "Quy định về mức giới hạn trách nhiệm bồi thường thiệt hại", "form": "Bản chính", "copies": 1},
    ]  # fmt: skip
    code = receive(client_as("one_stop_officer"), applicant=applicant, documents=documents)["receipt_code"]
    url = f"https://dichvucong.example.vn/pages/dossiers/lookup?code={code}"

    for viewport, name in (((1280, 800), "receipt-desktop"), ((390, 844), "receipt-phone")):
        b = office_browser("one_stop_officer", viewport=viewport)
        b.page.goto(f"http://127.0.0.1/api/dossiers/{code}/receipt")
        b.page.wait_for_selector("#receipt-qr")
        assert b.page.locator("#who").inner_text() == b.user.username  # who is signed in, not "Đăng nhập"
        assert b.page.locator("#sign-in").count() == 0
        heading = b.page.locator("#receipt-heading").inner_text()
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in heading and settings.department_name in heading
        assert b.page.locator("#receipt-lookup-url").inner_text() == url
        assert "Công ty <b>Viễn thông</b> Hải Phòng" in b.page.locator("#receipt").inner_text()  # shown as text
        assert b.page.locator("#receipt-docs tbody tr").count() == 8  # the documents received, not blank lines
        # The QR code as the browser drew it decodes to the look-up address.
        png = b.page.locator("#receipt-qr").screenshot()
        found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
        assert [r.text for r in found] == [url]
        b.assert_fits()  # no sideways scroll
        assert violations(b.page) == []
        shoot(b, f"office-{name}")
        if viewport[0] == 1280:
            pdf = b.page.pdf(format="A4", print_background=True)
            (ARTEFACTS / "office-receipt.pdf").write_bytes(pdf)
            assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1  # one A4 page
            b.page.emulate_media(media="print")  # what the printed page looks like, for the eye
            b.page.set_viewport_size({"width": 794, "height": 1123})
            assert b.page.locator("nav").first.is_hidden()
            shoot(b, "office-receipt-print")
        assert_clean(b)
