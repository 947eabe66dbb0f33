"""The formulary as data: JSON and FHIR R5 for every published monograph, validated, with every
dose, unit, route, timing and cap either in its FHIR element or in Dosage.text."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fhir.resources.bundle import Bundle
from fhir.resources.medicationknowledge import MedicationKnowledge

from generator import doses, units
from generator.export import export_files
from generator.loader import KnowledgeBase, load_knowledge_base
from generator.schema import monograph_schema

from .conftest import FIXTURES, ROOT

SOURCES = {"real data": ROOT / "data", "fixture formulary": FIXTURES / "formulary",
           "kitchen sink": FIXTURES / "kitchen-sink"}


def load(source: Path, tmp: Path) -> KnowledgeBase:
    data = tmp / "data"
    shutil.copytree(source, data)
    return load_knowledge_base(data)


@pytest.fixture(scope="module", params=list(SOURCES))
def exported(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[KnowledgeBase, dict[str, Any]]:
    kb = load(SOURCES[request.param], tmp_path_factory.mktemp("export"))
    files = export_files(kb, version="v9 (2026-11-26)", disclaimer="Use with judgement.")
    return kb, {path: json.loads(text) for path, text in files.items()}


def fhir_of(files: dict[str, Any], slug: str) -> dict[str, Any]:
    return files[f"monographs/{slug}/medicationknowledge.fhir.json"]


def test_every_published_monograph_exports_json_and_fhir_that_validate(
        exported: tuple[KnowledgeBase, dict[str, Any]]) -> None:
    kb, files = exported
    schema = monograph_schema()
    published = kb.published(include_drafts=False)
    assert published
    for loaded in published:
        m = loaded.monograph
        data = files[f"monographs/{m.slug}/monograph.json"]
        jsonschema.validate(data["monograph"], schema)
        assert data["id"] == m.slug and data["content_version"] == "v9 (2026-11-26)"
        assert data["disclaimer"] == "Use with judgement."
        MedicationKnowledge.model_validate(fhir_of(files, m.slug))
    Bundle.model_validate(files["formulary.fhir.json"])
    listed = [entry["id"] for entry in files["formulary.json"]["monographs"]]
    assert listed == [m.monograph.slug for m in published]


def walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


UCUM_ATOM = r"(g|mg|ug|ng|\[iU\]|mmol|mL|dL|kg|m2|min|h|d|wk|mo|a|%|\{1\.73_m2\})"
UCUM = re.compile(rf"{UCUM_ATOM}(/{UCUM_ATOM})*")


def test_codes_are_from_their_value_sets_and_units_are_ucum(
        exported: tuple[KnowledgeBase, dict[str, Any]]) -> None:
    _, files = exported
    for path, data in files.items():
        if not path.endswith(".fhir.json"):
            continue
        for node in walk(data):
            if node.get("system") == "http://unitsofmeasure.org":
                assert UCUM.fullmatch(node["code"]), node
                assert node["code"] != "U" and "µ" not in node["code"]
            if node.get("resourceType") == "ClinicalUseDefinition":
                assert node["type"] in {"indication", "contraindication", "interaction",
                                        "undesirable-effect", "warning"}
            if node.get("resourceType") == "MedicationKnowledge":
                assert node["status"] == "active"
            if "periodUnit" in node:
                assert node["periodUnit"] in {"s", "min", "h", "d", "wk", "mo", "a"}
            for when in node.get("when", []):
                assert when in {"NIGHT", "MORN"}
    assert all(UCUM.fullmatch(u.ucum) for u in units.UNITS.values())


def test_every_dose_unit_route_timing_and_cap_travels(
        exported: tuple[KnowledgeBase, dict[str, Any]]) -> None:
    """The round trip listed in the README: each fact of each step is in its FHIR element or,
    where R5 has none, in Dosage.text."""
    kb, files = exported
    for loaded in kb.published(include_drafts=False):
        m = loaded.monograph
        guidelines = fhir_of(files, m.slug).get("indicationGuideline", [])
        regimens = m.dosing.regimens if m.dosing else []
        assert len(guidelines) == len(regimens)
        for regimen, guideline in zip(regimens, guidelines, strict=True):
            [dosing] = guideline["dosingGuideline"]
            [group] = dosing["dosage"]
            assert doses.format_qualifier(regimen.qualifier) in group["type"]["text"]
            for step, dosage in zip(regimen.steps, group["dosage"], strict=True):
                unit = step.dose.typed_unit
                [amount] = dosage["doseAndRate"]
                [(kind, value)] = amount.items()
                assert kind == ("rate" if unit.per_minutes is not None else "dose") + (
                    "Quantity" if step.dose.value is not None else "Range")
                ends = [value] if "Quantity" in kind else [value["low"], value["high"]]
                assert [e["value"] for e in ends] == [float(v) for v in (
                    [step.dose.value] if step.dose.value is not None
                    else [step.dose.min, step.dose.max])]
                assert {e["code"] for e in ends} == {unit.ucum}
                assert dosage["route"]["text"] == doses.format_route(regimen.route)
                text = dosage["text"]
                assert doses.format_step(step) in text
                repeat = dosage.get("timing", {}).get("repeat", {})
                if step.frequency and units.FREQUENCIES[step.frequency].period_minutes:
                    assert repeat["frequency"] == 1 and repeat["period"] > 0
                if step.over is not None:
                    assert repeat["durationUnit"] == units.TIME_UNITS[step.over.unit][2]
                assert dosage.get("asNeeded", False) == step.is_as_needed
                if step.max_per_dose:
                    assert dosage["maxDosePerAdministration"]["value"] == float(
                        step.max_per_dose.value)
                if step.max_per_24_hours:
                    [period] = dosage["maxDosePerPeriod"]
                    assert period["denominator"]["code"] == "h"
                    assert period["numerator"]["value"] == float(step.max_per_24_hours.value)
                for words in doses.regimen_limits(regimen):  # regimen-wide: text only
                    assert words in text
                if step.max_rate:
                    assert f"max {doses.format_quantity(step.max_rate)}" in text
                if step.titration:
                    assert doses.format_titration(step.titration) in text
                for key in regimen.citations:
                    assert f"[{key}]" in text


def test_drafts_are_never_exported_and_ids_outlive_a_new_title(tmp_path: Path) -> None:
    kb = load(FIXTURES / "formulary", tmp_path)
    files = export_files(kb, version="v1", disclaimer="d")
    sedation = next(m for m in kb.monographs if m.monograph.generic_name == "sedatomidine")
    renamed = sedation.monograph.model_copy(update={"title": "Sedatomidine (renamed)"})
    draft = next(m for m in kb.monographs if m.monograph.generic_name == "paedicillin")
    kb.monographs = [m for m in kb.monographs if m not in (sedation, draft)]
    kb.monographs.append(type(sedation)(renamed, sedation.source))
    kb.monographs.append(type(draft)(draft.monograph.model_copy(update={"status": "draft"}),
                                     draft.source))
    again = export_files(kb, version="v1", disclaimer="d")
    assert "monographs/sedatomidine/medicationknowledge.fhir.json" in again
    assert json.loads(again["monographs/sedatomidine/medicationknowledge.fhir.json"])["id"] == \
        "sedatomidine"
    assert not [p for p in again if "paedicillin" in p]
    assert "paedicillin" in json.dumps(files["formulary.json"])
    assert "paedicillin" not in again["formulary.json"]


def test_a_dose_can_be_read_from_the_fhir_resource_as_the_readme_shows(
        exported: tuple[KnowledgeBase, dict[str, Any]]) -> None:
    """The README's example for people who connect another system."""
    kb, files = exported
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"<!-- example: fhir -->\n```python\n(.*?)```", readme, re.DOTALL)
    assert example
    for loaded in kb.published(include_drafts=False):
        if not loaded.monograph.dosing or not loaded.monograph.dosing.regimens:
            continue
        resource = fhir_of(files, loaded.monograph.slug)
        scope: dict[str, Any] = {"resource": resource}
        exec(example.group(1), scope)  # the README's own example, run as written
        assert scope["lines"] and all(isinstance(line, str) for line in scope["lines"])


def test_the_site_publishes_the_files_export_files_describes(formulary_site: Path) -> None:
    """The build writes its exports in its own steps (half the monographs on each core in a
    large formulary); what it publishes is what ``export_files`` gives, every byte."""
    listing = json.loads((formulary_site / "formulary.json").read_text(encoding="utf-8"))
    kb = load_knowledge_base(formulary_site.parent / "data")
    expected = export_files(kb, version=listing["content_version"],
                            disclaimer=listing["disclaimer"])
    assert len(expected) > 10
    for path, text in expected.items():
        assert (formulary_site / path).read_text(encoding="utf-8") == text, path
