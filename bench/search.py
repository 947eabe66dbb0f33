"""What search costs a reader at formulary scale: bytes on the wire before the first result, time
to the first result cold and on a second page view, warm query time, JavaScript heap, and the
same from file://. Prints figures (and with --write, bench/SEARCH.md); a benchmark, not a test.

For each N it writes a synthetic formulary (bench/formulary.py; the realistic corpus, and the
ketamine-clone corpus at the largest N), builds it twice (served, and as the offline bundle
builds it), serves the first through Debian's nginx with deploy/nginx.conf (gzip, cache
headers), and drives Debian's Chromium with its network emulated at 10 Mbit/s and 40 ms.

Usage: .venv/bin/python bench/search.py [--sizes 500 2000] [--write]
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from formulary import write_project  # type: ignore[import-not-found]
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.browser.test_nginx import running_nginx  # noqa: E402

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
NETWORK = {"offline": False, "latency": 40, "downloadThroughput": 10_000_000 / 8,
           "uploadThroughput": 10_000_000 / 8}
"""10 Mbit/s each way and 40 ms added to each request, as in #12's figures."""

QUERIES = ["hallucinations", "halucinations", "predisolone", "hydroxizine", "grape juice",
           "anaesthetic", "oedema", "CSCI", "N/V", "MS", "0.5 mg/kg every 12 hours",
           "glycopyrolate", "heart rate", "lupus-like sindrome", "kodiene", "xqzvbnmw",
           "syringe driver", "respiratory depression", "ondansteron", "renal impairment"]
"""Misspellings, variants, abbreviations, a dose, a phrase, nonsense: what staff type."""

# Time from setting the query to the result list (or the no-result message) changing, starting
# from an empty box; the input event is what a key press fires.
TIME_QUERY = """async (query) => {
  const input = document.querySelector('input.md-search__input');
  const meta = document.querySelector('.kb-search-meta');
  const list = document.querySelector('.md-search-result__list');
  const state = () => meta.textContent + '|' + list.innerHTML;
  input.value = '';  /* clearing is synchronous: the results then change whatever the query */
  input.dispatchEvent(new Event('input', {bubbles: true}));
  const before = state();
  input.focus();
  const start = performance.now();
  const done = new Promise(resolve => {
    const observer = new MutationObserver(() => {
      if (state() !== before && !/Searching/.test(meta.textContent)) {
        observer.disconnect();
        resolve(performance.now() - start);
      }
    });
    observer.observe(document.querySelector('.md-search-result'),
                     {childList: true, subtree: true, characterData: true});
  });
  input.value = query;
  input.dispatchEvent(new Event('input', {bubbles: true}));
  return await done;
}"""


CLEAR = """() => { const input = document.querySelector('input.md-search__input');
  input.value = ''; input.dispatchEvent(new Event('input', {bubbles: true})); }"""


def build(project: Path, site: Path, **env: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                    "--site-dir", str(site)], cwd=project, env={**ENV, **env}, check=True)
    return time.perf_counter() - start


def index_sizes(site: Path) -> dict[str, float]:
    folder = site / "search"
    main = next(folder.glob("index.*.js")).read_bytes()
    shards = [p.read_bytes() for p in folder.glob("shard-*.js")]
    gz = [len(gzip.compress(s, 6)) for s in shards]
    return {"main_kib": len(main) / 1024, "main_gz_kib": len(gzip.compress(main, 6)) / 1024,
            "shards": len(shards), "shards_kib": sum(map(len, shards)) / 1024,
            "shards_gz_kib": sum(gz) / 1024, "shard_gz_kib": statistics.mean(gz) / 1024}


def first_monograph(site: Path) -> str:
    return sorted(p.parent.name for p in (site / "monographs").glob("*/index.html"))[0]


