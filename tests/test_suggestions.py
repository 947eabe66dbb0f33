"""A "did you mean" for a code of an allow-list only ever mends spelling: it never proposes a
code that means something else (the opposite review status, another Child-Pugh class, a plain
tablet for a modified-release one, another year of a reference)."""

from __future__ import annotations

import re

import pytest

from generator import vocabulary
from generator.vocabulary import suggest

from .test_units import slips

ALLOW_LISTS = {name: getattr(vocabulary, name) for name in (
    "ROUTES", "VOLUME_UNITS", "DOSE_KINDS", "QUALIFIERS", "BODY_SYSTEMS", "DOSAGE_FORM_KINDS",
    "REVIEW_STATUSES", "DEVICES", "AGE_GROUPS", "BOUND_UNITS", "RENAL_MEASURES",
    "HEPATIC_SEVERITIES", "MONOGRAPH_STATUSES")}


def proposed(message: str) -> str | None:
    match = re.search(r"did you mean '([^']+)'", message)
    return match.group(1) if match else None


@pytest.mark.parametrize("name", sorted(ALLOW_LISTS))
def test_no_slip_of_a_code_draws_another_code(name: str) -> None:
    """Every one-character slip of every code proposes that code, or names the whole list, or
    nothing: never a different code."""
    entries = ALLOW_LISTS[name]
    for meant in entries:
        for typed in set(slips(meant)) - set(entries):
            assert proposed(suggest(typed, entries)) in (None, meant), (typed, meant)


@pytest.mark.parametrize(("typed", "never", "choices"), [
    ("not_reviewd", "reviewed", vocabulary.REVIEW_STATUSES),
    ("not_reviewed", "reviewed", vocabulary.REVIEW_STATUSES),
    ("notreviewed", "reviewed", vocabulary.REVIEW_STATUSES),
    ("child_pugh_d", "child_pugh_c", vocabulary.HEPATIC_SEVERITIES),
    ("child_pugh_", "child_pugh_c", vocabulary.HEPATIC_SEVERITIES),
    ("mr_tablet", "tablet", vocabulary.DOSAGE_FORM_KINDS),
    ("modified_tablet", "tablet", vocabulary.DOSAGE_FORM_KINDS),
    ("smith2019", "smith2018", ["smith2018", "jones2019"]),
])
def test_a_near_miss_that_changes_the_meaning_is_not_proposed(typed: str, never: str,
                                                              choices: object) -> None:
    message = suggest(typed, choices)  # type: ignore[arg-type]
    assert proposed(message) != never
    assert "use one of" in message or proposed(message) not in (None, never)


@pytest.mark.parametrize(("typed", "meant", "choices"), [
    ("not_reviewd", "not_reviewed_locally", vocabulary.REVIEW_STATUSES),
    ("reviewd", "reviewed", vocabulary.REVIEW_STATUSES),
    ("under_reveiw", "under_review", vocabulary.REVIEW_STATUSES),
    ("Child_Pugh_B", "child_pugh_b", vocabulary.HEPATIC_SEVERITIES),
    ("modified_release_tablets", "modified_release_tablet", vocabulary.DOSAGE_FORM_KINDS),
    ("smith_2019", "smith2019", ["smith2019", "smith2018"]),
])
def test_a_spelling_slip_still_draws_the_code_meant(typed: str, meant: str,
                                                    choices: object) -> None:
    assert proposed(suggest(typed, choices)) == meant  # type: ignore[arg-type]
