"""The schema: one class per record type, a docstring under every field.

This module is the single source of truth for what a monograph may hold. The JSON Schema that
editors' tools read (``kb schema``) is exported from these classes, never written by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StrictBool,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from . import inline, vocabulary


class Vocabulary:
    """A string restricted to an allow-list, with "did you mean" in its error message."""

    def __init__(self, noun: str, entries: dict[str, Any]) -> None:
        self.noun = noun
        self.entries = entries

    def check(self, value: str) -> str:
        """Accept a code of the allow-list; explain anything else."""
        if value not in self.entries:
            raise PydanticCustomError(
                "vocabulary",
                "'{value}' is not a known {noun}{hint}",
                {"value": value, "noun": self.noun,
                 "hint": vocabulary.suggest(value, self.entries)},
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
DoseUnit = Annotated[str, Vocabulary("unit", vocabulary.UNITS)]
AmountUnit = Annotated[str, Vocabulary("amount unit", vocabulary.AMOUNT_UNITS)]
VolumeUnit = Annotated[str, Vocabulary("volume unit", vocabulary.VOLUME_UNITS)]
Frequency = Annotated[str, Vocabulary("frequency", vocabulary.FREQUENCIES)]
DoseKind = Annotated[str, Vocabulary("kind of dose", vocabulary.DOSE_KINDS)]
Qualifier = Annotated[str, Vocabulary("qualifier", vocabulary.QUALIFIERS)]
BodySystem = Annotated[str, Vocabulary("body system", vocabulary.BODY_SYSTEMS)]
DrugClass = Annotated[str, Vocabulary("drug class", vocabulary.DRUG_CLASSES)]
DosageFormKind = Annotated[str, Vocabulary("dosage form", vocabulary.DOSAGE_FORM_KINDS)]
ReviewStatus = Annotated[str, Vocabulary("review status", vocabulary.REVIEW_STATUSES)]
MonographStatus = Annotated[str, Vocabulary("status", vocabulary.MONOGRAPH_STATUSES)]

Text = Annotated[
    str, Field(strict=True),
    AfterValidator(_text),
]
def _plain_name(value: str) -> str:
    found = [c for c in "<>{}`" if c in value]
    if found:
        raise PydanticCustomError("plain_name", "the character {chars} is not allowed in a name "
                                  "or list item; write plain words",
                                  {"chars": " ".join(repr(c) for c in found)})
    if not value.strip():
        raise PydanticCustomError("plain_name", "empty; write the words or remove the item")
    return value


PlainName = Annotated[str, Field(strict=True, min_length=1, max_length=200),
                      AfterValidator(_plain_name)]
Slug = Annotated[str, Field(strict=True, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
CitationKey = Annotated[str, Field(strict=True, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_:.\-]*$")]
def _number(value: Any) -> Any:
    """Numbers only: the reader gives ``Decimal`` or ``int``; quoted text is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        shown = f"'{value}'" if isinstance(value, str) else (
            "an empty value" if value is None else f"a {type(value).__name__}")
        raise PydanticCustomError("number", "expected a number, like 0.5, not {shown}",
                                  {"shown": shown})
    return Decimal(value)


PositiveNumber = Annotated[Decimal, BeforeValidator(_number),
                           Field(gt=0, allow_inf_nan=False, max_digits=12),
                           WithJsonSchema({"type": "number", "exclusiveMinimum": 0})]


class KbModel(BaseModel):
    """Base of every record: unknown keys are errors, and records do not change once read."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False,
                              validate_default=False, use_attribute_docstrings=True)


class Section(KbModel):
    """A prose section of the source, such as the introduction."""

    citations: list[CitationKey] = []
    """Works cited for the whole section; shown beside its heading, not in the contents."""
    paragraphs: list[Text] = []
    """The section's paragraphs, in the source's order."""


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
    co_medications: list[CoMedication] = []
    """Co-medications the source suggests for these effects."""


class AdverseEffects(KbModel):
    """Adverse effects: how they relate to dose and route, then grouped by body system."""

    citations: list[CitationKey] = []
    """Works cited for the whole section."""
    dose_relation: Text | None = None
    """How the effects relate to dose, with the dose as data: {dose: 1 mg/kg}."""
    route_relation: Text | None = None
    """How the effects relate to route of administration."""
    groups: list[AdverseEffectGroup] = []
    """Effects by body system, in the source's order."""


class Dose(KbModel):
    """A dose as data: a single ``value`` or a ``min``–``max`` range, in one unit."""

    value: PositiveNumber | None = None
    """A single dose, such as 0.5."""
    min: PositiveNumber | None = None
    """The low end of a range."""
    max: PositiveNumber | None = None
    """The high end of a range."""
    unit: DoseUnit
    """The unit; per-kg and per-hour units say so (mg/kg, mg/kg/hour)."""

    @model_validator(mode="after")
    def _one_form(self) -> Dose:
        single = self.value is not None
        ranged = self.min is not None or self.max is not None
        if single == ranged:
            raise PydanticCustomError(
                "dose_form", "give either value (a single dose) or min and max (a range)")
        if ranged and (self.min is None or self.max is None):
            raise PydanticCustomError("dose_form", "a range needs both min and max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise PydanticCustomError(
                "dose_order", "min {min} is above max {max}; swap them",
                {"min": str(self.min), "max": str(self.max)})
        return self

    @property
    def highest(self) -> Decimal:
        """The single dose, or the top of the range."""
        top = self.value if self.value is not None else self.max
        assert top is not None
        return top


