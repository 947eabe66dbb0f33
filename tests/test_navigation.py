"""A large formulary is browsed, not scrolled: the home page offers A–Z and the drug classes
(one page per class, from data/drug-classes.yaml), and every monograph is two links away."""

from __future__ import annotations

import re
from pathlib import Path

from generator.loader import load_knowledge_base

from .conftest import SYNTHETIC_MONOGRAPHS


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
