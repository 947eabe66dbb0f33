"""Nothing from data runs in a reader's browser: script put into every text field is either refused
with a message or shown as plain text in the built HTML."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.errors import DataError
from generator.loader import load_knowledge_base
from generator.yamlsource import read_yaml

from .conftest import ROOT, copy_project, run_mkdocs_build
from .test_fuzz import _Dumper, mutated, paths

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '" onmouseover="alert(1)" x="',
    "Pain {: onclick='alert(1)' }",
    "*x*<svg onload=alert(1)>",
]


class _LiveScript(HTMLParser):
    """Collects every way a page could run the payload."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # JSON data blocks are never executed; their text reaching the page is tested in the
        # browser (tests/browser/test_calculator_page.py).
        self.in_script = tag == "script" and ("type", "application/json") not in attrs
        if tag == "img" and ("src", "x") in attrs:
            self.found.append("<img src=x>")
        for name, value in attrs:
            if name.startswith("on") and value and "alert" in value:
                self.found.append(f"{tag} {name}={value}")
            if name in {"href", "src"} and value and value.strip().lower().startswith(
                    "javascript:"):
                self.found.append(f"{tag} {name}={value}")

    def handle_endtag(self, tag: str) -> None:
        self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and "alert(1)" in data:
            self.found.append(f"<script>{data}")


def loads(data_dir: Path) -> bool:
    try:
        load_knowledge_base(data_dir)
    except DataError:
        return False
    return True


def string_leaves(node: Any) -> list[tuple[Any, ...]]:
    leaves = []
    for path in paths(node):
        value = node
        for part in path:
            value = value[part]
        if isinstance(value, str):
            leaves.append(path)
    return leaves


@pytest.fixture(scope="module")
def injected_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, int]:
    """Every string of the ketamine monograph and the references given the first payload that the
    loader accepts there; then the whole site built with mkdocs."""
    project = tmp_path_factory.mktemp("injected")
    copy_project(project)
    data = project / "data"
    accepted = refused = 0
    for name in ["monographs/ketamine.yaml", "references.yaml"]:
        target = data / name
        current = read_yaml(target).data
        for leaf in string_leaves(current):
            for payload in PAYLOADS:
                candidate = mutated(current, leaf, "replace", payload, "")
                target.write_text(yaml.dump(candidate, Dumper=_Dumper, allow_unicode=True),
                                  encoding="utf-8")
                if loads(data):
                    current = candidate
                    accepted += 1
                    break
            else:
                refused += 1
        target.write_text(yaml.dump(current, Dumper=_Dumper, allow_unicode=True),
                          encoding="utf-8")
    result = run_mkdocs_build(project / "mkdocs.yml", project / "site")
    assert result.returncode == 0, result.stderr
    return project / "site", accepted, refused


def test_payloads_reach_the_page_only_as_text(injected_site: tuple[Path, int, int]) -> None:
    site, accepted, refused = injected_site
    assert accepted > 50 and refused > 10  # names took payloads; text and vocabularies refused
    page = (site / "monographs" / "ketamine" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown, as text
    for data in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.S):
        assert "<" not in data  # nothing in the data can close the script element
    for html_file in site.rglob("*.html"):
        parser = _LiveScript()
        parser.feed(html_file.read_text(encoding="utf-8"))
        assert parser.found == [], html_file


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if "<" in p or "javascript:" in p])
def test_text_fields_refuse_markup_with_a_message(payload: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "data" / "monographs" / "ketamine.yaml"
    data = read_yaml(path).data
    data["introduction"]["paragraphs"][0] = payload
    path.write_text(yaml.dump(data, Dumper=_Dumper, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_knowledge_base(tmp_path / "data")
    [problem] = caught.value.problems
    assert problem.field == "introduction.paragraphs[0]"
