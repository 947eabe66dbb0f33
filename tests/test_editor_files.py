"""An editor's working files (Vim's swap file of a monograph open in it, Emacs' backup and lock,
JetBrains' safe-write copy) are not the editor's work: validation does not refuse them, the
build does not publish them, and the preview does not rebuild for them. Anything else out of
place is still refused (tests/test_hardening.py)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from watchdog.events import (
    DirModifiedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
)

from generator.cli import main
from generator.editorfiles import PATTERNS, is_editor_file
from generator.preview import Preview
from generator.serve import is_change

from .conftest import FIXTURES, ROOT, copy_project, fixture_library, run_mkdocs_build
from .synthetic import write_formulary

MONOGRAPH = "testamine.yaml"

WORKING_FILES = {  # name beside the file being edited: its content, None for a dangling link
    f".{MONOGRAPH}.swp": b"b0VIM 9.0\x00\x00\xff\xfe",   # Vim's swap file
    f".{MONOGRAPH}.swo": b"b0VIM 9.0\x00",                # Vim's second swap file
    "4913": b"",                                         # Vim's write test
    f"{MONOGRAPH}~": b"title: [half-written\n",          # a backup, broken YAML
    f"#{MONOGRAPH}#": b"title: {\n",                     # Emacs' auto-save
    f".#{MONOGRAPH}": None,                              # Emacs' lock: a dangling link
    f"{MONOGRAPH}___jb_tmp___": b"title: x\n",           # JetBrains' safe write
}


def add_working_files(folder: Path, name: str = MONOGRAPH) -> None:
    for working, content in WORKING_FILES.items():
        path = folder / working.replace(MONOGRAPH, name)
        if content is None:
            path.symlink_to("editor@host.4242:1700000000")
        else:
            path.write_bytes(content)


def test_every_working_file_is_recognised_and_a_monograph_is_not() -> None:
    assert all(is_editor_file(name) for name in WORKING_FILES)
    for name in (MONOGRAPH, f".{MONOGRAPH}", "notes.txt", "14913", "a.swp", "ketamine.yml"):
        assert not is_editor_file(name), name


def test_validation_leaves_working_files_alone_and_still_refuses_strays(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "valid" / "monographs", data / "monographs")
    fixture_library(data)
    add_working_files(data / "monographs")
    add_working_files(data, "references.yaml")
    monkeypatch.chdir(tmp_path)
    assert main(["validate"]) == 0, capsys.readouterr().err
    (data / "monographs" / "testamine.yml").write_text("title: x\n", encoding="utf-8")
    assert main(["validate"]) == 1
    assert "testamine.yml:1:1: a monograph file ends in .yaml" in capsys.readouterr().err


def test_the_build_publishes_no_working_file(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    add_working_files(project / "data" / "monographs", "ketamine.yaml")
    add_working_files(project / "content", "editing.md")
    result = run_mkdocs_build(project / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    published = [p.name for p in (tmp_path / "site").rglob("*")]
    assert not [name for name in published if is_editor_file(name) or "editing.md" in name]
    assert (tmp_path / "site" / "editing" / "index.html").exists()


def test_the_preview_does_not_rebuild_for_working_files(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project", data=False)
    write_formulary(root / "data", 3, seed=3)
    preview = Preview(root / "mkdocs.yml", tmp_path / "site", version="editor-files-test")
    preview.build()
    before = {p: p.read_bytes() for p in preview.site_dir.rglob("*") if p.is_file()}
    name = sorted((root / "data" / "monographs").glob("*.yaml"))[0].name
    add_working_files(root / "data" / "monographs", name)
    add_working_files(root / "content", "editing.md")
    assert preview.update() == "nothing changed"
    for folder in (root / "data" / "monographs", root / "content"):
        for path in folder.iterdir():
            if is_editor_file(path):
                path.unlink()
    assert preview.update() == "nothing changed"
    assert {p: p.read_bytes() for p in preview.site_dir.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("listing", ["mkdocs.yml", ".gitignore"])
def test_mkdocs_and_git_ignore_the_same_working_files(listing: str) -> None:
    text = (ROOT / listing).read_text(encoding="utf-8")
    block = text.split("# editors' working files", 1)[1].split("\n", 1)[1]
    lines = []
    for line in block.splitlines():
        if not re.match(r"\s*\S", line) or line.lstrip().startswith(("#", "theme:")) \
                or re.match(r"\S+:", line):
            break
        lines.append(line.strip().replace("\\#", "#"))
    assert tuple(lines) == PATTERNS, listing


def test_kb_serve_reloads_no_page_for_a_working_file(tmp_path: Path) -> None:
    """Vim rewrites its swap file every few seconds while one types; kb serve's watcher does not
    take that for a save (each would reload the page in the browser), but still takes every
    write, move or removal of the monograph itself."""
    folder = tmp_path / "data" / "monographs"
    own = str(folder / MONOGRAPH)
    for name in WORKING_FILES:
        working = str(folder / name)
        assert not is_change(FileModifiedEvent(working)), name
        assert not is_change(FileCreatedEvent(working)), name
        assert not is_change(FileMovedEvent(working, working + "~")), name
        assert is_change(FileMovedEvent(working, own)), name  # a safe write lands on it
    assert is_change(FileModifiedEvent(own))
    assert is_change(FileDeletedEvent(own))
    assert is_change(FileMovedEvent(own, own + "~"))  # set aside before the new one is written
    assert not is_change(FileOpenedEvent(own))
    assert not is_change(DirModifiedEvent(str(folder)))
