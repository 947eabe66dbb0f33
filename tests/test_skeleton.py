"""Monograph pages are joined from headings converted once each (generator/skeleton.py) instead of
a Python-Markdown pass over every page: what a reader gets (the page's HTML, its table of
contents, its title, the anchors other pages may link) is what MkDocs' own render gives."""

from __future__ import annotations

import functools
import gc
import logging
import shutil
import string
import weakref
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink

from generator import plugin
from generator.loader import load_knowledge_base
from generator.render import render_pages, restore_html_blocks, stash_html_blocks
from generator.skeleton import Converted, SkeletonRenderer, StoredToc

from .conftest import ROOT, add_fixture_formulary, copy_project, fixture_project

HAND_WRITTEN = [  # headings the renderer may write, in forms chosen to be awkward
    "# Ketamine \\*for\\* pain &amp; \\[care\\] \\#1",
    "# Title<sup class=\"kb-cite\" id=\"cite-1\"><a href=\"#ref-a\">1</a></sup>",
    "## Dosing<sup class=\"kb-cite\" id=\"cite-2\"><a href=\"#ref-a\">1</a>,<a href=\"#ref-b\">"
    "2</a></sup> {: #dosing data-toc-label=\"Dosing\" }",
    "## Dosing {: #dosing-2 data-toc-label=\"Dosing\" }",
    "### Sub\\-cutaneous \\_infusion\\_ &lt;b&gt; {: #sc data-toc-label=\"Sub\\-cutaneous "
    "\\_infusion\\_ &lt;b&gt;\" }",
    "#### Beyond the contents depth {: #deep data-toc-label=\"Deep\" }",
    "## No attributes",
    "### A heading under a missing level",
]


def _config() -> MkDocsConfig:
    config = load_config(str(ROOT / "mkdocs.yml"))
    config.plugins._current_plugin = "test"  # File.generated asks which plugin made the file
    return config


def _toc(links: list[AnchorLink]) -> list[Any]:
    return [(a.title, a.id, a.level, _toc(a.children)) for a in links]


def _both(config: MkDocsConfig, renderer: SkeletonRenderer, path: str,
          markdown: str) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    skeleton, blocks = stash_html_blocks(markdown)
    file = File.generated(config, path, content=skeleton)
    files = Files([file])
    theirs = Page(None, file, config)
    theirs.markdown = skeleton
    Page.render(theirs, config, files)
    ours = Page(None, file, config)
    ours.markdown = skeleton
    assert renderer.render(ours, blocks), path
    assert theirs.content is not None
    return ((restore_html_blocks(theirs.content, blocks), _toc(theirs.toc), theirs.title,
             theirs.present_anchor_ids, theirs.links_to_anchors),
            (ours.content, _toc(ours.toc), ours.title, ours.present_anchor_ids,
             ours.links_to_anchors))


def test_every_fixture_page_renders_as_mkdocs_renders_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    add_fixture_formulary(data)
    pages = render_pages(load_knowledge_base(data), include_drafts=True)
    assert len(pages) > 5
    config = _config()
    renderer = SkeletonRenderer(config)
    for path, markdown in pages.items():
        theirs, ours = _both(config, renderer, path, markdown)
        assert ours == theirs, path


@pytest.mark.parametrize("first", range(len(HAND_WRITTEN)))
def test_awkward_headings_render_as_mkdocs_renders_them(first: int) -> None:
    config = _config()
    renderer = SkeletonRenderer(config)
    headings = HAND_WRITTEN[first:] + HAND_WRITTEN[:first]  # each one first once
    markdown = "\n\n".join(f"{h}\n\n<p>Block {i} &amp; more</p>" for i, h in enumerate(headings))
    for _ in range(2):  # the second time from the kept conversions
        theirs, ours = _both(config, renderer, "monographs/x.md", markdown)
        assert ours == theirs


def test_anything_else_is_left_to_mkdocs() -> None:
    config = _config()
    page = Page(None, File.generated(config, "x.md", content=""), config)
    page.markdown = "# Title\n\nA paragraph of Markdown\n"
    assert not SkeletonRenderer(config).render(page, [])
    assert page.content is None


