"""The preview behind ``kb serve``: one full build, then, on each save, only what changed.

A full build runs MkDocs' own steps in this process and keeps their state (files, navigation,
theme, every page read) instead of throwing it away. A save then costs:

* **a monograph** (``data/monographs/*.yaml`` written, added, removed or renamed): that file is
  read and checked against the references and drug classes already loaded; its page is
  rendered, converted and written; so are the pages that list it (home, its A–Z letter, its drug
  classes, the class list) and ``sitemap.xml``; its JSON and FHIR files and the two formulary
  files are rewritten. The search index is rebuilt from every page's kept words after the page
  is shown (its main file keeps the name ``search/index.js``, so no other page changes).
* **anything else** (references, drug classes, search terms, a hand-written page, a template,
  ``mkdocs.yml``): a full build, into a staging folder swapped in only when it succeeds.
* **the generator's Python code**: :class:`CodeChangedError`; ``kb serve`` starts itself again.

What is kept cannot go stale: it is keyed by each file's bytes (a SHA-256 of every watched
file), and any change outside the monographs drops it all. ``kb build``, ``make publish`` and CI
never use it. A save with a mistake keeps the last good site and reports the problem, with file,
line and fix, to the terminal and on every page the preview serves.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mkdocs.commands.build import (
    _build_extra_template,
    _build_page,
    _build_theme_template,
    _populate_page,
)
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import MkDocsException
from mkdocs.structure.files import File, Files, get_files, set_exclusions
from mkdocs.structure.nav import Navigation, get_navigation
from mkdocs.structure.pages import Page

from . import inline
from .editorfiles import is_editor_file
from .errors import DataError, KbError, Problem, display_path
from .export import formulary_exports, monograph_exports
from .loader import (
    MONOGRAPHS_DIR,
    KnowledgeBase,
    LoadedMonograph,
    account_for_files,
    load_monograph,
)
from .plugin import PREVIEW_INDEX, ClinicalKbPlugin, export_settings
from .publish import exchange
from .render import (
    CLASS_INDEX,
    class_path,
    letter_of,
    letter_path,
    monograph_path,
    render_class_pages,
    render_letter_pages,
    render_monograph,
)
from .site import grouped, site_nav

log = logging.getLogger("mkdocs.kb.preview")

GENERATOR = Path(__file__).parent


class CodeChangedError(Exception):
    """The generator's own code changed: only a new process runs it."""


class PreviewError(KbError):
    """A save the preview could not show; the last good site is still served."""


