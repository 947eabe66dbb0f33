"""The one dose formatter follows the dose-display rules of the design card."""

from __future__ import annotations

from decimal import Decimal

import pytest

from generator.doses import (
    format_dose,
    format_frequency,
    format_number,
    format_route,
    format_strength,
    format_strengths,
)
from generator.model import Dose, DoseStep, Strength


@pytest.mark.parametrize(("value", "shown"), [
    ("1.0", "1"), ("1.50", "1.5"), (".5", "0.5"), ("0.05", "0.05"), ("1000", "1,000"),
    ("12500.25", "12,500.25"), ("100", "100"), ("1E+3", "1,000"), ("0.150", "0.15"),
])
def test_numbers_have_no_trailing_zero_and_a_leading_zero(value: str, shown: str) -> None:
    assert format_number(Decimal(value)) == shown


def test_ranges_are_in_one_unit_with_an_en_dash() -> None:
    assert format_dose(Dose(min=Decimal("0.15"), max=Decimal("0.30"), unit="mg/kg")) == \
        "0.15–0.3 mg/kg"
    assert format_dose(Dose(min=Decimal("0.15"), max=Decimal("0.3"), unit="mg/kg/hour")) == \
        "0.15–0.3 mg/kg/hour"
    assert format_dose(Dose(value=Decimal("0.5"), unit="mg/kg")) == "0.5 mg/kg"
    assert format_dose(Dose(min=Decimal(2), max=Decimal(2), unit="mg")) == "2 mg"


def test_routes_are_spelled_safely() -> None:
    assert format_route("subcutaneous") == "subcut"
    assert format_route("intravenous") == "IV"
    assert format_route("oral") == "oral"


def test_frequency_the_source_does_not_give_says_so() -> None:
    bolus = DoseStep(kind="bolus", dose=Dose(value=Decimal(1), unit="mg/kg"))
    rate = DoseStep(kind="infusion", dose=Dose(value=Decimal(1), unit="mg/kg/hour"))
    scheduled = DoseStep(kind="scheduled", dose=Dose(value=Decimal(1), unit="mg/kg"),
                         frequency="every_12_hours")
    assert format_frequency(bolus) == "not stated in source"
    assert format_frequency(rate) == "continuous; duration not stated in source"
    assert format_frequency(scheduled) == "every 12 hours"


def test_strengths() -> None:
    assert format_strength(Strength(amount=Decimal(50), unit="mg", per_unit="mL")) == "50 mg/mL"
    assert format_strength(Strength(amount=Decimal(10), unit="mg", per=Decimal(5),
                                    per_unit="mL")) == "10 mg per 5 mL"
    assert format_strength(Strength(amount=Decimal(500), unit="mg")) == "500 mg"
    assert format_strength(Strength(amount=Decimal(4), unit="mcg/mL")) == "4 mcg/mL"
    assert format_strength(Strength(amount=Decimal("0.1"), unit="%w/v")) == "0.1% w/v"
    example = Strength(amount=Decimal(20), unit="mg", per_unit="mL", example=True)
    assert format_strengths([example]) == "e.g., 20 mg/mL"
    assert format_strengths([Strength(amount=Decimal(50), unit="mg", per_unit="mL"),
                             Strength(amount=Decimal(100), unit="mg", per_unit="mL")]) == \
        "50 mg/mL and 100 mg/mL"
