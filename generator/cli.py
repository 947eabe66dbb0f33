"""The ``kb`` command line: validate, build, serve, schema.

Every failure is printed as a message, never a traceback, and ends with exit code 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import publish
from .errors import DataError, KbError, SiteBuildError, describe_os_error
from .loader import MONOGRAPHS_DIR, check_knowledge_base
from .publish import exchange
from .schema import SCHEMA_DIR, write_schemas

MAX_NAME = 80
"""Characters in a generic name (a file is named after it)."""


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def cmd_validate(args: argparse.Namespace) -> int:
    """Check every file; print every problem, then warnings; exit 1 on any error."""
    data = Path(args.data)
    only = [Path(p) for p in args.paths] or None
    try:
        checked = check_knowledge_base(data, only=only)
    except DataError as e:
        print(e.report(), file=sys.stderr)
        return 1
    for warning in checked.warnings:
        print(warning, file=sys.stderr)
    overdue = [w for w in checked.warnings if w.field == "review.next_review"]
    if args.fail_on_overdue and overdue:
        print(f"{len(overdue)} monograph review(s) overdue; failing as --fail-on-overdue asks.",
              file=sys.stderr)
        return 1
    print(f"{_count(checked.monographs, 'monograph')} and "
          f"{_count(checked.references, 'reference')} checked: no errors, "
          f"{_count(len(checked.warnings), 'warning')}.")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    """Write a commented draft skeleton for a new monograph."""
    name = " ".join(args.generic_name.split()).lower()
    if len(name) > MAX_NAME:
        raise KbError(f"a generic name is at most {MAX_NAME} characters; this one is "
                      f"{len(name)}")
    if not re.fullmatch(r"[a-z][a-z0-9 -]*", name):
        raise KbError(f"'{args.generic_name}' is not a generic name; use letters, digits, spaces "
                      "and hyphens, starting with a letter, like 'ketamine' or 'sodium "
                      "valproate'")
    path = Path(args.data) / MONOGRAPHS_DIR / f"{name.replace(' ', '-')}.yaml"
    if path.exists():
        raise KbError(f"{path} already exists; edit it instead")
    path.parent.mkdir(parents=True, exist_ok=True)
    from .render import render_new_monograph  # noqa: PLC0415 - Jinja only for this command

    path.write_text(render_new_monograph(name, today=dt.date.today().isoformat()),
                    encoding="utf-8")
    print(f"Wrote {path} (a draft). Fill it in, then check it with: kb validate {path}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Write the JSON Schema files editors' tools read."""
    for path in write_schemas(Path(args.output)):
        print(f"Wrote {path}")
    return 0


