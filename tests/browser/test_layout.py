"""Phone and ward PC: dose tables readable at 375 px and 1280 px, nothing overlapping; the
network cut off; screenshots kept in test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Route, expect

from ..conftest import ROOT

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts"


@pytest.mark.parametrize("width", [375, 1280])
def test_dose_tables_are_readable(browser: Browser, site_url: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(site_url + "monographs/ketamine/", wait_until="networkidle")
    page.locator("#regimens").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"ketamine-{width}px.png"), full_page=True)
    # The page itself never scrolls sideways: wide tables scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for wrap in page.locator(".kb-table-wrap").all():
        fits = wrap.evaluate("el => el.scrollWidth <= el.clientWidth")
        scrolls = wrap.evaluate("el => getComputedStyle(el).overflowX") == "auto"
        assert fits or scrolls
        box = wrap.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1
    # Every cell of the dose table can be brought into view and read.
    last = page.locator("table.kb-doses tbody tr").last.locator("td").last
    last.scroll_into_view_if_needed()
    expect(last).to_be_in_viewport()
    if width >= 1280:
        content = page.locator(".md-content").bounding_box()
        toc = page.locator(".md-sidebar--secondary").bounding_box()
        nav = page.locator(".md-sidebar--primary").bounding_box()
        assert content and toc and nav
        assert nav["x"] + nav["width"] <= content["x"] + 1
        assert content["x"] + content["width"] <= toc["x"] + 1
    context.close()


def test_pages_render_with_the_network_cut_off(browser: Browser, site_url: str) -> None:
    context = browser.new_context()
    blocked: list[str] = []

    def only_the_site(route: Route) -> None:
        if route.request.url.startswith(site_url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_site)
    page = context.new_page()
    page.goto(site_url + "monographs/ketamine/", wait_until="networkidle")
    expect(page.locator("h1")).to_have_text("Ketamine for pain")
    expect(page.locator("table.kb-doses")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).display") != "none"
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").press_sequentially("glycopyrrolate", delay=20)
    expect(page.locator(".md-search-result__item").first).to_be_visible(timeout=10_000)
    assert blocked == []
    context.close()
