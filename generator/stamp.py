"""Material's page template rendered once for the monograph pages of a build, not once a page.

The theme's template took about 1.8 ms a page (3.7 s of CPU at 2,000 monographs) to write
what is, on every monograph page, the same header, navigation, footer and scripts around three
things that differ: the page's title, its table of contents and its article. ``PageStamp``
renders the template once for a probe page whose title, table of contents and article are
markers found nowhere else, and cuts the output at each marker: the title as each filter of the
template wrote it (as it is, stripped of tags, escaped or URL-encoded), the table of contents
as Material's own partial writes it (each distinct one written once), the link that skips to
its first entry, the article, and the page's own address where the site has one. A page is
then the pieces joined with its own.

A page is stamped only when everything else the template reads of it is what it was for the
first monograph page, the stamp's model (its metadata, its place in the navigation, its depth
in the site, the pages before and after it): any other page goes through the template whole.
The stamp is checked against two pages put through the template whole before any page is
stamped; if either differs by a byte, or a marker turns up where no filter explains it, no
page is stamped.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2
from markdown.extensions.toc import nest_toc_tokens  # type: ignore[import-untyped]
from mkdocs.commands.build import get_context
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from .site import NavCache

STAMPED = "kb-page-stamped.html"
"""The template of a stamped page: it writes what ``PageStamp`` made (``kb_stamped``)."""

STAMPED_SOURCE = "{{ kb_stamped }}"

_PROBE = "kbprobe"
"""In every marker, and nowhere in a page the stamp is cut from (checked)."""
_PROBE_TITLE = "Kbprobetitle &amp; <em>y</em> 'z\""
"""A title each filter the template could apply writes differently."""
_PROBE_ARTICLE = "<!--kb-article kbprobearticle <h1-->"
_PROBE_CANONICAL = "https://kbprobe.invalid/kbprobecanonical/"
_PROBE_SKIP = "kbprobetoc"
_PROBE_TOC = [
    {"level": 1, "id": _PROBE_SKIP, "name": "Kbprobetoc", "html": "Kbprobetoc",
     "data-toc-label": "", "children": []},
    {"level": 2, "id": "kbprobesection", "name": "Kbprobesection", "html": "Kbprobesection",
     "data-toc-label": "", "children": []},
]

_TOC_TEMPLATE = ('{% import "partials/language.html" as lang with context %}'
                 '{% set features = config.theme.features or [] %}'
                 '{% include "partials/toc.html" %}')
"""Material's table of contents as its page template includes it."""


def _title_forms(env: jinja2.Environment) -> dict[str, Callable[[str], str]]:
    """What the template may make of a page title, by name."""
    striptags, escape, urlencode = (env.filters[name] for name in ("striptags", "e",
                                                                  "urlencode"))
    return {
        "title": str,
        "title|striptags": lambda t: str(striptags(t)),
        "title|e": lambda t: str(escape(t)),
        "title|urlencode": lambda t: str(urlencode(t)),
        "title|striptags|e": lambda t: str(escape(striptags(t))),
        "title|striptags|urlencode": lambda t: str(urlencode(striptags(t))),
    }


class _Probe:
    """A page as the template sees it, with the title, table of contents, article and
    canonical address given; the rest is the model page's."""

    def __init__(self, page: Page, **given: Any) -> None:
        self._page = page
        vars(self).update(given)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._page, name)


@dataclass
class _Model:
    """What a page's output depends on besides its title, table of contents and article,
    as it was for the page the stamp was cut from."""

    meta: dict[str, Any]
    base_url: str
    nav_key: Any
    parent: Any
    edit_url: str | None
    canonical: bool


