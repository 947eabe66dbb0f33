"""The calculator's specification: exact arithmetic, caps of any compatible unit, rounding half up
of the final figure only and never above a cap."""

from __future__ import annotations

import shutil
from fractions import Fraction
from typing import Any

import pytest

from generator.calculator import (
    calculate,
    calculator_spec,
    read_weight,
    round_capped,
    round_mass,
    round_volume,
)
from generator.loader import KnowledgeBase, load_knowledge_base
from generator.model import Monograph

from .conftest import FIXTURES, ROOT


def by_name(kb: KnowledgeBase, name: str) -> Monograph:
    return next(m.monograph for m in kb.monographs if m.monograph.generic_name == name)


@pytest.fixture(scope="module")
def formulary(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    data = tmp_path_factory.mktemp("formulary") / "data"
    shutil.copytree(FIXTURES / "formulary", data)
    return load_knowledge_base(data)


@pytest.fixture(scope="module")
def ketamine() -> dict[str, Any]:
    return calculator_spec(by_name(load_knowledge_base(ROOT / "data"), "ketamine"))


def test_ketamine_at_seventy_kg(ketamine: dict[str, Any]) -> None:
    assert calculate(ketamine, "70", {"iv-bolus-and-infusion.1": "1"}) == {
        "message": "",
        "weight": "70 kg",
        "iv-bolus-and-infusion.0.cap": "",
        "iv-bolus-and-infusion.0.dose": "10.5–21 mg",
        "iv-bolus-and-infusion.0.volume.solution-for-injection.0": "0.21–0.42 mL",
        "iv-bolus-and-infusion.0.volume.solution-for-injection.1": "0.11–0.21 mL",
        "iv-bolus-and-infusion.1.cap": "",
        "iv-bolus-and-infusion.1.dose": "10.5–21 mg/hour",
        "iv-bolus-and-infusion.1.rate": "10.5–21 mL/hour",
        "oral-scheduled.0.cap": "",
        "oral-scheduled.0.dose": "35 mg",
        "oral-scheduled.0.volume.solution-for-injection.0": "0.7 mL",
        "oral-scheduled.0.volume.solution-for-injection.1": "0.35 mL",
        "oral-scheduled.0.volume.compounded-oral-solution.0": "1.8 mL",
    }


def test_no_subcut_figures_because_the_source_gives_no_subcut_regimen(
        ketamine: dict[str, Any]) -> None:
    assert not any("subcut" in key for key in calculate(ketamine, "70"))


def test_rounding_is_exact_and_half_up() -> None:
    assert round_volume(Fraction("10.5") / 100) == Fraction("0.11")  # not 0.1 as floats give
    assert round_mass(Fraction("99.95")) == Fraction(100)
    assert round_mass(Fraction("100.5")) == Fraction(101)
    assert round_mass(Fraction("10.45")) == Fraction("10.5")
    assert round_volume(Fraction("0.995")) == Fraction(1)
    assert round_volume(Fraction("1.05")) == Fraction("1.1")


def test_a_figure_never_rounds_above_its_cap() -> None:
    assert round_capped(Fraction("9.96"), Fraction("9.98"), "mass") == Fraction("9.9")
    assert round_capped(Fraction(50, 3), Fraction(50, 3), "mass") == Fraction("16.6")
    assert round_capped(Fraction("9.96"), None, "mass") == Fraction(10)


def test_volume_too_small_to_measure_is_not_a_number(ketamine: dict[str, Any]) -> None:
    figures = calculate(ketamine, "0.5")
    assert figures["iv-bolus-and-infusion.0.volume.solution-for-injection.1"] == (
        "too small to measure at this strength")
    assert figures["iv-bolus-and-infusion.1.rate"] == (
        "Enter the concentration in mg/mL to see mL/hour.")


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Enter the patient's weight in kg."),
    ("abc", "Weight must be a number in kg, like 70 or 70.5."),
    ("70kg", "Weight must be a number in kg, like 70 or 70.5."),
    ("1e2", "Weight must be a number in kg, like 70 or 70.5."),
    ("0", "Weight must be more than 0 kg."),
    ("-5", "Weight must be more than 0 kg."),
    ("0.4", "Weight must be between 0.5 and 300 kg."),
    ("300.1", "Weight must be between 0.5 and 300 kg."),
])
def test_unusable_weights_give_a_message_and_no_figure(typed: str, message: str,
                                                       ketamine: dict[str, Any]) -> None:
    assert read_weight(typed).value is None
    assert calculate(ketamine, typed) == {"message": message}


