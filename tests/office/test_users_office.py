"""Accounts and one's own account in the back office without a browser: the one-time password shown
once (never in a URL, never again), the list's search, filters, sort and exports (no secrets, inert
cells), roles, disable/enable, reset, a stale edit, the last admin kept, who may do what, CSRF,
hostile text escaped, and changing one's own password."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.accounts.models import AuthToken, User
from registry.audit.models import AuditEvent
from tests.conftest import TEST_PASSWORD, ClientAs, MakeUser
from tests.office.conftest import csrf_of

EVIL = "<script>alert('x')</script>"
FORMULA = '=HYPERLINK("http://evil.example","bấm")'
OTP = re.compile(r'id="one-time-password">([^<]+)</code>')


def _sign_in(client_as: ClientAs, username: str, password: str) -> tuple[TestClient, int]:
    """A browser-like client of its own signed in by the sign-in form's route (the cookie)."""
    c = client_as()
    r = c.post("/api/auth/token?cookie=true", data={"username": username, "password": password})
    return c, r.status_code


def _post(c: TestClient, form_path: str, path: str, data: dict[str, object]) -> httpx.Response:
    token = csrf_of(c.get(form_path).text)
    return c.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def test_an_account_created_shows_its_password_once(
    cookie_client: Callable[..., TestClient], client_as: ClientAs, db: Session
) -> None:
    admin = cookie_client("admin", username="truong.phong")
    form = admin.get("/office/admin/users/new")
    assert form.status_code == 200
    assert "Cán bộ quản lý báo chí" in form.text and 'name="roles" value="press_manager"' in form.text
    token = csrf_of(form.text)
    typed = "mat-khau-go-thu-1"
    bad = admin.post("/office/admin/users/new", data={"username": "Bad Name!", "full_name": EVIL,
                     "password": typed, "csrf_token": token})  # fmt: skip
    assert bad.status_code == 422
    assert 'href="#f-username"' in bad.text and 'href="#f-roles"' in bad.text and 'aria-invalid="true"' in bad.text
    assert 'value="Bad Name!"' in bad.text and "&lt;script&gt;" in bad.text and EVIL not in bad.text
    assert typed not in bad.text, "a typed password is never sent back"
    assert db.scalar(select(User).where(User.full_name == EVIL)) is None

    data = {"username": "Le.Thi.C", "full_name": f"Lê Thị C {EVIL}", "email": "c@stttt.example",
            "unit": "Phòng Báo chí", "roles": ["press_manager", "viewer"], "csrf_token": token}  # fmt: skip
    made = admin.post("/office/admin/users/new", data=data, follow_redirects=False)
    assert made.status_code == 200, made.text  # the answer itself, not a redirect
    assert made.headers["cache-control"] == "no-store" and "location" not in made.headers
    match = OTP.search(made.text)
    assert match, made.text
    password = match.group(1)
    assert len(password) >= 16 and "chỉ hiện một lần" in made.text
    assert "Cán bộ quản lý báo chí, Người xem (nội bộ)" in made.text and EVIL not in made.text
    user = db.scalar(select(User).where(User.username == "le.thi.c"))
    assert user is not None and user.roles == ["press_manager", "viewer"] and user.unit == "Phòng Báo chí"
    assert user.password_hash.startswith("$argon2") and password not in user.password_hash
    trail = db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "user")).all()
    assert trail and all(password not in str(e.changes) for e in trail)
    assert any(e.action == "create" and e.actor == "truong.phong" for e in trail)

    # Never again: not on the record page, the list, the exports; a re-sent POST creates nothing.
    record = admin.get("/office/admin/users/le.thi.c")
    assert record.status_code == 200 and password not in record.text and "le.thi.c" in record.text
    assert "Lê Thị C &lt;script&gt;" in record.text and EVIL not in record.text
    assert "Thêm tài khoản le.thi.c" in record.text  # the history in words
    assert "Vai trò: Cán bộ quản lý báo chí, Người xem (nội bộ)" in record.text
    assert password not in admin.get("/office/admin/users").text
    assert password not in admin.get("/office/admin/users.csv").text
    again = admin.post("/office/admin/users/new", data=data, follow_redirects=False)
    assert again.status_code == 422 and "đã có" in again.text and not OTP.search(again.text)

    # The new user signs in with it.
    _, status = _sign_in(client_as, "le.thi.c", password)
    assert status == 200


