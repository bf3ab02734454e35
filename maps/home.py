"""The maps' home page and the browser sign-in page."""

from __future__ import annotations

import html
import json

from maps.document import page

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
    staff = f' <span class="muted">({text["staff"]})</span>'
    items = [
        (f"/maps/stations?lang={lang}", text["stations"], ""),
        (f"/maps/press?lang={lang}", text["press"], ""),
        (f"/maps/cases?lang={lang}", text["cases"], staff),
        (f"/pages/dossiers/dashboard?lang={lang}", text["dashboard"], ""),
        (f"/pages/dossiers/lookup?lang={lang}", text["lookup"], ""),
        ("/docs", text["api"], ""),
    ]
    body = "<ul>" + "".join(
        f'<li><a href="{href}">{html.escape(label)}</a>{extra}</li>' for href, label, extra in items
    )
    return page(text["home"], body + "</ul>", lang=lang, username=username, here=f"/maps/?lang={lang}")


def safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme) may be returned to after signing in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/maps/"
    return target


def sign_in_page(lang: str, target: str | None) -> str:
    text = TEXT[lang]
    goto = json.dumps(safe_next(target))
    failed = json.dumps(text["failed"], ensure_ascii=False)
    body = f"""
<form id="sign-in-form" style="max-width:340px">
  <p><label>{text["username"]}<br><input name="username" autocomplete="username" required maxlength="64"
     style="width:100%"></label></p>
  <p><label>{text["password"]}<br><input name="password" type="password" autocomplete="current-password"
     required maxlength="256" style="width:100%"></label></p>
  <p><button type="submit">{text["submit"]}</button></p>
  <p id="sign-in-error" role="alert" style="color:#cf222e"></p>
  <p class="muted">{html.escape(text["note"])}</p>
</form>
<script>
document.getElementById("sign-in-form").addEventListener("submit", function (e) {{
  e.preventDefault();
  var form = new URLSearchParams(new FormData(e.target));
  fetch("/api/auth/token?cookie=true", {{method: "POST", body: form, credentials: "same-origin"}})
    .then(function (r) {{
      if (r.ok) {{ window.location.assign({goto}); return; }}
      return r.json().then(function (p) {{
        document.getElementById("sign-in-error").textContent = {failed} + ": " + (p.detail || p.title);
      }});
    }});
}});
</script>"""
    return page(text["sign_in"], body, lang=lang, here=safe_next(target))
