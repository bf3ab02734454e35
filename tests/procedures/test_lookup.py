"""The public look-up's answer: the dated steps in words (Vietnam time), the stopped clock of a dossier
waiting for a supplement said plainly, the apology, and nothing personal nor internal."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.settings import Settings
from tests.api.helpers import problem
from tests.conftest import ClientAs
from tests.procedures.helpers import make_procedure
from tests.procedures.test_dossiers_api import go, receive

TELECOM = "1.000001.000.00.00.H27"
HOSTILE = "<script>alert(1)</script>"
PAUSED = (
    "Đang chờ bổ sung hồ sơ từ 04/03/2026: thời hạn giải quyết tạm dừng; "
    "ngày hẹn trả sẽ được tính lại khi nhận đủ hồ sơ"
)


def paused_dossier(desk: TestClient) -> dict[str, Any]:
    applicant = {"kind": "person", "name": "Nguyễn Thị Mẫu", "phone": "0912345678", "id_number": "012345678901",
                 "email": "mau@example.vn", "address": "Số 1 đường Thử"}  # fmt: skip
    d = receive(desk, applicant=applicant)  # due 16/3/2026
    d = go(desk, d, "transferred", "2026-03-02T15:30:00+07:00", note=f"Ghi chú nội bộ {HOSTILE}").json()
    d = go(desk, d, "awaiting_supplement", "2026-03-04T10:05:00+07:00", note="Thiếu bản sao nội bộ").json()
    return d


def test_a_paused_dossier_says_its_clock_is_stopped(db: Session, client_as: ClientAs, anon: TestClient) -> None:
    make_procedure(db, TELECOM, value=10)
    desk = client_as("one_stop_officer")
    d = paused_dossier(desk)
    r = anon.get(f"/public/dossiers/{d['receipt_code']}")
    assert r.status_code == 200, r.text
    body = r.json()
    # The appointment (16/3/2026) is long past while the clock is stopped: never "trong hạn".
    assert body["paused"] == {"since": "2026-03-04", "text": PAUSED}
    assert body["outcome"] == "pending_within_deadline" and "trong hạn" not in body["outcome_name"]
    assert body["outcome_name"] == "Tạm dừng tính thời hạn (chờ bổ sung hồ sơ)"
    assert [(s["kind"], s["at_text"]) for s in body["steps"]] == [
        ("received", "02/03/2026 09:00"),
        ("transferred", "02/03/2026 15:30"),
        ("awaiting_supplement", "04/03/2026 10:05"),
    ]
    assert body["steps"][0]["name"] == "Tiếp nhận hồ sơ" and body["steps"][0]["at"] == "2026-03-02T09:00+07:00"
    assert body["steps"][1]["step"] == "Bước 2/4: Thẩm định (Phòng chuyên môn)"
    assert body["steps"][2]["name"] == "Yêu cầu bổ sung hồ sơ (tạm dừng tính thời hạn)"
    # Nothing personal, no officer, no internal note.
    for secret in ("Nguyễn Thị Mẫu", "0912345678", "012345678901", "mau@example.vn", "đường Thử", "nội bộ", "script",
                   "one_stop", "actor", "note", "applicant"):  # fmt: skip
        assert secret not in r.text, secret


def test_the_steps_after_a_supplement_and_an_apology(db: Session, client_as: ClientAs, anon: TestClient) -> None:
    make_procedure(db, TELECOM, value=10)
    desk = client_as("one_stop_officer")
    d = paused_dossier(desk)
    d = go(desk, d, "in_progress", "2026-03-09T08:00:00+07:00", step_no=3).json()  # due 19/3
    ok = desk.post(
        f"/api/dossiers/{d['receipt_code']}/apology",
        json={"new_due_date": "2026-03-24", "reason": f"Xác minh thêm {HOSTILE}", "on": "2026-03-16"},
        headers={"If-Match": f'"{d["version"]}"'},
    )
    assert ok.status_code == 200, ok.text
    d = go(desk, ok.json(), "result_ready", "2026-03-23T16:45:00+07:00").json()
    d = go(desk, d, "returned", "2026-03-24T02:30:00+00:00").json()  # 09:30 in Vietnam
    body = anon.get(f"/public/dossiers/{d['receipt_code']}").json()
    assert body["paused"] is None and body["outcome"] == "late"
    assert [(s["kind"], s["name"], s["at_text"]) for s in body["steps"]][3:] == [
        ("supplement_received", "Đã nhận đủ hồ sơ bổ sung, tiếp tục tính thời hạn", "09/03/2026 08:00"),
        ("apology", "Xin lỗi và hẹn lại ngày trả kết quả", "16/03/2026 16:00"),
        ("result_ready", "Có kết quả, chờ trả", "23/03/2026 16:45"),
        ("returned", "Đã trả kết quả", "24/03/2026 09:30"),
    ]
    assert body["steps"][3]["step"] == "Bước 3/4: Lãnh đạo Sở ký (Ban Giám đốc Sở)"
    assert "Xác minh" not in str(body) and "script" not in str(body)


def test_too_many_look_ups_say_how_long_to_wait(db: Session, anon: TestClient, settings: Settings) -> None:
    settings.public_lookup_limit = 2
    settings.public_lookup_window_seconds = 90
    for _ in range(2):
        problem(anon.get("/public/dossiers/VT-260302-AAAAA-BBBBB"), 404)
    blocked = problem(anon.get("/public/dossiers/VT-260302-AAAAA-BBBBB"), 429)
    assert "giây" in blocked["detail"]
    wait = int(anon.get("/public/dossiers/VT-260302-AAAAA-BBBBB").headers["retry-after"])
    assert 1 <= wait <= 90
    page = anon.get("/pages/dossiers/lookup")  # the page itself is not counted, and carries the words
    assert page.status_code == 200 and 'id="lookup-text"' in page.text and "Vui lòng chờ {n} rồi thử lại" in page.text
