"""What the routes of api/permit_check.py answer (see api.bodies)."""

from __future__ import annotations

from api.bodies import Body
from api.bodies.common import Location


class SitePermitCheckSite(Body):
    code: str | None
    position: Location
    pole_class: str | None
    pole_height_m: float | None
    building_height_m: float | None
    total_height_m: float
    status: str | None


class SitePermitCheckRequiredPermitPermit(Body):
    id: int
    kind: str | None
    number: str
    valid_until: str | None
    days_until_expiry: int | None
    status: str | None


class SitePermitCheckRequiredPermit(Body):
    rule: str
    description: str | None
    legal_basis: str | None
    certainty: str | None
    accepted_kinds: list[str]
    state: str
    met: bool
    permit: SitePermitCheckRequiredPermitPermit | None


class ZoneCheck(Body):
    code: str | None
    name: str | None
    kind: str | None
    kind_name: str
    allowed_pole_classes: list[str] | None
    max_height_m: float | None
    source_decision: str | None
    pole_class_allowed: bool
    height_allowed: bool


class NearSite(Body):
    code: str | None
    pole_class: str | None
    pole_height_m: float | None
    status: str | None
    lon: float | None
    lat: float | None
    distance_m: float
    station_count: int
    operators: list[str]


class SpacingCheck(Body):
    rule_id: int
    zone_specific: bool
    min_distance_m: float | None
    legal_basis: str | None
    too_close: list[NearSite]


class SitePermitCheckStationFrequencyLicence(Body):
    band: str
    licence_number: str | None
    valid_until: str | None
    status: str | None


class SitePermitCheckStation(Body):
    id: int
    station_code: str
    operator: str
    status: str | None
    technologies: list[str]
    bands: list[str]
    required_permits: list[SitePermitCheckRequiredPermit]
    frequency_licences: list[SitePermitCheckStationFrequencyLicence]


class SitePermitCheckReason(Body):
    severity: str
    code: str | None
    message: str


class SitePermitCheck(Body):
    site: SitePermitCheckSite
    on: str | None
    expiring_days: int
    required_permits: list[SitePermitCheckRequiredPermit]
    zones: list[ZoneCheck]
    urban: bool | None
    spacing: SpacingCheck | None
    stations: list[SitePermitCheckStation]
    colocation_candidates: list[NearSite]
    verdict: str
    verdict_name: str
    reasons: list[SitePermitCheckReason]


class ProposedPermitCheckProposal(Body):
    position: Location
    pole_class: str | None
    pole_height_m: float | None
    building_height_m: float | None
    total_height_m: float


class ProposedPermitCheckPermitsToObtainItem(Body):
    rule: str
    accepted_kinds: list[str]
    kind_names: list[str]
    description: str | None
    legal_basis: str | None
    certainty: str | None


class ProposedPermitCheck(Body):
    proposal: ProposedPermitCheckProposal
    on: str | None
    permits_to_obtain: list[ProposedPermitCheckPermitsToObtainItem]
    zones: list[ZoneCheck]
    urban: bool | None
    spacing: SpacingCheck
    colocation_candidates: list[NearSite]
    verdict: str
    verdict_name: str
    reasons: list[SitePermitCheckReason]
