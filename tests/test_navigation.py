"""A large formulary is browsed, not scrolled: the home page offers A–Z and the drug classes
(one page per class, from data/drug-classes.yaml), and every monograph is two links away."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

from generator.loader import load_knowledge_base
from generator.site import compact_html

from .conftest import ROOT, SYNTHETIC_MONOGRAPHS, run_mkdocs_build


def links(page: Path, css_class: str) -> list[str]:
    html = page.read_text(encoding="utf-8")
    block = re.search(rf'<ul class="{css_class}">(.*?)</ul>', html, re.DOTALL)
    assert block, f"no {css_class} list in {page}"
    return re.findall(r'<a href="([^"]+)"', block.group(1))


def test_the_home_page_offers_a_to_z_and_classes_not_every_monograph(
        synthetic_sites: dict[str, Path]) -> None:
    site = synthetic_sites["served"]
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f"{SYNTHETIC_MONOGRAPHS} monographs, A–Z" in home
    assert 'class="kb-index"' not in home, "no table of every monograph"
    assert home.count('href="monographs/') == 0
    letters = links(site / "index.html", "kb-az")
    assert letters[0] == "az/a/" and len(letters) == 26
    assert 'href="classes/' in home


def test_a_formulary_build_does_not_list_every_page_as_missing_from_the_navigation(
        synthetic_sites: dict[str, Path]) -> None:
    """The monograph and drug-class pages are reached through the A–Z and class pages, not the
    navigation: the build does not name each of them (2,000 lines at 2,000 monographs) as a page
    missing from it, which mkdocs.yml makes a warning that stops the build. It says what it
    always says, and nothing else."""
    for mode in ("served", "offline"):
        said = synthetic_sites[f"{mode} log"].read_text(encoding="utf-8").splitlines()
        assert len(said) == 3, said
        assert said[0] == "INFO    -  Cleaning site directory"
        assert said[1].startswith("INFO    -  Building documentation to directory: ")
        assert re.fullmatch(r"INFO    -  Documentation built in [\d.]+ seconds", said[2])


def test_every_monograph_is_two_links_from_home(synthetic_sites: dict[str, Path]) -> None:
    site = synthetic_sites["served"]
    reached = set()
    for letter in links(site / "index.html", "kb-az"):
        page = site / letter / "index.html"
        reached |= {re.search(r"monographs/([^/]+)/", href).group(1)  # type: ignore[union-attr]
                    for href in re.findall(r'href="([^"]*monographs/[^"]+)"',
                                           page.read_text(encoding="utf-8"))}
    names = {p.stem for p in (synthetic_sites["data"] / "monographs").glob("*.yaml")}
    assert reached == names


def test_each_class_page_lists_exactly_its_monographs(synthetic_sites: dict[str, Path]) -> None:
    site = synthetic_sites["served"]
    kb = load_knowledge_base(synthetic_sites["data"])
    classes = links(site / "index.html", "kb-classes")
    assert classes, "the home page lists the classes"
    assert classes == ["classes/" + href
                       for href in links(site / "classes" / "index.html", "kb-classes")]
    for href in classes:
        page = site / href / "index.html"
        html = page.read_text(encoding="utf-8")
        title = re.search(r"<h1[^>]*>(.*?)</h1>", html).group(1)  # type: ignore[union-attr]
        [drug_class] = [c for c in kb.classes.values() if c.label == title]
        listed = set(re.findall(r'href="\.\./\.\./monographs/([^/]+)/"', html))
        expected = {m.monograph.generic_name for m in kb.monographs
                    if drug_class.id in m.monograph.drug_classes}
        assert listed == expected, title
        count = re.search(rf'{re.escape(title)}</a> \((\d+)\)',
                          (site / "index.html").read_text(encoding="utf-8"))
        assert count and int(count.group(1)) == len(expected)


def test_the_offline_build_links_the_browse_pages_as_files(
        synthetic_sites: dict[str, Path]) -> None:
    site = synthetic_sites["offline"]
    for href in links(site / "index.html", "kb-az") + links(site / "index.html", "kb-classes"):
        assert href.endswith(".html") and (site / href).is_file(), href


def outside_article(page: Path) -> int:
    html = page.read_bytes()
    start, end = html.index(b"<article"), html.index(b"</article>") + len(b"</article>")
    return len(html) - (end - start)


def test_what_every_page_repeats_stays_small(synthetic_sites: dict[str, Path],
                                             ketamine_site: Path) -> None:
    """#13: on a monograph page of a large formulary, the header, navigation, table of contents
    and footer together stay within 15 KB; the ketamine page is within 40 KB whole."""
    pages = sorted((synthetic_sites["served"] / "monographs").glob("*/index.html"))
    assert len(pages) == SYNTHETIC_MONOGRAPHS
    heaviest = max(pages, key=outside_article)
    assert outside_article(heaviest) <= 15 * 1024, (heaviest, outside_article(heaviest))
    ketamine = ketamine_site / "monographs" / "ketamine" / "index.html"
    assert ketamine.stat().st_size <= 40 * 1024


def test_navigation_links_show_their_whole_name(synthetic_sites: dict[str, Path]) -> None:
    """A long section name in the table of contents wraps rather than ending in "…"."""
    page = sorted((synthetic_sites["served"] / "monographs").glob("*/index.html"))[0]
    html = page.read_text(encoding="utf-8")
    toc = html[html.index('aria-label="Table of contents"'):]
    assert '<a href="#dosing" class="md-nav__link">Dosing and administration considerations</a>' \
        in toc
    assert 'class="md-ellipsis"' not in toc.split("</nav>")[0]


def primary_nav(html: str) -> str:
    """The site navigation of a page (the sidebar beside the table of contents)."""
    start = html.index('<nav class="md-nav md-nav--primary"')
    return html[start:html.index('data-md-type="toc"', start)]


def test_every_pages_navigation_leads_where_it_says_from_that_page(
        synthetic_sites: dict[str, Path]) -> None:
    """The navigation is rendered once for all the pages that show it alike (site.NavCache):
    from every page, served and offline, each of its links reaches its page, and it marks the
    page the reader is on, and no other, as the current one."""
    for mode in ("served", "offline"):
        site = synthetic_sites[mode]
        pages = sorted(site.rglob("*.html"))
        assert len(pages) > SYNTHETIC_MONOGRAPHS
        for page in pages:
            html = page.read_text(encoding="utf-8")
            if page.name == "404.html" or 'class="md-nav md-nav--primary"' not in html:
                continue  # the error page links from the site's root, wherever it is shown
            nav = primary_nav(html)
            hrefs = re.findall(r'<a href="([^"#]+)"[^>]*class="md-nav__link', nav)
            assert hrefs, page
            for href in hrefs:
                target = (page.parent / href).resolve()
                if mode == "served" or target.is_dir():
                    target = target / "index.html"
                assert target.is_file(), (mode, page, href)
                assert site in target.parents, (mode, page, href)
            current = re.findall(r'<a href="([^"#]+)" class="md-nav__link md-nav__link--active"',
                                 nav)
            if current:
                [href] = current
                here = (page.parent / href).resolve()
                assert page in (here, here / "index.html"), (mode, page, href)
            else:
                assert "/monographs/" in page.as_posix() or "/classes/" in page.as_posix(), page


def test_the_lists_come_back_whole_where_markdown_was_converted_around_them(
        synthetic_sites: dict[str, Path], built_site: Path) -> None:
    """The monograph lists are set aside while Python-Markdown converts the page around them,
    then put back: no page shows a placeholder, and every list is there, in its place."""
    for site in (synthetic_sites["served"], synthetic_sites["offline"], built_site):
        for page in site.rglob("*.html"):
            assert "KBHTMLBLOCK" not in page.read_text(encoding="utf-8"), page
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert home.index('id="monographs"') < home.index('<table class="kb-index">') < \
        home.index('id="for-editors"')
    letter = (synthetic_sites["served"] / "az" / "a" / "index.html").read_text(encoding="utf-8")
    assert letter.count('<table class="kb-index">') == 1
    assert "<p><div" not in letter and "<p><nav" not in home


def test_the_theme_without_the_plugin_shows_the_same_navigation(tmp_path: Path) -> None:
    """The benchmark's plain-Markdown floor builds the same pages with the same theme and no
    generator plugin: there Material renders the navigation for each page, as it always did.
    Every page the two builds share shows the same navigation, link for link."""
    spec = importlib.util.spec_from_file_location("formulary", ROOT / "bench" / "formulary.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    project = bench.write_project(30, tmp_path / "project")
    floor = bench.write_floor(project, tmp_path / "floor")
    result = run_mkdocs_build(project / "mkdocs.yml", project / "site")
    assert result.returncode == 0, result.stderr
    plain_build = subprocess.run(  # not strict: the floor's home page links exports it lacks
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "--config-file",
         str(floor / "mkdocs.yml"), "--site-dir", str(floor / "site")],
        capture_output=True, text=True, check=False)
    assert plain_build.returncode == 0, plain_build.stderr
    shared = [p.relative_to(floor / "site") for p in (floor / "site").rglob("index.html")]
    assert len([p for p in shared if p.parts[0] == "monographs"]) == 30
    for page in shared:
        ours = primary_nav((project / "site" / page).read_text(encoding="utf-8"))
        plain = primary_nav(compact_html((floor / "site" / page).read_text(encoding="utf-8")))
        assert ours == plain, page
