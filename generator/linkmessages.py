"""MkDocs' warnings about the links of a hand-written page, told as an editor's other mistakes
are: the file as the editor finds it in the project, the line, and what to write instead when
it can tell.

MkDocs names a page as ``index.md`` (inside ``content/``) and no line; for a heading that is
not there it says nothing of those that are. Its words are kept, so its documentation still
explains them.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from mkdocs.structure.files import Files

from . import vocabulary
from .errors import display_path

LOGGER = "mkdocs.structure.pages"
"""Where MkDocs says what is wrong with a page's links."""

_LINK = re.compile(r"Doc file '(?P<doc>[^']+)' contains (?:a link|an absolute link|an "
                   r"unrecognized relative link) '(?P<link>[^']+)'")
_ANCHOR = re.compile(r"the doc '(?P<target>[^']+)' does not contain an anchor "
                     r"'#(?P<anchor>[^']+)'\.$")
_OWN_ANCHOR = re.compile(r"'#(?P<anchor>[^']+)', but there is no such anchor on this page\.$")
_NOT_FOUND = re.compile(r"'(?P<link>[^']+)', but the target(?: '(?P<target>[^']+)')? is not "
                        r"found among documentation files\.$")


class LinkMessages(logging.Filter):
    """Rewrites MkDocs' link warnings as they are logged (see the module); a build tells it its
    pages' folder and, while it runs, its files."""

    def __init__(self) -> None:
        super().__init__()
        self.docs_dir: Path | None = None
        self.files: Files | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            message = record.getMessage()
            told = self.told(message)
            if told != message:
                record.msg, record.args = told, ()
        return True

    def told(self, message: str) -> str:
        """``message`` with where it stands before it and what to write after it."""
        found = _LINK.match(message)
        if found is None or self.docs_dir is None:
            return message
        source = self.docs_dir / found["doc"]
        line = _line_of(source, found["link"])
        where = f"{display_path(source)}:{line}: " if line else ""
        return f"{where}{message}{self._hint(message, found['doc'])}"

    def _hint(self, message: str, doc: str) -> str:
        if self.files is None or "Did you mean" in message:  # MkDocs found one itself
            return ""
        anchor = _ANCHOR.search(message) or _OWN_ANCHOR.search(message)
        if anchor is not None:
            target = self.files.get_file_from_path(anchor.groupdict().get("target") or doc)
            ids = target.page.present_anchor_ids if target and target.page else None
            return _said(vocabulary.suggest(f"#{anchor['anchor']}",
                                            sorted(f"#{i}" for i in ids or ())),
                         "Its headings' anchors are")
        missing = _NOT_FOUND.search(message)
        if missing is not None:
            pages = sorted(f.src_uri for f in self.files.documentation_pages())
            return _said(vocabulary.suggest(missing["target"] or missing["link"], pages),
                         "The pages are")
        return ""


def _said(hint: str, listing: str) -> str:
    """``vocabulary.suggest``'s hint as a sentence after MkDocs' own."""
    if hint.startswith("; did you mean "):
        return " Did you mean " + hint.removeprefix("; did you mean ")
    if hint.startswith("; use one of: "):
        return f" {listing} {hint.removeprefix('; use one of: ')}."
    return ""


def _line_of(source: Path, link: str) -> int | None:
    """The line of ``source`` that writes ``link`` (as a link's target, if it can tell), or
    None when it is not a file on disk (a page the generator made)."""
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    for written in (f"]({link}", f"<{link}>", f"]: {link}", link):
        at = text.find(written)
        if at >= 0:
            return text.count("\n", 0, at) + 1
    return None


LINK_MESSAGES = LinkMessages()
"""The one filter every build in a process shares (``install``)."""


def install(docs_dir: Path) -> None:
    """From now on, tell MkDocs' link warnings for the pages in ``docs_dir``."""
    LINK_MESSAGES.docs_dir = docs_dir
    LINK_MESSAGES.files = None
    logging.getLogger(LOGGER).addFilter(LINK_MESSAGES)  # once: adding it again changes nothing
