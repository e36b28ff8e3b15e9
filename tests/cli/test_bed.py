"""`palliative-rt-cds bed TOTAL FRACTIONS`: BED = D (1 + d / (alpha/beta)) and
EQD2 = BED / (1 + 2 / (alpha/beta))."""

from __future__ import annotations

import json

import pytest


def test_30_gy_in_10_fractions_with_the_tumour_alpha_beta(run) -> None:
    """3 Gy per fraction: BED10 = 30 x 1.3 = 39.0 Gy, EQD2 = 39 / 1.2 = 32.5 Gy; a named regimen."""
    result = run("bed", 30, 10)
    assert result.exit_code == 0, result.output
    assert "30 Gy/10F: 3 Gy per fraction (a regimen the guideline names)" in result.stdout
    assert "│      10 Gy │ 39.0 Gy │ 32.5 Gy │" in result.stdout


def test_several_alpha_beta_ratios_for_tumour_late_tissue_and_spinal_cord(run) -> None:
    """20 Gy/5F, 4 Gy per fraction: BED 28.0 / 46.7 / 60.0 Gy, EQD2 23.3 / 28.0 / 30.0 Gy."""
    result = run("bed", 20, 5, "--alpha-beta", 10, "--alpha-beta", 3, "--alpha-beta", 2, "--json")
    assert result.exit_code == 0, result.output
    numbers = json.loads(result.stdout)
    assert numbers["regimen"] == "20 Gy/5F" and numbers["named_in_guideline"] is True
    assert [(v["alpha_beta_gy"], v["bed_gy"], v["eqd2_gy"]) for v in numbers["values"]] == [
        (10, 28.0, 23.3), (3, 46.7, 28.0), (2, 60.0, 30.0)]


def test_a_decimal_dose_is_computed_exactly_and_rounded_half_up_for_display(run) -> None:
    """22.5 Gy/5F: 4.5 Gy per fraction, BED10 = 22.5 x 1.45 = 32.625 -> 32.6; EQD2 27.1875 -> 27.2."""
    numbers = json.loads(run("bed", "22.5", 5, "--json").stdout)
    assert numbers["dose_per_fraction_gy"] == 4.5 and numbers["named_in_guideline"] is False
    assert (numbers["values"][0]["bed_gy"], numbers["values"][0]["eqd2_gy"]) == (32.6, 27.2)


@pytest.mark.parametrize("args, message", [
    (["abc", "5"], "'abc' is not a number"),
    (["0", "5"], "'0' must be a positive number"),
    (["nan", "5"], "'nan' must be a positive number"),
    (["30", "0"], "Invalid value for 'FRACTIONS'"),
    (["30", "10", "--alpha-beta", "-2"], "'-2' must be a positive number"),
])
def test_impossible_regimens_are_refused_with_exit_status_2(run, args, message) -> None:
    result = run("bed", *args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.replace("│", " ").split())
