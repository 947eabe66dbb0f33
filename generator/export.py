"""The formulary as data: JSON and FHIR R5 beside every page, as a pure function of the data.

``export_files(kb, …)`` returns ``{site path: text}``:

- ``monographs/<slug>/monograph.json``: the validated monograph (text fields as plain text, the
  dose formatter's words beside each regimen), with its provenance;
- ``monographs/<slug>/medicationknowledge.fhir.json``: a FHIR R5 ``MedicationKnowledge``;
- ``formulary.json``: every monograph with its names, classes, review status and addresses;
- ``formulary.fhir.json``: a FHIR ``Bundle`` of all of them;
- ``schema/monograph.schema.json``: the JSON Schema of the ``monograph`` member.

Ids are the generic name, so they stay when a title changes. Drafts are never exported. Output is
sorted and carries no time stamp but the content version, so two builds are byte-identical.

Where FHIR R5 has an element for a fact it is used (dose, range, rate, route, timing, as needed,
cap per administration and per 24 hours, patient characteristics); what it has none for (a
regimen-wide 24-hour cap over regular and as-needed doses, a maximum rate or duration,
titration, conversions, the qualifier, the citations) is carried in ``Dosage.text``, never forced
into an element that would change its meaning. What the source does not state is absent.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import doses, inline, units, vocabulary
from .citations import number_citations
from .loader import KnowledgeBase, LoadedMonograph
from .model import (
    Bounds,
    Dose,
    DoseStep,
    Duration,
    Monograph,
    Population,
    Quantity,
    Regimen,
    refuse_listing,
)
from .references import Reference
from .schema import monograph_schema

EXPORT_VERSION = 1
"""Version of the shape of monograph.json; raised when a field changes meaning."""
UCUM = "http://unitsofmeasure.org"
ATC = "http://www.whocc.no/atc"
MONOGRAPH_JSON = "monograph.json"
FHIR_JSON = "medicationknowledge.fhir.json"


def plain_text(text: str, monograph: Monograph) -> str:
    """A text field without the inline language: doses and strengths as the page words them,
    citations as ``[key]``, links as ``words (address)``, emphasis as plain words."""
    out = []
    for token in inline.tokens(text):
        if token.kind == "cite":
            out.append("[" + "; ".join(token.keys) + "]")
        elif token.kind == "dose":
            quantity = inline.parse_quantity(token.text)
            out.append(doses.format_amount(quantity.value, quantity.unit))
        elif token.kind == "strength":
            form = monograph.dosage_form(token.target)
            out.append(doses.format_strengths(form.strengths) if form else token.target)
        elif token.kind == "link":
            out.append(f"{token.text} ({token.target})")
        else:
            out.append(token.text)
    return inline.one_line("".join(out))


def _plain(value: Any, monograph: Monograph) -> Any:
    """The monograph as JSON data: every text through :func:`plain_text` (names are already
    plain), numbers as JSON numbers written exactly, dates as YYYY-MM-DD."""
    if isinstance(value, dict):
        return {k: _plain(v, monograph) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, monograph) for v in value]
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and ("{" in value or "[" in value or "*" in value):
        try:
            return plain_text(value, monograph)
        except inline.InlineError:
            return value
    return value


def _number(value: Decimal) -> int | float:
    """A JSON number exactly as written (12 significant digits at most, checked by the
    schema)."""
    return int(value) if value == value.to_integral_value() else float(value)


def page_address(monograph: Monograph) -> str:
    """The monograph's page, relative to the site's root."""
    return f"monographs/{monograph.slug}/"


def monograph_json(monograph: Monograph, references: dict[str, Reference], *, version: str,
                   disclaimer: str) -> dict[str, Any]:
    """monograph.json: the validated monograph and what a reader needs to trust it."""
    numbers = number_citations(monograph)  # the page's order, for the reference list
    cited = sorted(numbers, key=numbers.__getitem__)
    regimens = monograph.dosing.regimens if monograph.dosing else []
    return {
        "export_version": EXPORT_VERSION,
        "schema": "../../schema/monograph.schema.json",
        "id": monograph.slug,
        "content_version": version,
        "disclaimer": disclaimer,
        "review_status": vocabulary.REVIEW_STATUSES[monograph.review.status],
        "page": f"../../{page_address(monograph)}",
        "fhir": FHIR_JSON,
        "regimens_in_words": {r.id: f"{doses.format_qualifier(r.qualifier)}: "
                                    f"{doses.format_regimen(r)}" for r in regimens},
        "references": {key: references[key].model_dump(mode="json", by_alias=True,
                                                        exclude_none=True)
                       for key in cited if key in references},
        "monograph": _plain(monograph.model_dump(exclude_none=True, exclude_defaults=True),
                            monograph),
    }


# --- FHIR R5 --------------------------------------------------------------------------------


def _quantity(value: Decimal, unit: str) -> dict[str, Any]:
    typed = units.UNITS[unit]
    return {"value": _number(value), "unit": typed.label, "system": UCUM, "code": typed.ucum}


def _dose_value(dose: Dose | Quantity) -> dict[str, Any]:
    """A Quantity, or a Range when the dose is one."""
    if isinstance(dose, Quantity) or dose.value is not None:
        value = dose.value
        assert value is not None
        return {"quantity": _quantity(value, dose.unit)}
    return {"range": {"low": _quantity(dose.low, dose.unit),
                      "high": _quantity(dose.highest, dose.unit)}}


def _time(duration: Duration) -> tuple[dict[str, Any], str]:
    """(value fields, UCUM unit) of a duration; a range gives value and its maximum."""
    code = units.TIME_UNITS[duration.unit][2]
    if duration.value is not None:
        return {"value": _number(duration.value)}, code
    return {"value": _number(duration.low), "max": _number(duration.highest)}, code


def _timing(step: DoseStep) -> dict[str, Any] | None:
    """FHIR Timing for what the step states: its frequency, minimum interval as needed, the time
    one dose takes, the course length."""
    repeat: dict[str, Any] = {}
    frequency = units.FREQUENCIES[step.frequency] if step.frequency else None
    if frequency is not None and frequency.code == "once":
        repeat["count"] = 1
    elif frequency is not None and frequency.period_minutes is not None:
        n, unit = _period(frequency.period_minutes)
        repeat.update(frequency=1, period=n, periodUnit=unit)
    elif frequency is not None and frequency.per_day is not None:
        repeat.update(frequency=frequency.per_day, period=1, periodUnit="d")
        if frequency.code == "at_night":
            repeat["when"] = ["NIGHT"]
        elif frequency.code == "in_the_morning":
            repeat["when"] = ["MORN"]
    elif step.as_needed and step.as_needed.min_interval and step.as_needed.min_interval.value:
        interval = step.as_needed.min_interval
        repeat.update(frequency=1, period=_number(interval.value or interval.low),
                      periodUnit=units.TIME_UNITS[interval.unit][2])
    if step.over:
        values, code = _time(step.over)
        repeat["duration"] = values["value"]
        if "max" in values:
            repeat["durationMax"] = values["max"]
        repeat["durationUnit"] = code
    if step.duration and step.duration.value is not None:
        values, code = _time(step.duration)
        repeat["boundsDuration"] = {"value": values["value"], "unit": code, "system": UCUM,
                                    "code": code}
    return {"repeat": repeat} if repeat else None


def _period(minutes: Any) -> tuple[int, str]:
    for size, unit in ((10080, "wk"), (1440, "d"), (60, "h"), (1, "min")):
        if minutes % size == 0:
            return int(minutes // size), unit
    return int(minutes), "min"


def _not_in_fhir(step: DoseStep, regimen: Regimen) -> list[str]:
    """What R5 Dosage has no element for, in the formatter's words, for Dosage.text."""
    notes = []
    if step.max_rate:
        notes.append(f"max {doses.format_quantity(step.max_rate)}")
    longest = step.max_duration or regimen.max_duration
    if longest:
        notes.append(f"not to exceed {doses.format_duration(longest)}")
    if step.divided_into:
        notes.append(f"in {step.divided_into} divided doses")
    if step.device:
        notes.append(vocabulary.DEVICES[step.device])
    if step.titration:
        notes.append(doses.format_titration(step.titration))
    return notes


