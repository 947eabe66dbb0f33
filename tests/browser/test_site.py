"""What staff see in a real browser: search, citations, the closed network, print."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Page, Request, expect
from pypdf import PdfReader

pytestmark = pytest.mark.browser

# What a clinician types: symptoms, co-medications, monitoring, a strength, routes, an author,
# the start of a word, a hyphenated word.
SEARCHES = ["hallucinations", "delirium", "grape juice", "glycopyrrolate", "lorazepam", "ECG",
            "respiratory rate", "50 mg/mL", "0.15", "subcut", "intranasal", "Riccardi",
            "Marchetti", "ketam", "stroke volume", "light-headedness", "amitriptyline",
            "third-line"]


def search(page: Page, site_url: str, words: str) -> None:
    page.goto(site_url)
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(words, delay=20)
    expect(page.locator(".md-search-result__item").first).to_be_visible(timeout=10_000)


@pytest.mark.parametrize("words", SEARCHES)
def test_search_finds_the_ketamine_page(page: Page, ketamine_url: str, words: str) -> None:
    """Built from ketamine alone: other monographs in data/ may rightly rank above it."""
    search(page, ketamine_url, words)
    first_links = page.locator(".md-search-result__item a").evaluate_all(
        "links => links.slice(0, 5).map(a => a.getAttribute('href'))")
    assert any("monographs/ketamine/" in href for href in first_links), first_links


def test_clicking_a_search_result_lands_on_the_section(page: Page, ketamine_url: str) -> None:
    search(page, ketamine_url, "glycopyrrolate")
    page.locator(".md-search-result__item a[href*='#adverse-effects']").first.click()
    expect(page).to_have_url(
        re.compile(r"monographs/ketamine/(\?h=[^#]*)?#adverse-effects-gastrointestinal$"))
    expect(page.locator("#adverse-effects-gastrointestinal")).to_be_in_viewport()


def test_every_superscript_lands_on_its_reference(page: Page, site_url: str) -> None:
    page.goto(site_url + "monographs/ketamine/")
    links = page.locator("sup.kb-cite a:visible")
    hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    shown_numbers = set(page.locator("sup.kb-cite a:visible").all_inner_texts())
    assert len(hrefs) >= 20
    assert {"1", "3", "6", "11", "18", "20"} <= shown_numbers
    for i, href in enumerate(hrefs):
        links.nth(i).click()
        expect(page).to_have_url(re.compile(re.escape(href) + "$"))
        target = page.locator(href)
        expect(target).to_be_in_viewport()
        assert target.evaluate("el => el.tagName") == "LI"


def test_citation_goes_to_its_reference_and_back(page: Page, site_url: str) -> None:
    page.goto(site_url + "monographs/ketamine/")
    page.locator("#introduction sup.kb-cite a").first.click()
    expect(page).to_have_url(re.compile(r"#ref-marchetti2015$"))
    reference = page.locator("#ref-marchetti2015")
    expect(reference).to_be_in_viewport()
    expect(reference).to_contain_text("Marchetti F, et al. Efficacy and safety of oral ketamine")
    reference.locator(".kb-back a").first.click()
    expect(page).to_have_url(re.compile(r"#cite-\d+$"))
    expect(page.locator("#introduction")).to_be_in_viewport()
    doi = page.locator("#ref-riccardi2023 a[href^='https://doi.org/']")
    expect(doi).to_have_attribute("href", "https://doi.org/10.3390/jcm12093256")


@pytest.mark.parametrize("path", ["", "monographs/ketamine/", "editing/"])
def test_no_request_leaves_the_site(page: Page, site_url: str, path: str) -> None:
    outside: list[str] = []

    def record(request: Request) -> None:
        if not request.url.startswith((site_url, "data:", "blob:")):
            outside.append(request.url)

    page.on("request", record)
    page.goto(site_url + path, wait_until="networkidle")
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").press_sequentially("ketamine")
    page.wait_for_load_state("networkidle")
    assert outside == []


def test_print_keeps_the_monograph_and_drops_navigation(page: Page, site_url: str) -> None:
    page.goto(site_url + "monographs/ketamine/", wait_until="networkidle")
    page.emulate_media(media="print")
    expect(page.locator(".md-sidebar--primary")).to_be_hidden()
    expect(page.locator(".md-search")).to_be_hidden()
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in pdf.pages))
    for expected in ["Ketamine for pain", "Uncontrolled when printed", "0.15–0.3 mg/kg/hour",
                     "every 12 hours", "Not yet reviewed locally", "References",
                     "supports and does not replace clinical judgement", "Based on",
                     "Report an error", "Content version", "Dosage forms", "50 mg/mL",
                     "Riccardi A, et al.", "its author, publisher and date are not stated"]:
        assert expected in text, expected
    assert re.search(r"Printed \w+ \d{1,2}, \d{4}", text)
    assert "Table of contents" not in text


@pytest.mark.parametrize(("words", "monograph"), [
    ("Nauzene", "nauseazine"), ("levonauseazine", "nauseazine"),
    ("sinus arrest", "sedatomidine"), ("syringe driver", "nauseazine"),
])
def test_search_finds_names_classes_and_dose_words(page: Page, formulary_url: str, words: str,
                                                   monograph: str) -> None:
    """Brand names, synonyms, a boxed warning and a device are found (the fixture formulary,
    built beside the real data)."""
    search(page, formulary_url, words)
    first_links = page.locator(".md-search-result__item a").evaluate_all(
        "links => links.slice(0, 5).map(a => a.getAttribute('href'))")
    assert any(f"monographs/{monograph}/" in href for href in first_links), first_links
