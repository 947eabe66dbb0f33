"""The offline bundle from file://, and review governance decided in the reader's browser."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from generator import publish

from ..conftest import ROOT, copy_project, run_mkdocs_build

pytestmark = pytest.mark.browser


def test_offline_bundle_works_from_file_with_search(browser: Browser,
                                                    tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    archive = next(p for p in publish.publish(ROOT, dist) if p.name.endswith("-offline.zip"))
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp_path / "unpacked")
    [top] = list((tmp_path / "unpacked").iterdir())
    context = browser.new_context()
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.goto((top / "index.html").as_uri())
    page.locator("table.kb-index a", has_text="Ketamine for pain").click()
    expect(page.locator("h1")).to_have_text("Ketamine for pain")
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").press_sequentially("glycopyrrolate", delay=20)
    result = page.locator(".md-search-result__item a[href*='ketamine']").first
    expect(result).to_be_visible(timeout=10_000)
    assert [r for r in requests if not r.startswith(("file://", "data:", "blob:"))] == []
    context.close()


@pytest.fixture(scope="module")
def reviewed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site with ketamine marked reviewed, next review due 2027-01-01."""
    root = copy_project(tmp_path_factory.mktemp("reviewed"))
    path = root / "data" / "monographs" / "ketamine.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "review:\n  status: not_reviewed_locally\n",
        "review:\n  status: reviewed\n  last_reviewed: 2026-01-01\n  next_review: 2027-01-01\n"
        "  reviewed_by: Test committee\n"), encoding="utf-8")
    result = run_mkdocs_build(root / "mkdocs.yml", root / "site")
    assert result.returncode == 0, result.stderr
    return root / "site"


@pytest.mark.parametrize(("today", "overdue"), [(dt.datetime(2026, 12, 31, 12), False),
                                                (dt.datetime(2027, 1, 2, 12), True)])
def test_overdue_banner_follows_the_readers_clock(page: Page, reviewed_site: Path,
                                                  today: dt.datetime, overdue: bool) -> None:
    page.clock.set_fixed_time(today)
    page.goto((reviewed_site / "monographs" / "ketamine" / "index.html").as_uri())
    banner = page.locator("[data-kb-overdue-banner]")
    if overdue:
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("was due on 2027-01-01")
    else:
        expect(banner).to_be_hidden()
    expect(page.locator(".kb-banner--unreviewed")).to_have_count(0)
    page.goto((reviewed_site / "index.html").as_uri())
    tag = page.locator("table.kb-index tr:has(a[href*='ketamine']) .kb-overdue-tag")
    if overdue:
        expect(tag).to_be_visible()
    else:
        expect(tag).to_be_hidden()


def test_unreviewed_monograph_says_so_plainly(page: Page, site_url: str) -> None:
    page.goto(site_url + "monographs/ketamine/")
    expect(page.locator(".kb-banner--unreviewed")).to_contain_text("Not yet reviewed locally")