def build_site(site_dir: Path, *, strict: bool = True, release: bool = False,
               config_file: str = "mkdocs.yml") -> None:
    """Build into a staging folder beside ``site_dir`` and swap it in only on success, in one
    atomic exchange: at every instant ``site_dir`` is a complete site, the old one or the new."""
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(site_dir.parent)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING}{os.getpid()}-", dir=site_dir.parent))
    try:
        args = ["build", "--config-file", config_file, "--site-dir", str(staging)]
        if strict:
            args.append("--strict")
        env = {"KB_INCLUDE_DRAFTS": "0"} if release else {}
        if publish.run_mkdocs(*args, env=env, capture=True) != 0:
            raise SiteBuildError(f"the build failed; {site_dir.name}/ was left as it was")
        staging.chmod(0o755)
        if site_dir.exists():
            exchange(staging, site_dir)  # staging now holds the old site, removed below
        else:
            staging.rename(site_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


STAGING = ".site-staging-"


def remove_stale_staging(folder: Path) -> None:
    """Remove the staging folders of builds that were killed (their process is gone)."""
    for path in folder.glob(f"{STAGING}*"):
        pid = path.name.removeprefix(STAGING).split("-", 1)[0]
        if not pid.isdigit() or not Path(f"/proc/{pid}").exists():
            shutil.rmtree(path, ignore_errors=True)


def cmd_build(args: argparse.Namespace) -> int:
    """Build the site atomically."""
    build_site(Path(args.site_dir), strict=not args.no_strict, release=args.release,
               config_file=args.config_file)
    print(f"Site built in {args.site_dir}/")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    """Validate, build the release and the offline bundle, write the archives to dist/."""
    if cmd_validate(argparse.Namespace(data=args.data, paths=[], fail_on_overdue=False)) != 0:
        return 1
    for path in publish.publish(Path.cwd(), Path(args.dist)):
        print(f"Wrote {path}")
    return 0


def cmd_deploy(args: argparse.Namespace) -> int:
    """Unpack a release into DEST and switch DEST/current to it."""
    archive = Path(args.archive) if args.archive else _newest_release(Path(args.dist))
    target = publish.deploy(archive, Path(args.dest))
    print(f"{args.dest}/current now serves {target.name}; the release before it is "
          f"{args.dest}/previous")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    """Switch DEST/current back to the previous release."""
    target = publish.rollback(Path(args.dest))
    print(f"{args.dest}/current now serves {Path(target).name}")
    return 0


def _newest_release(dist: Path) -> Path:
    archives = sorted(dist.glob("site-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not archives:
        raise KbError(f"no release in {dist}/; run `make publish` first")
    sums = (dist / "SHA256SUMS").read_text(encoding="utf-8") if (dist / "SHA256SUMS").exists() \
        else ""
    named = [a for a in archives if f"  {a.name}" in sums]
    return (named or archives)[-1]


def cmd_csp(args: argparse.Namespace) -> int:
    """Print the script-src hashes a built site needs."""
    from . import csp  # noqa: PLC0415 - commands import what only they use: validate starts fast

    hashes = csp.inline_script_hashes(Path(args.site_dir))
    if not hashes:
        raise KbError(f"no pages with inline scripts in {args.site_dir}/; build the site first")
    print("script-src 'self' " + " ".join(hashes) + ";")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    """Print the dose changes since a git revision."""
    from . import diff  # noqa: PLC0415

    for line in diff.diff_report(Path.cwd(), args.rev, args.data):
        print(line)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Preview with live reload (drafts shown, with their banner), rebuilding only what a save
    changes."""
    from . import serve  # noqa: PLC0415

    return serve.serve(Path(args.config_file), args.dev_addr)


Command = Callable[[argparse.Namespace], int]


def _command(sub: Any, name: str, func: Command, summary: str, description: str,
             *examples: str) -> argparse.ArgumentParser:
    """One sub-command whose --help ends with examples."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=summary, description=description,
        epilog="example:\n" + "\n".join(f"  {e}" for e in examples),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(func=func)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``kb``."""
    parser = argparse.ArgumentParser(
        prog="kb", description="Clinical knowledge base: check the data in data/ and build the "
                               "site.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = _command(sub, "validate", cmd_validate, "check all data and print every problem",
                 "Check every monograph and the reference library; print every problem at once "
                 "as file:line:column: field: message. Exit 1 if there is any error.",
                 "kb validate                      check everything in data/",
                 "kb validate data/monographs/ketamine.yaml")
    p.add_argument("paths", nargs="*", help="monograph files to check (default: all)")
    p.add_argument("--data", default="data", help="the data folder (default: data)")
    p.add_argument("--fail-on-overdue", action="store_true",
                   help="exit 1 when a monograph's review is overdue (for CI)")

    p = _command(sub, "new", cmd_new, "write a draft skeleton for a new monograph",
                 "Write data/monographs/<name>.yaml: a commented skeleton marked status: draft. "
                 "A draft validates with its sections empty and never reaches a release.",
                 'kb new "sodium valproate"')
    p.add_argument("generic_name", help="the generic name, in quotes if it has spaces")
    p.add_argument("--data", default="data", help="the data folder (default: data)")

    p = _command(sub, "schema", cmd_schema, "write the JSON Schema editors' tools read",
                 "Write monograph.schema.json and references.schema.json, exported from the "
                 "schema in generator/model.py.",
                 "kb schema            writes data/schema/*.json")
    p.add_argument("--output", default=str(SCHEMA_DIR), help="folder (default: data/schema)")

    p = _command(sub, "build", cmd_build, "build the site (site/ is replaced only on success)",
                 "Validate, then build the site with mkdocs build --strict into a temporary "
                 "folder, and replace site/ only when it succeeds.",
                 "kb build                 build into site/ (replaced only when the build "
                 "succeeds)",
                 "kb build --release       leave draft monographs out")
    p.add_argument("--site-dir", default="site")
    p.add_argument("--config-file", default="mkdocs.yml")
    p.add_argument("--release", action="store_true", help="leave draft monographs out")
    p.add_argument("--no-strict", action="store_true", help=argparse.SUPPRESS)

    p = _command(sub, "serve", cmd_serve, "preview the site, reloading when data/ changes",
                 "Preview on http://127.0.0.1:8000; the page reloads when a YAML file in data/ "
                 "or a page in content/ changes. Saving a monograph rebuilds only its page and "
                 "the lists that name it; a save with a mistake keeps the last good page and "
                 "shows the problem on it.",
                 "kb serve --dev-addr 127.0.0.1:8001")
    p.add_argument("--config-file", default="mkdocs.yml")
    p.add_argument("--dev-addr", default="127.0.0.1:8000")

    p = _command(sub, "publish", cmd_publish,
                 "validate, build and write the release archives to dist/",
                 "Validate, build with --strict (drafts left out), and write "
                 "dist/site-<version>.tar.gz, dist/site-<version>-offline.zip (works from "
                 "file://) and dist/SHA256SUMS. Two runs on the same commit give identical files.",
                 "kb publish", "SOURCE_DATE_EPOCH=1700000000 kb publish")
    p.add_argument("--dist", default="dist")
    p.add_argument("--data", default="data")

    p = _command(sub, "deploy", cmd_deploy, "unpack a release and switch to it atomically",
                 "Unpack a release into DEST/releases/ and switch the symlink DEST/current to it "
                 "in one rename; the release it replaces stays as DEST/previous. Point the web "
                 "server at DEST/current.",
                 "kb deploy --dest /srv/kb")
    p.add_argument("--dest", required=True)
    p.add_argument("--dist", default="dist")
    p.add_argument("archive", nargs="?", help="a site-<version>.tar.gz (default: newest in dist/)")

    p = _command(sub, "rollback", cmd_rollback, "switch back to the previous release",
                 "Switch DEST/current back to DEST/previous in one rename.",
                 "kb rollback --dest /srv/kb")
    p.add_argument("--dest", required=True)

    p = _command(sub, "csp", cmd_csp, "print the CSP script hashes a built site needs",
                 "Print the script-src directive (SHA-256 hashes of the theme's inline scripts) "
                 "for deploy/kb-security-headers.conf.",
                 "kb build && kb csp site")
    p.add_argument("site_dir", nargs="?", default="site")

    p = _command(sub, "diff", cmd_diff, "list dose changes since a git revision",
                 "List regimens and dosage-form strengths added, removed or changed between a git "
                 "revision and the working tree, for the committee that signs changes off.",
                 "kb diff v1.0", "kb diff HEAD~3")
    p.add_argument("rev", help="a git revision: tag, branch or commit")
    p.add_argument("--data", default="data")

    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KbError as e:
        print(f"kb: {e}", file=sys.stderr)
        return 1
    except OSError as e:  # a full disk, a read-only folder, a name too long: one line, no trace
        print(f"kb: {describe_os_error(e)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
