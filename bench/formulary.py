"""Write a synthetic formulary of N monographs into a new project folder, for benchmarks.

Two corpora, written to the folder given (a temporary folder), never into data/: synthetic
content must not reach the site.

- realistic (the default): varied monographs from tests/synthetic.py, each with its own drug name,
  brand, class, adverse effects, interactions with other drugs of the formulary, invented trial and
  excipient names, 1 to 5 regimens and 3 to 24 references, each at least as large as ketamine's
  file; so index sizes and timings grow as a real formulary's would.
- clone: the ketamine monograph with its names changed (one monograph's vocabulary), kept for the
  before-and-after comparison with earlier rounds.

Usage: .venv/bin/python bench/formulary.py N OUTDIR [--corpus realistic|clone] [--floor]
With --floor, OUTDIR also gets the same pages pre-rendered as plain Markdown and a mkdocs.yml
without the generator: the floor that MkDocs and the theme set by themselves.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.synthetic, when run from bench/

from generator.loader import load_knowledge_base  # noqa: E402
from generator.render import (  # noqa: E402
    fill_index_markers,
    render_class_pages,
    render_letter_pages,
    render_pages,
)
from generator.site import grouped, site_nav  # noqa: E402
from tests.synthetic import write_formulary  # noqa: E402

CORPORA = ("realistic", "clone")
SYLLABLES = ["ba", "ce", "di", "fo", "ga", "he", "ki", "lo", "ma", "ne", "pi", "ro", "sa", "te",
             "vi", "zo", "ly", "qua", "xe", "ju", "wi", "yo", "bru", "cla", "dre", "fla"]


def synthetic_names(n: int) -> list[str]:
    """N distinct lowercase drug-like names spread over the alphabet (always the same for N)."""
    rng = random.Random(n)
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        first = chr(ord("a") + len(names) % 26)
        name = first + "".join(rng.choice(SYLLABLES) for _ in range(2)) + rng.choice(
            ["mine", "pril", "zole", "statin", "cillin", "done", "pam", "tide"])
        if name not in seen and name != "ketamine":
            seen.add(name)
            names.append(name)
    return names


def write_project(n: int, out: Path, corpus: str = "realistic") -> Path:
    """A project folder: mkdocs.yml, content/ and data/ with N synthetic monographs."""
    shutil.copytree(ROOT / "content", out / "content")
    shutil.copy(ROOT / "mkdocs.yml", out / "mkdocs.yml")
    if corpus == "realistic":
        write_formulary(out / "data", n, seed=1)
        return out
    (out / "data" / "monographs").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "references.yaml", out / "data" / "references.yaml")
    shutil.copy(ROOT / "data" / "drug-classes.yaml", out / "data" / "drug-classes.yaml")
    shutil.copy(ROOT / "data" / "search-terms.yaml", out / "data" / "search-terms.yaml")
    template = (ROOT / "data" / "monographs" / "ketamine.yaml").read_text(encoding="utf-8")
    for name in synthetic_names(n):
        text = template.replace("title: Ketamine for pain", f"title: {name.capitalize()} for pain")
        text = text.replace("generic_name: ketamine", f"generic_name: {name}")
        (out / "data" / "monographs" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return out


def write_floor(project: Path, out: Path) -> Path:
    """The same pages as plain Markdown, same theme and navigation, no generator plugin."""
    kb = load_knowledge_base(project / "data")
    shutil.copytree(project / "content", out / "content")
    pages = render_pages(kb, include_drafts=True)
    browse = grouped(kb, include_drafts=True)
    if browse:
        pages.update(render_letter_pages(kb, include_drafts=True))
        pages.update(render_class_pages(kb, include_drafts=True))
    pages["index.md"] = (project / "content" / "index.md").read_text(encoding="utf-8")
    for path, markdown in pages.items():
        target = out / "content" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        depth = "../" * path.count("/")
        target.write_text(fill_index_markers(markdown, kb, include_drafts=True,
                                             url_for=lambda p, d=depth: d + p,
                                             browse=browse and path == "index.md"),
                          encoding="utf-8")
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    config = re.sub(r"  - clinical-kb:\n      data_dir: data\n", "", config)
    config = re.sub(r"\nwatch:\n  - data\n", "\n", config)
    # its monograph pages are reached through the A–Z pages, as the plugin's are, but nothing
    # marks them as left out of the navigation on purpose: MkDocs' default, to list them, stays
    config = config.replace("  omitted_files: warn\n", "")
    # the project's hand-written pages: the floor's content/ now holds every generated page too,
    # which would list 2,000 monographs in the navigation of every page
    nav = site_nav(project / "content", kb, include_drafts=True)
    config += "\nnav: " + json.dumps(nav) + "\n"  # JSON is YAML
    (out / "mkdocs.yml").write_text(config, encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--corpus", choices=CORPORA, default="realistic")
    parser.add_argument("--floor", action="store_true")
    args = parser.parse_args()
    project = write_project(args.n, args.out / "project", args.corpus)
    print(f"wrote {args.n} monographs to {project}")
    if args.floor:
        print(f"wrote the plain-Markdown floor to {write_floor(project, args.out / 'floor')}")


if __name__ == "__main__":
    main()
