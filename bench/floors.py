"""What #13's three unmet targets stand on: the cost of the libraries and of Python itself at N
monographs, measured apart from the generator's own work. Prints figures; it is a benchmark
script, not a test.

Each figure comes from a fresh process (median of --runs), in the synthetic project that
bench/formulary.py writes (or --project, an existing one):

- start: Python starting and importing the generator's command line (``kb validate`` pays it);
- parse: libyaml reading every monograph into events, nothing kept (no YAML library this
  project could use reads faster here; the generator then builds the node tree, which gives
  every error its line);
- read: the generator's own YAML reading (node tree, scalars by its rules, limits);
- check: everything ``kb validate`` does, in one process;
- validate: ``kb validate`` as editors run it (two processes from 200 monographs);
- build, one process: ``mkdocs build --strict`` with the second process switched off, its CPU
  time being the work a build on two cores shares out;
- memory: peak RSS (the kernel's VmHWM: getrusage's ru_maxrss includes the RSS of the process
  that started it) of a process that has imported MkDocs, Material and the generator and read
  mkdocs.yml, then of one that has also read the whole knowledge base.

Usage: .venv/bin/python bench/floors.py [--size 2000] [--runs 3] [--project DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from formulary import write_project  # type: ignore[import-not-found]
from scale import BIN, ENV, timed  # type: ignore[import-not-found]

PROBE = r"""
import json, resource, sys, time
from pathlib import Path
what, data = sys.argv[1], Path("data")
start = time.perf_counter()
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
if what == "start":
    import generator.cli
    figure = {}
elif what in ("parse", "read"):
    import gc, yaml
    from generator import yamlsource
    gc.disable()
    paths = sorted((data / "monographs").glob("*.yaml"))
    texts = [p.read_bytes() for p in paths]
    begun = cpu()
    for text in texts:
        if what == "parse":
            for _ in yaml.parse(text, Loader=yaml.CSafeLoader):
                pass
        else:
            yamlsource.parse_yaml(text.decode("utf-8"), "x")
    figure = {"cpu": cpu() - begun, "megabytes": sum(map(len, texts)) / 1e6}
elif what == "check":
    from generator import loader, parallel
    parallel.single_process()
    begun = cpu()
    loader.check_knowledge_base(data)
    figure = {"cpu": cpu() - begun}
elif what in ("imports", "records"):
    import mkdocs.commands.build, material.plugins.search.plugin
    from mkdocs.config import load_config
    import generator.plugin
    from generator import loader, parallel
    load_config("mkdocs.yml")
    if what == "records":
        parallel.single_process()
        loader.load_knowledge_base(data)
    figure = {}
elif what == "build":
    import runpy
    from generator import parallel
    parallel.single_process()
    sys.argv = ["mkdocs", "build", "--strict", "--quiet", "--site-dir", sys.argv[2]]
    try:
        runpy.run_module("mkdocs", run_name="__main__")
    except SystemExit as e:
        if e.code:
            raise
    figure = {"cpu": cpu()}
figure["wall"] = time.perf_counter() - start
with open("/proc/self/status", encoding="ascii") as status:  # not ru_maxrss: inherited
    figure["rss_mib"] = int(next(line.split()[1] for line in status
                                 if line.startswith("VmHWM:"))) / 1024
print(json.dumps(figure))
"""


def probe(project: Path, what: str, *extra: str) -> dict[str, float]:
    """One measurement in a fresh process."""
    done = subprocess.run([sys.executable, "-c", PROBE, what, *extra], cwd=project, env=ENV,
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def median(project: Path, runs: int, what: str, key: str, *extra: str) -> float:
    return statistics.median(probe(project, what, *extra)[key] for _ in range(runs))


def report(project: Path, runs: int) -> None:
    n = len(list((project / "data" / "monographs").glob("*.yaml")))
    start = median(project, runs, "start", "wall")
    parse = [probe(project, "parse") for _ in range(runs)]
    parse_cpu = statistics.median(p["cpu"] for p in parse)
    megabytes = parse[0]["megabytes"]
    read = median(project, runs, "read", "cpu")
    check = median(project, runs, "check", "cpu")
    wall = statistics.median(timed([str(BIN / "kb"), "validate"], project)[0]
                             for _ in range(runs))
    imports = median(project, runs, "imports", "rss_mib")
    records = median(project, runs, "records", "rss_mib")
    with tempfile.TemporaryDirectory(prefix="kb-floors-") as site:
        build = [probe(project, "build", site) for _ in range(runs)]
    print(f"N = {n} monographs, {megabytes:.1f} MB of YAML; medians of {runs} fresh processes")
    print(f"  start (Python + import generator.cli)      {start:6.2f} s wall")
    print(f"  parse (libyaml events, one process)        {parse_cpu:6.2f} s CPU"
          f"  ({megabytes / parse_cpu:.0f} MB/s; {parse_cpu / n * 1000:.2f} ms a monograph)")
    print(f"  read (generator's YAML reading)            {read:6.2f} s CPU"
          f"  ({read / n * 1000:.2f} ms a monograph)")
    print(f"  check (all of kb validate, one process)    {check:6.2f} s CPU"
          f"  ({check / n * 1000:.2f} ms a monograph)")
    print(f"  kb validate (two processes)                {wall:6.2f} s wall")
    print(f"  -> parsing alone on two perfect cores, after start: {start + parse_cpu / 2:.2f} s")
    print(f"  build, one process                         "
          f"{statistics.median(b['wall'] for b in build):6.2f} s wall, "
          f"{statistics.median(b['cpu'] for b in build):.2f} s CPU, "
          f"{statistics.median(b['rss_mib'] for b in build):.0f} MiB peak")
    print(f"  memory after imports and mkdocs.yml        {imports:6.0f} MiB")
    print(f"  memory with the knowledge base read        {records:6.0f} MiB")
    print(f"  -> two processes forked after the imports: {2 * imports:.0f} MiB summed RSS "
          "before any page")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--project", type=Path, help="an existing project folder to measure")
    args = parser.parse_args()
    if args.project:
        report(args.project.resolve(), args.runs)
        return
    with tempfile.TemporaryDirectory(prefix="kb-floors-") as tmp:
        report(write_project(args.size, Path(tmp) / "project"), args.runs)


if __name__ == "__main__":
    main()
