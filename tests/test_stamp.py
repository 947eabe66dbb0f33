"""The theme's template rendered once for a build's monograph pages (generator/stamp.py): every
page is byte for byte what the template writes for it, and a template or a page the stamp cannot
write exactly goes through the template whole."""

from __future__ import annotations

import html
import json
import re
import shutil
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from generator import plugin, stamp

from .conftest import copy_project
from .synthetic import write_formulary

TITLE = "Zinc & copper's \"salts\" (oral, 'test')"
"""A title each of the template's filters writes differently."""


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 monographs (so that the navigation lists A–Z pages, not them), one with a title of
    an ampersand, quotes and brackets."""
    folder = tmp_path_factory.mktemp("stamp") / "data"
    names = write_formulary(folder, 30, seed=11)
    odd = folder / "monographs" / f"{names[3]}.yaml"
    text = odd.read_text(encoding="utf-8")
    odd.write_text(re.sub(r"^title: .*$", lambda _: "title: " + json.dumps(TITLE), text, count=1,
                          flags=re.MULTILINE), encoding="utf-8")
    return folder


@pytest.fixture
def stamped(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The stamp each build made (None: none), and the pages it wrote."""
    seen: dict[str, Any] = {"stamp": "not asked", "pages": []}
    make, render = stamp.PageStamp.make.__func__, stamp.PageStamp.render  # type: ignore[attr-defined]

    def making(cls: type[stamp.PageStamp], *args: Any, **kwargs: Any) -> Any:
        seen["stamp"] = made = make(cls, *args, **kwargs)
        return made

    def rendering(self: stamp.PageStamp, page: Any, context: Any) -> str:
        seen["pages"].append(page.file.src_uri)
        return render(self, page, context)

    monkeypatch.setattr(stamp.PageStamp, "make", classmethod(making))
    monkeypatch.setattr(stamp.PageStamp, "render", rendering)
    return seen


def _project(tmp_path: Path, data: Path, name: str = "project") -> Path:
    root = copy_project(tmp_path / name, data=False)
    shutil.copytree(data, root / "data")
    return root


def _showing(tmp_path: Path, data: Path, expression: str) -> Path:
    """A project whose template shows ``expression`` in each page's head."""
    root = _project(tmp_path, data)
    main = root / "content" / "overrides" / "main.html"
    main.write_text(main.read_text(encoding="utf-8") + '{% block extrahead %}<meta name="kb-test" '
                    f'content="{{{{ {expression} }}}}">{{% endblock %}}\n', encoding="utf-8")
    return root


def _build(root: Path, site: Path, monkeypatch: pytest.MonkeyPatch, *, stamps: bool
           ) -> dict[str, bytes]:
    monkeypatch.setattr(plugin, "STAMP_FROM", 10 if stamps else 10**9)
    build(load_config(str(root / "mkdocs.yml"), site_dir=str(site)))
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def _page(site: dict[str, bytes], name: str) -> str:
    return site[f"monographs/{name}/index.html"].decode("utf-8")


def _shown(page: str) -> dict[str, str]:
    """The page's title as a reader meets it: in the browser's tab, in the header, as the
    page's heading, and as the subject of the e-mail its error-report link opens."""
    tab = re.search(r"<title>(.*?)</title>", page)
    header = re.search(r'data-md-component="header-topic"><span class="md-ellipsis">(.*?)</span>',
                       page, re.DOTALL)
    heading = re.search(r"<h1 [^>]*>(.*?)</h1>", page)
    subject = re.search(r'\?subject=([^"]*)"', page)
    assert tab and header and heading and subject
    return {"tab": html.unescape(tab.group(1)), "header": html.unescape(header.group(1).strip()),
            "heading": html.unescape(heading.group(1)),
            "report subject": urllib.parse.unquote(html.unescape(subject.group(1)))}


def _monographs(site: dict[str, bytes]) -> list[str]:
    return sorted(path.split("/")[1] for path in site
                  if path.startswith("monographs/") and path.endswith("/index.html"))


def test_stamped_pages_are_the_pages_the_template_writes(
        data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        stamped: dict[str, Any]) -> None:
    """Every file of the site, every byte, with and without the stamp; the title with an
    ampersand, quotes and brackets is shown in the page's title, header and error-report link as
    the template writes it."""
    root = _project(tmp_path, data)
    whole = _build(root, tmp_path / "whole", monkeypatch, stamps=False)
    assert stamped["stamp"] == "not asked"
    quick = _build(root, tmp_path / "stamped", monkeypatch, stamps=True)
    assert stamped["stamp"] is not None
    monographs = _monographs(quick)
    assert len(monographs) == 30
    # every monograph page but the one MkDocs was building when the stamp was made, and the
    # two the stamp was checked against, written twice
    assert len(stamped["pages"]) >= len(monographs) - 1
    assert sorted(whole) == sorted(quick)
    assert [name for name in whole if whole[name] != quick[name]] == []
    odd = next(name for name in monographs if "Zinc &amp; copper" in _page(quick, name))
    assert _shown(_page(quick, odd)) == {
        "tab": f"{TITLE} - Clinical Knowledge Base", "header": TITLE, "heading": TITLE,
        "report subject": f"Error report: {TITLE}"}
    assert f"monographs/{odd}.md" in stamped["pages"]