def fhir_dosage(step: DoseStep, regimen: Regimen, index: int,
                monograph: Monograph) -> dict[str, Any]:
    """One dose step as FHIR R5 Dosage."""
    regimen_words = [f"{doses.format_qualifier(regimen.qualifier)}: {doses.format_step(step)}"]
    regimen_words += _not_in_fhir(step, regimen)
    regimen_words += doses.regimen_limits(regimen)
    if regimen.citations:
        regimen_words.append("sources: " + ", ".join(f"[{k}]" for k in regimen.citations))
    regimen_words += [plain_text(n, monograph) for n in (*step.notes, *regimen.notes)]
    dosage: dict[str, Any] = {
        "sequence": index + 1,
        "text": "; ".join(regimen_words),
        "route": {"text": doses.format_route(regimen.route)},
    }
    timing = _timing(step)
    if timing:
        dosage["timing"] = timing
    if step.is_as_needed:
        dosage["asNeeded"] = True
        if step.as_needed and step.as_needed.reason:
            dosage["asNeededFor"] = [{"text": step.as_needed.reason}]
    value = _dose_value(step.dose)
    if step.dose.typed_unit.per_minutes is not None:  # a rate, or an amount per 24 hours
        rate = {"rateQuantity": value["quantity"]} if "quantity" in value else {
            "rateRange": value["range"]}
        dosage["doseAndRate"] = [rate]
    else:
        dosage["doseAndRate"] = [{"doseQuantity": value["quantity"]} if "quantity" in value
                                 else {"doseRange": value["range"]}]
    if step.max_per_dose:
        dosage["maxDosePerAdministration"] = _quantity(step.max_per_dose.value,
                                                       step.max_per_dose.unit)
    if step.max_per_24_hours:
        dosage["maxDosePerPeriod"] = [{
            "numerator": _quantity(step.max_per_24_hours.value, step.max_per_24_hours.unit),
            "denominator": {"value": 24, "unit": "h", "system": UCUM, "code": "h"}}]
    return dosage


