"""How the generator's cost grows with the number of monographs. Prints figures and writes
bench/RESULTS.md; it is a benchmark script, not a test.

For each N it writes a synthetic formulary (bench/formulary.py, in a temporary folder; varied
monographs, or ketamine clones with --corpus clone), then measures, as the median of --runs
runs (of at least five for `kb validate`): `kb validate` time, full `mkdocs build --strict`
time, peak memory of the build, the size of site/, of one monograph page's HTML, of the largest
part of a monograph page outside its <article>, and of the search index. It also builds the
same pages pre-rendered as plain Markdown with the same theme and navigation and no generator
(the floor MkDocs sets), in runs paired with ours, and reports our build time as a ratio to
that floor. At the largest N it measures search latency in headless Chromium and, for every N,
the time from saving a YAML file to its new text visible in Chromium under `kb serve` (median of
five saves).

Usage: .venv/bin/python bench/scale.py [--runs 3] [--sizes 1 100 500] [--corpus clone]
       .venv/bin/python bench/scale.py --write       # what `make bench` runs (see PLAN)
       .venv/bin/python bench/scale.py --edit-only --sizes 2000
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import platform
import re
import shutil
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
RUNNER = """import runpy, sys
sys.argv = ["mkdocs"] + sys.argv[1:]
try:
    runpy.run_module("mkdocs", run_name="__main__")
except SystemExit as e:
    code = e.code
else:
    code = 0
with open("/proc/self/status", encoding="ascii") as status:
    print("PEAK_RSS_KB", next(line.split()[1] for line in status if line.startswith("VmHWM:")),
          file=sys.stderr)
sys.exit(code)
"""
"""Runs one build and prints its process's peak resident memory: the kernel's VmHWM, not
getrusage's ru_maxrss, which a process started from this one inherits through exec (before
2026-11-27's sixth run the build's own peak read as this script's when that was larger)."""


def timed(command: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    return elapsed, result.stderr


def build(project: Path, site: Path, *, sample: bool = False) -> tuple[float, int, int, int]:
    """Seconds and peak memory (KiB) of one strict build: the resident memory of the build's
    process, then, with ``sample``, of it and its child processes together, summed (a page a
    forked child shares with its parent counts in both), then their proportional set size
    together (a shared page counts once, split between the processes sharing it). The sums are
    sampled every 50 ms; reading them takes the kernel a walk of each process's memory, which
    slows a large build on two cores, so a timed build is not sampled."""
    command = [sys.executable, "-c", RUNNER, "build", "--strict", "--quiet", "--site-dir",
               str(site)]
    with tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=project, env=ENV, stdout=subprocess.DEVNULL,
                                   stderr=err, text=True)
        rss = pss = 0
        while sample and process.poll() is None:
            figures = [_memory_kib(pid) for pid in _process_tree(process.pid)]
            rss = max(rss, sum(r for r, _ in figures))
            pss = max(pss, sum(p for _, p in figures))
            time.sleep(0.05)
        process.wait()
        elapsed = time.perf_counter() - start
        err.seek(0)
        stderr = err.read()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr}")
    match = re.search(r"PEAK_RSS_KB (\d+)", stderr)
    assert match
    own = int(match.group(1))
    return elapsed, own, max(rss, own), pss


def _process_tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    found = [pid]
    for parent in found:  # grows as children are found
        try:
            for task in os.listdir(f"/proc/{parent}/task"):
                found += [int(c) for c in
                          Path(f"/proc/{parent}/task/{task}/children").read_text().split()]
        except OSError:  # it ended meanwhile
            continue
    return found


def _memory_kib(pid: int) -> tuple[int, int]:
    """A process's resident memory and proportional set size, in KiB (0 once it has ended)."""
    found = {"Rss:": 0, "Pss:": 0}
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                field = line.split(maxsplit=1)[0]
                if field in found:
                    found[field] = int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return found["Rss:"], found["Pss:"]


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


