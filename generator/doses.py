"""The one dose formatter. Every dose, strength, route and frequency on the site is shown by it.

It follows the dose-display rules of the design card (ISMP, Joint Commission "Do Not Use", NHS
CUI): no trailing zero, always a leading zero, a space between number and unit, thousands with a
comma, safe unit and route words, ranges in one unit with an en dash.
"""

from __future__ import annotations

from decimal import Decimal

from . import units, vocabulary
from .model import (
    Bounds,
    Conversion,
    Dose,
    DoseStep,
    Duration,
    Population,
    Quantity,
    Regimen,
    Strength,
    Titration,
)

EN_DASH = "–"


def format_number(value: Decimal) -> str:
    """``Decimal('1.0')`` → ``1``; ``Decimal('.5')`` → ``0.5``; ``Decimal('1000')`` → ``1,000``."""
    if not value.is_finite():
        raise ValueError(f"cannot show {value} as a dose")
    normal = value.normalize()
    sign, _, exponent = normal.as_tuple()
    assert isinstance(exponent, int)
    if exponent > 0:  # normalize() writes 1000 as 1E+3
        normal = normal.quantize(Decimal(1))
    text = f"{abs(normal):f}"
    whole, _, fraction = text.partition(".")
    whole = f"{int(whole):,}"
    fraction = fraction.rstrip("0")
    out = f"{whole}.{fraction}" if fraction else whole
    return f"-{out}" if sign and normal != 0 else out


def unit_label(unit: str) -> str:
    """The safe label of a unit code (``mcg/kg/minute``, ``mg per 24 hours``, ``% w/v``)."""
    return units.UNITS[unit].label


def format_amount(value: Decimal, unit: str) -> str:
    """A number and its unit, with a space between: ``1 mg/kg``; a percentage ``1% w/v``."""
    return range_with_label(value, value, unit_label(unit))


def format_range(low: Decimal, high: Decimal, unit: str) -> str:
    """A range in one unit: ``0.15–0.3 mg/kg``; a range whose ends are equal is one number."""
    return range_with_label(low, high, unit_label(unit))


def range_with_label(low: Decimal, high: Decimal, label: str) -> str:
    """A range before a unit's label (``mg per 24 hours``, ``mL/hour``); one number when the ends
    are equal; a percentage without a space."""
    number = format_number(low) if low == high else \
        f"{format_number(low)}{EN_DASH}{format_number(high)}"
    return f"{number}{label}" if label.startswith("%") else f"{number} {label}"


def format_dose(dose: Dose) -> str:
    """A dose as the page shows it: ``0.5 mg/kg`` or ``0.15–0.3 mg/kg/hour``."""
    return format_range(dose.low, dose.highest, dose.unit)


def format_quantity(quantity: Quantity) -> str:
    """A cap or any other quantity."""
    return format_amount(quantity.value, quantity.unit)


def format_duration(duration: Duration) -> str:
    """``10 minutes``, ``1 hour``, ``20–30 minutes``."""
    singular = units.TIME_UNITS[duration.unit][1]
    word = singular if duration.value == 1 else duration.unit
    if duration.value is not None:
        return f"{format_number(duration.value)} {word}"
    return f"{format_number(duration.low)}{EN_DASH}{format_number(duration.highest)} {word}"


def format_every(duration: Duration) -> str:
    """``every 2 hours``; ``every hour`` for one (never ``every 1 hour``)."""
    if duration.value == 1:
        return f"every {units.TIME_UNITS[duration.unit][1]}"
    return f"every {format_duration(duration)}"


def format_route(route: str) -> str:
    """Route code → safe words (``subcutaneous`` → ``subcut``)."""
    return vocabulary.ROUTES[route]


