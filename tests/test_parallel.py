"""A large formulary on two cores: reading it gives the same monographs, the same problems in the
same order and the same warnings as one process reading every file; a process that fails costs
time, never a monograph; and the site built is the same, byte for byte."""

from __future__ import annotations

import array
import datetime as dt
import fcntl
import gc
import json
import logging
import os
import pickle
import shutil
import termios
import time
from pathlib import Path
from typing import Any

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer

from generator import parallel as halves
from generator import plugin, stamp
from generator.errors import DataError
from generator.export import monograph_exports
from generator.loader import (
    KnowledgeBase,
    LoadedMonograph,
    check_knowledge_base,
    load_knowledge_base,
)
from generator.model import Listing, Monograph
from generator.preview import Preview
from generator.spool import Spool, Spooled

from .conftest import ROOT, copy_project
from .synthetic import retitle_last, write_formulary

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("parallel") / "data"
    write_formulary(folder, 12, seed=5)
    return folder


@pytest.fixture(scope="module")
def grouped_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 monographs: the navigation lists A–Z pages, and the theme's template is stamped."""
    folder = tmp_path_factory.mktemp("parallel-grouped") / "data"
    write_formulary(folder, 30, seed=6)
    return folder


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each process forked, counted."""
    counted: list[int] = []
    fork = os.fork

    def counting() -> int:
        counted.append(1)
        return fork()

    monkeypatch.setattr(os, "fork", counting)
    return counted


def _load(data: Path, monkeypatch: pytest.MonkeyPatch, *, parallel: bool) -> KnowledgeBase:
    monkeypatch.setattr(halves, "PARALLEL_FROM", 2 if parallel else 10**9)
    return load_knowledge_base(data, today=TODAY)


def _report(data: Path, monkeypatch: pytest.MonkeyPatch, *, parallel: bool) -> str:
    with pytest.raises(DataError) as caught:
        _load(data, monkeypatch, parallel=parallel)
    return caught.value.report()


def test_two_processes_read_what_one_reads(data: Path, monkeypatch: pytest.MonkeyPatch,
                                           forks: list[int]) -> None:
    one = _load(data, monkeypatch, parallel=False)
    two = _load(data, monkeypatch, parallel=True)
    assert forks == [1]
    assert len(two.monographs) == 12
    assert [(m.source, m.cited) for m in two.monographs] == \
        [(m.source, m.cited) for m in one.monographs]
    assert [m.monograph for m in two.monographs] == [m.monograph for m in one.monographs]
    assert [m.monograph.section_order for m in two.monographs] == \
        [m.monograph.section_order for m in one.monographs]
    assert [str(w) for w in two.warnings] == [str(w) for w in one.warnings]


def test_problems_in_both_halves_are_reported_in_file_order(
        data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "data"
    files = sorted((data / "monographs").glob("*.yaml"))
    shutil.copytree(data, broken)
    first, last = files[1].name, files[-2].name
    target = broken / "monographs" / first
    target.write_text(target.read_text(encoding="utf-8") + "colour: blue\n", encoding="utf-8")
    target = broken / "monographs" / last
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("status: not_reviewed_locally", "status: not_reviewd", 1),
                      encoding="utf-8")
    serial = _report(broken, monkeypatch, parallel=False)
    assert _report(broken, monkeypatch, parallel=True) == serial
    assert serial.index(first) < serial.index(last)
    assert "unknown field 'colour'" in serial
    assert "'not_reviewd'" in serial


def test_validate_on_two_cores_reports_what_reading_reports(
        data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]) -> None:
    """``kb validate`` keeps no records, so the second process sends back only what it found:
    the same count, the same warnings (an uncited reference among them) and, once a file is
    broken, the same problems as reading everything in one process."""
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    with (copy / "references.yaml").open("a", encoding="utf-8") as library:
        library.write("- id: nobody-cites-this\n  type: book\n  title: An uncited book\n"
                      "  issued: 2020\n")
    one = _load(copy, monkeypatch, parallel=False)
    monkeypatch.setattr(halves, "PARALLEL_FROM", 2)
    checked = check_knowledge_base(copy, today=TODAY)
    assert forks == [1]
    assert (checked.monographs, checked.references) == (12, len(one.references))
    assert [str(w) for w in checked.warnings] == [str(w) for w in one.warnings]
    lines = (copy / "references.yaml").read_text(encoding="utf-8").splitlines()
    line = lines.index("- id: nobody-cites-this") + 1  # the line of its id, as the editor sees
    assert any(str(w).endswith(f"references.yaml:{line}:7: warning: [{len(one.references) - 1}]"
                               ".id: reference 'nobody-cites-this' is not cited by any "
                               "monograph") for w in checked.warnings)

    target = sorted((copy / "monographs").glob("*.yaml"))[-1]
    target.write_text(target.read_text(encoding="utf-8") + "colour: blue\n", encoding="utf-8")
    serial = _report(copy, monkeypatch, parallel=False)
    monkeypatch.setattr(halves, "PARALLEL_FROM", 2)
    with pytest.raises(DataError) as caught:
        check_knowledge_base(copy, today=TODAY)
    assert caught.value.report() == serial
    assert f"{target.name}" in serial and "unknown field 'colour'" in serial


def test_a_failed_reading_process_is_replaced(data: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    one = _load(data, monkeypatch, parallel=False)

    def fail(*args: object, **kwargs: object) -> bytes:
        raise MemoryError("the child ran out of memory")

    monkeypatch.setattr(pickle, "dumps", fail)  # only the child sends a result
    two = _load(data, monkeypatch, parallel=True)
    assert [m.monograph for m in two.monographs] == [m.monograph for m in one.monographs]


def test_work_done_apart_comes_back_or_is_done_here(monkeypatch: pytest.MonkeyPatch,
                                                   forks: list[int]) -> None:
    """The reference library is read in a process of its own (its reading's memory is given
    back as that process ends); if that process fails, or none can be had, it is read here."""
    def where() -> dict[str, int]:
        return {"pid": os.getpid()}

    assert halves.apart(where)["pid"] != os.getpid() and forks == [1]

    def fail(*args: object, **kwargs: object) -> bytes:
        raise MemoryError("the child ran out of memory")

    with monkeypatch.context() as patched:
        patched.setattr(pickle, "dumps", fail)  # only the child sends a result
        assert halves.apart(where)["pid"] == os.getpid() and forks == [1, 1]

    def refuse() -> int:
        raise BlockingIOError("Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refuse)
    assert halves.apart(where)["pid"] == os.getpid()


def _site(config: Path, site: Path, monkeypatch: pytest.MonkeyPatch, *,
          parallel: bool) -> dict[str, bytes]:
    monkeypatch.setattr(halves, "PARALLEL_FROM", 2 if parallel else 10**9)
    build(load_config(str(config), site_dir=str(site)))
    return _tree(site)


def _tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def test_a_build_on_two_cores_is_the_build_on_one(data: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  forks: list[int]) -> None:
    """Pages, exports and search: every file, every byte, drafts in either half included."""
    root = copy_project(tmp_path / "project", data=False)
    shutil.copytree(data, root / "data")
    retitle_last(root / "data")  # read in the second half, listed and exported first
    files = sorted((root / "data" / "monographs").glob("*.yaml"))
    for draft in (files[0], files[-2]):
        draft.write_text(draft.read_text(encoding="utf-8") + "status: draft\n", encoding="utf-8")
    one = _site(root / "mkdocs.yml", tmp_path / "one", monkeypatch, parallel=False)
    two = _site(root / "mkdocs.yml", tmp_path / "two", monkeypatch, parallel=True)
    assert len(forks) == 3  # the library; reading, rendering and exporting; the theme
    assert sorted(two) == sorted(one)
    assert [name for name in one if one[name] != two[name]] == []
    assert "DRAFT" in two[f"monographs/{files[0].stem}/index.html"].decode()
    assert f"monographs/{files[-2].stem}/medicationknowledge.fhir.json" not in two
    assert f"monographs/{files[-1].stem}/medicationknowledge.fhir.json" in two
    listed = json.loads(two["formulary.json"])["monographs"]
    assert listed[0]["title"] == "Aa first by title"  # the formulary files list by title


def test_a_build_lets_go_of_its_records_and_leaves_nothing_frozen(
        data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build freezes what it starts with for the collector while it runs (the records are
    read, rendered and let go one by one, so the collector has them in sight), and lets go of
    its listings when it is done: a process that goes on (a test run, a server) keeps neither
    them nor anything frozen out of the collector's sight. A failed build does the same."""
    root = copy_project(tmp_path / "project", data=False)
    shutil.copytree(data, root / "data")
    monkeypatch.setattr(halves, "PARALLEL_FROM", 2)
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    kb_plugin = config.plugins["clinical-kb"]
    assert isinstance(kb_plugin, plugin.ClinicalKbPlugin)
    frozen: list[int] = []
    freeze = gc.freeze

    def counted() -> None:
        assert kb_plugin.kb is None  # frozen before any record is read
        frozen.append(gc.get_freeze_count())
        freeze()

    monkeypatch.setattr(gc, "freeze", counted)
    build(config)
    assert frozen == [0] and gc.get_freeze_count() == 0 and gc.isenabled()
    assert kb_plugin.kb is None and kb_plugin.blocks == {}
    assert (tmp_path / "site" / "monographs").is_dir()

    kb_plugin.on_config(config)
    assert kb_plugin.kb is not None and gc.isenabled()
    kb_plugin.on_build_error(error=RuntimeError("the theme failed"))
    assert kb_plugin.kb is None and gc.get_freeze_count() == 0

    broken = root / "data" / "monographs" / sorted(p.name for p in (
        root / "data" / "monographs").glob("*.yaml"))[0]
    broken.write_text(broken.read_text(encoding="utf-8") + "colour: blue\n", encoding="utf-8")
    with pytest.raises(PluginError):
        kb_plugin.on_config(config)
    assert gc.isenabled() and gc.get_freeze_count() == 0  # a data error leaves it as it was


