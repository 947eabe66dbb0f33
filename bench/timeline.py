"""The memory of one build over time: every 50 ms, the resident memory of the build's processes
summed (a page a forked child shares with its parent counts in both, as #13's target counts it)
and their proportional set size (a shared page counts once), printed once a second, then the
peak and when it came. Prints figures; it is a benchmark script, not a test. `make bench` takes
the peak from one such sampled build; this shows which phase of the build it falls in.

Usage: .venv/bin/python bench/timeline.py PROJECT   (a folder with mkdocs.yml and data/, such
       as the one bench/formulary.py writes: .venv/bin/python bench/formulary.py 2000 DIR)
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from scale import BIN, ENV, _memory_kib, _process_tree  # type: ignore[import-not-found]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kb-timeline-") as site:
        start = time.perf_counter()
        build = subprocess.Popen([str(BIN / "mkdocs"), "build", "--strict", "--quiet",
                                  "--site-dir", site], cwd=args.project, env=ENV)
        rows: list[tuple[float, list[int], int]] = []
        while build.poll() is None:
            memory = [_memory_kib(pid) for pid in _process_tree(build.pid)]
            rows.append((time.perf_counter() - start, [rss // 1024 for rss, _ in memory],
                         sum(pss for _, pss in memory) // 1024))
            time.sleep(0.05)
        wall = time.perf_counter() - start
    if build.returncode != 0:
        raise SystemExit(f"the build failed (exit {build.returncode})")
    shown = -1.0
    print("   s  processes  summed RSS  each (MiB)          PSS")
    for at, each, pss in rows:
        if at - shown >= 1.0:
            print(f"{at:5.1f}  {len(each):9d}  {sum(each):6d} MiB  {each!s:18s}  {pss:4d} MiB")
            shown = at
    at, each, pss = max(rows, key=lambda row: sum(row[1]))
    print(f"build {wall:.1f} s; peak summed RSS {sum(each)} MiB at {at:.1f} s "
          f"(each {each}; PSS then {pss} MiB)")


if __name__ == "__main__":
    main()
