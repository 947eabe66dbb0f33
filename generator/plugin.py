"""The MkDocs plugin: thin wiring from MkDocs' hooks to the plain functions of the pipeline.

``on_config`` loads and checks all data before MkDocs writes anything, and renders the
monograph pages, converts a build's (generator/skeleton.py), writes their exports and indexes
them for search (on both cores for a large formulary; a build renders each monograph as soon
as it is read and keeps only its listing, ``loader.load_and_render``); ``on_files`` adds them
as generated files (nothing is written into ``content/``) and merges the halves' search indexes;
``on_pre_page`` has a monograph page take its conversion, or be joined from its skeleton,
instead of Python-Markdown's pass; ``on_page_markdown`` fills the monograph lists (home page,
A–Z and drug-class pages); ``on_page_content`` puts back the generated HTML of a page
Python-Markdown did convert and indexes the hand-written pages for search; ``on_env`` writes
the search index; ``on_page_context``, at a large build's first page, stamps the theme's
template for the monograph pages (generator/stamp.py) and has a forked process share the
pages' trip through it (``on_post_build`` waits for it); ``on_post_page`` puts each article
back, linked to its exports, and compacts the HTML; ``on_serve`` watches ``data/``.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import ChoiceLoader, DictLoader, Environment
from markupsafe import Markup
from mkdocs.commands.build import _build_page
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from . import linkmessages, parallel
from .errors import KbError
from .export import (
    FHIR_JSON,
    MonographExport,
    formulary_pieces,
    link_exports,
    monograph_exports,
    schema_export,
)
from .loader import (
    KnowledgeBase,
    LoadedMonograph,
    collector_paused,
    load_and_render,
    load_knowledge_base,
)
from .model import Monograph
from .parallel import Background, Tickets, in_background, in_halves
from .render import (
    TEMPLATES,
    fill_index_markers,
    monograph_path,
    render_class_pages,
    render_letter_pages,
    render_page,
    restore_html_blocks,
    stash_html_blocks,
)
from .search import Analysed, SearchDoc, SearchIndex, SearchPart, monograph_doc, page_doc
from .site import NavCache, compact_html, grouped, leave_out_of_nav, site_nav
from .skeleton import Converted, SkeletonRenderer, StoredToc
from .spool import Spool, Spooled
from .stamp import STAMPED, STAMPED_SOURCE, PageStamp
from .version import content_version

if TYPE_CHECKING:  # a build never serves: the server's modules (watchdog, …) are 3.3 MiB
    from mkdocs.livereload import LiveReloadServer

OFFLINE_ENV = "KB_OFFLINE"
"""Set to true for the offline bundle: links end in index.html, so it works from file://."""

PREVIEW_INDEX = "index.js"
"""The search index's main file in a preview: a stable name, so an edit rewrites one page, not
every page that links the index."""

INCLUDE_DRAFTS_ENV = "KB_INCLUDE_DRAFTS"
"""Set to 0 for a release build: drafts are then left out of the site."""

log = logging.getLogger("mkdocs.plugins.clinical_kb")

THEME_TEMPLATE = "main.html"
"""The theme's page template: MkDocs' choice for a page whose metadata names none."""

STAMP_FROM = 10
"""Monograph pages from which the theme's template is rendered once for all (``_stamp_pages``):
making and checking the stamp takes three passes of the template."""

WRITTEN_ELSEWHERE = "kb-page-written-by-the-other-process.html"
"""A blank template: a page the second process writes renders to nothing in this one, which
MkDocs then does not write."""


THEME_RUNS = 64
"""The runs a build's pages are cut into for the theme's template, which this process and a
forked one take in turn, each as it finishes its last: at 2,000 monographs a run is 33 pages,
about 0.13 s of one process's work, so neither waits much longer than that for the other (with
the pages cut in two halves, the main process waited up to 0.69 s for the other at the end of
four builds)."""


@dataclasses.dataclass
class _OtherHalf:
    """The pages this process and a forked one put through the theme's template, in runs."""

    process: Background
    runs: list[list[tuple[Page, str | None]]]
    """Each run's pages, each with the ``template`` its metadata named, if any."""
    tickets: Tickets
    here: set[int]
    """The runs this process took."""
    take_after: Page | None
    """The page after which this process takes its next run (None: none are left)."""
    build: Callable[[Iterable[Page]], None]
    """Build pages here: those of a run the other process took, if it did not do them all."""
    quiet: logging.Filter

    def take(self) -> None:
        """Take the next run no process has taken yet: its pages are built here."""
        number = self.tickets.take()
        self.take_after = None
        if number is not None:
            self.here.add(number)
            for page, template in self.runs[number]:
                _use_template(page, template)
            self.take_after = self.runs[number][-1][0]


