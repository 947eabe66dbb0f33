"""The weight-based dose calculator's specification. The page's JavaScript
(``content/javascripts/calculator.js``) implements exactly these rules; a browser test compares
the two, figure by figure, as text.

Arithmetic is exact (decimal inputs, rational intermediate results); only the final figure is
rounded, half up, to what can be measured (design card, dose display rule 7):

- mg and mg/hour to 0.1, or to 1 from 100 up;
- mL to 0.01 below 1 mL, to 0.1 from 1 mL;
- mL/hour to 0.1.

A volume that rounds to nothing is not shown as a number.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from markupsafe import Markup

from . import vocabulary
from .doses import format_number, format_range, format_strength
from .model import DosageForm, Monograph, Regimen

MIN_WEIGHT = Decimal("0.5")
MAX_WEIGHT = Decimal(300)
MAX_CONCENTRATION = Decimal(100)
TOO_SMALL = "too small to measure at this strength"
ROUNDING_NOTE = ("Rounded half up: mg and mg/hour to 0.1 (to 1 from 100), volumes under 1 mL to "
                 "0.01 mL and from 1 mL to 0.1 mL, rates to 0.1 mL/hour.")
PARENTERAL = {"intravenous", "subcutaneous", "intramuscular"}

_NUMBER = re.compile(r"\d+(\.\d+)?|\.\d+")


@dataclass(frozen=True)
class Reading:
    """A number typed into the page, or why it cannot be used."""

    value: Decimal | None
    message: str


def read_weight(text: str) -> Reading:
    """The patient's weight in kg as typed, or the message the page shows instead."""
    written = text.strip()
    if not written:
        return Reading(None, "Enter the patient's weight in kg.")
    if written.startswith("-") and _NUMBER.fullmatch(written[1:]):
        return Reading(None, "Weight must be more than 0 kg.")
    if not _NUMBER.fullmatch(written):
        return Reading(None, "Weight must be a number in kg, like 70 or 70.5.")
    value = Decimal(written)
    if value == 0:
        return Reading(None, "Weight must be more than 0 kg.")
    if not MIN_WEIGHT <= value <= MAX_WEIGHT:
        return Reading(None, "Weight must be between 0.5 and 300 kg.")
    return Reading(value, "")


def read_concentration(text: str) -> Reading:
    """The prepared infusion's concentration in mg/mL, or the message the page shows instead."""
    written = text.strip()
    if not written:
        return Reading(None, "Enter the concentration of the prepared infusion to see mL/hour.")
    if not _NUMBER.fullmatch(written) or Decimal(written) == 0 or \
            Decimal(written) > MAX_CONCENTRATION:
        return Reading(None, "Concentration must be a number above 0 and up to 100 mg/mL.")
    return Reading(Decimal(written), "")


def round_half_up(value: Fraction, places: int) -> Fraction:
    """Round a non-negative exact value half up to ``places`` decimals."""
    scale = 10 ** places
    scaled = value * scale
    return Fraction((2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator),
                    scale)


def round_mass(value: Fraction) -> Fraction:
    """mg or mg/hour: to 0.1, or to 1 from 100 up."""
    return round_half_up(value, 0 if value >= 100 else 1)


def round_volume(value: Fraction) -> Fraction:
    """mL: to 0.01 below 1 mL, to 0.1 from 1 mL."""
    return round_half_up(value, 2 if value < 1 else 1)


def round_rate(value: Fraction) -> Fraction:
    """mL/hour: to 0.1."""
    return round_half_up(value, 1)


def _decimal(value: Fraction) -> Decimal:
    """A rounded figure (a terminating decimal) as a Decimal, exactly."""
    return Decimal(value.numerator) / Decimal(value.denominator)


def show(value: Fraction) -> str:
    """A rounded figure as the dose formatter writes numbers."""
    return format_number(_decimal(value))


def show_range(low: Fraction, high: Fraction, unit: str) -> str:
    """``10.5–21 mg``, or one figure when both ends are equal: the dose formatter's range."""
    return format_range(_decimal(low), _decimal(high), unit)


