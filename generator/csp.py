"""Content-Security-Policy support: the hashes of the inline scripts the theme puts in each page.

Material for MkDocs writes a few small inline scripts into every page (its palette and storage
helpers; one variant per folder depth). A policy without 'unsafe-inline' must list their SHA-256
hashes. ``kb csp site/`` prints them; ``deploy/kb-security-headers.conf`` carries them, and a test
checks that every inline script of a fresh build is allowed by that file.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.DOTALL)


def inline_script_hashes(site: Path) -> list[str]:
    """Sorted ``'sha256-…'`` sources of every executable inline script in the built site."""
    found = set()
    for page in site.rglob("*.html"):
        for match in _INLINE_SCRIPT.finditer(page.read_text(encoding="utf-8")):
            if "application/json" in match.group(1):
                continue  # data, never executed
            digest = hashlib.sha256(match.group(2).encode("utf-8")).digest()
            found.add(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")
    return sorted(found)
