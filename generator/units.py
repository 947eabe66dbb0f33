"""Typed units and frequencies: every unit knows its dimension and its exact factor.

A unit code (what the YAML holds, ``mcg/kg/hour``) maps to a :class:`Unit` with the kind of
amount it measures (mass, units, mmol, volume, or a percentage of a stated basis), whether it is
per kg or per m² of body, per unit of time and per mL, and its exact factor against the base of
its dimension (mg, minute, mL). Comparison, capping and calculation convert through
:func:`convert`, in exact fractions; two units of different dimensions never convert.

Suggestions never change a dose's size (issue: "did you mean" proposed ``mg/kg/hour`` for
``µg/kg/h``, a 1,000-fold error). :func:`explain_unit` and :func:`explain_frequency`

- refuse a common spelling (``µg``, ``ug``, ``h``, ``bd``, ``nocte``) and name its safe form,
  which is always of the same dimension and factor;
- otherwise collect every code within one typing slip (deletion, insertion, substitution,
  transposition) and propose one only when all of them have the same dimension and factor, else
  name each reading so the editor checks the source;
- otherwise list the valid choices.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

# --- units -----------------------------------------------------------------------------------

AMOUNTS: dict[str, tuple[str, Fraction, str, str]] = {
    # code: (dimension, factor against the dimension's base, label, UCUM)
    "g": ("mass", Fraction(1000), "g", "g"),
    "mg": ("mass", Fraction(1), "mg", "mg"),
    "mcg": ("mass", Fraction(1, 1000), "mcg", "ug"),
    "ng": ("mass", Fraction(1, 1_000_000), "ng", "ng"),
    "units": ("units", Fraction(1), "units", "[iU]"),
    "mmol": ("amount of substance", Fraction(1), "mmol", "mmol"),
    "mL": ("volume", Fraction(1), "mL", "mL"),
}
"""What a dose or strength is an amount of. ``µg``, ``ug``, ``cc``, ``U`` and ``IU`` are absent on
purpose (dose display rule 3); "units" is UCUM's international unit ``[iU]``, never ``U``."""

BODY: dict[str, tuple[str, str, str]] = {
    "kg": ("kg of body weight", "/kg", "/kg"),
    "m2": ("m² of body surface area", "/m²", "/m2"),
}
"""Per body size: code → (meaning, label suffix, UCUM suffix)."""

TIMES: dict[str, tuple[Fraction, str, str]] = {
    "minute": (Fraction(1), "/minute", "/min"),
    "hour": (Fraction(60), "/hour", "/h"),
    "day": (Fraction(1440), " per 24 hours", "/d"),
}
"""Per unit of time: code → (minutes, label suffix, UCUM suffix). An amount per day is shown
``mg per 24 hours`` (dose display rule 5)."""


@dataclass(frozen=True)
class Unit:
    """A unit code with its dimension and exact factor."""

    code: str
    label: str
    ucum: str
    amount: str
    """Dimension of the amount: mass, units, amount of substance, volume, or a percentage."""
    amount_factor: Fraction
    """Factor of the amount against its base (mg, units, mmol, mL)."""
    per_body: str | None = None
    """``kg`` or ``m2`` for doses per body size."""
    per_minutes: Fraction | None = None
    """For a rate or an amount per day: the length of its time unit, in minutes."""
    per_ml: bool = False
    """A concentration (amount per mL)."""

    @property
    def dimension(self) -> tuple[str, str | None, bool, bool]:
        """What the unit measures; two units convert only when this is equal."""
        return (self.amount, self.per_body, self.per_minutes is not None, self.per_ml)

    @property
    def factor(self) -> Fraction:
        """Exact factor against the base of the dimension (mg, per minute, per mL)."""
        return self.amount_factor / (self.per_minutes or 1)

    @property
    def is_rate(self) -> bool:
        """Per minute or per hour (not per 24 hours, which is an amount in a day)."""
        return self.per_minutes is not None and self.per_minutes < 1440

    @property
    def per_day(self) -> bool:
        """An amount per 24 hours."""
        return self.per_minutes == 1440

    @property
    def amount_code(self) -> str:
        """The unit of the amount alone (``mcg`` for ``mcg/kg/minute``)."""
        return next(code for code, (dim, factor, _, _) in AMOUNTS.items()
                    if dim == self.amount and factor == self.amount_factor)

    def without_body(self) -> Unit:
        """The unit of a per-body dose multiplied by body size (mcg/kg/hour → mcg/hour)."""
        code = self.code.replace("/kg", "").replace("/m2", "")
        return UNITS[code]