def strengths_for(monograph: Monograph, regimen: Regimen) -> list[tuple[str, DosageForm, int]]:
    """(figure key suffix, form, strength index) of every strength usable by the regimen's
    route: a form given by that route, or 'parenterally' for an injected route."""
    out = []
    forms = monograph.dosage_forms.forms if monograph.dosage_forms else []
    for form in forms:
        usable = regimen.route in form.routes or (
            "parenteral" in form.routes and regimen.route in PARENTERAL)
        if not usable:
            continue
        for i, strength in enumerate(form.strengths):
            if strength.unit == "mg" and strength.per_unit == "mL":
                out.append((f"{form.id}.{i}", form, i))
    return out


def calculator_spec(monograph: Monograph) -> dict[str, Any]:
    """What the page's script needs: each per-kg step in mg, and the strengths for its route."""
    regimens = []
    for regimen in monograph.dosing.regimens if monograph.dosing else []:
        steps = []
        for i, step in enumerate(regimen.steps):
            unit = vocabulary.UNITS[step.dose.unit]
            if not unit.per_kg or unit.amount != "mg":
                continue
            low = step.dose.value if step.dose.value is not None else step.dose.min
            high = step.dose.value if step.dose.value is not None else step.dose.max
            assert low is not None and high is not None
            cap = step.max_per_dose
            steps.append({
                "index": i, "low": str(low), "high": str(high), "rate": unit.per_hour,
                "cap": str(cap.value) if cap and cap.unit == "mg" else None,
            })
        if steps:
            regimens.append({
                "id": regimen.id,
                "steps": steps,
                "strengths": [
                    {"key": key,
                     "mg_per_ml": str(form.strengths[i].amount / form.strengths[i].per)}
                    for key, form, i in strengths_for(monograph, regimen)
                ],
            })
    return {"regimens": regimens}


def calculate(spec: dict[str, Any], weight_text: str, concentration_text: str) -> dict[str, str]:
    """Every figure the page shows for these inputs: ``{figure key: text}``."""
    weight = read_weight(weight_text)
    figures = {"message": weight.message}
    if weight.value is None:
        return figures
    kg = Fraction(weight.value)
    figures["weight"] = f"{format_number(weight.value)} kg"
    concentration = read_concentration(concentration_text)
    for regimen in spec["regimens"]:
        for step in regimen["steps"]:
            key = f"{regimen['id']}.{step['index']}"
            low = Fraction(Decimal(step["low"])) * kg
            high = Fraction(Decimal(step["high"])) * kg
            if step["cap"] is not None:
                cap = Fraction(Decimal(step["cap"]))
                figures[f"{key}.cap"] = (f"capped at the maximum of {show(cap)} mg per dose"
                                         if high > cap else "")
                low, high = min(low, cap), min(high, cap)
            unit = "mg/hour" if step["rate"] else "mg"
            figures[f"{key}.dose"] = show_range(round_mass(low), round_mass(high), unit)
            if step["rate"]:
                if concentration.value is None:
                    figures[f"{key}.rate"] = concentration.message
                else:
                    per_ml = Fraction(concentration.value)
                    rate_low, rate_high = round_rate(low / per_ml), round_rate(high / per_ml)
                    figures[f"{key}.rate"] = (
                        "too small to set at this concentration" if rate_low == 0
                        else show_range(rate_low, rate_high, "mL/hour"))
                continue
            for strength in regimen["strengths"]:
                per_ml = Fraction(Decimal(strength["mg_per_ml"]))
                vol_low, vol_high = round_volume(low / per_ml), round_volume(high / per_ml)
                figures[f"{key}.volume.{strength['key']}"] = (
                    TOO_SMALL if vol_low == 0 else show_range(vol_low, vol_high, "mL"))
    return figures


def strength_label(form: DosageForm, index: int) -> str:
    """``50 mg/mL solution for injection`` (with 'example strength' where it is one)."""
    strength = form.strengths[index]
    name = vocabulary.DOSAGE_FORM_KINDS[form.kind].lower()
    if form.availability == "compounded":
        name = f"compounded {name}"
    label = f"{format_strength(strength)} {name}"
    return f"{label} (example strength)" if strength.example else label


def script_json(data: dict[str, Any]) -> Markup:
    """Data as JSON that is safe inside an HTML ``<script type="application/json">``."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
