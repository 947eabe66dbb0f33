"""Site assembly around the rendered pages: the navigation and the final HTML clean-up."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import normalize_url

from .editorfiles import is_editor_file
from .loader import KnowledgeBase
from .render import CLASS_INDEX, classes_in_use, letter_of, letter_path, monograph_path

_PRESERVED = re.compile(r"(<(pre|textarea|script)\b.*?</\2>)", re.DOTALL | re.IGNORECASE)
_INDENT = re.compile(r"\n[ \t]+")
_BLANK_LINES = re.compile(r"\n\n+")
r"""Two line breaks or more (``\n{2,}`` finds the same, seven times slower: Python's regex
engine skips ahead only to a pattern's literal start, and that form has none)."""


def compact_html(html: str) -> str:
    """Remove leading white space from lines and blank lines, except inside ``<pre>``,
    ``<textarea>`` and ``<script>``. A line break still separates words, so nothing reads
    differently. Outside ``<article>`` (the theme's header, navigation and footer, repeated on
    every page), a line break between two tags goes too: there, tags sit in flex and block
    boxes, where it shows as nothing."""
    start, end = html.find("<article"), html.find("</article>")
    if 0 <= start < end:
        return (_compact(html[:start], chrome=True) + _compact(html[start:end], chrome=False)
                + _compact(html[end:], chrome=True))
    return _compact(html, chrome=False)


_BETWEEN_TAGS = re.compile(r">\n+<")
_NAV_LINK_TEXT = re.compile(
    r'(<a [^>]*class="md-nav__link[^"]*"[^>]*>)<span class="md-ellipsis">\n?([^<]*?)\n?</span>')
"""A navigation link's text in the span that cuts it short with "…": the link shows it whole,
wrapped (a long section name reads in full), and every page is smaller."""


def _compact(html: str, *, chrome: bool) -> str:
    parts = _PRESERVED.split(html)  # text, preserved block, its tag name, text, …
    out = []
    for i, part in enumerate(parts):
        if i % 3 == 0:
            text = _BLANK_LINES.sub("\n", _INDENT.sub("\n", part))
            out.append(_NAV_LINK_TEXT.sub(r"\1\2", _BETWEEN_TAGS.sub("><", text)) if chrome
                       else text)
        elif i % 3 == 1:
            out.append(part)
    return "".join(out)


GROUP_ABOVE = 25
"""With more monographs than this, the navigation lists A–Z pages instead of the monographs:
every page carries the navigation, and hundreds of links make every page heavy and slow to
build."""


def grouped(kb: KnowledgeBase, *, include_drafts: bool) -> bool:
    """Whether the monographs are reached through A–Z pages."""
    return len(kb.published(include_drafts=include_drafts)) > GROUP_ABOVE


def leave_out_of_nav(files: Files, nav: Any) -> None:
    """Mark each page the generator made that the navigation ``nav`` (``config.nav``) does not
    list as left out of it on purpose: with more than ``GROUP_ABOVE`` monographs, their pages
    and the drug-class pages are reached through the A–Z and class pages. MkDocs then builds
    them as before, and no longer names every one of them (2,000 lines at 2,000 monographs) on
    each build as a page missing from the navigation; a hand-written page still is."""
    listed = _nav_paths(nav)
    for file in files:
        if file.generated_by is not None and file.is_documentation_page() and \
                file.src_uri not in listed:
            file.inclusion = InclusionLevel.NOT_IN_NAV


def _nav_paths(nav: Any) -> set[str]:
    """Every page a navigation as written in ``mkdocs.yml`` lists."""
    if isinstance(nav, str):
        return {nav}
    items = nav.values() if isinstance(nav, dict) else nav if isinstance(nav, list) else ()
    return set().union(*map(_nav_paths, items))


def site_nav(content_dir: Path, kb: KnowledgeBase, *, include_drafts: bool) -> list[Any]:
    """The navigation: home, the monographs (or, when there are many, their A–Z pages and the
    list of drug classes), then the other hand-written pages."""
    monographs = [(m.monograph.title, monograph_path(m.monograph))
                  for m in kb.published(include_drafts=include_drafts)]
    section: list[Any]
    if grouped(kb, include_drafts=include_drafts):
        letters = sorted({letter_of(m.monograph) for m in kb.published(
            include_drafts=include_drafts)})
        section = [{letter: letter_path(letter)} for letter in letters]
        if classes_in_use(kb, include_drafts=include_drafts):
            section.append({"By drug class": CLASS_INDEX})
    else:
        section = [{title: path} for title, path in monographs]
    pages = sorted(p.relative_to(content_dir).as_posix() for p in content_dir.rglob("*.md")
                   if "overrides" not in p.relative_to(content_dir).parts
                   and not is_editor_file(p))
    home = [{"Home": p} for p in pages if p == "index.md"]
    others = [p for p in pages if p != "index.md"]
    return [*home, {"Monographs": section}, *others]


NavKey = tuple[tuple[str, str | None, str | None, bool, str], ...]


class NavCache:
    """The primary navigation's HTML, rendered once for all the pages that show it alike
    (``content/overrides/main.html``): Material's navigation macros took a quarter of the theme's
    time at 2,000 monographs, and every monograph page shows the same navigation.

    Two pages show it alike when neither is in it and each of its links, written relative to
    the page, and each title, active mark and page metadata (icon, status) is the same: the key
    is all of those, so a page whose navigation could differ in any way gets its own. A page's
    template, which the build swaps as it shares pages between processes, is left out: the
    navigation never shows it."""

    def __init__(self) -> None:
        self._html: dict[NavKey, str] = {}

    def key(self, page: Page | None, nav: Navigation | None, base_url: str) -> NavKey | None:
        """What the navigation shown on ``page`` depends on, or None (never kept) for a page
        that is in the navigation: its own entry is marked there."""
        if page is None or nav is None:
            return None
        key: list[tuple[str, str | None, str | None, bool, str]] = []
        items = list(nav.items)
        if nav.homepage is not None:
            items.append(nav.homepage)
        while items:
            item = items.pop()
            if item is page:
                return None
            url = getattr(item, "url", None)
            meta = getattr(item, "meta", None)
            if isinstance(meta, dict) and "template" in meta:  # the build's, never shown
                meta = {k: v for k, v in meta.items() if k != "template"}
            key.append((type(item).__name__, item.title,
                        None if url is None else normalize_url(url, page, base_url),
                        bool(item.active), repr(meta)))
            items.extend(item.children or ())
        return tuple(key)

    def has(self, key: NavKey | None) -> bool:
        """Whether the navigation for ``key`` is already rendered."""
        return key is not None and key in self._html

    def get(self, key: NavKey) -> str:
        """The navigation rendered for ``key``."""
        return self._html[key]

    def keep(self, key: NavKey | None, html: str) -> str:
        """Keep the navigation just rendered for ``key`` (unless None); returns it."""
        if key is not None:
            self._html[key] = html
        return html