def _bound(name: str, bounds: Bounds) -> dict[str, Any]:
    """A characteristic with an inclusive range as a Range; any other bound in words (a Range
    cannot say 'below')."""
    unit = vocabulary.BOUND_UNITS[bounds.unit]
    if bounds.below is None and bounds.above is None:
        value: dict[str, Any] = {}
        ucum = {"years": "a", "months": "mo", "weeks": "wk", "days": "d", "kg": "kg",
                "mL/minute": "mL/min", "mL/minute/1.73 m2": "mL/min/{1.73_m2}"}[bounds.unit]
        for end, number in (("low", bounds.min), ("high", bounds.max)):
            if number is not None:
                value[end] = {"value": _number(number), "unit": unit, "system": UCUM,
                              "code": ucum}
        return {"type": {"text": name}, "valueRange": value}
    return {"type": {"text": name}, "valueCodeableConcept": {"text": doses.format_bounds(bounds)}}


def patient_characteristics(population: Population | None) -> list[dict[str, Any]]:
    """Who a regimen is for, as FHIR patientCharacteristic, only as the source states it."""
    if population is None:
        return []
    out = [{"type": {"text": "age group"},
            "valueCodeableConcept": {"text": vocabulary.AGE_GROUPS[g]}}
           for g in population.groups]
    if population.age:
        out.append(_bound("age", population.age))
    if population.weight:
        out.append(_bound("body weight", population.weight))
    if population.renal:
        out.append(_bound(vocabulary.RENAL_MEASURES[population.renal.measure][0],
                          population.renal.bounds))
    if population.hepatic:
        out.append({"type": {"text": "hepatic function"},
                    "valueCodeableConcept": {
                        "text": vocabulary.HEPATIC_SEVERITIES[population.hepatic]}})
    if population.description:
        out.append({"type": {"text": "other"},
                    "valueCodeableConcept": {"text": population.description}})
    return out


def _section_texts(monograph: Monograph, name: str) -> list[str]:
    section = monograph.section(name)
    if section is None:
        return []
    return [plain_text(t, monograph) for t in (*section.paragraphs, *section.items)]


