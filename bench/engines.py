"""Search engines compared on the same synthetic formulary, in Debian's Chromium: lunr 2.3.9 (the
engine of Material's search), MiniSearch 7.2.0 and this project's index (generator/search.py with
javascripts/search.js). Prints a Markdown table; a benchmark, not a test.

Every engine gets the same documents: for each monograph, the words the build indexes (names,
classes, headings, body) from the renderer's output. Measured for each: what a reader downloads
(gzip), the time and JavaScript heap to make the index usable in the page, the median and worst
query time over the queries below, and how many of the misspellings of the search tests
(tests/browser/test_search.py, on the 60-monograph fixture) find their page in the first five.

Usage: .venv/bin/python bench/engines.py [--n 2000]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import statistics
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from generator.loader import load_knowledge_base  # noqa: E402
from generator.render import monograph_path, render_pages  # noqa: E402
from generator.search import FIELD_BODY, FIELD_HEADING, monograph_doc  # noqa: E402
from tests.browser.test_search import MISSPELLINGS  # noqa: E402
from tests.synthetic import write_formulary  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
QUERIES = ["hallucinations", "halucinations", "predisolone", "hydroxizine", "grape juice",
           "anesthetic", "edema", "syringe driver", "respiratory depression", "ondansteron",
           "glycopyrolate", "lupus-like sindrome", "renal impairment", "kodiene", "xqzvbnmw"]

ENGINES_JS = """
const FIELDS = ['title', 'names', 'headings', 'body'];
window.kbEngines = {
  lunr: {
    build(docs) {
      return lunr(function () {
        this.ref('id');
        this.field('title', {boost: 10}); this.field('names', {boost: 10});
        this.field('headings', {boost: 3}); this.field('body');
        docs.forEach(d => this.add(d), this);
      });
    },
    serialise(index) { return JSON.stringify(index); },
    load(text) { return lunr.Index.load(JSON.parse(text)); },
    query(index, q) {
      const terms = q.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
      const query = terms.map(t => '+' + (t.length >= 9 ? `${t}~2`
        : t.length >= 5 ? `${t}~1` : t.length >= 4 ? `${t}*` : t)).join(' ');
      try { return index.search(query).slice(0, 5).map(r => r.ref); } catch (e) { return []; }
    },
  },
  minisearch: {
    build(docs) {
      const ms = new MiniSearch({fields: FIELDS, storeFields: []});
      ms.addAll(docs);
      return ms;
    },
    serialise(index) { return JSON.stringify(index); },
    load(text) {
      return MiniSearch.loadJSON(text, {fields: FIELDS, storeFields: []});
    },
    query(index, q) {
      return index.search(q, {
        prefix: t => t.length >= 4, combineWith: 'AND',
        fuzzy: t => t.length >= 9 ? 2 : t.length >= 5 ? 1 : 0,
        boost: {title: 10, names: 10, headings: 3},
      }).slice(0, 5).map(r => r.id);
    },
  },
};
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def documents(data: Path) -> list[dict[str, str]]:
    """The words each monograph gives search, split by weight."""
    kb = load_knowledge_base(data)
    pages = render_pages(kb, include_drafts=True)
    out = []
    for loaded in kb.published(include_drafts=True):
        m = loaded.monograph
        path = monograph_path(m)
        doc = monograph_doc(pages[path], title=m.title, names=[],
                            drug_names=[m.generic_name, *m.synonyms, *m.brand_names],
                            classes=[], class_words=[])
        out.append({"id": m.generic_name, "title": m.title,
                    "names": " ".join([m.generic_name, *m.synonyms, *m.brand_names]),
                    "headings": " ".join(t for f, _, _, t in doc.texts if f == FIELD_HEADING),
                    "body": " ".join(t for f, _, _, t in doc.texts if f == FIELD_BODY)})
    return out


