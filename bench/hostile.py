"""Hostile inputs: how long validation takes to refuse each, and its memory peak.

A script that prints figures, not a timed test (tests/test_hardening.py asserts the messages and
bounded memory). Run: .venv/bin/python bench/hostile.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import inline  # noqa: E402
from generator.errors import DataError  # noqa: E402
from generator.loader import load_knowledge_base  # noqa: E402

KETAMINE = (ROOT / "data" / "monographs" / "ketamine.yaml").read_text(encoding="utf-8")
PARAGRAPH = "    - >-\n      Ketamine is a general"


def paragraph(text: str) -> str:
    return KETAMINE.replace(PARAGRAPH, f"    - '{text}'\n{PARAGRAPH}", 1)


CASES: dict[str, Callable[[], str]] = {
    "2 MB of text in one field": lambda: paragraph("word " * 380_000),
    "19 KB of '{dose:' never closed": lambda: paragraph("{dose:" + " " * 19_000),
    "19 KB of '[' never closed": lambda: paragraph("[" * 19_000),
    "19 KB of '[a' never closed": lambda: paragraph("[a" * 9_500),
    "300 levels of nesting": lambda: KETAMINE.replace(
        "introduction:\n", "introduction:\n  x: " + "[" * 300 + "]" * 300 + "\n", 1),
    "a 19 KB text aliased 300 times": lambda: KETAMINE.replace(
        PARAGRAPH, "    - &a '" + "word " * 3900 + "'\n" + "    - *a\n" * 300 + PARAGRAPH, 1),
    "a number with exponent 999999": lambda: KETAMINE.replace(
        "dose: {value: 0.5, unit: mg/kg}", "dose: {value: 1.0e999999, unit: mg/kg}"),
    "a 5,000-digit number": lambda: KETAMINE.replace(
        "dose: {value: 0.5, unit: mg/kg}", "dose: {value: " + "1" * 5000 + ", unit: mg/kg}"),
}


def measure(data: Path) -> tuple[float, int, str]:
    inline.tokens.cache_clear()
    tracemalloc.start()
    start = time.perf_counter()
    try:
        load_knowledge_base(data)
        outcome = "accepted"
    except DataError as e:
        outcome = e.problems[0].message[:60]
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return elapsed, peak, outcome


def main() -> None:
    print(f"{'input':<34} {'seconds':>8} {'peak MiB':>9}  outcome")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(ROOT / "data", data)
        target = data / "monographs" / "ketamine.yaml"
        for name, make in CASES.items():
            target.write_text(make(), encoding="utf-8")
            elapsed, peak, outcome = measure(data)
            print(f"{name:<34} {elapsed:>8.3f} {peak / 2**20:>9.1f}  {outcome}")
        target.write_text(KETAMINE, encoding="utf-8")
        with target.open("r+b") as handle:
            handle.truncate(1024**3)
        elapsed, peak, outcome = measure(data)
        print(f"{'a 1 GB file':<34} {elapsed:>8.3f} {peak / 2**20:>9.1f}  {outcome}")


if __name__ == "__main__":
    main()