def wire_bytes(page: Page) -> tuple[Any, list[int]]:
    """A CDP session that adds every response's bytes on the wire to the returned list."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    total = [0]
    cdp.on("Network.loadingFinished", lambda e: total.__setitem__(
        0, total[0] + int(e["encodedDataLength"])))
    return cdp, total


def heap_mib(cdp: Any) -> float:
    cdp.send("HeapProfiler.collectGarbage")
    return float(cdp.send("Runtime.getHeapUsage")["usedSize"]) / 2**20


def warm_queries(page: Page) -> list[float]:
    """Milliseconds per query once its shards are loaded (each query run once before)."""
    for query in QUERIES:
        page.evaluate(CLEAR)
        page.evaluate(TIME_QUERY, query)
    out = []
    for query in QUERIES:
        page.evaluate(CLEAR)
        out.append(float(page.evaluate(TIME_QUERY, query)))
    return out


def served(url: str, site: Path, browser: Any) -> dict[str, Any]:
    context = browser.new_context()
    page = context.new_page()
    cdp, wire = wire_bytes(page)
    cdp.send("HeapProfiler.enable")
    slug = first_monograph(site)
    start = time.perf_counter()
    page.goto(url + f"monographs/{slug}/", wait_until="load")
    heap_before = heap_mib(cdp)
    page.evaluate(TIME_QUERY, "hallucinations")
    cold_s = time.perf_counter() - start
    cold_bytes = wire[0]
    # a second page view: another monograph, same browser (its cache), a new query
    other = sorted(p.parent.name for p in (site / "monographs").glob("*/index.html"))[-1]
    page.goto(url + f"monographs/{other}/", wait_until="load")
    before_second = wire[0]  # the page itself is revalidated; the index comes from the cache
    second_ms = page.evaluate(TIME_QUERY, "hallucinations")
    second_bytes = wire[0] - before_second
    second_new_ms = page.evaluate(TIME_QUERY, "delirium")
    warm = warm_queries(page)
    heap_after = heap_mib(cdp)
    context.close()
    return {"cold_s": cold_s, "cold_kib": cold_bytes / 1024, "second_ms": second_ms,
            "second_kib": second_bytes / 1024, "second_new_ms": second_new_ms,
            "warm_median_ms": statistics.median(warm), "warm_max_ms": max(warm),
            "heap_page_mib": heap_before, "heap_search_mib": heap_after - heap_before}


def from_file(site: Path, browser: Any) -> dict[str, Any]:
    context = browser.new_context()
    page = context.new_page()
    start = time.perf_counter()
    page.goto((site / "index.html").as_uri(), wait_until="load")
    page.evaluate(TIME_QUERY, "hallucinations")
    cold_s = time.perf_counter() - start
    warm = warm_queries(page)
    context.close()
    return {"file_cold_s": cold_s, "file_warm_median_ms": statistics.median(warm),
            "file_warm_max_ms": max(warm)}


def measure(n: int, corpus: str, tmp: Path, browser: Any) -> dict[str, Any]:
    work = tmp / f"{corpus}-{n}"
    project = write_project(n, work / "project", corpus)
    site, offline = work / "site", work / "offline"
    print(f"{corpus} {n}: building", file=sys.stderr, flush=True)
    build_s = build(project, site)
    build(project, offline, KB_OFFLINE="true")
    print(f"{corpus} {n}: measuring", file=sys.stderr, flush=True)
    result: dict[str, Any] = {"n": n, "corpus": corpus, "build_s": build_s,
                              **index_sizes(site)}
    dest = work / "dest"
    dest.mkdir()
    (dest / "current").symlink_to(site)
    prefix = work / "nginx"
    prefix.mkdir()
    with running_nginx(prefix, dest) as url:
        result.update(served(url, site, browser))
    result.update(from_file(offline, browser))
    return result


def report(results: list[dict[str, Any]]) -> str:
    lines = [
        "| corpus | N | index (main) gz | shards: count, gz total, gz each | wire before 1st "
        "result, cold | 1st result, cold | 2nd page view: wire, last key to result (same query; "
        "new query) | warm query median / max | heap: page, + search | file://: cold, warm "
        "median / max |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['corpus']} | {r['n']} | {r['main_gz_kib']:.0f} KiB ({r['main_kib']:.0f} raw) "
            f"| {r['shards']}, {r['shards_gz_kib']:.0f} KiB, {r['shard_gz_kib']:.1f} KiB | "
            f"{r['cold_kib']:.0f} KiB | {r['cold_s']:.2f} s | {r['second_kib']:.1f} KiB, "
            f"{r['second_ms']:.0f} ms; {r['second_new_ms']:.0f} ms | "
            f"{r['warm_median_ms']:.1f} / {r['warm_max_ms']:.1f} ms | "
            f"{r['heap_page_mib']:.1f} MiB, +{r['heap_search_mib']:.1f} MiB | "
            f"{r['file_cold_s']:.2f} s, {r['file_warm_median_ms']:.1f} / "
            f"{r['file_warm_max_ms']:.1f} ms |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--write", action="store_true", help="write bench/SEARCH.md")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="kb-search-bench-") as tmp, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        runs = [(n, "realistic") for n in args.sizes] + [(max(args.sizes), "clone")]
        for n, corpus in runs:
            result = measure(n, corpus, Path(tmp), browser)
            print(result, flush=True)
            results.append(result)
        browser.close()
    text = report(results)
    print(text)
    if args.write:
        (ROOT / "bench" / "SEARCH.md").write_text(
            "# Search at formulary scale\n\nMeasured "
            f"{time.strftime('%Y-%m-%d')} with `.venv/bin/python bench/search.py "
            f"--sizes {' '.join(map(str, args.sizes))} --write` (nginx with deploy/nginx.conf, "
            "Chromium with the network at 10 Mbit/s and 40 ms).\n\n" + text, encoding="utf-8")


if __name__ == "__main__":
    main()