def clinical_uses(monograph: Monograph) -> list[dict[str, Any]]:
    """Contraindications, warnings, interactions and adverse effects as contained
    ClinicalUseDefinition resources."""
    out: list[dict[str, Any]] = []
    subject = [{"reference": "#"}]

    def add(kind: str, body: dict[str, Any]) -> None:
        out.append({"resourceType": "ClinicalUseDefinition", "id": f"use-{len(out) + 1}",
                    "type": kind, "subject": subject, **body})

    for text in _section_texts(monograph, "contraindications"):
        add("contraindication", {"contraindication": {
            "diseaseSymptomProcedure": {"concept": {"text": text}}}})
    for name in ("boxed_warning", "cautions", "warnings_and_precautions"):
        for text in _section_texts(monograph, name):
            add("warning", {"category": [{"text": name.replace("_", " ")}],
                            "warning": {"description": text}})
    for text in _section_texts(monograph, "interactions"):
        add("interaction", {"interaction": {"effect": {"concept": {"text": text}}}})
    effects = monograph.section("adverse_effects")
    for group in effects.groups if effects else []:
        for effect in group.effects:
            add("undesirable-effect", {"undesirableEffect": {
                "symptomConditionEffect": {"concept": {"text": effect}},
                "classification": {"text": vocabulary.BODY_SYSTEMS[group.system]}}})
    return out


def medication_knowledge(monograph: Monograph, kb: KnowledgeBase, *, version: str,
                         disclaimer: str) -> dict[str, Any]:
    """The monograph as a FHIR R5 MedicationKnowledge."""
    uses = clinical_uses(monograph)
    classes = []
    for class_id in monograph.drug_classes:
        drug_class = kb.classes.get(class_id)
        concept: dict[str, Any] = {"text": drug_class.label if drug_class else class_id}
        if drug_class and drug_class.atc:
            concept["coding"] = [{"system": ATC, "code": drug_class.atc}]
        classes.append(concept)
    guidelines: list[dict[str, Any]] = []
    for regimen in monograph.dosing.regimens if monograph.dosing else []:
        guideline: dict[str, Any] = {"dosage": [{
            "type": {"text": f"{regimen.id}: {doses.format_qualifier(regimen.qualifier)}"},
            "dosage": [fhir_dosage(s, regimen, i, monograph)
                       for i, s in enumerate(regimen.steps)]}]}
        characteristics = patient_characteristics(regimen.population)
        if characteristics:
            guideline["patientCharacteristic"] = characteristics
        entry: dict[str, Any] = {"dosingGuideline": [guideline]}
        indication = regimen.indication or monograph.indication
        if indication:
            entry["indication"] = [{"concept": {"text": indication}}]
        guidelines.append(entry)
    resource: dict[str, Any] = {
        "resourceType": "MedicationKnowledge",
        "id": monograph.slug,
        "status": "active",
        "code": {"text": monograph.generic_name},
        "name": [monograph.generic_name, *monograph.synonyms, *monograph.brand_names],
        "contained": [{
            "resourceType": "DocumentReference", "id": "source", "status": "current",
            "description": (f"{monograph.title}. Content version {version}. Review status: "
                            f"{vocabulary.REVIEW_STATUSES[monograph.review.status]}. Based on: "
                            f"{plain_text(monograph.provenance.based_on, monograph)} "
                            f"{disclaimer}"),
            "content": [{"attachment": {"contentType": "text/html",
                                        "url": f"../../{page_address(monograph)}",
                                        "title": monograph.title}}]}, *uses],
        "monograph": [{"type": {"text": "clinical monograph"},
                       "source": {"reference": "#source"}}],
    }
    if uses:
        resource["clinicalUseIssue"] = [{"reference": f"#{u['id']}"} for u in uses]
    if classes:
        resource["medicineClassification"] = [{"type": {"text": "drug class"},
                                               "classification": classes}]
    if guidelines:
        resource["indicationGuideline"] = guidelines
    return resource


_DATA_LINK = re.compile(r'href="kb-data:([^"]+)"')


def link_exports(html: str, url_for: Callable[[str], str]) -> str:
    """Resolve the page's ``kb-data:`` links to the exported files, relative to the page (the
    offline bundle places pages differently from the served site)."""
    return _DATA_LINK.sub(lambda m: f'href="{url_for(m.group(1))}"', html)