def format_timing(step: DoseStep) -> str:
    """How often, including as needed with its reason and minimum interval; or what the source
    leaves unsaid."""
    unit = step.dose.typed_unit
    words = units.FREQUENCIES[step.frequency].words if step.frequency else ""
    if unit.is_rate and not words:
        words = "continuous"
    if step.divided_into:
        words = f"in {step.divided_into} divided doses" + (f", {words}" if words else "")
    if step.is_as_needed:
        needed = step.as_needed
        interval = needed.min_interval if needed else None
        if interval is not None and not words:
            words = format_every(interval)
        elif interval is not None:
            words += f", at least {format_duration(interval)} apart"
        words = f"{words} as needed".strip()
        if needed and needed.reason:
            words += f" for {needed.reason}"
        if interval is None and not step.frequency:
            words += f"; minimum interval {vocabulary.NOT_STATED}"
    return words or vocabulary.NOT_STATED


def format_frequency(step: DoseStep, regimen: Regimen | None = None) -> str:
    """The table's "How often" cell: the timing and, for a continuing dose, how long."""
    words = format_timing(step)
    length = format_length(step, regimen)
    return f"{words}; {length}" if length else words


def format_length(step: DoseStep, regimen: Regimen | None = None) -> str:
    """How long a step goes on: ``for 5 days``, ``not to exceed 24 hours``; for a rate the
    source leaves open, ``duration not stated in source``."""
    parts = []
    if step.duration:
        parts.append(f"for {format_duration(step.duration)}")
    continuing = step.kind not in ("bolus", "loading", "single")
    longest = step.max_duration or (regimen.max_duration if regimen and continuing else None)
    if longest:
        parts.append(f"not to exceed {format_duration(longest)}")
    if not parts and step.dose.typed_unit.is_rate:
        parts.append(f"duration {vocabulary.NOT_STATED}")
    return ", ".join(parts)


def format_administration(step: DoseStep) -> str:
    """How one dose is given: ``over 10 minutes by syringe driver``."""
    parts = []
    if step.over:
        parts.append(f"over {format_duration(step.over)}")
    if step.device:
        parts.append(vocabulary.DEVICES[step.device])
    return " ".join(parts)


def step_limits(step: DoseStep) -> list[str]:
    """The step's caps, each as a phrase: ``max 10 mg per dose``."""
    out = []
    if step.max_per_dose:
        out.append(f"max {format_quantity(step.max_per_dose)} per dose")
    if step.max_rate:
        out.append(f"max {format_quantity(step.max_rate)}")
    if step.max_per_24_hours:
        out.append(f"max {format_quantity(step.max_per_24_hours)} in 24 hours")
    return out


def format_titration(titration: Titration | None) -> str:
    """``adjust by 0.1 mcg/kg/hour every 30 minutes, up to 0.7 mcg/kg/hour, to effect``."""
    if titration is None:
        return ""
    words = f"adjust by {format_dose(titration.by)}"
    if titration.every:
        words += f" {format_every(titration.every)}"
    if titration.up_to:
        words += f", up to {format_quantity(titration.up_to)}"
    if titration.toward:
        words += f", {titration.toward}"
    return words


def format_step(step: DoseStep, regimen: Regimen | None = None) -> str:
    """One dose step in words, everything the data says about it, its caps and titration in
    brackets so that steps joined in a sentence stay apart: ``loading dose 1 mcg/kg over 10
    minutes``; ``as-needed dose 2.5 mg every 2 hours as needed for nausea (max 10 mg in 24
    hours)``."""
    words = f"{vocabulary.DOSE_KINDS[step.kind]} {format_dose(step.dose)}"
    given = format_administration(step)
    if given:
        words += f" {given}"
    timing = format_timing(step)
    if timing != vocabulary.NOT_STATED and not (step.kind == "infusion"
                                                and timing == "continuous"):
        words += f" {timing}"
    length = format_length(step, None)
    if length and length != f"duration {vocabulary.NOT_STATED}":
        words += f", {length}"
    extras = [e for e in (*step_limits(step), format_titration(step.titration)) if e]
    return f"{words} ({'; '.join(extras)})" if extras else words


