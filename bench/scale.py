"""How the generator's cost grows with the number of monographs. Prints figures and writes
bench/RESULTS.md; it is a benchmark script, not a test.

For N = 1, 100 and 500 it writes a synthetic formulary (bench/formulary.py, in a temporary
folder; ketamine clones unless --corpus realistic), then measures, as the median of --runs runs:
`kb validate` time, full `mkdocs build --strict` time, peak memory of the build, the size of
site/, of one monograph page's HTML and of the search index. It also builds the same pages
pre-rendered as plain Markdown with the same theme and navigation and no generator (the floor
MkDocs sets), in runs paired with ours, and reports our build time as a ratio to that floor. At
the largest N it measures search latency in headless Chromium and, for every N, the time from
saving a YAML file to its new text visible in Chromium under `kb serve` (median of five saves).

Usage: .venv/bin/python bench/scale.py [--runs 3] [--sizes 1 100 500] [--corpus clone]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from formulary import write_floor, write_project  # type: ignore[import-not-found]
from playwright.sync_api import sync_playwright
from search import TIME_QUERY  # type: ignore[import-not-found]

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
NOTES_MARKER = "<!-- notes: kept when make bench rewrites the figures above -->"
RUNNER = """import resource, runpy, sys
sys.argv = ["mkdocs"] + sys.argv[1:]
try:
    runpy.run_module("mkdocs", run_name="__main__")
except SystemExit as e:
    code = e.code
else:
    code = 0
print("MAXRSS_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def timed(command: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    return elapsed, result.stderr


def build(project: Path, site: Path) -> tuple[float, int]:
    """Seconds and peak resident memory (KiB) of one strict build."""
    elapsed, stderr = timed([sys.executable, "-c", RUNNER, "build", "--strict", "--quiet",
                             "--site-dir", str(site)], project)
    match = re.search(r"MAXRSS_KB (\d+)", stderr)
    assert match
    return elapsed, int(match.group(1))


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def search_latency(site: Path, words: list[str]) -> list[float]:
    """Milliseconds from a query's input event to its results on the page, index loaded (each
    word searched once before, so its shards are in memory), in headless Chromium."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    out = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page()
        page.goto(url, wait_until="networkidle")
        for word in words:
            page.evaluate(TIME_QUERY, word)
        for word in words:
            out.append(float(page.evaluate(TIME_QUERY, word)))
        browser.close()
    server.shutdown()
    return out


def edit_loop(project: Path, saves: int = 5) -> list[float]:
    """Seconds from saving a YAML file to its new text visible in Chromium, under `kb serve`,
    for each of ``saves`` saves of one monograph (its title gains a word each time)."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--dev-addr",
                                f"127.0.0.1:{port}"], cwd=project, env=ENV,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    target = sorted((project / "data" / "monographs").glob("*.yaml"))[0]
    url = f"http://127.0.0.1:{port}/monographs/{target.stem}/"
    text = target.read_text(encoding="utf-8")
    times = []
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            page = browser.new_page()
            page.goto(url)
            page.wait_for_timeout(1000)
            for i in range(saves):
                token = f"Edited{i}x{int(time.time())}"
                edited = re.sub(r'^title: "?(.*?)"?$',
                                lambda m, t=token: f'title: "{m.group(1)} {t}"',
                                text, count=1, flags=re.MULTILINE)
                start = time.monotonic()
                target.write_text(edited, encoding="utf-8")
                page.wait_for_function(
                    f"document.body && document.body.innerText.includes('{token}')",
                    timeout=600_000, polling=20)
                times.append(time.monotonic() - start)
                page.wait_for_timeout(1500)  # the search index is rewritten after the page
            browser.close()
        return times
    finally:
        target.write_text(text, encoding="utf-8")
        process.terminate()
        process.wait(timeout=30)