def test_a_title_whose_id_is_a_section_s_is_left_to_mkdocs() -> None:
    """Python-Markdown numbers the title's id apart (dosing_1); the page is left to it."""
    config = _config()
    page = Page(None, File.generated(config, "x.md", content=""), config)
    page.markdown = "# Dosing\n\n## Dosing {: #dosing data-toc-label=\"Dosing\" }\n"
    assert not SkeletonRenderer(config).render(page, [])


@functools.lru_cache(maxsize=1)
def _shared() -> tuple[MkDocsConfig, SkeletonRenderer]:
    config = _config()
    return config, SkeletonRenderer(config)


@given(st.lists(st.text(string.ascii_letters + string.digits, min_size=1, max_size=12),
                min_size=1, max_size=6))
@settings(max_examples=300, deadline=None)
def test_plain_titles_render_as_mkdocs_renders_them(words: list[str]) -> None:
    """A title of plain words skips Python-Markdown (its id is made by the table-of-contents
    extension's own slug function); the page is the same as when Python-Markdown converts it:
    its HTML, table of contents, title and anchors."""
    config, renderer = _shared()
    title = " ".join(words)
    markdown = (f"# {title}\n\n<p>Text &amp; more</p>\n\n"
                '## Dosing {: #kb_section data-toc-label="Dosing" }\n\n<p>More</p>\n')
    theirs, ours = _both(config, renderer, "monographs/x.md", markdown)
    assert ours == theirs


