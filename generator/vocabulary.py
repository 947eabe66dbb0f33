"""Controlled vocabularies: the allow-lists the data may use, each code with its display label.

This is the one place where a code (what the YAML holds) meets the words a reader sees. The dose
display rules of the design card live here: ``subcutaneous`` is shown as ``subcut``, never ``SC``;
``every_12_hours`` as ``every 12 hours``, never ``q12h``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from difflib import get_close_matches


@dataclass(frozen=True)
class Unit:
    """A dose unit: the amount unit, whether it is per kg of body weight, and whether per hour."""

    label: str
    amount: str
    per_kg: bool = False
    per_hour: bool = False


ROUTES: dict[str, str] = {
    "oral": "oral",
    "intravenous": "IV",
    "subcutaneous": "subcut",
    "intramuscular": "IM",
    "rectal": "rectal",
    "intranasal": "intranasal",
    "topical": "topical",
    "transdermal": "transdermal",
    "sublingual": "sublingual",
    "parenteral": "parenteral",
}
"""Route codes and the words shown for them (design card, dose display rule 4)."""

ROUTE_ADVERBS: dict[str, str] = {
    "oral": "orally",
    "intravenous": "intravenously",
    "subcutaneous": "subcutaneously",
    "intramuscular": "intramuscularly",
    "rectal": "rectally",
    "intranasal": "intranasally",
    "topical": "topically",
    "transdermal": "transdermally",
    "sublingual": "sublingually",
    "parenteral": "parenterally",
}
"""How a route reads in a sentence ("can be administered orally or parenterally")."""

UNITS: dict[str, Unit] = {
    "mg": Unit("mg", "mg"),
    "mcg": Unit("mcg", "mcg"),
    "g": Unit("g", "g"),
    "units": Unit("units", "units"),
    "mL": Unit("mL", "mL"),
    "mg/kg": Unit("mg/kg", "mg", per_kg=True),
    "mcg/kg": Unit("mcg/kg", "mcg", per_kg=True),
    "units/kg": Unit("units/kg", "units", per_kg=True),
    "mg/hour": Unit("mg/hour", "mg", per_hour=True),
    "mcg/hour": Unit("mcg/hour", "mcg", per_hour=True),
    "units/hour": Unit("units/hour", "units", per_hour=True),
    "mL/hour": Unit("mL/hour", "mL", per_hour=True),
    "mg/kg/hour": Unit("mg/kg/hour", "mg", per_kg=True, per_hour=True),
    "mcg/kg/hour": Unit("mcg/kg/hour", "mcg", per_kg=True, per_hour=True),
}
"""Dose units. ``µg``, ``ug``, ``cc``, ``U``, ``IU`` and ``/hr`` are absent on purpose (rule 3)."""

AMOUNT_UNITS: dict[str, str] = {"mg": "mg", "mcg": "mcg", "g": "g", "units": "units"}
"""Units for the amount of drug in a dosage-form strength."""

VOLUME_UNITS: dict[str, str] = {"mL": "mL"}
"""Units a strength is expressed per (``50 mg per 1 mL``)."""

FREQUENCIES: dict[str, str] = {
    "once": "once",
    "every_4_hours": "every 4 hours",
    "every_6_hours": "every 6 hours",
    "every_8_hours": "every 8 hours",
    "every_12_hours": "every 12 hours",
    "every_24_hours": "every 24 hours",
    "as_needed": "as needed",
}
"""Dosing frequencies, spelled out (never ``q12h``, ``QD``, ``QOD``)."""

DOSE_KINDS: dict[str, str] = {
    "bolus": "bolus",
    "infusion": "continuous infusion",
    "scheduled": "scheduled dose",
    "loading": "loading dose",
    "as_needed": "as-needed dose",
}
"""Kinds of dose within a regimen."""

QUALIFIERS: dict[str, str] = {
    "literature_suggests": "Literature suggests",
    "guideline_recommends": "Guideline recommends",
    "local_protocol": "Local protocol",
}
"""The strength of the statement behind a regimen, shown wherever the regimen appears."""

BODY_SYSTEMS: dict[str, str] = {
    "psychiatric": "Psychiatric",
    "cardiovascular": "Cardiovascular",
    "gastrointestinal": "Gastrointestinal",
    "neurological": "Neurological",
    "respiratory": "Respiratory",
    "renal": "Renal",
    "hepatic": "Hepatic",
    "genitourinary": "Genitourinary",
    "dermatological": "Dermatological",
    "musculoskeletal": "Musculoskeletal",
    "haematological": "Haematological",
    "endocrine": "Endocrine",
    "other": "Other",
}
"""Body systems that adverse effects are grouped by."""

DRUG_CLASSES: dict[str, str] = {
    "general_anesthetic": "General anesthetic",
    "nmda_receptor_antagonist": "NMDA-receptor antagonist",
    "opioid_analgesic": "Opioid analgesic",
    "benzodiazepine": "Benzodiazepine",
    "antipsychotic": "Antipsychotic",
    "anticholinergic": "Anticholinergic",
    "corticosteroid": "Corticosteroid",
    "anticonvulsant": "Anticonvulsant",
    "antidepressant": "Antidepressant",
}
"""Drug classes, as a monograph's identity names them."""

DOSAGE_FORM_KINDS: dict[str, str] = {
    "solution_for_injection": "Solution for injection",
    "oral_solution": "Oral solution",
    "topical_gel": "Topical gel",
    "tablet": "Tablet",
    "capsule": "Capsule",
}
"""Kinds of dosage form."""

REVIEW_STATUSES: dict[str, str] = {
    "not_reviewed_locally": "Not yet reviewed locally",
    "under_review": "Under local review",
    "reviewed": "Reviewed locally",
}
"""Local review status of a monograph. A monograph no one has reviewed says so."""

MONOGRAPH_STATUSES: dict[str, str] = {
    "draft": "Draft",
    "published": "Published",
}
"""Editorial status: a draft validates with empty sections and never reaches a release."""

NOT_STATED = "not stated in source"
"""What the page says where the source is silent."""


COMMON_SLIPS: dict[str, str] = {
    "SC": "subcutaneous", "SQ": "subcutaneous", "subcut": "subcutaneous", "IV": "intravenous",
    "PO": "oral", "IM": "intramuscular", "PR": "rectal", "q4h": "every_4_hours",
    "q6h": "every_6_hours", "q8h": "every_8_hours", "q12h": "every_12_hours",
    "q24h": "every_24_hours", "prn": "as_needed", "PRN": "as_needed", "mg/kg/hr": "mg/kg/hour",
    "mg/hr": "mg/hour", "ml": "mL", "cc": "mL", "ug": "mcg", "µg": "mcg", "U": "units",
    "IU": "units",
}
"""Abbreviations editors type from habit, and the allow-listed code each one means."""


def suggest(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'mg/kg'?"`` for a near miss, the whole list when it is short, else ''."""
    options = list(choices)
    if COMMON_SLIPS.get(word) in options:
        return f"; did you mean '{COMMON_SLIPS[word]}'?"
    close = get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:
        close = [o for o in options if o.lower() == word.lower()]
    if close:
        return f"; did you mean '{close[0]}'?"
    if len(options) <= 12:
        return "; use one of: " + ", ".join(f"'{o}'" for o in options)
    return ""