class Quantity(KbModel):
    """An amount with a unit, used for caps."""

    value: PositiveNumber
    """The number."""
    unit: DoseUnit
    """The unit, from the allow-list."""


class DoseStep(KbModel):
    """One dose within a regimen: a bolus, an infusion rate, a scheduled dose."""

    kind: DoseKind
    """What kind of dose this is."""
    dose: Dose
    """The dose as data."""
    frequency: Frequency | None = None
    """How often; empty when the source does not say (the page then says so)."""
    max_per_dose: Quantity | None = None
    """Largest single dose, when the source gives one."""
    max_per_day: Quantity | None = None
    """Largest total per day, when the source gives one."""

    @model_validator(mode="after")
    def _caps(self) -> DoseStep:
        cap = self.max_per_dose
        if cap is not None and cap.unit == self.dose.unit and cap.value < self.dose.highest:
            raise PydanticCustomError(
                "cap_below_dose", "max_per_dose {cap} is below the dose it caps ({dose})",
                {"cap": str(cap.value), "dose": str(self.dose.highest)})
        if self.dose.unit.endswith("/hour") and self.frequency is not None:
            raise PydanticCustomError(
                "rate_frequency", "an hourly rate has no frequency; remove frequency")
        return self


class Regimen(KbModel):
    """A regimen the source gives, with everything that qualifies it."""

    id: Slug
    """A short name for the regimen, unique in the monograph (e.g. iv-bolus-and-infusion)."""
    route: Route
    """Route code; the page shows the safe words (subcutaneous is shown as subcut)."""
    indication: PlainName | None = None
    """What it is for, as the source says ("pain")."""
    population: PlainName | None = None
    """Who it is for, when the source says; empty shows "not stated in source"."""
    qualifier: Qualifier | None = None
    """The strength of the statement ("literature suggests"), shown wherever the regimen is."""
    citations: list[CitationKey] = []
    """Works supporting the regimen."""
    steps: list[DoseStep] = Field(min_length=1)
    """The doses the source joins into this regimen (an IV bolus and an infusion)."""
    notes: list[Text] = []
    """Anything else the source says about this regimen."""


class RouteUse(KbModel):
    """Which routes are used, as the source states it."""

    usual: list[Route] = []
    """The usual routes."""
    less_common: list[Route] = []
    """Less common routes."""


class Dosing(KbModel):
    """Dosing and administration considerations, and the regimens."""

    citations: list[CitationKey] = []
    """Works cited for the whole section."""
    routes: RouteUse | None = None
    """The routes used for this indication."""
    considerations: list[Text] = []
    """Statements before the regimens, in the source's order."""
    regimens_lead: Text | None = None
    """The sentence that introduces the regimens."""
    regimens: list[Regimen] = []
    """The regimens, each as data."""
    after_regimens: list[Text] = []
    """Statements after the regimens, in the source's order."""


class Strength(KbModel):
    """A strength: ``amount`` ``unit`` per ``per`` ``per_unit`` (50 mg per 1 mL)."""

    amount: PositiveNumber
    """Amount of drug."""
    unit: AmountUnit
    """Unit of the amount."""
    per: PositiveNumber = Decimal(1)
    """Volume it is contained in."""
    per_unit: VolumeUnit = "mL"
    """Unit of that volume."""
    example: StrictBool = False
    """True when the source gives this strength only as an example ("e.g., 20 mg/mL")."""


class DosageForm(KbModel):
    """A dosage form with its strengths."""

    id: Slug
    """A short name, unique in the monograph; text refers to it as {strength: id}."""
    kind: DosageFormKind
    """What the form is."""
    routes: list[Route] = []
    """Routes it can be given by, as the source says."""
    availability: Literal["commercial", "compounded"]
    """commercial (a licensed product) or compounded (made up by a pharmacy)."""
    strengths: list[Strength] = []
    """Strengths; an example strength is marked example: true."""
    notes: list[Text] = []
    """Other statements about this form."""


class DosageForms(KbModel):
    """Dosage forms and the advice on giving them."""

    citations: list[CitationKey] = []
    """Works cited for the whole section."""
    forms: list[DosageForm] = []
    """The forms, in the source's order."""
    administration: list[Text] = []
    """Administration advice, in the source's order."""


class MonitoringParameter(KbModel):
    """One thing to monitor."""

    parameter: PlainName
    """What to monitor ("Vital signs")."""
    examples: list[PlainName] = []
    """Its examples as the source lists them."""
    examples_lead: Literal["e.g.", "such as"] = "e.g."
    """How the source introduces the examples."""


