"""Hostile and careless input: text never becomes markup, unsafe notation cannot be hidden, and
every check takes linear time (one test per class of the red-team report)."""

from __future__ import annotations

import os
import re
import shutil
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from generator import inline, render
from generator.cli import main
from generator.model import AdverseEffectGroup, Monograph, Section
from generator.yamlsource import read_yaml

from .conftest import ROOT, copy_project, run_mkdocs_build
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


FRAGMENTS = ["qd", "q.d.", "QD", "qod", "Q.O.D.", "od", "o.d.", "OD", "MS", "ms", "MSO4",
             "mgso4", "SC", "sq", "sub-q", "subq", "Sub-Q", "q4h", "Q12H", "cc", "ug", "µg", "μg",
             "IU", "iu", "5 U", "5IU", "5 MG", "2 Ml", ".5 mg", "1.0 mg", "1.50 mL", "0.5 mg",
             "x", "q", "d", "o", "sub", "dose", "2", ".", "-", "(", ")", "_", "é", "mg", "U", "Q",
             "0", "5", "L", "M", "g", "I", "u", "m", "s", "c", "h", "4", "units", "mcg", "mL",
             "micrograms", "grams", "mmol", "\t", "\u00a0", "\u0665",
             "\u017f", "\u212a", "\u0130", "\u0131", "M\u017f", "\u017fc", "\u017fq"]
"""Fragments of unsafe notation and their neighbours, with letters (long s, Kelvin sign, dotted and
dotless i) that case-insensitive matching folds to Latin ones where lower-casing does not."""


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=8),
       st.lists(st.sampled_from(["", " ", "  ", ".", ",", "-", "/", "(", "_"]), max_size=8))
@settings(max_examples=3000, deadline=None)
def test_the_quick_notation_check_finds_what_every_pattern_finds(
        parts: list[str], seps: list[str]) -> None:
    """The notation checks run only the patterns a text could match (those that read a number
    when it has a number before a unit letter, the others when it has one of a few short words,
    none when it has neither); joined any way, fragments of unsafe notation are refused exactly
    as running every pattern refuses them."""
    text = "".join(p + (seps[i] if i < len(seps) else " ") for i, p in enumerate(parts))
    expected = next((m for pattern, m in inline.NOTATION if pattern.search(text)), None)
    try:
        inline._check_patterns(text)
        got = None
    except inline.InlineError as e:
        got = str(e).split(": ", 1)[1]
    assert got == expected, text


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


def ketamine_text() -> str:
    return (ROOT / "data" / "monographs" / "ketamine.yaml").read_text(encoding="utf-8")


