"""Publishing and deploying never take the site down, and kb never prints a traceback: faults
(full disk, read-only folder, permission denied, killed builds) and bad archives are injected
here; the deploy-under-load test through nginx is in tests/browser/test_nginx.py."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import pytest

from generator import cli, publish
from generator.cli import main
from generator.version import content_version

from .conftest import ROOT, copy_project


def make_release(folder: Path, name: str, files: dict[str, bytes]) -> Path:
    """A release archive with these members and its SHA256SUMS, as kb publish writes them."""
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / f"{name}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for member, content in files.items():
            info = tarfile.TarInfo(member)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    write_sums(archive)
    return archive


def write_sums(archive: Path) -> None:
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    (archive.parent / "SHA256SUMS").write_text(f"{digest}  {archive.name}\n", encoding="utf-8")


def site(name: str, text: str = "hello") -> dict[str, bytes]:
    return {f"{name}/index.html": text.encode(), f"{name}/css/site.css": b"body{}"}


def deploy(archive: Path, dest: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["deploy", "--dest", str(dest), str(archive)])
    return code, capsys.readouterr().err


@pytest.fixture
def live(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A destination already serving release site-v1."""
    dest = tmp_path / "dest"
    assert deploy(make_release(tmp_path / "v1", "site-v1", site("site-v1", "one")), dest,
                  capsys)[0] == 0
    return dest


