"""Files an editor keeps beside the one being edited: Vim's swap files and its write test
(``4913``), Emacs' backups, auto-saves and locks, JetBrains' safe-write copies, GNOME's output
streams. They come and go while a monograph is open. The build and the preview leave them alone,
as a version-control tool's ignore list would: they are neither read, nor reported, nor
published, and writing one is not a change to preview. Anything else out of place in ``data/``
is still an error (see ``loader.account_for_files``).

``mkdocs.yml``'s ``exclude_docs`` lists the same patterns for ``content/``, so MkDocs does not
publish them either; a test keeps the two lists equal.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import PurePath

PATTERNS = ("*~", "#*#", ".#*", "4913", ".*.sw[a-p]", "*___jb_tmp___", "*___jb_old___",
            ".goutputstream-*")
"""Shell-style names of editors' working files (the form ``exclude_docs`` and ``.gitignore``
take)."""

_MATCH = re.compile("|".join(fnmatch.translate(p) for p in PATTERNS))


def is_editor_file(path: PurePath | str) -> bool:
    """Whether ``path`` names an editor's working file rather than one an editor wrote."""
    return _MATCH.fullmatch(PurePath(path).name) is not None
