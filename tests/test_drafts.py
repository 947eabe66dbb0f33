"""`kb new` writes a draft that validates, previews with a banner and stays out of releases."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.loader import load_knowledge_base

from .conftest import FIXTURES, copy_project, run_mkdocs_build
from .htmltext import visible_text


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_new_draft_validates_and_shows_its_banner(project: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "Sodium Valproate"]) == 0
    draft = project / "data" / "monographs" / "sodium-valproate.yaml"
    assert draft.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../schema/monograph.schema.json\n")
    assert main(["validate"]) == 0
    kb = load_knowledge_base(project / "data")
    assert f"{len(kb.monographs)} monographs and {len(kb.references)} references checked: no " \
           "errors" in capsys.readouterr().out
    assert "sodium valproate" in [m.monograph.generic_name for m in kb.monographs]

    result = run_mkdocs_build(project / "mkdocs.yml", project / "site")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    page = visible_text((project / "site" / "monographs" / "sodium-valproate" / "index.html")
                        .read_text(encoding="utf-8"))
    assert "DRAFT: this monograph has not been published." in page
    index = visible_text((project / "site" / "index.html").read_text(encoding="utf-8"))
    assert "Sodium valproate DRAFT" in index


def test_release_leaves_drafts_out(project: Path) -> None:
    assert main(["new", "sodium valproate"]) == 0
    result = run_mkdocs_build(project / "mkdocs.yml", project / "site", KB_INCLUDE_DRAFTS="0")
    assert result.returncode == 0, result.stderr
    assert not (project / "site" / "monographs" / "sodium-valproate").exists()
    assert (project / "site" / "monographs" / "ketamine" / "index.html").is_file()
    assert "Sodium valproate" not in (project / "site" / "index.html").read_text(encoding="utf-8")


def test_a_published_skeleton_must_name_its_source(project: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Absent core sections are said to be "not stated in source" on the page (a product label
    has no introduction); what a published monograph cannot lack is its source."""
    assert main(["new", "sodium valproate"]) == 0
    draft = project / "data" / "monographs" / "sodium-valproate.yaml"
    draft.write_text(draft.read_text(encoding="utf-8").replace("status: draft",
                                                               "status: published"))
    assert main(["validate"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "data/monographs/sodium-valproate.yaml:24:13: provenance.based_on: still says 'Source "
        "not yet entered.'; name the source before publishing",
        "1 problem found; nothing was built.",
    ]


def test_a_published_monograph_names_its_source(project: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "data" / "monographs" / "ketamine.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"  based_on: >-\n(    .*\n)+", "  based_on: Source not yet entered.\n", text)
    path.write_text(text, encoding="utf-8")
    assert main(["validate"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "data/monographs/ketamine.yaml:17:13: provenance.based_on: still says 'Source not yet "
        "entered.'; name the source before publishing",
        "1 problem found; nothing was built.",
    ]


def test_new_refuses_to_overwrite(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "ketamine"]) == 1
    assert capsys.readouterr().err == (
        "kb: data/monographs/ketamine.yaml already exists; edit it instead\n")


def test_overdue_review_warns_and_can_fail_ci(project: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(FIXTURES / "valid" / "monographs" / "testamine.yaml",
                project / "data" / "monographs" / "testamine.yaml")
    path = project / "data" / "monographs" / "testamine.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  status: not_reviewed_locally",
        "  status: reviewed\n  last_reviewed: 2020-01-01\n  next_review: 2021-01-01\n"
        "  reviewed_by: Pharmacy committee").replace("[smith2020]", "[riccardi2023]"))
    assert main(["validate"]) == 0
    assert ("data/monographs/testamine.yaml:10:16: warning: review.next_review: review was due "
            "on 2021-01-01; review the monograph and update review dates") in \
        capsys.readouterr().err
    assert main(["validate", "--fail-on-overdue"]) == 1