def validate_with(tmp_path: Path, monograph: str,
                  capsys: pytest.CaptureFixture[str]) -> list[str]:
    """``kb validate`` on a data folder whose ketamine.yaml is ``monograph``; its messages."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "monographs" / "ketamine.yaml").write_text(monograph, encoding="utf-8")
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        assert main(["validate"]) == 1
    finally:
        os.chdir(cwd)
    return capsys.readouterr().err.splitlines()


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace("introduction:\n", "introduction:\n  x: " + "[" * 300 + "]" * 300
                         + "\n", 1), "values are nested more than 32 levels deep"),
    (lambda t: t.replace("    - >-\n      Ketamine is a general", "    - &a '" + "word " * 3900
                         + "'\n" + "    - *a\n" * 300 + "    - >-\n      Ketamine is a general",
                         1), "the file expands to more than 4,194,304 characters"),
    (lambda t: t.replace("dose: {value: 0.5, unit: mg/kg}", "dose: {value: 1.0e999999, unit: "
                         "mg/kg}"), "1.0E+999999 is not a number a monograph holds"),
    (lambda t: t.replace("dose: {value: 0.5, unit: mg/kg}", "dose: {value: " + "1" * 5000
                         + ", unit: mg/kg}"), "(5,000 characters)"),
    (lambda t: t.replace("    - >-\n      Ketamine is a general", "    - '" + "word " * 380_000
                         + "'\n    - >-\n      Ketamine is a general", 1),
     "a text field holds 20,000 characters at most"),
])
def test_pathological_files_give_one_located_error_in_bounded_memory(
        change: Callable[[str], str], message: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    tracemalloc.start()
    try:
        err = validate_with(tmp_path, change(ketamine_text()), capsys)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert re.match(r"data/monographs/ketamine\.yaml:\d+:\d+: ", err[0]), err[0]
    assert message in err[0]
    assert len(err[0]) < 400, "a message is one short line"
    assert peak < 200 * 1024 * 1024, f"peak {peak:,} bytes"


def test_a_file_too_large_is_refused_before_it_is_read(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    with (data / "monographs" / "ketamine.yaml").open("r+b") as handle:
        handle.truncate(1024 * 1024 * 1024)  # a sparse 1 GB file: reading it would show
    tracemalloc.start()
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        assert main(["validate"]) == 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        os.chdir(cwd)
        tracemalloc.stop()
    assert "file is 1,073,741,824 bytes; the limit is 2,097,152" in capsys.readouterr().err
    assert peak < 50 * 1024 * 1024


def test_the_reference_library_may_be_four_times_a_monograph_s_size(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A formulary's library of some 7,000 works is larger than the 2 MiB a monograph may be;
    the library's limit is 8 MiB, and past it the same located refusal."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    library = data / "references.yaml"
    original = library.read_text(encoding="utf-8")
    library.write_text(original + "# " + "x" * (3 * 1024 * 1024) + "\n", encoding="utf-8")
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        assert main(["validate"]) == 0, capsys.readouterr().err
        library.write_text(original + "# " + "x" * (9 * 1024 * 1024) + "\n", encoding="utf-8")
        assert main(["validate"]) == 1
    finally:
        os.chdir(cwd)
    err = capsys.readouterr().err
    assert "data/references.yaml:1:1: file is 9,4" in err
    assert "the limit is 8,388,608. Split it" in err


def test_every_file_in_data_is_accounted_for(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    monographs = data / "monographs"
    shutil.copy(monographs / "ketamine.yaml", monographs / "other.yml")
    shutil.copy(monographs / "ketamine.yaml", monographs / "upper.YAML")
    (monographs / "sub").mkdir()
    shutil.copy(monographs / "ketamine.yaml", monographs / "sub" / "nested.yaml")
    outside = tmp_path / "outside.yaml"
    outside.write_text("title: elsewhere\n", encoding="utf-8")
    (monographs / "linked.yaml").symlink_to(outside)
    (data / "notes.txt").write_text("notes", encoding="utf-8")
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        assert main(["validate"]) == 1
    finally:
        os.chdir(cwd)
    assert capsys.readouterr().err.splitlines() == [
        "data/monographs/linked.yaml:1:1: is a link to a file outside data/; copy the file in "
        "instead",
        "data/monographs/other.yml:1:1: a monograph file ends in .yaml; rename it other.yaml",
        "data/monographs/sub:1:1: monographs are not read from subfolders; move its files up "
        "into data/monographs/",
        "data/monographs/upper.YAML:1:1: a monograph file ends in .yaml; rename it upper.yaml",
        "data/notes.txt:1:1: is not a file the build reads: data/ holds references.yaml, "
        "drug-classes.yaml, search-terms.yaml and the folders monographs, schema, sources; "
        "move it out of data/",
        "5 problems found; nothing was built.",
    ]


@pytest.mark.parametrize("title", [
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&lt;meta http-equiv=refresh content=0;url=https://example.org&gt;",
    "Ketamine\u2028# Pwned {: onfocus=alert(1) }",
    "Ketamine for pain\n# Pwned",
])
def test_a_title_can_carry_no_markup_into_title_nav_or_search(title: str) -> None:
    """The title becomes the page's <title>, its navigation entry and its search entry: entities,
    separators and line breaks are refused there."""
    data = read_yaml(ROOT / "data" / "monographs" / "ketamine.yaml").data
    with pytest.raises(ValidationError) as raised:
        Monograph.model_validate({**data, "title": title})
    assert raised.value.errors()[0]["loc"] == ("title",)


@given(st.text(alphabet=st.sampled_from(["a", " ", "\n", "\r", "\t", "\v", "\f", "\x85",
                                         "\u2028", "\u2029", "\x1c", "é", "<"]), max_size=30))
@settings(max_examples=2000, deadline=None)
def test_every_line_break_becomes_a_space(text: str) -> None:
    """Data never starts a line of the page: text without a line break passes as it is (the
    quick way), and every kind of line break becomes a space."""
    assert inline.one_line(text) == re.sub(r"[\r\n\t\v\f\x85\u2028\u2029]+", " ", text)


@given(st.lists(st.sampled_from(["# Heading", "## Dosing", "text", "  indented", "", "   ",
                                 "<div>", "</div>", "#x", "\t# tabbed"]), max_size=12))
@settings(max_examples=2000, deadline=None)
def test_headings_stand_between_single_blank_lines(lines: list[str]) -> None:
    """Every heading has one blank line before and after it, never two, and no other line is
    blank or indented: as collapsing runs of blank lines afterwards would give."""
    out: list[str] = []
    for line in (raw.strip() for raw in lines):
        if line:
            out.extend(["", line, ""] if line.startswith("#") else [line])
    expected = re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n"
    assert render.tidy_markdown("\n".join(lines)) == expected