def test_a_password_set_by_the_admin_is_never_shown(cookie_client: Callable[..., TestClient], db: Session) -> None:
    admin = cookie_client("admin")
    chosen = "mat-khau-rieng-123"
    r = _post(admin, "/office/admin/users/new", "/office/admin/users/new",
              {"username": "tu.dat", "roles": "inspector", "password": chosen})  # fmt: skip
    assert r.status_code == 200 and chosen not in r.text and not OTP.search(r.text)
    short = _post(admin, "/office/admin/users/new", "/office/admin/users/new",
                  {"username": "ngan.qua", "roles": "inspector", "password": "ngan"})  # fmt: skip
    assert short.status_code == 422 and "ít nhất 10 ký tự" in short.text and 'href="#f-password"' in short.text


def test_the_list_searches_filters_sorts_and_exports_without_secrets(
    cookie_client: Callable[..., TestClient], make_user: MakeUser, db: Session
) -> None:
    a = make_user("press_manager", username="tran.thi.b")
    a.full_name, a.unit = "Trần Thị Bình", FORMULA
    b = make_user("inspector", username="hoang.van.d", active=False)
    b.full_name = EVIL
    make_user("licensing_officer", "viewer", username="pham.e")
    db.flush()
    admin = cookie_client("admin", username="quan.tri")
    listed = admin.get("/office/admin/users")
    assert listed.status_code == 200 and "Tìm thấy 4 tài khoản" in listed.text
    assert "&lt;script&gt;" in listed.text and EVIL not in listed.text
    assert "Thanh tra viên" in listed.text and 'class="state-disabled"' in listed.text
    assert 'href="/office/admin/users/new"' in listed.text
    searched = admin.get("/office/admin/users?q=tran thi binh")  # without diacritics
    assert "Tìm thấy 1 tài khoản" in searched.text and "Trần Thị Bình" in searched.text
    assert "Tìm thấy 1 tài khoản" in admin.get("/office/admin/users?q=HOANG").text
    by_role = admin.get("/office/admin/users?role=viewer&role=inspector")
    assert "Tìm thấy 2 tài khoản" in by_role.text and "Vai trò: Người xem (nội bộ)" in by_role.text
    disabled = admin.get("/office/admin/users?active=0")
    assert "Tìm thấy 1 tài khoản" in disabled.text and "hoang.van.d" in disabled.text
    assert "Tìm thấy 3 tài khoản" in admin.get("/office/admin/users?active=1").text
    for key in ("username", "full_name", "unit", "active", "created_at", "last_login_at"):
        for sort in (key, f"-{key}"):
            assert "Tìm thấy 4 tài khoản" in admin.get(f"/office/admin/users?sort={sort}").text, sort
    backwards = admin.get("/office/admin/users?sort=-username").text
    assert backwards.index("tran.thi.b") < backwards.index("pham.e") < backwards.index("hoang.van.d")
    assert admin.get("/office/admin/users?sort=password_hash").status_code == 422
    assert admin.get("/office/admin/users?page=0").status_code == 422

    csv = admin.get("/office/admin/users.csv?role=press_manager&role=inspector")
    assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]
    text = csv.content.decode("utf-8-sig")
    assert text.count("\r\n") == 3 and "pham.e" not in text and "quan.tri" not in text
    assert "'=HYPERLINK" in text and "argon2" not in text.lower() and "Mật khẩu" not in text
    from openpyxl import load_workbook

    xlsx = admin.get("/office/admin/users.xlsx?q=binh")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("Tên đăng nhập", "Họ và tên", "Phòng, đơn vị")
    assert len(rows) == 2 and rows[1][0] == "tran.thi.b"
    assert ws["C2"].value == FORMULA and ws["C2"].data_type == "s", "a formula kept as text, never run"
    assert not any("argon2" in str(cell) for row in rows for cell in row)