def test_a_cap_in_g_caps_a_mg_per_kg_dose_exactly(formulary: KnowledgeBase) -> None:
    """15 mg/kg capped at 0.01 g per dose: 10 mg at any weight from 1 kg, never 15 mg/kg."""
    spec = calculator_spec(by_name(formulary, "paedicillin"))
    figures = calculate(spec, "70")
    assert figures["renal-children.0.dose"] == "10 mg"
    assert figures["renal-children.0.cap"] == "capped at the maximum of 0.01 g per dose"
    assert figures["renal-children.0.volume.suspension.0"] == "0.2 mL"


def test_mg_per_kg_per_day_in_divided_doses_with_caps(formulary: KnowledgeBase) -> None:
    spec = calculator_spec(by_name(formulary, "paedicillin"))
    at_20 = calculate(spec, "20")
    assert at_20["oral-children.0.dose"] == "600–1,200 mg per 24 hours"
    assert at_20["oral-children.0.divided"] == "200–400 mg"
    assert at_20["oral-children.0.volume.suspension.0"] == "4–8 mL"
    at_40 = calculate(spec, "40")
    assert at_40["oral-children.0.dose"] == "1,200–1,500 mg per 24 hours"
    assert at_40["oral-children.0.cap"] == "capped at the maximum of 1.5 g in 24 hours"
    assert at_40["oral-children.0.divided"] == "400–500 mg"
    at_70 = calculate(spec, "70")
    assert at_70["oral-children.0.dose"] == "not shown: even the lowest dose is above the maximum"
    assert at_70["oral-children.0.cap"] == "the maximum is 1.5 g in 24 hours"
    assert "oral-children.0.divided" not in at_70


def test_mcg_per_kg_loading_over_ten_minutes_and_hourly_rate(formulary: KnowledgeBase) -> None:
    spec = calculator_spec(by_name(formulary, "sedatomidine"))
    figures = calculate(spec, "70", {"icu-sedation.0": "4", "icu-sedation.1": "4"})
    assert figures["icu-sedation.0.dose"] == "70 mcg"
    assert figures["icu-sedation.0.rate"] == "105 mL/hour"  # 17.5 mL over 10 minutes
    assert figures["icu-sedation.0.volume.concentrate.0"] == "0.7 mL"
    assert figures["icu-sedation.0.volume.ready-to-use.0"] == "17.5 mL"
    assert figures["icu-sedation.1.dose"] == "14–49 mcg/hour"
    assert figures["icu-sedation.1.rate"] == "3.5–12.3 mL/hour"


def test_units_per_kg_capped_in_units(formulary: KnowledgeBase) -> None:
    spec = calculator_spec(by_name(formulary, "heparinoid"))
    figures = calculate(spec, "70", {"iv-treatment.1": "100"})
    assert figures["iv-treatment.0.dose"] == "5,000 units"
    assert figures["iv-treatment.0.cap"] == "capped at the maximum of 5,000 units per dose"
    assert figures["iv-treatment.0.volume.vial.0"] == "5 mL"
    assert figures["iv-treatment.1.dose"] == "1,260 units/hour"
    assert figures["iv-treatment.1.rate"] == "12.6 mL/hour"
    # a 24-hour cap limits a rate: 40,000 units in 24 hours is 1,666.6 units/hour at most
    heavy = calculate(spec, "100", {"iv-treatment.1": "100"})
    assert heavy["iv-treatment.1.dose"] == "1,666 units/hour"
    assert heavy["iv-treatment.1.cap"] == ("capped at the maximum of 40,000 units in 24 hours, "
                                           "as a steady rate")


def test_mcg_per_kg_per_minute_and_a_percent_strength(formulary: KnowledgeBase) -> None:
    spec = calculator_spec(by_name(formulary, "vasopressamine"))
    figures = calculate(spec, "70", {"iv-shock.1": "40"})
    assert figures["iv-shock.0.volume.ampoule.0"] == "0.07 mL"  # 0.1% w/v is 1 mg/mL
    assert figures["iv-shock.1.dose"] == "3.5–35 mcg/minute"
    assert figures["iv-shock.1.rate"] == "5.3–52.5 mL/hour"


def test_fixed_and_per_square_metre_doses_are_not_calculated(formulary: KnowledgeBase) -> None:
    assert calculator_spec(by_name(formulary, "nauseazine")) == {"regimens": []}
    paedicillin = calculator_spec(by_name(formulary, "paedicillin"))
    assert "iv-surface-area" not in [r["id"] for r in paedicillin["regimens"]]
