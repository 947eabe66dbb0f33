"""Each broken fixture stops validation and the build with its exact, located message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cli import main

from .conftest import FIXTURES, copy_project, fixture_library, fixture_project, run_mkdocs_build

CASES = sorted(p.name for p in (FIXTURES / "invalid").iterdir() if p.is_dir())


def make_project(tmp_path: Path, case: str) -> Path:
    """A copy of the project's mkdocs.yml and content with the fixture as its data."""
    source = FIXTURES / "invalid" / case
    data = tmp_path / "data"
    shutil.copytree(source / "monographs", data / "monographs")
    fixture_library(data, source)
    return copy_project(tmp_path, data=False)


def expected(case: str) -> str:
    return (FIXTURES / "invalid" / case / "expected.txt").read_text(encoding="utf-8").strip()


def test_every_kind_of_mistake_has_a_fixture() -> None:
    assert set(CASES) >= {
        "unknown-key", "wrong-type", "unknown-unit", "unknown-route", "range-reversed",
        "duplicate-key", "unknown-citation", "duplicate-doi", "duplicate-title",
        "free-text-dose", "raw-html", "file-name-mismatch", "missing-field", "bad-date",
        "word-as-boolean", "unknown-frequency",
        # the dose model, units and identity
        "cap-dimension", "cap-below-dose", "regimen-cap-below-dose", "comma-in-number",
        "comma-between-braces", "quoting-trap", "solid-per-ml",
        "unknown-drug-class", "duplicate-drug-class", "cited-work-with-a-problem",
        "drug-class-with-a-problem", "duplicate-class-label", "divided-not-per-day",
        "frequency-on-rate",
        "per-day-cap-without-divided", "titration-unit", "titration-ceiling", "refused-frequency",
        "unsafe-unit-spelling", "renal-unit",
        # a suggestion that would turn the meaning round
        "review-status-negation",
        # the search's spellings and abbreviations
        "duplicate-abbreviation", "spelling-unchanged", "spelling-not-lowercase",
    }


