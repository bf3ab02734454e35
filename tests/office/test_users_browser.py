"""Accounts in Chromium, end to end: an admin signed in on the page creates a press manager's account
(a refused form first), reads the one-time password once; the new user signs in with it in a second
browser, changes their own password, is signed out and signs in with the new one; the admin disables
the account (it can no longer sign in), enables it and resets its password (shown once, and it works).
Desktop and phone screenshots; axe finds no WCAG 2.1 A/AA violation on the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from tests.office.conftest import assert_clean, shoot
from tests.office.test_accessibility_browser import violations

NEW_PASSWORD = "Mật khẩu mới của tôi 2026"


def _sign_in(b: Any, username: str, password: str, *, next_path: str) -> None:
    p = b.page
    p.goto(f"http://127.0.0.1/maps/sign-in?next={next_path}")
    p.fill("input[name=username]", username)
    p.fill("input[name=password]", password)
    p.click("#sign-in-form button[type=submit]")


def _signed_in(b: Any, username: str, password: str, *, next_path: str) -> None:
    _sign_in(b, username, password, next_path=next_path)
    b.page.wait_for_url(lambda url: urlsplit(url).path == next_path)
    b.page.wait_for_selector("h1")


def _second_browser(first: Any, viewport: tuple[int, int]) -> tuple[Any, Any]:
    """Another person's browser: a context of its own (its own cookies) in ``first``'s Chromium (one
    Playwright per thread), answered by the app as ``tests.maps.browser.Browser`` answers."""
    from tests.maps.browser import Browser

    b = Browser.__new__(Browser)
    b.client, b.external, b.errors, b.dialogs, b.responses = first.client, [], [], [], []
    context = first.browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    b.page = context.new_page()
    b.page.on("console", lambda m: b.errors.append(m.text) if m.type == "error" else None)
    b.page.on("pageerror", lambda e: b.errors.append(str(e)[:600]))
    b.page.on("dialog", b._dialog)
    b.page.route("**/*", b._answer)
    return b, context


def test_an_admin_manages_an_account_and_its_user_changes_their_password(
    office_browser: Callable[..., Any],
) -> None:
    admin = office_browser("admin", viewport=(1280, 800))
    p = admin.page
    found: dict[str, list[Any]] = {}
    p.click(".wide-menu >> text=Tài khoản")
    p.wait_for_selector("#list-count")
    assert "/office/admin/users" in p.url and "tài khoản" in p.locator("#list-count").inner_text()
    found["list"] = violations(p)
    p.click("text=Tạo tài khoản")
    p.wait_for_selector("#user-form")
    found["new"] = violations(p)

    # A refused form first: a user name that cannot be one, and no role ticked.
    p.fill("#f-username", "Phóng Viên!")
    p.fill("#f-full_name", "Nguyễn Thị <b>Hoa</b>")
    p.fill("#f-unit", "Phòng Thông tin – Báo chí")
    p.click("#user-form button.primary")
    summary = p.locator("#error-summary")
    summary.wait_for()
    assert "Tên đăng nhập" in summary.inner_text() and "Vai trò" in summary.inner_text()
    assert p.locator("#f-username").get_attribute("aria-invalid") == "true"
    assert p.input_value("#f-full_name") == "Nguyễn Thị <b>Hoa</b>"  # back filled, as text
    found["refused"] = violations(p)
    shoot(admin, "office-users-form-errors")

    p.fill("#f-username", "hoa.bao.chi")
    p.check("input[name=roles][value=press_manager]")
    p.click("#user-form button.primary")
    p.wait_for_selector("#one-time-password")
    password = p.locator("#one-time-password").inner_text().strip()
    assert len(password) >= 16 and "chỉ hiện một lần" in p.locator("#otp-note").inner_text()
    assert "Cán bộ quản lý báo chí" in p.locator("#details").inner_text()
    assert all(password not in str(r.url) and password not in r.headers.get("location", "") for r in admin.responses)
    found["password"] = violations(p)
    shoot(admin, "office-users-one-time-password")
    # Opened again, the address shows an empty form: the password is nowhere.
    p.goto(p.url)
    p.wait_for_selector("#user-form")
    assert password not in p.content()

    # The new user, in a browser of their own, signs in with it and changes it.
    user, context = _second_browser(admin, (390, 844))
    try:
        q = user.page
        _signed_in(user, "hoa.bao.chi", password, next_path="/office/account")
        assert q.locator("h1").inner_text() == "Tài khoản của tôi"
        assert "Cán bộ quản lý báo chí" in q.locator("#details").inner_text()
        assert "Nguyễn Thị <b>Hoa</b>" in q.locator("#details").inner_text()
        q.fill("#f-current_password", password)
        q.fill("#f-new_password", NEW_PASSWORD)
        q.fill("#f-new_password_again", NEW_PASSWORD + "!")
        q.click("#password-form button.primary")
        q.locator("#error-summary").wait_for()
        assert "Nhập lại mật khẩu mới" in q.locator("#error-summary").inner_text()
        assert q.input_value("#f-current_password") == "", "a password is never sent back"
        user.assert_fits()
        found["account-refused"] = violations(q)
        shoot(user, "office-account-password-phone")
        q.fill("#f-current_password", password)
        q.fill("#f-new_password", NEW_PASSWORD)
        q.fill("#f-new_password_again", NEW_PASSWORD)
        q.click("#password-form button.primary")
        q.wait_for_selector("#sign-in-again")
        assert "Đã đổi mật khẩu" in q.locator("#notice").inner_text()
        assert "Văn phòng" not in q.locator("nav.top-nav").inner_text()  # signed out: no office link
        shoot(user, "office-account-password-changed-phone")
        q.click("#sign-in-again")
        q.wait_for_selector("#sign-in-form")
        _signed_in(user, "hoa.bao.chi", NEW_PASSWORD, next_path="/office/")
        assert q.locator('.phone-menu a[href="/office/account"]').count() == 1
        assert q.locator('.phone-menu a[href="/office/admin/users"]').count() == 0

        # The admin finds the account, sees its sign-ins in the history, and disables it.
        p.goto("http://127.0.0.1/office/admin/users")
        p.fill("#q", "nguyen thi")
        p.click("form.filters button.primary")
        assert "Tìm thấy 1 tài khoản" in p.locator("#list-count").inner_text()
        p.click("#list >> text=hoa.bao.chi")
        p.wait_for_selector("#details")
        history = p.locator("#history").inner_text()
        assert "Thêm tài khoản hoa.bao.chi" in history and "Đăng nhập" in history
        found["record"] = violations(p)
        shoot(admin, "office-users-record")
        p.click("#user-actions >> text=Khóa tài khoản")
        p.wait_for_selector("#confirm-text")
        p.click("#user-form button.primary")
        p.wait_for_selector("#notice")
        assert p.locator("#user-status").inner_text() == "Đã khóa"
        assert "Đang hoạt động: có → không" in p.locator("#history").inner_text()

        # Their session is over, and they cannot sign in again.
        q.goto("http://127.0.0.1/office/")
        q.wait_for_selector("#sign-in-form")
        _sign_in(user, "hoa.bao.chi", NEW_PASSWORD, next_path="/office/")
        q.wait_for_function("() => document.getElementById('sign-in-error').textContent.length > 0")
        assert "Sai tên đăng nhập hoặc mật khẩu" in q.locator("#sign-in-error").inner_text()

        # Enabled again, then a password reset: shown once, and it is the one that works.
        p.click("#user-actions >> text=Mở khóa tài khoản")
        p.click("#user-form button.primary")
        p.wait_for_selector("#notice")
        assert p.locator("#user-status").inner_text() == "Đang hoạt động"
        p.click("#user-actions >> text=Đặt lại mật khẩu")
        p.wait_for_selector("#confirm-text")
        p.click("form button.primary")
        p.wait_for_selector("#one-time-password")
        reset = p.locator("#one-time-password").inner_text().strip()
        assert reset not in (password, NEW_PASSWORD)
        _signed_in(user, "hoa.bao.chi", reset, next_path="/office/")
        # The sign-in refusals are the token route's problem+json (read by the sign-in script), nothing else.
        assert not [e for e in user.errors if not e.startswith("Failed to load resource")], user.errors
        refusals = [r for r in user.responses if r.status_code >= 400]
        assert [r.status_code for r in refusals] == [422, 401]
        assert all(r.headers["content-type"].startswith("text/html") for r in refusals[:1])
        assert all("/api/auth/token" in str(r.url) for r in refusals[1:])
        assert not user.external
    finally:
        context.close()

    # The admin's pages on a phone.
    p.set_viewport_size({"width": 390, "height": 844})
    p.goto("http://127.0.0.1/office/admin/users?role=press_manager")
    p.wait_for_selector("#list-count")
    admin.assert_fits()
    shoot(admin, "office-users-list-phone")
    p.goto("http://127.0.0.1/office/admin/users/hoa.bao.chi")
    admin.assert_fits()
    shoot(admin, "office-users-record-phone")
    p.set_viewport_size({"width": 1280, "height": 800})
    p.goto("http://127.0.0.1/office/admin/users")
    shoot(admin, "office-users-list")
    assert {k: v for k, v in found.items() if v} == {}
    assert_clean(admin)
