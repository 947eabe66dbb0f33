"""Publishing: reproducible archives, drafts left out, CI templates that call the README's
commands, the offline bundle, deploy and rollback."""

from __future__ import annotations

import posixpath
import re
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

from generator import publish
from generator.cli import main
from generator.errors import KbError, SiteBuildError

from .conftest import ROOT, copy_project, fixture_project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project with a draft monograph added."""
    root = copy_project(tmp_path_factory.mktemp("project"))
    (root / "data" / "monographs" / "sodium-valproate.yaml").write_text(
        (ROOT / "generator" / "templates" / "new_monograph.yaml.j2").read_text()
        .split("\n# {{", 1)[0] + "\n" + "title: Sodium valproate\ngeneric_name: sodium valproate\n"
        "status: draft\nprovenance:\n  based_on: Source not yet entered.\nreview:\n  status: "
        "not_reviewed_locally\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def two_publishes(project: Path, tmp_path_factory: pytest.TempPathFactory,
                  ) -> tuple[list[Path], list[Path]]:
    mp = pytest.MonkeyPatch()
    mp.setenv("KB_VERSION", "v1.0 (2026-11-26)")
    mp.setenv("SOURCE_DATE_EPOCH", "1764115200")
    first = publish.publish(project, tmp_path_factory.mktemp("dist1"))
    second = publish.publish(project, tmp_path_factory.mktemp("dist2"))
    mp.undo()
    return first, second


def test_two_builds_are_byte_identical(two_publishes: tuple[list[Path], list[Path]]) -> None:
    first, second = two_publishes
    assert [p.name for p in first] == ["site-v1.0.tar.gz", "site-v1.0-offline.zip", "SHA256SUMS"]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    sums = first[2].read_text(encoding="utf-8").splitlines()
    assert [line.split("  ")[1] for line in sums] == ["site-v1.0.tar.gz", "site-v1.0-offline.zip"]


def test_release_archive_is_normalised_and_leaves_drafts_out(
        two_publishes: tuple[list[Path], list[Path]]) -> None:
    with tarfile.open(two_publishes[0][0]) as tar:
        members = tar.getmembers()
        names = [m.name for m in members]
        tar_sizes = {m.name: m.size for m in members}
        index = tar.extractfile("site-v1.0/index.html")
        assert index is not None
        home = index.read().decode()
    assert names == sorted(names)
    assert {m.mtime for m in members} == {1764115200}
    assert {(m.uid, m.gid, m.mode) for m in members} == {(0, 0, 0o644)}
    assert "site-v1.0/monographs/ketamine/index.html" in names
    # a precompressed copy of each text file for nginx's gzip_static, none of tiny files
    assert "site-v1.0/monographs/ketamine/index.html.gz" in names
    assert all(f"{n}.gz" in names for n in names
               if n.endswith((".html", ".css", ".js", ".json")) and tar_sizes[n] >= 1024), \
        "every text file has its .gz"
    for data in ["monographs/ketamine/monograph.json", "formulary.fhir.json",
                 "monographs/ketamine/medicationknowledge.fhir.json", "formulary.json",
                 "schema/monograph.schema.json"]:
        assert f"site-v1.0/{data}" in names, data
    assert not any("sodium-valproate" in n for n in names)
    assert "Sodium valproate" not in home
    assert "Content version v1.0 (2026-11-26)." in home


def test_offline_bundle_has_its_search_index_and_no_outside_script(
        two_publishes: tuple[list[Path], list[Path]]) -> None:
    with zipfile.ZipFile(two_publishes[0][1]) as zf:
        names = zf.namelist()
        page = zf.read("site-v1.0-offline/monographs/ketamine.html").decode()
    index = re.search(r'data-kb-search-index="([^"]+)"', page)
    assert index is not None
    assert posixpath.normpath(f"site-v1.0-offline/monographs/{index.group(1)}") in names
    links = re.findall(r'href="([^"]+\.json)"', page)
    assert len(links) == 2
    for href in links:  # the data links, as they resolve from file://
        assert posixpath.normpath(f"site-v1.0-offline/monographs/{href}") in names, href
    assert "unpkg.com" not in page and "https://" not in page.split("<body")[0]
    assert "iframe-worker" not in page


@pytest.mark.parametrize(("link", "named"), [
    ("[the dosing](monographs/testamine.md#no-such-heading)",
     "a link 'monographs/testamine.md#no-such-heading', but the doc 'monographs/testamine.md' "
     "does not contain an anchor '#no-such-heading'"),
    ("[the guide](editors-guide.md)",
     "a link 'editors-guide.md', but the target is not found among documentation files"),
    ("[home](/index.html)", "an absolute link '/index.html', it was left as is"),
    ("[the monographs](monographs/)", "an unrecognized relative link 'monographs/'"),
])
def test_a_broken_link_on_a_hand_written_page_stops_the_release(
        link: str, named: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The release is built strictly (mkdocs.yml's ``validation``): a link on a hand-written
    page to a page or heading that is not there, or that works only at the server's root, stops
    ``kb publish``, which names it and writes nothing. (MkDocs' ``--quiet`` drops warnings, and
    the release was built with it until strict stopped at none.)"""
    monkeypatch.setenv("KB_VERSION", "v1.0 (2026-11-26)")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764115200")
    project = fixture_project(tmp_path / "project")
    home = project / "content" / "index.md"
    home.write_text(home.read_text(encoding="utf-8") + f"\n{link}\n", encoding="utf-8")
    line = home.read_text(encoding="utf-8").count("\n")
    dist = tmp_path / "dist"
    with pytest.raises(SiteBuildError, match="nothing was written to dist/"):
        publish.publish(project, dist)
    said = capsys.readouterr().err
    assert f"WARNING -  content/index.md:{line}: Doc file 'index.md' contains {named}" in said
    assert not list(dist.iterdir())


