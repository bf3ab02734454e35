"""Safety distances around base-station antennas (EMF), as QCVN 8:2022/BTTTT counts them.

In the far field an antenna radiating ``EIRP`` watts gives, at ``r`` metres along its main beam, a power
density of at most ``S = EIRP / (4·π·r²)``. The compliance distance of a sector is where that equals the
public limit ``S`` of the rule book (``emf.public_power_density``, 2 W/m² for 10 MHz – 6 GHz):
``r = sqrt(EIRP / (4·π·S))``. Outside it, exposure is below the limit. It is conservative: the whole
EIRP is taken along the beam, with no loss from tilt, ground or walls; near the antenna (closer than a
few wavelengths) the far-field formula does not hold, which the distance does not pretend to model.

A map draws each sector's distance as a wedge along its azimuth, the beam's width a setting
(``emf_beamwidth_deg``, 65° by default: the horizontal half-power width of a common three-sector panel).
The formula lives here twice, as Python and as the SQL expression the map queries use; a test keeps
the two equal.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date

from registry.rules.book import RuleBook

LIMIT_CODE = "emf.public_power_density"
DEFAULT_BEAMWIDTH_DEG = 65.0
# Distances are given to the centimetre: finer would claim a precision the estimate does not have.
DECIMALS = 2


def compliance_distance_m(eirp_w: float, limit_w_m2: float) -> float:
    """The far-field distance in metres beyond which ``eirp_w`` watts give less than ``limit_w_m2``."""
    if not (math.isfinite(eirp_w) and eirp_w >= 0):
        raise ValueError("EIRP must be a finite number of watts, not negative")
    if not (math.isfinite(limit_w_m2) and limit_w_m2 > 0):
        raise ValueError("the power-density limit must be a finite number of W/m² above 0")
    return math.sqrt(eirp_w / (4 * math.pi * limit_w_m2))


def sector_distance_m(eirp_w: float | None, limit_w_m2: float) -> float | None:
    """A sector's distance as the registry gives it (to the centimetre); None for a sector with no EIRP."""
    if eirp_w is None:
        return None
    return round(compliance_distance_m(eirp_w, limit_w_m2), DECIMALS)


def largest(distances: Iterable[float | None]) -> float | None:
    """A site's distance: the largest of its sectors' (None when no sector has an EIRP)."""
    known = [d for d in distances if d is not None]
    return max(known) if known else None


def limit_on(book: RuleBook, on: date) -> float:
    """The public power-density limit (W/m²) in force on ``on``."""
    return float(book.value(LIMIT_CODE, on))


def distance_sql(eirp: str, limit: str) -> str:
    """The same distance as an SQL expression (metres, to the centimetre) of the column ``eirp`` and the
    parameter ``limit``."""
    return f"round(CAST(sqrt({eirp} / (4 * pi() * {limit})) AS numeric), {DECIMALS})"
