"""The weight-based dose calculator's specification. The page's JavaScript
(``content/javascripts/calculator.js``) implements exactly these rules; a browser test compares
the two, figure by figure, as text.

Every step dosed per kg is calculated, in whatever amount it is written (mg, mcg, g, units,
mmol, mL), as a single dose, a rate (per minute or hour) or an amount per 24 hours divided into
doses. Caps of any compatible unit are converted exactly into the dose's unit before comparing.

Arithmetic is exact (decimal inputs, rational intermediate results); only the final figure is
rounded, half up, to what can be measured (design card, dose display rule 7):

- amounts and amount rates (mg, mcg, units, mg/hour) to 0.1, or to 1 from 100 up;
- mL to 0.01 below 1 mL, to 0.1 from 1 mL;
- mL/hour to 0.1.

A figure never exceeds a cap: a capped figure is rounded down to what can be measured and says
"capped at …"; where even the lowest dose is above the cap, no range is shown. A volume that
rounds to nothing is not shown as a number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from markupsafe import Markup

from . import doses, units, vocabulary
from .doses import format_number, format_strength, range_with_label
from .model import DosageForm, DoseStep, Monograph, Quantity, Regimen

MIN_WEIGHT = Decimal("0.5")
MAX_WEIGHT = Decimal(300)
MAX_CONCENTRATION = Decimal(100_000)
TOO_SMALL = "too small to measure at this strength"
ABOVE_CAP = "not shown: even the lowest dose is above the maximum"
ROUNDING_NOTE = ("Rounded half up: amounts (mg, mcg, units) and their rates to 0.1 (to 1 from "
                 "100), volumes under 1 mL to 0.01 mL and from 1 mL to 0.1 mL, rates to 0.1 "
                 "mL/hour. A capped figure is rounded down, never above its cap.")
PARENTERAL = {"intravenous", "subcutaneous", "intramuscular"}
PER = {None: "dose", 1: "minute", 60: "hour", 1440: "day"}
"""What the main figure of a step is per: a dose, a minute, an hour or 24 hours."""

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


def read_concentration(text: str, unit: str) -> Reading:
    """A prepared infusion's concentration in ``unit``/mL, or the message the page shows."""
    written = text.strip()
    if not written:
        return Reading(None, f"Enter the concentration in {unit}/mL to see mL/hour.")
    if not _NUMBER.fullmatch(written) or Decimal(written) == 0 or \
            Decimal(written) > MAX_CONCENTRATION:
        return Reading(None, f"Concentration must be a number above 0 and up to "
                             f"{format_number(MAX_CONCENTRATION)} {unit}/mL.")
    return Reading(Decimal(written), "")


def round_half_up(value: Fraction, places: int) -> Fraction:
    """Round a non-negative exact value half up to ``places`` decimals."""
    scale = 10 ** places
    scaled = value * scale
    return Fraction((2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator),
                    scale)