def test_roles_disable_enable_reset_and_a_stale_edit(
    cookie_client: Callable[..., TestClient], client_as: ClientAs, make_user: MakeUser, db: Session
) -> None:
    make_user("viewer", username="can.bo.x")
    them, status = _sign_in(client_as, "can.bo.x", TEST_PASSWORD)
    assert status == 200 and them.get("/office/", follow_redirects=False).status_code == 200
    admin = cookie_client("admin", username="quan.tri")
    base = "/office/admin/users/can.bo.x"
    form = admin.get(f"{base}/roles")
    assert form.status_code == 200 and 'value="viewer" checked' in form.text
    token = csrf_of(form.text)
    none_ticked = admin.post(f"{base}/roles", data={"version": "1", "csrf_token": token})
    assert none_ticked.status_code == 422 and 'href="#f-roles"' in none_ticked.text
    ok = admin.post(f"{base}/roles", data={"roles": ["inspector", "viewer"], "version": "1", "csrf_token": token},
                    follow_redirects=False)  # fmt: skip
    assert ok.status_code == 303 and ok.headers["location"] == f"{base}?msg=saved"
    page = admin.get(ok.headers["location"]).text
    assert "Đã lưu thay đổi." in page and "Thanh tra viên, Người xem (nội bộ)" in page
    assert "Vai trò: Người xem (nội bộ) → Thanh tra viên, Người xem (nội bộ)" in page or "Thanh tra viên" in page
    # A stale edit (opened at version 1, saved since): both versions in words, nothing saved.
    stale = admin.post(f"{base}/roles", data={"roles": ["press_manager"], "version": "1", "csrf_token": token})
    assert stale.status_code == 409 and 'id="conflict"' in stale.text
    assert "Cán bộ quản lý báo chí" in stale.text and 'name="roles" value="press_manager"' in stale.text
    assert db.scalar(select(User.roles).where(User.username == "can.bo.x")) == ["inspector", "viewer"]

    # Disable (after a confirmation page): the account's sessions end and it cannot sign in.
    confirm = admin.get(f"{base}/active")
    assert confirm.status_code == 200 and "Khóa tài khoản" in confirm.text and 'value="false"' in confirm.text
    off = admin.post(f"{base}/active", data={"active": "false", "version": "2", "csrf_token": token},
                     follow_redirects=False)  # fmt: skip
    assert off.status_code == 303
    assert 'class="state-disabled status-badge"' in admin.get(base).text
    assert db.scalar(select(User.version).where(User.username == "can.bo.x")) == 3, "disabling is a new version"
    assert them.get("/office/", follow_redirects=False).headers["location"].startswith("/maps/sign-in")
    user = db.scalar(select(User).where(User.username == "can.bo.x"))
    assert user is not None and not user.active
    live = db.scalars(select(AuthToken).where(AuthToken.user_id == user.id, AuthToken.revoked_at.is_(None))).all()
    assert live == []
    assert _sign_in(client_as, "can.bo.x", TEST_PASSWORD)[1] == 401
    history = admin.get(base).text  # sign-ins and refusals in words
    assert "Kết quả: " in history and "→ thành công" in history and "→ tài khoản đang khóa" in history
    assert "Đang hoạt động: có → không" in history and "outcome" not in history.lower()
    on = admin.post(f"{base}/active", data={"active": "true", "version": "3", "csrf_token": token},
                    follow_redirects=False)  # fmt: skip
    assert on.status_code == 303, on.text
    assert _sign_in(client_as, "can.bo.x", TEST_PASSWORD)[1] == 200

    # Reset: a confirmation, then the new password once; the old one and its sessions are gone.
    assert "mọi phiên đăng nhập" in admin.get(f"{base}/reset-password").text
    reset = admin.post(f"{base}/reset-password", data={"csrf_token": token}, follow_redirects=False)
    assert reset.status_code == 200 and reset.headers["cache-control"] == "no-store"
    match = OTP.search(reset.text)
    assert match
    assert match.group(1) not in admin.get(base).text
    assert _sign_in(client_as, "can.bo.x", TEST_PASSWORD)[1] == 401
    assert _sign_in(client_as, "can.bo.x", match.group(1))[1] == 200

    # Details: a hostile full name is kept as text and shown escaped.
    edit = admin.post(f"{base}/edit", data={"full_name": EVIL, "email": "", "unit": "", "version": "4",
                      "csrf_token": token}, follow_redirects=False)  # fmt: skip
    assert edit.status_code == 303
    shown = admin.get(base).text
    assert "&lt;script&gt;alert" in shown and EVIL not in shown
    bad_mail = admin.post(f"{base}/edit", data={"email": "khong-phai-thu", "version": "5", "csrf_token": token})
    assert bad_mail.status_code == 422 and 'href="#f-email"' in bad_mail.text