def _build_units() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for amount, (dim, factor, label, ucum) in AMOUNTS.items():
        for body in (None, *BODY):
            for time in (None, *TIMES):
                code = amount + (f"/{body}" if body else "") + (f"/{time}" if time else "")
                text = label + (BODY[body][1] if body else "") + (TIMES[time][1] if time else "")
                code_ucum = ucum + (BODY[body][2] if body else "") + (TIMES[time][2] if time
                                                                       else "")
                units[code] = Unit(code, text, code_ucum, dim, factor, body,
                                   TIMES[time][0] if time else None)
        if dim != "volume":
            units[f"{amount}/mL"] = Unit(f"{amount}/mL", f"{label}/mL", f"{ucum}/mL", dim,
                                         factor, per_ml=True)
    # A percentage only with its basis. w/v is mass per volume: 1% w/v = 1 g per 100 mL = 10 mg/mL.
    units["%w/v"] = Unit("%w/v", "% w/v", "g/dL", "mass", Fraction(10), per_ml=True)
    units["%w/w"] = Unit("%w/w", "% w/w", "%", "percent w/w", Fraction(1))
    units["%v/v"] = Unit("%v/v", "% v/v", "%", "percent v/v", Fraction(1))
    return units


UNITS: dict[str, Unit] = _build_units()
"""Every unit code the data may use."""

DOSE_UNITS = {c: u for c, u in UNITS.items()
              if not u.per_ml and not u.amount.startswith("percent")}
"""Units a dose may be written in: amounts and volumes, per kg or m², per time."""

AMOUNT_UNITS = {c: u for c, u in UNITS.items() if "/" not in c}
"""Units of the amount of drug in a strength, a cap, a titration step."""

CONCENTRATION_UNITS = {c: u for c, u in UNITS.items() if u.per_ml or c.startswith("%")}
"""Units of a strength written as a concentration (``4 mcg/mL``, ``1% w/v``)."""


def convert(value: Fraction, source: Unit, target: Unit) -> Fraction:
    """``value`` in ``source`` expressed in ``target``, exactly; raises ValueError across
    dimensions (a cap in mg never compares with a dose in mL)."""
    if source.dimension != target.dimension:
        raise ValueError(f"{source.code} and {target.code} measure different things")
    return value * source.factor / target.factor


_AMOUNT_SPELLINGS: dict[str, str] = {
    "µg": "mcg", "μg": "mcg", "ug": "mcg", "microgram": "mcg", "micrograms": "mcg",
    "milligram": "mg", "milligrams": "mg", "gram": "g",
    "grams": "g", "gm": "g", "gms": "g", "nanogram": "ng", "nanograms": "ng", "U": "units",
    "u": "units", "IU": "units", "iu": "units", "unit": "units", "Units": "units",
    "international units": "units", "ml": "mL", "ML": "mL", "cc": "mL", "millilitre": "mL",
    "millilitres": "mL", "milliliter": "mL", "milliliters": "mL",
    "millimole": "mmol", "millimoles": "mmol",
}
"""Spellings editors type from habit, and the amount code each means exactly."""

_PER_SPELLINGS: dict[str, str] = {
    "kilo": "kg", "KG": "kg", "Kg": "kg", "m²": "m2", "sqm": "m2", "M2": "m2",
    "min": "minute", "mins": "minute", "minutes": "minute", "h": "hour", "hr": "hour",
    "hrs": "hour", "hours": "hour", "d": "day", "days": "day", "24h": "day", "24hr": "day",
    "24hrs": "day", "24 h": "day", "24 hr": "day", "24 hours": "day", "24hours": "day",
    "24_hours": "day", "24 hour": "day", "ml": "mL", "ML": "mL",
}
"""Spellings of what a unit is per, and the code each means exactly."""


