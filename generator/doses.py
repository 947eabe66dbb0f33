"""The one dose formatter. Every dose, strength, route and frequency on the site is shown by it.

It follows the dose-display rules of the design card (ISMP, Joint Commission "Do Not Use", NHS
CUI): no trailing zero, always a leading zero, a space between number and unit, thousands with a
comma, safe unit and route words, ranges in one unit with an en dash.
"""

from __future__ import annotations

from decimal import Decimal

from . import vocabulary
from .model import Dose, DoseStep, Quantity, Strength

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
    """The safe label of a unit code."""
    return vocabulary.UNITS[unit].label


def format_amount(value: Decimal, unit: str) -> str:
    """A number and its unit, with a space between: ``1 mg/kg``."""
    return f"{format_number(value)} {unit_label(unit)}"


def format_range(low: Decimal, high: Decimal, unit: str) -> str:
    """A range in one unit: ``0.15–0.3 mg/kg``; a range whose ends are equal is one number."""
    if low == high:
        return format_amount(low, unit)
    return f"{format_number(low)}{EN_DASH}{format_number(high)} {unit_label(unit)}"


def format_dose(dose: Dose) -> str:
    """A dose as the page shows it: ``0.5 mg/kg`` or ``0.15–0.3 mg/kg/hour``."""
    if dose.value is not None:
        return format_amount(dose.value, dose.unit)
    assert dose.min is not None and dose.max is not None
    return format_range(dose.min, dose.max, dose.unit)


def format_quantity(quantity: Quantity) -> str:
    """A cap or any other quantity."""
    return format_amount(quantity.value, quantity.unit)


def format_route(route: str) -> str:
    """Route code → safe words (``subcutaneous`` → ``subcut``)."""
    return vocabulary.ROUTES[route]


def format_frequency(step: DoseStep) -> str:
    """How often, or what the source leaves unsaid."""
    if step.frequency is not None:
        return vocabulary.FREQUENCIES[step.frequency]
    if vocabulary.UNITS[step.dose.unit].per_hour:
        return f"hourly rate; duration {vocabulary.NOT_STATED}"
    return vocabulary.NOT_STATED


def format_strength(strength: Strength) -> str:
    """``50 mg/mL``, or ``10 mg per 5 mL`` when the volume is not 1."""
    amount = format_amount(strength.amount, strength.unit)
    if strength.per == 1:
        return f"{amount}/{strength.per_unit}"
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
