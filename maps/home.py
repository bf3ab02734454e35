"""The maps' home page and the browser sign-in page."""

from __future__ import annotations

from maps.templating import render

TEXT = {
    "vi": {
        "home": "Bản đồ và tra cứu",
        "stations": "Bản đồ trạm gốc (màu theo tình trạng giấy phép khi đã đăng nhập)",
        "press": "Bản đồ báo chí: cơ quan báo chí, văn phòng đại diện, phóng viên thường trú",
        "cases": "Bản đồ vụ việc: khiếu nại, tố cáo, thanh tra đang mở và bản đồ nhiệt khiếu nại",
        "dashboard": "Kết quả giải quyết thủ tục hành chính (biểu đồ)",
        "lookup": "Tra cứu hồ sơ thủ tục hành chính theo mã biên nhận",
        "staff": "cần đăng nhập",
        "api": "Tài liệu API",
        "sign_in": "Đăng nhập",
        "username": "Tên đăng nhập",
        "password": "Mật khẩu",
        "submit": "Đăng nhập",
        "failed": "Không đăng nhập được",
        "note": "Phiên đăng nhập được lưu trong cookie của trình duyệt này cho các trang bản đồ và hồ sơ.",
    },
    "en": {
        "home": "Maps and look-ups",
        "stations": "Base station map (coloured by permit standing when signed in)",
        "press": "Press map: outlets, representative offices, resident correspondents",
        "cases": "Cases map: open complaints, denunciations, inspections and a heat map of complaints",
        "dashboard": "Administrative procedure results (charts)",
        "lookup": "Look up a dossier by its receipt code",
        "staff": "sign-in required",
        "api": "API documentation",
        "sign_in": "Sign in",
        "username": "User name",
        "password": "Password",
        "submit": "Sign in",
        "failed": "Could not sign in",
        "note": "The session is kept in this browser's cookie for the map and record pages.",
    },
}


def home_page(lang: str, *, username: str | None = None) -> str:
    text = TEXT[lang]
    items = [
        (f"/maps/stations?lang={lang}", text["stations"], False),
        (f"/maps/press?lang={lang}", text["press"], False),
        (f"/maps/cases?lang={lang}", text["cases"], True),
        (f"/pages/dossiers/dashboard?lang={lang}", text["dashboard"], False),
        (f"/pages/dossiers/lookup?lang={lang}", text["lookup"], False),
        ("/docs", text["api"], False),
    ]
    return render(
        "home.html", title=text["home"], t=text, items=items, lang=lang, username=username, here=f"/maps/?lang={lang}"
    )


def safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme) may be returned to after signing in. Control
    characters are refused too: browsers drop tabs and newlines from a URL, so ``/<TAB>/host`` is ``//host``."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target)
    ):
        return "/maps/"
    return target


def sign_in_page(lang: str, target: str | None) -> str:
    """The sign-in form; where to go back to reaches its script only as escaped JSON in the page data."""
    text = TEXT[lang]
    goto = safe_next(target)
    data = {"next": goto, "failed": text["failed"]}
    return render("sign_in.html", title=text["sign_in"], t=text, data=data, lang=lang, username=None, here=goto)