def dumps(data: Any) -> str:
    """Stable, compact JSON: sorted keys, no spaces, a final newline (a formulary's data is read
    by programs; compact JSON halves the site and the build's memory)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def export_files(kb: KnowledgeBase, *, version: str, disclaimer: str) -> dict[str, str]:
    """Every exported file: ``{path in the site: text}``. Drafts are never exported."""
    return dict(iter_exports(kb, version=version, disclaimer=disclaimer))


@dataclass(frozen=True)
class MonographExport:
    """One monograph's share of the exports: its FHIR resource and its formulary entry (its
    JSON file is written and dropped; the FHIR text is also joined into the Bundle)."""

    folder: str
    fhir: str | Path
    """The resource's text, or the file it was written to (a build's: 2,000 are 34 MiB of
    text, read back one by one as the Bundle is written)."""
    listing: dict[str, Any]


def monograph_exports(loaded: LoadedMonograph, kb: KnowledgeBase, *, version: str,
                      disclaimer: str) -> tuple[list[tuple[str, str]], MonographExport]:
    """One monograph's two files ``(path in the site, text)`` and what the formulary files
    need of it."""
    m = loaded.monograph
    refuse_listing(m, loaded.source.name)
    folder = page_address(m)
    knowledge = dumps(medication_knowledge(m, kb, version=version, disclaimer=disclaimer))
    files = [(folder + MONOGRAPH_JSON, dumps(monograph_json(
        m, kb.references, version=version, disclaimer=disclaimer))),
             (folder + FHIR_JSON, knowledge)]
    listing = {
        "id": m.slug, "title": m.title, "generic_name": m.generic_name,
        "synonyms": m.synonyms, "brand_names": m.brand_names,
        "drug_classes": [kb.classes[c].label if c in kb.classes else c
                         for c in m.drug_classes],
        "review_status": vocabulary.REVIEW_STATUSES[m.review.status],
        "page": folder, "data": folder + MONOGRAPH_JSON, "fhir": folder + FHIR_JSON,
    }
    return files, MonographExport(folder, knowledge, listing)


def formulary_exports(parts: Iterable[MonographExport], *, version: str, disclaimer: str
                      ) -> Iterator[tuple[str, str]]:
    """The two files of the whole formulary (listing and FHIR Bundle), from each monograph's
    share in title order."""
    for path, pieces in formulary_pieces(parts, version=version, disclaimer=disclaimer):
        yield path, "".join(pieces)


def formulary_pieces(parts: Iterable[MonographExport], *, version: str, disclaimer: str
                     ) -> Iterator[tuple[str, Iterator[str]]]:
    """:func:`formulary_exports` as pieces of text to write one after another: the Bundle of
    2,000 monographs is 36 MB, and joining it first held it twice (the build's peak memory)."""
    parts = list(parts)
    yield "formulary.json", iter([dumps({"export_version": EXPORT_VERSION,
                                         "content_version": version, "disclaimer": disclaimer,
                                         "monographs": [p.listing for p in parts]})])
    yield "formulary.fhir.json", _bundle_pieces(parts)


def _bundle_pieces(parts: list[MonographExport]) -> Iterator[str]:
    """The Bundle, joined from each resource's text as written above: keys in sorted order, as
    dumps() would write them ("entry", "id", "resourceType", "type")."""
    yield '{"entry":['
    for i, part in enumerate(parts):
        yield f'{"," if i else ""}{{"fullUrl":{json.dumps(part.folder + FHIR_JSON)},"resource":'
        yield (part.fhir if isinstance(part.fhir, str) else
               part.fhir.read_bytes().decode("utf-8")).rstrip()
        yield "}"
    yield '],"id":"formulary","resourceType":"Bundle","type":"collection"}\n'


def iter_exports(kb: KnowledgeBase, *, version: str, disclaimer: str
                 ) -> Iterator[tuple[str, str]]:
    """Each exported file as ``(path in the site, text)``, one at a time. Drafts are never
    exported. A build composes the same steps itself, with half the monographs on each core
    (``ClinicalKbPlugin._render_and_export``)."""
    kept = []
    for loaded in kb.published(include_drafts=False):
        files, part = monograph_exports(loaded, kb, version=version, disclaimer=disclaimer)
        yield from files
        kept.append(part)
    yield from formulary_exports(kept, version=version, disclaimer=disclaimer)
    yield schema_export()


def schema_export() -> tuple[str, str]:
    """The JSON Schema of a monograph, as the site publishes it."""
    return "schema/monograph.schema.json", dumps(monograph_schema())
