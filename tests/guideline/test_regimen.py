"""The regimen arithmetic against the reference BED10 values of the decision table."""

from decimal import Decimal
from fractions import Fraction

import pytest

from service.guideline.regimen import (
    ALPHA_BETA_SPINAL_CORD,
    HERAN,
    NAMED_REGIMENS,
    Regimen,
    named_regimen,
    round_for_display,
)

REFERENCE_BED10 = {
    (8, 1): "14.4",
    (17, 2): "31.5",
    (20, 4): "30.0",
    (20, 5): "28.0",
    (25, 4): "40.6",
    (25, 5): "37.5",
    (30, 10): "39.0",
    (27, 3): "51.3",
    (20, 1): "60.0",
}


@pytest.mark.parametrize(("dose", "fractions", "bed10"), [(d, n, b) for (d, n), b in REFERENCE_BED10.items()])
def test_reference_regimens_have_the_tables_bed10(dose: int, fractions: int, bed10: str) -> None:
    assert round_for_display(Regimen.of(dose, fractions).bed10) == Decimal(bed10)


def test_heran_dose_levels_match_the_table() -> None:
    assert round_for_display(HERAN.low.bed10) == Decimal("60.4")
    assert round_for_display(HERAN.high.bed10) == Decimal("84.2")
    assert HERAN.matches(Regimen.of(60, 24))
    assert not HERAN.matches(Regimen.of(60, 25))
    assert not HERAN.matches(Regimen.of(70, 24))


def test_bed_is_exact_and_rounds_half_up_only_for_display() -> None:
    regimen = Regimen.of("22.5", 4)
    assert regimen.bed10 == Fraction(22.5) * (1 + Fraction(225, 400))
    assert round_for_display(Fraction(1405, 100)) == Decimal("14.1")
    assert round_for_display(Fraction(1415, 100)) == Decimal("14.2")


def test_table_discrepancy_note_thresholds() -> None:
    """22.5 Gy/4F and 23.8 Gy/5F are where "20-25 Gy/4-5F" first reaches BED10 35."""
    assert Regimen.of("22.5", 4).bed10 >= 35
    assert Regimen.of("22.4", 4).bed10 < 35
    assert Regimen.of("23.8", 5).bed10 >= 35
    assert Regimen.of("23.7", 5).bed10 < 35


def test_eqd2_for_spinal_cord_alpha_beta() -> None:
    # 8 Gy/1F: BED2 = 8 * (1 + 8/2) = 40; EQD2 = 40 / 2 = 20
    assert Regimen.of(8, 1).eqd2(ALPHA_BETA_SPINAL_CORD) == 20
    # 30 Gy/10F: BED3 = 30 * 2 = 60; EQD2(3) = 60 / (5/3) = 36
    assert Regimen.of(30, 10).eqd2(3) == 36


def test_labels_and_named_regimens() -> None:
    assert Regimen.of(Decimal("30.0"), 10).label == "30 Gy/10F"
    assert Regimen.of("22.5", 4).label == "22.5 Gy/4F"
    assert named_regimen(Regimen.of(Decimal("2000") / 100, 5)) == Regimen.of(20, 5)
    assert named_regimen(Regimen.of(21, 5)) is None
    assert len(set(NAMED_REGIMENS)) == len(NAMED_REGIMENS)


@pytest.mark.parametrize(("dose", "fractions"), [(0, 1), (-8, 1), (8, 0), (8, -1)])
def test_impossible_regimens_are_rejected(dose: int, fractions: int) -> None:
    with pytest.raises(ValueError):
        Regimen.of(dose, fractions)


@pytest.mark.parametrize(
    ("dose", "fractions", "stereotactic"),
    [(27, 3, True), (20, 1, True), (12, 1, True), (8, 1, False), (30, 10, False), (15, 3, False)],
)
def test_stereotactic_pattern(dose: int, fractions: int, stereotactic: bool) -> None:
    assert Regimen.of(dose, fractions).is_stereotactic_pattern() is stereotactic