def served(dest: Path) -> str:
    return (dest / "current" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("damage", "message"), [
    ("truncated", "is not a complete release archive"),
    ("not-gzip", "is not a complete release archive"),
    ("two-folders", "a release holds exactly one site folder; this one holds 2"),
    ("traversal", "a release holds exactly one site folder"),
    ("one-file", "a release is one site folder with an index.html"),
    ("no-sums", "no SHA256SUMS beside"),
    ("wrong-sum", "does not match its checksum"),
])
def test_a_bad_archive_is_refused_and_the_live_site_stays(damage: str, message: str,
                                                          live: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    folder = tmp_path / "bad"
    files = {"two-folders": {**site("site-v2"), "other/index.html": b"x"},
             "traversal": {**site("site-v2"), "../evil.html": b"x"},
             "one-file": {"index.html": b"x"}}.get(damage, site("site-v2", "two"))
    archive = make_release(folder, "site-v2", files)
    if damage == "truncated":
        archive.write_bytes(archive.read_bytes()[:60])
        write_sums(archive)
    elif damage == "not-gzip":
        archive.write_bytes(b"this is not a gzip file at all")
        write_sums(archive)
    elif damage == "no-sums":
        (folder / "SHA256SUMS").unlink()
    elif damage == "wrong-sum":
        archive.write_bytes(archive.read_bytes() + b"\0")
    code, err = deploy(archive, live, capsys)
    assert code == 1
    assert message in err and "Traceback" not in err and len(err.splitlines()) == 1
    assert served(live) == "one"
    assert not (live.parent / "evil.html").exists()
    assert [p.name for p in (live / "releases").iterdir()] == ["site-v1"]


def test_deploying_the_live_release_again_never_touches_it(live: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    live_file = (live / "current" / "index.html").resolve()
    inode = live_file.stat().st_ino
    assert deploy(tmp_path / "v1" / "site-v1.tar.gz", live, capsys)[0] == 0
    assert live_file.exists() and live_file.stat().st_ino == inode  # not deleted, not rewritten
    assert os.readlink(live / "current") == "releases/site-v1.2"
    assert os.readlink(live / "previous") == "releases/site-v1"
    assert served(live) == "one"


def test_modes_are_normalised_whatever_the_umask(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    archive = make_release(tmp_path / "v1", "site-v1", site("site-v1"))
    old = os.umask(0o077)
    try:
        assert deploy(archive, tmp_path / "dest", capsys)[0] == 0
    finally:
        os.umask(old)
    release = (tmp_path / "dest" / "current").resolve()
    for path in [release, *release.rglob("*")]:
        assert path.stat().st_mode & 0o777 == (0o755 if path.is_dir() else 0o644), path


def test_two_deploys_at_once_take_turns(live: Path, tmp_path: Path) -> None:
    archives = [make_release(tmp_path / f"v{i}", f"site-v{i}", site(f"site-v{i}", str(i)))
                for i in (2, 3)]
    results: list[Path] = []
    threads = [threading.Thread(target=lambda a=a: results.append(publish.deploy(a, live)))
               for a in archives]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2
    current, previous = os.readlink(live / "current"), os.readlink(live / "previous")
    assert {Path(current).name, Path(previous).name} == {"site-v2", "site-v3"}
    assert served(live) in ("2", "3")


def test_a_full_disk_during_publish_leaves_dist_as_it_was(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    project = copy_project(tmp_path / "project")
    dist = project / "dist"
    dist.mkdir()
    (dist / "SHA256SUMS").write_text("abc  site-old.tar.gz\n", encoding="utf-8")
    (dist / "site-old.tar.gz").write_bytes(b"old release")

    def quick_build(root: Path, site_dir: Path, env: dict[str, str]) -> None:
        site_dir.mkdir(parents=True)
        (site_dir / "index.html").write_text("site", encoding="utf-8")

    def full_disk(folder: Path, target: Path, prefix: str, epoch: int) -> None:
        target.write_bytes(b"half an archive")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    monkeypatch.setattr(publish, "_mkdocs_build", quick_build)
    monkeypatch.setattr(publish, "write_zip", full_disk)
    monkeypatch.chdir(project)
    assert main(["publish"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("kb: ")
    assert err[0].endswith("the disk is full; free some space and run it again")
    assert sorted(p.name for p in dist.iterdir()) == ["SHA256SUMS", "site-old.tar.gz"]
    assert (dist / "SHA256SUMS").read_text(encoding="utf-8") == "abc  site-old.tar.gz\n"


FAULT = '''
import builtins, errno, os
_open = builtins.open
def _faulty(file, mode="r", *args, **kwargs):
    if ("w" in mode or "a" in mode) and str(file).startswith(os.environ["KB_FAULT_UNDER"]):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(file))
    return _open(file, mode, *args, **kwargs)
builtins.open = _faulty
'''


def test_a_full_disk_during_kb_build_keeps_the_last_site_and_prints_no_traceback(
        tmp_path: Path) -> None:
    """The disk fills while MkDocs writes the new site (injected into its process)."""
    project = copy_project(tmp_path / "project")
    published = project / "site"
    published.mkdir()
    (published / "index.html").write_text("the last good site", encoding="utf-8")
    faults = tmp_path / "faults"
    faults.mkdir()
    (faults / "sitecustomize.py").write_text(FAULT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(faults), "NO_MKDOCS_2_WARNING": "1",
           "KB_FAULT_UNDER": str(project / ".site-staging-")}
    result = subprocess.run([sys.executable, "-m", "generator.cli", "build"], cwd=project,
                            env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "No space left on device" in result.stderr
    assert result.stderr.strip().endswith("the build failed; site/ was left as it was")
    assert (published / "index.html").read_text(encoding="utf-8") == "the last good site"
    assert not list(project.glob(".site-staging-*"))


@pytest.mark.parametrize(("code", "words"), [
    (errno.EROFS, "the folder is read-only"), (errno.EACCES, "permission denied"),
])
def test_a_read_only_or_forbidden_site_folder_is_one_line(code: int, words: str,
                                                          tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    (site_dir / "index.html").write_text("old", encoding="utf-8")

    def refused(a: Path, b: Path) -> None:
        raise OSError(code, os.strerror(code), str(b))

    monkeypatch.setattr(cli, "exchange", refused)
    monkeypatch.chdir(ROOT)
    assert main(["build", "--site-dir", str(site_dir)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith("kb: ") and words in err
    assert "Traceback" not in err
    assert (site_dir / "index.html").read_text(encoding="utf-8") == "old"


def test_the_site_is_swapped_in_one_step_and_stale_staging_is_removed(tmp_path: Path) -> None:
    old, new = tmp_path / "site", tmp_path / ".site-staging-1-x"
    old.mkdir()
    (old / "index.html").write_text("old", encoding="utf-8")
    new.mkdir()
    (new / "index.html").write_text("new", encoding="utf-8")
    cli.exchange(new, old)
    assert (old / "index.html").read_text(encoding="utf-8") == "new"
    assert (new / "index.html").read_text(encoding="utf-8") == "old"
    killed = tmp_path / ".site-staging-999999999-abc"  # no such process: a killed build
    killed.mkdir()
    running = tmp_path / f".site-staging-{os.getpid()}-abc"
    running.mkdir()
    cli.remove_stale_staging(tmp_path)
    assert not killed.exists() and running.exists()


def test_kb_new_with_a_name_too_long_is_one_line(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new", "a" * 300]) == 1
    assert capsys.readouterr().err == (
        "kb: a generic name is at most 80 characters; this one is 300\n")


@pytest.mark.parametrize("name", ["5-fluorouracil", "morphine/../../x", "  "])
def test_kb_new_with_a_name_that_is_not_one_says_what_a_name_is(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new", name]) == 1
    assert capsys.readouterr().err == (
        f"kb: '{name}' is not a generic name; use letters, digits, spaces and hyphens, "
        "starting with a letter, like 'ketamine' or 'sodium valproate'\n")
    assert not (tmp_path / "data").exists()


def test_kb_new_in_a_folder_it_cannot_write_is_one_line(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    monkeypatch.chdir(tmp_path)

    def refused(self: Path, *args: object, **kwargs: object) -> int:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))

    monkeypatch.setattr(Path, "write_text", refused)
    assert main(["new", "ketamine"]) == 1
    assert capsys.readouterr().err == (
        "kb: data/monographs/ketamine.yaml: permission denied; check who owns the folder and its "
        "permissions\n")


def test_an_untracked_monograph_marks_the_version_modified(tmp_path: Path) -> None:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": os.environ["PATH"]}
    shutil.copytree(ROOT / "data", tmp_path / "data")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "first"]):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, env=env, capture_output=True)
    assert "-modified" not in content_version(tmp_path)
    shutil.copy(tmp_path / "data" / "monographs" / "ketamine.yaml",
                tmp_path / "data" / "monographs" / "newdrug.yaml")
    assert content_version(tmp_path).split(" ")[0].endswith("-modified")
