"""The kb command line, as the Makefile and editors run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from generator.loader import load_knowledge_base

from .conftest import ROOT


def test_validate_real_data(capsys: pytest.CaptureFixture[str],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["validate"]) == 0
    kb = load_knowledge_base(ROOT / "data")
    monographs, references = len(kb.monographs), len(kb.references)
    assert capsys.readouterr().out == (
        f"{monographs} monograph{'s' if monographs != 1 else ''} and {references} references "
        f"checked: no errors, {len(kb.warnings)} warning{'s' if len(kb.warnings) != 1 else ''}."
        "\n")


def test_validate_one_file_and_a_wrong_path(capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["validate", "data/monographs/ketamine.yaml"]) == 0
    references = len(load_knowledge_base(ROOT / "data").references)
    assert capsys.readouterr().out.startswith(f"1 monograph and {references} references checked")
    assert main(["validate", "data/monographs/ketamin.yaml"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "data/monographs/ketamin.yaml:1:1: not a monograph in data/monographs/; monographs are "
        "the .yaml files there")


def test_build_replaces_the_site_only_when_it_succeeds(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    site = tmp_path / "site"
    site.mkdir()
    (site / "stale.html").write_text("from the last build", encoding="utf-8")
    assert main(["build", "--site-dir", str(site)]) == 0
    assert (site / "monographs" / "ketamine" / "index.html").is_file()
    assert not (site / "stale.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_make_site_recipe_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's `make site`: its kb command, as the Makefile writes it, builds the site."""
    result = subprocess.run(["make", "-n", "site"], cwd=ROOT, capture_output=True, text=True,
                            check=True)
    line = next(x for x in result.stdout.splitlines() if "/kb build" in x)
    args = line.split("/kb ", 1)[1].split()
    monkeypatch.chdir(ROOT)
    assert main([*args, "--site-dir", str(tmp_path / "site")]) == 0
    assert (tmp_path / "site" / "index.html").is_file()


@pytest.mark.parametrize("command", ["validate", "build", "serve", "new", "schema", "publish",
                                     "deploy", "rollback", "diff", "csp"])
def test_help_explains_with_an_example(command: str) -> None:
    result = subprocess.run([sys.executable, "-m", "generator", command, "--help"],
                            capture_output=True, text=True, check=True, cwd=ROOT)
    assert "example:" in result.stdout
