"""A monograph page's HTML from its skeleton, without a Python-Markdown pass over each page.

A generated page is headings (Markdown, for the table of contents) and placeholders for the HTML
blocks between them (:func:`generator.render.stash_html_blocks`). Python-Markdown spent about
3.8 ms a page on the headings alone, mostly in the table-of-contents extension. Most headings are
the same on every page ("Dosing", "Interactions"), so each distinct heading line is converted
once, by Python-Markdown with the site's own extensions, and the page is joined from the results
the way Python-Markdown joins its block elements. A skeleton with any other line, or with an id
twice, is left to MkDocs. Tests compare both paths on every fixture page.
"""

from __future__ import annotations

import json
import logging
import re
import zlib
from collections.abc import Iterator, Set
from dataclasses import dataclass
from typing import Any

import markdown  # type: ignore[import-untyped]
from markdown.extensions.toc import (  # type: ignore[import-untyped]
    TocTreeprocessor,
    nest_toc_tokens,
)
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page, _ExtractTitleTreeprocessor
from mkdocs.structure.toc import AnchorLink, TableOfContents, get_toc

_HEADING = re.compile(r"(#{1,6} .*?)(<sup class=\"kb-cite\".*</sup>)?( \{: #[^{}]*\})?")
"""A generated heading: its text, the citation marks the renderer put after it, and its
attributes (id and table-of-contents label)."""
_PLACEHOLDER = re.compile(r"KBHTMLBLOCK(\d{5})")
_PLAIN_TITLE = re.compile(r"# ([A-Za-z0-9]+(?: [A-Za-z0-9]+)*)")
"""A page title of plain words (most are): Python-Markdown leaves its text as it is and gives it
the id its table-of-contents extension makes of it."""
_SAMPLE_TITLE = "Kbplaintitle"
_ID = re.compile(r' id="([^"]*)"')
_MKDOCS_PAGES_LOG = logging.getLogger("mkdocs.structure.pages")


@dataclass(frozen=True)
class _Heading:
    html: str
    """Without its citation marks, which go before the closing tag."""
    close: str
    toc: tuple[dict[str, Any], ...]
    ids: frozenset[str]
    title: str | None
    """The page title MkDocs takes from a first-level heading."""


def _plain_title(text: str, toc: TocTreeprocessor) -> _Heading:
    """A title of plain words as Python-Markdown converts it, given its table-of-contents
    extension (``SkeletonRenderer`` checks a sample first): the text as it is, its id made by the
    extension's own slug function."""
    slug = toc.slugify(text, toc.sep)
    return _Heading(f'<h1 id="{slug}">{text}', "</h1>",
                    ({"level": 1, "id": slug, "name": text, "html": text, "data-toc-label": "",
                      "children": []},), frozenset({slug}), text)


class SkeletonRenderer:
    """Renders skeletons for one build (its Markdown extensions); keeps each heading line's
    conversion for the pages after."""

    def __init__(self, config: MkDocsConfig) -> None:
        self._md = markdown.Markdown(extensions=config["markdown_extensions"],
                                     extension_configs=config["mdx_configs"] or {})
        self._title = _ExtractTitleTreeprocessor()
        self._title._register(self._md)
        self._headings: dict[str, _Heading] = {}
        toc = next((t for t in self._md.treeprocessors if isinstance(t, TocTreeprocessor)), None)
        sample = self._heading(f"# {_SAMPLE_TITLE}", keep=False)
        self._toc = toc if toc is not None and sample == _plain_title(_SAMPLE_TITLE, toc) else None
        """The table-of-contents extension, when the site's Markdown (its extensions as this
        site configures them) turns a plain title into exactly what ``_plain_title`` writes."""

    def _heading(self, line: str, *, keep: bool = True) -> _Heading:
        found = self._headings.get(line)
        if found is None:
            self._md.reset()
            self._title.title = None
            html = self._md.convert(line)
            close = html[html.rindex("</"):]
            found = _Heading(html[: -len(close)], close,
                             tuple(getattr(self._md, "toc_tokens", [])),
                             frozenset(_ID.findall(html)), self._title.title)
            if keep:
                self._headings[line] = found
        return found

    def _title_heading(self, line: str) -> _Heading:
        """A page's title heading as Python-Markdown converts it; a title of plain words without
        a pass of Python-Markdown (0.3 ms a page), as the sample title showed it would."""
        if self._toc is not None and (plain := _PLAIN_TITLE.fullmatch(line)):
            return _plain_title(plain.group(1), self._toc)
        return self._heading(line, keep=False)

    def render(self, page: Page, blocks: list[str]) -> bool:
        """Set the page's content, table of contents, title and anchors as MkDocs' own render
        would; False, touching nothing, when the skeleton holds anything but headings and
        placeholders, or an id twice (a title whose id is a section's)."""
        converted = self.convert(page.markdown or "", blocks)
        if converted is None:
            return False
        converted.apply(page)
        return True

    def convert(self, skeleton: str, blocks: list[str]) -> Converted | None:
        """What ``render`` sets on a page of this skeleton, or None where it would return
        False: a build converts each page as it renders it, on both cores."""
        parts: list[str] = []
        tokens: list[dict[str, Any]] = []
        ids: set[str] = set()
        title = None
        for line in skeleton.split("\n"):
            if not line:
                continue
            placeholder = _PLACEHOLDER.fullmatch(line)
            if placeholder:
                parts.append(blocks[int(placeholder.group(1))])
                continue
            heading = _HEADING.fullmatch(line)
            if heading is None:
                return None
            text, cite, attributes = heading.groups()
            if line.startswith("# "):  # the title: converted whole, and not kept (one page has it)
                converted = self._title_heading(line)
                cite = ""
                if not parts:
                    title = converted.title
            else:
                converted = self._heading(text + (attributes or ""))
            parts.append(converted.html + (cite or "") + converted.close)
            found = converted.ids | set(_ID.findall(cite or ""))
            if found & ids:  # Python-Markdown would number an id apart: the page is left to it
                return None
            ids |= found
            tokens += converted.toc
        return Converted("\n".join(parts), _stored(tokens), title, _stored(sorted(ids)))


