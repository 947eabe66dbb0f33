"""The small exception tree that the command line and the MkDocs plugin print as messages."""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem in the data, printed as ``file:line:column: field: message``."""

    file: str
    line: int
    column: int
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        text = f"{prefix}{self.field}: {self.message}" if self.field else prefix + self.message
        return f"{where}: {_one_line(text)}"


def _one_line(text: str) -> str:
    """Control characters (a newline in a key, say) shown as escapes, so a problem is one line."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", lambda m: f"\\u{ord(m.group(0)):04x}",
                  text)


class KbError(Exception):
    """Base of every error the generator raises on purpose; printed as its message alone."""


class DataError(KbError):
    """The data in ``data/`` has one or more problems; all of them are carried together."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=_problem_order)
        super().__init__(self.report())

    def report(self, outcome: str = "nothing was built") -> str:
        """Every problem on its own line, then a one-line count and what came of it."""
        lines = [str(p) for p in self.problems]
        n = len(self.problems)
        lines.append(f"{n} problem{'s' if n != 1 else ''} found; {outcome}.")
        return "\n".join(lines)


class SiteBuildError(KbError):
    """MkDocs (or a step around it) failed; the published site was left as it was."""


def _problem_order(p: Problem) -> tuple[str, int, int, str]:
    return (p.file, p.line, p.column, p.field)


def display_path(path: Path) -> str:
    """A path as an editor would type it: relative to the working folder when it is inside it."""
    try:
        return path.resolve().relative_to(os.getcwd()).as_posix()  # getcwd has no links
    except ValueError:
        return path.as_posix()


_OS_ADVICE = {
    errno.ENOSPC: "the disk is full; free some space and run it again",
    errno.EDQUOT: "the disk quota is used up; free some space and run it again",
    errno.EROFS: "the folder is read-only; run it where you can write, or ask for write access",
    errno.EACCES: "permission denied; check who owns the folder and its permissions",
    errno.EPERM: "not permitted; check who owns the folder and its permissions",
    errno.ENAMETOOLONG: "the name is too long; use a shorter name",
    errno.ENOENT: "it does not exist; check the path",
    errno.EEXIST: "it already exists; move it away first",
    errno.EISDIR: "it is a folder, not a file; check the path",
    errno.ENOTDIR: "part of the path is a file, not a folder; check the path",
}


def describe_os_error(error: OSError) -> str:
    """An operating-system failure as one line: the path, and what to do about it."""
    advice = _OS_ADVICE.get(error.errno or 0, (error.strerror or str(error)).lower())
    path = error.filename
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    where = f"{display_path(Path(path))}: " if isinstance(path, str | Path) and path else ""
    return f"{where}{advice}"
