"""Fractionation regimens: BED and EQD2 computed exactly, rounded only for display.

BED = D (1 + d / (alpha/beta)); EQD2 = BED / (1 + 2 / (alpha/beta)) (DECISION-TABLE.md, "regimen").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

ALPHA_BETA_TUMOUR = Fraction(10)
ALPHA_BETA_LATE = Fraction(3)
ALPHA_BETA_SPINAL_CORD = Fraction(2)

BED10_ADEQUATE_LIFE_PROLONGING = Fraction(35)
"""Recommendation 2 "> 35", appendix 1 "minimum 35": the table reads >= 35 as adequate."""


def _exact(value: Decimal | Fraction | int | str) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(Decimal(str(value)))


def round_for_display(value: Fraction) -> Decimal:
    """One decimal, half up (the table's display rule)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def format_gy(value: Decimal | Fraction) -> str:
    """"30", "22.5": whole numbers without a decimal part."""
    exact = _exact(value) if not isinstance(value, Fraction) else value
    if exact.denominator == 1:
        return str(exact.numerator)
    return str(round_for_display(exact)).rstrip("0").rstrip(".")


@dataclass(frozen=True, slots=True)
class Regimen:
    total_dose_gy: Fraction
    fractions: int

    @classmethod
    def of(cls, total_dose_gy: Decimal | Fraction | int | str, fractions: int) -> Regimen:
        if fractions <= 0:
            raise ValueError("fractions must be positive")
        dose = _exact(total_dose_gy)
        if dose <= 0:
            raise ValueError("total dose must be positive")
        return cls(dose, fractions)

    @property
    def dose_per_fraction_gy(self) -> Fraction:
        return self.total_dose_gy / self.fractions

    def bed(self, alpha_beta: Fraction | int | Decimal = ALPHA_BETA_TUMOUR) -> Fraction:
        ab = _exact(alpha_beta)
        return self.total_dose_gy * (1 + self.dose_per_fraction_gy / ab)

    def eqd2(self, alpha_beta: Fraction | int | Decimal = ALPHA_BETA_TUMOUR) -> Fraction:
        ab = _exact(alpha_beta)
        return self.bed(ab) / (1 + Fraction(2) / ab)

    @property
    def bed10(self) -> Fraction:
        return self.bed(ALPHA_BETA_TUMOUR)

    @property
    def label(self) -> str:
        """"30 Gy/10F", the notation the guideline uses."""
        return f"{format_gy(self.total_dose_gy)} Gy/{self.fractions}F"

    @property
    def total_dose_cgy(self) -> Fraction:
        return self.total_dose_gy * 100

    def is_stereotactic_pattern(self) -> bool:
        """CONVENTIONS.md: at least 3 fractions of at least 6 Gy, or one fraction of at least 12 Gy."""
        d = self.dose_per_fraction_gy
        return (self.fractions >= 3 and d >= 6) or (self.fractions == 1 and d >= 12)


SINGLE_8_GY = Regimen.of(8, 1)
R17_2 = Regimen.of(17, 2)
R20_4 = Regimen.of(20, 4)
R20_5 = Regimen.of(20, 5)
R25_4 = Regimen.of(25, 4)
R25_5 = Regimen.of(25, 5)
R30_10 = Regimen.of(30, 10)
SRS_27_3 = Regimen.of(27, 3)
SRS_20_1 = Regimen.of(20, 1)

NAMED_REGIMENS: tuple[Regimen, ...] = (
    SINGLE_8_GY, R17_2, R20_4, R20_5, R25_4, R25_5, R30_10, SRS_27_3, SRS_20_1,
)


@dataclass(frozen=True, slots=True)
class HeranPlan:
    """HERAN: one inhomogeneous plan, 50-66 Gy in 24 fractions (l. 1172-1176); never a suggestion."""

    low: Regimen
    high: Regimen

    def matches(self, regimen: Regimen) -> bool:
        return (
            regimen.fractions == self.low.fractions
            and self.low.total_dose_gy <= regimen.total_dose_gy <= self.high.total_dose_gy
        )


HERAN = HeranPlan(low=Regimen.of(50, 24), high=Regimen.of(66, 24))


def named_regimen(regimen: Regimen) -> Regimen | None:
    """The guideline's named regimen equal to `regimen`, if any."""
    return next((named for named in NAMED_REGIMENS if named == regimen), None)
