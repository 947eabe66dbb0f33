"""The YAML reader: positions, and values read as the editor wrote them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from generator.yamlsource import YamlReadError, read_yaml


def write(tmp_path: Path, text: str | bytes, name: str = "x.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_positions_of_values_and_keys(tmp_path: Path) -> None:
    doc = read_yaml(write(tmp_path, "a:\n  b:\n    - x: 1\n      unit: mg/kgs\n"))
    assert doc.position(("a", "b", 0, "unit")) == (4, 13)
    assert doc.position(("a", "b", 0, "unit"), key=True) == (4, 7)
    # a missing value is placed at its nearest ancestor
    assert doc.position(("a", "b", 0, "route")) == (3, 7)


def test_values_are_read_as_written(tmp_path: Path) -> None:
    doc = read_yaml(write(tmp_path, "a: yes\nb: 012\nc: 1:30\nd: 0.15\ne: 2024-01-05\n"
                                    "f: true\ng: 12\nh: '0.5'\ni: ~\n"))
    assert doc.data == {"a": "yes", "b": "012", "c": "1:30", "d": Decimal("0.15"),
                        "e": "2024-01-05", "f": True, "g": 12, "h": "0.5", "i": None}
    assert isinstance(doc.data["d"], Decimal)


@pytest.mark.parametrize(("content", "message"), [
    ("a: 1\na: 2\n", "x.yaml:2:1: duplicate key 'a' (first at line 1); a second one would "
                     "silently replace the first: remove or rename one"),
    ("a:\n\t- 1\n", "x.yaml:2:1: a tab is used for indenting; YAML needs spaces "
                    "(use 2 spaces per level)"),
    (b"a: caf\xe9\n", "x.yaml:1:7: the file is not UTF-8 text; save it as UTF-8 (in most "
                      "editors: File, Save with encoding, UTF-8)"),
    ("a: [1, 2\n", "x.yaml:2:1: not valid YAML: did not find expected ',' or ']'; "
                   "check the indentation and that text with ':' or '#' is quoted"),
    ("a: &x {b: 1}\n<<: *x\n", "x.yaml:2:1: '<<' merge keys are not supported; write the "
                               "fields out"),
    # between braces a comma ends a field: YAML alone would read max 6 and a field "5"
    ("dose: {min: 3, max: 6,5, unit: mg}\n",
     "x.yaml:1:21: '6,5' has a comma, which could be read two ways: write 6.5 (if the comma is "
     "a decimal point) or 65 (if it separates thousands), as the source means it"),
    ("dose: {value: 1,000,000, unit: mcg}\n",
     "x.yaml:1:15: '1,000,000' has commas; a number is written without them: write 1000000 "
     "(if they separate thousands), as the source means it"),
    # what YAML would leave out of a text without a word: a tag, a comment one space after it
    ("items:\n  - !Important: avoid alcohol.\n",
     "x.yaml:2:5: YAML reads '!Important:' as a tag, not as text, and leaves it out of the "
     "value: put the whole text in quotes"),
    # text that starts with a character YAML reads as its own: the message shows it quoted
    ("items:\n  - *Not* for IV use.\n",
     "x.yaml:2:9: not valid YAML: did not find expected alphabetic or numeric character; a "
     "value that starts with * must be in quotes, all of it (YAML reads * there as its own: it "
     "names a value to repeat): write \"*Not* for IV use.\""),
    ("items:\n  - \"Caution\" in older adults.\n",
     "x.yaml:2:15: not valid YAML: did not find expected '-' indicator; a value that starts "
     "with \" must be in quotes, all of it (YAML reads \" there as its own: it ends the text at "
     "the closing quote): write '\"Caution\" in older adults.'"),
    ("age: >65 years\n",
     "x.yaml:1:8: not valid YAML: did not find expected comment or line break; a value that "
     "starts with > must be in quotes, all of it (YAML reads > there as its own: it starts "
     "text on the lines below): write \">65 years\""),
    ("items: [x, &c caution]\n",
     "x.yaml:1:12: YAML reads '&c' as an anchor (a name for repeating a value elsewhere as "
     "'*c'), not as text, and leaves it out of the value: put the whole text in quotes"),
    ("items:\n  - &c caution\n  - *c\n",
     "x.yaml:2:5: YAML reads '&c' as an anchor (a name for repeating a value elsewhere as "
     "'*c'), not as text, and leaves it out of the value: put the whole text in quotes"),
    ("items:\n  - Give with food # or milk\n",
     "x.yaml:2:20: YAML reads '# or milk' as a comment and leaves it out of the text: if it "
     "belongs to the text, put the whole text in quotes; if it is a note for editors, leave "
     "two spaces before '#' or give it a line of its own"),
    ("items:\n  - Give\n    with food # or milk\n",
     "x.yaml:3:15: YAML reads '# or milk' as a comment and leaves it out of the text: if it "
     "belongs to the text, put the whole text in quotes; if it is a note for editors, leave "
     "two spaces before '#' or give it a line of its own"),
    ("dose: {value: 1,000.5, unit: mcg}\n",
     "x.yaml:1:15: '1,000.5' has a comma; a number is written without one: write 1000.5 (if "
     "it separates thousands), as the source means it"),
])
def test_broken_yaml_is_one_located_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            content: str | bytes, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(YamlReadError) as caught:
        read_yaml(write(tmp_path, content))
    assert str(caught.value.problem) == message


def test_a_comma_with_a_space_after_it_still_ends_a_field(tmp_path: Path) -> None:
    """Only digits, a comma and digits with nothing between read as one number: anything else
    between braces is fields, which the schema then checks by name."""
    doc = read_yaml(write(tmp_path, "a: {min: 6, 5}\nb: {min: 6,'5'}\nc: {unit: mg,5}\n"))
    assert doc.data == {"a": {"min": 6, "5": None}, "b": {"min": 6, "5": None},
                        "c": {"unit": "mg", "5": None}}


def test_notes_beside_values_and_text_that_holds_a_hash_are_read_as_written(
        tmp_path: Path) -> None:
    doc = read_yaml(write(tmp_path, "# a note\nroute: oral  # two spaces: a note\n"
                                    "items:\n  # a note\n  - 'Ward #3 patients' # after quotes\n"
                                    "  - \"Important: avoid alcohol!\"\n  - Caution!\n"
                                    "  - A & E, R&D\n"))
    assert doc.data == {"route": "oral",
                        "items": ["Ward #3 patients", "Important: avoid alcohol!", "Caution!",
                                  "A & E, R&D"]}


def test_alias_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]" for i in range(1, 7)]
    with pytest.raises(YamlReadError) as caught:
        read_yaml(write(tmp_path, "\n".join(lines) + "\n"))
    assert "expands to more than 200,000 values" in str(caught.value)


def test_oversized_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(YamlReadError) as caught:
        read_yaml(write(tmp_path, "a: " + "x" * 3_000_000 + "\n"))
    assert str(caught.value).startswith("x.yaml:1:1: file is 3,000,004 bytes; the limit is "
                                        "2,097,152.")