def regimen_limits(regimen: Regimen) -> list[str]:
    """What limits a regimen as a whole: ``max 25 mg in 24 hours (all doses together)``."""
    out = []
    if regimen.max_per_24_hours:
        together = " (all its doses together)" if len(regimen.steps) > 1 else ""
        out.append(f"max {format_quantity(regimen.max_per_24_hours)} in 24 hours{together}")
    if regimen.max_duration:
        out.append(f"not to exceed {format_duration(regimen.max_duration)}")
    return out


def format_regimen(regimen: Regimen) -> str:
    """A regimen in one line: ``IV: bolus 0.15–0.3 mg/kg and continuous infusion 0.15–0.3
    mg/kg/hour``, with its caps, duration and population."""
    words = f"{format_route(regimen.route)}: {join_words([format_step(s) for s in regimen.steps])}"
    extras = regimen_limits(regimen)
    if regimen.population:
        extras.append(f"for {format_population(regimen.population)}")
    return "; ".join([words, *extras])


def format_bounds(bounds: Bounds) -> str:
    """``1–12 years``, ``below 30 mL/minute``, ``at least 65 years``."""
    unit = vocabulary.BOUND_UNITS[bounds.unit]
    low, high = bounds.min, bounds.max
    if low is not None and high is not None:
        return f"{format_number(low)}{EN_DASH}{format_number(high)} {unit}"
    words = []
    if low is not None:
        words.append(f"at least {format_number(low)}")
    if bounds.above is not None:
        words.append(f"above {format_number(bounds.above)}")
    if high is not None:
        words.append(f"at most {format_number(high)}")
    if bounds.below is not None:
        words.append(f"below {format_number(bounds.below)}")
    return f"{' and '.join(words)} {unit}"


def format_population(population: Population) -> str:
    """Who a regimen is for, only as the data states it:
    ``older adults; creatinine clearance below 30 mL/minute``."""
    parts = []
    if population.groups:
        parts.append(join_words([vocabulary.AGE_GROUPS[g] for g in population.groups]))
    if population.age:
        parts.append(f"aged {format_bounds(population.age)}")
    if population.weight:
        parts.append(f"weighing {format_bounds(population.weight)}")
    if population.renal:
        name = vocabulary.RENAL_MEASURES[population.renal.measure][0]
        parts.append(f"{name} {format_bounds(population.renal.bounds)}")
    if population.hepatic:
        parts.append(vocabulary.HEPATIC_SEVERITIES[population.hepatic])
    if population.description:
        parts.append(population.description)
    return "; ".join(parts) if parts else vocabulary.NOT_STATED


def format_conversion(conversion: Conversion) -> str:
    """``oral to subcut: 2:1 (as the source states)``."""
    return (f"{format_route(conversion.from_route)} to {format_route(conversion.to_route)}: "
            f"{conversion.ratio}")


def format_strength(strength: Strength) -> str:
    """``50 mg/mL``, ``10 mg per 5 mL``, ``4 mcg/mL``, ``1% w/v``, or ``500 mg`` a tablet."""
    amount = format_amount(strength.amount, strength.unit)
    if strength.per_unit is None:
        return amount
    if strength.per in (None, 1):
        return f"{amount}/{strength.per_unit}"
    assert strength.per is not None
    return f"{amount} per {format_amount(strength.per, strength.per_unit)}"


def format_strengths(strengths: list[Strength]) -> str:
    """Strengths joined for a sentence; example strengths are prefixed ``e.g.``."""
    shown = [format_strength(s) for s in strengths]
    text = join_words(shown)
    return f"e.g., {text}" if strengths and all(s.example for s in strengths) else text


def format_qualifier(qualifier: str | None) -> str:
    """The words shown with a regimen everywhere it appears ("Literature suggests")."""
    if qualifier is None:
        return f"Qualifier {vocabulary.NOT_STATED}"
    return vocabulary.QUALIFIERS[qualifier]


def join_words(words: list[str], conjunction: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"
