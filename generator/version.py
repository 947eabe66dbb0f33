"""The content version shown on every page: from git (tag or commit, and commit date), so that two
builds of the same commit say the same thing and a printed page can be traced to its source."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

VERSION_ENV = "KB_VERSION"


def _git(root: Path, *args: str) -> str:
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                                check=False, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def content_version(root: Path) -> str:
    """``v1.2 (2026-11-26)`` or ``3f2a9c1 (2026-11-26)``; ``KB_VERSION`` overrides; outside git,
    ``unversioned``. Uncommitted changes are marked ``-modified``."""
    if os.environ.get(VERSION_ENV):
        return os.environ[VERSION_ENV]
    described = _git(root, "describe", "--tags", "--always", "--dirty=-modified")
    if not described:
        return "unversioned"
    untracked = _git(root, "status", "--porcelain", "--untracked-files=all", "--", "data",
                     "content")
    if untracked and not described.endswith("-modified"):
        described += "-modified"  # a new, uncommitted monograph is not the commit's content
    date = _git(root, "log", "-1", "--format=%cs")
    return f"{described} ({date})" if date else described
