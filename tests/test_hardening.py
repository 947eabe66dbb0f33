"""Hostile and careless input: text never becomes markup, unsafe notation cannot be hidden, and
every check takes linear time (one test per class of the red-team report)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from generator import inline
from generator.model import AdverseEffectGroup, Section

from .conftest import copy_project, run_mkdocs_build
from .htmltext import visible_text

HOSTILE_HEADING = "# Pwned {: autofocus onfocus=alert(1) tabindex=0 }"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ketamine with a Markdown heading and attribute list after a line break in a folded text,
    in a literal block, and in a reference title."""
    project = copy_project(tmp_path_factory.mktemp("hostile"))
    path = project / "data" / "monographs" / "ketamine.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "mechanism_of_action:\n  citations: [carlton1999, ma2023]\n  paragraphs:\n",
        "mechanism_of_action:\n  citations: [carlton1999, ma2023]\n  paragraphs:\n"
        f"    - |\n      First line of a literal block.\n      {HOSTILE_HEADING}\n"
        f"    - \"Folded text.\\n{HOSTILE_HEADING}\"\n", 1)
    path.write_text(text, encoding="utf-8")
    refs = project / "data" / "references.yaml"
    refs.write_text(refs.read_text(encoding="utf-8").replace(
        "title: Ketamine\n", f'title: "Ketamine\\n{HOSTILE_HEADING}"\n', 1), encoding="utf-8")
    result = run_mkdocs_build(project / "mkdocs.yml", project / "site")
    assert result.returncode == 0, result.stderr
    return project / "site"


def test_a_line_break_in_data_never_opens_a_heading_or_an_attribute_list(hostile_site: Path
                                                                         ) -> None:
    html = (hostile_site / "monographs" / "ketamine" / "index.html").read_text(encoding="utf-8")
    assert "onfocus" not in re.sub(r">[^<]*<", "><", html), "an attribute reached a tag"
    assert not re.search(r"<h\d[^>]*>[^<]*Pwned", html)
    text = visible_text(html)
    assert "First line of a literal block. # Pwned {: autofocus onfocus=alert(1)" in text
    assert "Folded text. # Pwned" in text
    assert "Ketamine # Pwned {: autofocus" in text  # the reference title, as words


@pytest.mark.parametrize(("written", "message"), [
    ("Effects\u2028# Pwned", "the invisible character U+2028 (LINE SEPARATOR)"),
    ("Give S\u200bC", "the invisible character U+200B (ZERO WIDTH SPACE)"),
    ("Give \u202eCS", "the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("&lt;script&gt;alert(1)&lt;/script&gt;", "'&lt;' is an HTML entity"),
    ("<meta http-equiv=refresh>", "raw HTML is not allowed"),
])
def test_invisible_characters_entities_and_html_are_refused(written: str, message: str) -> None:
    with pytest.raises(inline.InlineError, match=re.escape(message)):
        inline.check_text(written)


@pytest.mark.parametrize(("written", "shown"), [
    ("Give \u0405C", "'ЅC' is written with letters of another script"),  # Cyrillic Ѕ
    ("Give ＳＣ twice", "'SC' is error-prone notation: write 'subcut'"),  # full-width
    ("Avoid MSO4", "'MSO4' is error-prone notation"),
    ("Give MgSO4", "'MgSO4' is error-prone notation"),
    ("Check MS first", "'MS' is error-prone notation"),
    ("Once qd", "'qd' is error-prone notation"),
    ("Give qod", "'qod' is error-prone notation"),
    ("Apply od", "'od' is error-prone notation"),
    ("Add 5 U daily", "'5 U' is error-prone notation"),
    ("Use 10 cc", "error-prone notation"),
    ("About 10 μg", "error-prone notation"),
])
def test_unsafe_notation_is_refused_however_it_is_hidden(written: str, shown: str) -> None:
    with pytest.raises(inline.InlineError, match=re.escape(shown)):
        inline.check_notation(written)


@pytest.mark.parametrize("written", [
    "Keep the INR 2.0–3.0", "an α2 agonist", "β-blockers", "μ-opioid receptors",
    "Naïve patients", "Doses of 1.05 g are not given here",
])
def test_safe_writing_stays_allowed(written: str) -> None:
    inline.check_notation(written)


@pytest.mark.parametrize(("item", "message"), [
    ("nausea\u200b", "U+200B"), (".5 mg daily", "a decimal point needs a zero before it"),
    ("1.0 mg", "a dose has no trailing zero"), ("5 MG", "units are lower case"),
    ("sedation\nand more", "one line"), ("&amp;", "HTML entity"),
])
def test_names_and_list_items_get_the_same_checks(item: str, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        AdverseEffectGroup.model_validate({"system": "other", "effects": [item]})


def test_openings_that_never_close_are_plain_text() -> None:
    """The inline patterns cannot backtrack (bench/hostile.py prints their times on texts up to
    the length limit): an opening that never closes is read once, as words."""
    for text in ["{dose:" + " " * 19_000, "[" * 19_000, "[a" * 9_000, "*a" * 9_000]:
        inline.tokens.cache_clear()
        section = Section.model_validate({"paragraphs": [text]})
        assert section.paragraphs == [text]


def test_a_text_field_has_a_length_limit() -> None:
    with pytest.raises(ValidationError, match="20,000 characters at most"):
        Section.model_validate({"paragraphs": ["word " * 5_000]})
