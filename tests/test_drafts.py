"""`kb new` writes a draft that validates, previews with a banner and stays out of releases."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.errors import DataError
from generator.loader import load_knowledge_base

from .conftest import FIXTURES, copy_project, fixture_project, run_mkdocs_build
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


@pytest.mark.parametrize(("field", "replace", "by"), [
    ("review.last_reviewed", "  status: not_reviewed_locally",
     "  status: reviewed\n  last_reviewed: 2027-11-01\n  next_review: 2028-11-01\n"
     "  reviewed_by: Pharmacy committee"),
    ("provenance.source_date", "  based_on: A synthetic fixture.",
     "  based_on: A synthetic fixture.\n  source_date: 2027-11-01"),
    ("changelog[0].date", "review:",
     "changelog:\n  - {date: 2027-11-01, change: Written.}\nreview:"),
])
def test_a_date_after_today_is_refused(field: str, replace: str, by: str,
                                       tmp_path: Path) -> None:
    """A review, a source or a change dated next year is a year typed wrong: the page would
    show governance that has not happened. The day after today is allowed (an editor a time
    zone ahead)."""
    project = fixture_project(tmp_path)
    path = project / "data" / "monographs" / "testamine.yaml"
    text = path.read_text(encoding="utf-8")
    assert replace in text
    path.write_text(text.replace(replace, by), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_knowledge_base(project / "data", today=dt.date(2026, 11, 27))
    [problem] = caught.value.problems
    assert (problem.field, problem.message) == (
        field, "2027-11-01 is after today (2026-11-27), and it dates what has already "
               "happened: check the year and the month")
    assert load_knowledge_base(project / "data", today=dt.date(2027, 10, 31)).monographs