@dataclasses.dataclass
class _State:
    """What a full build leaves for the next save."""

    config: MkDocsConfig
    plugin: ClinicalKbPlugin
    files: Files
    nav: Navigation
    env: Any


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Preview:
    """A site in ``site_dir`` kept up to date with the project of ``config_file``."""

    def __init__(self, config_file: Path, site_dir: Path, *, version: str | None = None) -> None:
        self.config_file = config_file.resolve()
        self.root = self.config_file.parent
        self.site_dir = site_dir.resolve()
        self.version = version
        self.state: _State | None = None
        self.error: str | None = None
        """The problem the last save had, to show on every page until it is fixed."""
        self.seen: dict[Path, tuple[int, int, str]] = {}
        """Every watched file of the last good build: modification time, size, SHA-256."""
        self.background: multiprocessing.process.BaseProcess | None = None
        self.stale = False
        """A save failed half-way through an incremental rebuild: the next one builds all."""
        inline.keep_texts(inline.PREVIEW_TEXTS_KEPT)  # this process lives on: keep them all

    # --- what changed ---------------------------------------------------------------------

    def watched(self) -> list[Path]:
        """The folders and files whose change changes the site."""
        config = self.state.config if self.state else None
        data = self.root / (self.state.plugin.config.data_dir if self.state else "data")
        docs = Path(config.docs_dir) if config else self.root / "content"
        return [data, docs, self.config_file, GENERATOR]

    def _files(self) -> Iterator[Path]:
        for place in self.watched():
            if place.is_file():
                yield place
            elif place.is_dir():
                for path in place.rglob("*"):
                    if ("__pycache__" not in path.parts and not is_editor_file(path)
                            and path.is_file()):
                        yield path

    def _snapshot(self) -> dict[Path, tuple[int, int, str]]:
        out = {}
        for path in self._files():
            try:
                stat = path.stat()
                old = self.seen.get(path)
                same = old is not None and old[:2] == (stat.st_mtime_ns, stat.st_size)
                out[path] = old if same and old else (stat.st_mtime_ns, stat.st_size,
                                                      _digest(path))
            except OSError:
                continue  # removed while we looked: the next save sees it
        return out

    def changes(self, now: dict[Path, tuple[int, int, str]]) -> set[Path]:
        """The files added, removed or changed in content since the last good build."""
        return {p for p in self.seen.keys() | now.keys()
                if (self.seen.get(p) or (0, 0, ""))[2] != (now.get(p) or (0, 0, ""))[2]}

    # --- full build -----------------------------------------------------------------------

    def build(self) -> None:
        """A full build into a staging folder, swapped in only when it succeeds."""
        snapshot = self._snapshot()
        self.wait()
        staging = Path(tempfile.mkdtemp(prefix=".kb-preview-", dir=self.site_dir.parent))
        try:
            state = self._full_build(staging)
            if self.site_dir.exists():
                exchange(staging, self.site_dir)
            else:
                staging.rename(self.site_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        state.config.site_dir = str(self.site_dir)
        for file in state.files:  # written from now on into the site folder itself
            file.dest_dir = str(self.site_dir)
            file.__dict__.pop("abs_dest_path", None)
        self.state = state
        self.seen = snapshot
        self.error = None
        self.stale = False

    def _full_build(self, site_dir: Path) -> _State:
        """MkDocs' build (``mkdocs.commands.build.build``), keeping what it makes."""
        config = load_config(str(self.config_file), site_dir=str(site_dir))
        plugin = config.plugins["clinical-kb"]
        assert isinstance(plugin, ClinicalKbPlugin)
        plugin.preview = True
        plugin.version = self.version
        try:
            config = config.plugins.on_config(config)
            self.version = config.extra["kb_version"]
            config.plugins.on_pre_build(config=config)
            files = get_files(config)
            env = config.theme.get_env()
            files.add_files_from_theme(env, config)
            files = config.plugins.on_files(files, config=config)
            set_exclusions(files, config)
            nav = get_navigation(files, config)
            nav = config.plugins.on_nav(nav, config=config, files=files)
            for file in files.documentation_pages():
                if file.page is None:
                    Page(None, file, config)
                assert file.page is not None
                _populate_page(file.page, config, files)
            env = config.plugins.on_env(env, config=config, files=files)
            files.copy_static_files()
            for template in config.theme.static_templates:
                _build_theme_template(template, env, files, config, nav)
            for template in config.extra_templates:
                _build_extra_template(template, files, config, nav)
            doc_files = files.documentation_pages()
            for file in doc_files:
                assert file.page is not None
                _build_page(file.page, config, doc_files, nav, env)
            for file in doc_files:  # said in the terminal, as mkdocs build says it
                assert file.page is not None
                file.page.validate_anchor_links(files=files,
                                                log_level=config.validation.links.anchors)
            config.plugins.on_post_build(config=config)
        except Exception as e:
            config.plugins.on_build_error(error=e)
            raise
        return _State(config, plugin, files, nav, env)

    # --- a save ---------------------------------------------------------------------------

    def update(self) -> str:
        """Bring the site up to date with the files; say what was done. A mistake raises
        :class:`PreviewError` (its text names the file, line and fix) and leaves the site as it
        was; the generator's code changing raises :class:`CodeChangedError`."""
        now = self._snapshot()
        changed = self.changes(now)
        if not changed and not self.stale:  # as at the last good build: all shown
            self.error = None
            return "nothing changed"
        if any(p.suffix == ".py" and GENERATOR in p.parents for p in changed):
            raise CodeChangedError("the generator's code changed")
        assert self.state is not None
        monographs = self.root / self.state.plugin.config.data_dir / MONOGRAPHS_DIR
        try:
            if not self.stale and all(p.parent == monographs and p.suffix == ".yaml"
                                      for p in changed):
                done = self._update_monographs(sorted(changed), now)
                if done is not None:
                    self.seen = now
                    self.error = None
                    return done
            self.build()
        except DataError as e:
            self.error = e.report("the preview still shows the last good version")
            raise PreviewError(self.error) from e
        except (KbError, MkDocsException) as e:
            self.stale = True
            self.error = str(e).replace("nothing was built",
                                        "the preview still shows the last good version")
            raise PreviewError(self.error) from e
        except Exception as e:  # a broken theme template, say: said, not a traceback
            self.stale = True
            log.debug("the preview could not rebuild", exc_info=True)
            self.error = (f"the preview could not rebuild ({type(e).__name__}: {e}); it still "
                          "shows the last good version")
            raise PreviewError(self.error) from e
        return (f"rebuilt everything ({_names(changed, self.root)} changed)" if changed
                else "rebuilt everything (the last rebuild failed half-way)")

    def _update_monographs(self, changed: list[Path],
                           now: dict[Path, tuple[int, int, str]]) -> str | None:
        """Rebuild the pages of the monographs in ``changed``; ``None`` when the navigation or
        the list of pages changes, which needs a full build."""
        state = self.state
        assert state is not None
        plugin, config = state.plugin, state.config
        kb = plugin.kb
        assert kb is not None
        old, by_source = self._reload(changed, now)
        new_kb = dataclasses.replace(kb, monographs=[by_source[p] for p in sorted(by_source)])
        drafts = plugin.include_drafts
        browse = ({**render_letter_pages(new_kb, include_drafts=drafts),
                   **render_class_pages(new_kb, include_drafts=drafts)}
                  if grouped(new_kb, include_drafts=drafts) else {})
        if (site_nav(Path(config.docs_dir), new_kb, include_drafts=drafts) != config.nav
                or browse.keys() != plugin.browse_pages.keys()):
            return None
        shown = {monograph_path(m.monograph) for m in new_kb.published(include_drafts=drafts)}
        plugin.kb = new_kb
        listings = {"index.md", CLASS_INDEX}
        for path in changed:
            for m in (old[path], by_source.get(path)):
                if m is not None:
                    listings.add(letter_path(letter_of(m.monograph)))
                    listings.update(class_path(c) for c in m.monograph.drug_classes)
        for path in changed:
            if (m := old[path]) is not None:
                self._remove_monograph(m, shown=shown)
        pages: dict[str, File] = {}
        for path in changed:
            m = by_source.get(path)
            if m is None or monograph_path(m.monograph) not in shown:
                continue
            page_path = monograph_path(m.monograph)
            markdown = render_monograph(m.monograph, new_kb.references, source=m.source.name,
                                        classes=new_kb.classes)
            pages[page_path] = plugin.monograph_file(config, m.monograph, page_path, markdown,
                                                     existing=state.files.get_file_from_path(
                                                         page_path))
        state.files = self._ordered(state.files, pages, new_kb, drafts)
        self._write_exports(changed, by_source)
        doc_files = state.files.documentation_pages()
        targets = [f for f in doc_files if f.src_uri in pages or f.src_uri in listings]
        for file in targets:
            if file.page is None:
                Page(None, file, config)
            assert file.page is not None
            _populate_page(file.page, config, state.files)
        for file in targets:
            assert file.page is not None
            _build_page(file.page, config, doc_files, state.nav, state.env)
        if any((old[p] is None) != (by_source.get(p) is None) for p in changed):
            for template in config.theme.static_templates:  # sitemap.xml lists every page
                _build_theme_template(template, state.env, state.files, config, state.nav)
        self._rebuild_search()
        return (f"rebuilt {len(pages)} monograph page(s) and {len(targets) - len(pages)} list "
                f"page(s) ({_names(set(changed), self.root)} changed)")

    def _reload(self, changed: list[Path], now: dict[Path, tuple[int, int, str]]
                ) -> tuple[dict[Path, LoadedMonograph | None], dict[Path, LoadedMonograph]]:
        """Read and check the changed monographs: what each was, and every monograph now."""
        state = self.state
        assert state is not None and state.plugin.kb is not None
        kb = state.plugin.kb
        problems: list[Problem] = account_for_files(self.root / state.plugin.config.data_dir,
                                                    [p for p in changed if p in now])
        by_source = {m.source: m for m in kb.monographs}
        old = {p: by_source.get(p) for p in changed}
        warnings: list[Problem] = []
        for path in changed:
            if path not in now:
                by_source.pop(path, None)
                continue
            try:
                loaded, found = load_monograph(path, kb)
            except DataError as e:
                problems += e.problems
                continue
            warnings += found
            by_source[path] = dataclasses.replace(loaded, source=path)
        if problems:
            raise DataError(problems)
        for warning in warnings:
            log.warning(str(warning))
        return old, by_source

    def _remove_monograph(self, m: LoadedMonograph, *, shown: set[str]) -> None:
        """Drop a changed monograph's exports (rewritten if it still has them) and, if it is no
        longer shown, its page."""
        state = self.state
        assert state is not None
        path = monograph_path(m.monograph)
        state.plugin.export_parts.pop(m.source.name, None)
        folder = path.removesuffix(".md") + "/"
        for other in list(state.files):
            if other.src_uri.startswith(folder):  # its JSON and FHIR files
                state.files.remove(other)
                Path(other.abs_dest_path).unlink(missing_ok=True)
        file = state.files.get_file_from_path(path)
        if path in shown or file is None:
            return
        state.plugin.search_docs.pop(path, None)
        state.files.remove(file)
        output = Path(file.abs_dest_path)
        output.unlink(missing_ok=True)
        for empty in (Path(state.config.site_dir) / folder, output.parent):
            if empty.is_dir() and not any(empty.iterdir()):
                empty.rmdir()

    def _ordered(self, files: Files, pages: dict[str, File], kb: KnowledgeBase,
                 drafts: bool) -> Files:
        """The files in the order a full build lists them (the sitemap follows it): the
        monograph pages, in title order, where the first of them was."""
        monographs = [monograph_path(m.monograph) for m in kb.published(include_drafts=drafts)]
        current = {f.src_uri: f for f in files}
        wanted = [pages.get(p) or current[p] for p in monographs]
        names = set(monographs)
        out: list[File] = []
        placed = False
        for f in files:
            if f.src_uri in names:
                if not placed:
                    out.extend(wanted)
                    placed = True
                continue
            out.append(f)
        if not placed:
            out.extend(wanted)
        return Files(out)

    def _write_exports(self, changed: list[Path], by_source: dict[Path, LoadedMonograph]
                       ) -> None:
        """A changed monograph's JSON and FHIR files, and the two formulary files."""
        state = self.state
        assert state is not None
        plugin, config = state.plugin, state.config
        kb = plugin.kb
        assert kb is not None
        site = Path(config.site_dir)
        for path in changed:
            m = by_source.get(path)
            if m is None or m.monograph.status == "draft":
                continue
            written, part = monograph_exports(m, kb, **export_settings(config))
            plugin.export_parts[m.source.name] = part
            for name, text in written:
                (site / name).parent.mkdir(parents=True, exist_ok=True)
                (site / name).write_text(text, encoding="utf-8")
                state.files.append(File.generated(config, name, content=text))

    # --- search, after the page -----------------------------------------------------------

    def _rebuild_search(self) -> None:
        """Rewrite the search index and the two formulary files in a child process, on the
        other core, after the page is shown: they take seconds at 2,000 monographs and no page
        shows them. The child is forked, so it reads this process's state as it is now."""
        state = self.state
        assert state is not None and state.plugin.kb is not None
        plugin, config, kb = state.plugin, state.config, state.plugin.kb
        order = [monograph_path(m.monograph) for m in kb.monographs  # in their files' order
                 if plugin.include_drafts or m.monograph.status != "draft"]
        docs = {p: plugin.search_docs[p] for p in order}
        docs.update((k, v) for k, v in plugin.search_docs.items() if k not in docs)
        plugin.search_docs = docs
        self.wait(cancel=True)  # what it was writing is out of date now
        site = Path(config.site_dir)
        parts = [plugin.export_parts[m.source.name]
                 for m in kb.published(include_drafts=False)]
        settings = export_settings(config)

        def write() -> None:
            os.nice(10)  # the browser and the next save come first
            for left in site.glob(".*.tmp"):  # by a writer cancelled half-way
                left.unlink()
            for name, text in formulary_exports(parts, **settings):
                _replace(site / name, text)
            _, written = plugin.search_files()
            folder = site / "search"
            for name, text in written.items():
                if name == PREVIEW_INDEX or not (folder / name).exists():
                    _replace(folder / name, text)
            for stale in folder.iterdir():
                if stale.name not in written:
                    stale.unlink(missing_ok=True)

        self.background = multiprocessing.get_context("fork").Process(
            target=write, name="kb-search-index", daemon=True)
        self.background.start()

    def wait(self, *, cancel: bool = False) -> None:
        """Wait for the search index and formulary files of the last save to be written, or,
        with ``cancel``, stop writing them (the next save's writer writes them all)."""
        if self.background is not None:
            if cancel:
                self.background.terminate()
            self.background.join()
            self.background = None


def _replace(target: Path, text: str) -> None:
    """Write a file whole: a reader sees the old one or the new one, never half of one."""
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, target)


def _names(paths: set[Path], root: Path) -> str:
    shown = sorted(display_path(p) if p.exists() else str(p.relative_to(root)) for p in paths)
    return ", ".join(shown[:3]) + (f" and {len(shown) - 3} more" if len(shown) > 3 else "")