def round_down(value: Fraction, places: int) -> Fraction:
    """Round a non-negative exact value down to ``places`` decimals (a cap is never exceeded)."""
    scale = 10 ** places
    return Fraction(value.numerator * scale // value.denominator, scale)


def mass_places(value: Fraction) -> int:
    """Amounts: to 0.1, or to 1 from 100 up."""
    return 0 if value >= 100 else 1


def volume_places(value: Fraction) -> int:
    """mL: to 0.01 below 1 mL, to 0.1 from 1 mL."""
    return 2 if value < 1 else 1


def round_mass(value: Fraction) -> Fraction:
    """An amount or amount rate: to 0.1, or to 1 from 100 up."""
    return round_half_up(value, mass_places(value))


def round_volume(value: Fraction) -> Fraction:
    """mL: to 0.01 below 1 mL, to 0.1 from 1 mL."""
    return round_half_up(value, volume_places(value))


def round_rate(value: Fraction) -> Fraction:
    """mL/hour: to 0.1."""
    return round_half_up(value, 1)


def rate_places(value: Fraction) -> int:
    """mL/hour: to 0.1."""
    return 1


GRIDS: dict[str, Callable[[Fraction], int]] = {"mass": mass_places, "volume": volume_places,
                                               "rate": rate_places}


def round_capped(value: Fraction, limit: Fraction | None, grid: str) -> Fraction:
    """Round half up to the grid; never above ``limit`` (which is rounded down to the grid)."""
    places = GRIDS[grid]
    rounded = round_half_up(value, places(value))
    if limit is not None and rounded > limit:
        return round_down(limit, places(limit))
    return rounded


def _decimal(value: Fraction) -> Decimal:
    """A rounded figure (a terminating decimal) as a Decimal, exactly."""
    return Decimal(value.numerator) / Decimal(value.denominator)


def show(value: Fraction) -> str:
    """A rounded figure as the dose formatter writes numbers."""
    return format_number(_decimal(value))


def show_range(low: Fraction, high: Fraction, label: str) -> str:
    """``10.5–21 mg``, or one figure when both ends are equal: the dose formatter's range."""
    return range_with_label(_decimal(low), _decimal(high), label)


def _exact(value: Fraction) -> str:
    """An exact value for the page's script: ``n/d``."""
    return f"{value.numerator}/{value.denominator}"


def strengths_for(monograph: Monograph, regimen: Regimen, amount: units.Unit
                  ) -> list[tuple[str, DosageForm, int, Fraction]]:
    """(figure key suffix, form, strength index, amount per mL in ``amount``) of every liquid
    strength usable by the regimen's route and of the dose's kind of amount: a form given by
    that route, or 'parenterally' for an injected route."""
    out = []
    forms = monograph.dosage_forms.forms if monograph.dosage_forms else []
    for form in forms:
        usable = regimen.route in form.routes or (
            "parenteral" in form.routes and regimen.route in PARENTERAL)
        if not usable:
            continue
        for i, strength in enumerate(form.strengths):
            per_ml = strength.amount_per_ml
            if per_ml is not None and per_ml[1].dimension == amount.dimension:
                out.append((f"{form.id}.{i}", form, i,
                            units.convert(per_ml[0], per_ml[1], amount)))
    return out


def not_calculated(step: DoseStep) -> str | None:
    """Why the calculator does not calculate this step, or None when it does."""
    unit = step.dose.typed_unit
    if unit.per_body == "m2":
        return ("dosed per m² of body surface area: the calculator does not estimate body "
                "surface area")
    if unit.per_body is None:
        return "a fixed dose, not dosed by weight: nothing to calculate"
    return None


def _limit(cap: Quantity, figure: units.Unit, divisor: int, text: str) -> dict[str, Any]:
    """A cap as a limit on a figure in ``figure`` units: value (per kg or not) ÷ divisor."""
    cap_unit = cap.typed_unit
    per_kg = cap_unit.per_body == "kg"
    target = figure if per_kg else figure.without_body()
    if cap_unit.per_minutes is None and target.per_minutes is not None:
        target = units.UNITS[target.amount_code + ("/kg" if per_kg else "")]
    value = units.convert(Fraction(cap.value), cap_unit, target)
    return {"value": _exact(value), "per_kg": per_kg, "divisor": divisor, "text": text}


def _step_spec(step: DoseStep, regimen: Regimen, index: int) -> dict[str, Any]:
    unit = step.dose.typed_unit
    amount = units.UNITS[unit.amount_code]
    per = PER[int(unit.per_minutes) if unit.per_minutes is not None else None]
    frequency = units.FREQUENCIES[step.frequency] if step.frequency else None
    main_limits: list[dict[str, Any]] = []
    divided_limits: list[dict[str, Any]] = []
    day_caps = [(c, f"{doses.format_quantity(c)} in 24 hours") for c in
                [step.max_per_24_hours] if c]
    if regimen.max_per_24_hours:
        day_caps.append((regimen.max_per_24_hours,
                         f"{doses.format_quantity(regimen.max_per_24_hours)} in 24 hours from "
                         "all the regimen's doses"))
    if step.max_per_dose:
        text = f"{doses.format_quantity(step.max_per_dose)} per dose"
        (divided_limits if per == "day" else main_limits).append(
            _limit(step.max_per_dose, unit, 1, text))
    if step.max_rate:
        main_limits.append(_limit(step.max_rate, unit, 1, doses.format_quantity(step.max_rate)))
    for cap, text in day_caps:
        if per == "day":
            main_limits.append(_limit(cap, unit, 1, text))
            if step.divided_into:
                divided_limits.append(_limit(cap, unit, step.divided_into,
                                             f"{text}, in {step.divided_into} doses"))
        elif per in ("minute", "hour"):
            main_limits.append(_limit(cap, unit, 1440 if per == "minute" else 24,
                                      f"{text}, as a steady rate"))
        else:
            count = frequency.per_day if frequency and not step.is_as_needed else None
            main_limits.append(_limit(cap, unit, count or 1,
                                      f"{text}, {count} doses a day" if count else text))
    over = step.over.value if step.over and step.over.value is not None else None
    return {
        "index": index,
        "low": _exact(Fraction(step.dose.low)), "high": _exact(Fraction(step.dose.highest)),
        "per": per,
        "unit": units.UNITS[unit.code.replace("/kg", "")].label,
        "amount_unit": amount.label,
        "grid": "volume" if amount.amount == "volume" else "mass",
        "divided": step.divided_into,
        "over_minutes": (_exact(Fraction(over) * units.TIME_UNITS[step.over.unit][0])
                         if step.over and over else None),
        "limits": main_limits,
        "divided_limits": divided_limits,
    }


def compact(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out what is empty (None, "", []): the page's script reads a missing key as
    empty, and every monograph page carries this data."""
    return {k: v for k, v in data.items() if v not in (None, "", [])}


def calculator_spec(monograph: Monograph) -> dict[str, Any]:
    """What the page's script needs: each per-kg step, its caps as exact limits, and the
    liquid strengths for its route in the step's amount unit."""
    regimens = []
    for regimen in monograph.dosing.regimens if monograph.dosing else []:
        steps = [_step_spec(step, regimen, i) for i, step in enumerate(regimen.steps)
                 if not_calculated(step) is None]
        if not steps:
            continue
        for spec in steps:
            step = regimen.steps[spec["index"]]
            amount = units.UNITS[step.dose.typed_unit.amount_code]
            single_doses = spec["per"] == "dose" or spec.get("divided")
            spec["strengths"] = [
                {"key": key, "per_ml": _exact(per_ml)}
                for key, _form, _i, per_ml in strengths_for(monograph, regimen, amount)
            ] if amount.amount != "volume" and single_doses else []
        regimens.append({"id": regimen.id, "steps": [compact(s) for s in steps]})
    return {"regimens": regimens}


def _limit_of(limits: list[dict[str, Any]], kg: Fraction) -> tuple[Fraction | None, str]:
    """The tightest limit for this weight, and the words of its cap."""
    best: tuple[Fraction | None, str] = (None, "")
    for limit in limits:
        value = Fraction(limit["value"]) * (kg if limit["per_kg"] else 1) / limit["divisor"]
        if best[0] is None or value < best[0]:
            best = (value, limit["text"])
    return best


def _capped(low: Fraction, high: Fraction, limits: list[dict[str, Any]], kg: Fraction
            ) -> tuple[Fraction, Fraction, Fraction | None, str, bool]:
    """(low, high, limit, note, above) after the tightest cap: above is True when even the low
    end of a range exceeds it (then no range is shown); a single dose above its cap is capped."""
    limit, text = _limit_of(limits, kg)
    if limit is None:
        return low, high, None, "", False
    if low > limit and low != high:
        return low, high, limit, f"the maximum is {text}", True
    if high > limit:
        return min(low, limit), limit, limit, f"capped at the maximum of {text}", False
    return low, high, limit, "", False


def calculate(spec: dict[str, Any], weight_text: str,
              concentrations: dict[str, str] | None = None) -> dict[str, str]:
    """Every figure the page shows for these inputs: ``{figure key: text}``. ``concentrations``
    holds what was typed into each step's concentration field, by step key."""
    weight = read_weight(weight_text)
    figures = {"message": weight.message}
    if weight.value is None:
        return figures
    kg = Fraction(weight.value)
    figures["weight"] = f"{format_number(weight.value)} kg"
    for regimen in spec["regimens"]:
        for step in regimen["steps"]:
            key = f"{regimen['id']}.{step['index']}"
            figures.update(_step_figures(step, key, kg, (concentrations or {}).get(key, "")))
    return figures


def _step_figures(step: dict[str, Any], key: str, kg: Fraction, typed: str) -> dict[str, str]:
    out: dict[str, str] = {}
    low = Fraction(step["low"]) * kg
    high = Fraction(step["high"]) * kg
    low, high, limit, note, above = _capped(low, high, step.get("limits", []), kg)
    out[f"{key}.cap"] = note
    if above:
        out[f"{key}.dose"] = ABOVE_CAP
        return out
    grid = step["grid"]
    r_low, r_high = round_capped(low, limit, grid), round_capped(high, limit, grid)
    out[f"{key}.dose"] = show_range(r_low, r_high, step["unit"])
    dose_low, dose_high, dose_limit = low, high, limit
    if step.get("divided"):
        n = step["divided"]
        d_low, d_high = low / n, high / n
        d_low, d_high, d_limit, d_note, d_above = _capped(d_low, d_high,
                                                          step.get("divided_limits", []), kg)
        out[f"{key}.divided.cap"] = d_note
        if d_above:
            out[f"{key}.divided"] = ABOVE_CAP
            return out
        out[f"{key}.divided"] = show_range(round_capped(d_low, d_limit, grid),
                                           round_capped(d_high, d_limit, grid),
                                           step["amount_unit"])
        dose_low, dose_high, dose_limit = d_low, d_high, d_limit
    elif step["per"] == "day":
        return out
    if step["per"] in ("minute", "hour") or step.get("over_minutes"):
        minutes = (Fraction(1) if step["per"] == "minute" else Fraction(60)
                   if step["per"] == "hour" else Fraction(step["over_minutes"]))
        reading = read_concentration(typed, step["amount_unit"])
        if reading.value is None:
            out[f"{key}.rate"] = reading.message
        else:
            per_ml = Fraction(reading.value)
            to_rate = Fraction(60) / minutes / per_ml
            rate_limit = dose_limit * to_rate if dose_limit is not None else None
            r_low = round_capped(dose_low * to_rate, rate_limit, "rate")
            r_high = round_capped(dose_high * to_rate, rate_limit, "rate")
            out[f"{key}.rate"] = ("too small to set at this concentration" if r_low == 0
                                  else show_range(r_low, r_high, "mL/hour"))
        if step["per"] != "dose":
            return out
    for strength in step.get("strengths", []):
        per_ml = Fraction(strength["per_ml"])
        vol_limit = dose_limit / per_ml if dose_limit is not None else None
        v_low = round_capped(dose_low / per_ml, vol_limit, "volume")
        v_high = round_capped(dose_high / per_ml, vol_limit, "volume")
        out[f"{key}.volume.{strength['key']}"] = (TOO_SMALL if v_low == 0
                                                  else show_range(v_low, v_high, "mL"))
    return out


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