def test_a_link_to_a_draft_builds_the_site_but_stops_the_release(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """``make site`` shows drafts, so a hand-written page's link to one works there; the release
    leaves drafts out, so the same link would be broken in it, and ``kb publish`` refuses it."""
    monkeypatch.setenv("KB_VERSION", "v1.0 (2026-11-26)")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764115200")
    root = tmp_path / "project"
    shutil.copytree(project, root)
    home = root / "content" / "index.md"
    home.write_text(home.read_text(encoding="utf-8")
                    + "\n[Sodium valproate](monographs/sodium-valproate.md)\n", encoding="utf-8")
    monkeypatch.chdir(root)
    assert main(["build", "--site-dir", str(tmp_path / "site")]) == 0
    assert (tmp_path / "site" / "monographs" / "sodium-valproate" / "index.html").is_file()
    with pytest.raises(SiteBuildError, match="nothing was written to dist/"):
        publish.publish(root, tmp_path / "dist")
    assert ("Doc file 'index.md' contains a link 'monographs/sodium-valproate.md', but the "
            "target is not found among documentation files") in capsys.readouterr().err


@pytest.mark.parametrize("path", [".github/workflows/publish.yml", ".gitlab-ci.yml"])
def test_ci_templates_call_the_readme_commands(path: str) -> None:
    text = (ROOT / path).read_text(encoding="utf-8")
    config = yaml.safe_load(text)
    assert isinstance(config, dict)
    scripts = " ".join(str(v) for v in _walk(config))
    assert "make test" in scripts and "make publish" in scripts
    assert "debian:12" in text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in readme and "make publish" in readme


def _walk(node: object) -> list[object]:
    if isinstance(node, dict):
        return [x for v in node.values() for x in _walk(v)]
    if isinstance(node, list):
        return [x for v in node for x in _walk(v)]
    return [node]


def test_rollback_needs_a_previous_release(tmp_path: Path) -> None:
    with pytest.raises(KbError, match="no previous release"):
        publish.rollback(tmp_path)


def test_deploy_refuses_what_is_not_a_release(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deploy", "--dest", str(tmp_path / "dest"), str(tmp_path / "x.zip")]) == 1
    assert "is not a site-<version>.tar.gz release" in capsys.readouterr().err