def test_the_last_admin_is_kept_with_the_apis_refusal(
    cookie_client: Callable[..., TestClient], make_user: MakeUser, db: Session
) -> None:
    admin = cookie_client("admin", username="duy.nhat")
    base = "/office/admin/users/duy.nhat"
    token = csrf_of(admin.get(f"{base}/active").text)
    off = admin.post(f"{base}/active", data={"active": "false", "version": "1", "csrf_token": token})
    assert off.status_code == 409 and "Phải còn ít nhất một quản trị viên đang hoạt động" in off.text
    assert 'role="alert"' in off.text
    demote = admin.post(f"{base}/roles", data={"roles": "viewer", "version": "1", "csrf_token": token})
    assert demote.status_code == 409 and "Phải còn ít nhất một quản trị viên" in demote.text
    user = db.scalar(select(User).where(User.username == "duy.nhat"))
    assert user is not None and user.active and user.roles == ["admin"]
    assert admin.get("/office/admin/users").status_code == 200
    # With another admin, an admin may disable their own account: signed out at once.
    make_user("admin", username="quan.tri.hai")
    warned = admin.get(f"{base}/active").text
    assert "Đây là tài khoản của bạn" in warned
    gone = admin.post(f"{base}/active", data={"active": "false", "version": "1", "csrf_token": token},
                      follow_redirects=False)  # fmt: skip
    assert gone.status_code == 303 and gone.headers["location"] == "/maps/sign-in?next=/office/"
    assert admin.get("/office/admin/users", follow_redirects=False).headers["location"].startswith("/maps/sign-in")