def _use_template(page: Page, template: str | None) -> None:
    """Give a page back the template its metadata named (none: the theme's main one)."""
    if template is None:
        page.meta.pop("template", None)
    else:
        page.meta["template"] = template


def _write_export(export_dir: Path, path: str, pieces: Iterable[str]) -> str:
    """Keep in ``export_dir`` the export a build publishes at ``path`` (returned), written from
    its text in pieces (the formulary's Bundle is 36 MB at 2,000 monographs: never joined in
    memory), as UTF-8 bytes: the Bundle reads each resource back exactly as written (a "\\r"
    stays one)."""
    with _kept(export_dir, path).open("wb") as out:
        for piece in pieces:
            out.write(piece.encode("utf-8"))
    return path


def _kept(export_dir: Path, path: str) -> Path:
    """Where a build keeps, until MkDocs links it into the site, the export it publishes at
    ``path``: every one in ``export_dir`` itself, its "/" written as "%" (no page address holds
    one), since creating a folder for each monograph cost a fifth of a millisecond of CPU."""
    return export_dir / path.replace("/", "%")


@dataclasses.dataclass(frozen=True)
class _ConvertedPage:
    """A build's monograph page converted as it was rendered: where its article waits in the
    spool, whether the article holds its first-level heading, and the rest of what MkDocs'
    reading of the page sets (its content left out; None once set on the page, which then
    holds it)."""

    article: Spooled
    has_h1: bool
    page: Converted | None


@dataclasses.dataclass
class _Half:
    """One half of the monographs rendered, in the process that read them: a preview's pages
    (Markdown) or a build's (where each waits in the spool), by path; the exports written;
    each monograph's share of the formulary files, by source file name; and a build's search
    documents, indexed as they were rendered."""

    pages: dict[str, str] = dataclasses.field(default_factory=dict)
    page_files: dict[str, Spooled | _ConvertedPage] = dataclasses.field(default_factory=dict)
    written: list[str] = dataclasses.field(default_factory=list)
    parts: dict[str, MonographExport] = dataclasses.field(default_factory=dict)
    search: SearchPart | None = None


class _SpooledPage(File):
    """A build's monograph page, its Markdown waiting in the build's spool until MkDocs reads
    it, or (``converted``) its article waiting there, converted already."""

    spooled: Spooled | None
    converted: _ConvertedPage | None

    @classmethod
    def waiting(cls, config: MkDocsConfig, src_uri: str,
                spooled: Spooled | _ConvertedPage) -> _SpooledPage:
        """The page at ``src_uri`` whose Markdown, or converted article, waits at
        ``spooled``."""
        page_file = cls.generated(config, src_uri, content="")  # never read: see below
        assert isinstance(page_file, cls)
        page_file.spooled, page_file.converted = (
            (None, spooled) if isinstance(spooled, _ConvertedPage) else (spooled, None))
        return page_file

    @property
    def content_string(self) -> str:
        if self.spooled is None:
            raise TypeError(f"{self.src_uri} was converted as it was rendered; its Markdown "
                            "was not kept")
        return self.spooled.read()

    @content_string.setter
    def content_string(self, value: str) -> None:
        raise TypeError(f"{self.src_uri} is read from the build's spool; it takes no new text")

    @property
    def content_bytes(self) -> bytes:
        return self.content_string.encode("utf-8")

    @content_bytes.setter
    def content_bytes(self, value: bytes) -> None:
        raise TypeError(f"{self.src_uri} is read from the build's spool; it takes no new text")


class _Export(File):
    """An export the build wrote in its own folder, linked into the site rather than copied
    (a second name for the same file, then the folder's name removed): at 2,000 monographs the
    4,000 exports took MkDocs 2 s to copy. Copied where a link cannot be made (another disk)."""

    def copy_file(self, dirty: bool = False) -> None:
        if (dirty and not self.is_modified()) or self.abs_src_path is None:
            super().copy_file(dirty)
            return
        target = Path(self.abs_dest_path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)
            os.link(self.abs_src_path, target)
        except OSError:
            super().copy_file(dirty)