@dataclass(frozen=True)
class Converted:
    """A page's skeleton converted: its content, the tokens of its table of contents (before
    nesting) and its anchors' ids, each as compressed JSON text, and its title. The page keeps
    them that way (``StoredToc``, ``StoredIds``): 2,000 realistic pages' tokens are 1.4 MiB
    compressed, 6.9 MiB as JSON text, and 14 MiB as MkDocs' entries in each of a build's
    processes."""

    content: str
    tokens: bytes
    title: str | None
    ids: bytes

    def apply(self, page: Page, *, content: str | None = None) -> None:
        """Set them on ``page`` as MkDocs' own render would (its content ``content`` when
        given: a build's marker for an article kept on disk)."""
        page.content = self.content if content is None else content
        page.toc = StoredToc(self.tokens)
        page._title_from_render = self.title
        page.present_anchor_ids = StoredIds(self.ids)  # type: ignore[assignment]
        if _MKDOCS_PAGES_LOG.getEffectiveLevel() > logging.DEBUG:  # as MkDocs does
            page.links_to_anchors = {}


class StoredToc(TableOfContents):
    """A page's table of contents as MkDocs' own render sets it, made from its tokens (compressed
    JSON text) when something first reads it, and let go again by ``release`` once the page is
    written: a build of 2,000 pages then holds one page's entries at a time, not 14 MiB of them
    in each of its processes. Nothing sets its entries from outside (a property without a
    setter: trying raises)."""

    def __init__(self, tokens: bytes) -> None:  # not TableOfContents': no entries made yet
        self._tokens = tokens
        self._items: list[AnchorLink] | None = None

    @property
    def items(self) -> list[AnchorLink]:  # type: ignore[override]
        """The entries, as ``mkdocs.structure.toc.get_toc`` makes them."""
        if self._items is None:
            self._items = get_toc(nest_toc_tokens(_unstored(self._tokens))).items
        return self._items

    def release(self) -> None:
        """Let the entries go; they are made again, the same, if read again (a preview)."""
        self._items = None


class StoredIds(Set[str]):
    """A page's anchors' ids, which MkDocs keeps until the build's end to check links to them
    (``present_anchor_ids``; it only asks whether an id is there), kept as compressed JSON text
    and read each time it is asked: 2,000 realistic pages' are 0.5 MiB so, against 2.4 MiB of
    sets in each of a build's processes."""

    def __init__(self, ids: bytes) -> None:
        self._ids = ids

    def _read(self) -> list[str]:
        ids: list[str] = _unstored(self._ids)
        return ids

    def __contains__(self, anchor: object) -> bool:
        return anchor in self._read()

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())


def _stored(value: Any) -> bytes:
    """``value`` as JSON text, compressed (quickly: it is read back at most a few times)."""
    return zlib.compress(json.dumps(value).encode(), 1)


def _unstored(data: bytes) -> Any:
    """What :func:`_stored` kept, as new objects (nesting the tokens changes them)."""
    return json.loads(zlib.decompress(data))
