"""The JSON Schema editors' tools read: current, standard, and agreeing with the loader."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError

from generator.cli import main
from generator.loader import _PATTERNS
from generator.model import Section
from generator.schema import schema_files
from generator.yamlsource import read_yaml

from .conftest import FIXTURES, ROOT, fixture_project

SCHEMA_DIR = ROOT / "data" / "schema"


def test_committed_schema_is_current() -> None:
    for name, text in schema_files().items():
        committed = (SCHEMA_DIR / name).read_text(encoding="utf-8")
        assert committed == text, f"data/schema/{name} is stale: run `kb schema`"


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_real_data_satisfies_the_schema() -> None:
    monograph = validator("monograph.schema.json")
    for path in (ROOT / "data" / "monographs").glob("*.yaml"):
        assert list(monograph.iter_errors(read_yaml(path).data)) == []
    references = validator("references.schema.json")
    assert list(references.iter_errors(read_yaml(ROOT / "data" / "references.yaml").data)) == []
    classes = validator("drug-classes.schema.json")
    assert list(classes.iter_errors(read_yaml(ROOT / "data" / "drug-classes.yaml").data)) == []


@pytest.mark.parametrize("case", ["unknown-unit", "unknown-key", "unknown-route", "wrong-type"])
def test_the_schema_rejects_what_the_loader_rejects(case: str) -> None:
    path = FIXTURES / "invalid" / case / "monographs" / "testamine.yaml"
    errors = list(validator("monograph.schema.json").iter_errors(read_yaml(path).data))
    assert errors, case


def test_every_data_file_names_its_schema_for_the_editor() -> None:
    files = [*sorted((ROOT / "data" / "monographs").glob("*.yaml")),
             ROOT / "data" / "references.yaml", ROOT / "data" / "drug-classes.yaml"]
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        target = first.removeprefix("# yaml-language-server: $schema=")
        assert target != first, path
        assert (path.parent / target).resolve().is_file(), path


def test_fields_carry_their_docstrings_for_the_editor() -> None:
    schema = json.loads((SCHEMA_DIR / "monograph.schema.json").read_text(encoding="utf-8"))
    frequency = schema["$defs"]["DoseStep"]["properties"]["frequency"]
    assert frequency["description"].startswith("How often (every_4_hours, twice_a_day")
    assert "every_12_hours" in json.dumps(frequency)


def test_kb_schema_writes_the_same_files(tmp_path: Path) -> None:
    assert main(["schema", "--output", str(tmp_path)]) == 0
    for name, text in schema_files().items():
        assert (tmp_path / name).read_text(encoding="utf-8") == text


def test_records_given_the_same_fields_share_one_set_of_their_names() -> None:
    first = Section.model_validate({"paragraphs": ["One."]})
    second = Section.model_validate({"paragraphs": ["Two."]})
    other = Section.model_validate({"items": ["Three."]})
    assert first.model_fields_set is second.model_fields_set  # one set, not 110,000
    assert first.model_fields_set == {"paragraphs"} and other.model_fields_set == {"items"}
    changed = first.model_copy(update={"items": ["Four."]})
    assert changed.model_fields_set == {"paragraphs", "items"}
    assert first.model_fields_set == second.model_fields_set == {"paragraphs"}
    with pytest.raises(ValidationError):
        first.paragraphs = ["Changed."]  # type: ignore[misc]
    assert second.model_fields_set == {"paragraphs"}


ROOTS = {"monograph.schema.json": "Monograph", "references.schema.json": "Reference",
         "drug-classes.schema.json": "DrugClass", "search-terms.schema.json": "SearchTerms"}
"""Each schema file and the record type the loader validates its file's items as."""


def _patterned(node: object, prop: str | None = None) -> set[str]:
    """The properties of a JSON Schema whose values must match a pattern."""
    found: set[str] = set()
    if isinstance(node, dict):
        if "pattern" in node and prop is not None:
            found.add(prop)
        for key, value in node.items():
            if key == "properties":
                for name, sub in value.items():
                    found |= _patterned(sub, name)
            elif key == "$defs":
                for sub in value.values():
                    found |= _patterned(sub)
            else:
                found |= _patterned(value, prop)
    elif isinstance(node, list):
        for item in node:
            found |= _patterned(item, prop)
    return found


def test_every_field_with_a_pattern_has_a_message_an_editor_reads() -> None:
    """A value that breaks a field's pattern is told what it should look like, never shown a
    regular expression ('it must match ^[A-V]\\d{2}...'). Dates have their own message."""
    missing = []
    for name, root in ROOTS.items():
        schema = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
        for prop in sorted(_patterned(schema) - {"issued", "accessed"}):
            if (root, prop) not in _PATTERNS and prop not in _PATTERNS:
                missing.append((name, prop))
    assert missing == []


@pytest.mark.parametrize(("case", "message"), [
    ("drug-classes", "data/drug-classes.yaml:2:8: [0].atc: 'n01ax' is not in the expected form; "
                     "an ATC code is written in capitals as the WHO index gives it, like N01AX"),
    ("drug-class-id", "data/drug-classes.yaml:1:7: [0].id: 'Opioid analgesic' is not in the "
                      "expected form; use lowercase words joined by _ or -, like "
                      "opioid_analgesic"),
])
def test_a_pattern_broken_in_a_shared_file_is_told_its_form(
        case: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    project = fixture_project(tmp_path)
    classes = project / "data" / "drug-classes.yaml"
    classes.write_text("- id: general_anesthetic\n  atc: n01ax\n  label: General anesthetic\n"
                       if case == "drug-classes" else
                       "- id: Opioid analgesic\n  label: Opioid analgesic\n"
                       "- id: general_anesthetic\n  label: General anesthetic\n",
                       encoding="utf-8")
    monkeypatch.chdir(project)
    assert main(["validate"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == message