def test_a_template_writing_the_title_its_own_way_is_not_stamped(
        data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        stamped: dict[str, Any]) -> None:
    """A filter the stamp does not know (here, capitals) would leave the probe's title in the
    stamp: no stamp, and each page shows its own title in capitals."""
    site = _build(_showing(tmp_path, data, "page.title | upper"), tmp_path / "site", monkeypatch,
                  stamps=True)
    assert stamped["stamp"] is None
    assert stamped["pages"] == []
    for name in _monographs(site):
        title = re.search(r'<h1 id="[^"]*">(.*?)</h1>', _page(site, name))
        assert title is not None
        assert f'<meta name="kb-test" content="{title.group(1).upper()}">' in _page(site, name)


def test_a_template_showing_more_of_the_page_is_not_stamped(
        data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        stamped: dict[str, Any]) -> None:
    """The page's own address is not a part the stamp fills: the two pages it is checked
    against differ there, so there is no stamp, and each page shows its own address."""
    site = _build(_showing(tmp_path, data, "page.url"), tmp_path / "site", monkeypatch,
                  stamps=True)
    assert stamped["stamp"] is None
    for name in _monographs(site):
        assert f'<meta name="kb-test" content="monographs/{name}/">' in _page(site, name)


def test_a_page_unlike_the_others_goes_through_the_template_whole(
        data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        stamped: dict[str, Any]) -> None:
    """A page whose metadata differs from the stamp's model (here, a description of its own)
    shows it; the others are stamped; the site is the site without the stamp."""
    stamp_pages = plugin.ClinicalKbPlugin._stamp_pages
    described: list[str] = []

    def describing(self: plugin.ClinicalKbPlugin, doc_files: list[Any], *args: Any) -> None:
        stamp_pages(self, doc_files, *args)
        last = [f.page for f in doc_files if f.src_uri.startswith("monographs/")][-1]
        last.meta["description"] = "A page of its own"
        described.append(last.file.src_uri)

    monkeypatch.setattr(plugin.ClinicalKbPlugin, "_stamp_pages", describing)
    root = _project(tmp_path, data)
    whole = _build(root, tmp_path / "whole", monkeypatch, stamps=False)
    quick = _build(root, tmp_path / "stamped", monkeypatch, stamps=True)
    assert stamped["stamp"] is not None
    assert described[-1] not in stamped["pages"]
    assert len(stamped["pages"]) >= 25
    assert [name for name in whole if whole[name] != quick[name]] == []
    name = described[-1].split("/")[1].removesuffix(".md")
    assert '<meta name="description" content="A page of its own">' in _page(quick, name)
    others = [n for n in _monographs(quick) if n != name]
    assert all('content="A page of its own"' not in _page(quick, n) for n in others)


def test_the_offline_copy_is_stamped_as_its_template_writes_it(
        data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        stamped: dict[str, Any]) -> None:
    """The copy staff open from disk (pages as monographs/<name>.html, every link relative):
    stamped, every byte as the template writes it."""
    monkeypatch.setenv(plugin.OFFLINE_ENV, "true")
    root = _project(tmp_path, data)
    whole = _build(root, tmp_path / "whole", monkeypatch, stamps=False)
    quick = _build(root, tmp_path / "stamped", monkeypatch, stamps=True)
    assert stamped["stamp"] is not None
    assert len(stamped["pages"]) >= 29
    assert sum(1 for name in quick if name.startswith("monographs/") and
               name.endswith(".html")) == 30
    assert [name for name in whole if whole[name] != quick[name]] == []


def test_pages_of_a_site_with_an_address_each_show_their_own(
        data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        stamped: dict[str, Any]) -> None:
    """With the site's address set, each page names its own canonical address: stamped, every
    byte as the template writes it."""
    root = _project(tmp_path, data)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "site_name:", "site_url: https://intranet.example/kb/\nsite_name:", 1), encoding="utf-8")
    whole = _build(root, tmp_path / "whole", monkeypatch, stamps=False)
    quick = _build(root, tmp_path / "stamped", monkeypatch, stamps=True)
    assert stamped["stamp"] is not None
    assert len(stamped["pages"]) >= 29
    assert [name for name in whole if whole[name] != quick[name]] == []
    for name in _monographs(quick):
        assert (f'<link rel="canonical" href="https://intranet.example/kb/monographs/{name}/">'
                in _page(quick, name))