@pytest.mark.parametrize("case", CASES)
def test_kb_validate_prints_the_exact_message(case: str, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(make_project(tmp_path, case))
    assert main(["validate"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [expected(case), "1 problem found; nothing was built."]


@pytest.mark.parametrize("case", ["unknown-unit", "duplicate-key", "duplicate-doi"])
def test_mkdocs_build_stops_with_the_message_and_no_traceback(case: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    project = make_project(tmp_path, case)
    monkeypatch.chdir(project)
    result = run_mkdocs_build(project / "mkdocs.yml", project / "site")
    assert result.returncode == 1
    assert expected(case) in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "site" / "index.html").exists()


def test_failed_build_leaves_the_published_site_as_it_was(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    project = make_project(tmp_path, "unknown-unit")
    published = project / "site"
    published.mkdir()
    (published / "index.html").write_text("the last good site", encoding="utf-8")
    monkeypatch.chdir(project)
    assert main(["build"]) == 1
    assert "the build failed; site/ was left as it was" in capsys.readouterr().err
    assert (published / "index.html").read_text(encoding="utf-8") == "the last good site"
    assert not list(project.glob(".site-staging-*"))


def test_ten_mistakes_are_all_reported_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data" / "monographs"
    data.mkdir(parents=True)
    fixture_library(tmp_path / "data")
    single_file_cases = [c for c in CASES if not c.startswith(("duplicate-", "spelling-"))
                         and c != "file-name-mismatch" and not any(
                             (FIXTURES / "invalid" / c / name).exists()
                             for name in ("references.yaml", "drug-classes.yaml"))]
    for case in single_file_cases:
        text = (FIXTURES / "invalid" / case / "monographs" / "testamine.yaml").read_text()
        name = f"testamine{len(list(data.iterdir()))}"
        (data / f"{name}.yaml").write_text(
            text.replace("generic_name: testamine", f"generic_name: {name}"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["validate"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(single_file_cases) >= 10
    assert err[-1] == f"{len(single_file_cases)} problems found; nothing was built."
    assert len(err) == len(single_file_cases) + 1


@pytest.mark.parametrize("name", ["references.yaml", "drug-classes.yaml"])
def test_a_shared_file_that_cannot_be_read_is_the_one_problem(name: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]
                                                              ) -> None:
    """Not also every citation or drug class of every monograph, each said to be missing: the
    editor would add them again, and the file's own mistake would be lost among them."""
    project = fixture_project(tmp_path)
    with (project / "data" / name).open("a", encoding="utf-8") as shared:
        shared.write("- id: [unclosed\n")
    monkeypatch.chdir(project)
    assert main(["validate"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2, err
    assert err[0].startswith(f"data/{name}:") and "not valid YAML" in err[0]
    assert err[1] == "1 problem found; nothing was built."


def validate_edited(project: Path, old: str, new: str, monkeypatch: pytest.MonkeyPatch,
                    capsys: pytest.CaptureFixture[str]) -> list[str]:
    """What ``kb validate`` prints, failing, for ``project``'s testamine with ``old`` made
    ``new`` (once), the count line left off."""
    path = project / "data" / "monographs" / "testamine.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    monkeypatch.chdir(project)
    assert main(["validate"]) == 1
    return capsys.readouterr().err.splitlines()[:-1]


def test_lengths_are_told_in_an_editors_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """A pair of look-alike names needs two names, not 'at least one item'; a spelling rule's
    letters and a title's length are told in characters, not in pydantic's words."""
    project = fixture_project(tmp_path)
    (project / "data" / "search-terms.yaml").write_text(
        "spellings:\n  - {british: a, american: e}\nlook_alike_names:\n  - [prednisone]\n"
        "  - [prednisone, prednisolone, prednisolone]\n", encoding="utf-8")
    assert validate_edited(project, "title: Testamine for tests", "title: " + "Testamine " * 21,
                           monkeypatch, capsys) == [
        "data/monographs/testamine.yaml:2:8: title: 'Testamine Testamine Testamine Testamine "
        "Testamine Testamine …' (209 characters) is too long: write at most 200 characters",
        "data/search-terms.yaml:2:15: spellings[0].british: 'a' is too short: write at least 2 "
        "characters",
        "data/search-terms.yaml:4:5: look_alike_names[0]: needs at least 2 items",
        "data/search-terms.yaml:5:5: look_alike_names[1]: holds at most 2 items",
    ]


@pytest.mark.parametrize(("divided", "message"), [
    ("1", "data/monographs/testamine.yaml:24:25: dosing.regimens[0].steps[0].divided_into: must "
          "be 2 or more, not the number 1"),
    ("20", "data/monographs/testamine.yaml:24:25: dosing.regimens[0].steps[0].divided_into: must "
           "be 12 or less, not the number 20"),
])
def test_a_number_out_of_its_range_is_told_the_range(divided: str, message: str,
                                                      tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert validate_edited(
        fixture_project(tmp_path), "          dose: {value: 0.5, unit: mg/kg}",
        f"          dose: {{value: 0.5, unit: mg/kg/day}}\n          divided_into: {divided}",
        monkeypatch, capsys) == [message]


@pytest.mark.parametrize(("written", "shown"), [
    ("2024-01-05 10:30", "with no time of day, not '2024-01-05 10:30'"),
    ("86400", "not the number 86400"),
])
def test_a_date_with_a_time_of_day_or_as_a_number_is_refused(
        written: str, shown: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Found by the fuzz tests: pydantic said 'Datetimes provided to dates should have zero
    time - e.g. be exact dates', and read a number as seconds since 1970 (86400 was 2 January
    1970, accepted)."""
    assert validate_edited(
        fixture_project(tmp_path), "review:\n",
        f"changelog:\n  - {{date: {written}, change: Written.}}\nreview:\n",
        monkeypatch, capsys) == [
        "data/monographs/testamine.yaml:8:12: changelog[0].date: expected a date written "
        f"YYYY-MM-DD, like 2024-01-05, {shown}"]
