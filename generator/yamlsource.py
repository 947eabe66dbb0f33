"""Read YAML safely, as the editor wrote it, remembering where every value stands.

PyYAML gives no line for a schema error, so the loader composes the node tree itself and records the
position of each value and each key. Scalars are read by our rules, not YAML 1.1's: ``yes``, ``on``
and ``no`` stay words, ``012`` and ``1:30`` stay text, dates stay text until the schema reads them,
and decimals are exact (``0.15`` is ``Decimal('0.15')``, never a binary float).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, display_path
from .inline import comma_message

try:  # libyaml's composer is about 12 times faster and gives the same marks
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - pure Python fallback where libyaml is missing
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

MAX_FILE_BYTES = 2 * 1024 * 1024
"""A monograph is a few kilobytes; anything this large is a mistake or an attack."""

LIBRARY_SCALE = 4
"""The reference library holds every work a formulary cites (some 7,000 for 2,000 monographs,
about 2.5 MB): its limits of size, values and characters are four times a monograph's."""

MAX_NODES = 200_000
"""Upper bound on values after alias expansion (defeats the 'billion laughs' document)."""

MAX_EXPANDED_CHARS = 4 * 1024 * 1024
"""Upper bound on the characters of all values after alias expansion: one long text aliased
many times is as large as the file it would be written out in."""

MAX_DEPTH = 32
"""Nesting levels a monograph may use (it needs about 8); deeper is a mistake or an attack, and
is refused before anything recurses."""

MAX_NUMBER_CHARS = 40
"""A number longer than this is not a dose: it stays text, and the schema says so."""

Path_ = tuple[str | int, ...]

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")
_TRUE = {"true"}
_FALSE = {"false"}
_NULL = {"", "~", "null"}


_MERGE = "tag:yaml.org,2002:merge"


class _Loader(_SafeLoader):
    """The safe loader without YAML 1.1's implicit typing: :func:`_scalar` reads scalars by our
    rules, so the composer need not guess a tag for each (a fifth of its time). Only the merge
    key is still told apart, to be refused."""

    # The composer calls these two around every value (600,000 in 2,000 monographs), to follow
    # path resolvers this loader never has. Builtins that do nothing instead of the Python
    # methods that return at once took composing 2,000 monographs from 0.91 to 0.83 s of CPU.
    descend_resolver = operator.is_  # type: ignore[assignment]  # (parent, index) -> ignored
    ascend_resolver = int  # type: ignore[assignment]  # () -> 0, ignored

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode and implicit[0] and value == "<<":
            return _MERGE
        return "tag:yaml.org,2002:str"