def test_with_the_sites_settings_a_plain_title_takes_no_markdown_pass(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample title at start shows this site's Markdown settings write a plain title as the
    renderer does, so it skips the pass (0.3 ms a page); a title with other characters does not."""
    config = _config()
    renderer = SkeletonRenderer(config)
    converted: list[str] = []
    convert = renderer._md.convert
    monkeypatch.setattr(renderer._md, "convert", lambda text: converted.append(text) or
                        convert(text))
    for title in ("# Abatamstatin for diarrhoea", "# Morphine (oral)"):
        page = Page(None, File.generated(config, "x.md", content=""), config)
        page.markdown = f"{title}\n\nKBHTMLBLOCK00000\n"
        assert renderer.render(page, ["<p>Text</p>"])
    assert converted == ["# Morphine (oral)"]


def _site(project: Path, site: Path) -> dict[str, bytes]:
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(site)))
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def test_pages_converted_as_they_are_rendered_are_the_pages_converted_when_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build converts each monograph page as it renders it (on both cores), keeps its
    article on disk and links its exports as the page is written; every file of the site is
    what converting each page as MkDocs reads it gives, including a page the skeleton renderer
    leaves to Python-Markdown (here, sedatomidine's)."""
    project = copy_project(tmp_path / "project")
    add_fixture_formulary(project / "data")
    convert = SkeletonRenderer.convert

    def convert_but_one(self: SkeletonRenderer, skeleton: str, blocks: list[str]) -> Any:
        return None if "# Sedatomidine" in skeleton else convert(self, skeleton, blocks)

    monkeypatch.setattr(SkeletonRenderer, "convert", convert_but_one)
    spool_page = plugin.ClinicalKbPlugin._spool_page
    kinds: list[str] = []

    def spooling(self: plugin.ClinicalKbPlugin, spool: Any, markdown: str) -> Any:
        where = spool_page(self, spool, markdown)
        kinds.append(type(where).__name__)
        return where

    monkeypatch.setattr(plugin.ClinicalKbPlugin, "_spool_page", spooling)
    as_rendered = _site(project, tmp_path / "as-rendered")
    assert sorted(kinds) == ["Spooled"] + ["_ConvertedPage"] * (len(kinds) - 1)
    assert len(kinds) > 5
    monkeypatch.setattr(plugin.ClinicalKbPlugin, "_spool_page",
                        lambda self, spool, markdown: spool.put(markdown))
    when_read = _site(project, tmp_path / "when-read")
    assert sorted(as_rendered) == sorted(when_read)
    assert [name for name in when_read if when_read[name] != as_rendered[name]] == []
    page = as_rendered["monographs/nauseazine/index.html"].decode("utf-8")
    assert 'href="monograph.json"' in page  # its exports, linked as the page was written
    assert 'href="medicationknowledge.fhir.json"' in page
    assert "kb-data:" not in page


def test_a_page_converted_as_rendered_gives_its_table_of_contents_up_once_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once MkDocs has read every page, the build keeps no page's conversion beside the page
    (2,000 pages' tables of contents were 16 MiB held twice), and each page has its own table
    of contents, the same as a page converted as MkDocs reads it."""
    project = copy_project(tmp_path / "project")
    add_fixture_formulary(project / "data")
    on_env = plugin.ClinicalKbPlugin.on_env
    held: list[int] = []
    tocs: dict[str, list[str]] = {}

    def counted(self: plugin.ClinicalKbPlugin, env: Any, *, config: MkDocsConfig,
                files: Files) -> Any:
        held.append(sum(1 for o in gc.get_objects() if isinstance(o, Converted)))
        tocs.update({f.src_uri: [link.id for link in _links(f.page.toc)]
                     for f in files.documentation_pages()
                     if f.page is not None and f.src_uri.startswith("monographs/")})
        return on_env(self, env, config=config, files=files)

    monkeypatch.setattr(plugin.ClinicalKbPlugin, "on_env", counted)
    _site(project, tmp_path / "as-rendered")
    assert held == [0]
    converted, tocs_as_rendered = dict(tocs), tocs.copy()
    tocs.clear()
    monkeypatch.setattr(plugin.ClinicalKbPlugin, "_spool_page",
                        lambda self, spool, markdown: spool.put(markdown))
    _site(project, tmp_path / "when-read")
    assert tocs == tocs_as_rendered and len(converted) > 5
    assert "regimens" in tocs["monographs/ketamine.md"]


def _links(toc: Any) -> list[AnchorLink]:
    return [item for link in toc for item in (link, *_links(link.children))]


def test_a_build_holds_one_page_s_table_of_contents_at_a_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A monograph page's table of contents is made when its page goes through the theme's
    template and let go once the page is written (2,000 pages' entries were 14 MiB in each of a
    build's processes); what the page shows is the same (the tests above)."""
    project = copy_project(tmp_path / "project")
    add_fixture_formulary(project / "data")
    on_post_page = plugin.ClinicalKbPlugin.on_post_page
    held: list[tuple[str, list[str], list[str], list[str]]] = []
    earlier = weakref.WeakSet(o for o in gc.get_objects() if isinstance(o, StoredToc))

    def with_entries() -> list[str]:  # of this test's builds' pages, not of earlier tests'
        return sorted(o.items[0].id for o in gc.get_objects()
                      if isinstance(o, StoredToc) and o._items is not None and o not in earlier)

    def counted(self: plugin.ClinicalKbPlugin, output: str, *, page: Page, **kwargs: Any) -> str:
        before = with_entries()
        own = [page.toc.items[0].id] if isinstance(page.toc, StoredToc) else []
        output = on_post_page(self, output, page=page, **kwargs)
        held.append((page.file.src_uri, before, with_entries(), own))
        return output

    monkeypatch.setattr(plugin.ClinicalKbPlugin, "on_post_page", counted)
    _site(project, tmp_path / "site")
    monographs = [(path, before, after, own) for path, before, after, own in held
                  if path.startswith("monographs/") and "/" not in path[len("monographs/"):]]
    assert len(monographs) > 5
    for path, before, after, own in monographs:  # as its page is written: its own, then none
        assert (len(before), after) == (1, []), path
        assert before == own and own[0], path  # whichever monographs data/ holds
    held.clear()
    monkeypatch.setattr(StoredToc, "release", lambda self: None)
    _site(project, tmp_path / "kept")  # a build that kept them: the test sees it
    assert max(len(after) for _, _, after, _ in held) == len(monographs)


def test_links_to_a_monograph_page_s_anchors_are_checked_as_mkdocs_checks_them(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A hand-written page that links to a heading of a monograph page: MkDocs finds the anchor
    there, and names one that is not, which stops the build (the anchors are kept compressed,
    ``StoredIds``)."""
    project = fixture_project(tmp_path / "project")
    (project / "content" / "links.md").write_text(
        "# Links\n\n[Regimens](monographs/testamine.md#regimens) and "
        "[a heading that is not there](monographs/testamine.md#no-such-heading).\n",
        encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="mkdocs"), pytest.raises(Abort):
        _site(project, tmp_path / "site")
    anchors = [r for r in caplog.records if "anchor" in r.getMessage()]
    assert len(anchors) == 1, [r.getMessage() for r in anchors]
    assert "does not contain an anchor '#no-such-heading'" in anchors[0].getMessage()
    assert anchors[0].levelno == logging.WARNING
