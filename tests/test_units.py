"""Typed units: dimensions and exact factors, and suggestions that never change a dose's size."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction

import pytest
from pydantic import ValidationError

from generator import units
from generator.model import Bounds, Conversion, DoseStep, Strength
from generator.units import (
    DOSE_UNITS,
    FREQUENCIES,
    UNITS,
    convert,
    explain_frequency,
    explain_unit,
)

ALPHABET = sorted(set(string.ascii_lowercase + string.digits + "/_%µ .LU"))


def slips(word: str) -> Iterator[str]:
    """Every single-character deletion, insertion, substitution and transposition of ``word``."""
    for i in range(len(word)):
        yield word[:i] + word[i + 1:]
        for c in ALPHABET:
            yield word[:i] + c + word[i + 1:]
        if i + 1 < len(word):
            yield word[:i] + word[i + 1] + word[i] + word[i + 2:]
    for i in range(len(word) + 1):
        for c in ALPHABET:
            yield word[:i] + c + word[i:]


def proposals(message: str) -> list[str]:
    """The codes a message proposes: its "did you mean" or "write", or every reading it names."""
    return re.findall(r"(?:did you mean|write) '([^']+)'|'([^']+)' \(", message) and [
        a or b for a, b in re.findall(r"(?:did you mean|write) '([^']+)'|'([^']+)' \(",
                                      message)]


SPELLINGS = {**units._AMOUNT_SPELLINGS}
ALIASES = units._alias_spellings()


def unit_size(code: str) -> tuple[object, Fraction]:
    return UNITS[code].dimension, UNITS[code].factor


@pytest.mark.parametrize("meant", sorted(DOSE_UNITS))
def test_no_slip_of_a_unit_draws_a_unit_of_another_size(meant: str) -> None:
    """A slip that lands exactly on another unit, or on a habitual spelling of one ('ug' from
    'g'), is a different word the editor typed: it is accepted, or refused with its own safe
    form. Every other slip proposes only the size that was meant, or names each reading."""
    for typed in set(slips(meant)) - set(UNITS):
        if typed in ALIASES:
            continue
        proposed = [p for p in proposals(explain_unit(typed, DOSE_UNITS)) if p in UNITS]
        sizes = {unit_size(p) for p in proposed}
        if len(sizes) == 1:  # one proposal: it must be the size that was meant
            assert sizes == {unit_size(meant)}, (typed, proposed)
        elif proposed:  # several readings named: what was meant is among them
            assert unit_size(meant) in sizes, (typed, proposed)


@pytest.mark.parametrize("meant", sorted(FREQUENCIES))
def test_no_slip_of_a_frequency_draws_another_frequency(meant: str) -> None:
    for typed in set(slips(meant)) - set(FREQUENCIES):
        if typed.lower() in units._FREQUENCY_SPELLINGS:
            continue
        proposed = [p for p in proposals(explain_frequency(typed)) if p in FREQUENCIES]
        sizes = {FREQUENCIES[p].size for p in proposed}
        if len(sizes) == 1:
            assert sizes == {FREQUENCIES[meant].size}, (typed, proposed)
        elif proposed:
            assert FREQUENCIES[meant].size in sizes, (typed, proposed)


@pytest.mark.parametrize(("alias", "meant"), [
    ("µg/kg/h", "mcg/kg/hour"), ("ug/kg/hr", "mcg/kg/hour"), ("microgram/kg", "mcg/kg"),
    ("mcg/kg/min", "mcg/kg/minute"), ("mg/24 hours", "mg/day"), ("mg/24h", "mg/day"),
    ("IU", "units"), ("U/kg", "units/kg"), ("ml/hr", "mL/hour"), ("mg/kg/hr", "mg/kg/hour"),
])
def test_habitual_spellings_are_refused_with_the_same_unit(alias: str, meant: str) -> None:
    message = explain_unit(alias, DOSE_UNITS)
    assert f"write '{meant}'" in message
    assert unit_size(meant) == unit_size(proposals(message)[0])


@pytest.mark.parametrize("meant", ["µg/kg/h", "ug", "mcg/kg/min", "mg/24 hours", "bd", "tds",
                                   "qds", "nocte", "mane"])
def test_no_slip_of_a_habitual_spelling_draws_another_size(meant: str) -> None:
    is_unit = "/" in meant or meant in SPELLINGS
    size = (unit_size(units._spelled_unit(meant) or meant) if is_unit
            else FREQUENCIES[units._spelled_frequency(meant) or meant].size)
    for typed in slips(meant):
        if is_unit:
            if typed in UNITS or units._spelled_unit(typed):
                continue
            sizes = {unit_size(p) for p in proposals(explain_unit(typed, DOSE_UNITS))
                     if p in UNITS}
        else:
            if typed in FREQUENCIES or units._spelled_frequency(typed):
                continue
            sizes = {FREQUENCIES[p].size for p in proposals(explain_frequency(typed))
                     if p in FREQUENCIES}
        assert len(sizes) != 1 or sizes == {size}, (typed, sizes)


def test_a_slip_between_sizes_names_every_reading() -> None:
    message = explain_unit("µg/kgh", DOSE_UNITS)  # µg/kg/h with its slash lost
    assert "did you mean" not in message
    assert {"mcg/kg", "mcg/kg/hour"} <= set(proposals(message))
    message = explain_frequency("every_1__minutes")  # every_10_minutes with its 0 lost
    assert {"every_10_minutes", "every_minute"} <= set(proposals(message))


@pytest.mark.parametrize(("written", "safe"), [
    ("bd", "twice_a_day"), ("BD", "twice_a_day"), ("tds", "three_times_a_day"),
    ("qds", "four_times_a_day"), ("nocte", "at_night"), ("q12h", "every_12_hours"),
    ("every 4 hours", "every_4_hours"), ("mane", "in_the_morning"),
])
def test_frequency_spellings_name_their_safe_form(written: str, safe: str) -> None:
    message = explain_frequency(written)
    assert proposals(message)[0] == safe  # tds and qds are one slip apart: both are named
    assert "every_12_hours" not in message or safe == "every_12_hours"  # bd is not q12h


@pytest.mark.parametrize("written", ["od", "OD", "qd", "qod", "o.d."])
def test_od_qd_and_qod_are_refused_outright(written: str) -> None:
    message = explain_frequency(written)
    assert "never used" in message
    assert "did you mean" not in message


def test_units_know_their_dimension_and_exact_factor() -> None:
    assert convert(Fraction(1), UNITS["g"], UNITS["mg"]) == 1000
    assert convert(Fraction(1), UNITS["mg/kg/hour"], UNITS["mcg/kg/minute"]) == Fraction(50, 3)
    assert convert(Fraction(1), UNITS["%w/v"], UNITS["mg/mL"]) == 10
    assert UNITS["units"].ucum == "[iU]"
    assert UNITS["mcg/kg/hour"].ucum == "ug/kg/h"
    assert UNITS["mg/day"].label == "mg per 24 hours"
    with pytest.raises(ValueError, match="measure different things"):
        convert(Fraction(1), UNITS["mg"], UNITS["mL"])
    with pytest.raises(ValueError, match="measure different things"):
        convert(Fraction(1), UNITS["%w/w"], UNITS["mg/mL"])  # only w/v converts
    with pytest.raises(ValueError, match="measure different things"):
        convert(Fraction(1), UNITS["mmol"], UNITS["mg"])


def test_a_percentage_needs_its_basis() -> None:
    assert "'%w/v', '%w/w' or '%v/v'" in explain_unit("%", units.CONCENTRATION_UNITS)


def _titrated(by: str, up_to: str) -> dict[str, object]:
    """A maintenance dose of 2–4 mg/hour titrated by ``by`` up to ``up_to``, as read."""
    def quantity(written: str) -> dict[str, object]:
        value, unit = written.split()
        return {"value": Decimal(value), "unit": unit}
    return {"kind": "maintenance",
            "dose": {"min": Decimal(2), "max": Decimal(4), "unit": "mg/hour"},
            "titration": {"by": quantity(by), "up_to": quantity(up_to)}}


@pytest.mark.parametrize(("by", "up_to", "message"), [
    ("1 mg/hour", "10 mcg/hour", "titration.up_to, 10 mcg/hour, is below even the lowest dose "
                                 "(2 mg/hour); it is the most the dose is titrated to"),
    ("1 mg/hour", "1.5 mg/hour", "titration.up_to, 1.5 mg/hour, is below even the lowest dose "
                                 "(2 mg/hour)"),
    ("20 mg/hour", "10 mg/hour", "titration.by, 20 mg/hour, is more than the most the dose is "
                                 "titrated to (10 mg/hour)"),
    ("0.02 g/hour", "10 mg/hour", "titration.by, 0.02 g/hour, is more than the most the dose "
                                  "is titrated to (10 mg/hour)"),
])
def test_a_titration_ceiling_or_step_a_unit_apart_is_refused(by: str, up_to: str,
                                                              message: str) -> None:
    """A ceiling below the dose, or one adjustment above the ceiling, is a unit typed wrong
    (mcg for mg) or a number mistyped: both are compared exactly, across units of a size."""
    with pytest.raises(ValidationError) as caught:
        DoseStep.model_validate(_titrated(by, up_to))
    assert message in str(caught.value)


@pytest.mark.parametrize(("by", "up_to"), [("1 mg/hour", "2 mg/hour"),
                                           ("10 mg/hour", "10 mg/hour"),
                                           ("500 mcg/hour", "4000 mcg/hour")])
def test_a_titration_within_its_ceiling_is_accepted(by: str, up_to: str) -> None:
    step = DoseStep.model_validate(_titrated(by, up_to))
    assert step.titration is not None and step.titration.up_to is not None


@pytest.mark.parametrize(("strength", "refused"), [
    ({"amount": Decimal(25), "unit": "g", "per": Decimal(1), "per_unit": "mL"}, True),
    ({"amount": Decimal(25), "unit": "g/mL"}, True),
    ({"amount": Decimal(501), "unit": "%w/v"}, True),
    ({"amount": Decimal(5001), "unit": "mg/mL"}, True),
    # a barium sulfate suspension of 250% w/v is real; 5 g/mL is the bound, inclusive
    ({"amount": Decimal(250), "unit": "%w/v"}, False),
    ({"amount": Decimal(25), "unit": "g", "per": Decimal(5), "per_unit": "mL"}, False),
    ({"amount": Decimal(5000), "unit": "mg/mL"}, False),
    ({"amount": Decimal(25000), "unit": "units", "per": Decimal(1), "per_unit": "mL"}, False),
])
def test_a_strength_more_than_a_liquid_holds_is_refused(strength: dict[str, object],
                                                         refused: bool) -> None:
    """More than 5 g in each mL is g typed for mg: the calculator would give a volume a
    thousand times too small."""
    if refused:
        with pytest.raises(ValidationError) as caught:
            Strength.model_validate(strength)
        assert "is more than 5 g in each mL, more than any solution or suspension holds" in \
            str(caught.value)
    else:
        assert Strength.model_validate(strength).amount_per_ml is not None


def _step(kind: str, amount: str, unit: str, **more: object) -> dict[str, object]:
    return {"kind": kind, "dose": {"value": Decimal(amount), "unit": unit}, **more}


HOURS_2 = {"value": Decimal(2), "unit": "hours"}


@pytest.mark.parametrize(("step", "message"), [
    (_step("bolus", "5", "mg/hour"),
     "a bolus is an amount given at once, not a rate (mg/hour): write the amount, or make the "
     "step an infusion, as the source states it"),
    (_step("single", "1", "mcg/kg/minute"), "a single dose is an amount given at once"),
    (_step("scheduled", "6.25", "mg", frequency="at_night", as_needed={"reason": "nausea"}),
     "as_needed is for a dose given when needed, and this step is a scheduled dose: write "
     "kind: as_needed, or remove as_needed, as the source states it"),
    (_step("maintenance", "2", "mg/hour", as_needed={"min_interval": HOURS_2}),
     "this step is a maintenance dose"),
    (_step("infusion", "25", "mg", device="syringe_driver"),
     "a continuous infusion of mg needs how long it runs (over) or a unit per time (per hour, "
     "or per day for an amount in 24 hours), as the source states it"),
    (_step("scheduled", "3", "mg", frequency="continuous"),
     "frequency: continuous is for an infusion or a rate, and this scheduled dose is in mg: "
     "write how often, as the source states it"),
])
def test_a_kind_of_dose_that_contradicts_its_dose_is_refused(step: dict[str, object],
                                                             message: str) -> None:
    """The page would read "bolus 5 mg/hour", "scheduled dose 6.25 mg at night as needed",
    "continuous infusion 25 mg" (25 mg over what time?) or "scheduled dose 3 mg continuous"."""
    with pytest.raises(ValidationError) as caught:
        DoseStep.model_validate(step)
    assert message in str(caught.value)


@pytest.mark.parametrize("step", [
    _step("bolus", "1", "mg", as_needed={"min_interval": {"value": Decimal(5),
                                                          "unit": "minutes"}}),
    _step("single", "2", "mg", as_needed={"reason": "agitation"}),
    _step("infusion", "25", "mg", over={"value": Decimal(24), "unit": "hours"}),
    _step("infusion", "25", "mg/day"),
    _step("infusion", "2", "mg/hour", frequency="continuous"),
    _step("loading", "6", "mcg/kg/hour", duration={"value": Decimal(10), "unit": "minutes"}),
    _step("as_needed", "6.25", "mg", as_needed={"reason": "nausea", "min_interval": HOURS_2}),
])
def test_kinds_of_dose_that_agree_with_their_dose_are_accepted(step: dict[str, object]) -> None:
    assert DoseStep.model_validate(step).dose.value is not None


@pytest.mark.parametrize(("bounds", "refused"), [
    ({"above": Decimal(180), "unit": "years"}, "180 years is beyond any patient (at most 130 "
                                               "years): check the number against the source"),
    ({"min": Decimal(40), "below": Decimal(1500), "unit": "kg"}, "1500 kg is beyond any patient"),
    ({"below": Decimal(3000), "unit": "mL/minute"}, "3000 mL/minute is beyond any patient"),
    ({"below": Decimal(2000), "unit": "months"}, "2000 months is beyond any patient"),
    ({"above": Decimal(17), "max": Decimal(130), "unit": "years"}, None),
    ({"below": Decimal(28), "unit": "days"}, None),
    ({"min": Decimal(40), "below": Decimal(150), "unit": "kg"}, None),
    ({"below": Decimal(30), "unit": "mL/minute/1.73 m2"}, None),
])
def test_a_population_bound_beyond_any_patient_is_refused(bounds: dict[str, object],
                                                           refused: str | None) -> None:
    """An age of 180 years, a weight of 1,500 kg: a number mistyped (18, 150), which would
    leave a regimen for no one. Technical bounds, not clinical limits."""
    if refused is None:
        assert Bounds.model_validate(bounds).unit == bounds["unit"]
        return
    with pytest.raises(ValidationError) as caught:
        Bounds.model_validate(bounds)
    assert refused in str(caught.value)


@pytest.mark.parametrize(("ratio", "accepted"), [("2:1", True), ("0.5:1", True), ("0:1", False),
                                                  ("2:0", False), ("0.0:1", False)])
def test_a_conversion_ratio_has_no_zero(ratio: str, accepted: bool) -> None:
    """'oral to subcut 0:1' converts from nothing: a number mistyped."""
    conversion = {"from_route": "oral", "to_route": "subcutaneous", "ratio": ratio}
    if accepted:
        assert Conversion.model_validate(conversion).ratio == ratio
        return
    with pytest.raises(ValidationError) as caught:
        Conversion.model_validate(conversion)
    assert f"the ratio {ratio} has a zero; each side is a dose above zero" in str(caught.value)
