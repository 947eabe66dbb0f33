"""The incremental preview (``kb serve``): after each kind of save, the site it keeps is the
site a full build of the same files gives, byte for byte; a broken save keeps the last good site
and says what is wrong."""

from __future__ import annotations

import logging
import re
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.errors import display_path
from generator.preview import Preview, PreviewError

from .conftest import copy_project, run_mkdocs_build
from .htmltext import visible_text
from .searchindex import words_by_page
from .synthetic import retitle_last, write_formulary

VERSION = "preview-test (2026-01-01)"
MONOGRAPHS = 30  # above 25: the formulary is browsed by A–Z and drug class


@pytest.fixture(scope="module")
def template_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("preview-template"), data=False)
    write_formulary(root / "data", MONOGRAPHS, seed=7)
    retitle_last(root / "data")  # its page is listed first, its search document last
    return root


@pytest.fixture
def preview(template_project: Path, tmp_path: Path) -> Preview:
    root = tmp_path / "project"
    shutil.copytree(template_project, root)
    shown = Preview(root / "mkdocs.yml", tmp_path / "site", version=VERSION)
    shown.build()
    return shown


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def assert_as_full_build(preview: Preview, scratch: Path) -> None:
    """The preview's site equals a fresh build of the same files, every file, every byte."""
    preview.wait()
    full = Preview(preview.config_file, scratch / "full-build", version=VERSION)
    full.build()
    kept, fresh = tree(preview.site_dir), tree(full.site_dir)
    assert sorted(kept) == sorted(fresh), (
        f"only in the preview: {sorted(kept.keys() - fresh.keys())[:5]}; "
        f"only in the full build: {sorted(fresh.keys() - kept.keys())[:5]}")
    differ = [name for name in kept if kept[name] != fresh[name]]
    assert not differ, f"{len(differ)} files differ from a full build, first {differ[:5]}"


def monograph(preview: Preview, name: str) -> Path:
    return preview.root / "data" / "monographs" / f"{name}.yaml"


def names(preview: Preview) -> list[str]:
    return sorted(p.stem for p in (preview.root / "data" / "monographs").glob("*.yaml"))


def removable(preview: Preview) -> list[str]:
    """Monographs whose A–Z letter and drug classes other monographs share: removing one
    changes no list of pages, so the preview rebuilds incrementally."""
    assert preview.state is not None and preview.state.plugin.kb is not None
    shown = [m.monograph for m in preview.state.plugin.kb.monographs]
    letters = Counter(m.title[0].upper() for m in shown)
    classes = Counter(c for m in shown for c in m.drug_classes)
    return sorted(m.slug for m in shown
                  if letters[m.title[0].upper()] > 1 and all(classes[c] > 1
                                                             for c in m.drug_classes))


def page_text(preview: Preview, name: str) -> str:
    return visible_text((preview.site_dir / "monographs" / name / "index.html")
                        .read_text(encoding="utf-8"))


def edit(path: Path, change: Callable[[str], str]) -> None:
    text = path.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text, f"the edit did not change {path.name}"
    path.write_text(changed, encoding="utf-8")


def test_the_preview_builds_what_mkdocs_build_builds(preview: Preview, tmp_path: Path) -> None:
    """Apart from the search index's main file, which a preview names search/index.js."""
    result = run_mkdocs_build(preview.config_file, tmp_path / "mkdocs-build", KB_VERSION=VERSION)
    assert result.returncode == 0, result.stderr
    built = tree(tmp_path / "mkdocs-build")
    main = next(name for name in built if re.fullmatch(r"search/index\.[0-9a-f]{12}\.js", name))
    kept = tree(preview.site_dir)
    assert kept.pop("search/index.js") == built.pop(main)
    assert sorted(kept) == sorted(built)
    hashed = main.encode()
    differ = [name for name in kept
              if kept[name] != built[name].replace(hashed, b"search/index.js")]
    assert not differ, differ[:5]


def test_editing_a_monograph_rebuilds_its_page(preview: Preview, tmp_path: Path) -> None:
    name = names(preview)[4]
    edit(monograph(preview, name), lambda t: t.replace(
        "  paragraphs:\n", '  paragraphs:\n    - "Reviewed wording for the preview test."\n', 1))
    done = preview.update()
    assert "rebuilt 1 monograph page" in done
    assert "Reviewed wording for the preview test." in page_text(preview, name)
    assert_as_full_build(preview, tmp_path)


def test_a_new_title_reaches_the_lists_and_search(preview: Preview, tmp_path: Path) -> None:
    name = names(preview)[5]
    path = monograph(preview, name)
    title = re.search(r'^title: "(.*)"$', path.read_text(encoding="utf-8"), re.M)
    assert title
    edit(path, lambda t: t.replace(f'title: "{title.group(1)}"',
                                   f'title: "{title.group(1)} retitled"', 1))
    assert "list page" in preview.update()
    assert f"{title.group(1)} retitled" in page_text(preview, name)
    assert_as_full_build(preview, tmp_path)
    assert "retitled" in words_by_page(preview.site_dir)[f"monographs/{name}/"]


def test_adding_and_removing_monographs(preview: Preview, tmp_path: Path) -> None:
    first, second = removable(preview)[:2]
    # a copy under a new name starting with the same letter: no new A–Z page
    new = first[0] + "zzolam"
    edit_text = monograph(preview, first).read_text(encoding="utf-8").replace(
        f"generic_name: {first}", f"generic_name: {new}")
    monograph(preview, new).write_text(edit_text, encoding="utf-8")
    monograph(preview, second).unlink()
    assert "rebuilt 1 monograph page" in preview.update()
    assert (preview.site_dir / "monographs" / new / "index.html").exists()
    assert not (preview.site_dir / "monographs" / second).exists()
    assert_as_full_build(preview, tmp_path)