class _CountWarnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _url_to(files: Files, path: str, page: Page) -> str:
    target = files.get_file_from_path(path)
    if target is None:
        raise PluginError(f"{page.file.src_uri} links {path}, which the build did not write")
    return target.url_relative_to(page.file)


def export_settings(config: MkDocsConfig) -> dict[str, str]:
    """The content version and the one-line disclaimer every exported file carries."""
    return {"version": config.extra["kb_version"],
            "disclaimer": " ".join(config.extra["kb"]["disclaimer"].split())}


class ClinicalKbConfig(Config):  # type: ignore[no-untyped-call]  # mkdocs leaves it untyped
    """Options of the ``clinical-kb`` plugin in ``mkdocs.yml``."""

    data_dir = config_options.Type(str, default="data")
    """Folder with ``monographs/`` and ``references.yaml``, relative to ``mkdocs.yml``."""
    include_drafts = config_options.Type(bool, default=True)
    """Show draft monographs (with a DRAFT banner); a release sets KB_INCLUDE_DRAFTS=0."""


class ClinicalKbPlugin(BasePlugin[ClinicalKbConfig]):  # type: ignore[no-untyped-call]
    """Adds the monograph pages to a MkDocs build."""

    def __init__(self) -> None:
        self.kb: KnowledgeBase | None = None
        self.pages: dict[str, str] = {}
        self.browse_pages: dict[str, str] = {}
        """The A–Z and drug-class pages of a large formulary."""
        self.grouped = False
        self.exports: list[str] = []
        self.export_dir: Path | None = None
        self.blocks: dict[str, list[str]] = {}
        self.lists: dict[str, list[str]] = {}
        """The monograph lists of a page being converted (``fill_index_markers``)."""
        self.data_dir = Path("data")
        self.search_dir: Path | None = None
        self.search_docs: dict[str, tuple[SearchDoc, str, Analysed]] = {}
        """Each page's search document, link and words, by page: monographs first, in the order
        of their files (``search_order``), then the hand-written pages in the order MkDocs
        reads them."""
        self.search_order: list[str] = []
        """The monograph pages in the order they were rendered and indexed: their files' order,
        whether or not one process read them all (a build's pages reach MkDocs in title
        order)."""
        self.search: SearchIndex | None = None
        """A build's index, fed page by page (a preview keeps ``search_docs`` instead)."""
        self.search_parts: list[SearchPart] = []
        """A build's monographs, indexed as each half was rendered, for ``on_files`` to merge."""
        self.preview = False
        """Set by a preview (``kb serve``): keep what an incremental rebuild reuses, and name the
        search index's main file ``search/index.js`` so pages do not change with the index."""
        self.version: str | None = None
        """The content version to show instead of asking git (a preview keeps its first)."""
        self.export_parts: dict[str, MonographExport] = {}
        """A preview's share of each monograph in the formulary exports, by source file name."""
        self.skeletons: SkeletonRenderer | None = None
        self.env: Environment | None = None
        self.split_pages = False
        """The next page to go through the theme's template is the build's first: time to
        hand half of them to a second process."""
        self.other_half: _OtherHalf | None = None
        self.stamp: PageStamp | None = None
        """The theme's template, rendered once for a build's monograph pages (``stamp``)."""
        self.page_files: dict[str, Spooled | _ConvertedPage] = {}
        """A build's monograph pages, by path: where each one's Markdown waits in the spool from
        its rendering until MkDocs reads it (a preview keeps ``pages`` in memory instead)."""
        self.set_aside: dict[str, tuple[str, Spooled]] = {}
        """A build's monograph articles, kept on disk from their conversion until their page is
        written (their links to their exports made then), by page: the marker that stands for
        each in ``page.content``, and where it waits."""
        self.files: Files | None = None
        """The build's files, once every one is known (``on_env``)."""
        self.page_dir: Path | None = None
        """The build's folder for those pages and articles."""
        self.spool: Spool | None = None
        """Their files in that folder, one for each process."""

    @property
    def include_drafts(self) -> bool:
        """Whether drafts are built (the environment overrides mkdocs.yml)."""
        env = os.environ.get(INCLUDE_DRAFTS_ENV)
        return self.config.include_drafts if env is None else env not in ("0", "false", "no")

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Read and check everything, and render every page, before MkDocs writes anything."""
        root = Path(config.config_file_path).parent
        self.data_dir = root / self.config.data_dir
        linkmessages.install(Path(config.docs_dir))
        config.extra["kb_version"] = self.version or content_version(root)
        if os.environ.get(OFFLINE_ENV, "").lower() in ("1", "true", "yes"):
            config.use_directory_urls = False  # file:// has no index.html for a folder
        try:
            self.skeletons = SkeletonRenderer(config)
            render = self._renderer(config)
            if self.preview:  # keeps every record, to render again only what a save changes
                with collector_paused():
                    kb = load_knowledge_base(self.data_dir)
                halves = in_halves(kb.monographs, lambda chunk: render(kb, chunk))
            else:
                gc.freeze()  # what is here lasts the build: the collector need not rescan it
                try:
                    kb, halves = load_and_render(self.data_dir, render)
                except BaseException:
                    gc.unfreeze()
                    raise
            self._join(halves, kb, config)
            if not self.preview:  # rendered and exported: what follows lists, and cites none
                kb = dataclasses.replace(kb, references={})
            self.kb = kb
            self.grouped = grouped(kb, include_drafts=self.include_drafts)
            drafts = self.include_drafts
            self.browse_pages = ({**render_letter_pages(kb, include_drafts=drafts),
                                  **render_class_pages(kb, include_drafts=drafts)}
                                 if self.grouped else {})
        except KbError as e:
            raise PluginError(f"the data has problems:\n{e}") from e
        if config.nav is None:
            config.nav = site_nav(Path(config.docs_dir), self.kb,
                                  include_drafts=self.include_drafts)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Add each monograph page as a generated file."""
        self.blocks, self.lists, self.set_aside = {}, {}, {}
        assert self.kb is not None
        self.search = SearchIndex(self.kb.search_terms)
        self.search_docs = {}
        loaded = {monograph_path(m.monograph): m.monograph  # a preview's pages' records
                  for m in self.kb.published(include_drafts=self.include_drafts)
                  } if self.pages else {}
        urls: dict[str, str] = {}
        for path, spooled in self.page_files.items():  # a build's, read from disk by MkDocs
            waiting = _SpooledPage.waiting(config, path, spooled)
            files.append(waiting)
            urls[path] = waiting.url
        for path, markdown in self.pages.items():  # a preview's, kept in memory
            page_file = self.monograph_file(config, loaded[path], path, markdown, index=False)
            files.append(page_file)
            urls[path] = page_file.url
        in_order = [urls[path] for path in self.search_order]  # the order they were rendered
        for part in self.search_parts:  # a build's, indexed as rendered, on both cores
            self.search.merge(part, in_order[:len(part.docs)])
            del in_order[:len(part.docs)]
        if self.pages:  # a preview's, indexed here, keeping each one's words
            for path in self.search_order:
                self._add_to_search(path, self._monograph_doc(loaded[path], self.pages[path],
                                                              self.kb), urls[path])
        self.search_parts = []
        self.pages = {}  # MkDocs holds the skeletons now; keep one copy of each page, not two
        self.page_files = {}  # and the build's pages, each in its file
        for path, markdown in self.browse_pages.items():  # their lists are filled per page
            files.append(File.generated(config, path, content=markdown))
        assert self.export_dir is not None
        for path in self.exports:  # JSON and FHIR beside the pages, linked from disk
            files.append(_Export.generated(config, path,
                                           abs_src_path=str(_kept(self.export_dir, path))))
        leave_out_of_nav(files, config.nav)
        linkmessages.LINK_MESSAGES.files = files  # for its hints, until the build ends
        return files

    def monograph_file(self, config: MkDocsConfig, m: Monograph, path: str, markdown: str,
                       existing: File | None = None, *, index: bool = True) -> File:
        """A monograph's page as a generated file (``existing``, given new content, when a
        preview rebuilds it), its HTML blocks set aside for after Markdown, and, unless it was
        indexed as it was rendered (``index=False``), its search document made."""
        skeleton, self.blocks[path] = stash_html_blocks(markdown)
        if existing is not None:
            existing.content_string = skeleton
            page_file = existing
        else:
            page_file = File.generated(config, path, content=skeleton)
        if index:
            assert self.kb is not None
            self._add_to_search(path, self._monograph_doc(m, markdown, self.kb), page_file.url)
        return page_file

    def _monograph_doc(self, m: Monograph, markdown: str, kb: KnowledgeBase) -> SearchDoc:
        classes = [kb.classes[c] for c in m.drug_classes if c in kb.classes]
        labels = [c.label for c in classes]
        words = [*labels, *(c.atc for c in classes if c.atc), m.indication or ""]
        return monograph_doc(
            markdown, title=m.title, names=[*m.synonyms, *m.brand_names],
            drug_names=[m.generic_name, *m.synonyms, *m.brand_names], classes=labels,
            class_words=words)

    def _add_to_search(self, key: str, doc: SearchDoc, url: str) -> None:
        """Index a page; a preview keeps its words to index again after a save."""
        assert self.search is not None
        if self.preview:
            self.search_docs[key] = (doc, url, self.search.analyse(doc))
        else:
            self.search.add(doc, url)

    def search_files(self) -> tuple[str, dict[str, str]]:
        """A preview's search index from every page's kept words: ``(main file, {name: text})``,
        the main file named ``index.js`` whatever it holds."""
        assert self.kb is not None
        index = SearchIndex(self.kb.search_terms)
        for doc, url, analysed in self.search_docs.values():
            index.add(doc, url, analysed)
        main, written = index.files()
        written[PREVIEW_INDEX] = written.pop(main)
        return PREVIEW_INDEX, written

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        """Write the search index once every page is read, and tell the templates its name."""
        self._remove_search()
        self.search_dir = Path(tempfile.mkdtemp(prefix="kb-search-"))
        self.files = files
        assert self.search is not None
        main, written = self.search_files() if self.preview else self.search.files()
        for name, text in written.items():
            (self.search_dir / name).write_text(text, encoding="utf-8")
            files.append(File.generated(config, f"search/{name}",
                                        abs_src_path=str(self.search_dir / name)))
        config.extra["kb_search_index"] = f"search/{main}"
        if not self.preview:
            self.search = None
        env.loader = ChoiceLoader([DictLoader({WRITTEN_ELSEWHERE: "", STAMPED: STAMPED_SOURCE}),
                                   env.loader])
        env.globals["kb_nav"] = NavCache()
        self.env = env
        self.stamp = None
        self.split_pages = not self.preview
        return env

    def on_page_context(self, context: Any, *, page: Page, config: MkDocsConfig,
                        nav: Navigation) -> Any:
        """Before the first page goes through the theme's template, hand half to a second
        process."""
        if self.split_pages:
            self.split_pages = False
            doc_files = list(context["pages"])
            self._stamp_pages(doc_files, page, config, nav)
            self._other_half(doc_files, page, config, nav)
        if page.meta.get("template") == STAMPED:
            assert self.stamp is not None and self.env is not None
            context["kb_stamped"] = (
                self.stamp.render(page, context) if self.stamp.fits(page, context)
                else self.env.get_template(THEME_TEMPLATE).render(context))
        return context

    def _stamp_pages(self, doc_files: list[File], first: Page, config: MkDocsConfig,
                     nav: Navigation) -> None:
        """From ``STAMP_FROM`` monograph pages, render the theme's template once for them all
        (``stamp.PageStamp``), checked against two of them, and have each one stamped unless
        something besides its title, table of contents and article would show differently.
        The page MkDocs is building is set inactive meanwhile, as it will be for the others."""
        assert self.env is not None
        pages = [file.page for file in doc_files
                 if isinstance(file, _SpooledPage) and file.page is not None
                 and file.page is not first and "template" not in file.page.meta
                 and not file.inclusion.is_excluded()]  # type: ignore[no-untyped-call]
        if len(pages) < STAMP_FROM:
            return
        active, first.active = first.active, False
        try:
            self.stamp = PageStamp.make(self.env, THEME_TEMPLATE, pages, config=config, nav=nav,
                                        doc_files=doc_files)
        except Exception:  # the pages fail to build themselves, each one named
            log.debug("no stamp of the theme's template", exc_info=True)
        finally:
            first.active = active
        for page in pages if self.stamp is not None else ():
            page.meta["template"] = STAMPED

    def _other_half(self, doc_files: list[File], first: Page, config: MkDocsConfig,
                    nav: Navigation) -> None:
        """From ``parallel.PARALLEL_FROM`` pages, a forked process shares the pages after the
        first with this one (Material's template takes a third of a large build): each takes
        a run of them (``THEME_RUNS``) as it finishes its last, and puts it through the theme's
        template. Here the other process's pages render blank and MkDocs skips them. A warning
        there, or any failure, and this process builds its pages again in ``on_post_build``,
        warnings and all."""
        if (len(doc_files) < parallel.PARALLEL_FROM or (os.cpu_count() or 1) < 2
                or doc_files[0].page is not first):
            return
        rest = [file.page for file in doc_files[1:] if file.page is not None]
        size = -(-len(rest) // THEME_RUNS)
        runs = [[(page, page.meta.get("template")) for page in rest[start:start + size]]
                for start in range(0, len(rest), size)]
        tickets = Tickets(len(runs))
        env = self.env
        assert env is not None

        def build(pages: Iterable[Page]) -> None:
            for page in pages:
                _build_page(page, config, doc_files, nav, env,
                            excluded=page.file.inclusion.is_excluded())  # type: ignore[no-untyped-call]

        def work() -> None:
            first.active = False  # forked while MkDocs builds it: not theirs to show active
            counted = _CountWarnings()
            logging.getLogger("mkdocs").handlers = [counted]  # said here, or not at all
            for number in tickets:
                build(page for page, _ in runs[number])
            if counted.count:
                raise RuntimeError("warned: built again in the main process")

        process = in_background(work)
        if process is None:
            tickets.close()
            return
        for page in rest:  # until this process takes their run
            page.meta["template"] = WRITTEN_ELSEWHERE
        skipped = {f"Page skipped: '{page.file.src_uri}'. Generated empty output."
                   for page in rest}
        quiet = logging.Filter()
        quiet.filter = lambda record: record.getMessage() not in skipped  # type: ignore[method-assign]
        logging.getLogger("mkdocs.commands.build").addFilter(quiet)
        self.other_half = _OtherHalf(process, runs, tickets, set(), first, build, quiet)

    def _join_other_half(self, *, failed: bool = False) -> None:
        """Wait for the second process (stop it, when the build ``failed``); build the pages
        of its runs here if it did not."""
        other, self.other_half = self.other_half, None
        if other is None:
            return
        logging.getLogger("mkdocs.commands.build").removeFilter(other.quiet)
        other.tickets.close()
        for run in other.runs:
            for page, template in run:
                _use_template(page, template)
        if failed:
            other.process.stop()
        elif not other.process.wait():
            other.build(page for number, run in enumerate(other.runs) if number not in other.here
                        for page, _ in run)

    def _remove_search(self) -> None:
        if self.search_dir is not None:
            shutil.rmtree(self.search_dir, ignore_errors=True)
            self.search_dir = None

    def _renderer(self, config: MkDocsConfig) -> Callable[[KnowledgeBase,
                                                          Iterable[LoadedMonograph]], _Half]:
        """What renders each monograph's page and writes its JSON and FHIR files into a folder
        of this build, called for each half of the monographs in the process that has them
        (``_join``, which also writes the formulary files, puts the halves together). A
        preview's pages are kept in memory; a build's in its spool (2,000 pages are 80 MiB of
        text)."""
        self._remove_exports()
        self._remove_pages()
        export_dir = self.export_dir = Path(tempfile.mkdtemp(prefix="kb-export-"))
        if not self.preview:
            self.page_dir = Path(tempfile.mkdtemp(prefix="kb-pages-"))
            self.spool = Spool(self.page_dir)
        spool = self.spool
        settings = export_settings(config)
        formatted: dict[str, Markup] = {}

        def work(kb: KnowledgeBase, monographs: Iterable[LoadedMonograph]) -> _Half:
            half = _Half()
            search = None if self.preview else SearchIndex(kb.search_terms)
            for loaded in monographs:
                draft = loaded.monograph.status == "draft"
                if self.include_drafts or not draft:
                    path, markdown = render_page(loaded, kb, formatted=formatted)
                    if spool is None:
                        half.pages[path] = markdown
                    else:
                        half.page_files[path] = self._spool_page(spool, markdown)
                    if search is not None:  # linked in on_files, once MkDocs knows its URL
                        search.add(self._monograph_doc(loaded.monograph, markdown, kb), "")
                if not draft:  # drafts are never exported
                    files, part = monograph_exports(loaded, kb, **settings)
                    half.written += [_write_export(export_dir, path, [text])
                                     for path, text in files]
                    if spool is not None:  # a build's Bundle reads each resource back
                        part = dataclasses.replace(
                            part, fhir=_kept(export_dir, part.folder + FHIR_JSON))
                    half.parts[loaded.source.name] = part
            half.search = search.part() if search is not None else None
            return half

        return work

    def _join(self, halves: list[_Half], kb: KnowledgeBase, config: MkDocsConfig) -> None:
        """Put the rendered halves together: the pages in title order, as MkDocs lists them
        (the sitemap follows it), the search documents in file order, as they were indexed;
        then write the formulary files (the monographs in title order) and the schema."""
        assert self.export_dir is not None
        export_dir = self.export_dir
        pages = {p: markdown for h in halves for p, markdown in h.pages.items()}
        page_files = {p: spooled for h in halves for p, spooled in h.page_files.items()}
        self.search_order = [*pages, *page_files]
        titled = [monograph_path(m.monograph) for m in kb.published(include_drafts=True)]
        self.pages = {p: pages[p] for p in titled if p in pages}
        self.page_files = {p: page_files[p] for p in titled if p in page_files}
        self.search_parts = [h.search for h in halves if h.search is not None]
        parts = {name: part for h in halves for name, part in h.parts.items()}
        self.export_parts = parts if self.preview else {}
        self.exports = [path for h in halves for path in h.written]
        kept = [parts[m.source.name] for m in kb.published(include_drafts=False)]
        schema, text = schema_export()
        self.exports += [*(_write_export(export_dir, path, pieces) for path, pieces
                           in formulary_pieces(kept, **export_settings(config))),
                         _write_export(export_dir, schema, [text])]

    def _spool_page(self, spool: Spool, markdown: str) -> Spooled | _ConvertedPage:
        """Where a build's page waits: its article, converted here as it is rendered (so on
        both cores, not in MkDocs' reading of each page in this process alone), with what
        MkDocs needs besides; or, when the skeleton renderer leaves the page to
        Python-Markdown, its Markdown."""
        assert self.skeletons is not None
        skeleton, blocks = stash_html_blocks(markdown)
        converted = self.skeletons.convert(skeleton, blocks)
        if converted is None:
            return spool.put(markdown)
        return _ConvertedPage(spool.put(converted.content), "<h1" in converted.content,
                              dataclasses.replace(converted, content=""))

    def _remove_pages(self) -> None:
        self.page_files, self.set_aside, self.files = {}, {}, None
        if self.spool is not None:
            self.spool.close()
            self.spool = None
        if self.page_dir is not None:
            shutil.rmtree(self.page_dir, ignore_errors=True)
            self.page_dir = None

    def _remove_exports(self) -> None:
        if self.export_dir is not None:
            shutil.rmtree(self.export_dir, ignore_errors=True)
            self.export_dir = None

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Wait for the pages of the second process; remove the build's export folder once
        MkDocs has copied it into the site."""
        self._join_other_half()
        self._let_go()
        self._remove_exports()
        self._remove_search()
        self._remove_pages()

    def on_build_error(self, *, error: Exception) -> None:
        """Stop the second process and remove the export folder of a failed build too."""
        self._join_other_half(failed=True)
        self._let_go()
        self._remove_exports()
        self._remove_search()
        self._remove_pages()

    def _let_go(self) -> None:
        """Let go of a build's listings and pages once it is done (a preview keeps its records
        for its next build), then hand the objects frozen in ``on_config`` back to the
        collector. Freed now by their reference counts, they are not scanned again by the
        collector's last passes as the process ends. The link messages' hints let go of the
        build's files too."""
        linkmessages.LINK_MESSAGES.files = None
        if not self.preview:
            self.kb = None
            self.blocks, self.lists = {}, {}
            self.browse_pages = {}
            self.grouped = False
        gc.unfreeze()

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page:
        """A monograph page is rendered from its skeleton here, not by Python-Markdown."""
        path = page.file.src_uri
        vars(page).pop("render", None)  # a preview reads a page again: MkDocs' render unless…
        if path in self.blocks or isinstance(page.file, _SpooledPage):  # …a monograph page
            def render(config: MkDocsConfig, files: Files) -> None:
                file = page.file
                if isinstance(file, _SpooledPage) and file.converted is not None:
                    converted = file.converted  # as it was rendered, its article on disk
                    if converted.page is None:
                        raise TypeError(f"{path} was read already; a build reads a page once")
                    converted.page.apply(page, content=self._set_aside(
                        path, converted.article, has_h1=converted.has_h1))
                    file.converted = dataclasses.replace(converted, page=None)
                    return
                blocks = self.blocks.get(path)
                if blocks is not None and self.skeletons is not None and \
                        self.skeletons.render(page, blocks):
                    del self.blocks[path]  # in place already
                else:
                    Page.render(page, config, files)

            page.render = render  # type: ignore[method-assign]
        return page

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig,
                        files: Files) -> str:
        """Put the generated HTML back where MkDocs converted only the headings, and the
        monograph lists where it converted the page around them."""
        for stashed in (self.blocks, self.lists):
            blocks = stashed.pop(page.file.src_uri, None)
            html = restore_html_blocks(html, blocks) if blocks else html
        if not page.file.generated_by and self.search is not None:  # hand-written pages
            self._add_to_search(page.file.src_uri, page_doc(page.title or "", html),
                                page.file.url)
        if isinstance(page.file, _SpooledPage):  # linked to its exports as its page is written
            if page.file.converted is not None:  # set aside as it was converted
                return html
            assert self.spool is not None
            return self._set_aside(page.file.src_uri, self.spool.put(html), has_h1="<h1" in html)
        return link_exports(html, lambda path: _url_to(files, path, page))

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        """A monograph page of a build, read back from the spool as it was written (as bytes:
        no line break translated), its HTML blocks set aside as ``monograph_file`` does."""
        if not isinstance(page.file, _SpooledPage):
            return None
        if page.file.converted is not None:  # converted already: nothing to read
            return ""
        skeleton, self.blocks[page.file.src_uri] = stash_html_blocks(page.file.content_string)
        return skeleton

    def _set_aside(self, path: str, article: Spooled, *, has_h1: bool) -> str:
        """Keep a monograph's article on disk until its page is written, and give the theme a
        marker instead: MkDocs holds every page's content until it has written the last page
        (80 MiB of 2,000 monographs' articles). The marker holds "<h1" when the article does,
        for the theme asks that of it (and adds a title otherwise)."""
        marker = f"<!--kb-article {path}{' <h1' if has_h1 else ''}-->"
        self.set_aside[path] = (marker, article)
        return marker

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str:
        """Fill the monograph lists of the home page and the A–Z pages."""
        assert self.kb is not None
        if "<!-- kb:monograph-index" in markdown or "<!-- kb:class-index" in markdown:
            def url_for(path: str) -> str:
                target = files.get_file_from_path(path)
                assert target is not None
                return target.url_relative_to(page.file)

            lists = self.lists[page.file.src_uri] = []
            markdown = fill_index_markers(markdown, self.kb, include_drafts=self.include_drafts,
                                          url_for=url_for,
                                          browse=self.grouped and page.file.src_uri == "index.md",
                                          stash=lists)
        return markdown

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Put a monograph's article back in its page, then drop the indentation the theme's
        templates leave in every page (a sixth of its size). At the end of a run of pages it
        built, this process takes the next run no process has taken. A monograph's table of
        contents is let go until read again (``StoredToc``)."""
        if isinstance(page.toc, StoredToc):
            page.toc.release()
        other = self.other_half
        if other is not None and page is other.take_after:
            other.take()
        aside = self.set_aside.get(page.file.src_uri)
        if aside is not None and output and not output.isspace():  # blank: the second
            # process writes it
            marker, spooled = aside
            shown = output.count(marker)
            if shown != 1:  # a template that shows page.content twice or never
                raise PluginError(f"the theme's template shows the article of "
                                  f"{page.file.src_uri} {shown} times, not once")
            files = self.files
            assert files is not None
            output = output.replace(marker, link_exports(
                spooled.read(), lambda path: _url_to(files, path, page)))
        return compact_html(output)

    def on_post_template(self, output_content: str, *, template_name: str,
                         config: MkDocsConfig) -> str:
        """The not-found page alike: MkDocs renders it from a theme template, which
        ``on_post_page`` never sees (the sitemap, the other one, is XML and left as it is)."""
        return compact_html(output_content) if template_name.endswith(".html") else \
            output_content

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig,
                 builder: Any) -> LiveReloadServer:
        """Rebuild when a YAML file in ``data/`` or a page template changes, in this process
        only once the server's threads run (``parallel.single_process``)."""
        parallel.single_process()
        server.watch(str(self.data_dir))
        server.watch(str(TEMPLATES))
        return server
