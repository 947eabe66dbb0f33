"""Read YAML safely, as the editor wrote it, remembering where every value stands.

PyYAML gives no line for a schema error, so the loader composes the node tree itself and records the
position of each value and each key. Scalars are read by our rules, not YAML 1.1's: ``yes``, ``on``
and ``no`` stay words, ``012`` and ``1:30`` stay text, dates stay text until the schema reads them,
and decimals are exact (``0.15`` is ``Decimal('0.15')``, never a binary float).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, display_path

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


@dataclass
class YamlDocument:
    """A parsed YAML file: plain Python data plus the (line, column) of every value and key."""

    file: str
    data: Any
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """Where ``path`` stands, or its nearest ancestor when the value itself is missing."""
        if key and path in self.keys:
            return self.keys[path]
        p = path
        while p:
            if p in self.values:
                return self.values[p]
            p = p[:-1]
        return self.values.get((), (1, 1))

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
    for number, line_text in enumerate(text.splitlines(), start=1):
        indent = len(line_text) - len(line_text.lstrip(" \t"))
        if "\t" in line_text[:indent]:
            raise fail(number, line_text.index("\t") + 1,
                       "a tab is used for indenting; YAML needs spaces (use 2 spaces per level)")
    try:
        node = yaml.compose(text, Loader=_SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = e.problem or "not valid YAML"
        raise fail(line, column, f"not valid YAML: {problem}"
                                 "; check the indentation and that text with ':' or '#' is quoted"
                   ) from e
    except yaml.reader.ReaderError as e:
        before = text[: e.position]
        line = before.count("\n") + 1
        column = e.position - (before.rfind("\n") + 1) + 1
        raise fail(line, column, f"the file contains the control character #x{e.character:04x}, "
                                 "which YAML does not allow; delete it") from e
    except yaml.YAMLError as e:
        raise fail(1, 1, f"not valid YAML: {' '.join(str(e).split())}") from e
    doc = YamlDocument(name, None)
    if node is None:
        doc.data = None
        return doc
    budget = [MAX_NODES * scale, MAX_EXPANDED_CHARS * scale, scale]
    doc.data = _convert(node, (), doc, budget, fail)
    return doc


def _convert(node: yaml.Node, path: Path_, doc: YamlDocument, budget: list[int],
             fail: Any) -> Any:
    budget[0] -= 1
    where = (node.start_mark.line + 1, node.start_mark.column + 1)
    if budget[0] < 0:
        raise fail(*where, f"the file expands to more than {MAX_NODES * budget[2]:,} values "
                           "(through '&' anchors and '*' aliases); write the values out instead")
    if len(path) > MAX_DEPTH:
        raise fail(*where, f"values are nested more than {MAX_DEPTH} levels deep; a monograph "
                           "needs far fewer: check the indentation and the brackets")
    if isinstance(node, yaml.ScalarNode):
        budget[1] -= len(node.value)
        if budget[1] < 0:
            raise fail(*where, f"the file expands to more than "
                               f"{MAX_EXPANDED_CHARS * budget[2]:,} characters "
                               "(through '&' anchors and '*' aliases); write the values out "
                               "instead")
    doc.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise fail(line, column, "'<<' merge keys are not supported; write the fields out")
            if not isinstance(key_node, yaml.ScalarNode):
                raise fail(line, column, "a key must be a plain word")
            key = str(key_node.value)
            if key in out:
                first = doc.keys[(*path, key)]
                raise fail(line, column, f"duplicate key '{key}' (first at line {first[0]}); "
                                         "a second one would silently replace the first: "
                                         "remove or rename one")
            doc.keys[(*path, key)] = (line, column)
            out[key] = _convert(value_node, (*path, key), doc, budget, fail)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), doc, budget, fail) for i, item in enumerate(node.value)]
    return _scalar(node)


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