def test_renaming_a_monograph_moves_its_page_and_search(preview: Preview,
                                                         tmp_path: Path) -> None:
    old = removable(preview)[2]
    new = old[0] + "renamed"
    text = monograph(preview, old).read_text(encoding="utf-8")
    monograph(preview, old).unlink()
    monograph(preview, new).write_text(text.replace(f"generic_name: {old}",
                                                    f"generic_name: {new}"), encoding="utf-8")
    assert "rebuilt 1 monograph page" in preview.update()
    assert not (preview.site_dir / "monographs" / old).exists()
    assert_as_full_build(preview, tmp_path)
    pages = words_by_page(preview.site_dir)
    assert f"monographs/{old}/" not in pages
    assert new in pages[f"monographs/{new}/"]


@pytest.mark.parametrize(("file", "change"), [
    ("data/references.yaml", lambda t: t.replace('title: "', 'title: "Revised ', 1)),
    ("data/drug-classes.yaml", lambda t: re.sub(r'label: "(.*)"', r'label: "\1 (revised)"', t,
                                                count=1)),
    ("data/search-terms.yaml", lambda t: t.replace(
        "abbreviations:\n", "abbreviations:\n  - {abbreviation: PVW, meanings: [preview]}\n",
        1)),
    ("content/overrides/main.html", lambda t: t.replace("Content version",
                                                        "Content release", 1)),
    ("content/editing.md", lambda t: t + "\nOne more line for the preview test.\n"),
], ids=["reference", "drug-class", "vocabulary", "template", "hand-written-page"])
def test_shared_files_rebuild_everything(preview: Preview, tmp_path: Path, file: str,
                                         change: Callable[[str], str]) -> None:
    edit(preview.root / file, change)
    assert "rebuilt everything" in preview.update()
    assert_as_full_build(preview, tmp_path)


def test_a_broken_save_keeps_the_last_good_site(preview: Preview, tmp_path: Path) -> None:
    name = names(preview)[3]
    path = monograph(preview, name)
    good = path.read_text(encoding="utf-8")
    before = tree(preview.site_dir)
    path.write_text(good.replace("status: not_reviewed_locally", "status: not_reviewd", 1),
                    encoding="utf-8")
    with pytest.raises(PreviewError) as raised:
        preview.update()
    message = str(raised.value)
    assert f"data/monographs/{name}.yaml:" in message
    assert "'not_reviewd' is not a known review status" in message
    assert preview.error == message
    assert tree(preview.site_dir) == before, "a broken save changed the site"
    path.write_text(good.replace("  paragraphs:\n",
                                 '  paragraphs:\n    - "Fixed after a mistake."\n', 1),
                    encoding="utf-8")
    preview.update()
    assert preview.error is None
    assert "Fixed after a mistake." in page_text(preview, name)
    assert_as_full_build(preview, tmp_path)


def test_a_link_to_a_heading_that_is_not_there_is_named_in_the_terminal(
        preview: Preview, caplog: pytest.LogCaptureFixture) -> None:
    """A hand-written page saved with a link to a monograph heading that is not there: the
    preview shows the page, and says in the terminal what ``make site`` stops on, where it
    stands and the heading meant."""
    name = names(preview)[0]
    guide = preview.root / "content" / "editing.md"
    edit(guide, lambda t: t + f"\n[Its regimens](monographs/{name}.md#regimen)\n")
    line = guide.read_text(encoding="utf-8").count("\n")
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        assert "rebuilt everything" in preview.update()
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert said == [f"{display_path(guide)}:{line}: Doc file 'editing.md' contains a link "
                    f"'monographs/{name}.md#regimen', but the doc 'monographs/{name}.md' does "
                    "not contain an anchor '#regimen'. Did you mean '#regimens'?"]
    assert "Its regimens" in (preview.site_dir / "editing" / "index.html").read_text(
        encoding="utf-8")


def test_a_broken_shared_file_keeps_the_last_good_site(preview: Preview) -> None:
    before = tree(preview.site_dir)
    edit(preview.root / "data" / "references.yaml", lambda t: t.replace("- id: ", "- idd: ", 1))
    with pytest.raises(PreviewError, match=r"references\.yaml:\d+"):
        preview.update()
    assert tree(preview.site_dir) == before


def test_a_save_that_changes_nothing_rebuilds_nothing(preview: Preview) -> None:
    path = monograph(preview, names(preview)[0])
    path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    assert preview.update() == "nothing changed"


def test_a_broken_template_keeps_the_last_good_site(preview: Preview, tmp_path: Path) -> None:
    template = preview.root / "content" / "overrides" / "main.html"
    good = template.read_text(encoding="utf-8")
    before = tree(preview.site_dir)
    template.write_text(good.replace("{% endblock %}", "{% endblok %}", 1), encoding="utf-8")
    with pytest.raises(PreviewError, match=r"the preview could not rebuild .*endblok"):
        preview.update()
    assert tree(preview.site_dir) == before
    template.write_text(good, encoding="utf-8")  # undone
    assert "rebuilt everything" in preview.update()  # a failed rebuild is not trusted
    assert preview.error is None
    assert_as_full_build(preview, tmp_path)