class PageStamp:
    """The theme's page template, rendered once and filled for each monograph page."""

    def __init__(self, env: jinja2.Environment, nav: NavCache, pieces: list[str],
                 slots: list[str], model: _Model) -> None:
        self._toc = env.from_string(_TOC_TEMPLATE)
        self._tocs: dict[tuple[Any, ...], str] = {}
        """Each table of contents written, by what Material's partial reads of it: most
        monographs have the same sections."""
        self._forms = _title_forms(env)
        self._pieces = pieces
        self._slots = slots
        self._model = model
        self._nav = nav

    @classmethod
    def make(cls, env: jinja2.Environment, template: str, pages: Sequence[Page], *,
             config: MkDocsConfig, nav: Navigation, doc_files: Sequence[File]
             ) -> PageStamp | None:
        """A stamp of ``template`` cut from the first of ``pages`` and checked against the
        first two, each put through the template whole first (so that the navigation the stamp
        holds is one a real page was given); None when there are not two pages or the stamp
        would write either differently."""
        cache = env.globals.get("kb_nav")
        if len(pages) < 2 or not isinstance(cache, NavCache):
            return None
        theme = env.get_template(template)
        whole = []
        for page in pages[:2]:
            with _built(page, config):
                context = get_context(nav, doc_files, config, page)
                whole.append((page, context, theme.render(context)))
        model_page, model_context, _ = whole[0]
        with _built(model_page, config):
            stamp = cls._cut(env, cache, theme, model_page, model_context)
        if stamp is None:
            return None
        for page, context, output in whole:
            with _built(page, config):
                if not stamp.fits(page, context) or stamp.render(page, context) != output:
                    return None
        return stamp

    @classmethod
    def _cut(cls, env: jinja2.Environment, nav: NavCache, theme: jinja2.Template, page: Page,
             context: Mapping[str, Any]) -> PageStamp | None:
        model = _Model(_meta(page), context["base_url"],
                       nav.key(page, context["nav"], context["base_url"]), page.parent,
                       page.edit_url, page.canonical_url is not None)
        if model.nav_key is None or not _has_parts(page):
            return None
        probe = _Probe(page, title=_PROBE_TITLE, content=_PROBE_ARTICLE,
                       toc=get_toc(nest_toc_tokens([dict(t) for t in _PROBE_TOC])),
                       canonical_url=_PROBE_CANONICAL if model.canonical else None)
        probe_context = {**context, "page": probe}
        output = theme.render(probe_context)
        by_text = {env.from_string(_TOC_TEMPLATE).render(probe_context): "toc",
                   _PROBE_ARTICLE: "article", "#" + _PROBE_SKIP: "skip"}
        if model.canonical:
            by_text[_PROBE_CANONICAL] = "canonical"
        every_form = _title_forms(env)
        forms = {form(_PROBE_TITLE): name for name, form in every_form.items()}
        if len(forms) < len(every_form) or set(forms) & set(by_text):
            return None  # two forms alike: which one a page needs could not be told
        by_text.update(forms)
        pattern = re.compile("|".join(re.escape(t) for t in sorted(by_text, key=len,
                                                                    reverse=True)))
        pieces, slots, position = [], [], 0
        for match in pattern.finditer(output):
            pieces.append(output[position:match.start()])
            slots.append(by_text[match.group(0)])
            position = match.end()
        pieces.append(output[position:])
        if slots.count("toc") != 1 or slots.count("article") != 1 or \
                any(_PROBE in piece.lower() for piece in pieces):
            return None  # a marker the template wrote some other way: no stamp
        return cls(env, nav, pieces, slots, model)

    def fits(self, page: Page, context: Mapping[str, Any]) -> bool:
        """Whether the stamp writes ``page`` as the template would: everything the template
        reads of it, but its title, table of contents and article, is the model page's."""
        model = self._model
        return (_has_parts(page) and context["base_url"] == model.base_url
                and _meta(page) == model.meta and page.parent is model.parent
                and page.edit_url == model.edit_url
                and (page.canonical_url is not None) == model.canonical
                and not page.is_homepage and page.previous_page is None
                and page.next_page is None and not page.file.inclusion.is_excluded()  # type: ignore[no-untyped-call]
                and self._nav.key(page, context["nav"], context["base_url"]) == model.nav_key)

    def render(self, page: Page, context: Mapping[str, Any]) -> str:
        """The page as the template writes it (``fits`` said it may be stamped)."""
        title = page.title or ""
        values: dict[str, str] = {}
        for slot in self._slots:
            if slot in values:
                continue
            if slot == "toc":
                key = _toc_key(page.toc)
                toc = self._tocs.get(key)
                if toc is None:
                    toc = self._tocs[key] = self._toc.render(context)
                values[slot] = toc
            elif slot == "article":
                values[slot] = page.content or ""
            elif slot == "skip":
                values[slot] = next(iter(page.toc)).url
            elif slot == "canonical":
                values[slot] = page.canonical_url or ""
            else:
                values[slot] = self._forms[slot](title)
        out = [self._pieces[0]]
        for slot, piece in zip(self._slots, self._pieces[1:], strict=True):
            out += (values[slot], piece)
        return "".join(out)


def _toc_key(toc: Iterable[Any]) -> tuple[Any, ...]:
    """What Material's table of contents reads of a page's: the entries below its title when
    it starts with one (it shows those), else all of them."""
    first = next(iter(toc), None)
    if first is not None and first.level == 1:
        return ("below the title", _entries(first.children))
    return ("all", _entries(toc))


def _entries(toc: Iterable[Any]) -> tuple[Any, ...]:
    """Each entry's level, title, link and typeset title, and its entries below."""
    return tuple((item.level, item.title, item.url, getattr(item, "typeset", None),
                  _entries(item.children)) for item in toc)


def _meta(page: Page) -> dict[str, Any]:
    return {k: v for k, v in page.meta.items() if k != "template"}


def _has_parts(page: Page) -> bool:
    """A page with a title, a table of contents headed by it and an article holding its
    first-level heading (the template then writes no heading of its own)."""
    first = next(iter(page.toc), None)
    return (first is not None and first.level == 1 and bool(page.title)
            and "<h1" in (page.content or ""))


@contextlib.contextmanager
def _built(page: Page, config: MkDocsConfig) -> Iterator[None]:
    """A page as MkDocs sets it while it builds it: active, and the configuration's current
    page; put back as it was after."""
    active, current = page.active, getattr(config, "_current_page", None)
    page.active = True
    config._current_page = page
    try:
        yield
    finally:
        page.active = active
        config._current_page = current
