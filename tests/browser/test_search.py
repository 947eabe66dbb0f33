"""Search as staff use it, in Chromium, on a 60-monograph synthetic formulary (tests/synthetic.py,
never published), both served over HTTP and opened from file:// as in the offline bundle.

Each misspelling, British spelling and abbreviation must bring up the page it means within the
first five results; the drug whose name is typed exactly comes first; a near-spelled drug name is
marked and look-alike names are labelled as different drugs; nonsense finds nothing; a search that
finds nothing offers the closest drug names; nothing is opened without being chosen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from generator.model import SearchTerms
from generator.search import Speller
from generator.yamlsource import read_yaml

from ..conftest import ROOT
from .conftest import _serve
from .test_accessibility import axe_violations

pytestmark = pytest.mark.browser


# (what a nurse types, the monograph it must find in the first five results)
MISSPELLINGS = [
    ("predisolone", "prednisolone"), ("prednisolon", "prednisolone"),
    ("hydroxizine", "hydroxyzine"), ("kydralazine", "hydralazine"),  # first letter wrong
    ("hidralazine", "hydralazine"), ("halloperidol", "haloperidol"),
    ("levomepromazin", "levomepromazine"), ("metoclopramid", "metoclopramide"),
    ("ondansteron", "ondansetron"),  # two letters swapped
    ("glycopyrolate", "glycopyrronium"),  # a misspelt synonym
    ("furosemid", "furosemide"), ("enoxaparine", "enoxaparin"), ("lidocane", "lidocaine"),
    ("ketorolak", "ketorolac"), ("nozinex", "levomepromazine"),  # a brand name, lower case
    ("Zofranil", "ondansetron"), ("lupus-like sindrome", "hydralazine"),
    ("cataracs", "prednisone"), ("dystonic reactons", "metoclopramide"),
    ("perioral numbnes", "lidocaine"), ("frusemide", "furosemide"),  # the British name
    ("lignocaine", "lidocaine"),
]
VARIANTS = [
    ("hemodialysis", "morphine"), ("esophagitis", "ketorolac"),
    ("magnesium sulphate", "magnesium"), ("behavior", "codeine"), ("color", "hydroxyzine"),
    ("estrogen", "prednisone"), ("cesarean", "glycopyrronium"), ("pediatric", "haloperidol"),
    ("anesthetic", "lidocaine"), ("hematocrit", "enoxaparin"),
]
ABBREVIATIONS = [
    ("CSCI", "haloperidol"), ("SQ abdomen", "enoxaparin"), ("PONV", "ondansetron"),
    ("BP before each dose", "hydralazine"), ("eGFR", "morphine"), ("LMWH", "enoxaparin"),
    ("NSAID", "ketorolac"), ("IV hypomagnesemia", "magnesium"), ("MS", "morphine"),
    ("MS", "magnesium"),
    ("EPS terminal agitation", "haloperidol"),
]
CASES = MISSPELLINGS + VARIANTS + ABBREVIATIONS


@pytest.fixture(scope="module", params=["served", "offline"])
def search_page(request: pytest.FixtureRequest, browser: Browser,
                synthetic_sites: dict[str, Path]) -> Iterator[tuple[Page, str]]:
    """One tab on the formulary's home page (served, or from file://); each test types into it."""
    mode = request.param
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []
    context.on("request", lambda r: outside.append(r.url)
               if not r.url.startswith(("http://127.0.0.1", "file://", "data:", "blob:"))
               else None)
    page = context.new_page()
    if mode == "served":
        serving = _serve(synthetic_sites["served"])
        url = next(serving)
        page.goto(url)
    else:
        page.goto((synthetic_sites["offline"] / "index.html").as_uri())
    yield page, mode
    context.close()
    if mode == "served":
        next(serving, None)
    assert outside == []


def results(page: Page, words: str) -> list[str]:
    """Type ``words`` and return the result links' addresses once the search has answered."""
    box = page.locator("input.md-search__input")
    box.fill("")
    box.press_sequentially(words, delay=5)
    meta = page.locator(".kb-search-meta")
    expect(meta).to_have_text(re.compile(r"found|No page"), timeout=10_000)
    return page.locator(".md-search-result__item > a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")


def monograph_of(href: str) -> str:
    match = re.search(r"monographs/([a-z0-9-]+)(?:/|\.html)", href)
    assert match, href
    return match.group(1)


@pytest.mark.parametrize(("words", "monograph"), CASES)
def test_a_slip_a_spelling_or_an_abbreviation_finds_its_page(
        search_page: tuple[Page, str], words: str, monograph: str) -> None:
    page, _ = search_page
    first = [monograph_of(h) for h in results(page, words)[:5] if "monographs/" in h]
    assert monograph in first, first


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 30
    assert len(MISSPELLINGS) >= 10 and len(VARIANTS) >= 5 and len(ABBREVIATIONS) >= 5


@pytest.mark.parametrize(("typed", "alike"), [("prednisone", "prednisolone"),
                                               ("prednisolone", "prednisone"),
                                               ("hydroxyzine", "hydralazine"),
                                               ("hydralazine", "hydroxyzine")])