def heap_mib(page: Page) -> float:
    cdp = page.context.new_cdp_session(page)
    cdp.send("HeapProfiler.enable")
    cdp.send("HeapProfiler.collectGarbage")
    used = float(cdp.send("Runtime.getHeapUsage")["usedSize"]) / 2**20
    cdp.detach()
    return used


def run_engine(page: Page, engine: str, url: str, queries: list[str]) -> dict[str, Any]:
    """Build the index from the documents, serialise it, then in a clean state load it as a
    reader's page would, and query it."""
    serialised = page.evaluate("""async ([engine, url]) => {
        const docs = await (await fetch(url)).json();
        const t = performance.now();
        const index = kbEngines[engine].build(docs);
        const built = performance.now() - t;
        window.__text = kbEngines[engine].serialise(index);
        return {built, size: window.__text.length};
    }""", [engine, url])
    text = page.evaluate("window.__text")
    page.evaluate("window.__text = null")
    before = heap_mib(page)
    load_ms = page.evaluate("""([engine, text]) => {
        const t = performance.now();
        window.__index = kbEngines[engine].load(text);
        return performance.now() - t;
    }""", [engine, text])
    after = heap_mib(page)
    times, found = [], []
    for q in queries:
        ms, ids = page.evaluate("""([engine, q]) => {
            const t = performance.now();
            const ids = kbEngines[engine].query(window.__index, q);
            return [performance.now() - t, ids];
        }""", [engine, q])
        times.append(ms)
        found.append(ids)
    page.evaluate("window.__index = null")
    return {"build_ms": serialised["built"], "raw_kib": len(text.encode()) / 1024,
            "gz_kib": len(gzip.compress(text.encode(), 6)) / 1024, "load_ms": load_ms,
            "heap_mib": after - before, "median_ms": statistics.median(times),
            "max_ms": max(times), "found": found}


def measure(n: int, tmp: Path, browser: Any) -> dict[str, Any]:
    data = tmp / f"data-{n}"
    write_formulary(data, n, seed=1)
    (tmp / f"docs-{n}.json").write_text(json.dumps(documents(data)), encoding="utf-8")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    out: dict[str, Any] = {}
    for engine in ("lunr", "minisearch"):
        page = browser.new_page()
        page.goto(base + "blank.html")
        page.add_script_tag(path=str(ROOT / "node_modules" / "lunr" / "lunr.js"))
        page.add_script_tag(path=str(ROOT / "node_modules" / "minisearch" / "dist" / "umd" /
                                     "index.js"))
        page.add_script_tag(content=ENGINES_JS)
        queries = QUERIES + [typed for typed, _ in MISSPELLINGS]
        result = run_engine(page, engine, base + f"docs-{n}.json", queries)
        hits = result.pop("found")[len(QUERIES):]
        result["misspellings_found"] = sum(
            1 for (_, expected), ids in zip(MISSPELLINGS, hits, strict=True) if expected in ids)
        out[engine] = result
        page.close()
    server.shutdown()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[60, 2000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kb-engines-") as tmp, \
            sync_playwright() as playwright:
        (Path(tmp) / "blank.html").write_text("<!doctype html><title>engines</title>",
                                              encoding="utf-8")
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        print("| engine | N | build in page | index gz (raw) | load in page | heap | query "
              "median / max | misspellings found (of "
              f"{len(MISSPELLINGS)}, N = 60 only) |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for n in args.n:
            for engine, r in measure(n, Path(tmp), browser).items():
                found = f"{r['misspellings_found']}" if n == 60 else "–"
                print(f"| {engine} | {n} | {r['build_ms']:.0f} ms | {r['gz_kib']:.0f} KiB "
                      f"({r['raw_kib']:.0f}) | {r['load_ms']:.0f} ms | {r['heap_mib']:.1f} MiB | "
                      f"{r['median_ms']:.1f} / {r['max_ms']:.1f} ms | {found} |", flush=True)
        browser.close()


if __name__ == "__main__":
    main()
