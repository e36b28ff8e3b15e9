"""`bed`: the regimen calculator, BED and EQD2 of a fractionation for one or more alpha/beta ratios,
computed exactly as the service does and rounded to one decimal only for display."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from service.guideline.regimen import ALPHA_BETA_TUMOUR, Regimen, format_gy, named_regimen, round_for_display


def _positive_number(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise typer.BadParameter(f"{text!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise typer.BadParameter(f"{text!r} must be a positive number")
    return value


def bed(
    total_dose: Annotated[Decimal, typer.Argument(parser=_positive_number, metavar="TOTAL_GY",
                                                  help="Total dose in Gy, e.g. 30 or 22.5.")],
    fractions: Annotated[int, typer.Argument(min=1, metavar="FRACTIONS", help="Number of fractions.")],
    alpha_beta: Annotated[list[Decimal] | None, typer.Option(
        "--alpha-beta", parser=_positive_number, metavar="GY", show_default=False,
        help=f"alpha/beta ratio in Gy; repeat for several (default {ALPHA_BETA_TUMOUR}: tumour; "
             "3 late-responding tissue, 2 spinal cord).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the numbers as JSON.")] = False,
) -> None:
    """BED and EQD2 of a regimen: BED = D (1 + d / (alpha/beta)), EQD2 = BED / (1 + 2 / (alpha/beta))."""
    regimen = Regimen.of(total_dose, fractions)
    ratios = alpha_beta or [Decimal(ALPHA_BETA_TUMOUR.numerator)]
    rows = [(ratio, round_for_display(regimen.bed(ratio)), round_for_display(regimen.eqd2(ratio)))
            for ratio in ratios]
    guideline_regimen = named_regimen(regimen) is not None
    if as_json:
        typer.echo(json.dumps({
            "regimen": regimen.label,
            "total_dose_gy": float(total_dose),
            "fractions": regimen.fractions,
            "dose_per_fraction_gy": float(round_for_display(regimen.dose_per_fraction_gy)),
            "named_in_guideline": guideline_regimen,
            "values": [{"alpha_beta_gy": float(ratio), "bed_gy": float(bed_value), "eqd2_gy": float(eqd2)}
                       for ratio, bed_value, eqd2 in rows],
        }, indent=2))
        return
    console = Console(highlight=False)
    heading = f"{regimen.label}: {format_gy(regimen.dose_per_fraction_gy)} Gy per fraction"
    if guideline_regimen:
        heading += " (a regimen the guideline names)"
    console.print(heading)
    table = Table()
    table.add_column("alpha/beta", justify="right")
    table.add_column("BED", justify="right")
    table.add_column("EQD2", justify="right")
    for ratio, bed_value, eqd2 in rows:
        table.add_row(f"{format_gy(ratio)} Gy", f"{bed_value} Gy", f"{eqd2} Gy")
    console.print(table)
