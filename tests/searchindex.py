"""Read a built site's search index back in Python (the files search.js loads)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from generator.search import decode_postings


def _payload(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    match = re.fullmatch(r"__kbSearchLoad\((.*)\);\n", text, re.DOTALL)
    assert match, f"{path} is not a search index file"
    payload: dict[str, Any] = json.loads(match.group(1))
    return payload


def main_index(site: Path) -> tuple[Path, dict[str, Any]]:
    """The main index file of a built site and its content (from the home page's link)."""
    home = (site / "index.html").read_text(encoding="utf-8")
    match = re.search(r'data-kb-search-index="([^"]+)"', home)
    assert match, "the home page has no search box"
    path = site / match.group(1)
    return path, _payload(path)


def words_by_page(site: Path) -> dict[str, dict[str, tuple[int, str]]]:
    """Every page's URL → {index word: (field, section heading)} from the built index."""
    path, main = main_index(site)
    out: dict[str, dict[str, tuple[int, str]]] = {doc[0]: {} for doc in main["docs"]}
    for name in main["shards"]:
        shard = _payload(path.parent / name)
        for word, raw in shard["postings"].items():
            for doc, field, section in decode_postings(raw):
                out[main["docs"][doc][0]][word] = (field, main["sections"][section][1])
    return out
