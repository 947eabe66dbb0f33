"""`kb diff REV` lists the dose changes for the committee."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from generator.cli import main

from .conftest import FIXTURES, ROOT


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
                        "PATH": "/usr/bin:/bin"})


def committed(data: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository in ``root`` whose first commit holds a copy of ``data`` as data/."""
    shutil.copytree(data, root / "data")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return committed(ROOT / "data", tmp_path, monkeypatch)


def test_no_change(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "HEAD"]) == 0
    assert capsys.readouterr().out == "No dose changes since HEAD.\n"


def test_changed_regimen_and_strengths(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / "data" / "monographs" / "ketamine.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("dose: {value: 0.5, unit: mg/kg}", "dose: {value: 0.6, unit: mg/kg}")
    text = text.replace("        - {amount: 100, unit: mg, per: 1, per_unit: mL}\n",
                        "        - {amount: 10, unit: mg, per: 1, per_unit: mL}\n")
    path.write_text(text, encoding="utf-8")
    assert main(["diff", "HEAD"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "data/monographs/ketamine.yaml: regimen oral-scheduled changed: (Literature suggests) "
        "oral: scheduled dose 0.5 mg/kg every 12 hours; for pain → (Literature suggests) oral: "
        "scheduled dose 0.6 mg/kg every 12 hours; for pain",
        "data/monographs/ketamine.yaml: dosage form solution-for-injection: strength 100 mg/mL "
        "removed",
        "data/monographs/ketamine.yaml: dosage form solution-for-injection: strength 10 mg/mL "
        "added",
    ]


def test_unknown_revision(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "v9"]) == 1
    assert capsys.readouterr().err == "kb: 'v9' is not a git revision here\n"


@pytest.fixture
def formulary_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return committed(FIXTURES / "formulary", tmp_path, monkeypatch)


@pytest.mark.parametrize(("before", "after", "shown"), [
    ("max_per_24_hours: {value: 25, unit: mg}", "max_per_24_hours: {value: 20, unit: mg}",
     "max 20 mg in 24 hours"),
    ("min_interval: {value: 2, unit: hours}", "min_interval: {value: 1, unit: hours}",
     "every hour as needed"),
    ("over: {value: 24, unit: hours}", "over: {value: 12, unit: hours}", "over 12 hours"),
    ("duration: {value: 5, unit: days}", "duration: {value: 7, unit: days}", "for 7 days"),
    ("bounds: {below: 30, unit: mL/minute}", "bounds: {below: 50, unit: mL/minute}",
     "creatinine clearance below 50 mL/minute"),
    ("      qualifier: local_protocol\n      population: {groups: [adult]}",
     "      qualifier: expert_opinion\n      population: {groups: [adult]}", "(Expert opinion)"),
])
def test_a_change_to_any_construct_is_reported(formulary_repo: Path,
                                               capsys: pytest.CaptureFixture[str], before: str,
                                               after: str, shown: str) -> None:
    path = formulary_repo / "data" / "monographs" / "nauseazine.yaml"
    text = path.read_text(encoding="utf-8")
    assert before in text
    path.write_text(text.replace(before, after, 1), encoding="utf-8")
    assert main(["diff", "HEAD"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and " changed: " in out[0]
    assert shown in out[0].split(" → ")[1]
    assert shown not in out[0].split(" → ")[0]