def outside_article(page: Path) -> int:
    """Bytes of a page's HTML outside its <article>: what every page repeats."""
    html = page.read_bytes()
    start, end = html.index(b"<article"), html.index(b"</article>") + len(b"</article>")
    return len(html) - (end - start)


VALIDATE_RUNS = 5
"""`kb validate` runs at least this many times: it is cheap beside a build, and one run at 2,000
took anything from 2.81 to 3.32 s with the same code within the hour."""


def measure(n: int, runs: int, tmp: Path, *, search: bool, corpus: str,
            floor: bool = True) -> dict[str, object]:
    work = tmp / f"{corpus}-n{n}"
    project = write_project(n, work / "project", corpus)
    plain = write_floor(project, work / "floor") if floor else None
    validate = [timed([str(BIN / "kb"), "validate"], project)[0]
                for _ in range(max(runs, VALIDATE_RUNS))]
    ours, floors, ratios = [], [], []
    for i in range(runs):
        seconds, _, _, _ = build(project, work / f"site{i}")
        ours.append(seconds)
        if plain is not None:
            floor_seconds, _, _, _ = build(plain, work / f"floor-site{i}")
            floors.append(floor_seconds)
            ratios.append(seconds / floor_seconds)
        shutil.rmtree(work / f"floor-site{i}", ignore_errors=True)
    _, main_memory, memory, proportional = build(project, work / "site-memory", sample=True)
    shutil.rmtree(work / "site-memory", ignore_errors=True)
    site = work / "site0"
    pages = sorted((site / "monographs").glob("*/index.html"))
    result: dict[str, object] = {
        "n": n,
        "corpus": corpus,
        "runs": runs,
        "validate_s": statistics.median(validate),
        "validates": validate,
        "build_s": statistics.median(ours),
        "floor_s": statistics.median(floors) if floors else None,
        "ratio": statistics.median(ratios) if ratios else None,
        "peak_mib": memory / 1024,
        "main_peak_mib": main_memory / 1024,
        "pss_peak_mib": proportional / 1024,
        "site_mib": folder_size(site) / 2**20,
        "page_kib": pages[0].stat().st_size / 1024,
        "outside_kib": max(outside_article(page) for page in pages) / 1024,
        "index_kib": folder_size(site / "search") / 1024,
        "edit_s": statistics.median(edits := edit_loop(project)),
        "edits": edits,
    }
    if search:
        result["search_ms"] = search_latency(site, ["hallucinations", "delirium", "grape",
                                                    "constipation", "renal"])
    for i in range(runs):
        shutil.rmtree(work / f"site{i}", ignore_errors=True)
    return result


PLAN = [  # (corpus, N, runs, with the plain-Markdown floor)
    ("realistic", 1, 3, True), ("realistic", 100, 3, True), ("realistic", 500, 3, True),
    ("realistic", 2000, 1, True), ("realistic", 5000, 1, False),
    ("clone", 500, 1, True), ("clone", 2000, 1, True),
]
"""What `make bench` measures: #13's sizes on varied monographs, one run at 5,000 for the curve
(no floor: it alone would take eight minutes), and ketamine clones to compare with earlier
rounds."""

TARGETS = "#13's targets at 2,000: validate ≤ 2 s, build ≤ 15 s, peak memory ≤ 200 MiB, save " \
          "to new text ≤ 1 s, outside <article> ≤ 15 KiB."


def _figure(value: object, form: str, unit: str = "") -> str:
    return "–" if value is None else format(value, form) + unit