def test_the_exact_name_ranks_first_and_look_alikes_are_labelled(
        search_page: tuple[Page, str], typed: str, alike: str) -> None:
    page, _ = search_page
    hrefs = results(page, typed)
    assert monograph_of(hrefs[0]) == typed
    first = page.locator(".md-search-result__item").first
    expect(first.locator(".kb-search-warning")).to_have_count(0)
    expect(first.locator(".kb-search-alike")).to_contain_text("Different drug with a similar name")
    expect(first.locator(".kb-search-alike a")).to_have_text(re.compile(alike.capitalize()))
    if typed.startswith("predniso"):  # two edits apart: the other is found, and marked
        near = page.locator(".md-search-result__item", has=page.locator(
            f"a.md-search-result__link[href*='monographs/{alike}']"))
        expect(near.first.locator(".kb-search-warning")).to_contain_text(
            "Spelled differently from your search")


def test_a_near_spelling_of_a_drug_name_is_marked(search_page: tuple[Page, str]) -> None:
    page, _ = search_page
    hrefs = results(page, "ondansteron")
    assert monograph_of(hrefs[0]) == "ondansetron"
    expect(page.locator(".md-search-result__item").first.locator(".kb-search-warning")
           ).to_have_text("Spelled differently from your search (\u201condansteron\u201d): "
                          "check this is the drug you mean.")


@pytest.mark.parametrize("nonsense", ["xqzvbnmw", "qwrtplkj zzxv", "bbbbbbbb"])
def test_nonsense_finds_nothing(search_page: tuple[Page, str], nonsense: str) -> None:
    page, _ = search_page
    assert results(page, nonsense) == []
    expect(page.locator(".kb-search-meta")).to_have_text(
        f"No page found for \u201c{nonsense}\u201d.")


def test_no_dead_end_the_closest_drug_names_are_offered(search_page: tuple[Page, str]) -> None:
    page, _ = search_page
    url = page.url
    assert results(page, "kodiene") == []
    suggest = page.locator(".kb-search-suggest")
    expect(suggest).to_be_visible()
    expect(suggest).to_contain_text("each is a different drug from what you typed")
    expect(suggest.locator("a").first).to_have_text(re.compile(r"^Codeine"))
    page.locator("input.md-search__input").press("Enter")
    assert page.url == url, "nothing is opened without being chosen"


def test_enter_never_opens_a_result_by_itself_arrows_and_enter_do(
        search_page: tuple[Page, str]) -> None:
    page, _ = search_page
    page.keyboard.press("Escape")
    page.locator("body").click(position={"x": 5, "y": 400})
    page.keyboard.press("/")
    expect(page.locator("input.md-search__input")).to_be_focused()
    hrefs = results(page, "hydralazine")
    url = page.url
    page.locator("input.md-search__input").press("Enter")
    assert page.url == url
    expect(page.locator(".kb-search-meta")).to_contain_text(
        "Press \u2193 then Enter, or click, to open one.")
    page.keyboard.press("ArrowDown")
    expect(page.locator(".md-search-result__item > a").first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator(".md-search-result__item > a").nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(re.compile("^Hydralazine"))
    assert "hydralazine" in hrefs[0]
    page.go_back()


def test_results_are_text_only(search_page: tuple[Page, str]) -> None:
    """Only the elements search.js makes itself: no markup from the data reaches the list."""
    page, _ = search_page
    results(page, "prednisone")
    tags = page.locator(".md-search-result__list *").evaluate_all(
        "nodes => [...new Set(nodes.map(n => n.tagName.toLowerCase()))]")
    assert set(tags) <= {"li", "a", "span", "p", "strong"}, tags


def test_the_page_folds_words_as_the_index_does(search_page: tuple[Page, str]) -> None:
    """search.js and generator/search.py must fold words the same way, or a word is lost."""
    page, _ = search_page
    terms = read_yaml(ROOT / "data" / "search-terms.yaml").data
    speller = Speller(SearchTerms.model_validate(terms))
    samples = ["Anaesthetised paediatric patients", "Haemorrhage, oedema and diarrhoea",
               "0.15–0.3 mg/kg/hour", "Ménière's disease", "N/V and PRN doses",
               "Sulphate-containing colourless fibres", "Analysed; dialysed; organisation",
               "U+2028\u2028line", "x.5 and 1.2.3 and e.g."]
    for text in samples:
        in_page = page.evaluate("text => window.__kbSearchWords(text)", text)
        assert in_page == speller.words(text), text


def test_hand_written_pages_are_found(search_page: tuple[Page, str]) -> None:
    page, _ = search_page
    hrefs = results(page, "editors guide reference")
    assert any("editing" in h for h in hrefs[:5]), hrefs


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("words", ["prednisone", "kodiene"])
def test_no_axe_violation_with_results_open(browser: Browser, synthetic_sites: dict[str, Path],
                                           scheme: str, words: str) -> None:
    """Results with a near-spelling mark and look-alike names, and the no-result suggestions,
    in both colour schemes."""
    context = browser.new_context(color_scheme=scheme)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto((synthetic_sites["offline"] / "index.html").as_uri())
    results(page, words)
    if words == "prednisone":
        expect(page.locator(".kb-search-warning").first).to_be_visible()
        expect(page.locator(".kb-search-alike").first).to_be_visible()
    else:
        expect(page.locator(".kb-search-suggest")).to_be_visible()
    assert axe_violations(page) == []
    context.close()
