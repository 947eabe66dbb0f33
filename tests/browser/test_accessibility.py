"""Accessibility: axe-core finds no violation on any page in either colour scheme, the dose
tables are proper tables, and the page works by keyboard alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from ..conftest import ROOT

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["", "monographs/ketamine/", "editing/"]


def axe_violations(page: Page) -> list[tuple[str, str, list[str]]]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""() => axe.run(document, {resultTypes: ["violations"]}).then(r =>
        r.violations.map(v => [v.id, v.impact, v.nodes.map(n => n.target.join(" "))]))""")
    return [tuple(v) for v in found]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_no_axe_violation(browser: Browser, site_url: str, path: str, scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(site_url + path, wait_until="networkidle")
    expected_scheme = "slate" if scheme == "dark" else "default"
    assert page.locator("body").get_attribute("data-md-color-scheme") == expected_scheme
    assert axe_violations(page) == []
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", ["nauseazine", "sedatomidine", "paedicillin", "heparinoid"])
def test_no_axe_violation_on_the_new_constructs(browser: Browser, formulary_url: str, name: str,
                                                scheme: str) -> None:
    """A boxed warning, sections, populations, caps and the calculator for mcg, units, divided
    doses and loading over N minutes, filled in (the fixture formulary)."""
    context = browser.new_context(color_scheme=scheme)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(formulary_url + f"monographs/{name}/", wait_until="networkidle")
    if page.locator("#kb-weight").count():
        page.locator("#kb-weight").press_sequentially("40")
        for field in page.locator("[data-kb-concentration]").all():
            field.press_sequentially("4")
    assert axe_violations(page) == []
    context.close()


def test_no_axe_violation_with_the_calculator_filled_in(page: Page, site_url: str) -> None:
    page.goto(site_url + "monographs/ketamine/")
    page.locator("#kb-weight").press_sequentially("70")
    page.locator("#kb-conc-iv-bolus-and-infusion-1").press_sequentially("1")
    assert axe_violations(page) == []
    page.locator("#kb-weight").fill("abc")
    page.locator("#kb-weight").press("End")
    assert axe_violations(page) == []


def test_dose_tables_have_captions_and_header_cells(page: Page, site_url: str) -> None:
    page.goto(site_url + "monographs/ketamine/")
    for table in page.locator("article table").all():
        assert table.locator("caption").count() == 1
        headers = table.locator("thead th[scope=col]")
        assert headers.count() >= 3
        assert table.locator("tbody th[scope]").count() >= 1


def test_keyboard_reaches_search_and_first_citation(page: Page, site_url: str) -> None:
    page.goto(site_url + "monographs/ketamine/")

    def tab_until(selector: str, limit: int = 80) -> int:
        for presses in range(1, limit + 1):
            page.keyboard.press("Tab")
            if page.evaluate("sel => document.activeElement.matches(sel)", selector):
                return presses
        raise AssertionError(f"Tab never reached {selector}")

    tab_until("input.md-search__input")
    page.keyboard.press("Escape")
    page.locator("body").click(position={"x": 5, "y": 300})
    tab_until("sup.kb-cite a")
    first = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site_url}monographs/ketamine/{first}")
    expect(page.locator(first)).to_be_in_viewport()


def test_axe_is_vendored_from_npm() -> None:
    assert AXE.is_file(), "run `make browser-deps` (npm ci) to vendor axe-core"
    assert Path(ROOT / "package-lock.json").read_text(encoding="utf-8").count('"axe-core"') >= 1
