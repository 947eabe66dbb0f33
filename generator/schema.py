"""The JSON Schema editors' tools read, exported from the pydantic models (never hand-written)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import core_schema

from .model import DrugClass, Monograph, SearchTerms
from .references import Reference

SCHEMA_DIR = Path("data") / "schema"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _Generator(GenerateJsonSchema):
    """Pydantic's JSON Schema, with ``"default": []`` for a list field that starts empty. The
    models write those ``Field(default_factory=list)``: pydantic deep-copies a default ``[]``
    for every record (0.13 s of the 1.76 s of CPU that validating 2,000 monographs' records
    took), and would leave a factory's default out of the schema, where an editor's tool shows
    it."""

    def get_default_value(self, schema: core_schema.WithDefaultSchema) -> Any:
        if schema.get("default_factory") is list:
            return []
        return super().get_default_value(schema)


def monograph_schema() -> dict[str, Any]:
    """JSON Schema of one monograph file."""
    schema = Monograph.model_json_schema(by_alias=True, schema_generator=_Generator)
    return {"$schema": DIALECT, "$id": "monograph.schema.json", **schema}


def references_schema() -> dict[str, Any]:
    """JSON Schema of ``data/references.yaml``: a list of CSL items."""
    schema = TypeAdapter(list[Reference]).json_schema(by_alias=True, schema_generator=_Generator)
    return {"$schema": DIALECT, "$id": "references.schema.json",
            "title": "Reference library (CSL-YAML)", **schema}


def classes_schema() -> dict[str, Any]:
    """JSON Schema of ``data/drug-classes.yaml``: a list of drug classes."""
    schema = TypeAdapter(list[DrugClass]).json_schema(by_alias=True, schema_generator=_Generator)
    return {"$schema": DIALECT, "$id": "drug-classes.schema.json",
            "title": "Drug classes", **schema}


def search_terms_schema() -> dict[str, Any]:
    """JSON Schema of ``data/search-terms.yaml``."""
    schema = SearchTerms.model_json_schema(by_alias=True, schema_generator=_Generator)
    return {"$schema": DIALECT, "$id": "search-terms.schema.json", **schema}


def schema_files() -> dict[str, str]:
    """File name → text of every exported schema."""
    return {
        "monograph.schema.json": json.dumps(monograph_schema(), indent=2, sort_keys=True) + "\n",
        "references.schema.json": json.dumps(references_schema(), indent=2, sort_keys=True)
        + "\n",
        "drug-classes.schema.json": json.dumps(classes_schema(), indent=2, sort_keys=True)
        + "\n",
        "search-terms.schema.json": json.dumps(search_terms_schema(), indent=2, sort_keys=True)
        + "\n",
    }


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema into ``directory``; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_files().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
