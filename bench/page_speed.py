"""What a person feels: transfer size of the monograph page, size of the search index, and the
time from navigation to the first dose table in a cold browser. Prints figures; not a test.

Usage: .venv/bin/python bench/page_speed.py [--runs 7]
Builds the site into a temporary folder, serves it on 127.0.0.1 and drives Debian's Chromium.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                        "--site-dir", str(site)], cwd=ROOT, check=True)
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/monographs/ketamine/"
        times, transfers, requests = [], [], []
        with sync_playwright() as playwright:
            for _ in range(args.runs):
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                     args=FLAGS)
                page = browser.new_page()
                page.goto(url, wait_until="commit")
                page.wait_for_selector("table.kb-doses", state="visible")
                times.append(page.evaluate("performance.now()"))
                page.wait_for_load_state("networkidle")
                entries = page.evaluate("""() => [
                    ...performance.getEntriesByType('navigation'),
                    ...performance.getEntriesByType('resource')
                ].map(e => e.encodedBodySize)""")
                transfers.append(sum(entries))
                requests.append(len(entries))
                browser.close()
        server.shutdown()
        html = (site / "monographs" / "ketamine" / "index.html").stat().st_size
        index = sum(p.stat().st_size for p in (site / "search").glob("*.js"))
    print(f"runs: {args.runs} (cold browser each run), served by Python's http.server "
          "without compression")
    print(f"monograph page HTML: {html / 1024:.1f} KiB")
    print(f"monograph page total transfer (HTML, CSS, JS; the search index loads only when the "
          "search box is used): "
          f"{statistics.median(transfers) / 1024:.1f} KiB in {statistics.median(requests):.0f} "
          "requests (median)")
    print(f"search index (all its files): {index / 1024:.1f} KiB")
    print(f"navigation to first dose table visible: median {statistics.median(times):.0f} ms, "
          f"min {min(times):.0f} ms, max {max(times):.0f} ms")


if __name__ == "__main__":
    main()
