"""``kb serve`` as an editor uses it: save a monograph, see the page change in the open tab; save
a mistake, see the problem on the page over the last good version; fix it, see the banner go."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ..conftest import copy_project
from ..synthetic import write_formulary


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    root = copy_project(tmp_path / "project", data=False)
    write_formulary(root / "data", 30, seed=3)
    port = _free_port()
    log = tmp_path / "serve.log"
    scratch = tmp_path / "tmp"  # where kb serve keeps its site; gone once it is stopped
    scratch.mkdir()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=root, stdout=out, stderr=subprocess.STDOUT,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "KB_VERSION": "serve-test",
                 "TMPDIR": str(scratch)})
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            break
        except OSError:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "kb serve did not start within 120 s"
            time.sleep(0.2)
    yield root, url
    process.terminate()
    process.wait(timeout=20)
    assert not any(scratch.iterdir()), "kb serve left its preview site behind"


def test_a_save_shows_in_the_open_page_and_a_mistake_says_where(
        served: tuple[Path, str], page: Page) -> None:
    root, url = served
    path = sorted((root / "data" / "monographs").glob("*.yaml"))[4]
    good = path.read_text(encoding="utf-8")
    page.goto(f"{url}monographs/{path.stem}/")
    title = page.locator("h1").inner_text()

    path.write_text(good.replace("  paragraphs:\n", '  paragraphs:\n    - "Saved a moment ago."\n',
                                 1), encoding="utf-8")
    expect(page.locator("article")).to_contain_text("Saved a moment ago.", timeout=15_000)

    path.write_text(good.replace("status: not_reviewed_locally", "status: not_reviewd", 1),
                    encoding="utf-8")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("This preview is not up to date", timeout=15_000)
    expect(alert).to_contain_text(re.compile(
        rf"data/monographs/{path.stem}\.yaml:\d+:\d+: review\.status: 'not_reviewd' is not a "
        "known review status"))
    expect(page.locator("h1")).to_have_text(title)  # the last good page, under the banner
    expect(page.locator("article")).to_contain_text("Saved a moment ago.")

    path.write_text(good, encoding="utf-8")
    expect(page.get_by_role("alert")).to_have_count(0, timeout=15_000)
    expect(page.locator("article")).not_to_contain_text("Saved a moment ago.")