def _alias_spellings() -> dict[str, str]:
    """Every unit code written with a habitual spelling of its amount (``ug/kg/hour``): a slip
    of one of these may have been meant as the alias, so it counts as a reading."""
    out: dict[str, str] = {}
    for code in UNITS:
        if "%" in code:
            continue
        tokens = code.split("/")
        choices = [[tokens[0], *(a for a, t in _AMOUNT_SPELLINGS.items() if t == tokens[0])]]
        choices += [[t, *(a for a, target in _PER_SPELLINGS.items() if target == t)]
                    for t in tokens[1:]]
        for spelling in itertools.product(*choices):
            out.setdefault("/".join(spelling), code)
    return out


def _unit_readings(written: str, choices: dict[str, Unit]) -> list[str]:
    """Codes one slip away from ``written``, directly or through a habitual spelling."""
    found = set(_slips(written, choices))
    low = written.lower()
    keys = {low, *(low[:i] + low[i + 1:] for i in range(len(low)))}
    for key in keys:
        for alias, code in _aliases()[1].get(key, ()):
            if code in choices and _one_slip(low, alias):
                found.add(code)
    return sorted(found)


def _spelled_unit(written: str) -> str | None:
    """The unit code a habitual spelling means exactly (``µg/kg/h`` → ``mcg/kg/hour``)."""
    text = re.sub(r"\s+per\s+", "/", written.strip())
    if "%" in text:
        code = text.replace(" ", "").lower()
        return code if code in UNITS and code != written else None
    parts = [p.strip() for p in text.split("/")]
    amount = _AMOUNT_SPELLINGS.get(parts[0], parts[0])
    pers = [_PER_SPELLINGS.get(p, p) for p in parts[1:]]
    code = "/".join([amount, *pers])
    return code if code in UNITS and code != written else None


def _slips(written: str, choices: Iterable[str]) -> list[str]:
    """The choices one typing slip away (Damerau: deletion, insertion, substitution,
    transposition), ignoring case."""
    low = written.lower()
    return [c for c in choices if _one_slip(low, c.lower())]