def test_who_may_do_what_and_csrf(
    cookie_client: Callable[..., TestClient], anon: TestClient, make_user: MakeUser, db: Session
) -> None:
    make_user("viewer", username="muc.tieu")
    signed_out = anon.get("/office/admin/users", follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/maps/sign-in")
    officer = cookie_client("licensing_officer", "press_manager", "inspector", "one_stop_officer")
    home = officer.get("/office/").text
    assert 'href="/office/admin/users"' not in home and 'href="/office/account"' in home
    for path in ("", ".csv", ".xlsx", "/new", "/muc.tieu", "/muc.tieu/roles", "/muc.tieu/edit", "/muc.tieu/active",
                 "/muc.tieu/reset-password"):  # fmt: skip
        refused = officer.get(f"/office/admin/users{path}")
        assert refused.status_code == 403, path
        assert refused.headers["content-type"].startswith("text/html") and "Không có quyền" in refused.text, path
    token = csrf_of(officer.get("/office/account").text)  # a real token of this session
    for path, data in [("/new", {"username": "ke.gian", "roles": "admin"}),
                       ("/muc.tieu/roles", {"roles": "admin", "version": "1"}),
                       ("/muc.tieu/reset-password", {})]:  # fmt: skip
        posted = officer.post(f"/office/admin/users{path}", data={**data, "csrf_token": token})
        assert posted.status_code == 403 and "CSRF" not in posted.text, path
    assert db.scalar(select(User).where(User.username == "ke.gian")) is None
    assert db.scalar(select(User.roles).where(User.username == "muc.tieu")) == ["viewer"]

    admin = cookie_client("admin")
    forged = admin.post("/office/admin/users/new", data={"username": "gia.mao", "roles": "admin"})
    assert forged.status_code == 403 and "CSRF" in forged.text
    reset = admin.post("/office/admin/users/muc.tieu/reset-password", data={"csrf_token": "0" * 40})
    assert reset.status_code == 403 and not OTP.search(reset.text)
    assert db.scalar(select(User).where(User.username == "gia.mao")) is None
    # A name that cannot be a user name is a refusal page, not markup.
    odd = admin.get("/office/admin/users/%3Cscript%3E")
    assert odd.status_code in (404, 422) and "<script>" not in odd.text
    assert admin.get("/office/admin/users/khong.co").status_code == 404


def test_a_member_of_staff_changes_their_own_password(
    cookie_client: Callable[..., TestClient], client_as: ClientAs, db: Session
) -> None:
    me = cookie_client("press_manager", "viewer", username="bao.chi")
    page = me.get("/office/account")
    assert page.status_code == 200 and "Cán bộ quản lý báo chí, Người xem (nội bộ)" in page.text
    assert 'aria-current="page"' in page.text and 'name="current_password"' in page.text
    token = csrf_of(page.text)
    new = "mat-khau-moi-dai-2026"

    def change(current: str, new_password: str, again: str) -> httpx.Response:
        return me.post("/office/account/password", data={"current_password": current, "new_password": new_password,
                       "new_password_again": again, "csrf_token": token}, follow_redirects=False)  # fmt: skip

    wrong = change("sai-mat-khau-roi", new, new)
    assert wrong.status_code == 422 and 'href="#f-current_password"' in wrong.text
    assert "sai-mat-khau-roi" not in wrong.text and new not in wrong.text
    differs = change(TEST_PASSWORD, new, new + "x")
    assert differs.status_code == 422 and 'href="#f-new_password_again"' in differs.text
    short = change(TEST_PASSWORD, "ngan", "ngan")
    assert short.status_code == 422 and "ít nhất 10 ký tự" in short.text
    same = change(TEST_PASSWORD, TEST_PASSWORD, TEST_PASSWORD)
    assert same.status_code == 422 and "Phải khác" in same.text
    forged = me.post("/office/account/password", data={"current_password": TEST_PASSWORD, "new_password": new,
                     "new_password_again": new})  # fmt: skip
    assert forged.status_code == 403 and "CSRF" in forged.text
    assert _sign_in(client_as, "bao.chi", TEST_PASSWORD)[1] == 200, "nothing changed yet"

    done = change(TEST_PASSWORD, new, new)
    assert done.status_code == 200 and "Đã đổi mật khẩu" in done.text
    assert 'href="/maps/sign-in?next=/office/"' in done.text and new not in done.text
    assert "tttt_token=" in done.headers["set-cookie"] and "Max-Age=0" in done.headers["set-cookie"]
    assert me.get("/office/account", follow_redirects=False).headers["location"].startswith("/maps/sign-in")
    user = db.scalar(select(User).where(User.username == "bao.chi"))
    assert user is not None
    assert db.scalars(select(AuthToken).where(AuthToken.user_id == user.id, AuthToken.revoked_at.is_(None))).all() == []
    assert _sign_in(client_as, "bao.chi", TEST_PASSWORD)[1] == 401
    assert _sign_in(client_as, "bao.chi", new)[1] == 200