def measure(n: int, runs: int, tmp: Path, search: bool, corpus: str) -> dict[str, object]:
    work = tmp / f"n{n}"
    project = write_project(n, work / "project", corpus)
    floor = write_floor(project, work / "floor")
    validate = [timed([str(BIN / "kb"), "validate"], project)[0] for _ in range(runs)]
    ours, floors, ratios, memory = [], [], [], []
    for i in range(runs):
        seconds, rss = build(project, work / f"site{i}")
        floor_seconds, _ = build(floor, work / f"floor-site{i}")
        ours.append(seconds)
        floors.append(floor_seconds)
        ratios.append(seconds / floor_seconds)
        memory.append(rss)
    site = work / "site0"
    page = sorted((site / "monographs").glob("*/index.html"))[0]
    result: dict[str, object] = {
        "n": n,
        "validate_s": statistics.median(validate),
        "build_s": statistics.median(ours),
        "floor_s": statistics.median(floors),
        "ratio": statistics.median(ratios),
        "peak_mib": statistics.median(memory) / 1024,
        "site_mib": folder_size(site) / 2**20,
        "page_kib": page.stat().st_size / 1024,
        "index_kib": folder_size(site / "search") / 1024,
        "edit_s": statistics.median(edits := edit_loop(project)),
        "edits": edits,
    }
    if search:
        result["search_ms"] = search_latency(site, ["hallucinations", "delirium", "grape",
                                                    "constipation", "renal"])
    return result


def report(results: list[dict[str, object]], runs: int, command: str) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on this project's machine ({os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}), with `{command}`. Each figure is the median of {runs} runs; the "
        "floor builds the same pages pre-rendered as plain Markdown with the same theme and "
        "navigation and no generator, in runs paired with ours (ratio = median of the paired "
        "ratios).",
        "",
        "| N | kb validate | mkdocs build | floor build | ratio to floor | peak memory | site/ | "
        "one page HTML | search index | save to new text in Chromium (kb serve, median of 5) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['n']} | {r['validate_s']:.2f} s | {r['build_s']:.2f} s | {r['floor_s']:.2f} s "
            f"| {r['ratio']:.2f} | {r['peak_mib']:.0f} MiB | {r['site_mib']:.1f} MiB | "
            f"{r['page_kib']:.1f} KiB | {r['index_kib']:.0f} KiB | {r['edit_s']:.2f} s |")
    for r in results:
        if "search_ms" in r:
            figures = r["search_ms"]
            assert isinstance(figures, list)
            lines += ["", f"Search at N = {r['n']}, index loaded, from a query's input event to "
                          f"its results on the page in headless Chromium: median "
                          f"{statistics.median(figures):.0f} ms, max {max(figures):.0f} ms "
                          f"({len(figures)} words)."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 100, 500])
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md")
    parser.add_argument("--corpus", choices=["clone", "realistic"], default="clone",
                        help="ketamine clones (comparable with earlier rounds) or varied "
                             "monographs (bench/formulary.py)")
    parser.add_argument("--edit-only", action="store_true",
                        help="measure only the editing loop under kb serve, and print it")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        if args.edit_only:
            for n in args.sizes:
                times = edit_loop(write_project(n, Path(tmp) / f"n{n}", args.corpus))
                print(f"N = {n} ({args.corpus}): save to new text in Chromium under kb serve, "
                      f"median {statistics.median(times):.2f} s of {len(times)} saves "
                      f"({', '.join(f'{t:.2f}' for t in times)} s)", flush=True)
            return
        for n in args.sizes:
            result = measure(n, args.runs, Path(tmp), search=n == max(args.sizes),
                             corpus=args.corpus)
            print(result, flush=True)
            results.append(result)
    command = "make bench" if args.write else " ".join(sys.argv)
    text = report(results, args.runs, command)
    print(text)
    if args.write:
        results_file = ROOT / "bench" / "RESULTS.md"
        old = results_file.read_text(encoding="utf-8") if results_file.exists() else ""
        notes = old[old.index(NOTES_MARKER):] if NOTES_MARKER in old else ""
        results_file.write_text(text + ("\n" + notes if notes else ""), encoding="utf-8")


if __name__ == "__main__":
    main()
