"""Navigation and the final HTML clean-up."""

from __future__ import annotations

import re
from pathlib import Path

from generator.loader import KnowledgeBase, LoadedMonograph, load_knowledge_base
from generator.render import fill_index_markers, render_letter_pages
from generator.site import compact_html, site_nav

from .conftest import ROOT, copy_project, run_mkdocs_build


def test_compact_html_keeps_preformatted_text_and_scripts() -> None:
    html = ("<div>\n    <p>a\n      b</p>\n\n\n<pre>  keep\n    this</pre>\n"
            "  <script>\n  var x = 1;\n</script>\n")
    assert compact_html(html) == ("<div>\n<p>a\nb</p>\n<pre>  keep\n    this</pre>\n"
                                  "<script>\n  var x = 1;\n</script>\n")


def test_compact_html_joins_the_theme_s_tags_but_not_the_article_s() -> None:
    html = ('<nav>\n  <li>\n<a href="#a" class="md-nav__link">\n<span class="md-ellipsis">\n'
            "Dosing\n</span>\n</a>\n</li>\n</nav>\n<article>\n<p>\n<em>1</em>\n<em>mg</em>"
            "</p>\n</article>\n<footer>\n<script>\nx()\n</script>\n</footer>")
    assert compact_html(html) == (
        '<nav><li><a href="#a" class="md-nav__link">Dosing</a></li></nav>\n<article>\n<p>\n'
        "<em>1</em>\n<em>mg</em></p>\n</article><footer>\n<script>\nx()\n</script>\n</footer>")


def test_navigation_lists_few_monographs_flat() -> None:
    real = load_knowledge_base(ROOT / "data")
    ketamine = next(m for m in real.monographs if m.monograph.generic_name == "ketamine")
    kb = KnowledgeBase([ketamine], real.references)
    assert site_nav(ROOT / "content", kb, include_drafts=True) == [
        {"Home": "index.md"},
        {"Monographs": [{"Ketamine for pain": "monographs/ketamine.md"}]},
        "editing.md",
    ]


def test_many_monographs_are_reached_through_a_to_z_pages(tmp_path: Path) -> None:
    real = next(m for m in load_knowledge_base(ROOT / "data").monographs
                if m.monograph.generic_name == "ketamine")
    clones = []
    for i in range(30):
        name = f"{'abc'[i % 3]}drug{i}"
        clone = real.monograph.model_copy(update={"title": f"{name.capitalize()} for pain",
                                                  "generic_name": name})
        clones.append(LoadedMonograph(clone, tmp_path / f"{name}.yaml"))
    kb = KnowledgeBase(clones, {})
    nav = site_nav(ROOT / "content", kb, include_drafts=True)
    assert nav[1] == {"Monographs": [{"A": "az/a.md"}, {"B": "az/b.md"}, {"C": "az/c.md"}]}
    pages = render_letter_pages(kb, include_drafts=True)
    assert pages["az/b.md"] == "# Monographs: B\n\n<!-- kb:monograph-index:B -->\n"
    table = fill_index_markers(pages["az/b.md"], kb, include_drafts=True,
                               url_for=lambda p: "../../" + p)
    assert table.count("<tr>") == 11  # the header and the ten B monographs
    assert '<a href="../../monographs/bdrug1.md">Bdrug1 for pain</a>' in table


def test_a_large_formulary_builds_strictly_with_working_a_to_z_pages(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    source = (project / "data" / "monographs" / "ketamine.yaml").read_text(encoding="utf-8")
    for i in range(30):
        name = f"{'abc'[i % 3]}testdrug{i}"
        (project / "data" / "monographs" / f"{name}.yaml").write_text(
            source.replace("title: Ketamine for pain", f"title: {name.capitalize()} for pain")
            .replace("generic_name: ketamine", f"generic_name: {name}"), encoding="utf-8")
    result = run_mkdocs_build(project / "mkdocs.yml", project / "site")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    letter_page = (project / "site" / "az" / "b" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)">(Btestdrug\d+ for pain)</a>', letter_page)
    assert len(links) == 10
    for href, _ in links:
        assert (project / "site" / "az" / "b" / href / "index.html").resolve().is_file()
    page = (project / "site" / "monographs" / "btestdrug1" / "index.html").read_text(
        encoding="utf-8")
    assert "Btestdrug4 for pain" not in page  # the sidebar lists letters, not 31 monographs


def test_a_template_that_shows_an_article_twice_stops_the_build(tmp_path: Path) -> None:
    """A monograph's article waits on disk while MkDocs reads every page, and goes back in
    where the theme shows ``page.content``; a template override that shows it twice (or not
    at all) stops the build instead of publishing a page with the article doubled or
    missing. Built or stopped, the build leaves nothing in the temporary folder."""
    root = copy_project(tmp_path / "project")
    scratch = tmp_path / "tmp"  # the build's own folders, which it must remove either way
    scratch.mkdir()
    built = run_mkdocs_build(root / "mkdocs.yml", tmp_path / "good", TMPDIR=str(scratch))
    assert built.returncode == 0, built.stderr
    assert "Ketamine for pain" in (tmp_path / "good" / "monographs" / "ketamine" /
                                   "index.html").read_text(encoding="utf-8")
    assert list(scratch.iterdir()) == []
    partial = root / "content" / "overrides" / "partials" / "content.html"
    partial.write_text("{{ page.content }}\n{{ page.content }}\n", encoding="utf-8")
    result = run_mkdocs_build(root / "mkdocs.yml", tmp_path / "site", TMPDIR=str(scratch))
    assert result.returncode != 0
    assert "the theme's template shows the article of monographs/ketamine.md 2 times" in \
        result.stderr
    assert not list(tmp_path.glob("site/monographs/ketamine/index.html"))
    assert list(scratch.iterdir()) == []
