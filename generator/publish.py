"""Publishing: reproducible release archives, and deployment by an atomic symlink switch.

``kb publish`` validates, builds the release (drafts left out) and the offline bundle, and writes
``dist/site-<version>.tar.gz``, ``dist/site-<version>-offline.zip`` and ``dist/SHA256SUMS``. Two
runs on the same commit give byte-identical files: every timestamp comes from
``SOURCE_DATE_EPOCH`` (the commit's time by default), archive members are sorted, owners and modes
normalised.
"""

from __future__ import annotations

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


def run_mkdocs(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> int:
    """Run the MkDocs command line as a user would (its own messages, no traceback)."""
    return subprocess.run([sys.executable, "-m", "mkdocs", *args], cwd=cwd, check=False,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
                          ).returncode


def _mkdocs_build(root: Path, site: Path, env: dict[str, str]) -> None:
    if run_mkdocs("build", "--strict", "--quiet", "--site-dir", str(site), cwd=root,
                  env=env) != 0:
        raise SiteBuildError("the release build failed; nothing was written to dist/")


def publish(root: Path, dist: Path) -> list[Path]:
    """Build the release and the offline bundle and write the archives and their checksums."""
    version = content_version(root)
    slug = version_slug(version)
    epoch = source_date_epoch(root)
    env = {"KB_INCLUDE_DRAFTS": "0", "SOURCE_DATE_EPOCH": str(epoch), "KB_VERSION": version}
    with tempfile.TemporaryDirectory(prefix="kb-publish-") as tmp:
        site, offline = Path(tmp) / "site", Path(tmp) / "offline"
        _mkdocs_build(root, site, env)
        _mkdocs_build(root, offline, {**env, "KB_OFFLINE": "true"})
        staging = Path(tmp) / "dist"
        staging.mkdir()
        archives = [staging / f"site-{slug}.tar.gz", staging / f"site-{slug}-offline.zip"]
        write_tar_gz(site, archives[0], f"site-{slug}", epoch)
        write_zip(offline, archives[1], f"site-{slug}-offline", epoch)
        sums = "".join(f"{hashlib.sha256(a.read_bytes()).hexdigest()}  {a.name}\n"
                       for a in archives)
        (staging / "SHA256SUMS").write_text(sums, encoding="utf-8")
        dist.mkdir(parents=True, exist_ok=True)
        written = []
        for path in [*archives, staging / "SHA256SUMS"]:
            shutil.copyfile(path, dist / path.name)
            written.append(dist / path.name)
    return written


def deploy(archive: Path, dest: Path) -> Path:
    """Unpack a release beside the live one and switch ``dest/current`` to it atomically; the
    release it replaces stays as ``dest/previous`` for :func:`rollback`."""
    if not archive.name.endswith(".tar.gz"):
        raise KbError(f"{archive} is not a site-<version>.tar.gz release")
    releases = dest / RELEASES
    releases.mkdir(parents=True, exist_ok=True)
    unpacked = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=releases))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(unpacked, filter="data")
        [top] = list(unpacked.iterdir())
        target = releases / top.name
        if target.exists():
            shutil.rmtree(target)
        top.rename(target)
    finally:
        shutil.rmtree(unpacked, ignore_errors=True)
    current = dest / CURRENT
    if current.is_symlink():
        old = os.readlink(current)
        if old != f"{RELEASES}/{target.name}":
            _switch(dest / PREVIOUS, old)
    _switch(current, f"{RELEASES}/{target.name}")
    return target


def rollback(dest: Path) -> str:
    """Point ``dest/current`` back at ``dest/previous`` (and previous at what was current)."""
    current, previous = dest / CURRENT, dest / PREVIOUS
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
