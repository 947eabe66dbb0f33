"""Texts a build keeps on disk until it needs them again, one file per process.

A build at 2,000 monographs would hold 80 MiB of rendered pages from their rendering until
MkDocs reads them, and as much of converted articles until their pages are written; on disk
they cost no memory. A file each (4,000) cost CPU instead: on the build machine's disk,
creating a file takes 0.2 to 0.3 ms of it, where reading one back takes 0.02 ms. So each
process appends its texts (the pages and articles it renders and converts) to one file of its
own, and each text is read back from where it starts.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path


@dataclasses.dataclass(frozen=True, slots=True)
class Spooled:
    """Where one text waits: its spool file, the byte it starts at, its length in bytes."""

    file: str
    start: int
    length: int

    def read(self) -> str:
        """The text, exactly as it was put (UTF-8 bytes: no line break translated)."""
        with open(self.file, "rb") as spool:
            spool.seek(self.start)
            data = spool.read(self.length)
        if len(data) != self.length:
            raise OSError(f"{self.file} ends before the text at byte {self.start}: the build's "
                          "temporary folder was changed while it ran")
        return data.decode("utf-8")


class Spool:
    """Appends texts to a file in ``folder``: one file for each process that puts a text, so a
    forked process never writes where this one does. Writes are not buffered: a text is in its
    file (for any process to read) once ``put`` returns, and a forked process that ends without
    clean-up loses nothing it put."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._pid = 0
        self._fd = -1
        self._file = ""
        self._size = 0

    def put(self, text: str) -> Spooled:
        """Write ``text`` at the end of this process's file; where it is."""
        if self._pid != os.getpid():  # this process's first text (a forked one: its own file)
            self._file = str(self.folder / f"{os.getpid()}.spool")
            self._fd = os.open(self._file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            self._pid, self._size = os.getpid(), 0
        data = memoryview(text.encode("utf-8"))
        where = Spooled(self._file, self._size, len(data))
        while data:
            data = data[os.write(self._fd, data):]
        self._size += where.length
        return where

    def close(self) -> None:
        """Close this process's file (its texts stay readable until the folder is removed)."""
        if self._pid == os.getpid():
            os.close(self._fd)
        self._pid, self._fd = 0, -1
