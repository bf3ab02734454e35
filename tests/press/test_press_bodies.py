"""The press routes' bodies match their models (strict under the tests): an outlet's licence list (no
dossier link: only a licence read alone carries it), a licence as created, read, amended (one model),
the nested shapes typed (amendments, succession, the cases about an outlet)."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from tests.api.helpers import versioned
from tests.conftest import ClientAs
from tests.press.test_press_api import BAO_HP, licence, outlet


def test_an_outlets_licence_list_and_a_licence_read_alone(client_as: ClientAs) -> None:
    manager = client_as("press_manager", username="ql.baochi")
    outlet(manager, **BAO_HP)
    lic = licence(manager, "T-BAOHP", date(2030, 12, 31), number="9/GP-BVHTTDL")
    assert lic["dossier"] is None and lic["valid_until"] == "2030-12-31" and lic["issue_date"] == "2020-01-01"
    url = f"/api/press/licences/{lic['id']}"
    amended = manager.post(
        url + "/amendments",
        json={"decision_number": "10/GP", "decided_on": "2026-03-01", "changes": {"conditions": "8 trang"}},
        headers=versioned(manager, url),
    )
    assert amended.status_code == 201, amended.text
    listed = manager.get("/api/press/outlets/T-BAOHP/licences")
    assert listed.status_code == 200, listed.text
    (item,) = listed.json()
    assert "dossier" not in item and item["amendments"][0]["decided_on"] == "2026-03-01"
    assert item["amendments"][0]["changes"]["conditions"] == {"before": None, "after": "8 trang"}
    alone = manager.get(url).json()
    assert alone["dossier"] is None and date.fromisoformat(alone["status_on"])
    staff = manager.get("/api/press/outlets/T-BAOHP").json()
    assert staff["cases"] == [] and staff["predecessors"] == [] and staff["parent"] is None


def test_one_model_per_resource_in_the_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    def ref(path: str, method: str, status: str) -> str:
        schema = paths[path][method]["responses"][status]["content"]["application/json"]["schema"]
        return str(schema.get("$ref") or schema["items"]["$ref"]).rsplit("/", 1)[-1]

    assert {
        ref("/api/press/licences", "post", "201"),
        ref("/api/press/licences/{licence_id}", "get", "200"),
        ref("/api/press/licences/{licence_id}", "patch", "200"),
        ref("/api/press/licences/{licence_id}/amendments", "post", "201"),
    } == {"Licence"}
    assert ref("/api/press/outlets/{code}/licences", "get", "200") == "LicenceItem"
    assert {ref("/api/cases/{code}", "get", "200"), ref("/api/cases/{code}", "patch", "200")} == {"Case"}
    assert {ref("/api/permits", "post", "201"), ref("/api/permits/{permit_id}", "get", "200")} == {"Permit"}
