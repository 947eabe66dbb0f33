"""Citations: find them in page order, number them by first appearance, compress ranges.

Numbering follows Vancouver/AMA: each work gets the number of its first appearance in the body of
the monograph (the at-a-glance box repeats numbers from the body and does not set them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from . import inline
from .model import Monograph, iter_strings
from .yamlsource import Path_

EN_DASH = "–"


def iter_cited_keys(value: Any, path: Path_ = (), *,
                    strings: list[tuple[Path_, str]] | None = None
                    ) -> Iterator[tuple[Path_, str]]:
    """Every citation key under ``value`` with its path, in declaration (page) order: the items
    of ``citations`` lists, and the ``[@key]`` citations inside text. ``strings`` may give the
    walk of ``value`` already made (``iter_strings``)."""
    for where, text in strings if strings is not None else iter_strings(value, path):
        if len(where) >= 2 and where[-2] == "citations":
            yield where, text
        elif "[@" in text:
            try:
                keys = inline.cited_keys(text)
            except inline.InlineError:  # a name, not a text field: its brackets are just words
                continue
            for key in keys:
                yield where, key


def number_citations(monograph: Monograph,
                     cited: list[tuple[Path_, str]] | None = None) -> dict[str, int]:
    """Citation key → number, by first appearance in the body sections of the page (the boxed
    warning first, then the sections in page order), then anything cited outside the body.
    One walk over the monograph (``cited`` may give it, made already: ``iter_cited_keys``); a
    stable sort by section keeps each section's own order. Worked out once per monograph:
    the page and each export ask again."""
    kept = monograph._citation_numbers
    if kept is None:
        rank = {name: i for i, name in enumerate(("boxed_warning", *monograph.section_order))}
        found = sorted(iter_cited_keys(monograph) if cited is None else cited,
                       key=lambda item: rank.get(str(item[0][0]), len(rank)))
        kept = {}
        for _, key in found:
            kept.setdefault(key, len(kept) + 1)
        monograph._citation_numbers = kept
    return dict(kept)


def compress(numbers: list[int]) -> list[tuple[int, int]]:
    """Sorted, de-duplicated runs; a run of three or more is one ``(first, last)`` pair.

    ``[1, 2, 3, 5, 6]`` → ``[(1, 3), (5, 5), (6, 6)]`` (shown as 1–3,5,6).
    """
    ordered = sorted(set(numbers))
    runs: list[list[int]] = []
    for n in ordered:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    out: list[tuple[int, int]] = []
    for run in runs:
        if len(run) >= 3:
            out.append((run[0], run[-1]))
        else:
            out.extend((n, n) for n in run)
    return out


def compressed_label(numbers: list[int]) -> str:
    """The text of a citation group: ``1–3,5``."""
    return ",".join(str(a) if a == b else f"{a}{EN_DASH}{b}" for a, b in compress(numbers))


@dataclass
class CitationMarker:
    """Renders superscript citation groups and remembers where each work was cited.

    Each group gets an anchor ``cite-N`` so that a reference can link back to every place it was
    cited, in page order.
    """

    numbers: dict[str, int]
    backlinks: dict[str, list[str]] = field(default_factory=dict)
    _count: int = 0

    def __call__(self, keys: list[str] | tuple[str, ...], *, backlink: bool = True) -> Markup:
        """A ``<sup>`` group for these keys; each shown number links to its reference. With
        ``backlink=False`` (a place that is hidden until used, such as the calculator's results)
        the references do not link back to it."""
        if not keys:
            return Markup("")
        by_number = {self.numbers[k]: k for k in keys}
        parts = []
        for first, last in compress(list(by_number)):
            piece = _link(by_number[first], first)
            if last != first:
                piece += EN_DASH + _link(by_number[last], last)
            parts.append(piece)
        if not backlink:
            return Markup(f'<sup class="kb-cite">{",".join(parts)}</sup>')
        self._count += 1
        anchor = f"cite-{self._count}"
        for key in dict.fromkeys(keys):
            self.backlinks.setdefault(key, []).append(anchor)
        return Markup(f'<sup class="kb-cite" id="{anchor}">{",".join(parts)}</sup>')


def _link(key: str, number: int) -> str:
    """One reference number in a citation group, linked to its reference (HTML). Written with
    an f-string and ``escape``: ``Markup.format`` goes through Python's ``string.Formatter``, a
    tenth of rendering a page."""
    return f'<a href="#ref-{escape(key)}" aria-label="Reference {number}">{number}</a>'
