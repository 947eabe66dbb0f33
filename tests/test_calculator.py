"""The calculator's specification: exact arithmetic, rounding half up of the final figure."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from generator.calculator import (
    calculate,
    calculator_spec,
    read_weight,
    round_mass,
    round_volume,
)
from generator.loader import load_knowledge_base

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def spec() -> dict[str, object]:
    return calculator_spec(load_knowledge_base(ROOT / "data").monographs[0].monograph)


def test_seventy_kg_as_the_issue_states(spec: dict[str, object]) -> None:
    assert calculate(spec, "70", "1") == {
        "message": "",
        "weight": "70 kg",
        "iv-bolus-and-infusion.0.dose": "10.5–21 mg",
        "iv-bolus-and-infusion.0.volume.solution-for-injection.0": "0.21–0.42 mL",
        "iv-bolus-and-infusion.0.volume.solution-for-injection.1": "0.11–0.21 mL",
        "iv-bolus-and-infusion.1.dose": "10.5–21 mg/hour",
        "iv-bolus-and-infusion.1.rate": "10.5–21 mL/hour",
        "oral-scheduled.0.dose": "35 mg",
        "oral-scheduled.0.volume.solution-for-injection.0": "0.7 mL",
        "oral-scheduled.0.volume.solution-for-injection.1": "0.35 mL",
        "oral-scheduled.0.volume.compounded-oral-solution.0": "1.8 mL",
    }


def test_no_subcut_figures_because_the_source_gives_no_subcut_regimen(
        spec: dict[str, object]) -> None:
    assert not any("subcut" in key for key in calculate(spec, "70", "1"))


def test_rounding_is_exact_and_half_up() -> None:
    assert round_volume(Fraction("10.5") / 100) == Fraction("0.11")  # not 0.1 as floats give
    assert round_mass(Fraction("99.95")) == Fraction(100)
    assert round_mass(Fraction("100.5")) == Fraction(101)
    assert round_mass(Fraction("10.45")) == Fraction("10.5")
    assert round_volume(Fraction("0.995")) == Fraction(1)
    assert round_volume(Fraction("1.05")) == Fraction("1.1")


def test_volume_too_small_to_measure_is_not_a_number(spec: dict[str, object]) -> None:
    figures = calculate(spec, "0.5", "")
    assert figures["iv-bolus-and-infusion.0.volume.solution-for-injection.1"] == (
        "too small to measure at this strength")
    assert figures["iv-bolus-and-infusion.1.rate"] == (
        "Enter the concentration of the prepared infusion to see mL/hour.")


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
                                                       spec: dict[str, object]) -> None:
    assert read_weight(typed).value is None
    assert calculate(spec, typed, "1") == {"message": message}


def test_a_cap_limits_the_dose_and_says_so() -> None:
    spec = {"regimens": [{"id": "r", "strengths": [],
                          "steps": [{"index": 0, "low": "1", "high": "2", "rate": False,
                                     "cap": "100"}]}]}
    assert calculate(spec, "80", "") == {
        "message": "", "weight": "80 kg", "r.0.cap": "capped at the maximum of 100 mg per dose",
        "r.0.dose": "80–100 mg"}