def report(results: list[dict[str, object]], command: str) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on this project's machine ({os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}), with `{command}`, each build cold (no cache of any kind). Each "
        "figure is the median of the runs shown (`kb validate`'s, of at least "
        f"{VALIDATE_RUNS}, with the fastest and slowest in brackets); the floor builds the "
        "same pages pre-rendered as plain Markdown with the same theme and navigation and no "
        "generator, in runs paired with ours (ratio = median of the paired ratios). Peak "
        "memory is the resident memory of the build's processes summed (a page a forked child "
        "shares with its parent counts in both), then in brackets the build process's own and "
        "the processes' proportional set size together (a shared page counts once), from one "
        "more build whose processes are sampled every 50 ms (the sampling slows a build, so "
        "the timed builds are not sampled). The editing loop is the median of five saves of one "
        "monograph's title under `kb serve`, from the file write to the new text in headless "
        "Chromium. " + TARGETS,
        "",
        "| corpus | N | runs | kb validate | build | floor build | ratio | peak memory | site/ | "
        "one page | outside `<article>` (largest) | search index | save to new text |",
        "| --- |" + " ---: |" * 12,
    ]
    for r in results:
        validates = r["validates"]
        assert isinstance(validates, list)
        lines.append(
            f"| {r['corpus']} | {r['n']:,} | {r['runs']} | {r['validate_s']:.2f} s "
            f"({min(validates):.2f}–{max(validates):.2f}) | "
            f"{r['build_s']:.2f} s | {_figure(r['floor_s'], '.2f', ' s')} | "
            f"{_figure(r['ratio'], '.2f')} | {r['peak_mib']:.0f} MiB "
            f"({r['main_peak_mib']:.0f}; {r['pss_peak_mib']:.0f} MiB) | {r['site_mib']:.1f} MiB | "
            f"{r['page_kib']:.1f} KiB | {r['outside_kib']:.1f} KiB | {r['index_kib']:,.0f} KiB | "
            f"{r['edit_s']:.2f} s |")
    for r in results:
        if "search_ms" in r:
            figures = r["search_ms"]
            assert isinstance(figures, list)
            lines += ["", f"Search at N = {r['n']:,} ({r['corpus']}), index loaded, from a "
                          f"query's input event to its results on the page in headless "
                          f"Chromium: median {statistics.median(figures):.0f} ms, max "
                          f"{max(figures):.0f} ms ({len(figures)} words)."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 100, 500])
    parser.add_argument("--write", action="store_true",
                        help="measure what `make bench` measures (PLAN) and write "
                             "bench/RESULTS.md")
    parser.add_argument("--corpus", choices=["clone", "realistic"], default="realistic",
                        help="varied monographs (bench/formulary.py) or ketamine clones "
                             "(comparable with earlier rounds)")
    parser.add_argument("--edit-only", action="store_true",
                        help="measure only the editing loop under kb serve, and print it")
    args = parser.parse_args()
    results: list[dict[str, object]] = []
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        if args.edit_only:
            for n in args.sizes:
                times = edit_loop(write_project(n, Path(tmp) / f"n{n}", args.corpus))
                print(f"N = {n} ({args.corpus}): save to new text in Chromium under kb serve, "
                      f"median {statistics.median(times):.2f} s of {len(times)} saves "
                      f"({', '.join(f'{t:.2f}' for t in times)} s)", flush=True)
            return
        plan = PLAN if args.write else [(args.corpus, n, args.runs, True) for n in args.sizes]
        for corpus, n, runs, floor in plan:
            largest = (corpus, n) == ("realistic", 2000) if args.write else n == max(args.sizes)
            try:
                result = measure(n, runs, Path(tmp), search=largest, corpus=corpus, floor=floor)
            except (SystemExit, Exception) as e:  # report it, and measure the rest
                failures.append(f"{corpus} N = {n:,}: {(str(e) or repr(e)).splitlines()[-1][:300]}")
                print(f"FAILED {failures[-1]}", flush=True)
                continue
            print(result, flush=True)
            results.append(result)
    command = "make bench" if args.write else " ".join(sys.argv)
    text = report(results, command) + "".join(f"\nNot measured: {f}\n" for f in failures)
    print(text)
    if args.write:
        results_file = ROOT / "bench" / "RESULTS.md"
        old = results_file.read_text(encoding="utf-8") if results_file.exists() else ""
        notes = old[old.index(NOTES_MARKER):] if NOTES_MARKER in old else ""
        results_file.write_text(text + ("\n" + notes if notes else ""), encoding="utf-8")


if __name__ == "__main__":
    main()
