"""A hand-written page's links are checked by the build, and a broken one is named as an
editor's other mistakes are: the file as it stands in the project, the line, and what to write
instead when the build can tell."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

from generator import linkmessages

from .conftest import ROOT, fixture_project

BROKEN = [
    ("[the regimens](monographs/testamine.md#regimen)",
     "contains a link 'monographs/testamine.md#regimen', but the doc 'monographs/testamine.md' "
     "does not contain an anchor '#regimen'. Did you mean '#regimens'?"),
    ("[the guide](editng.md)",
     "contains a link 'editng.md', but the target is not found among documentation files. "
     "Did you mean 'editing.md'?"),
    ("[our policies](policies.md)",
     "contains a link 'policies.md', but the target is not found among documentation files. "
     "The pages are 'editing.md', 'index.md', 'monographs/testamine.md'."),
    ("[the data files](#for-other-system)",
     "contains a link '#for-other-system', but there is no such anchor on this page. Did you "
     "mean '#for-other-systems'?"),
    ("[home](/index.html)",
     "contains an absolute link '/index.html', it was left as is. Did you mean 'index.md'?"),
]


def any_line_or_monograph(message: str) -> str:
    """A link message with any line and any monograph alike (the guide's example names this
    site's own monograph, the test a fixture's)."""
    message = re.sub(r"content/index\.md:\d+:", "content/index.md:N:", message)
    return re.sub(r"monographs/[a-z0-9-]+\.md", "monographs/M.md", message)


def test_each_broken_link_is_named_with_its_file_line_and_fix(tmp_path: Path) -> None:
    project = fixture_project(tmp_path / "project")
    home = project / "content" / "index.md"
    before = home.read_text(encoding="utf-8")
    home.write_text(before + "".join(f"\n{link}\n" for link, _ in BROKEN), encoding="utf-8")
    lines = home.read_text(encoding="utf-8").splitlines()
    result = subprocess.run([sys.executable, "-m", "generator.cli", "build"], cwd=project,
                            capture_output=True, text=True, check=False,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 1
    said = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    expected = [f"WARNING -  content/index.md:{lines.index(link) + 1}: Doc file 'index.md' "
                f"{message}" for link, message in BROKEN]
    assert sorted(said) == sorted(expected)
    guide = (ROOT / "content" / "editing.md").read_text(encoding="utf-8")
    shown = re.search(r"<!-- example: link-message -->\n```text\n(.*?)\n```", guide)
    assert shown is not None, "the editors' guide shows a link message"
    assert any_line_or_monograph(shown.group(1)) in [any_line_or_monograph(line)
                                                     for line in said]
    assert result.stderr.strip().endswith("the build failed; site/ was left as it was")
    assert not (project / "site").exists()


def test_other_messages_pass_unchanged(tmp_path: Path) -> None:
    """Only MkDocs' messages about a page's links are told again; a message about a page the
    generator made (not a file on disk) keeps no line it cannot have."""
    filter_ = linkmessages.LinkMessages()
    filter_.docs_dir = tmp_path
    record = logging.LogRecord(linkmessages.LOGGER, logging.WARNING, __file__, 1,
                               "Doc file 'monographs/x.md' contains an unrecognized relative "
                               "link 'az/', it was left as is.", None, None)
    assert filter_.filter(record)
    assert record.getMessage() == ("Doc file 'monographs/x.md' contains an unrecognized relative "
                                   "link 'az/', it was left as is.")
    other = logging.LogRecord(linkmessages.LOGGER, logging.WARNING, __file__, 1,
                              "edit_uri: %r is not a valid URL", ("x",), None)
    assert filter_.filter(other)
    assert other.getMessage() == "edit_uri: 'x' is not a valid URL"
