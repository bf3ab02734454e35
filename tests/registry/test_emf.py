"""The EMF safety distance of a sector (QCVN 8:2022/BTTTT): the formula by hand, its order, the limit read
from the rule book on the day, and the SQL twin of the formula equal to the Python one."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session

from registry.rules.book import MissingRule, RuleBook
from registry.rules.models import RuleValue
from registry.stations import emf

POWER = st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize(
    ("eirp_w", "expected_m"),
    [
        # 1000 W at 2 W/m²: sqrt(1000 / (8π)) = sqrt(39.7887) = 6.3078 m
        (1000.0, 6.31),
        # 8π·25 W = 628.3 W gives exactly 5 m; 8π·100 W = 2513.3 W exactly 10 m
        (8 * math.pi * 25, 5.0),
        (8 * math.pi * 100, 10.0),
        # 50 W (a small cell): sqrt(50 / 25.1327) = sqrt(1.9894) = 1.4105 m
        (50.0, 1.41),
        # 4000 W (a busy macro sector): sqrt(159.155) = 12.6157 m
        (4000.0, 12.62),
    ],
)
def test_distances_computed_by_hand(eirp_w: float, expected_m: float) -> None:
    assert emf.sector_distance_m(eirp_w, 2.0) == pytest.approx(expected_m, abs=0.005)


def test_a_stricter_limit_pushes_the_distance_out_and_no_eirp_gives_none() -> None:
    # A quarter of the limit doubles the distance (r grows as 1/sqrt(S)).
    assert emf.compliance_distance_m(1000.0, 0.5) == pytest.approx(2 * emf.compliance_distance_m(1000.0, 2.0))
    assert emf.sector_distance_m(None, 2.0) is None
    assert emf.largest([None, 6.31, 12.62, None]) == 12.62
    assert emf.largest([None, None]) is None
    assert emf.largest([]) is None


@pytest.mark.parametrize(("eirp_w", "limit"), [(-1.0, 2.0), (math.nan, 2.0), (math.inf, 2.0), (10.0, 0.0), (10.0, -2)])
def test_impossible_inputs_are_refused(eirp_w: float, limit: float) -> None:
    with pytest.raises(ValueError):
        emf.compliance_distance_m(eirp_w, limit)


@given(POWER, POWER)
def test_the_distance_grows_with_the_power(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert emf.compliance_distance_m(low, 2.0) <= emf.compliance_distance_m(high, 2.0)
    assert emf.sector_distance_m(low, 2.0) <= emf.sector_distance_m(high, 2.0)  # type: ignore[operator]


@given(st.floats(min_value=1e-3, max_value=1e7, allow_nan=False))
def test_at_the_distance_the_density_is_the_limit(eirp_w: float) -> None:
    r = emf.compliance_distance_m(eirp_w, 2.0)
    assert eirp_w / (4 * math.pi * r * r) == pytest.approx(2.0)


def test_the_limit_is_read_from_the_rule_book_on_the_day(db: Session) -> None:
    row = db.query(RuleValue).filter_by(code=emf.LIMIT_CODE).one()
    assert row.legal_basis.startswith("QCVN 8:2022/BTTTT") and row.certainty == "firm" and row.kind == "decimal"
    book = RuleBook.load(db)
    assert emf.limit_on(book, date(2026, 12, 5)) == 2.0
    # A new value from a day: the old one up to it, the new one from it.
    row.effective_to = date(2030, 1, 1)
    db.add(
        RuleValue(
            code=emf.LIMIT_CODE,
            kind="decimal",
            value="1",
            description="thử",
            legal_basis="thử",
            effective_from=date(2030, 1, 1),
        )
    )
    db.flush()
    book = RuleBook.load(db)
    assert emf.limit_on(book, date(2029, 12, 31)) == 2.0
    assert emf.limit_on(book, date(2030, 1, 1)) == 1.0
    with pytest.raises(MissingRule):
        emf.limit_on(book, date(1989, 12, 31))


@pytest.mark.parametrize("eirp_w", [0.5, 50.0, 1000.0, 4000.0, 123_456.0])
def test_the_sql_formula_equals_the_python_one(db: Session, eirp_w: float) -> None:
    sql = f"SELECT {emf.distance_sql('CAST(:eirp AS float8)', ':limit')}"
    got = db.execute(text(sql), {"eirp": eirp_w, "limit": 2.0}).scalar_one()
    assert float(got) == emf.sector_distance_m(eirp_w, 2.0)