def _one_slip(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (len(diff) == 2 and diff[1] == diff[0] + 1
                and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1:]


def _readings(candidates: list[str], size: dict[str, object], label: dict[str, str],
              noun: str) -> str:
    """One proposal when every candidate has the same size, else every reading named."""
    sizes = {size[c] for c in candidates}
    if len(sizes) == 1:
        best = sorted(candidates, key=lambda c: (c.lower() != c, c))[0]
        return f"; did you mean '{best}'?"
    shown = ", ".join(f"'{c}' ({label[c]})" for c in sorted(candidates))
    return (f"; it is one slip away from {noun} of different sizes: {shown}. Check the "
            "source and write the one it states")


@functools.cache
def _aliases() -> tuple[dict[str, str], dict[str, list[tuple[str, str]]]]:
    """The habitual spellings (spelling → code), and an index of them: each spelling and each of
    its one-deletion forms → (spelling, code). Two strings are one slip apart only if they share
    a key (symmetric deletion), so a look-up is a few hash hits. Made on the first unknown unit,
    not at every start."""
    exact = _alias_spellings()
    index: dict[str, list[tuple[str, str]]] = {}
    for alias, code in exact.items():
        low = alias.lower()
        for key in {low, *(low[:i] + low[i + 1:] for i in range(len(low)))}:
            index.setdefault(key, []).append((low, code))
    return exact, index


def explain_unit(written: str, choices: dict[str, Unit]) -> str:
    """The rest of the message for a unit that is not allowed (after "'x' is not a known
    unit")."""
    spelled = _spelled_unit(written)
    if spelled is not None:
        if spelled in choices:
            meant = (choices[spelled].dimension, choices[spelled].factor)
            exact = _aliases()[0].get(written) == spelled
            others = [] if exact else [
                c for c in _unit_readings(written, choices)
                if (choices[c].dimension, choices[c].factor) != meant]
            if others:
                slips = ", ".join(f"'{c}' ({choices[c].label})" for c in others)
                return (f"; it could be '{spelled}' ({choices[spelled].label}) written unsafely, "
                        f"or a slip for {slips}: check the source and write the one it states")
            shown = choices[spelled].label
            also = f" (shown as '{shown}')" if shown != spelled else ""
            return f"; write '{spelled}'{also}, the safe spelling of the same unit"
        return (f": it means '{spelled}', which is not allowed here; "
                f"use one of: {', '.join(choices)}")
    if written.strip() == "%":
        return "; a percentage needs its basis as the source states it: '%w/v', '%w/w' or '%v/v'"
    candidates = _unit_readings(written, choices)
    if candidates:
        return _readings(candidates, {c: (choices[c].dimension, choices[c].factor)
                                      for c in candidates},
                         {c: choices[c].label for c in candidates}, "units")
    return f"; use one of: {', '.join(choices)}"


# --- frequencies -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Frequency:
    """How often a dose is given: its words, and its period or its count a day when it has one."""

    code: str
    words: str
    period_minutes: Fraction | None = None
    """Every N minutes, as minutes."""
    per_day: int | None = None
    """Doses a day, when the frequency states a count (twice a day) or divides a day evenly."""

    @property
    def size(self) -> tuple[str, Fraction | int | None]:
        """What a suggestion must keep: the period, or the count a day."""
        if self.period_minutes is not None:
            return ("period", self.period_minutes)
        return (self.code if self.per_day is None else "count", self.per_day)


def _build_frequencies() -> dict[str, Frequency]:
    out: dict[str, Frequency] = {}
    spans = {"minute": ((1, 2, 5, 10, 15, 20, 30), 1),
             "hour": ((1, 2, 3, 4, 6, 8, 12, 24, 36, 48, 72), 60),
             "day": ((1, 2, 3, 7, 14, 28), 1440),
             "week": ((1, 2, 3, 4), 10080)}
    for name, (counts, minutes) in spans.items():
        for n in counts:
            code = f"every_{name}" if n == 1 else f"every_{n}_{name}s"
            words = f"every {name}" if n == 1 else f"every {n} {name}s"
            period = Fraction(n * minutes)
            per_day = int(1440 / period) if period <= 1440 and 1440 % period == 0 else None
            out[code] = Frequency(code, words, period, per_day)
    for n, word in ((1, "once"), (2, "twice"), (3, "three times"), (4, "four times"),
                    (5, "five times"), (6, "six times")):
        code = f"{word.replace(' ', '_')}_a_day"
        out[code] = Frequency(code, f"{word} a day", None, n)
    out["at_night"] = Frequency("at_night", "at night", None, 1)
    out["in_the_morning"] = Frequency("in_the_morning", "in the morning", None, 1)
    out["once"] = Frequency("once", "once only")
    out["continuous"] = Frequency("continuous", "continuous")
    return out


FREQUENCIES: dict[str, Frequency] = _build_frequencies()
"""Every frequency code, spelled out (never ``q12h``, ``QD``, ``QOD``, ``bd``)."""

_FREQUENCY_SPELLINGS: dict[str, str] = {
    "bd": "twice_a_day", "b.d.": "twice_a_day", "bid": "twice_a_day", "b.i.d.": "twice_a_day",
    "twice daily": "twice_a_day", "tds": "three_times_a_day", "t.d.s.": "three_times_a_day",
    "tid": "three_times_a_day", "t.i.d.": "three_times_a_day",
    "three times daily": "three_times_a_day", "qds": "four_times_a_day",
    "q.d.s.": "four_times_a_day", "qid": "four_times_a_day", "q.i.d.": "four_times_a_day",
    "four times daily": "four_times_a_day", "once daily": "once_a_day", "daily": "once_a_day",
    "nocte": "at_night", "on": "at_night", "qhs": "at_night", "hs": "at_night",
    "mane": "in_the_morning", "om": "in_the_morning", "stat": "once", "once only": "once",
    "hourly": "every_hour",
}
"""Habitual spellings of frequencies and the code each means exactly. Never ``bd`` → every 12
hours: twice a day is not the same instruction."""

_REFUSED_FREQUENCIES: dict[str, str] = {
    "od": "'od' is read as 'right eye'",
    "qd": "'qd' is mistaken for 'qid' (four times a day)",
    "qod": "'qod' is mistaken for 'qd' or 'qid'",
}
"""Spellings refused outright: each has caused harm by being read as something else."""

_TIME_WORDS = {"min": "minute", "mins": "minute", "minute": "minute", "minutes": "minute",
               "h": "hour", "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour",
               "d": "day", "day": "day", "days": "day", "wk": "week", "week": "week",
               "weeks": "week"}


def _spelled_frequency(written: str) -> str | None:
    text = written.strip().lower()
    if text in _FREQUENCY_SPELLINGS:
        return _FREQUENCY_SPELLINGS[text]
    text = re.sub(r"[\s_\-]+", " ", text)
    if text in _FREQUENCY_SPELLINGS:
        return _FREQUENCY_SPELLINGS[text]
    match = (re.fullmatch(r"q\s?(\d+)\s?(min|h|hr|d|wk)", text)
             or re.fullmatch(r"every (\d+) ?([a-z]+)", text)
             or re.fullmatch(r"(\d+) ?([a-z]+)ly", text))
    if match and match.group(2) in _TIME_WORDS:
        n, unit = int(match.group(1)), _TIME_WORDS[match.group(2)]
        code = f"every_{unit}" if n == 1 else f"every_{n}_{unit}s"
        return code if code in FREQUENCIES else None
    match = re.fullmatch(r"every ([a-z]+)", text)
    if match and match.group(1) in _TIME_WORDS:
        return f"every_{_TIME_WORDS[match.group(1)]}"
    if text.replace(" ", "_") in FREQUENCIES:
        return text.replace(" ", "_")
    return None


def _frequency_readings(written: str) -> list[str]:
    """Frequency codes one slip away, directly or through a habitual spelling."""
    found = set(_slips(written, FREQUENCIES))
    low = written.lower()
    found |= {code for spelling, code in _FREQUENCY_SPELLINGS.items()
              if _one_slip(low, spelling)}
    return sorted(found)


def explain_frequency(written: str) -> str:
    """The rest of the message for a frequency that is not allowed."""
    refused = _REFUSED_FREQUENCIES.get(written.strip().lower().replace(".", ""))
    if refused:
        return (f": {refused}, so it is never used; write out what the source states, such "
                "as once_a_day or every_24_hours")
    if written.strip().lower() in ("prn", "as needed", "as_needed"):
        return ("; write an as-needed dose as 'as_needed: {reason: …, min_interval: "
                "{value: 2, unit: hours}}' with what the source states")
    spelled = _spelled_frequency(written)
    if spelled is not None and spelled != written:
        others = sorted(c for c in _frequency_readings(written)
                        if FREQUENCIES[c].size != FREQUENCIES[spelled].size)
        if others:
            slips = ", ".join(f"'{c}' ({FREQUENCIES[c].words})" for c in others)
            return (f"; it could be '{spelled}' ({FREQUENCIES[spelled].words}), or a slip for "
                    f"{slips}: check the source and write the one it states")
        return (f"; write '{spelled}' ({FREQUENCIES[spelled].words}), the safe spelling of the "
                "same frequency")
    candidates = _frequency_readings(written)
    if candidates:
        return _readings(candidates, {c: FREQUENCIES[c].size for c in candidates},
                         {c: FREQUENCIES[c].words for c in candidates}, "frequencies")
    return "; use one of: " + ", ".join(FREQUENCIES)


TIME_UNITS: dict[str, tuple[Fraction, str, str]] = {
    "minutes": (Fraction(1), "minute", "min"),
    "hours": (Fraction(60), "hour", "h"),
    "days": (Fraction(1440), "day", "d"),
    "weeks": (Fraction(10080), "week", "wk"),
}
"""Units of a duration (``over 10 minutes``, ``for 5 days``): minutes, singular word, UCUM."""


def explain_time_unit(written: str) -> str:
    """The rest of the message for a duration unit that is not allowed."""
    word = _TIME_WORDS.get(written.strip().lower())
    if word is not None and f"{word}s" != written:
        return f"; write '{word}s', the safe spelling of the same unit of time"
    candidates = _slips(written, TIME_UNITS)
    if candidates:
        return _readings(candidates, {c: TIME_UNITS[c][0] for c in candidates},
                         {c: c for c in candidates}, "units of time")
    return "; use one of: " + ", ".join(TIME_UNITS)
