"""Controlled vocabularies: the allow-lists the data may use, each code with its display label.

This is the one place where a code (what the YAML holds) meets the words a reader sees. The dose
display rules of the design card live here: ``subcutaneous`` is shown as ``subcut``, never ``SC``;
``every_12_hours`` as ``every 12 hours``, never ``q12h``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from difflib import SequenceMatcher, get_close_matches

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
    "buccal": "buccal",
    "inhaled": "inhaled",
    "intrathecal": "intrathecal",
    "epidural": "epidural",
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
    "buccal": "buccally",
    "inhaled": "by inhalation",
    "intrathecal": "intrathecally",
    "epidural": "epidurally",
    "parenteral": "parenterally",
}
"""How a route reads in a sentence ("can be administered orally or parenterally")."""

VOLUME_UNITS: dict[str, str] = {"mL": "mL"}
"""Units a strength is expressed per (``50 mg per 1 mL``)."""

DOSE_KINDS: dict[str, str] = {
    "bolus": "bolus",
    "infusion": "continuous infusion",
    "scheduled": "scheduled dose",
    "loading": "loading dose",
    "maintenance": "maintenance dose",
    "as_needed": "as-needed dose",
    "single": "single dose",
}
"""Kinds of dose within a regimen."""

QUALIFIERS: dict[str, str] = {
    "literature_suggests": "Literature suggests",
    "guideline_recommends": "Guideline recommends",
    "product_label": "Product label",
    "local_protocol": "Local protocol",
    "expert_opinion": "Expert opinion",
    "off_label_use": "Off-label use",
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

DOSAGE_FORM_KINDS: dict[str, str] = {
    "solution_for_injection": "Solution for injection",
    "oral_solution": "Oral solution",
    "topical_gel": "Topical gel",
    "tablet": "Tablet",
    "capsule": "Capsule",
    "modified_release_tablet": "Modified-release tablet",
    "oral_suspension": "Oral suspension",
    "suppository": "Suppository",
    "transdermal_patch": "Transdermal patch",
    "infusion_concentrate": "Concentrate for solution for infusion",
    "powder_for_injection": "Powder for solution for injection",
    "cream": "Cream",
    "nasal_spray": "Nasal spray",
}
"""Kinds of dosage form."""

REVIEW_STATUSES: dict[str, str] = {
    "not_reviewed_locally": "Not yet reviewed locally",
    "under_review": "Under local review",
    "reviewed": "Reviewed locally",
}
"""Local review status of a monograph. A monograph no one has reviewed says so."""

DEVICES: dict[str, str] = {
    "syringe_driver": "by syringe driver",
    "infusion_pump": "by infusion pump",
    "pca_pump": "by patient-controlled analgesia pump",
}
"""What a dose is given by."""

AGE_GROUPS: dict[str, str] = {
    "adult": "adults",
    "older_adult": "older adults",
    "adolescent": "adolescents",
    "child": "children",
    "infant": "infants",
    "neonate": "neonates",
}
"""Age groups, only as a source names them; the generator attaches no age band of its own."""

AGE_UNITS: dict[str, str] = {"years": "years", "months": "months", "weeks": "weeks",
                             "days": "days"}
"""Units of an age."""

BOUND_UNITS: dict[str, str] = {**AGE_UNITS, "kg": "kg", "mL/minute": "mL/minute",
                               "mL/minute/1.73 m2": "mL/minute/1.73 m²"}
"""Units of a population bound: an age, a weight, a renal function."""

RENAL_MEASURES: dict[str, tuple[str, str]] = {
    "creatinine_clearance": ("creatinine clearance", "mL/minute"),
    "egfr": ("eGFR", "mL/minute/1.73 m2"),
}
"""Measures of renal function, each with the only unit it is stated in here; never converted
into each other."""

HEPATIC_SEVERITIES: dict[str, str] = {
    "any": "hepatic impairment",
    "mild": "mild hepatic impairment",
    "moderate": "moderate hepatic impairment",
    "severe": "severe hepatic impairment",
    "child_pugh_a": "hepatic impairment, Child-Pugh class A",
    "child_pugh_b": "hepatic impairment, Child-Pugh class B",
    "child_pugh_c": "hepatic impairment, Child-Pugh class C",
}
"""Hepatic impairment as a source states it."""

MONOGRAPH_STATUSES: dict[str, str] = {
    "draft": "Draft",
    "published": "Published",
}
"""Editorial status: a draft validates with empty sections and never reaches a release."""

NOT_STATED = "not stated in source"
"""What the page says where the source is silent."""


COMMON_SLIPS: dict[str, str] = {
    "SC": "subcutaneous", "SQ": "subcutaneous", "subcut": "subcutaneous", "IV": "intravenous",
    "PO": "oral", "IM": "intramuscular", "PR": "rectal", "ml": "mL", "cc": "mL",
}
"""Abbreviations editors type from habit, and the allow-listed code each one means (units and
frequencies have their own, size-safe, suggestions in ``units``)."""


NEGATIONS = frozenset({"not", "no", "non", "never", "without"})
"""Words that turn a code's meaning round: a suggestion never adds or drops one."""

_WORD = re.compile(r"[a-z]+|\d+")


def _significant(code: str) -> list[str]:
    """The words a suggestion must keep exactly: numbers, letters standing alone (Child-Pugh
    class A) and short abbreviations, and negations, written apart or run on ('notreviewed')."""
    words = _WORD.findall(code.lower())
    return sorted([w for w in words if len(w) <= 2 or w.isdigit() or w in NEGATIONS]
                  + ["not" for w in words if len(w) > 5 and w.startswith(("not", "non"))])


def keeps_meaning(typed: str, option: str) -> bool:
    """Whether proposing ``option`` for ``typed`` only mends spelling: it keeps every number,
    lone letter, abbreviation and negation, and every longer word typed has a near spelling in
    it. 'not_reviewd' is never offered 'reviewed', 'child_pugh_d' never 'child_pugh_c',
    'mr_tablet' never 'tablet', 'smith2019' never 'smith2018'."""
    if _significant(typed) != _significant(option):
        return False
    words = _WORD.findall(option.lower())
    return all(any(w == o or SequenceMatcher(None, w, o).ratio() >= 0.7 for o in words)
               for w in _WORD.findall(typed.lower()) if len(w) > 2 and not w.isdigit())


def suggest(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'mg/kg'?"`` for a near miss that only mends spelling, the whole list
    when it is short, else ''. Two options equally near, or a near one that would change the
    meaning (see ``keeps_meaning``), draw the list, never a guess."""
    options = list(choices)
    if not options:
        return ""
    if COMMON_SLIPS.get(word) in options:
        return f"; did you mean '{COMMON_SLIPS[word]}'?"
    close = [o for o in get_close_matches(word, options, n=len(options), cutoff=0.6)
             if keeps_meaning(word, o)]
    if not close:
        close = [o for o in options if o.lower() == word.lower()]
    if len(close) > 1 and _score(word, close[0]) == _score(word, close[1]):
        close = []
    if close:
        return f"; did you mean '{close[0]}'?"
    if len(options) <= 15:
        return "; use one of: " + ", ".join(f"'{o}'" for o in options)
    return ""


def _score(word: str, option: str) -> float:
    return SequenceMatcher(None, word, option).ratio()
