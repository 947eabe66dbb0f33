"""Publishing: reproducible release archives, and deployment by an atomic symlink switch.

``kb publish`` validates, builds the release (drafts left out, with a precompressed ``.gz`` copy of
each text file for nginx's ``gzip_static``) and the offline bundle, and writes
``dist/site-<version>.tar.gz``, ``dist/site-<version>-offline.zip`` and ``dist/SHA256SUMS``. Two
runs on the same commit give byte-identical files: every timestamp comes from
``SOURCE_DATE_EPOCH`` (the commit's time by default), archive members are sorted, owners and modes
normalised.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import gzip
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from .errors import KbError, SiteBuildError
from .version import content_version

RELEASES = "releases"
CURRENT = "current"
PREVIOUS = "previous"


def source_date_epoch(root: Path) -> int:
    """``SOURCE_DATE_EPOCH``, or the last commit's time, or 0 outside git."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True,
                             text=True, check=False, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        out = ""
    return int(out) if out.isdigit() else 0


def version_slug(version: str) -> str:
    """The version as it appears in file names: ``3f2a9c1`` from ``3f2a9c1 (2026-11-26)``."""
    name = version.split(" (", maxsplit=1)[0]
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "unversioned"


def _files(folder: Path) -> list[Path]:
    return sorted((p for p in folder.rglob("*") if p.is_file()),
                  key=lambda p: p.relative_to(folder).as_posix())


def write_tar_gz(folder: Path, target: Path, prefix: str, epoch: int) -> None:
    """A gzipped tar of ``folder`` under ``prefix/``, identical for identical input."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in _files(folder):
            info = tarfile.TarInfo(f"{prefix}/{path.relative_to(folder).as_posix()}")
            info.size = path.stat().st_size
            info.mtime = epoch
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            with path.open("rb") as handle:
                tar.addfile(info, handle)
    with target.open("wb") as out, gzip.GzipFile(filename="", mode="wb", fileobj=out,
                                                  mtime=epoch, compresslevel=9) as gz:
        gz.write(raw.getvalue())


def write_zip(folder: Path, target: Path, prefix: str, epoch: int) -> None:
    """A zip of ``folder`` under ``prefix/``, identical for identical input."""
    stamp = time.gmtime(max(epoch, 315532800))[:6]  # zip dates start in 1980
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in _files(folder):
            info = zipfile.ZipInfo(f"{prefix}/{path.relative_to(folder).as_posix()}", stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zf.writestr(info, path.read_bytes(), compresslevel=9)


def run_mkdocs(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
               capture: bool = False) -> int:
    """Run the MkDocs command line as a user would. With ``capture``, its messages are passed on
    but a traceback (MkDocs shows one for an operating-system failure such as a full disk) is
    cut to its last line, so that kb never prints one."""
    command = [sys.executable, "-m", "mkdocs", *args]
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    if not capture:
        return subprocess.run(command, cwd=cwd, check=False, env=environment).returncode
    result = subprocess.run(command, cwd=cwd, check=False, env=environment, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    sys.stderr.write(without_traceback(result.stdout))
    return result.returncode


def without_traceback(output: str) -> str:
    """Program output with each Python traceback replaced by its last line (the error)."""
    out: list[str] = []
    lines = output.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("Traceback (most recent call last)"):
            i += 1
            while i < len(lines) and (lines[i].startswith((" ", "\t")) or not lines[i]):
                i += 1
            if i < len(lines):
                out.append(f"error: {lines[i]}")
        else:
            out.append(lines[i])
        i += 1
    return "".join(f"{line}\n" for line in out)


PRECOMPRESSED = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map")
"""Text files the release carries a .gz copy of, for nginx's gzip_static."""
PRECOMPRESS_MIN = 256
"""Smaller files are sent as they are (nginx's gzip_min_length in deploy/nginx.conf)."""


def precompress(folder: Path) -> int:
    """Write ``name.gz`` beside every text file of ``folder`` worth compressing, at the highest
    level and without a name or time (so identical input gives identical bytes); nginx serves
    them with gzip_static instead of compressing each response. Returns how many it wrote."""
    written = 0
    for path in _files(folder):
        if path.suffix not in PRECOMPRESSED or path.stat().st_size < PRECOMPRESS_MIN:
            continue
        data = path.read_bytes()
        packed = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=packed, mtime=0,
                           compresslevel=9) as gz:
            gz.write(data)
        if len(packed.getvalue()) < len(data):
            path.with_name(path.name + ".gz").write_bytes(packed.getvalue())
            written += 1
    return written


def _mkdocs_build(root: Path, site: Path, env: dict[str, str]) -> None:
    # never --quiet: MkDocs then drops its warnings unheard, and --strict stops at none of them
    if run_mkdocs("build", "--strict", "--site-dir", str(site), cwd=root,
                  env=env, capture=True) != 0:
        raise SiteBuildError("the release build failed; nothing was written to dist/")


