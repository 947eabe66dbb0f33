"""`kb diff REV` lists the dose changes for the committee."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from generator.cli import main

from .conftest import ROOT


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
                        "PATH": "/usr/bin:/bin"})


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "first")
    monkeypatch.chdir(tmp_path)
    return tmp_path


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
