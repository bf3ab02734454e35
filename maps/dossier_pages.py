"""Pages of the one-stop shop: the results dashboard (Chart.js, served locally), the public lookup by
receipt code, and the printable receipt. The dashboard and the lookup read the public API from the
browser, so they show exactly what the API answers (the lookup is rate-limited there)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from maps.assets import CHART_JS
from maps.templating import dmy, render

TEXT = {
    "vi": {
        "dashboard": "Kết quả giải quyết thủ tục hành chính",
        "period": "Kỳ báo cáo",
        "from": "Từ ngày",
        "to": "Đến ngày",
        "show": "Xem",
        "figures": "Số liệu của kỳ",
        "trend": "Xu hướng theo tháng",
        "by_field": "Theo lĩnh vực",
        "by_channel": "Theo hình thức nộp",
        "catalogue": "Danh mục thủ tục theo mức độ dịch vụ công trực tuyến",
        "xlsx": "Tải Excel",
        "loading": "Đang tải…",
        "error": "Không tải được số liệu",
        "note": "Số liệu tính trực tiếp từ hồ sơ mỗi lần xem. «Trả lại hồ sơ» là hồ sơ chưa đầy đủ, hợp lệ "
        "trả lại người nộp; hồ sơ đã xin lỗi hẹn lại được tính quá hạn.",
        "lookup": "Tra cứu hồ sơ thủ tục hành chính",
        "code": "Mã hồ sơ (trên giấy biên nhận)",
        "search": "Tra cứu",
        "not_found": "Không tìm thấy hồ sơ",
        "too_many": "Tra cứu quá nhiều lần; vui lòng thử lại sau",
        "procedure": "Thủ tục",
        "status": "Trạng thái",
        "step": "Bước đang xử lý",
        "received": "Ngày tiếp nhận",
        "due": "Ngày hẹn trả kết quả",
        "standing": "Tình trạng",
        "level": "Mức độ",
        "count": "Số thủ tục",
        "share": "Tỷ lệ",
    },
    "en": {
        "dashboard": "Administrative procedure results",
        "period": "Period",
        "from": "From",
        "to": "To",
        "show": "Show",
        "figures": "Figures of the period",
        "trend": "Trend by month",
        "by_field": "By field",
        "by_channel": "By channel",
        "catalogue": "Procedures by online service level",
        "xlsx": "Download Excel",
        "loading": "Loading…",
        "error": "Could not load the figures",
        "note": "Counted from the dossiers on every view. 'Returned' are incomplete dossiers handed back to the "
        "applicant; a dossier with an apology counts as late.",
        "lookup": "Look up a dossier",
        "code": "Receipt code",
        "search": "Look up",
        "not_found": "No such dossier",
        "too_many": "Too many look-ups; try again later",
        "procedure": "Procedure",
        "status": "Status",
        "step": "Current step",
        "received": "Received on",
        "due": "Appointment date",
        "standing": "Standing",
        "level": "Level",
        "count": "Procedures",
        "share": "Share",
    },
}


def dashboard_page(lang: str, since: date, until: date, *, username: str | None = None) -> str:
    t = TEXT[lang]
    data = {"text": t, "from": since.isoformat(), "to": until.isoformat(), "lang": lang}
    here = f"/pages/dossiers/dashboard?from={since.isoformat()}&to={until.isoformat()}&lang={lang}"
    return render(
        "dashboard.html", title=t["dashboard"], t=t, since=since, until=until, data=data, chart_js=CHART_JS,
        lang=lang, username=username, here=here,
    )  # fmt: skip


def lookup_page(lang: str, code: str | None, *, username: str | None = None) -> str:
    t = TEXT[lang]
    return render(
        "lookup.html", title=t["lookup"], t=t, code=code, data={"text": t, "lang": lang}, lang=lang,
        username=username, here=f"/pages/dossiers/lookup?lang={lang}",
    )  # fmt: skip


def qr_data_uri(text: str) -> str:
    """A QR code of ``text`` drawn server-side by segno as SVG, as a ``data:`` URI for an ``<img>``
    (the CSP's img-src allows data:, so no extra route; the page carries no HTML built here)."""
    import base64
    import io

    import segno

    out = io.BytesIO()
    segno.make_qr(text, error="m").save(out, kind="svg", scale=4, border=4, xmldecl=False, omitsize=True)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def money(vnd: int) -> str:
    """1.000.000 đồng: Vietnamese thousands separated by dots."""
    return f"{vnd:,}".replace(",", ".") + " đồng"


def receipt_page(
    fields: dict[str, Any], *, received_at: datetime, due: date, username: str | None = None, here: str = "/maps/"
) -> str:
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả (the one-stop decree's form), to print on one A4 page
    and hand to the applicant: national heading and department, the dossier, the documents received,
    the fee, the appointment, the public look-up address with its QR code, the two signatures. The
    documents received are a table (blank lines to write them by hand when none were recorded, as for
    dossiers imported from a legacy system)."""
    applicant = [
        ("Tổ chức, cá nhân nộp hồ sơ", fields["applicant"]),
        ("Số CCCD / mã số thuế", fields.get("applicant_id_number")),
        ("Địa chỉ", fields.get("applicant_address")),
        ("Số điện thoại", fields.get("applicant_phone")),
    ]
    fee = fields.get("fees") or (money(fields["fee_vnd"]) if fields.get("fee_vnd") else "Không thu phí, lệ phí")
    rows = [
        ("Mã hồ sơ", fields["receipt_code"]),
        *[(label, v) for label, v in applicant if v],
        ("Thủ tục", f"{fields['procedure_name']} ({fields['procedure_code']})"),
        ("Hình thức nộp", fields["channel"]),
        ("Phí, lệ phí", fee),
        ("Thời điểm tiếp nhận", f"{received_at:%H:%M} ngày {dmy(received_at)}"),
        ("Ngày hẹn trả kết quả", dmy(due)),
    ]
    return render(
        "receipt.html", title="Giấy tiếp nhận hồ sơ và hẹn trả kết quả", department=fields["department"], rows=rows,
        code=fields["receipt_code"], lookup_url=fields["lookup_url"], qr=qr_data_uri(fields["lookup_url"]),
        applicant=fields["applicant"], received_by=fields.get("received_by"), signed_on=received_at,
        documents=fields.get("documents") or [],
        lang="vi", username=username, here=here,
    )  # fmt: skip