def publish(root: Path, dist: Path) -> list[Path]:
    """Build the release and the offline bundle and write the archives and their checksums."""
    version = content_version(root)
    slug = version_slug(version)
    epoch = source_date_epoch(root)
    env = {"KB_INCLUDE_DRAFTS": "0", "SOURCE_DATE_EPOCH": str(epoch), "KB_VERSION": version}
    dist.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kb-publish-") as tmp, \
            tempfile.TemporaryDirectory(prefix=".staging-", dir=dist) as staged:
        # Written beside dist/ first, on the same disk, and renamed into place only when all of
        # it is complete: a full disk leaves dist/ as it was, never a truncated archive beside
        # a stale SHA256SUMS.
        site, offline = Path(tmp) / "site", Path(tmp) / "offline"
        _mkdocs_build(root, site, env)
        _mkdocs_build(root, offline, {**env, "KB_OFFLINE": "true"})
        precompress(site)  # served by nginx; the offline bundle is opened from disk instead
        staging = Path(staged)
        archives = [staging / f"site-{slug}.tar.gz", staging / f"site-{slug}-offline.zip"]
        write_tar_gz(site, archives[0], f"site-{slug}", epoch)
        write_zip(offline, archives[1], f"site-{slug}-offline", epoch)
        sums = "".join(f"{_sha256(a)}  {a.name}\n" for a in archives)
        (staging / "SHA256SUMS").write_text(sums, encoding="utf-8")
        written = []
        for path in [*archives, staging / "SHA256SUMS"]:  # the checksums last
            path.replace(dist / path.name)
            written.append(dist / path.name)
    return written


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_checksum(archive: Path) -> None:
    """The archive's SHA-256 must be the one ``SHA256SUMS`` beside it lists."""
    sums = archive.with_name("SHA256SUMS")
    if not sums.is_file():
        raise KbError(f"no SHA256SUMS beside {archive}; deploy what kb publish wrote, with its "
                      "checksums")
    listed = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        listed[name.strip()] = digest.strip()
    if archive.name not in listed:
        raise KbError(f"{archive.name} is not listed in {sums}; deploy what kb publish wrote")
    if _sha256(archive) != listed[archive.name]:
        raise KbError(f"{archive} does not match its checksum in {sums}: it is damaged or was "
                      "changed; publish it again")


def _site_folder(tar: tarfile.TarFile) -> str:
    """The one top-level folder of a release, which must hold index.html; raise otherwise."""
    members = tar.getmembers()
    tops = {m.name.split("/", 1)[0] for m in members}
    if len(tops) != 1:
        raise KbError(f"a release holds exactly one site folder; this one holds "
                      f"{len(tops)} top-level entries")
    [top] = tops
    if top in ("", ".", "..") or not any(m.name == f"{top}/index.html" and m.isfile()
                                         for m in members):
        raise KbError("a release is one site folder with an index.html; this one is not")
    return top


def _normalise_modes(folder: Path) -> None:
    """Folders 755, files 644, whatever the umask, so a web server running as another user
    can read the release."""
    folder.chmod(0o755)
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


@contextlib.contextmanager
def _deploy_lock(dest: Path) -> Iterator[None]:
    """One deploy or rollback at a time in ``dest``: a second one waits for the first."""
    dest.mkdir(parents=True, exist_ok=True)
    with (dest / ".deploy.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def deploy(archive: Path, dest: Path) -> Path:
    """Unpack a verified release beside the live one and switch ``dest/current`` to it
    atomically; the release it replaces stays as ``dest/previous`` for :func:`rollback`. The
    live release is never deleted or rewritten: deploying it again unpacks a fresh copy."""
    if not archive.name.endswith(".tar.gz"):
        raise KbError(f"{archive} is not a site-<version>.tar.gz release")
    verify_checksum(archive)
    with _deploy_lock(dest):
        releases = dest / RELEASES
        releases.mkdir(parents=True, exist_ok=True)
        unpacked = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=releases))
        try:
            try:
                with tarfile.open(archive, "r:gz") as tar:
                    top = _site_folder(tar)
                    tar.extractall(unpacked, filter="data")
            except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as e:
                raise KbError(f"{archive} is not a complete release archive ({e}); publish "
                              "it again") from e
            _normalise_modes(unpacked / top)
            target = _fresh_name(releases, top)
            (unpacked / top).rename(target)
        finally:
            shutil.rmtree(unpacked, ignore_errors=True)
        current = dest / CURRENT
        if current.is_symlink():
            _switch(dest / PREVIOUS, os.readlink(current))
        _switch(current, f"{RELEASES}/{target.name}")
        _prune(dest)
    return target


def _fresh_name(releases: Path, name: str) -> Path:
    """``name``, or ``name.2``, ``name.3``… when a release of that name is already unpacked."""
    candidate, n = releases / name, 1
    while candidate.exists():
        n += 1
        candidate = releases / f"{name}.{n}"
    return candidate


def _prune(dest: Path) -> None:
    """Remove unpacked releases that are neither current nor previous (never a live one)."""
    keep = {Path(os.readlink(dest / link)).name for link in (CURRENT, PREVIOUS)
            if (dest / link).is_symlink()}
    for release in (dest / RELEASES).iterdir():
        if release.name not in keep and not release.name.startswith("."):
            shutil.rmtree(release, ignore_errors=True)


def rollback(dest: Path) -> str:
    """Point ``dest/current`` back at ``dest/previous`` (and previous at what was current)."""
    current, previous = dest / CURRENT, dest / PREVIOUS
    with _deploy_lock(dest):
        if not previous.is_symlink():
            raise KbError(f"{dest} has no previous release to roll back to")
        was_current, was_previous = os.readlink(current), os.readlink(previous)
        _switch(current, was_previous)
        _switch(previous, was_current)
    return was_previous


def _switch(link: Path, target: str) -> None:
    """Replace a symlink in one rename, so a reader never sees it missing."""
    temporary = link.with_name(f".{link.name}.new")
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(target)
    temporary.replace(link)


_RENAME_EXCHANGE = 2


def exchange(a: Path, b: Path) -> None:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); where the system
    lacks it, fall back to two renames."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        at_fdcwd = -100
        if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS):
            raise OSError(code, os.strerror(code), str(b))
    old = b.with_name(b.name + ".old")
    b.rename(old)
    a.rename(b)
    old.rename(a)