@dataclass
class YamlDocument:
    """A parsed YAML file: plain Python data plus the node tree it was read from, which tells
    the (line, column) of every value and key when a problem needs one."""

    file: str
    data: Any
    root: yaml.Node | None = None

    def position(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """Where ``path`` stands, or its nearest ancestor when the value itself is missing;
        with ``key``, where its key stands when there is one."""
        node = self.root
        if node is None:
            return (1, 1)
        key_node = None
        for part in path:
            child = None
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                child = next(((k, v) for k, v in node.value if k.value == part), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and \
                    0 <= part < len(node.value):
                child = (None, node.value[part])
            if child is None:
                key_node = None
                break
            key_node, node = child
        mark = (key_node if key and key_node is not None else node).start_mark
        return (mark.line + 1, mark.column + 1)

    def problem(self, path: Path_, message: str, *, key: bool = False,
                severity: str = "error") -> Problem:
        """A problem located at ``path`` in this file."""
        line, column = self.position(path, key=key)
        return Problem(self.file, line, column, format_path(path), message, severity)


class YamlReadError(Exception):
    """Raised inside the reader; carries one located problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def format_path(path: Path_) -> str:
    """``('dosing', 'regimens', 1, 'unit')`` as ``dosing.regimens[1].unit``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def read_yaml(path: Path, *, scale: int = 1) -> YamlDocument:
    """Read one YAML file; raise :class:`YamlReadError` for anything but plain, safe YAML.
    ``scale`` multiplies the limits of size, values and characters (the reference library)."""
    name = display_path(path)
    max_bytes = MAX_FILE_BYTES * scale

    def fail(line: int, column: int, message: str) -> YamlReadError:
        return YamlReadError(Problem(name, line, column, "", message))

    size = path.stat().st_size  # before reading: a 1 GB file is refused, not read
    if size > max_bytes:
        raise fail(1, 1, f"file is {size:,} bytes; the limit is {max_bytes:,}. "
                         "Split it, or check that the right file was saved here")
    with path.open("rb") as handle:
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:  # it grew while being read
        raise fail(1, 1, f"file is over {max_bytes:,} bytes; split it")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        column = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise fail(line, column, "the file is not UTF-8 text; save it as UTF-8 "
                                 "(in most editors: File, Save with encoding, UTF-8)") from e
    return parse_yaml(text, name, scale=scale)


def parse_yaml(text: str, name: str, *, scale: int = 1) -> YamlDocument:
    """Parse YAML text already read (``name`` is how problems name it); see :func:`read_yaml`."""

    def fail(line: int, column: int, message: str) -> YamlReadError:
        return YamlReadError(Problem(name, line, column, "", message))

    text = text.removeprefix("\ufeff")
    for number, line_text in enumerate(text.splitlines() if "\t" in text else (), start=1):
        indent = len(line_text) - len(line_text.lstrip(" \t"))
        if "\t" in line_text[:indent]:
            raise fail(number, line_text.index("\t") + 1,
                       "a tab is used for indenting; YAML needs spaces (use 2 spaces per level)")
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = e.problem or "not valid YAML"
        raise fail(line, column, f"not valid YAML: {problem}; " + (
            _quoting_hint(text, line) or "check the indentation and that text with ':' or '#' "
                                         "is quoted")) from e
    except yaml.reader.ReaderError as e:
        before = text[: e.position]
        line = before.count("\n") + 1
        column = e.position - (before.rfind("\n") + 1) + 1
        raise fail(line, column, f"the file contains the control character #x{e.character:04x}, "
                                 "which YAML does not allow; delete it") from e
    except yaml.YAMLError as e:
        raise fail(1, 1, f"not valid YAML: {' '.join(str(e).split())}") from e
    if node is None:
        return YamlDocument(name, None)
    budget = [MAX_NODES * scale, MAX_EXPANDED_CHARS * scale, scale]
    if any(text[m.start() - 1:m.start()].isdigit() for m in _COMMA_DIGIT.finditer(text)):
        # before the values are read: '1,000,000' is a number, not a key '000' written twice
        for mapping in _nodes(node):
            if isinstance(mapping, yaml.MappingNode) and mapping.flow_style:  # {a: 1, b: 2}
                _refuse_comma_in_number(mapping, fail)
    data = _convert(node, 0, budget, fail)
    commented = _one_space_comment_lines(text)
    if commented or _may_hold_a_property(text):
        _refuse_text_left_out(node, text, commented, fail)
    return YamlDocument(name, data, node)


def _nodes(root: yaml.Node) -> Iterator[yaml.Node]:
    """Every node from ``root``, in file order; one repeated through an alias, once."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, yaml.MappingNode):
            stack.extend(reversed([part for pair in node.value for part in pair]))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))


_VALUE_START = re.compile(r"[ ]*(?:-[ ]+)*(?:[A-Za-z_][\w-]*:[ ]+)?(?P<value>(?P<start>\S).*)")
_INDICATORS = {"*": "names a value to repeat", "&": "names a value", "@": "is reserved",
               "`": "is reserved", "%": "starts a directive", ">": "starts text on the lines "
               "below", "|": "starts text on the lines below", "'": "ends the text at the "
               "closing quote", '"': "ends the text at the closing quote"}
"""What YAML reads a value's first character as, where the editor meant it as text."""


def _quoting_hint(text: str, line: int) -> str | None:
    """When the value on ``line`` (1-based) starts with a character YAML reads as its own
    (``*Not* for IV use``, ``>65 years``, ``"Caution" in older adults``), how to write it."""
    lines = text.split("\n")
    found = _VALUE_START.match(lines[line - 1]) if 0 < line <= len(lines) else None
    if found is None or found["start"] not in _INDICATORS:
        return None
    start, value = found["start"], found["value"].rstrip()
    hint = (f"a value that starts with {start} must be in quotes, all of it (YAML reads {start} "
            f"there as its own: it {_INDICATORS[start]})")
    if len(value) > 60 or "\\" in value or ('"' in value and "'" in value):
        return hint
    quote = "'" if '"' in value else '"'
    return f"{hint}: write {quote}{value}{quote}"


def _convert(node: yaml.Node, depth: int, budget: list[int], fail: Any) -> Any:
    """The node's value as plain data, refusing what only a mistake or an attack writes."""
    budget[0] -= 1
    if budget[0] < 0:
        raise fail(*_where(node), f"the file expands to more than {MAX_NODES * budget[2]:,} "
                                  "values (through '&' anchors and '*' aliases); write the values "
                                  "out instead")
    if depth > MAX_DEPTH:
        raise fail(*_where(node), f"values are nested more than {MAX_DEPTH} levels deep; a "
                                  "monograph needs far fewer: check the indentation and the "
                                  "brackets")
    kind = type(node)
    if kind is yaml.MappingNode:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                raise fail(*_where(key_node), "'<<' merge keys are not supported; write the "
                                              "fields out")
            if type(key_node) is not yaml.ScalarNode:
                raise fail(*_where(key_node), "a key must be a plain word")
            key = str(key_node.value)
            if key in out:
                first = next(k for k, _ in node.value if k.value == key)
                raise fail(*_where(key_node), f"duplicate key '{key}' (first at line "
                                              f"{_where(first)[0]}); a second one would silently "
                                              "replace the first: remove or rename one")
            out[key] = _convert(value_node, depth + 1, budget, fail)
        return out
    if kind is yaml.SequenceNode:
        return [_convert(item, depth + 1, budget, fail) for item in node.value]
    budget[1] -= len(node.value)
    if budget[1] < 0:
        raise fail(*_where(node), f"the file expands to more than "
                                  f"{MAX_EXPANDED_CHARS * budget[2]:,} characters (through '&' "
                                  "anchors and '*' aliases); write the values out instead")
    return _scalar(node)


_STR = "tag:yaml.org,2002:str"


def _one_space_comment_lines(text: str) -> set[int]:
    """The lines (0-based) where a '#' stands one space or tab after other characters: a
    comment, for YAML. Found with ``str.find`` (a pattern that starts with a set of characters
    scanned a file at 26 ns a character, a tenth of reading it)."""
    lines: set[int] = set()
    for mark in (" #", "\t#"):
        at = text.find(mark)
        while at != -1:
            if at > 0 and text[at - 1] not in " \t\r\n":
                lines.add(text.count("\n", 0, at))
            at = text.find(mark, at + 2)
    return lines


def _may_hold_a_property(text: str) -> bool:
    """Whether a '!' or '&' stands where YAML could read a tag or an anchor: first in the file,
    or after a blank, '[', '{' or ',', with no blank after it. "Pain research & management",
    "R&D" and "Caution!" do not (the reference library has many such), so the file's nodes are
    not walked for them."""
    for mark in "!&":
        at = text.find(mark)
        while at != -1:
            if (at == 0 or text[at - 1] in " \t\n[{,") and \
                    text[at + 1:at + 2] not in ("", " ", "\t", "\r", "\n"):
                return True
            at = text.find(mark, at + 1)
    return False


def _refuse_text_left_out(root: yaml.Node, text: str, commented: set[int], fail: Any) -> None:
    """Refuse what YAML would silently leave out of a value: a tag (``- !Important: avoid
    alcohol.`` reads as the text "avoid alcohol."), an anchor (``- &c caution`` reads as
    "caution"; a data file has no use for one) and a comment one space after plain text
    (``- Give with food # or milk`` reads as "Give with food"). A comment two spaces or more
    after a value, as the editors' guide writes them, and on a line of its own, are notes."""
    lines = text.split("\n")
    for node in _nodes(root):
        line, column = node.start_mark.line, node.start_mark.column
        source = lines[line] if line < len(lines) else ""
        tagged = node.tag not in (_STR, _MERGE)
        if tagged or source.startswith("&", column):  # no value but an anchor starts with '&'
            words = source[column:].split()
            written = words[0] if words else str(node.tag)
            if tagged:
                raise fail(line + 1, column + 1,
                           f"YAML reads '{written}' as a tag, not as text, and leaves it out "
                           "of the value: put the whole text in quotes")
            raise fail(line + 1, column + 1,
                       f"YAML reads '{written}' as an anchor (a name for repeating a value "
                       f"elsewhere as '*{written[1:]}'), not as text, and leaves it out of the "
                       "value: put the whole text in quotes")
        if isinstance(node, yaml.ScalarNode) and not node.style and \
                node.end_mark.line in commented:
            line, column = node.end_mark.line, node.end_mark.column
            after = lines[line][column:]
            if after.startswith((" #", "\t#")):
                comment = after.strip()
                shown = comment if len(comment) <= 40 else comment[:39] + "…"
                raise fail(line + 1, column + 2,
                           f"YAML reads '{shown}' as a comment and leaves it out of the text: "
                           "if it belongs to the text, put the whole text in quotes; if it is "
                           "a note for editors, leave two spaces before '#' or give it a line "
                           "of its own")


_COMMA_GROUP = re.compile(r"[0-9]+(\.[0-9]+)?")
_COMMA_DIGIT = re.compile(r",[0-9]")
"""A comma, then a digit; the digit before it is looked at in each match (a pattern that
starts with the comma is scanned for some ten times faster)."""


def _refuse_comma_in_number(node: yaml.MappingNode, fail: Any) -> None:
    """Name ``6,25`` in ``{value: 6,25, unit: mg}`` as the number written. Between braces a
    comma ends a field, so YAML reads ``value: 6`` and a second field ``25`` with no value; the
    schema would then call ``25`` an unknown field, and deleting it, as that suggests, would
    leave a dose of 6 mg. A number's digits, a comma and more digits with no space between are
    refused here, with the readings it could have, as on a line of its own (`value: 6,25`)."""
    pairs = node.value
    for i, (_, number) in enumerate(pairs):
        if not (type(number) is yaml.ScalarNode and not number.style and
                _INT.fullmatch(number.value)):
            continue
        groups: list[str] = []
        before = number
        for key, value in pairs[i + 1:]:
            if not (type(key) is yaml.ScalarNode and not key.style and
                    _COMMA_GROUP.fullmatch(key.value) and type(value) is yaml.ScalarNode and
                    not value.style and value.value == "" and
                    key.start_mark.line == before.end_mark.line and
                    key.start_mark.column == before.end_mark.column + 1):
                break
            groups.append(key.value)
            before = value
        if groups:
            raise fail(*_where(number), comma_message(",".join([number.value, *groups])))


def _where(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _scalar(node: yaml.Node) -> Any:
    """A scalar as the editor wrote it. Quoted scalars are always text."""
    value = str(node.value)
    if getattr(node, "style", None) in ("'", '"', "|", ">"):
        return value
    lowered = value.lower()
    if lowered in _NULL:
        return None
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    if len(value) > MAX_NUMBER_CHARS:
        return value
    if _INT.fullmatch(value):
        return int(value)
    if _DECIMAL.fullmatch(value):
        return Decimal(value)
    return value
