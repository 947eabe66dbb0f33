"""The editors' guide (content/editing.md) is kept true: its examples are run here."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from generator import inline
from generator.cli import main
from generator.doses import format_regimen
from generator.model import ChangeLogEntry, DoseStep, Regimen, Review, SearchTerms
from generator.references import Reference
from generator.search import Speller
from generator.yamlsource import read_yaml

from .conftest import FIXTURES, ROOT, fixture_library

GUIDE = (ROOT / "content" / "editing.md").read_text(encoding="utf-8")


def example(name: str) -> str:
    match = re.search(rf"<!-- example: {name} -->\n```\w+\n(.*?)```", GUIDE, re.DOTALL)
    assert match, f"no example {name!r} in the guide"
    return match.group(1)


def as_yaml(text: str, tmp_path: Path) -> object:
    path = tmp_path / "example.yaml"
    path.write_text(text, encoding="utf-8")
    return read_yaml(path).data


def test_dose_steps_example_is_valid(tmp_path: Path) -> None:
    data = as_yaml(example("dose-steps"), tmp_path)
    assert isinstance(data, dict)
    steps = [DoseStep.model_validate(step) for step in data["steps"]]
    assert [s.kind for s in steps] == ["bolus", "infusion"]


def test_dose_constructs_example_is_valid_and_shown(tmp_path: Path) -> None:
    data = as_yaml(example("dose-constructs"), tmp_path)
    regimen = Regimen.model_validate(data)
    words = format_regimen(regimen)
    assert "as-needed dose 6.25 mg every 2 hours as needed for nausea" in words
    assert "loading dose 1 mcg/kg over 10 minutes" in words
    assert "30–60 mg/kg per 24 hours in 3 divided doses, three times a day (max 0.5 g per dose)" \
        in words
    assert "max 25 mg in 24 hours (all its doses together); not to exceed 24 hours" in words
    assert "older adults; creatinine clearance below 30 mL/minute" in words


def test_review_example_is_valid(tmp_path: Path) -> None:
    data = as_yaml(example("review"), tmp_path)
    assert isinstance(data, dict)
    review = Review.model_validate(data["review"])
    assert review.status == "reviewed" and review.next_review is not None
    [entry] = [ChangeLogEntry.model_validate(e) for e in data["changelog"]]
    assert entry.date == review.last_reviewed


def test_reference_example_is_the_library_entry(tmp_path: Path) -> None:
    [item] = as_yaml(example("reference"), tmp_path)  # type: ignore[misc]
    library = {r["id"]: r for r in read_yaml(ROOT / "data" / "references.yaml").data}
    assert Reference.model_validate(item) == Reference.model_validate(library[item["id"]])


def test_error_example_is_what_kb_validate_prints(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(FIXTURES / "invalid" / "unknown-unit" / "monographs",
                    tmp_path / "data" / "monographs")
    fixture_library(tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    assert main(["validate"]) == 1
    assert capsys.readouterr().err == example("error")


def test_new_example_writes_a_valid_draft(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    command = shlex.split(example("new"))
    assert command[0] == ".venv/bin/kb"
    assert main(command[1:]) == 0
    assert (tmp_path / "data" / "monographs" / "sodium-valproate.yaml").is_file()
    assert main(["validate"]) == 0


def test_inline_forms_named_in_the_guide_are_the_ones_accepted() -> None:
    for written in ["{dose: 1 mg/kg}", "[@riccardi2023]", "*emphasis*",
                    "[words](monograph:ketamine)"]:
        assert written in GUIDE
        inline.check_text(f"Text {written}.")


@pytest.mark.parametrize("written", [".5 mg", "1.0 mg", "5 MG", "qd", "qod", "od", "MS",
                                     "MSO4", "MgSO4", "SC", "SQ", "sub-q", "q12h", "cc", "µg",
                                     "ug", "&lt;", "IU"])
def test_every_notation_the_guide_lists_is_refused(written: str) -> None:
    assert f"`{written}`" in GUIDE
    with pytest.raises(inline.InlineError):
        inline.check_text(f"Give it {written} here.")


def test_what_the_guide_allows_is_allowed() -> None:
    assert "`INR 2.0–3.0` stays allowed" in GUIDE
    inline.check_text("Keep the INR 2.0–3.0 and use an α2 agonist.")


def test_search_terms_example_is_valid_and_folds_as_it_says(tmp_path: Path) -> None:
    terms = SearchTerms.model_validate(as_yaml(example("search-terms"), tmp_path))
    speller = Speller(terms)
    assert speller.words("oedema") == speller.words("edema")
    assert speller.words("organise") == ["organize"] and speller.words("wiser") == ["wiser"]
    assert [a.meanings for a in terms.abbreviations if a.abbreviation == "MS"] == [
        ["morphine sulfate", "multiple sclerosis", "magnesium sulfate"]]
