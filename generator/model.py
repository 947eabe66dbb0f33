"""The schema: one class per record type, a docstring under every field.

This module is the single source of truth for what a monograph may hold. The JSON Schema that
editors' tools read (``kb schema``) is exported from these classes, never written by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PrivateAttr,
    StrictBool,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from . import inline, units, vocabulary


class Vocabulary:
    """A string restricted to an allow-list, with "did you mean" in its error message."""

    def __init__(self, noun: str, entries: dict[str, Any],
                 explain: Callable[[str], str] | None = None) -> None:
        self.noun = noun
        self.entries = entries
        self.explain = explain or (lambda value: vocabulary.suggest(value, entries))

    def check(self, value: str) -> str:
        """Accept a code of the allow-list; explain anything else."""
        if value not in self.entries:
            raise PydanticCustomError(
                "vocabulary",
                "'{value}' is not a known {noun}{hint}",
                {"value": value, "noun": self.noun, "hint": self.explain(value)},
            )
        return value

    def __get_pydantic_core_schema__(self, source: Any,
                                     handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check,
                                                            core_schema.str_schema(strict=True))

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema,
                                     handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {"type": "string", "enum": list(self.entries)}


def _text(value: str) -> str:
    try:
        return inline.check_text(value)
    except inline.InlineError as e:
        raise PydanticCustomError("text", str(e)) from None


Route = Annotated[str, Vocabulary("route", vocabulary.ROUTES)]
DoseUnit = Annotated[str, Vocabulary(
    "unit", units.DOSE_UNITS, lambda v: units.explain_unit(v, units.DOSE_UNITS))]
StrengthUnit = Annotated[str, Vocabulary(
    "strength unit", {**units.AMOUNT_UNITS, **units.CONCENTRATION_UNITS},
    lambda v: units.explain_unit(v, {**units.AMOUNT_UNITS, **units.CONCENTRATION_UNITS}))]
VolumeUnit = Annotated[str, Vocabulary("volume unit", vocabulary.VOLUME_UNITS)]
Frequency = Annotated[str, Vocabulary("frequency", units.FREQUENCIES, units.explain_frequency)]
TimeUnit = Annotated[str, Vocabulary("unit of time", units.TIME_UNITS,
                                     units.explain_time_unit)]
Device = Annotated[str, Vocabulary("device", vocabulary.DEVICES)]
AgeGroup = Annotated[str, Vocabulary("age group", vocabulary.AGE_GROUPS)]
BoundUnit = Annotated[str, Vocabulary("unit", vocabulary.BOUND_UNITS)]
RenalMeasure = Annotated[str, Vocabulary("renal measure", vocabulary.RENAL_MEASURES)]
HepaticSeverity = Annotated[str, Vocabulary("hepatic impairment", vocabulary.HEPATIC_SEVERITIES)]
DoseKind = Annotated[str, Vocabulary("kind of dose", vocabulary.DOSE_KINDS)]
Qualifier = Annotated[str, Vocabulary("qualifier", vocabulary.QUALIFIERS)]
BodySystem = Annotated[str, Vocabulary("body system", vocabulary.BODY_SYSTEMS)]
DosageFormKind = Annotated[str, Vocabulary("dosage form", vocabulary.DOSAGE_FORM_KINDS)]
ReviewStatus = Annotated[str, Vocabulary("review status", vocabulary.REVIEW_STATUSES)]
MonographStatus = Annotated[str, Vocabulary("status", vocabulary.MONOGRAPH_STATUSES)]

MAX_TEXT = 20_000
"""Characters in one text field: a paragraph this long is a pasted document, not a paragraph."""


def _text_length(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise PydanticCustomError("text_length", "this text is {n} characters; a text field holds "
                                  "{limit} characters at most: split it into paragraphs",
                                  {"n": f"{len(value):,}", "limit": f"{MAX_TEXT:,}"})
    return value


Text = Annotated[
    str, BeforeValidator(_text_length), Field(strict=True),
    AfterValidator(_text),
]
def _plain_words(value: str) -> str:
    found = [c for c in "<>{}`" if c in value]
    if found:
        raise PydanticCustomError("plain_name", "the character {chars} is not allowed in a name "
                                  "or list item; write plain words",
                                  {"chars": " ".join(repr(c) for c in found)})
    if not value.strip():
        raise PydanticCustomError("plain_name", "empty; write the words or remove the item")
    if "\n" in value or "\r" in value:
        raise PydanticCustomError("plain_name", "a name or list item is one line; join the "
                                  "lines")
    try:
        inline.check_characters(value)
    except inline.InlineError as e:
        raise PydanticCustomError("text", str(e)) from None
    return value


def _plain_name(value: str) -> str:
    _plain_words(value)
    try:
        inline.check_notation(value)
    except inline.InlineError as e:
        raise PydanticCustomError("text", str(e)) from None
    return value


PlainName = Annotated[str, Field(strict=True, min_length=1, max_length=200),
                      AfterValidator(_plain_name)]
BibliographicName = Annotated[str, Field(strict=True, min_length=1, max_length=300),
                              AfterValidator(_plain_words)]
"""A title or site as a work gives it: plain, visible characters, but its notation is the
work's own (its title is quoted, not rewritten)."""
Slug = Annotated[str, Field(strict=True, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
ClassId = Annotated[str, Field(strict=True, pattern=r"^[a-z0-9]+([-_][a-z0-9]+)*$")]
CitationKey = Annotated[str, Field(strict=True, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_:.\-]*$")]
def _plain_size(value: Decimal) -> bool:
    """A number of at most 12 significant digits between 10^-12 and 10^12: a technical bound
    on what can be formatted and computed, not a clinical limit."""
    return value.is_finite() and (value == 0 or -12 <= value.adjusted() <= 12) and len(
        value.as_tuple().digits) <= 12


def _number(value: Any) -> Any:
    """Numbers only: the reader gives ``Decimal`` or ``int``; quoted text is not a number."""
    if isinstance(value, str) and re.fullmatch(r"\s*\d+(,\d+)+(\.\d+)?\s*", value):
        raise PydanticCustomError("number_comma", inline.comma_message(value.strip()))
    if isinstance(value, int | Decimal) and not isinstance(value, bool) and not _plain_size(
            Decimal(value)):
        raise PydanticCustomError("number_size", "{value} is not a number a monograph holds; "
                                  "write it out in plain digits (at most 12, no exponent)",
                                  {"value": str(value)[:40]})
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        shown = (f"'{value}'" if len(value) <= 80 else f"'{value[:60]}…' ({len(value):,} "
                 "characters)") if isinstance(value, str) else (
            "an empty value" if value is None else f"a {type(value).__name__}")
        raise PydanticCustomError("number", "expected a number, like 0.5, not {shown}",
                                  {"shown": shown})
    return Decimal(value)


def _date_written(value: Any) -> Any:
    """A date as the editor writes it, ``2024-01-05``: a number is not one (pydantic would read
    86400 as 2 January 1970, a number of seconds)."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        raise PydanticCustomError("date_type", "expected a date written YYYY-MM-DD, like "
                                  "2024-01-05, not the number {value}", {"value": str(value)})
    return value


Date = Annotated[dt.date, BeforeValidator(_date_written)]
"""A date written YYYY-MM-DD (the reader keeps it as text until the schema reads it)."""

PositiveNumber = Annotated[Decimal, BeforeValidator(_number),
                           Field(gt=0, allow_inf_nan=False, max_digits=12),
                           WithJsonSchema({"type": "number", "exclusiveMinimum": 0})]


class KbModel(BaseModel):
    """Base of every record: unknown keys are errors, and records do not change once read."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False,
                              validate_default=False, use_attribute_docstrings=True)

    def model_post_init(self, context: Any, /) -> None:
        """Share pydantic's set of the field names a record was given with every record given
        the same ones. The benchmark's 2,000 monographs and their references are some 110,000
        records, whose sets held 33 MiB; they have a few dozen distinct ones. A record never
        changes (it is frozen), and pydantic copies the set before any change to a copy, so
        sharing it changes nothing else."""
        given = self.__pydantic_fields_set__
        shared = _FIELD_SETS.setdefault(frozenset(given), given)
        if shared is not given:
            object.__setattr__(self, "__pydantic_fields_set__", shared)


_FIELD_SETS: dict[frozenset[str], set[str]] = {}
"""The one set of field names shared by all records given those fields (see
``KbModel.model_post_init``)."""


class Section(KbModel):
    """A prose section of the source, such as the introduction."""

    citations: list[CitationKey] = Field(default_factory=list)
    """Works cited for the whole section; shown beside its heading, not in the contents."""
    paragraphs: list[Text] = Field(default_factory=list)
    """The section's paragraphs, in the source's order."""
    items: list[Text] = Field(default_factory=list)
    """A list the source gives after the paragraphs (each warning, each interaction)."""


class CoMedication(KbModel):
    """A drug the source suggests giving alongside, to prevent or treat an adverse effect."""

    text: Text
    """The advice as the source gives it."""
    drugs: list[PlainName] = Field(min_length=1)
    """The drugs the advice names (each must appear in the text); found by search."""

    @model_validator(mode="after")
    def _drugs_in_text(self) -> CoMedication:
        missing = [d for d in self.drugs if d.lower() not in self.text.lower()]
        if missing:
            raise PydanticCustomError(
                "drug_not_in_text", "drugs {missing} are not named in the text; name them there "
                "or remove them from drugs", {"missing": ", ".join(missing)})
        return self


class AdverseEffectGroup(KbModel):
    """The adverse effects of one body system."""

    system: BodySystem
    """The body system, from the allow-list."""
    lead: Text | None = None
    """The words that introduce the list, as in the source ("Effects … include:")."""
    effects: list[PlainName] = Field(min_length=1)
    """Each effect the source names, one per item."""
    co_medications: list[CoMedication] = Field(default_factory=list)
    """Co-medications the source suggests for these effects."""


class AdverseEffects(KbModel):
    """Adverse effects: how they relate to dose and route, then grouped by body system."""

    citations: list[CitationKey] = Field(default_factory=list)
    """Works cited for the whole section."""
    dose_relation: Text | None = None
    """How the effects relate to dose, with the dose as data: {dose: 1 mg/kg}."""
    route_relation: Text | None = None
    """How the effects relate to route of administration."""
    groups: list[AdverseEffectGroup] = Field(default_factory=list)
    """Effects by body system, in the source's order."""


class _Span(KbModel):
    """A single ``value`` or a ``min``–``max`` range."""

    value: PositiveNumber | None = None
    """A single number, such as 0.5."""
    min: PositiveNumber | None = None
    """The low end of a range."""
    max: PositiveNumber | None = None
    """The high end of a range."""

    @model_validator(mode="after")
    def _one_form(self) -> _Span:
        single = self.value is not None
        ranged = self.min is not None or self.max is not None
        if single == ranged:
            raise PydanticCustomError(
                "dose_form", "give either value (a single number) or min and max (a range)")
        if ranged and (self.min is None or self.max is None):
            raise PydanticCustomError("dose_form", "a range needs both min and max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise PydanticCustomError(
                "dose_order", "min {min} is above max {max}; swap them",
                {"min": str(self.min), "max": str(self.max)})
        return self

    @property
    def low(self) -> Decimal:
        """The single number, or the bottom of the range."""
        low = self.value if self.value is not None else self.min
        assert low is not None
        return low

    @property
    def highest(self) -> Decimal:
        """The single number, or the top of the range."""
        top = self.value if self.value is not None else self.max
        assert top is not None
        return top


class Dose(_Span):
    """A dose as data: a single ``value`` or a ``min``–``max`` range, in one unit."""

    unit: DoseUnit
    """The unit; per-kg, per-m² and per-time units say so (mg/kg, mcg/kg/minute, mg/day)."""

    @property
    def typed_unit(self) -> units.Unit:
        """The unit with its dimension and factor."""
        return units.UNITS[self.unit]


class Duration(_Span):
    """A length of time: ``over 10 minutes``, ``for 5 days``, ``at least 2 hours apart``."""

    unit: TimeUnit
    """minutes, hours, days or weeks."""


class Quantity(KbModel):
    """An amount with a unit, used for caps and titration limits."""

    value: PositiveNumber
    """The number."""
    unit: DoseUnit
    """The unit, from the allow-list."""

    @property
    def typed_unit(self) -> units.Unit:
        """The unit with its dimension and factor."""
        return units.UNITS[self.unit]


class AsNeeded(KbModel):
    """A dose given when needed, not on a schedule."""

    reason: PlainName | None = None
    """What it is given for ("nausea"), as the source says."""
    min_interval: Duration | None = None
    """The least time between doses ("every 2 hours as needed" is 2 hours)."""


class Titration(KbModel):
    """How the dose is adjusted, as the source states it."""

    by: Dose
    """The size of each adjustment."""
    every: Duration | None = None
    """How often it may be adjusted."""
    up_to: Quantity | None = None
    """The most the dose is titrated to."""
    toward: PlainName | None = None
    """The goal ("to effect", "to the target sedation score")."""


def _cap_problem(cap: Quantity, dose: Dose, *, rate: bool) -> str | None:
    """Why ``cap`` cannot cap ``dose``, or None."""
    cap_unit, dose_unit = cap.typed_unit, dose.typed_unit
    if cap_unit.amount != dose_unit.amount:
        return (f"a cap in {cap_unit.label} cannot cap a dose in {dose_unit.label}: they measure "
                "different things")
    if cap_unit.per_body not in (None, dose_unit.per_body):
        return (f"a cap in {cap_unit.label} cannot cap a dose in {dose_unit.label}: the dose "
                "is not per body size in the same way")
    if rate and not cap_unit.is_rate:
        return (f"max_rate caps a rate; write it as a rate, such as "
                f"{dose_unit.amount_code}/hour")
    if not rate and cap_unit.per_minutes is not None:
        return (f"this cap is an amount; write it in {dose_unit.amount_code}"
                + ("" if dose_unit.per_body is None
                   else f" or {dose_unit.amount_code}/{dose_unit.per_body}"))
    return None


def _refuse_cap_below(cap: Quantity, dose: Dose) -> None:
    """Refuse a cap below even the lowest dose it caps (25 mcg over 6.25 mg: a unit mistyped),
    as a step's caps and a regimen's 24-hour cap are checked alike."""
    if _compare_cap(cap, dose):
        raise PydanticCustomError(
            "cap_below_dose", "{cap} is below even the lowest dose it caps ({dose})",
            {"cap": f"{cap.value} {cap.unit}", "dose": f"{dose.low} {dose.unit}"})


def _compare_cap(cap: Quantity, dose: Dose) -> bool:
    """Whether the cap is below even the lowest dose (when the two can be compared as written)."""
    cap_unit, dose_unit = cap.typed_unit, dose.typed_unit
    if cap_unit.dimension != dose_unit.dimension:
        return False
    return units.convert(Fraction(cap.value), cap_unit, dose_unit) < Fraction(dose.low)


AS_NEEDED_NEVER = frozenset({"scheduled", "infusion", "maintenance", "loading"})
"""Kinds of dose that are not given when needed (a bolus or a single dose may be)."""


class DoseStep(KbModel):
    """One dose within a regimen: a bolus, a loading dose, an infusion rate, a scheduled or
    as-needed dose. Shaped after FHIR R5 Dosage."""

    kind: DoseKind
    """What kind of dose this is."""
    dose: Dose
    """The dose as data."""
    frequency: Frequency | None = None
    """How often (every_4_hours, twice_a_day, at_night, once, continuous); empty when the source
    does not say (the page then says so)."""
    divided_into: Annotated[int, Field(strict=True, ge=2, le=12)] | None = None
    """For an amount per 24 hours given in divided doses: how many ("in 3 divided doses")."""
    over: Duration | None = None
    """How long one dose takes to give ("over 10 minutes", "over 24 hours")."""
    device: Device | None = None
    """What it is given by (syringe_driver, infusion_pump)."""
    as_needed: AsNeeded | None = None
    """For a dose given when needed: its reason and minimum interval."""
    duration: Duration | None = None
    """How long to continue, as the source states it ("for 5 days")."""
    max_duration: Duration | None = None
    """The longest it may be continued ("not to exceed 24 hours")."""
    max_per_dose: Quantity | None = None
    """Largest single dose, in an amount (mg) or per kg (mg/kg) if the dose is per kg."""
    max_rate: Quantity | None = None
    """Largest rate of an infusion (mg/hour, or mcg/kg/minute if the dose is per kg)."""
    max_per_24_hours: Quantity | None = None
    """Largest total of this step in 24 hours, as an amount (mg) or per kg (mg/kg)."""
    titration: Titration | None = None
    """How the dose is adjusted, when the source says."""
    notes: list[Text] = Field(default_factory=list)
    """Anything else the source says about this dose."""

    @field_validator("max_per_dose", "max_per_24_hours", "max_rate")
    @classmethod
    def _cap_fits_dose(cls, cap: Quantity | None, info: ValidationInfo) -> Quantity | None:
        dose = info.data.get("dose")
        if cap is None or not isinstance(dose, Dose):
            return cap
        problem = _cap_problem(cap, dose, rate=info.field_name == "max_rate")
        if problem is None and info.field_name == "max_per_dose" and dose.typed_unit.is_rate:
            problem = "an infusion rate has no single dose; cap it with max_rate"
        if problem is None and info.field_name == "max_rate" and not dose.typed_unit.is_rate:
            problem = "max_rate caps an infusion rate; this dose is not a rate"
        if (problem is None and info.field_name == "max_per_dose" and dose.typed_unit.per_day
                and info.data.get("divided_into") is None):
            problem = ("an amount per 24 hours has no single dose to cap unless it is given in "
                       "divided doses; add divided_into, or cap it with max_per_24_hours")
        if problem:
            raise PydanticCustomError("cap_dimension", problem)
        _refuse_cap_below(cap, dose)
        return cap

    @field_validator("frequency")
    @classmethod
    def _frequency_fits_dose(cls, frequency: str | None, info: ValidationInfo) -> str | None:
        dose = info.data.get("dose")
        if isinstance(dose, Dose) and dose.typed_unit.is_rate and frequency not in (
                None, "continuous"):
            raise PydanticCustomError(
                "rate_frequency", "a rate per minute or hour is continuous; remove frequency "
                "or write frequency: continuous")
        return frequency

    @field_validator("divided_into")
    @classmethod
    def _divided_per_day(cls, divided: int | None, info: ValidationInfo) -> int | None:
        dose = info.data.get("dose")
        if isinstance(dose, Dose) and divided is not None and not dose.typed_unit.per_day:
            raise PydanticCustomError(
                "divided_into", "divided_into is for an amount per 24 hours (a unit ending in "
                "/day); this dose is in {unit}", {"unit": dose.typed_unit.label})
        return divided

    @field_validator("titration")
    @classmethod
    def _titration_fits_dose(cls, titration: Titration | None, info: ValidationInfo
                             ) -> Titration | None:
        dose = info.data.get("dose")
        if titration is None or not isinstance(dose, Dose):
            return titration
        for name, part in (("by", titration.by), ("up_to", titration.up_to)):
            if part is not None and part.typed_unit.dimension != dose.typed_unit.dimension:
                raise PydanticCustomError(
                    "titration_unit", "titration.{name} is in {got}, the dose in {unit}; "
                    "write both in units of the same kind",
                    {"name": name, "got": part.unit, "unit": dose.unit})
        up_to = titration.up_to
        if up_to is not None and _compare_cap(up_to, dose):  # 6 mcg over 3 mg: a unit mistyped
            raise PydanticCustomError(
                "titration_below_dose", "titration.up_to, {up_to}, is below even the lowest "
                "dose ({dose}); it is the most the dose is titrated to",
                {"up_to": f"{up_to.value} {up_to.unit}", "dose": f"{dose.low} {dose.unit}"})
        if up_to is not None and units.convert(Fraction(titration.by.low),
                                               titration.by.typed_unit,
                                               up_to.typed_unit) > Fraction(up_to.value):
            raise PydanticCustomError(
                "titration_step", "titration.by, {by}, is more than the most the dose is "
                "titrated to ({up_to})",
                {"by": f"{titration.by.low} {titration.by.unit}",
                 "up_to": f"{up_to.value} {up_to.unit}"})
        return titration

    @model_validator(mode="after")
    def _kind_fits(self) -> DoseStep:
        """What the kind of dose says agrees with the dose: a page must not read "bolus 5
        mg/hour", "scheduled dose 6.25 mg at night as needed" or "continuous infusion 5 mg"."""
        unit = self.dose.typed_unit
        if self.kind in ("bolus", "single") and unit.is_rate:
            raise PydanticCustomError(
                "kind_rate", "a {kind} is an amount given at once, not a rate ({unit}): write "
                "the amount, or make the step an infusion, as the source states it",
                {"kind": vocabulary.DOSE_KINDS[self.kind], "unit": unit.label})
        if self.as_needed is not None and self.kind in AS_NEEDED_NEVER:
            raise PydanticCustomError(
                "kind_as_needed", "as_needed is for a dose given when needed, and this step "
                "is a {kind}: write kind: as_needed, or remove as_needed, as the source states "
                "it", {"kind": vocabulary.DOSE_KINDS[self.kind]})
        if self.kind == "infusion" and not unit.is_rate and not unit.per_day and \
                self.over is None:
            raise PydanticCustomError(
                "kind_infusion", "a continuous infusion of {unit} needs how long it runs "
                "(over) or a unit per time (per hour, or per day for an amount in 24 hours), "
                "as the source states it", {"unit": unit.label})
        if self.frequency == "continuous" and not unit.is_rate and self.kind != "infusion":
            raise PydanticCustomError(
                "frequency_continuous", "frequency: continuous is for an infusion or a rate, "
                "and this {kind} is in {unit}: write how often, as the source states it",
                {"kind": vocabulary.DOSE_KINDS[self.kind], "unit": unit.label})
        return self

    @property
    def is_as_needed(self) -> bool:
        """Given when needed rather than on a schedule."""
        return self.as_needed is not None or self.kind == "as_needed"


class Bounds(KbModel):
    """A measured bound as the source writes it: from ``min`` to ``max``, or ``below``/``above``
    a value."""

    min: PositiveNumber | None = None
    """At least this."""
    max: PositiveNumber | None = None
    """At most this."""
    below: PositiveNumber | None = None
    """Less than this."""
    above: PositiveNumber | None = None
    """More than this."""
    unit: BoundUnit
    """years, months, weeks or days for an age; kg for a weight; mL/minute (creatinine
    clearance) or mL/minute/1.73 m2 (eGFR) for renal function."""

    @model_validator(mode="after")
    def _sensible(self) -> Bounds:
        if (self.min is not None and self.above is not None) or (
                self.max is not None and self.below is not None):
            raise PydanticCustomError("bounds", "give min or above, and max or below, not both")
        if not any(v is not None for v in (self.min, self.max, self.below, self.above)):
            raise PydanticCustomError("bounds", "give min, max, below or above")
        low = self.min if self.min is not None else self.above
        high = self.max if self.max is not None else self.below
        if low is not None and high is not None and low > high:
            raise PydanticCustomError("bounds", "the lower bound {low} is above the upper {high}",
                                      {"low": str(low), "high": str(high)})
        limit = BOUND_LIMITS.get(self.unit)
        beyond = [v for v in (self.min, self.max, self.below, self.above)
                  if v is not None and limit is not None and v > limit]
        if beyond:
            raise PydanticCustomError(
                "bounds_size", "{value} {unit} is beyond any patient (at most {limit} {unit}): "
                "check the number against the source",
                {"value": str(beyond[0]), "unit": self.unit, "limit": str(limit)})
        return self


BOUND_LIMITS = {"years": 130, "months": 130 * 12, "weeks": 130 * 52, "days": 130 * 366,
                "kg": 700, "mL/minute": 500, "mL/minute/1.73 m2": 500}
"""The most a bound can be in each unit: an age of 130 years, a weight of 700 kg, a renal
function of 500 mL/minute, each beyond any patient: a bound past it is a number mistyped (180
years for 18, 5000 kg for 50). Technical bounds, not clinical limits."""


class RenalFunction(KbModel):
    """Renal function as the source measures it. Creatinine clearance and eGFR are never
    converted into each other."""

    measure: RenalMeasure
    """creatinine_clearance or egfr, as the source states."""
    bounds: Bounds
    """The range, with its unit (mL/minute for creatinine clearance, mL/minute/1.73 m2 for
    eGFR)."""

    @model_validator(mode="after")
    def _unit(self) -> RenalFunction:
        expected = vocabulary.RENAL_MEASURES[self.measure][1]
        if self.bounds.unit != expected:
            raise PydanticCustomError("renal_unit", "{measure} is in {expected}; the source's "
                                      "figure is never converted", {"measure": self.measure,
                                                                   "expected": expected})
        return self


class Population(KbModel):
    """Who a regimen is for, only as the source states it: the generator adds no threshold,
    band or formula of its own."""

    groups: list[AgeGroup] = Field(default_factory=list)
    """Age groups the source names (adult, older_adult, child, ...)."""
    age: Bounds | None = None
    """Ages as the source bounds them."""
    weight: Bounds | None = None
    """Body weights as the source bounds them (unit kg)."""
    renal: RenalFunction | None = None
    """Renal function as the source states it."""
    hepatic: HepaticSeverity | None = None
    """Hepatic impairment as the source states it."""
    description: PlainName | None = None
    """Anything else the source says about who the regimen is for, in plain words."""

    @model_validator(mode="after")
    def _units(self) -> Population:
        if self.age is not None and self.age.unit not in vocabulary.AGE_UNITS:
            raise PydanticCustomError("age_unit", "an age is in years, months, weeks or days")
        if self.weight is not None and self.weight.unit != "kg":
            raise PydanticCustomError("weight_unit", "a weight is in kg")
        return self


def _ratio_above_zero(value: str) -> str:
    """A ratio of two doses: a zero on either side converts to or from nothing."""
    if any(Decimal(part) == 0 for part in value.split(":")):
        raise PydanticCustomError("ratio_zero", "the ratio {value} has a zero; each side is a "
                                  "dose above zero, as the source states it",
                                  {"value": value})
    return value


class Conversion(KbModel):
    """A conversion between routes or forms, as the source states it ("oral to subcut 2:1")."""

    from_route: Route
    """The route converted from."""
    to_route: Route
    """The route converted to."""
    ratio: Annotated[str, Field(strict=True, pattern=r"^\d+(\.\d+)?:\d+(\.\d+)?$"),
                     AfterValidator(_ratio_above_zero)]
    """From-dose : to-dose, as the source writes it ("2:1")."""
    citations: list[CitationKey] = Field(default_factory=list)
    """Works supporting the conversion."""
    notes: list[Text] = Field(default_factory=list)
    """What the source adds."""


class Regimen(KbModel):
    """A regimen the source gives, with everything that qualifies it."""

    id: Slug
    """A short name for the regimen, unique in the monograph (e.g. iv-bolus-and-infusion)."""
    route: Route
    """Route code; the page shows the safe words (subcutaneous is shown as subcut)."""
    indication: PlainName | None = None
    """What it is for, as the source says ("pain")."""
    population: Population | None = None
    """Who it is for, when the source says; empty shows "not stated in source"."""
    qualifier: Qualifier | None = None
    """Where the regimen comes from ("literature suggests", "product label"), shown wherever
    the regimen is."""
    citations: list[CitationKey] = Field(default_factory=list)
    """Works supporting the regimen."""
    steps: list[DoseStep] = Field(min_length=1)
    """The doses the source joins into this regimen (a loading dose and a maintenance
    infusion; a regular and an as-needed dose)."""
    max_per_24_hours: Quantity | None = None
    """Largest total in 24 hours over all its steps, regular and as-needed together."""
    max_duration: Duration | None = None
    """The longest the regimen may be continued."""
    notes: list[Text] = Field(default_factory=list)
    """Anything else the source says about this regimen."""

    @field_validator("max_per_24_hours")
    @classmethod
    def _cap_fits_steps(cls, cap: Quantity | None, info: ValidationInfo) -> Quantity | None:
        """The cap measures what each step's dose measures, and no step's lowest dose is
        above it: a cap of 25 mcg over a dose of 6.25 mg is a unit mistyped."""
        if cap is None:
            return cap
        for step in info.data.get("steps") or []:
            if isinstance(step, DoseStep):
                problem = _cap_problem(cap, step.dose, rate=False)
                if problem:
                    raise PydanticCustomError("cap_dimension", problem)
                _refuse_cap_below(cap, step.dose)
        return cap


class RouteUse(KbModel):
    """Which routes are used, as the source states it."""

    usual: list[Route] = Field(default_factory=list)
    """The usual routes."""
    less_common: list[Route] = Field(default_factory=list)
    """Less common routes."""


class Dosing(KbModel):
    """Dosing and administration considerations, and the regimens."""

    citations: list[CitationKey] = Field(default_factory=list)
    """Works cited for the whole section."""
    routes: RouteUse | None = None
    """The routes used for this indication."""
    considerations: list[Text] = Field(default_factory=list)
    """Statements before the regimens, in the source's order."""
    regimens_lead: Text | None = None
    """The sentence that introduces the regimens."""
    regimens: list[Regimen] = Field(default_factory=list)
    """The regimens, each as data."""
    conversions: list[Conversion] = Field(default_factory=list)
    """Conversions between routes or forms, as the source states them."""
    after_regimens: list[Text] = Field(default_factory=list)
    """Statements after the regimens, in the source's order."""


MAX_MG_PER_ML = 5000
"""More than 5 g of drug in each mL is more than any liquid holds (the densest, a barium
sulfate suspension, holds some 2.5 g): such a strength is a unit typed wrong, g for mg."""


class Strength(KbModel):
    """A strength: ``amount`` ``unit`` per ``per`` ``per_unit`` (50 mg per 1 mL), a concentration
    (4 mcg/mL, 1% w/v), or an amount per tablet or capsule (500 mg, no per_unit)."""

    amount: PositiveNumber
    """Amount of drug."""
    unit: StrengthUnit
    """Unit of the amount (mg), or a concentration (mcg/mL, %w/v)."""
    per: PositiveNumber | None = None
    """Volume it is contained in (with per_unit; 1 when left out)."""
    per_unit: VolumeUnit | None = None
    """Unit of that volume (mL); left out for a tablet or capsule, or a concentration."""
    example: StrictBool = False
    """True when the source gives this strength only as an example ("e.g., 20 mg/mL")."""

    @model_validator(mode="after")
    def _one_form(self) -> Strength:
        concentration = units.UNITS[self.unit].per_ml or self.unit.startswith("%")
        if concentration and (self.per is not None or self.per_unit is not None):
            raise PydanticCustomError("strength_form", "{unit} is already per mL; remove per "
                                      "and per_unit", {"unit": self.unit})
        if self.per is not None and self.per_unit is None:
            raise PydanticCustomError("strength_form", "per needs per_unit (mL)")
        unit = units.UNITS[self.unit]
        factor = unit.amount_factor  # mg per mL = amount × factor ÷ per, compared exactly
        if unit.amount == "mass" and (unit.per_ml or self.per_unit == "mL") and \
                self.amount * factor.numerator > \
                MAX_MG_PER_ML * factor.denominator * (self.per or 1):
            raise PydanticCustomError(
                "strength_size", "{shown} is more than 5 g in each mL, more than any solution "
                "or suspension holds: check the amount and its unit against the source",
                {"shown": self.written})
        return self

    @property
    def written(self) -> str:
        """The strength as the editor wrote it, for a message: ``25 g per 1 mL``, ``20 mg/mL``
        (the page shows it through ``doses.format_strength``)."""
        return f"{self.amount} {self.unit}" + (
            f" per {self.per or 1} {self.per_unit}" if self.per_unit else "")

    @property
    def amount_per_ml(self) -> tuple[Fraction, units.Unit] | None:
        """The strength as an amount per mL in its amount unit, when it is a liquid."""
        unit = units.UNITS[self.unit]
        if unit.per_ml:
            return Fraction(self.amount) * unit.amount_factor, units.UNITS[
                "mg" if unit.amount == "mass" else unit.amount_code]
        if self.per_unit == "mL" and not unit.per_ml:
            return Fraction(self.amount) / Fraction(self.per or 1), unit
        return None


class DosageForm(KbModel):
    """A dosage form with its strengths."""

    id: Slug
    """A short name, unique in the monograph; text refers to it as {strength: id}."""
    kind: DosageFormKind
    """What the form is."""
    routes: list[Route] = Field(default_factory=list)
    """Routes it can be given by, as the source says."""
    availability: Literal["commercial", "compounded"]
    """commercial (a licensed product) or compounded (made up by a pharmacy)."""
    strengths: list[Strength] = Field(default_factory=list)
    """Strengths; an example strength is marked example: true."""
    notes: list[Text] = Field(default_factory=list)
    """Other statements about this form."""

    @field_validator("strengths")
    @classmethod
    def _solid_is_not_per_ml(cls, strengths: list[Strength], info: ValidationInfo
                             ) -> list[Strength]:
        """A tablet's strength per mL is a mistake, and the dose calculator would turn it into
        a volume to draw up."""
        kind = info.data.get("kind")
        for i, strength in enumerate(strengths if kind in SOLID_FORM_KINDS else ()):
            if strength.amount_per_ml is not None:
                name = vocabulary.DOSAGE_FORM_KINDS[str(kind)].lower()
                raise PydanticCustomError(
                    "strength_solid", "strengths[{i}], {shown}, is an amount per mL, and a "
                    "{name} is not a liquid: write the amount in one {name} (a unit such as "
                    "mg, without per and per_unit), as the source states it",
                    {"i": i, "shown": strength.written, "name": name})
        return strengths


SOLID_FORM_KINDS = frozenset({"tablet", "capsule", "modified_release_tablet", "suppository",
                              "transdermal_patch"})
"""Dosage forms whose strength is an amount in each one, never an amount per mL."""


class DosageForms(KbModel):
    """Dosage forms and the advice on giving them."""

    citations: list[CitationKey] = Field(default_factory=list)
    """Works cited for the whole section."""
    forms: list[DosageForm] = Field(default_factory=list)
    """The forms, in the source's order."""
    administration: list[Text] = Field(default_factory=list)
    """Administration advice, in the source's order."""


class MonitoringParameter(KbModel):
    """One thing to monitor."""

    parameter: PlainName
    """What to monitor ("Vital signs")."""
    examples: list[PlainName] = Field(default_factory=list)
    """Its examples as the source lists them."""
    examples_lead: Literal["e.g.", "such as"] = "e.g."
    """How the source introduces the examples."""


class Monitoring(KbModel):
    """Monitoring: when, and what."""

    citations: list[CitationKey] = Field(default_factory=list)
    """Works cited for the whole section."""
    timing: Text | None = None
    """When to monitor, as the source says."""
    parameters: list[MonitoringParameter] = Field(default_factory=list)
    """The parameters."""


class Summary(KbModel):
    """The source's summary and the place in therapy."""

    citations: list[CitationKey] = Field(default_factory=list)
    """Works cited for the whole section."""
    paragraphs: list[Text] = Field(default_factory=list)
    """The summary as the source gives it."""
    place_in_therapy: Text | None = None
    """Where the drug fits, in the source's words; shown in the at-a-glance box."""


class FurtherInformation(KbModel):
    """A further-information resource the source names."""

    title: BibliographicName
    """Its title as the source gives it."""
    site: BibliographicName | None = None
    """The site or publisher the source names."""
    url: Annotated[str, Field(strict=True, pattern=r"^https?://\S+$")] | None = None
    """Its address; empty when the source gives none (never invented)."""


class Provenance(KbModel):
    """What the monograph is based on."""

    based_on: Text
    """The source document."""
    source_date: Date | None = None
    """The source's date, when it states one."""
    notes: list[Text] = Field(default_factory=list)
    """What else is known about the source, and how it was transcribed."""


class Review(KbModel):
    """Local review governance. A monograph nobody has reviewed says so; nothing is invented."""

    status: ReviewStatus
    """not_reviewed_locally, under_review or reviewed."""
    last_reviewed: Date | None = None
    """Date of the last local review (YYYY-MM-DD)."""
    next_review: Date | None = None
    """Date the next review is due (YYYY-MM-DD)."""
    reviewed_by: PlainName | None = None
    """Who reviewed it (a role or committee)."""

    @model_validator(mode="after")
    def _consistent(self) -> Review:
        if self.status == "reviewed" and (self.last_reviewed is None or self.next_review is None
                                          or self.reviewed_by is None):
            raise PydanticCustomError(
                "review_incomplete",
                "a reviewed monograph needs last_reviewed, next_review and reviewed_by")
        if self.status == "not_reviewed_locally" and (self.last_reviewed or self.reviewed_by):
            raise PydanticCustomError(
                "review_contradiction",
                "status is not_reviewed_locally but a review date or reviewer is given")
        if (self.last_reviewed and self.next_review
                and self.next_review <= self.last_reviewed):
            raise PydanticCustomError(
                "review_order", "next_review {next} is not after last_reviewed {last}",
                {"next": str(self.next_review), "last": str(self.last_reviewed)})
        return self


class ChangeLogEntry(KbModel):
    """One change to the monograph."""

    date: Date
    """When (YYYY-MM-DD)."""
    change: Text
    """What changed and why."""


class Monograph(KbModel):
    """A drug monograph. Body sections appear on the page in the order the file gives them (the
    source's order); a boxed warning always stands above the at-a-glance box."""

    title: PlainName
    """The page title ("Ketamine for pain")."""
    generic_name: Annotated[str, Field(strict=True, max_length=80, pattern=r"^[a-z][a-z0-9 -]*$")]
    """Lowercase generic name; the file is named after it."""
    status: MonographStatus = "published"
    """draft or published; drafts never reach a release."""
    drug_classes: list[ClassId] = Field(default_factory=list)
    """Drug classes as the source names them, by their id in data/drug-classes.yaml."""
    synonyms: list[PlainName] = Field(default_factory=list)
    """Other names the source gives; shown under the title and found by search."""
    brand_names: list[PlainName] = Field(default_factory=list)
    """Brand names the source gives; shown under the title and found by search."""
    indication: PlainName | None = None
    """What the monograph covers ("pain")."""
    provenance: Provenance
    """What the content is based on."""
    review: Review
    """Local review status."""
    changelog: list[ChangeLogEntry] = Field(default_factory=list)
    """Changes, newest last."""
    boxed_warning: Section | None = None
    """A boxed (black-box) warning; shown above the at-a-glance box."""
    introduction: Section | None = None
    """Introduction."""
    mechanism_of_action: Section | None = None
    """Mechanism of action."""
    contraindications: Section | None = None
    """Contraindications (absolute)."""
    cautions: Section | None = None
    """Cautions (relative contraindications)."""
    warnings_and_precautions: Section | None = None
    """Warnings and precautions."""
    interactions: Section | None = None
    """Interactions."""
    adverse_effects: AdverseEffects | None = None
    """Adverse effects."""
    dosing: Dosing | None = None
    """Dosing and administration considerations."""
    renal_impairment: Section | None = None
    """Use in renal impairment."""
    hepatic_impairment: Section | None = None
    """Use in hepatic impairment."""
    pregnancy_and_breastfeeding: Section | None = None
    """Pregnancy and breastfeeding."""
    dosage_forms: DosageForms | None = None
    """Dosage forms."""
    storage_and_stability: Section | None = None
    """Storage and stability."""
    compatibility: Section | None = None
    """Compatibility (for example, syringe-driver mixtures)."""
    monitoring: Monitoring | None = None
    """Monitoring."""
    pharmacokinetics: Section | None = None
    """Pharmacokinetics."""
    overdose: Section | None = None
    """Overdose."""
    summary: Summary | None = None
    """Summary and place in therapy."""
    further_information: list[FurtherInformation] = Field(default_factory=list)
    """Further reading the source names."""

    _section_order: tuple[str, ...] = PrivateAttr(default=())
    _citation_numbers: dict[str, int] | None = PrivateAttr(default=None)
    """Kept by ``citations.number_citations``: the page and its exports number alike."""

    @model_validator(mode="wrap")
    @classmethod
    def _remember_order(cls, data: Any, handler: Any) -> Monograph:
        monograph: Monograph = handler(data)
        written = [k for k in data if k in BODY_SECTIONS] if isinstance(data, dict) else []
        rest = [k for k in BODY_SECTIONS if k not in written]
        monograph._section_order = tuple(written + rest)
        return monograph

    @model_validator(mode="after")
    def _unique_ids(self) -> Monograph:
        ids = [r.id for r in self.dosing.regimens] if self.dosing else []
        ids += [f.id for f in self.dosage_forms.forms] if self.dosage_forms else []
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise PydanticCustomError("duplicate_id", "id {ids} is used twice",
                                      {"ids": ", ".join(duplicated)})
        return self

    @property
    def section_order(self) -> tuple[str, ...]:
        """The body sections in the order the file gives them (the source's order)."""
        return self._section_order or BODY_SECTIONS

    @property
    def slug(self) -> str:
        """The page name, from the generic name."""
        return self.generic_name.replace(" ", "-")

    def dosage_form(self, form_id: str) -> DosageForm | None:
        """The dosage form with this id, if any."""
        forms = self.dosage_forms.forms if self.dosage_forms else []
        return next((f for f in forms if f.id == form_id), None)

    def section(self, name: str) -> Any:
        """A body section, or None when it is absent or holds nothing (``{}`` is not
        content)."""
        value = getattr(self, name)
        return None if value is None or is_empty(value) else value


LISTED_FIELDS = ("title", "generic_name", "status", "drug_classes", "synonyms", "brand_names",
                 "indication", "review")
"""What the lists of a build show of a monograph: the navigation, the A–Z and drug-class pages
and the home page's table."""


class Listing(Monograph):
    """A monograph as a build's lists know it once its page and exports are written: the fields
    of ``LISTED_FIELDS`` and nothing else (``loader.load_and_render``). Its other fields are
    missing, not empty: reading one raises, and a page or export made from it is refused
    (``refuse_listing``), so no list's record can ever be published as a monograph whose
    sections are "not stated in source"."""


def refuse_listing(monograph: Monograph, source: str) -> None:
    """Raise :class:`TypeError` for a :class:`Listing`: pages and exports are made from the
    record read, never from what a list keeps of it."""
    if isinstance(monograph, Listing):
        raise TypeError(f"{source}: a listing is not a monograph; make pages and exports from "
                        "the record read")


_UNLISTED = tuple(name for name in Listing.model_fields if name not in LISTED_FIELDS)
"""The fields a :class:`Listing` leaves out. ``listing`` hands each to ``model_construct`` as
None and deletes it: given nothing, ``model_construct`` would make each one's default, and ask
of each ``default_factory`` whether it takes the data, through ``inspect.signature`` (75 µs for
``list``; 2,000 listings took 0.38 s of CPU that way, against 0.04 s)."""


def listing(monograph: Monograph) -> Listing:
    """What the lists of a build need of ``monograph``; see :class:`Listing`."""
    values: dict[str, Any] = dict.fromkeys(_UNLISTED)
    values.update((name, getattr(monograph, name)) for name in LISTED_FIELDS)
    listed = Listing.model_construct(set(LISTED_FIELDS), **values)
    for name in set(listed.__dict__) - set(LISTED_FIELDS):  # missing, not None
        del listed.__dict__[name]
    return listed


def is_empty(record: BaseModel) -> bool:
    """True when a record holds no content: every field empty, None or itself empty."""
    for name in type(record).model_fields:
        value = getattr(record, name)
        if name == "citations":
            continue
        if isinstance(value, BaseModel):
            if not is_empty(value):
                return False
        elif value not in (None, [], "", ()):
            return False
    return True


class DrugClass(KbModel):
    """A drug class, defined in data/drug-classes.yaml; editors add classes there."""

    id: ClassId
    """Short name that monographs use in drug_classes (alpha_2_adrenergic_agonist)."""
    label: PlainName
    """The words shown ("Alpha-2 adrenergic agonist")."""
    atc: Annotated[str, Field(strict=True, pattern=r"^[A-V]\d{2}([A-Z]([A-Z](\d{2})?)?)?$")] | \
        None = None
    """The WHO ATC code of the class, when the editor records one (N01AX)."""


SKELETON_SOURCE = "Source not yet entered."
"""What ``kb new`` writes as the source; a published monograph must replace it."""

def iter_strings(value: Any, path: tuple[str | int, ...] = ()
                 ) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every string in a record, with its path, in field-declaration (page) order."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    _collect_strings(value, path, found)
    return iter(found)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
"""Each record class's field names, in declaration order (asking pydantic costs a call)."""


def _collect_strings(value: Any, path: tuple[str | int, ...],
                     found: list[tuple[tuple[str | int, ...], str]]) -> None:
    """:func:`iter_strings`' walk, appending to ``found``: a monograph holds some 900 values,
    and one call per record or list, not per value, keeps the walk of 2,000 cheap."""
    if isinstance(value, BaseModel):
        kind = type(value)
        names = _FIELD_NAMES.get(kind)
        if names is None:
            names = _FIELD_NAMES[kind] = tuple(kind.model_fields)
        items: Iterable[tuple[str | int, Any]] = ((name, getattr(value, name)) for name in names)
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        if isinstance(value, str):
            found.append((path, value))
        return
    for key, item in items:
        if isinstance(item, str):
            found.append(((*path, key), item))
        elif item is not None and item != [] and isinstance(item, BaseModel | list | tuple):
            _collect_strings(item, (*path, key), found)


BODY_SECTIONS = ("introduction", "mechanism_of_action", "contraindications", "cautions",
                 "warnings_and_precautions", "interactions", "adverse_effects", "dosing",
                 "renal_impairment", "hepatic_impairment", "pregnancy_and_breastfeeding",
                 "dosage_forms", "storage_and_stability", "compatibility", "monitoring",
                 "pharmacokinetics", "overdose", "summary")
"""The body sections, in the order used where the file does not give one."""

CORE_SECTIONS = ("adverse_effects", "contraindications", "dosing", "dosage_forms", "monitoring")
"""Core sections: when absent or empty, the page says "not stated in source" (the place in
therapy, the other core item, is said so in the at-a-glance box)."""

ABSENT_WHEN_SILENT = (*CORE_SECTIONS, "interactions", "pharmacokinetics")
"""Sections listed as "not stated in source" when the source does not fill them."""


SearchWord = Annotated[str, Field(strict=True, min_length=2, max_length=30,
                                  pattern=r"^[a-z]+$")]
"""A lowercase spelling fragment for search (letters only)."""

SearchPhrase = Annotated[str, Field(strict=True, min_length=2, max_length=80,
                                    pattern=r"^[a-z0-9]+( [a-z0-9]+)*$")]
"""Lowercase words for search, separated by single spaces."""


class SpellingRule(KbModel):
    """One British spelling and its American form, applied to every word the search indexes and
    every word a reader types, so either spelling finds both."""

    british: SearchWord
    """The British letters ("anaesth", "oedem", "ise")."""
    american: Annotated[str, Field(strict=True, max_length=30, pattern=r"^[a-z]*$")]
    """The American letters that replace them ("anesth", "edem", "ize")."""
    where: Literal["start", "end", "anywhere"] = "anywhere"
    """Where in a word the letters must be: at its start, at its end, or anywhere."""

    @model_validator(mode="after")
    def _different(self) -> SpellingRule:
        if self.british == self.american:
            raise PydanticCustomError("same_spelling",
                                      "british and american are the same; remove the rule")
        return self


class Abbreviation(KbModel):
    """A clinical abbreviation and every meaning a reader may intend; search finds each meaning.
    An ambiguous abbreviation (MS) lists all its meanings."""

    abbreviation: Annotated[str, Field(strict=True, min_length=2, max_length=12,
                                       pattern=r"^[A-Za-z][A-Za-z0-9/&]*$")]
    """As staff write it (HR, N/V, CSCI); matched whatever its case."""
    meanings: list[SearchPhrase] = Field(min_length=1)
    """What it stands for, in lowercase words ("heart rate")."""


class SearchTerms(KbModel):
    """``data/search-terms.yaml``: the spellings, abbreviations and look-alike drug names the
    search knows. Editors extend it; it is search data, never shown as clinical content."""

    spellings: list[SpellingRule] = Field(default_factory=list)
    """British and American spellings; applied in this order, so longer rules go first."""
    abbreviations: list[Abbreviation] = Field(default_factory=list)
    """Clinical abbreviations and their meanings."""
    look_alike_names: list[Annotated[list[SearchPhrase], Field(min_length=2, max_length=2)]] = \
        Field(default_factory=list)
    """Pairs of drug names known to be confused (ISMP); search labels them different drugs
    whenever both are in the formulary, beside the pairs it finds by spelling. Each
    abbreviation and each spelling is listed once (checked when the file is loaded)."""
