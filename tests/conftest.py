"""Shared fixtures: the real site built once per session into a temporary folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .synthetic import write_formulary

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


BUILD_DAY = "1764115200"
"""2025-11-26 00:00 UTC: the day every build in a test is dated by (``SOURCE_DATE_EPOCH``)."""


@pytest.fixture(autouse=True)
def _one_build_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """Date every build a test makes by one day. MkDocs dates each page, and so the gzipped
    sitemap's header, by ``SOURCE_DATE_EPOCH`` or today: two builds a test compares byte for
    byte differed once in CI when midnight fell between them. A test that sets its own date
    keeps it."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", os.environ.get("SOURCE_DATE_EPOCH", BUILD_DAY))


def run_mkdocs_build(config: Path, site_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` as a user runs it; returns the finished process."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config),
         "--site-dir", str(site_dir)],
        capture_output=True, text=True, check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
    )


def copy_project(root: Path, *, data: bool = True) -> Path:
    """A copy of the project's site configuration and pages (and, unless told not to, its data)
    in ``root``, for tests that change something before building."""
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    if data:
        shutil.copytree(ROOT / "data", root / "data")
    return root


def fixture_project(root: Path) -> Path:
    """A copy of the project's site configuration and pages in ``root`` with one synthetic
    monograph (``testamine``, never published) and the fixture library as its data: for tests
    that need a monograph page whatever ``data/`` holds."""
    copy_project(root, data=False)
    fixture_library(root / "data")
    (root / "data" / "monographs").mkdir()
    shutil.copy(FIXTURES / "valid" / "monographs" / "testamine.yaml",
                root / "data" / "monographs" / "testamine.yaml")
    return root


def fixture_library(data: Path, own: Path | None = None) -> None:
    """The shared fixture reference library and drug classes in ``data``; a fixture folder
    ``own`` may bring its own references.yaml or drug-classes.yaml in their place, and a
    search-terms.yaml."""
    data.mkdir(parents=True, exist_ok=True)
    for name in ("references.yaml", "drug-classes.yaml"):
        mine = own / name if own is not None else None
        shutil.copy(mine if mine is not None and mine.exists() else FIXTURES / "valid" / name,
                    data / name)
    if own is not None and (own / "search-terms.yaml").exists():
        shutil.copy(own / "search-terms.yaml", data / "search-terms.yaml")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real data built with the real mkdocs.yml into a temporary site folder."""
    site = tmp_path_factory.mktemp("site")
    result = run_mkdocs_build(ROOT / "mkdocs.yml", site)
    assert result.returncode == 0, result.stderr
    return site


def add_fixture_formulary(data: Path) -> list[str]:
    """Add the synthetic fixture formulary (never published) to a copy of ``data/``: its
    monographs, references and drug classes beside the real ones. Returns the added names."""
    formulary = FIXTURES / "formulary"
    for name in ("references.yaml", "drug-classes.yaml"):
        with (data / name).open("a", encoding="utf-8") as out:
            out.write("\n" + (formulary / name).read_text(encoding="utf-8"))
    added = []
    for path in sorted((formulary / "monographs").glob("*.yaml")):
        shutil.copy(path, data / "monographs" / path.name)
        added.append(path.stem)
    return added


@pytest.fixture(scope="session")
def formulary_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real data plus the fixture formulary, built with the real mkdocs.yml: what staff
    would see if these monographs were added to data/."""
    project = copy_project(tmp_path_factory.mktemp("formulary-project"))
    add_fixture_formulary(project / "data")
    site = project / "site"
    result = run_mkdocs_build(project / "mkdocs.yml", site)
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="session")
def ketamine_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real ketamine monograph alone, built with the real mkdocs.yml: for tests of what a
    search for its words finds, which other monographs in data/ may rightly outrank."""
    project = copy_project(tmp_path_factory.mktemp("ketamine-project"))
    for path in (project / "data" / "monographs").glob("*.yaml"):
        if path.name != "ketamine.yaml":
            path.unlink()
    site = project / "site"
    result = run_mkdocs_build(project / "mkdocs.yml", site)
    assert result.returncode == 0, result.stderr
    return site


SYNTHETIC_MONOGRAPHS = 60
"""The size of the synthetic formulary the search and navigation tests build (tests/synthetic.py);
above the 25 at which the site switches to A–Z and drug-class pages."""


@pytest.fixture(scope="session")
def synthetic_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A 60-monograph synthetic formulary (never published) built twice with the real
    mkdocs.yml and content: as served, and as the offline bundle builds it."""
    root = copy_project(tmp_path_factory.mktemp("synthetic-formulary"), data=False)
    write_formulary(root / "data", SYNTHETIC_MONOGRAPHS)
    sites = {"served": root / "site", "offline": root / "site-offline", "data": root / "data"}
    for mode in ("served", "offline"):
        env = {"KB_OFFLINE": "true"} if mode == "offline" else {}
        result = run_mkdocs_build(root / "mkdocs.yml", sites[mode], **env)
        assert result.returncode == 0, result.stderr
        sites[f"{mode} log"] = root / f"build-{mode}.log"  # what the build said, for the tests
        sites[f"{mode} log"].write_text(result.stderr, encoding="utf-8")
    return sites