def test_a_build_holds_one_record_at_a_time_and_keeps_only_listings(
        data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build renders each monograph as soon as it is read and keeps only what its lists show
    of it: no process holds every record (2,000 held 150 MiB). What it keeps can never be
    published as a page or an export whose sections say "not stated in source"."""
    root = copy_project(tmp_path / "project", data=False)
    shutil.copytree(data, root / "data")
    monkeypatch.setattr(halves, "PARALLEL_FROM", 10**9)  # one process: all it holds is here
    held: list[int] = []
    render_page = plugin.render_page

    def counted(loaded: LoadedMonograph, kb: KnowledgeBase, **kwargs: Any) -> tuple[str, str]:
        held.append(sum(1 for o in gc.get_objects() if type(o) is Monograph))
        return render_page(loaded, kb, **kwargs)

    monkeypatch.setattr(plugin, "render_page", counted)
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    kb_plugin = config.plugins["clinical-kb"]
    assert isinstance(kb_plugin, plugin.ClinicalKbPlugin)
    kb_plugin.on_config(config)
    try:
        kb = kb_plugin.kb
        assert kb is not None and len(kb.monographs) == 12 and held == [1] * 12
        assert all(type(m.monograph) is Listing for m in kb.monographs)
        first = kb.published(include_drafts=False)[0]
        assert first.monograph.title and first.monograph.drug_classes
        with pytest.raises(AttributeError):
            first.monograph.dosing  # noqa: B018 - missing, not None: it reads as nothing
        with pytest.raises(TypeError, match="a listing is not a monograph"):
            render_page(first, kb)
        with pytest.raises(TypeError, match="a listing is not a monograph"):
            monograph_exports(first, kb, version="1", disclaimer="d")
    finally:
        kb_plugin.on_build_error(error=RuntimeError("the test is done"))


def test_no_second_process_to_be_had_reads_everything_here(
        data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one = _load(data, monkeypatch, parallel=False)

    def refuse() -> int:
        raise BlockingIOError("Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refuse)
    two = _load(data, monkeypatch, parallel=True)
    assert [m.monograph for m in two.monographs] == [m.monograph for m in one.monographs]


def test_a_preview_read_on_two_cores_updates_as_a_full_build(
        data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]) -> None:
    """kb serve's first build forks too; what it keeps (each monograph's share of the formulary
    files among it) serves the next save as if one process had read everything."""
    root = copy_project(tmp_path / "project", data=False)
    shutil.copytree(data, root / "data")
    monkeypatch.setattr(halves, "PARALLEL_FROM", 2)
    shown = Preview(root / "mkdocs.yml", tmp_path / "site", version="parallel-test")
    shown.build()
    assert len(forks) == 2
    target = sorted((root / "data" / "monographs").glob("*.yaml"))[-1]
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("brand_names: [", 'brand_names: ["Savedonce", ', 1),
                      encoding="utf-8")
    assert "rebuilt 1 monograph page" in shown.update()
    shown.wait()
    monkeypatch.setattr(halves, "PARALLEL_FROM", 10**9)
    full = Preview(root / "mkdocs.yml", tmp_path / "full", version="parallel-test")
    full.build()
    kept, fresh = _tree(shown.site_dir), _tree(full.site_dir)
    assert sorted(kept) == sorted(fresh)
    assert [name for name in kept if kept[name] != fresh[name]] == []
    assert b"Savedonce" in kept[f"monographs/{target.stem}/index.html"]
    assert b"Savedonce" in kept["formulary.json"]
    assert b"Savedonce" in kept["formulary.fhir.json"]


class _OtherFirst(halves.Tickets):
    """Tickets whose first in the main process waits until the forked process has taken one,
    so that it has pages to warn or fail on however the two are scheduled."""

    main_process = os.getpid()

    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count

    def take(self) -> int | None:
        deadline = time.monotonic() + 30
        while os.getpid() == self.main_process and self._left() == self.count and \
                time.monotonic() < deadline:
            time.sleep(0.001)
        return super().take()

    def _left(self) -> int:
        left = array.array("i", [0])
        fcntl.ioctl(self.fd, termios.FIONREAD, left)
        return left[0]


@pytest.mark.parametrize("formulary", ["data", "grouped_data"])
@pytest.mark.parametrize("trouble", ["warns", "fails"])
def test_pages_the_second_process_did_not_build_are_built_here(
        trouble: str, formulary: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        request: pytest.FixtureRequest) -> None:
    """A warning in the process that shares the pages' trip through the theme's template
    (strict mode must count it, which only the main process does), or a failure there: the
    main process builds the pages of every run that process took, and the site is the same;
    with 30 monographs, it stamps those pages (``generator/stamp.py``) as that process would."""
    root = copy_project(tmp_path / "project", data=False)
    shutil.copytree(request.getfixturevalue(formulary), root / "data")
    stamped_here: list[str] = []  # as the main process builds that process's pages
    render = stamp.PageStamp.render

    def stamping(self: stamp.PageStamp, page: Any, context: Any) -> str:
        if joining:
            stamped_here.append(page.file.src_uri)
        return render(self, page, context)

    joining = False
    monkeypatch.setattr(stamp.PageStamp, "render", stamping)
    one = _site(root / "mkdocs.yml", tmp_path / "one", monkeypatch, parallel=False)
    monkeypatch.setattr(_OtherFirst, "main_process", os.getpid())
    monkeypatch.setattr(plugin, "Tickets", _OtherFirst)
    build_page = plugin._build_page
    seen, built_here, theirs = set(), set(), set()

    def troubled(page: Any, *args: Any, **kwargs: Any) -> None:
        if os.getpid() != _OtherFirst.main_process:
            if trouble == "fails":
                raise OSError("No space left on device")
            logging.getLogger("mkdocs.plugins").warning("a warning only that process sees")
        else:
            seen.add(page.file.src_uri)
            if page.meta.get("template") != plugin.WRITTEN_ELSEWHERE:
                built_here.add(page.file.src_uri)
        build_page(page, *args, **kwargs)

    join = plugin.ClinicalKbPlugin._join_other_half

    def joined(self: plugin.ClinicalKbPlugin, **kwargs: Any) -> None:
        nonlocal joining
        other = self.other_half
        assert other is not None
        theirs.update(page.file.src_uri for number, run in enumerate(other.runs)
                      if number not in other.here for page, _ in run)
        joining = True
        join(self, **kwargs)
        joining = False

    monkeypatch.setattr(plugin, "_build_page", troubled)
    monkeypatch.setattr(plugin.ClinicalKbPlugin, "_join_other_half", joined)
    two = _site(root / "mkdocs.yml", tmp_path / "two", monkeypatch, parallel=True)
    assert theirs and seen == theirs  # built here again: each page of its runs, no other
    assert built_here == seen  # through the theme's template, not blank
    monographs = {name for name in theirs if name.startswith("monographs/")}
    assert set(stamped_here) == (monographs if formulary == "grouped_data" else set())
    assert monographs or formulary == "data"
    assert sorted(two) == sorted(one)
    assert [name for name in one if one[name] != two[name]] == []


def test_a_failed_build_stops_the_second_process() -> None:
    started = halves.in_background(lambda: time.sleep(60))
    assert started is not None
    begun = time.monotonic()
    started.stop()
    assert time.monotonic() - begun < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(started.pid, os.WNOHANG)  # ended, and reaped


def test_a_broken_template_stops_the_build_and_its_second_process(
        data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_project(tmp_path / "project", data=False)
    shutil.copytree(data, root / "data")
    template = root / "content" / "overrides" / "main.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "{% endblock %}", "{{ page.no_such_thing.anywhere }}{% endblock %}", 1), encoding="utf-8")
    started: list[halves.Background | None] = []

    def recorded(work: Any) -> halves.Background | None:
        started.append(halves.in_background(work))
        return started[-1]

    monkeypatch.setattr(plugin, "in_background", recorded)
    with pytest.raises(Exception, match="no_such_thing"):
        _site(root / "mkdocs.yml", tmp_path / "site", monkeypatch, parallel=True)
    assert len(started) == 1 and started[0] is not None
    with pytest.raises(ChildProcessError):  # stopped and reaped: no process left behind
        os.waitpid(started[0].pid, os.WNOHANG)


def test_once_a_server_runs_the_work_stays_in_this_process(
        data: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]) -> None:
    """kb serve and mkdocs serve rebuild while their server's threads run: a fork then could
    leave the child waiting for a lock one of them held, and the build waiting for the child."""
    one = _load(data, monkeypatch, parallel=False)
    monkeypatch.setitem(halves._forking, "allowed", True)
    halves.single_process()  # as serving starts
    two = _load(data, monkeypatch, parallel=True)
    assert halves.in_background(lambda: None) is None
    assert forks == []
    assert [m.monograph for m in two.monographs] == [m.monograph for m in one.monographs]


def test_mkdocs_serve_stops_forking_when_it_starts_serving(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.setitem(halves._forking, "allowed", True)
    config = load_config(str(ROOT / "mkdocs.yml"))
    kb_plugin = config.plugins["clinical-kb"]
    assert isinstance(kb_plugin, plugin.ClinicalKbPlugin)
    assert halves.can_fork()
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(ROOT))
    try:
        kb_plugin.on_serve(server, config=config, builder=None)
    finally:
        server.server_close()
    assert not halves.can_fork()


def test_shares_come_back_in_order_and_each_run_is_done_once() -> None:
    """``in_shares`` hands out the runs of a list to two processes as each finishes its last:
    the results are the runs' in order, every item in exactly one run, and both processes did
    some of them."""
    items = list(range(100))

    def work(run: list[int]) -> tuple[int, list[int]]:
        time.sleep(0.05)  # long enough that the other process, once forked, takes turns
        return os.getpid(), list(run)

    results = halves.in_shares(items, work, parallel=True)
    assert 1 < len(results) <= halves.SHARES
    assert [i for _, run in results for i in run] == items
    assert len({pid for pid, _ in results}) == 2


def test_runs_a_failed_process_took_are_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> bytes:
        raise MemoryError("the child ran out of memory")

    monkeypatch.setattr(pickle, "dumps", fail)  # only the child sends a result
    results = halves.in_shares(list(range(40)), lambda run: (os.getpid(), list(run)),
                               parallel=True)
    assert [i for _, run in results for i in run] == list(range(40))
    assert {pid for pid, _ in results} == {os.getpid()}


def test_texts_put_aside_by_two_processes_come_back_exactly(tmp_path: Path) -> None:
    """A build puts its pages and articles aside in a spool, one file for each process, and
    reads each back where it starts: every text comes back exactly as it was put ("\\r\\n",
    "\\r" and "\\n" line breaks, letters beyond ASCII, texts up to 270 KB), whichever process
    put it, and the two processes never write in one file."""
    spool = Spool(tmp_path)
    texts = [f"page {i}: 5 mg\r\nµ-opioid · ≥ 0.5 mg/kg\r{'x' * (i * 7000)}\n" for i in range(40)]

    def put(run: list[str]) -> list[Spooled]:
        time.sleep(0.05)  # long enough that the other process, once forked, takes turns
        return [spool.put(text) for text in run]

    spooled = [where for share in halves.in_shares(texts, put, runs=8, parallel=True)
               for where in share]
    later = spool.put("an article set aside later, here")
    assert [where.read() for where in spooled] == texts
    assert later.read() == "an article set aside later, here"
    assert len({where.file for where in spooled}) == 2  # both processes took runs
    assert len(list(tmp_path.iterdir())) == 2
    spool.close()
