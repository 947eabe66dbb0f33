"""Nothing silently dropped: every field of the schema has a place on the page.

The kitchen-sink fixture (synthetic, never published) sets every field of every record once. For
each value it holds, the test writes another valid value and renders the page again: the text a
reader sees must change. A field that cannot change the page is a field an editor fills in for
nothing, so it fails here unless it is listed below with the reason it is not shown as words.
"""

from __future__ import annotations

import copy
import datetime as dt
import shutil
import types
import typing
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from generator import units, vocabulary
from generator.loader import KnowledgeBase, load_knowledge_base
from generator.model import Monograph
from generator.render import render_monograph
from generator.yamlsource import read_yaml

from .conftest import FIXTURES
from .htmltext import visible_text

SINK = FIXTURES / "kitchen-sink"

NOT_WORDS = {
    ("Regimen", "id"): "names the regimen for anchors, calculator keys and kb diff",
    ("DosageForm", "id"): "names the form for {strength: id} and calculator keys",
    ("Monograph", "generic_name"): "names the page and its file; shown in the dosing sentence "
                                   "only when routes are given",
    ("FurtherInformation", "url"): "the address is the link's target, not its words",
    ("Section", "citations"): "cited works are numbered by the citation tests",
    ("CoMedication", "drugs"): "a check: each drug must be named in the text, which is shown",
    ("Strength", "per_unit"): "mL is the only volume unit there is; it is shown with the strength",
}
"""Fields that shape the page without being words on it, each with its reason."""

CODE_TABLES: list[dict[str, Any]] = [
    vocabulary.ROUTES, vocabulary.DOSE_KINDS, vocabulary.QUALIFIERS, vocabulary.BODY_SYSTEMS,
    vocabulary.DOSAGE_FORM_KINDS, vocabulary.REVIEW_STATUSES, vocabulary.MONOGRAPH_STATUSES,
    vocabulary.DEVICES, vocabulary.AGE_GROUPS, vocabulary.BOUND_UNITS,
    vocabulary.RENAL_MEASURES, vocabulary.HEPATIC_SEVERITIES, units.FREQUENCIES,
    units.TIME_UNITS, units.DOSE_UNITS, units.UNITS,
    {"e.g.": 1, "such as": 1}, {"commercial": 1, "compounded": 1},
]


@pytest.fixture(scope="module")
def sink(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeBase, Any]:
    data = tmp_path_factory.mktemp("sink") / "data"
    shutil.copytree(SINK, data)
    kb = load_knowledge_base(data)
    return kb, read_yaml(data / "monographs" / "allfields.yaml").data


def page_text(kb: KnowledgeBase, raw: Any) -> str | None:
    """The visible text of the page for raw data, or None when the data is not valid."""
    try:
        monograph = Monograph.model_validate(raw)
    except ValidationError:
        return None
    try:
        markdown = render_monograph(monograph, kb.references, source="allfields.yaml",
                                    classes=kb.classes)
    except KeyError:  # a citation key the library does not hold
        return None
    return visible_text(markdown)


def leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from leaves(item, (*path, i))
    else:
        yield path, value


def alternatives(value: Any) -> Iterator[Any]:
    """Other values of the same kind, most likely valid first."""
    if isinstance(value, bool):
        yield not value
    elif isinstance(value, int | Decimal):
        yield from (value * 2, value + 1, value / 2)
    elif isinstance(value, dt.date):
        yield value + dt.timedelta(days=1)
    elif isinstance(value, str):
        for table in CODE_TABLES:
            if value in table:
                yield from (code for code in table if code != value)
        if value[:4].isdigit() and value.count("-") == 2:
            yield value[:-1] + ("2" if value[-1] != "2" else "3")
        if ":" in value and value.replace(":", "").isdigit():
            yield value + "5"
        yield value + " zq"
        yield value + "x"


def set_at(raw: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(raw)
    target = changed
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return changed


def owner(path: tuple[Any, ...]) -> tuple[str, str]:
    """(record type, field) that holds the value at ``path``."""
    model: Any = Monograph
    field = ""
    for part in path:
        if isinstance(part, int):
            continue
        field = str(part)
        info = model.model_fields[field]
        inner = _model_in(info.annotation)
        if inner is None:
            break
        parent, model = model, inner
    else:
        return parent.__name__, field
    return model.__name__, field


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list,
                                         typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def all_fields(model: type[BaseModel], seen: set[str] | None = None
               ) -> Iterator[tuple[str, str]]:
    seen = set() if seen is None else seen
    if model.__name__ in seen:
        return
    seen.add(model.__name__)
    for name, info in model.model_fields.items():
        yield model.__name__, name
        inner = _model_in(info.annotation)
        if inner is not None:
            yield from all_fields(inner, seen)


def set_fields(value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, BaseModel):
        for name in value.model_fields_set:
            yield type(value).__name__, name
            yield from set_fields(getattr(value, name))
    elif isinstance(value, list):
        for item in value:
            yield from set_fields(item)


def test_the_fixture_sets_every_field_of_the_schema(sink: tuple[KnowledgeBase, Any]) -> None:
    kb, _ = sink
    unset = set(all_fields(Monograph)) - set(set_fields(kb.monographs[0].monograph))
    # Alternatives the fixture cannot hold at once (a single value and a range; min and above)
    # are exercised by the fixture formulary and the unit tests.
    either_or = {("Dose", "value"), ("Duration", "value"), ("Bounds", "max"),
                 ("Bounds", "below"), ("Bounds", "min"), ("Bounds", "above"),
                 ("_Span", "value")}
    assert sorted(unset - either_or) == []


def test_every_value_changes_what_the_reader_sees(sink: tuple[KnowledgeBase, Any]) -> None:
    kb, raw = sink
    base = page_text(kb, raw)
    assert base is not None
    silent = []
    for path, value in leaves(raw):
        if owner(path) in NOT_WORDS or "citations" in path:
            continue
        if path[-1] == "unit" and ("weight" in path or "renal" in path):
            continue  # a weight is in kg; a renal bound's unit follows its measure (below)
        for other in alternatives(value):
            changed = set_at(raw, path, other)
            if path[-1] == "measure":
                changed = set_at(changed, (*path[:-1], "bounds", "unit"),
                                 vocabulary.RENAL_MEASURES[other][1])
            text = page_text(kb, changed)
            if text is not None:
                if text == base:
                    silent.append((path, value, other))
                break
        else:
            silent.append((path, value, "no valid alternative"))
    assert silent == []