class Monitoring(KbModel):
    """Monitoring: when, and what."""

    citations: list[CitationKey] = []
    """Works cited for the whole section."""
    timing: Text | None = None
    """When to monitor, as the source says."""
    parameters: list[MonitoringParameter] = []
    """The parameters."""


class Summary(KbModel):
    """The source's summary and the place in therapy."""

    citations: list[CitationKey] = []
    """Works cited for the whole section."""
    paragraphs: list[Text] = []
    """The summary as the source gives it."""
    place_in_therapy: Text | None = None
    """Where the drug fits, in the source's words; shown in the at-a-glance box."""


class FurtherInformation(KbModel):
    """A further-information resource the source names."""

    title: PlainName
    """Its title as the source gives it."""
    site: PlainName | None = None
    """The site or publisher the source names."""
    url: Annotated[str, Field(strict=True, pattern=r"^https?://\S+$")] | None = None
    """Its address; empty when the source gives none (never invented)."""


class Provenance(KbModel):
    """What the monograph is based on."""

    based_on: Text
    """The source document."""
    source_date: dt.date | None = None
    """The source's date, when it states one."""
    notes: list[Text] = []
    """What else is known about the source, and how it was transcribed."""


class Review(KbModel):
    """Local review governance. A monograph nobody has reviewed says so; nothing is invented."""

    status: ReviewStatus
    """not_reviewed_locally, under_review or reviewed."""
    last_reviewed: dt.date | None = None
    """Date of the last local review (YYYY-MM-DD)."""
    next_review: dt.date | None = None
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

    date: dt.date
    """When (YYYY-MM-DD)."""
    change: Text
    """What changed and why."""


class Monograph(KbModel):
    """A drug monograph. Body sections are declared in the order of the page."""

    title: PlainName
    """The page title ("Ketamine for pain")."""
    generic_name: Annotated[str, Field(strict=True, pattern=r"^[a-z][a-z0-9 -]*$")]
    """Lowercase generic name; the file is named after it."""
    status: MonographStatus = "published"
    """draft or published; drafts never reach a release."""
    drug_classes: list[DrugClass] = []
    """Drug classes as the source names them."""
    synonyms: list[PlainName] = []
    """Other names; none unless the source names them."""
    indication: PlainName | None = None
    """What the monograph covers ("pain")."""
    provenance: Provenance
    """What the content is based on."""
    review: Review
    """Local review status."""
    changelog: list[ChangeLogEntry] = []
    """Changes, newest last."""
    introduction: Section | None = None
    """Introduction."""
    mechanism_of_action: Section | None = None
    """Mechanism of action."""
    adverse_effects: AdverseEffects | None = None
    """Adverse effects."""
    dosing: Dosing | None = None
    """Dosing and administration considerations."""
    dosage_forms: DosageForms | None = None
    """Dosage forms."""
    monitoring: Monitoring | None = None
    """Monitoring."""
    summary: Summary | None = None
    """Summary and place in therapy."""
    contraindications: Section | None = None
    """Contraindications; absent when the source gives none."""
    interactions: Section | None = None
    """Interactions; absent when the source gives none."""
    pharmacokinetics: Section | None = None
    """Pharmacokinetics; absent when the source gives none."""
    further_information: list[FurtherInformation] = []
    """Further reading the source names."""

    @model_validator(mode="after")
    def _core_sections(self) -> Monograph:
        if self.status == "published":
            missing = [name for name in CORE_SECTIONS if getattr(self, name) is None]
            if missing:
                raise PydanticCustomError(
                    "core_sections", "a published monograph needs the sections {missing}; "
                    "write them, or mark the monograph status: draft",
                    {"missing": ", ".join(missing)})
        ids = [r.id for r in self.dosing.regimens] if self.dosing else []
        ids += [f.id for f in self.dosage_forms.forms] if self.dosage_forms else []
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise PydanticCustomError("duplicate_id", "id {ids} is used twice",
                                      {"ids": ", ".join(duplicated)})
        return self

    @property
    def slug(self) -> str:
        """The page name, from the generic name."""
        return self.generic_name.replace(" ", "-")

    def dosage_form(self, form_id: str) -> DosageForm | None:
        """The dosage form with this id, if any."""
        forms = self.dosage_forms.forms if self.dosage_forms else []
        return next((f for f in forms if f.id == form_id), None)


SKELETON_SOURCE = "Source not yet entered."
"""What ``kb new`` writes as the source; a published monograph must replace it."""

def iter_strings(value: Any, path: tuple[str | int, ...] = ()
                 ) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every string in a record, with its path, in field-declaration (page) order."""
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from iter_strings(getattr(value, name), (*path, name))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from iter_strings(item, (*path, i))
    elif isinstance(value, str):
        yield path, value


CORE_SECTIONS = ("introduction", "adverse_effects", "dosing", "dosage_forms", "monitoring")
"""Sections a published monograph must have."""

BODY_SECTIONS = ("introduction", "mechanism_of_action", "adverse_effects", "dosing",
                 "dosage_forms", "monitoring", "summary")
"""The body sections in page order."""

ABSENT_WHEN_SILENT = ("contraindications", "interactions", "pharmacokinetics")
"""Sections shown as "not stated in source" when the source does not fill them."""
